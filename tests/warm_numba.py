"""Compile UMAP's numba code into ``NUMBA_CACHE_DIR`` in a second process, for a cold cache.

On a fresh checkout (CI) the suite's first UMAP fits compile pynndescent's and UMAP's
numba functions: ~100 s of CPU, measured per test with numba's compile events (the
first fit ~40 s: pynndescent's ``cache=True`` functions on ``import umap`` and UMAP's
own fit functions; the executor's fit on a sample and transform ~25 s). The suite
starts this module in the background when the cache holds no mark of a finished warm-up
(``tests/conftest.py``): it compiles the same functions, with the same signatures, on
the machine's other core while the suite runs the tests that never fit UMAP
(``UMAP_FREE``), and the suite then loads them from the cache. It changes no result:
what numba loads from its cache is what it would have compiled.

Run it by hand with ``python -m tests.warm_numba``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


def marker(cache_dir: Path) -> Path:
    """The file a finished warm-up leaves in ``cache_dir`` (versions in its name)."""
    from importlib.metadata import version

    versions = "-".join(version(p) for p in ("numba", "umap-learn", "pynndescent"))
    return cache_dir / f"topics-tests-warm-{versions}"


def warm() -> None:
    """Fit UMAP along every path the suite takes, on small data, in the suite's order."""
    import tests.conftest  # noqa: F401  (its hook caches umap's own functions too)
    from tests.conftest import planted_corpus
    from topics.executor import LocalExecutor
    from topics.executor.embed import lsa_vectors, umap_sample_transform
    from topics.models.clusters import fit_clusters
    from topics.models.embed import EmbedSettings, embed_documents
    from topics.models.projection import _umap, project_2d

    # The first fit: the clusters model on a planted corpus (exact neighbours), the map.
    planted = planted_corpus(n_topics=4, n_docs=80, seed=1)
    vocab = sorted({w for doc in planted.tokens for w in doc})
    emb = embed_documents(planted.tokens, EmbedSettings(vector_size=20), seed=0)
    fit_clusters(planted.tokens, vocab, emb, n_topics=4, seed=0)
    rng = np.random.default_rng(0)
    points = rng.normal(size=(120, 50))
    project_2d(points, seed=7)

    # The executor: UMAP's own fit on a sample, then its transform of the rest.
    class FourShards(LocalExecutor):
        n_workers = 1

    vectors = lsa_vectors(planted.tokens, 8, 0, LocalExecutor())

    def model() -> object:
        return _umap(
            n_components=2, n_neighbors=10, min_dist=0.1, metric="cosine", random_state=7, n_jobs=1
        )

    umap_sample_transform(vectors, model(), 7, FourShards(), sample=60)


def main() -> None:
    cache_dir = Path(os.environ["NUMBA_CACHE_DIR"])
    warm()
    cache_dir.mkdir(parents=True, exist_ok=True)
    marker(cache_dir).write_text("done\n", encoding="utf-8")


if __name__ == "__main__":
    main()
