"""Class-based TF-IDF and its helpers, on small matrices whose answers follow from the formula."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from tests.conftest import planted_corpus
from topics.models.ctfidf import (
    class_tfidf,
    count_matrix,
    document_weights,
    group_labels,
    groups_after,
    membership_matrix,
    merge_topics,
    rows_to_distributions,
    sum_by_class,
    top_words,
)


def test_count_matrix_counts_repeats_and_ignores_words_outside_the_vocabulary() -> None:
    vocab = ["apple", "pear", "plum"]
    matrix = count_matrix([["pear", "apple", "pear", "kiwi"], [], ["plum"]], vocab)
    assert matrix.shape == (3, 3)
    np.testing.assert_array_equal(matrix.toarray(), [[1, 2, 0], [0, 0, 0], [0, 0, 1]])


@pytest.mark.parametrize("vocab", [["apple", "kiwi", "pear", "plum"], ["plum", "pear"], []])
def test_count_matrix_of_token_lists_is_that_of_the_lists(vocab: list[str]) -> None:
    """The id fast path (own terms or another vocabulary) counts what the lists count."""
    from topics.types import TokenLists

    docs = [["pear", "apple", "pear", "kiwi"], [], ["plum", "fig"], ["fig"]]
    table = TokenLists.from_lists(docs)
    for terms in (vocab, table.terms):
        expected = count_matrix(docs, list(terms))
        got = count_matrix(table, list(terms))
        assert got.has_sorted_indices
        assert (got != expected).nnz == 0 and got.shape == expected.shape


def test_document_weights_are_unit_rows_and_damp_repeats() -> None:
    counts = count_matrix([["a"] * 9 + ["b"], ["a", "c"], ["b", "c"]], ["a", "b", "c"])
    weights = document_weights(counts).toarray()
    np.testing.assert_allclose(np.linalg.norm(weights, axis=1), 1.0)
    # Sublinear tf: nine repeats weigh 1 + log 9 times one occurrence, not nine times
    # ("a" and "b" are each in two of the three documents: the same idf).
    np.testing.assert_allclose(weights[0, 0] / weights[0, 1], 1 + np.log(9))


def test_class_tfidf_follows_the_formula() -> None:
    counts = np.array([[4.0, 0.0, 1.0], [1.0, 3.0, 0.0], [0.0, 0.0, 0.0]])
    got = class_tfidf(sparse.csr_matrix(counts))
    avg_words = counts.sum() / 3
    for c in range(2):
        for t in range(3):
            expected = counts[c, t] / counts[c].sum() * np.log(1 + avg_words / counts[:, t].sum())
            assert np.isclose(got[c, t], expected)
    # An empty class has no words; dense input gives the same answer as sparse.
    np.testing.assert_array_equal(got[2], 0.0)
    np.testing.assert_allclose(class_tfidf(counts), got)


def test_a_word_no_class_uses_weighs_zero() -> None:
    got = class_tfidf(np.array([[2.0, 0.0], [1.0, 0.0]]))
    assert np.isfinite(got).all()
    np.testing.assert_array_equal(got[:, 1], 0.0)


def test_sum_by_class_leaves_out_outliers() -> None:
    counts = sparse.csr_matrix(np.array([[1, 0], [2, 1], [0, 5], [7, 7]], dtype=float))
    summed = sum_by_class(counts, np.array([0, 1, 0, -1]), n_classes=2)
    np.testing.assert_array_equal(summed.toarray(), [[1, 5], [2, 1]])


def test_merge_topics_joins_the_smallest_topic_to_its_nearest() -> None:
    # Classes 0 and 1 share their words; 2 has its own. Class 1 is the smallest.
    counts = sparse.csr_matrix(
        np.array([[9, 8, 0, 0, 1], [5, 6, 0, 0, 0], [0, 1, 9, 9, 0]], dtype=float)
    )
    merges, groups = merge_topics(counts, np.array([10, 3, 8]), n_topics=2)
    assert [(m["merged"], m["into"]) for m in merges] == [([1, 0], 3)]
    assert 0 < merges[0]["similarity"] <= 1
    assert sorted(sorted(g) for g in groups) == [[0, 1], [2]]
    assert groups_after(3, merges) == {2: [2], 3: [1, 0]}


def test_merging_planted_topics_keeps_each_theme_together() -> None:
    # Twelve classes: each planted theme split in two. Merging to six pairs them up again.
    planted = planted_corpus(n_topics=6, n_docs=120, seed=1)
    vocab = sorted({w for topic in planted.topics for w in topic})
    counts = count_matrix(planted.tokens, vocab)
    labels = np.array([t + 6 * (d % 12 >= 6) for d, t in enumerate(planted.main_topic)])
    by_class = sum_by_class(counts, labels, n_classes=12)
    merges, groups = merge_topics(by_class, np.bincount(labels), n_topics=6)
    assert len(merges) == 6
    assert sorted(sorted(g) for g in groups) == [[t, t + 6] for t in range(6)]


def test_group_labels_and_membership_follow_the_groups() -> None:
    groups = [[2], [0, 3], [1]]
    raw = np.array([0, 1, 2, 3, -1, 0])
    np.testing.assert_array_equal(group_labels(raw, groups), [1, 2, 0, 1, -1, 1])
    membership = membership_matrix(groups, n_raw=4).toarray()
    np.testing.assert_array_equal(membership, [[0, 0, 1, 0], [1, 0, 0, 1], [0, 1, 0, 0]])


def test_rows_to_distributions_sum_to_one_even_for_an_empty_row() -> None:
    out = rows_to_distributions(np.array([[1.0, 3.0, 0.0], [0.0, 0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.25, 0.75, 0.0], [1 / 3, 1 / 3, 1 / 3]])


def test_top_words_rank_by_weight_ties_in_vocabulary_order_and_skip_zeros() -> None:
    vocab = ["a", "b", "c", "d"]
    assert top_words(np.array([0.2, 0.5, 0.2, 0.0]), vocab, 4) == ["b", "a", "c"]
    assert top_words(np.array([0.2, 0.5, 0.2, 0.0]), vocab, 2) == ["b", "a"]


def test_top_words_equal_a_full_stable_sort_on_rows_with_many_ties() -> None:
    """The partial sort keeps the full sort's order, ties at the cut included."""
    rng = np.random.default_rng(0)
    vocab = [f"w{i}" for i in range(400)]
    for _ in range(50):
        row = rng.integers(0, 4, size=400) * rng.choice([0.0, 0.5, 1.0], size=400)
        for n in (1, 7, 30, 399, 400, 500):
            order = np.argsort(-row, kind="stable")[:n]
            assert top_words(row, vocab, n) == [vocab[i] for i in order if row[i] > 0]


