"""Tests for topics.executor.ctfidf: per-shard class sums against the whole-matrix sum."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import planted_corpus
from topics.executor import LocalExecutor
from topics.executor.cluster import DaskExecutor
from topics.executor.ctfidf import class_sums
from topics.models.ctfidf import class_tfidf, count_matrix, document_weights, sum_by_class


class ThreeWorkers(LocalExecutor):
    n_workers = 3


def _case() -> tuple[list[list[str]], list[str], np.ndarray]:
    planted = planted_corpus(n_topics=5, n_docs=150, seed=8)
    vocab = sorted({w for doc in planted.tokens for w in doc})
    labels = np.asarray(planted.main_topic, dtype=np.int64)
    labels[::7] = -1  # outliers are left out of every class
    return planted.tokens, vocab, labels


def test_shard_sums_equal_the_whole_matrix_sum() -> None:
    tokens, vocab, labels = _case()
    expected = sum_by_class(document_weights(count_matrix(tokens, vocab)), labels, 5)
    ours = class_sums(tokens, vocab, labels, 5, ThreeWorkers())
    assert ours.shape == (5, len(vocab))
    assert np.allclose(ours.toarray(), expected.toarray(), rtol=0, atol=1e-12)
    assert np.allclose(class_tfidf(ours), class_tfidf(expected), rtol=0, atol=1e-12)


@pytest.mark.slow
def test_shard_sums_on_the_cluster_equal_those_in_one_process(dask_cluster: DaskExecutor) -> None:
    tokens, vocab, labels = _case()
    here = class_sums(tokens, vocab, labels, 5, LocalExecutor())
    there = class_sums(tokens, vocab, labels, 5, dask_cluster)
    again = class_sums(tokens, vocab, labels, 5, dask_cluster)
    assert np.array_equal(there.toarray(), again.toarray())
    assert np.allclose(there.toarray(), here.toarray(), rtol=0, atol=1e-12)
