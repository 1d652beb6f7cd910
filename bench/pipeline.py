"""Time every pipeline stage on the shared corpora; print a table and write JSON.

Usage::

    python bench/pipeline.py                      # BBC and 20 Newsgroups
    python bench/pipeline.py --corpus bbc --n-topics 20 auto

Reads ``../shared/corpora/<corpus>/docs.jsonl.gz`` (never copied into the repo),
writes each corpus as a JSONL folder in a temporary directory, runs the real pipeline
(``topics.pipeline.run_pipeline`` + ``topics.report.write_report_files``) in a fresh process
per configuration, and reports seconds per stage, peak RSS and the model metrics.
20 Newsgroups headers are stripped as scikit-learn's ``strip_newsgroup_header`` does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# TOPICS_CORPORA: where the shared corpora are when the checkout is not beside them.
CORPORA = Path(os.environ.get("TOPICS_CORPORA", REPO.parent / "shared" / "corpora"))
OUT = REPO / "bench" / "out"
NAMES = {"bbc": "bbc_news_fulltext", "20ng": "20newsgroups_bydate"}


def strip_header(text: str) -> str:
    text = text.replace("\r\n", "\n")
    _, blank, body = text.partition("\n\n")
    return body if blank else text


def export(corpus: str, folder: Path) -> int:
    """Write the corpus as one JSONL file (text, label) that topics ingests."""
    path = CORPORA / NAMES[corpus] / "docs.jsonl.gz"
    if not path.is_file():
        raise SystemExit(f"bench: {path} not found; set TOPICS_CORPORA to the shared corpora")
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    with (
        gzip.open(path, "rt", encoding="utf-8") as src,
        open(folder / "docs.jsonl", "w", encoding="utf-8") as dst,
    ):
        for line in src:
            row = json.loads(line)
            text = strip_header(row["text"]) if corpus == "20ng" else row["text"]
            dst.write(json.dumps({"text": text, "label": row["label"]}) + "\n")
            n += 1
    return n


def _run(folder: str, n_topics: str, seed: int, out: str, queue: Any) -> None:
    import os

    # A cold run: no embeddings cached by an earlier bench (numba's cache stays warm).
    os.environ["TOPICS_CACHE_DIR"] = str(Path(out).with_name(Path(out).name + "-cache"))
    from topics.pipeline import RunSettings, run_pipeline
    from topics.report import write_report_files

    n: int | str = n_topics if n_topics == "auto" else int(n_topics)
    settings = RunSettings(seed=seed, n_topics=n)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    result = run_pipeline(Path(folder), settings)
    t1 = time.perf_counter()
    write_report_files(result, Path(out), "bench")
    t2 = time.perf_counter()
    stages = dict(result.stage_seconds)
    stages["report"] = t2 - t1
    queue.put(
        {
            "documents": len(result.pre.tokens),
            "skipped": len(result.corpus.skipped) + len(result.pre.dropped),
            "vocab": len(result.pre.vocab),
            "tokens": sum(len(t) for t in result.pre.tokens),
            "n_topics": {name: m.n_topics for name, m in result.models.items()},
            "stages": stages,
            "total_s": t2 - t0,
            "metrics": {name: s.metrics for name, s in result.scores.items()},
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def run_one(folder: Path, n_topics: str, seed: int) -> dict[str, Any]:
    """One configuration in a fresh process (so peak RSS is its own)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    with tempfile.TemporaryDirectory() as out:
        proc = ctx.Process(target=_run, args=(str(folder), n_topics, seed, out, queue))
        proc.start()
        while True:
            try:
                result: dict[str, Any] = queue.get(timeout=5)
                break
            except Exception:  # queue.Empty: is the worker still alive?
                if not proc.is_alive():
                    raise SystemExit(f"bench: the run died (exit code {proc.exitcode})") from None
        proc.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", choices=sorted(NAMES), default=["bbc", "20ng"])
    parser.add_argument("--n-topics", nargs="+", default=["20"])
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for corpus in args.corpus:
            folder = Path(tmp) / corpus
            n_docs = export(corpus, folder)
            for n_topics in args.n_topics:
                print(f"running {corpus} n_topics={n_topics} ({n_docs:,} docs)…", file=sys.stderr)
                result = run_one(folder, n_topics, args.seed)
                rows.append({"corpus": corpus, "requested_topics": n_topics} | result)
    stages = ["ingest", "preprocess", "lda", "embed", "clusters", "map", "evaluate", "report"]
    print(
        f"{'corpus':<6} {'docs':>7} {'vocab':>7} "
        + " ".join(f"{s[:8]:>8}" for s in stages)
        + f" {'total':>7} {'RSS MB':>7}"
    )
    for r in rows:
        cells = " ".join(f"{r['stages'].get(s, 0.0):>8.1f}" for s in stages)
        print(
            f"{r['corpus']:<6} {r['documents']:>7,} {r['vocab']:>7,} {cells} "
            f"{r['total_s']:>7.1f} {r['peak_rss_mb']:>7.0f}"
        )
    print()
    print(
        f"{'corpus':<6} {'model':<9} {'K':>4} {'NPMI':>6} {'c_v':>6} {'TD':>6} "
        f"{'NMI':>6} {'outl':>5}"
    )
    for r in rows:
        for name, m in r["metrics"].items():
            k = f"{r['n_topics'][name]}" + ("*" if r["requested_topics"] == "auto" else "")
            print(
                f"{r['corpus']:<6} {name:<9} {k:>4} {m['npmi']:>6.3f} {m['c_v']:>6.3f} "
                f"{m['diversity']:>6.3f} {m.get('nmi', 0):>6.3f} {m.get('outlier_share', 0):>5.2f}"
            )
    print("(seconds per stage, one fresh process per corpus; * = chosen by --n-topics auto)")
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "pipeline.json"
    target.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