def test_document_weights_are_scikit_learns_tfidf_bit_for_bit() -> None:
    """Our in-place TF-IDF is ``TfidfTransformer(sublinear_tf=True)``'s, to the last bit."""
    from sklearn.feature_extraction.text import TfidfTransformer

    planted = planted_corpus(n_docs=300, seed=4)
    vocab = sorted({t for doc in planted.tokens for t in doc})
    counts = count_matrix(planted.tokens, vocab)
    expected = TfidfTransformer(sublinear_tf=True, norm="l2").fit_transform(counts)
    kept = counts.copy()
    weights = document_weights(counts)
    assert np.array_equal(weights.indptr, expected.indptr)
    assert np.array_equal(weights.indices, expected.indices)
    assert np.array_equal(weights.data, expected.data) and weights.dtype == np.float64
    assert (counts != kept).nnz == 0  # copy=True (the default) leaves the counts alone
    in_place = document_weights(counts, copy=False)
    assert np.shares_memory(in_place.data, counts.data)
    assert np.array_equal(in_place.data, expected.data)


def test_corpus_counts_from_a_larger_vocabulary_equal_those_from_the_tokens() -> None:
    """Terms from ``vocab`` (unused ones dropped) give the columns read off the tokens."""
    from topics.models.ctfidf import corpus_counts

    tokens = [["b", "a", "b"], [], ["d", "a"]]
    counts, terms = corpus_counts(tokens)
    assert terms == ["a", "b", "d"]
    for vocab in (["d", "b", "a"], ["zz", "d", "c", "b", "a", "0"]):
        got, got_terms = corpus_counts(tokens, vocab)
        assert got_terms == terms and got.shape == counts.shape
        assert np.array_equal(got.indptr, counts.indptr)
        assert np.array_equal(got.indices, counts.indices)
        assert np.array_equal(got.data, counts.data)
