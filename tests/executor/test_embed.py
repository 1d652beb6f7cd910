"""Tests for topics.executor.embed: LSA and UMAP fitted on the client, applied on workers."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import Planted, planted_corpus
from topics.executor import LocalExecutor
from topics.executor.cluster import DaskExecutor
from topics.executor.embed import lsa_vectors, tfidf_rows, umap_sample_transform
from topics.models.ctfidf import count_matrix, document_weights
from topics.models.embed import EmbedSettings
from topics.models.embed import lsa_vectors as local_lsa_vectors


@pytest.fixture(scope="module")
def planted() -> Planted:
    return planted_corpus(n_topics=4, n_docs=200, seed=5)


def _planted_neighbours(points: np.ndarray, main_topic: list[int]) -> float:
    """Share of documents whose nearest other document has the same planted topic."""
    dist = np.linalg.norm(points[:, None, :] - points[None, :, :], axis=2)
    np.fill_diagonal(dist, np.inf)
    labels = np.asarray(main_topic)
    return float(np.mean(labels[dist.argmin(axis=1)] == labels))


def test_tfidf_with_the_summed_idf_equals_the_whole_matrix_weights(planted: Planted) -> None:
    vocab = sorted({w for doc in planted.tokens for w in doc})
    counts = count_matrix(planted.tokens, vocab)
    df = np.bincount(counts.indices, minlength=len(vocab))
    n = len(planted.tokens)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    ours = tfidf_rows(planted.tokens[50:90], vocab, idf).toarray()
    assert np.allclose(ours, document_weights(counts).toarray()[50:90], atol=1e-12)


def test_lsa_with_the_whole_corpus_as_sample_equals_one_machine(planted: Planted) -> None:
    local = local_lsa_vectors(planted.tokens, EmbedSettings(method="lsa", vector_size=8))
    sharded = lsa_vectors(planted.tokens, 8, 0, LocalExecutor())
    assert sharded.shape == local.shape == (200, 8)
    assert np.allclose(sharded, local, atol=1e-4)


@pytest.mark.slow
def test_lsa_on_the_cluster_from_a_sample_basis(
    planted: Planted, dask_cluster: DaskExecutor
) -> None:
    first = lsa_vectors(planted.tokens, 8, 0, dask_cluster, sample=80)
    again = lsa_vectors(planted.tokens, 8, 0, dask_cluster, sample=80)
    here = lsa_vectors(planted.tokens, 8, 0, LocalExecutor(), sample=80)
    assert np.array_equal(first, again)
    # Where the shards were projected does not matter.
    assert np.allclose(first, here, atol=1e-12)
    # A basis from 80 documents still separates the planted topics.
    assert _planted_neighbours(first, planted.main_topic) >= 0.95


@pytest.mark.slow  # UMAP compiles its transform (~30 s of CPU)
def test_umap_fitted_on_a_sample_then_applied_shard_by_shard(planted: Planted) -> None:
    # In this process: UMAP compiles its functions once per process, and on this suite's
    # two-core machines a worker's first transform costs minutes of compiling. Mapping
    # over the cluster is covered by test_cluster; this covers the sample and the shards.
    from topics.models.projection import _umap

    class FourShards(LocalExecutor):
        n_workers = 1  # SHARDS_PER_WORKER shards

    vectors = lsa_vectors(planted.tokens, 8, 0, LocalExecutor())

    def model() -> object:
        return _umap(
            n_components=2, n_neighbors=10, min_dist=0.1, metric="cosine", random_state=7, n_jobs=1
        )

    first = umap_sample_transform(vectors, model(), 7, FourShards(), sample=120)
    again = umap_sample_transform(vectors, model(), 7, FourShards(), sample=120)
    assert first.shape == (200, 2)
    assert np.array_equal(first, again)
    assert _planted_neighbours(first, planted.main_topic) >= 0.9
    # At most ``sample`` documents: UMAP's own fit_transform, as on one machine.
    small = umap_sample_transform(vectors[:100], model(), 7, FourShards(), sample=120)
    assert np.array_equal(small, model().fit_transform(vectors[:100]))
