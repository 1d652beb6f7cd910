"""Does the review list find mislabeled documents? Planted label noise vs cleanlab's recipe.

Usage::

    nice -n 10 python bench/review.py                    # BBC, all of 20NG; 3%, 10%; seeds 0-2
    nice -n 10 python bench/review.py --quick            # one seed (0), one rate (3%)
    nice -n 10 python bench/review.py --corpus bbc --rates 0.03 0.1 --seeds 0 1 2
    nice -n 10 python bench/review.py --max-docs 3000    # sample larger corpora (faster)

For each corpus (``../shared/corpora``, never copied into the repo; whole by default,
or sampled down to ``--max-docs`` documents with a fixed seed), and each noise rate and
seed, a fixed share of documents is moved to a random other label. The noisy corpus is
written as a JSONL file with a ``label`` field to a temporary folder and run through
the product's default pipeline (``topics.pipeline.run_pipeline`` with default settings:
``--n-topics auto`` unless ``--n-topics`` says otherwise); the ranking is read from the
rows ``review.csv`` is written from. Records are written to the JSON file as they finish.

The models never read labels, so only the first noise setting of a corpus runs the
whole pipeline; later settings rerun the pipeline's review stage
(``topics.review.ranking.review_documents``) on the same fits with their own labels (the first
setting checks that this reproduces the pipeline's ranking exactly). ``--full`` reruns
the whole pipeline for every setting instead.

The baseline, run on the same modelled documents and noisy labels in the same
invocation, is cleanlab's standard recipe on the raw text: TF-IDF (sublinear,
``min_df=2``, English stopwords) -> ``LogisticRegression(C=5, max_iter=2000)`` ->
``cross_val_predict(cv=5, method="predict_proba")`` -> self-confidence, lowest first.

``--reference PATH`` also ranks every setting with the ``review_documents`` of another
checkout's ``topics/review/ranking.py`` (say ``../other/topics/review/ranking.py``) on
the same fits and labels, so a change to the ranking is measured side by side with what
it replaces.

Reports precision@k (k = number planted among modelled documents), recall@2k and
average precision; writes ``bench/out/review.json``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Literal

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("TOPICS_CORPORA", "/work/shared/corpora"))
OUT = REPO / "bench" / "out" / "review.json"
CORPUS_DIRS = {"bbc": "bbc_news_fulltext", "20ng": "20newsgroups_bydate"}


def load(corpus: str, max_docs: int) -> list[dict[str, Any]]:
    """The corpus's labelled documents, sampled to ``max_docs`` with a fixed seed."""
    path = CORPORA / CORPUS_DIRS[corpus] / "docs.jsonl.gz"
    if not path.is_file():
        raise SystemExit(f"review bench: {path} not found; set TOPICS_CORPORA to the corpora")
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [r for r in map(json.loads, fh) if r.get("label")]
    if 0 < max_docs < len(rows):
        keep = np.sort(np.random.default_rng(12345).choice(len(rows), max_docs, replace=False))
        rows = [rows[i] for i in keep]
    return rows


def plant(labels: list[str], rate: float, seed: int) -> tuple[list[str], set[int]]:
    """Move ``rate`` of the documents to a random other label; return labels and moved rows."""
    rng = np.random.default_rng(seed)
    names = sorted(set(labels))
    moved = rng.choice(len(labels), round(rate * len(labels)), replace=False)
    noisy = list(labels)
    for i in moved:
        others = [n for n in names if n != noisy[i]]
        noisy[i] = others[int(rng.integers(len(others)))]
    return noisy, {int(i) for i in moved}


def write_jsonl(folder: Path, rows: list[dict[str, Any]], labels: list[str]) -> Path:
    path = folder / "docs.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for row, label in zip(rows, labels, strict=True):
            fh.write(json.dumps({"text": row["text"], "label": label}) + "\n")
    return path


def line_of(path: str) -> int:
    """Row of the input file a document came from (ingest names it ``file#line=N``)."""
    return int(path.rsplit("#line=", 1)[1]) - 1


def metrics(ranking: list[int], planted: set[int]) -> dict[str, float]:
    """precision@k, recall@2k and average precision of a best-first ranking of rows."""
    k = len(planted)
    hits = np.array([r in planted for r in ranking], dtype=bool)
    if k == 0:
        return {"p_at_k": float("nan"), "r_at_2k": float("nan"), "ap": float("nan")}
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return {
        "p_at_k": float(hits[:k].mean()),
        "r_at_2k": float(hits[: 2 * k].sum() / k),
        "ap": float(precision_at[hits].sum() / k),
    }


def baseline_ranking(texts: list[str], labels: list[str]) -> list[int]:
    """cleanlab's recipe on raw text: row indices, most suspicious first."""
    from cleanlab.rank import get_label_quality_scores
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict
    from threadpoolctl import threadpool_limits

    names = sorted(set(labels))
    y = np.array([names.index(label) for label in labels])
    x = TfidfVectorizer(sublinear_tf=True, min_df=2, stop_words="english").fit_transform(texts)
    with threadpool_limits(1):  # same result, far faster on a shared machine
        probs = cross_val_predict(
            LogisticRegression(C=5, max_iter=2000), x, y, cv=5, method="predict_proba"
        )
    quality = get_label_quality_scores(y, probs, method="self_confidence")
    return [int(i) for i in np.lexsort((np.arange(len(y)), quality))]


