"""Peak memory of the cluster model's stages: neighbour graph, clustering, document map.

Usage::

    nice -n 10 python bench/cluster_memory.py --pre PRE.pkl --label after
    PYTHONPATH=OLD_TREE nice -n 10 python bench/cluster_memory.py --pre PRE.pkl --label before

Runs what the pipeline's clustering and map stages run (``projection.shared_graph``,
``clusters.fit_clusters`` with the default ``auto`` count, ``projection.project_2d``) on
LSA embeddings of the corpus in ``--pre`` (a pickle of ``tokens``, ``vocab``, ``labels``),
and reports each stage's CPU seconds and its peak resident memory above the memory at its
start (``/proc/self/status``'s VmRSS sampled every 20 ms). ``PYTHONPATH`` chooses the
code measured (``OLD_TREE``: e.g. ``git archive COMMIT topics | tar -x -C OLD_TREE``); the
row records which. Appends a row to ``bench/out/cluster_memory.json`` with the stages'
outputs' digests, so two trees' outputs can be checked to be identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "cluster_memory.json"


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return float("nan")


class _Peak:
    """The largest VmRSS seen since ``reset``, sampled by a daemon thread."""

    def __init__(self) -> None:
        self.value = _rss_mb()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while True:
            self.value = max(self.value, _rss_mb())
            time.sleep(0.02)

    def reset(self) -> float:
        time.sleep(0.1)
        self.value = _rss_mb()
        return self.value


def _digest(array: Any) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pre", type=Path, required=True, help="pickle of tokens, vocab")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--label", default="current", help="name of the row")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to append to")
    args = parser.parse_args(argv)

    import topics
    from topics.models import clusters, projection
    from topics.models.embed import EmbedSettings, embed_documents, resolve_method

    with open(args.pre, "rb") as fh:
        pre = pickle.load(fh)
    tokens, vocab = pre["tokens"], pre["vocab"]
    embeddings = embed_documents(tokens, resolve_method(tokens, EmbedSettings()), seed=args.seed)
    peak = _Peak()
    stages: dict[str, dict[str, float]] = {}
    outputs: dict[str, Any] = {}

    def stage(name: str, run: Any) -> Any:
        start = peak.reset()
        t0 = time.process_time()
        result = run()
        cpu = time.process_time() - t0
        time.sleep(0.1)
        stages[name] = {
            "start_mb": round(start),
            "peak_above_mb": round(peak.value - start),
            "cpu_s": round(cpu, 1),
        }
        return result

    seed = args.seed
    graph = stage("graph", lambda: projection.shared_graph(embeddings, seed=seed))
    model = stage(
        "clusters",
        lambda: clusters.fit_clusters(
            tokens, vocab, embeddings, n_topics="auto", seed=seed, graph=graph
        ),
    )
    coords = stage("map", lambda: projection.project_2d(embeddings, seed=seed, graph=graph))
    outputs = {
        "assignments": _digest(model.assignments),
        "doc_topic": _digest(model.doc_topic),
        "coords": _digest(coords),
    }
    row = {
        "label": args.label,
        "code": str(Path(topics.__file__).parent),
        "n_docs": len(tokens),
        "seed": seed,
        "stages": stages,
        "digests": outputs,
    }
    rows = json.loads(args.out.read_text())["rows"] if args.out.is_file() else []
    rows.append(row)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"{'label':>8} {'docs':>7} {'stage':>8} {'start MB':>8} {'peak+ MB':>8} {'CPU s':>6}")
    for r in rows:
        for name, s in r["stages"].items():
            print(
                f"{r['label']:>8} {r['n_docs']:>7,} {name:>8} {s['start_mb']:>8} "
                f"{s['peak_above_mb']:>8} {s['cpu_s']:>6.1f}"
            )
    for r in rows:
        print(r["label"], " ".join(f"{k}={v}" for k, v in r["digests"].items()))
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
