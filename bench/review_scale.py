"""The review stage at scale: CPU seconds per part, side by side with another checkout.

Usage::

    nice -n 10 python bench/review_scale.py --fits FITS.pkl --folder CORPUS \\
        --reference OTHER/topics/review/ranking.py --rates 0 0.03 --seeds 0 1

``--fits`` is a pickle of the default pipeline's output on a corpus: a dict with
``models`` (name -> ``TopicModelResult``), ``tokens`` and ``labels`` (the modelled
documents', in model order). With ``--folder`` (a corpus folder, e.g. the 100k corpus
``bench/scale.py --keep DIR`` leaves) and no such file, the pipeline runs on the folder
and the pickle is written first.

For each noise rate and seed (rate 0: the corpus's own labels; otherwise that share of
documents is moved to a random other label, as ``bench/review.py`` does), the review
stage runs twice on the same fits and labels: this checkout's
``topics.review.ranking.review_documents`` and, with ``--reference``, the one in another
checkout's ``ranking.py``. Each is timed in CPU seconds (``time.process_time``: other
jobs on the machine do not count), whole and by part (TF-IDF, label suspicion,
near-duplicates; parts are timed in a second call of the module's own functions).
The outputs are compared: near-duplicate signals and twins (must be identical), label
suspicion (largest difference), and, with planted labels, average precision and
precision@k of both rankings at finding them. Writes ``bench/out/review_scale.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import pickle
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "review_scale.json"
sys.path.insert(0, str(REPO / "bench"))

from review import metrics, plant  # noqa: E402


def load_module(path: Path, name: str) -> Any:
    """A ranking module from a file, under its own name (so two versions can coexist)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"review_scale: cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def load_fits(path: Path, folder: Path | None) -> dict[str, Any]:
    if not path.is_file():
        if folder is None:
            raise SystemExit(f"review_scale: {path} not found; pass --folder to build it")
        from topics.pipeline import RunSettings, run_pipeline

        run = run_pipeline(str(folder), RunSettings())
        fits = {"models": run.models, "tokens": run.pre.tokens, "labels": run.labels}
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as fh:
            pickle.dump(fits, fh, protocol=5)
    with open(path, "rb") as fh:
        data: dict[str, Any] = pickle.load(fh)
    return data


def _twin(reason: str) -> str:
    found = re.search(
        r"near-duplicate \(\d+% similar\) of document \d+( filed under [^;]*)?", reason
    )
    return found.group(0) if found else ""


def time_parts(module: Any, tokens: Any, labels: list[str | None], models: Any) -> dict[str, float]:
    """CPU seconds of the review's costly parts, called as ``review_documents`` calls them."""
    out = {}
    t = time.process_time()
    tfidf = module._tfidf(tokens)
    out["tfidf"] = time.process_time() - t
    clean = [label if label else None for label in labels]
    mixtures = np.hstack([m.doc_topic for m in models.values()])
    t = time.process_time()
    module._label_suspicion(tfidf, clean, mixtures, seed=0, notes=[])
    out["label_suspicion"] = time.process_time() - t
    blocks = next((models[m].assignments for m in ("clusters", "lda") if m in models), None)
    t = time.process_time()
    module._near_duplicates(tfidf, clean, blocks)
    out["near_duplicates"] = time.process_time() - t
    return out