def load_reference(path: Path) -> Any:
    """Another checkout's ranking module, loaded from its file under its own name."""
    spec = importlib.util.spec_from_file_location("reference_ranking", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"review bench: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def review_ranking(run: Any, rows_of_docs: list[int]) -> list[int]:
    """Rows of the input file in ``review.csv`` order (built exactly as the writer does)."""
    from topics.report.data import build_report_data, review_rows

    data = build_report_data(run, run_id="bench")
    header, row_iter = review_rows(data)
    rows = list(row_iter)
    ids = [int(r[header.index("id")]) for r in rows]
    ranks = [int(r[header.index("rank")]) for r in rows]
    assert ranks == list(range(1, len(rows) + 1)), "review.csv ranks are not 1..n"
    return [rows_of_docs[i] for i in ids]


def run_one(
    corpus: str,
    rows: list[dict[str, Any]],
    rate: float,
    seed: int,
    n_topics: int | Literal["auto"],
    fitted: Any | None,
    full: bool,
    reference: Any | None = None,
    baseline: bool = True,
) -> tuple[dict[str, Any], Any]:
    from dataclasses import replace

    from topics.pipeline import RunSettings, run_pipeline
    from topics.review.ranking import review_documents

    true = [str(r["label"]) for r in rows]
    noisy, moved = plant(true, rate, seed)
    reference_record: dict[str, Any] = {}
    settings = RunSettings(seed=0, n_topics=n_topics)
    t0 = time.perf_counter()
    if fitted is None or full:
        with tempfile.TemporaryDirectory() as tmp:
            write_jsonl(Path(tmp), rows, noisy)
            run = run_pipeline(tmp, settings)
        doc_rows = [line_of(run.corpus.documents[i].path) for i in run.pre.doc_index]
        again = review_documents(
            run.pre.tokens, run.labels, run.models, seed=run.settings.seed
        ).order
        assert run.review is not None and np.array_equal(again, run.review.order), (
            "the review stage alone does not reproduce the pipeline's ranking"
        )
        review_s = run.stage_seconds["review"]
    else:
        run = fitted
        doc_rows = [line_of(run.corpus.documents[i].path) for i in run.pre.doc_index]
        labels = [noisy[r] for r in doc_rows]
        t1, c1 = time.perf_counter(), time.process_time()
        review = review_documents(run.pre.tokens, labels, run.models, seed=run.settings.seed)
        review_s = time.perf_counter() - t1
        reference_record = {"review_cpu_s": round(time.process_time() - c1, 2)}
        docs = [replace(d) for d in run.corpus.documents]
        for i, r in zip(run.pre.doc_index, doc_rows, strict=True):
            docs[i] = replace(docs[i], label=noisy[r])
        run = replace(run, corpus=replace(run.corpus, documents=docs), review=review)
    pipeline_s = time.perf_counter() - t0
    if reference is not None:
        t1 = time.process_time()
        theirs = reference.review_documents(
            run.pre.tokens, run.labels, run.models, seed=run.settings.seed
        )
        reference_record["reference_review_cpu_s"] = round(time.process_time() - t1, 2)
        ranked = review_ranking(replace(run, review=theirs), doc_rows)
    # Judge both on the documents the product modelled (exact duplicates and empty
    # documents are dropped before modelling).
    planted = {r for r in doc_rows if r in moved}
    ours = review_ranking(run, doc_rows)
    if baseline:
        t0 = time.perf_counter()
        texts = [rows[r]["text"] for r in doc_rows]
        base = baseline_ranking(texts, [noisy[r] for r in doc_rows])
        reference_record["baseline"] = metrics([doc_rows[i] for i in base], planted)
        reference_record["baseline_s"] = round(time.perf_counter() - t0, 1)
    if reference is not None:
        reference_record["reference"] = metrics(ranked, {r for r in doc_rows if r in moved})
    record = {
        "corpus": corpus,
        "rate": rate,
        "seed": seed,
        "n_docs": len(doc_rows),
        "k": len(planted),
        "review": metrics(ours, planted),
        "seconds": {
            "pipeline_or_review": round(pipeline_s, 1),
            "review_stage": round(review_s, 2),
            "baseline": reference_record.pop("baseline_s", None),
        },
        "n_topics": n_topics,
        "chosen_n_topics": {name: m.n_topics for name, m in run.models.items()},
        **reference_record,
    }
    return record, run


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--corpus", choices=[*CORPUS_DIRS, "all"], default="all")
    p.add_argument("--rates", type=float, nargs="+", default=[0.03, 0.10])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--quick", action="store_true", help="one seed (0) and one rate (3%%)")
    p.add_argument("--max-docs", type=int, default=0, help="sample larger corpora to this (0: all)")
    p.add_argument(
        "--n-topics", default="auto", help="both models' topic count, or 'auto' (the default)"
    )
    p.add_argument("--full", action="store_true", help="rerun the whole pipeline per setting")
    p.add_argument(
        "--reference",
        type=Path,
        default=None,
        help="another checkout's topics/review/ranking.py, ranked side by side",
    )
    p.add_argument(
        "--no-baseline", action="store_true", help="skip cleanlab's recipe (slow on 20NG)"
    )
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    if args.quick:
        args.rates, args.seeds = [0.03], [0]
    n_topics: int | Literal["auto"] = "auto" if args.n_topics == "auto" else int(args.n_topics)
    corpora = list(CORPUS_DIRS) if args.corpus == "all" else [args.corpus]
    reference = None if args.reference is None else load_reference(args.reference)

    records = []
    for corpus in corpora:
        rows = load(corpus, args.max_docs)
        fitted = None
        # Seeds outermost: a grid stopped early still covers every rate.
        for seed in args.seeds:
            for rate in args.rates:
                record, run = run_one(
                    corpus,
                    rows,
                    rate,
                    seed,
                    n_topics,
                    fitted,
                    args.full,
                    reference,
                    baseline=not args.no_baseline,
                )
                fitted = fitted or run
                records.append(record)
                print(_line(record), file=sys.stderr, flush=True)
                _write(args.out, records)

    print(_table(records, _summary(records)))
    _write(args.out, records)
    print(f"\nwrote {args.out}")


def _write(out: Path, records: list[dict[str, Any]]) -> None:
    """Write what has finished so far (a long grid can be stopped and still read)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"runs": records, "summary": _summary(records), "argv": sys.argv[1:]}
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def _line(r: dict[str, Any]) -> str:
    return (
        f"{r['corpus']} rate {r['rate']:.0%} seed {r['seed']}: k={r['k']} "
        f"review AP {r['review']['ap']:.3f} vs baseline "
        f"{r['baseline']['ap'] if 'baseline' in r else float('nan'):.3f}"
        + (f" vs reference {r['reference']['ap']:.3f}" if "reference" in r else "")
        + " "
        f"({r['seconds']})"
    )


def _summary(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for key in sorted({(r["corpus"], r["rate"]) for r in records}):
        group = [r for r in records if (r["corpus"], r["rate"]) == key]
        row: dict[str, Any] = {"corpus": key[0], "rate": key[1], "seeds": len(group)}
        row["n_docs"] = group[0]["n_docs"]
        row["chosen_n_topics"] = group[0].get("chosen_n_topics")
        for who in ("review", "baseline", "reference"):
            if who not in group[0]:
                continue
            for m in ("p_at_k", "r_at_2k", "ap"):
                row[f"{who}_{m}"] = round(statistics.fmean(r[who][m] for r in group), 3)
        row["review_stage_s"] = round(
            statistics.fmean(r["seconds"]["review_stage"] for r in group), 2
        )
        if "baseline" in group[0]:
            row["baseline_s"] = round(statistics.fmean(r["seconds"]["baseline"] for r in group), 1)
        out.append(row)
    return out


def _table(records: list[dict[str, Any]], summary: list[dict[str, Any]]) -> str:
    head = (
        f"{'corpus':6} {'rate':>5} {'seeds':>5} | {'review P@k':>10} {'R@2k':>6} {'AP':>6} | "
        f"{'cleanlab P@k':>12} {'R@2k':>6} {'AP':>6} | {'review s':>8} {'base s':>7}"
    )
    lines = [head, "-" * len(head)]
    for s in summary:
        lines.append(
            f"{s['corpus']:6} {s['rate']:>5.0%} {s['seeds']:>5} | {s['review_p_at_k']:>10.3f} "
            f"{s['review_r_at_2k']:>6.3f} {s['review_ap']:>6.3f} | "
            f"{s.get('baseline_p_at_k', float('nan')):>12.3f} "
            f"{s.get('baseline_r_at_2k', float('nan')):>6.3f} "
            f"{s.get('baseline_ap', float('nan')):>6.3f} | "
            f"{s['review_stage_s']:>8.2f} {s.get('baseline_s', float('nan')):>7.1f}"
        )
    if any("reference_ap" in s for s in summary):
        lines += ["", "side by side with --reference (same fits, same labels):"]
        lines.append(
            f"{'corpus':6} {'rate':>5} {'seeds':>5} | {'P@k':>6} {'AP':>6} | "
            f"{'ref P@k':>7} {'ref AP':>6}"
        )
        for s in summary:
            lines.append(
                f"{s['corpus']:6} {s['rate']:>5.0%} {s['seeds']:>5} | {s['review_p_at_k']:>6.3f} "
                f"{s['review_ap']:>6.3f} | {s['reference_p_at_k']:>7.3f} {s['reference_ap']:>6.3f}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
