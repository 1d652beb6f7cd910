"""What fitting UMAP on a sample (and HDBSCAN by Boruvka) costs in time and topic quality.

Usage::

    nice -n 10 python bench/umap_sample.py                      # 20k documents, seeds 0 1
    nice -n 10 python bench/umap_sample.py --sizes 20000 --sample 5000 --seeds 0 1
    nice -n 10 python bench/umap_sample.py --sizes 95000 --seeds 0 --configs full sampled

Above ``topics.models.projection.FIT_SAMPLE`` (20,000) documents the cluster model fits
UMAP (the 5-D clustering space and the 2-D map) on a seeded sample of 20,000 documents
and places the rest by their nearest sampled documents; HDBSCAN's spanning tree there
comes from the ``hdbscan`` package's Boruvka search. Up to 20,000 documents
nothing changes, so the quality cost is measured by shrinking the sample: at 20,000
documents a sample of ``--sample`` documents (5,000: a quarter, as 20,000 is of 80,000)
against the full fit, on the same corpus, embeddings and seed.

Configurations (``--configs``): ``full`` (UMAP on every document, scikit-learn's HDBSCAN:
the product up to 20k), ``boruvka`` (full UMAP, Boruvka HDBSCAN), ``sampled`` (the product
above 20k: UMAP on the sample, HDBSCAN on the sample alone, its space laid out in
``clusters.SAMPLE_EPOCHS`` epochs, every other document labelled by its nearest sampled
documents, ``clusters.SAMPLE_CLUSTERS``; the map places them with UMAP's ``transform``).
``sampled-e200`` lays the sample's clustering space out in UMAP's default 200 epochs;
``all-points`` clusters every document, placed by ``transform`` in the 5-D space too, with
Boruvka HDBSCAN; ``landed`` is ``all-points`` without two exact speed-ups (UMAP's own
per-row start of ``transform``, whole-row partitions for the nearest neighbours: the same
output, slower), the product before this change. Each runs the cluster model with the
default ``auto`` count (``fit_clusters``) and the 2-D map, and reports the CPU seconds of
the neighbour graph, clustering and map, the topic count, outlier share, NMI of the topics
against the documents' labels, mean NPMI and diversity of the topics (top 10 words,
``topics.evaluate.scores``) and the map's neighbour agreement (share of documents whose
nearest other document on the map has the same label). At 94,851 documents::

    nice -n 10 python bench/umap_sample.py --pre PRE.pkl --sizes 100000 \
        --sample 20000 --seeds 0 1 2 --configs landed all-points sampled-e200 sampled

Corpora are built like ``bench/scale.py``'s (real text from ``../shared/corpora``) and
preprocessed with the default settings, or read from ``--pre`` (a pickle of ``tokens``,
``vocab``, ``labels``); LSA embeddings as in the default run, seeded with the run's seed.
Writes ``bench/out/umap_sample.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
OUT = REPO / "bench" / "out" / "umap_sample.json"
from topics.models import projection  # noqa: E402
from topics.models.clusters import SAMPLE_EPOCHS  # noqa: E402

INIT_TRANSFORM, K_SMALLEST = projection._init_transform, projection._k_smallest
CONFIGS = ("full", "boruvka", "sampled", "landed", "all-points", "sampled-e200")


def tokens_for(n_docs: int, pre: Path | None) -> tuple[list[list[str]], list[str], list[Any]]:
    """The first ``n_docs`` of a ``--pre`` pickle (tokens, vocab, labels), or
    ``corpus_tokens(n_docs)`` without one."""
    if pre is None:
        print(f"building and preprocessing {n_docs:,} documents…", file=sys.stderr)
        return corpus_tokens(n_docs)
    import pickle

    with open(pre, "rb") as fh:
        kept = pickle.load(fh)
    return kept["tokens"][:n_docs], kept["vocab"], kept["labels"][:n_docs]


def corpus_tokens(n_docs: int, seed: int = 0) -> tuple[list[list[str]], list[str], list[Any]]:
    """``n_docs`` documents of ``bench/scale.py``'s corpus, preprocessed: tokens, vocab, labels.

    Kept in ``bench/out/umap_sample-tokens-N.pkl`` for the next invocation (preprocessing
    100k documents takes minutes); delete the file to rebuild it.
    """
    import pickle

    kept = OUT.with_name(f"umap_sample-tokens-{n_docs}.pkl")
    if kept.is_file():
        with open(kept, "rb") as fh:
            cached = pickle.load(fh)
        return cached["tokens"], cached["vocab"], cached["labels"]
    tokens, vocab, labels = _preprocessed(n_docs, seed)
    kept.parent.mkdir(parents=True, exist_ok=True)
    with open(kept, "wb") as fh:
        pickle.dump({"tokens": tokens, "vocab": vocab, "labels": labels}, fh)
    return tokens, vocab, labels


def _preprocessed(n_docs: int, seed: int) -> tuple[list[list[str]], list[str], list[Any]]:
    from scale import build_corpus

    from topics.ingest import IngestSettings
    from topics.ingest.inputs import InputSpec, read_inputs
    from topics.preprocess.tokens import PreprocessSettings, preprocess

    with tempfile.TemporaryDirectory() as tmp:
        build_corpus(n_docs, Path(tmp), seed=seed)
        corpus = read_inputs(InputSpec(paths=(tmp,)), IngestSettings())
    pre = preprocess(corpus.documents, PreprocessSettings())
    labels = [corpus.documents[i].label for i in pre.doc_index]
    return pre.tokens, pre.vocab, labels


def map_agreement(coords: np.ndarray, labels: list[Any]) -> float:
    """Share of documents whose nearest other document on the map has the same label."""
    from sklearn.neighbors import NearestNeighbors

    _, found = NearestNeighbors(n_neighbors=2).fit(coords).kneighbors(coords)
    y = np.asarray([str(label) for label in labels])
    return float(np.mean(y[found[:, 1]] == y))


def warm_up(tokens: list[list[str]], vocab: list[str], embeddings: np.ndarray) -> None:
    """Compile UMAP's and HDBSCAN's numba code on a small sampled fit, untimed.

    Otherwise the first configuration's seconds include ~25 s of compilation.
    """
    from topics.models import clusters

    n = min(3000, len(tokens))
    unit = np.asarray(projection._unit_rows(embeddings[:n]), dtype=np.float32)
    graph = projection.neighbor_graph(unit, n_neighbors=15, seed=0, fit_sample=n // 2)
    clusters.fit_clusters(tokens[:n], vocab, embeddings[:n], n_topics="auto", graph=graph)
    projection.project_2d(embeddings[:n], seed=0, graph=graph)


def run_config(
    config: str,
    tokens: list[list[str]],
    vocab: list[str],
    labels: list[Any],
    embeddings: np.ndarray,
    seed: int,
    sample: int,
) -> dict[str, Any]:
    import umap.umap_

    from topics.evaluate.scores import score_model
    from topics.models import clusters, projection

    n = len(tokens)
    fit_sample = n if config in ("full", "boruvka") else sample
    # Boruvka for every configuration but the product's exact path up to 20k.
    clusters.BORUVKA_ABOVE = n if config == "full" else 0
    clusters.SAMPLE_CLUSTERS = config.startswith("sampled")
    # ``sampled-e200``: the sample's clustering space laid out in UMAP's default epochs.
    clusters.SAMPLE_EPOCHS = None if config == "sampled-e200" else SAMPLE_EPOCHS
    # The landed code: UMAP's own start of ``transform`` and whole-row partitions.
    landed = config == "landed"
    projection._init_transform = umap.umap_.init_graph_transform if landed else INIT_TRANSFORM
    projection._k_smallest = projection._k_smallest_partition if landed else K_SMALLEST
    t0 = time.process_time()
    unit = np.asarray(projection._unit_rows(embeddings), dtype=np.float32)
    graph = projection.neighbor_graph(unit, n_neighbors=15, seed=seed, fit_sample=fit_sample)
    t_graph = time.process_time() - t0
    t0 = time.process_time()
    model = clusters.fit_clusters(
        tokens, vocab, embeddings, n_topics="auto", seed=seed, graph=graph
    )
    t_clusters = time.process_time() - t0
    t0 = time.process_time()
    coords = projection.project_2d(embeddings, seed=seed, graph=graph)
    t_map = time.process_time() - t0
    scores = score_model(model, tokens, [str(label) for label in labels])
    details = clusters.ClusterDetails.of(model)
    return {
        "config": config,
        "n_docs": n,
        "seed": seed,
        "fit_sample": min(fit_sample, n),
        "cpu_s": {
            "graph": round(t_graph, 1),
            "clusters": round(t_clusters, 1),
            "map": round(t_map, 1),
        },
        "n_topics": model.n_topics,
        "n_clusters_raw": details.n_clusters_raw,
        "outlier_share": round(details.outlier_share, 4),
        "nmi": round(scores.metrics.get("nmi", float("nan")), 4),
        "npmi": round(scores.metrics["npmi"], 4),
        "diversity": round(scores.metrics["diversity"], 4),
        "map_agreement": round(map_agreement(coords, labels), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000])
    parser.add_argument("--sample", type=int, default=5_000, help="UMAP's sample when sampled")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--configs", nargs="+", choices=CONFIGS, default=["full", "sampled"])
    parser.add_argument("--pre", type=Path, help="pickle of tokens, vocab, labels to use")
    parser.add_argument("--out", type=Path, default=OUT, help="JSON file to write")
    args = parser.parse_args(argv)

    from topics.models.embed import EmbedSettings, embed_documents, resolve_method

    rows: list[dict[str, Any]] = []
    for n in args.sizes:
        tokens, vocab, labels = tokens_for(n, args.pre)
        settings = resolve_method(tokens, EmbedSettings())
        for seed in args.seeds:
            embeddings = embed_documents(tokens, settings, seed=seed)
            if not rows:
                warm_up(tokens, vocab, embeddings)
            for config in args.configs:
                print(f"{n:,} documents, seed {seed}: {config}…", file=sys.stderr)
                row = run_config(config, tokens, vocab, labels, embeddings, seed, args.sample)
                rows.append(row)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps({"rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(
        f"{'docs':>7} {'seed':>4} {'config':>10} {'sample':>7} {'graph s':>7} {'clust s':>7} "
        f"{'map s':>6} {'topics':>6} {'raw':>4} {'outl':>5} {'NMI':>6} {'NPMI':>6} {'TD':>5} "
        f"{'map agr':>7}"
    )
    for r in rows:
        cpu = r["cpu_s"]
        print(
            f"{r['n_docs']:>7,} {r['seed']:>4} {r['config']:>10} {r['fit_sample']:>7,} "
            f"{cpu['graph']:>7.1f} {cpu['clusters']:>7.1f} {cpu['map']:>6.1f} "
            f"{r['n_topics']:>6} {r['n_clusters_raw']:>4} {r['outlier_share']:>5.2f} "
            f"{r['nmi']:>6.3f} {r['npmi']:>6.3f} {r['diversity']:>5.3f} {r['map_agreement']:>7.3f}"
        )
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