def run_setting(
    fits: dict[str, Any], rate: float, seed: int, modules: dict[str, Any], parts: bool
) -> dict[str, Any]:
    tokens, models = fits["tokens"], fits["models"]
    labels: list[str | None] = list(fits["labels"])
    planted: set[int] = set()
    if rate > 0:
        kept = [i for i, label in enumerate(labels) if label]
        noisy, moved = plant([str(labels[i]) for i in kept], rate, seed)
        for i, label in zip(kept, noisy, strict=True):
            labels[i] = label
        planted = {kept[j] for j in moved}
    record: dict[str, Any] = {"rate": rate, "seed": seed, "n_docs": len(tokens)}
    reviews = {}
    for who, module in modules.items():
        t = time.process_time()
        reviews[who] = module.review_documents(tokens, labels, models, seed=0)
        seconds = {"total": time.process_time() - t}
        if parts:
            seconds |= time_parts(module, tokens, labels, models)
        record[who] = {"cpu_s": {k: round(v, 2) for k, v in seconds.items()}}
        if planted:
            record[who] |= metrics([int(i) for i in reviews[who].order], planted)
        print(f"  {who}: {record[who]}", file=sys.stderr, flush=True)
    if "reference" in reviews:
        ours, theirs = reviews["this"], reviews["reference"]
        # The twin a reason names ("near-duplicate (95% similar) of document 12 filed
        # under x"); the rest of a reason may differ with the label probabilities.
        record["same_near_duplicates"] = bool(
            np.array_equal(ours.signals["near_duplicate"], theirs.signals["near_duplicate"])
            and list(map(_twin, ours.reasons)) == list(map(_twin, theirs.reasons))
        )
        record["n_near_duplicates"] = int(np.count_nonzero(ours.signals["near_duplicate"]))
        record["label_suspicion_max_diff"] = float(
            np.abs(ours.signals["label_suspicion"] - theirs.signals["label_suspicion"]).max()
        )
        k = max(len(planted), 100)
        record["top_k_overlap"] = len(set(ours.order[:k]) & set(theirs.order[:k])) / k
        record["same_order"] = bool(np.array_equal(ours.order, theirs.order))
    return record


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--fits", type=Path, required=True, help="pickle of the fits (see above)")
    p.add_argument("--folder", type=Path, default=None, help="build --fits from this folder")
    p.add_argument("--reference", type=Path, default=None, help="another ranking.py")
    p.add_argument("--rates", type=float, nargs="+", default=[0.0, 0.03])
    p.add_argument("--seeds", type=int, nargs="+", default=[0])
    p.add_argument("--no-parts", action="store_true", help="time the whole stage only")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    from topics.review import ranking

    fits = load_fits(args.fits, args.folder)
    _warm_up()
    modules = {"this": ranking}
    if args.reference is not None:
        modules["reference"] = load_module(args.reference, "reference_ranking")
    records = []
    for seed in args.seeds:
        for rate in args.rates:
            if rate == 0 and seed != args.seeds[0]:
                continue  # the corpus's own labels do not depend on the seed
            print(f"rate {rate:.0%} seed {seed}", file=sys.stderr, flush=True)
            records.append(run_setting(fits, rate, seed, modules, not args.no_parts))
            _write(args.out, args, records)
    print(_table(records))
    print(f"\nwrote {args.out}")


def _warm_up() -> None:
    """Import what the stage imports lazily, so the first module timed does not pay it."""
    import cleanlab.filter
    import cleanlab.rank  # noqa: F401
    import sklearn.feature_extraction.text
    import sklearn.linear_model
    import sklearn.model_selection
    import sklearn.naive_bayes
    import sklearn.neighbors
    import sklearn.preprocessing  # noqa: F401
    import threadpoolctl  # noqa: F401


def _write(out: Path, args: argparse.Namespace, records: list[dict[str, Any]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"argv": sys.argv[1:], "fits": str(args.fits), "runs": records}
    out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def _table(records: list[dict[str, Any]]) -> str:
    parts = ("total", "tfidf", "label_suspicion", "near_duplicates")
    head = f"{'rate':>5} {'seed':>4} {'who':9} | " + " ".join(f"{p[:15]:>15}" for p in parts)
    head += f" | {'P@k':>6} {'AP':>6}"
    lines = [head, "-" * len(head)]
    for r in records:
        for who in ("this", "reference"):
            if who not in r:
                continue
            cpu = r[who]["cpu_s"]
            cells = " ".join(f"{cpu[p]:>15.2f}" if p in cpu else f"{'':>15}" for p in parts)
            quality = (
                f"{r[who]['p_at_k']:>6.3f} {r[who]['ap']:>6.3f}" if "ap" in r[who] else f"{'':>13}"
            )
            lines.append(f"{r['rate']:>5.0%} {r['seed']:>4} {who:9} | {cells} | {quality}")
        if "reference" in r:
            lines.append(
                f"{'':>5} {'':>4} {'compare':9} | near-duplicates identical: "
                f"{r['same_near_duplicates']} ({r['n_near_duplicates']}), label suspicion max diff "
                f"{r['label_suspicion_max_diff']:.2e}, top-k overlap {r['top_k_overlap']:.3f}, "
                f"same order: {r['same_order']}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
