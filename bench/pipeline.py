"""Time every pipeline stage on the shared corpora; print a table and write JSON.

Usage::

    python bench/pipeline.py                      # BBC and 20 Newsgroups
    python bench/pipeline.py --corpus bbc --n-topics 20 auto

Reads ``../shared/corpora/<corpus>/docs.jsonl.gz`` (never copied into the repo),
writes each corpus as a JSONL folder in a temporary directory, runs the real pipeline
(``topics.pipeline.run_pipeline`` + ``topics.report.write_report``) in a fresh process
per configuration, and reports seconds per stage, peak RSS and the model metrics.
20 Newsgroups headers are stripped as scikit-learn's ``strip_newsgroup_header`` does.
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
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
        raise SystemExit(f"bench: {path} not found; the shared corpora live in ../shared/corpora")
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
    from topics.lda import LdaSettings
    from topics.pipeline import RunSettings, run_pipeline
    from topics.report import write_report

    n: int | str = n_topics if n_topics == "auto" else int(n_topics)
    settings = RunSettings(seed=seed, lda=LdaSettings(n_topics=n, seed=seed))  # type: ignore[arg-type]
    t0 = time.perf_counter()
    result = run_pipeline(Path(folder), settings)
    t1 = time.perf_counter()
    write_report(result, Path(out), "bench")
    t2 = time.perf_counter()
    stages = dict(result.stage_seconds)
    stages["report"] = t2 - t1
    queue.put(
        {
            "documents": len(result.pre.tokens),
            "skipped": len(result.corpus.skipped) + len(result.pre.dropped),
            "vocab": len(result.pre.vocab),
            "tokens": sum(len(t) for t in result.pre.tokens),
            "n_topics": result.models["lda"].n_topics,
            "stages": stages,
            "total_s": t2 - t0,
            "metrics": result.scores["lda"].metrics,
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
        result: dict[str, Any] = queue.get()
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
    header = (
        f"{'corpus':<6} {'K':>5} {'docs':>7} {'vocab':>7} {'ingest':>7} {'prep':>7} "
        f"{'lda':>7} {'eval':>6} {'report':>7} {'total':>7} {'RSS MB':>7} "
        f"{'NPMI':>6} {'c_v':>6} {'TD':>6} {'NMI':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        s, m = r["stages"], r["metrics"]
        k = f"{r['n_topics']}" + ("*" if r["requested_topics"] == "auto" else "")
        print(
            f"{r['corpus']:<6} {k:>5} {r['documents']:>7,} {r['vocab']:>7,} "
            f"{s['ingest']:>7.1f} {s['preprocess']:>7.1f} {s['lda']:>7.1f} {s['evaluate']:>6.1f} "
            f"{s['report']:>7.1f} {r['total_s']:>7.1f} {r['peak_rss_mb']:>7.0f} "
            f"{m['npmi']:>6.3f} {m['c_v']:>6.3f} {m['diversity']:>6.3f} {m.get('nmi', 0):>6.3f}"
        )
    print("(* = chosen by --n-topics auto; seconds per stage; metrics on the run's own tokens)")
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / "pipeline.json"
    target.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
