"""Outliers and topic quality of the cluster model's sample path as the corpus grows.

Usage::

    nice -n 10 python bench/cluster_scale.py --pre PRE.pkl --seeds 0 1 2
    nice -n 10 python bench/cluster_scale.py --sizes 300000 --samples 20000 6000 --seeds 0

Above ``topics.models.projection.FIT_SAMPLE`` (20,000) documents HDBSCAN clusters a
seeded sample of 20,000 documents in its 5-D UMAP and every other document takes the
label most of its 15 nearest sampled documents carry, outliers' -1 included
(``clusters._sample_hdbscan_labels``). The sample is a random draw of the same kind of
documents whatever the corpus size, so only HDBSCAN's ``min_cluster_size`` on it can
make the result depend on the size. Configurations (``--configs``):

- ``landed``: the size before this bench, the corpus's default
  (``default_min_cluster_size(n_docs)``, ``sqrt(n) / 3`` capped at 100) scaled by the
  sample's share of the corpus: 21 at 94,851 documents, 2 at 1M;
- ``landed-1M``: ``landed`` as a 1M-document corpus scales it (``--as-if``): the sample
  and the rest are drawn from the same documents as at 1M, so this is what a 1M corpus
  of this kind gets, at the cost of a 100k run;
- ``product``: the sample's own default (``clusters.sample_min_cluster_size``), the
  same at every corpus size.

``--samples`` also shrinks the sample (6,000 of 300,000 is the 2% a 1M corpus samples).
Each row runs the cluster model with the default ``auto`` count (``fit_clusters``) on
LSA embeddings seeded with the run's seed, and reports the sample's ``min_cluster_size``,
HDBSCAN's cluster count, the topic count, the outlier share (of all documents, of the
sample, of the rest), NMI of the topics against the documents' labels, mean NPMI and
diversity of the topics (top 10 words, ``topics.evaluate.scores``) and the CPU seconds
of ``fit_clusters`` (the neighbour graph, shared by the configurations, is not counted).

Corpora are built like ``bench/scale.py``'s (real text from ``../shared/corpora``) and
preprocessed with the default settings (``bench/umap_sample.py``'s cache), or read from
``--pre`` (a pickle of ``tokens``, ``vocab``, ``labels``). Writes
``bench/out/cluster_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
OUT = REPO / "bench" / "out" / "cluster_scale.json"
from topics.models import clusters, projection  # noqa: E402

CONFIGS = ("landed", "landed-1M", "product")
PRODUCT_SIZE = clusters.sample_min_cluster_size


def _landed_size(as_if: int | None) -> Any:
    """The landed ``min_cluster_size`` rule, for a corpus of ``as_if`` documents if given."""

    def size(asked: int | None, n_docs: int, n_sample: int) -> int:
        n = as_if or n_docs
        corpus = asked or clusters.default_min_cluster_size(n)
        return max(2, round(corpus * n_sample / n))

    return size


def run_config(
    config: str,
    data: tuple[list[list[str]], list[str], list[str], np.ndarray],
    graph: projection.NeighborGraph,
    seed: int,
    as_if: int,
) -> dict[str, Any]:
    from topics.evaluate.scores import score_model

    tokens, vocab, labels, embeddings = data
    clusters.sample_min_cluster_size = {  # type: ignore[assignment]
        "landed": _landed_size(None),
        "landed-1M": _landed_size(as_if),
        "product": PRODUCT_SIZE,
    }[config]
    t0 = time.process_time()
    model = clusters.fit_clusters(
        tokens, vocab, embeddings, n_topics="auto", seed=seed, graph=graph
    )
    cpu = time.process_time() - t0
    clusters.sample_min_cluster_size = PRODUCT_SIZE
    scores = score_model(model, tokens, labels)
    details = clusters.ClusterDetails.of(model)
    assert graph.sample is not None and graph.rest is not None
    outlier = model.assignments < 0
    return {
        "config": config,
        "n_docs": len(tokens),
        "seed": seed,
        "fit_sample": int(graph.sample.size),
        "min_cluster_size": details.min_cluster_size,
        "n_clusters_raw": details.n_clusters_raw,
        "n_topics": model.n_topics,
        "outlier_share": round(details.outlier_share, 4),
        "sample_outliers": round(float(outlier[graph.sample].mean()), 4),
        "rest_outliers": round(float(outlier[graph.rest].mean()), 4),
        "nmi": round(scores.metrics.get("nmi", float("nan")), 4),
        "npmi": round(scores.metrics["npmi"], 4),
        "diversity": round(scores.metrics["diversity"], 4),
        "cpu_s": round(cpu, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--samples", type=int, nargs="+", default=[projection.FIT_SAMPLE])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--configs", nargs="+", choices=CONFIGS, default=list(CONFIGS))
    parser.add_argument("--as-if", type=int, default=1_000_000, help="corpus of landed-1M")
    parser.add_argument("--pre", type=Path, help="pickle of tokens, vocab, labels to use")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    args = parser.parse_args(argv)

    from umap_sample import tokens_for, warm_up

    from topics.models.embed import EmbedSettings, embed_documents, resolve_method

    rows: list[dict[str, Any]] = []
    for n in args.sizes:
        tokens, vocab, raw_labels = tokens_for(n, args.pre)
        labels = [str(label) for label in raw_labels]
        settings = resolve_method(tokens, EmbedSettings())
        for seed in args.seeds:
            embeddings = embed_documents(tokens, settings, seed=seed)
            if not rows:
                warm_up(tokens, vocab, embeddings)
            unit = np.asarray(projection._unit_rows(embeddings), dtype=np.float32)
            for sample in args.samples:
                graph = projection.neighbor_graph(
                    unit, n_neighbors=15, seed=seed, fit_sample=sample
                )
                for config in args.configs:
                    print(f"{n:,} docs, sample {sample:,}, seed {seed}: {config}…", file=sys.stderr)
                    data = (tokens, vocab, labels, embeddings)
                    rows.append(run_config(config, data, graph, seed, args.as_if))
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    args.out.write_text(
                        json.dumps({"rows": rows}, indent=2) + "\n", encoding="utf-8"
                    )
    print(
        f"{'docs':>7} {'sample':>6} {'seed':>4} {'config':>9} {'mcs':>4} {'raw':>5} "
        f"{'topics':>6} {'outl':>5} {'sample':>6} {'rest':>5} {'NMI':>6} {'NPMI':>6} "
        f"{'TD':>5} {'CPU s':>6}"
    )
    for r in rows:
        print(
            f"{r['n_docs']:>7,} {r['fit_sample']:>6,} {r['seed']:>4} {r['config']:>9} "
            f"{r['min_cluster_size']:>4} {r['n_clusters_raw']:>5} {r['n_topics']:>6} "
            f"{r['outlier_share']:>5.3f} {r['sample_outliers']:>6.3f} {r['rest_outliers']:>5.3f} "
            f"{r['nmi']:>6.3f} {r['npmi']:>6.3f} {r['diversity']:>5.3f} {r['cpu_s']:>6.1f}"
        )
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
