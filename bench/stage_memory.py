"""Memory and CPU of the stages between preprocessing and the report, each in a fresh process.

Usage::

    nice -n 10 python bench/stage_memory.py --pre PRE.pkl --fits FITS.pkl \\
        --docs 100000 --before OTHER_CHECKOUT [--stages embed lda evaluate review]

``--pre`` is a pickle of ``{"tokens", "vocab", "labels"}`` after default preprocessing;
``--fits`` one of ``{"models": name -> TopicModelResult, ...}`` from the default pipeline
on the same documents (``models`` are the review's and scoring's input). ``--docs``
keeps the first that many documents (the models' rows sliced alike).

Every stage runs alone in a new Python process whose ``PYTHONPATH`` is this checkout
(``after``) or ``--before`` (``before``): the process loads its inputs, collects garbage,
reads its resident set, resets the kernel's high-water mark (``/proc/self/clear_refs``),
runs the stage, and reports the high-water mark over that baseline (``peak MB``, what the
whole run's RSS rises by in this stage) and the CPU seconds of the stage
(``time.process_time``). With ``--tracemalloc`` a second process per stage and side
measures the peak of traced allocations (numpy's included), which slows pure-Python
parts. The stages' outputs are compared between the sides (largest differences, equal
topic words / rankings). Prints a table and writes ``bench/out/stage_memory.json``.

Stages: ``embed`` (LSA vectors, ``embed_documents``), ``lda`` (``fit_lda`` at the
clusters' count), ``evaluate`` (``score_model`` of every model), ``review``
(``review_documents``), ``counts`` (one ``count_matrix`` and its TF-IDF weights).
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "stage_memory.json"
STAGES = ("embed", "lda", "evaluate", "review", "counts")


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _load(pre_path: str, fits_path: str, n_docs: int) -> dict[str, Any]:
    with open(pre_path, "rb") as fh:
        pre = pickle.load(fh)
    with open(fits_path, "rb") as fh:
        fits = pickle.load(fh)
    n = min(n_docs, len(pre["tokens"]))
    models = {}
    for name, model in fits["models"].items():
        if n < len(pre["tokens"]):
            model.doc_topic = model.doc_topic[:n].copy()
            model.assignments = model.assignments[:n].copy()
        models[name] = model
    tokens = pre["tokens"][:n]
    vocab = pre["vocab"]
    if n < len(pre["tokens"]):
        # The vocabulary of these documents, as preprocessing would give it (in order).
        present = {t for doc in tokens for t in doc}
        vocab = [t for t in vocab if t in present]
    return {
        "tokens": tokens,
        "vocab": vocab,
        "labels": pre["labels"][:n],
        "models": models,
    }


def _vocab_of(function: Any, vocab: list[str]) -> dict[str, Any]:
    """``vocab=`` for a checkout whose stage takes the vocabulary (as the pipeline passes)."""
    import inspect

    return {"vocab": vocab} if "vocab" in inspect.signature(function).parameters else {}


def _run_stage(stage: str, data: dict[str, Any]) -> dict[str, Any]:
    """Run one stage; return what its result is compared by."""
    tokens, vocab, labels, models = data["tokens"], data["vocab"], data["labels"], data["models"]
    if stage == "embed":
        from topics.models.embed import EmbedSettings, embed_documents

        vectors = embed_documents(
            tokens, EmbedSettings(method="lsa"), seed=0, **_vocab_of(embed_documents, vocab)
        )
        return {"vectors": np.asarray(vectors)}
    if stage == "lda":
        from topics.models.lda import LdaSettings, fit_lda

        n_topics = models["clusters"].n_topics if "clusters" in models else 12
        result = fit_lda(tokens, vocab, LdaSettings(), n_topics=n_topics, seed=0)
        return {
            "topic_words": result.topic_words,
            "doc_topic": np.asarray(result.doc_topic),
            "topic_term": np.asarray(result.topic_term),
        }
    if stage == "evaluate":
        from topics.evaluate.scores import score_model

        scores = {name: score_model(m, tokens, labels) for name, m in models.items()}
        return {"metrics": {name: s.metrics for name, s in scores.items()}}
    if stage == "review":
        from topics.review.ranking import review_documents

        review = review_documents(
            tokens, labels, models, seed=0, **_vocab_of(review_documents, vocab)
        )
        return {
            "order": np.asarray(review.order),
            "score": np.asarray(review.score),
            "signals": {k: np.asarray(v) for k, v in review.signals.items()},
            "suggested": review.suggested_label,
            "reasons_hash": hashlib.sha256("\n".join(review.reasons).encode()).hexdigest(),
        }
    if stage == "counts":
        from topics.models.ctfidf import count_matrix, document_weights

        counts = count_matrix(tokens, vocab)
        weights = document_weights(counts)
        return {"nnz": counts.nnz, "sum": float(weights.sum())}
    raise SystemExit(f"stage_memory: unknown stage {stage!r}")


def child(args: argparse.Namespace) -> None:
    """Measure one stage in this process; write the measures and outputs to ``--out``."""
    data = _load(args.pre, args.fits, args.docs)
    # Import what the stage imports before the baseline: libraries are the run's baseline.
    import sklearn.decomposition  # noqa: F401

    import topics.evaluate.scores
    import topics.models.embed
    import topics.models.lda
    import topics.review.ranking  # noqa: F401

    # numba (LLVM) is loaded by the cluster model's UMAP before these stages in a run.
    from topics.models.estep import _kernel

    _kernel()

    gc.collect()
    base_kb = _status_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # resets VmHWM to the current resident set
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()
    cpu = time.process_time()
    output = _run_stage(args.stage, data)
    cpu = time.process_time() - cpu
    measures: dict[str, Any] = {
        "cpu_s": cpu,
        "base_mb": base_kb / 1024,
        "docs": len(data["tokens"]),
    }
    if args.tracemalloc:
        measures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    else:
        measures["peak_mb"] = (_status_kb("VmHWM") - base_kb) / 1024
    with open(args.out, "wb") as fh:
        pickle.dump({"measures": measures, "output": output}, fh)


def _spawn(repo: Path, stage: str, args: argparse.Namespace, trace: bool) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(suffix=".pkl", delete=False) as tmp:
        out = tmp.name
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--stage",
        stage,
        "--pre",
        args.pre,
        "--fits",
        args.fits,
        "--docs",
        str(args.docs),
        "--out",
        out,
    ] + (["--tracemalloc"] if trace else [])
    env = dict(os.environ, PYTHONPATH=str(repo))
    subprocess.run(command, env=env, check=True)
    with open(out, "rb") as fh:
        result: dict[str, Any] = pickle.load(fh)
    os.unlink(out)
    return result


def _max_diff(a: Any, b: Any) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def compare(stage: str, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """How far the two sides' outputs are apart (0 / True: identical)."""
    if stage == "embed":
        return {"vectors_max_diff": _max_diff(before["vectors"], after["vectors"])}
    if stage == "lda":
        return {
            "topic_words_equal": before["topic_words"] == after["topic_words"],
            "doc_topic_max_diff": _max_diff(before["doc_topic"], after["doc_topic"]),
            "topic_term_max_diff": _max_diff(before["topic_term"], after["topic_term"]),
        }
    if stage == "evaluate":
        diffs = [
            abs(before["metrics"][m][k] - after["metrics"][m][k])
            for m in before["metrics"]
            for k in before["metrics"][m]
        ]
        return {"metrics_max_diff": max(diffs) if diffs else 0.0}
    if stage == "review":
        return {
            "order_equal": bool(np.array_equal(before["order"], after["order"])),
            "score_max_diff": _max_diff(before["score"], after["score"]),
            "signals_max_diff": max(
                _max_diff(before["signals"][k], after["signals"][k]) for k in before["signals"]
            ),
            "suggested_equal": before["suggested"] == after["suggested"],
            "reasons_equal": before["reasons_hash"] == after["reasons_hash"],
        }
    return {"equal": before == after}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pre", required=True)
    parser.add_argument("--fits", required=True)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--stages", nargs="+", default=list(STAGES[:4]), choices=STAGES)
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--json", type=Path, default=OUT)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return

    sides = [("after", REPO)] + ([("before", args.before.resolve())] if args.before else [])
    rows = []
    for stage in args.stages:
        runs = {}
        for side, repo in sides:
            run = _spawn(repo, stage, args, trace=False)
            if args.tracemalloc:
                traced = _spawn(repo, stage, args, trace=True)
                run["measures"]["traced_peak_mb"] = traced["measures"]["traced_peak_mb"]
            runs[side] = run
        row: dict[str, Any] = {"stage": stage, "docs": runs["after"]["measures"]["docs"]}
        for side, run in runs.items():
            row[side] = run["measures"]
        if "before" in runs:
            row["same_result"] = compare(stage, runs["before"]["output"], runs["after"]["output"])
        rows.append(row)
        _print_row(row)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(rows, indent=2, default=float) + "\n")
    print(f"wrote {args.json}")


def _print_row(row: dict[str, Any]) -> None:
    def cell(side: str, key: str) -> str:
        value = row.get(side, {}).get(key)
        return "-" if value is None else f"{value:.1f}"

    print(
        f"{row['stage']:<9} {row['docs']:>7,} docs | CPU s before {cell('before', 'cpu_s'):>7} "
        f"after {cell('after', 'cpu_s'):>7} | peak MB before {cell('before', 'peak_mb'):>7} "
        f"after {cell('after', 'peak_mb'):>7} | traced MB before "
        f"{cell('before', 'traced_peak_mb'):>7} after {cell('after', 'traced_peak_mb'):>7}"
        + (f" | {row['same_result']}" if "same_result" in row else ""),
        flush=True,
    )


if __name__ == "__main__":
    main()
