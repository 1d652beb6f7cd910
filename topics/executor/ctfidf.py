"""Class-based TF-IDF on a cluster: per-shard class sums of TF-IDF rows, summed on the client.

The cluster model's topic words are c-TF-IDF over each topic's core documents' TF-IDF
rows (``topics.models.ctfidf``). The rows need the corpus's document frequencies:
per-shard counts, summed (map-reduce); each worker then weighs its documents and sums
them per class, and the client adds the ``n_classes x n_terms`` sums in shard order.

Network: token lists and labels out once, the vocabulary and IDF once per worker, one
sparse ``n_classes x n_terms`` matrix back per shard.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import sparse

from topics.executor import Executor, shards_of
from topics.executor.embed import SHARDS_PER_WORKER, idf_of, tfidf_rows
from topics.types import IntArray, Tokens


def _class_sum(
    shard: tuple[list[list[str]], IntArray], weights: tuple[list[str], Any, int]
) -> sparse.csr_matrix:
    from topics.models.ctfidf import sum_by_class

    tokens, labels = shard
    vocab, idf, n_classes = weights
    return sum_by_class(tfidf_rows(tokens, vocab, idf), labels, n_classes)


def class_sums(
    tokens: Tokens,
    vocab: list[str],
    labels: IntArray,
    n_classes: int,
    executor: Executor,
) -> sparse.csr_matrix:
    """``sum_by_class(document_weights(count_matrix(tokens, vocab)), labels, n_classes)``."""
    n = len(tokens)
    ranges = shards_of(n, max(1, executor.n_workers * SHARDS_PER_WORKER))
    handles = executor.scatter(
        [(tokens[r.start : r.stop], labels[r.start : r.stop]) for r in ranges]
    )
    idf = idf_of(executor, handles, vocab, n, with_labels=True)
    parts = executor.map(_class_sum, handles, (vocab, idf, n_classes))
    total = sparse.csr_matrix((n_classes, len(vocab)), dtype=np.float64)
    for part in parts:  # shard order: the same sum on a cluster of the same size
        total = total + part
    return sparse.csr_matrix(total)
