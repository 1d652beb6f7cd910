"""The automatic topic count (``--n-topics auto``) on corpora with known themes.

Usage::

    nice -n 10 python bench/autok.py                       # every corpus
    nice -n 10 python bench/autok.py --corpus bbc sample   # some
    python bench/autok.py --tables                         # print what is stored

Each corpus goes through the product's default pipeline (``run_pipeline`` with default
settings, seed 0): both models choose their own count. Printed per corpus and model:
the chosen count, the label count and their ratio (target 0.5x-2x where labels are
topical), NPMI of the final topics' top 10 words on the whole corpus (target > 0 on
short texts), the seconds spent choosing the count and their share of the pipeline's
wall time ("of s"; target < 20% on BBC), and the counts tried. With both models on
"auto" LDA takes the cluster model's count; the row ``lda-only`` is the pipeline with
``--models lda``, where LDA takes the count of the cluster model's rule without that
model being fitted for the report (its own search chose 2-4 topics everywhere).
20 Newsgroups and the tweets are sampled (``--max-docs``, seeded) to fit this shared
2-core machine. ``sci_docs``, ``tool_docs`` and ``stdlib_docs`` are the held-out
docstring corpora of ``bench/corpora_offline.py`` (labels: subpackage or package,
not all topical).

Results go to ``bench/out/autok.json`` (one entry per corpus, replaced when rerun).
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
#: ``../shared/corpora`` beside the checkout (a worktree sits one level deeper).
CORPORA = next(
    (
        p
        for p in (REPO.parent / "shared" / "corpora", REPO.parents[1] / "shared" / "corpora")
        if p.is_dir()
    ),
    REPO.parent / "shared" / "corpora",
)
OUT = REPO / "bench" / "out" / "autok.json"
#: name -> (folder under ../shared/corpora or "sample_data", default max documents).
CORPUS = {
    "bbc": ("bbc_news_fulltext", 0),
    "20ng": ("20newsgroups_bydate", 4000),
    "sample": ("sample_data", 0),
    "tweets": ("trump_tweets_2009_2017", 5000),
    # Held-out docstring corpora built offline (``bench/corpora_offline.py``).
    "sci_docs": ("offline", 0),
    "tool_docs": ("offline", 0),
    "stdlib_docs": ("offline", 0),
}


def read_corpus(name: str, max_docs: int, seed: int = 0) -> Any:
    """The corpus as ingest would give it (a seeded sample when ``max_docs``)."""
    from topics.ingest import IngestSettings, read_folder
    from topics.types import Corpus, Document

    folder, _ = CORPUS[name]
    if folder == "sample_data":
        return read_folder(REPO / "sample_data", IngestSettings())
    path = CORPORA / folder / "docs.jsonl.gz"
    if folder == "offline":
        sys.path.insert(0, str(REPO / "bench"))
        from corpora_offline import build

        rows = build(name)
    elif not path.is_file():
        raise SystemExit(f"autok: {path} not found; the shared corpora live in ../shared/corpora")
    else:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh]
    if max_docs and len(rows) > max_docs:
        rows = random.Random(seed).sample(rows, max_docs)

    def text(r: dict[str, Any]) -> str:
        if name == "20ng":  # headers name the newsgroup: strip them as the peers did
            return str(r["text"]).replace("\r\n", "\n").partition("\n\n")[2]
        return str(r["text"])

    docs = [
        Document(path=str(r["id"]), text=text(r), title=str(r["id"]), label=r.get("label"))
        for r in rows
    ]
    return Corpus(root=str(path), documents=docs, skipped=[], n_files_seen=len(docs))


class Timed:
    """Wraps a module's function and adds up the seconds spent in it."""

    def __init__(self, module: Any, attr: str) -> None:
        self.module, self.attr = module, attr
        self.original: Callable[..., Any] = getattr(module, attr)
        self.seconds = 0.0

    def __enter__(self) -> Timed:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return self.original(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0

        setattr(self.module, self.attr, wrapped)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(self.module, self.attr, self.original)


def run_corpus(name: str, max_docs: int) -> dict[str, Any]:
    from topics.evaluate.scores import score_coherence
    from topics.models import clusters, lda
    from topics.pipeline import RunSettings, run_pipeline

    corpus = read_corpus(name, max_docs)
    with Timed(lda, "choose_n_topics") as lda_t, Timed(clusters, "choose_n_topics") as cl_t:
        result = run_pipeline(corpus, RunSettings())
    labels = {label for label in result.labels if label}
    out: dict[str, Any] = {
        "corpus": name,
        "n_docs": result.pre.n_documents,
        "sampled_from": max_docs or None,
        "n_labels": len(labels),
        "pipeline_s": round(result.duration_s, 1),
        "stage_s": {k: round(v, 1) for k, v in result.stage_seconds.items()},
        "models": {},
    }
    # LDA alone (``--models lda``): the count of the cluster model's rule, that model
    # not fitted for the report (its own search chose 2-4 topics everywhere).
    t0 = time.perf_counter()
    with Timed(lda, "choose_n_topics") as solo_t:
        alone = run_pipeline(corpus, RunSettings(models=("lda",)))
    solo = alone.models["lda"]
    solo_s = time.perf_counter() - t0
    solo_t.seconds += alone.stage_seconds.get("count", 0.0)
    fitted = dict(result.models) | {"lda-only": solo}
    for model_name, model in fitted.items():
        words = [w[:10] for w in model.topic_words]
        npmi = score_coherence(result.pre.tokens, words, top_n=10).npmi_mean
        seconds = {"lda": lda_t.seconds, "clusters": cl_t.seconds}.get(model_name, solo_t.seconds)
        total = solo_s if model_name == "lda-only" else result.duration_s
        curve = model.auto_curve or []
        out["models"][model_name] = {
            "n_topics": model.n_topics,
            "ratio": round(model.n_topics / len(labels), 2) if labels else None,
            "npmi": round(npmi, 4),
            "choose_s": round(seconds, 1),
            "choose_share": round(seconds / total, 3),
            "fit_s": round(total, 1),
            "tried": [int(p["n_topics"]) for p in curve],
            "curve": curve,
            "names": model.names,
        }
    return out


def print_table(results: dict[str, Any]) -> None:
    head = (
        f"{'corpus':8} {'docs':>6} {'labels':>6} {'model':9} {'K':>3} {'K/labels':>8} "
        f"{'NPMI':>7} {'choose s':>8} {'share':>6} {'of s':>6}  tried"
    )
    print(head)
    print("-" * len(head))
    for name, r in results.items():
        for model, m in r["models"].items():
            ratio = f"{m['ratio']:.2f}" if m["ratio"] is not None else "-"
            tried = ",".join(map(str, m["tried"])) or "-"
            print(
                f"{name:8} {r['n_docs']:6d} {r['n_labels'] or '-':>6} {model:9} "
                f"{m['n_topics']:3d} {ratio:>8} {m['npmi']:7.3f} {m['choose_s']:8.1f} "
                f"{m['choose_share']:6.1%} {m.get('fit_s', r['pipeline_s']):6.1f}  {tried}"
            )


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", nargs="+", choices=list(CORPUS), default=list(CORPUS))
    p.add_argument("--max-docs", type=int, help="sample size for every corpus (0: all)")
    p.add_argument("--tables", action="store_true", help="only print the stored results")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    stored: dict[str, Any] = (
        json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    )
    results = stored.setdefault("results", {})
    if not args.tables:
        for name in args.corpus:
            limit = args.max_docs if args.max_docs is not None else CORPUS[name][1]
            print(f"autok: {name} ...", file=sys.stderr, flush=True)
            results[name] = run_corpus(name, limit)
            stored["machine"] = {"python": platform.python_version(), "cpus": _cpus()}
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_text(json.dumps(stored, indent=1), encoding="utf-8")
    print_table(results)


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


if __name__ == "__main__":
    main()
