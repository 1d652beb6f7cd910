"""The pyLDAvis panel: numpy's relevance ranking gives exactly pyLDAvis's own panel."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from pyLDAvis import _prepare

from tests.conftest import planted_corpus, topic_model
from topics.report import ldavis
from topics.store.keys import jsonable
from topics.types import TopicModelResult


def _panels(
    model: TopicModelResult, tokens: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str]:
    """The panel as drawn, and the panel with pyLDAvis's own ranking."""
    ldavis._rank_relevance_with_numpy()
    fast = _prepare._find_relevance_chunks
    assert fast.ranks_with_numpy

    def unused(*args: Any) -> Any:
        raise AssertionError("pyLDAvis's own ranking was used")

    with monkeypatch.context() as patch:
        patch.setattr(_prepare, "_find_relevance", unused)
        drawn = json.dumps(ldavis.ldavis_panel(model, tokens), sort_keys=True)
    with monkeypatch.context() as patch:
        patch.setattr(_prepare, "_find_relevance_chunks", fast.original)
        patch.setattr(_prepare, "_job_chunks", _prepare._job_chunks.original)
        patch.setattr(ldavis, "_rank_relevance_with_numpy", lambda: None)
        reference = json.dumps(ldavis.ldavis_panel(model, tokens), sort_keys=True)
    return drawn, reference


def test_numpy_ranking_gives_pyldavis_own_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    planted = planted_corpus(n_topics=4, n_docs=40, seed=3)
    vocab = sorted({w for doc in planted.tokens for w in doc})
    rng = np.random.default_rng(0)
    model = replace(
        topic_model(vocab, rng.random((4, len(vocab))).tolist()),
        doc_topic=rng.dirichlet(np.ones(4), size=len(planted.tokens)),
    )
    drawn, reference = _panels(model, planted.tokens, monkeypatch)
    assert drawn == reference
    # Ranked a few lambdas at a time (as for a large vocabulary): the same panel.
    monkeypatch.setattr(ldavis, "_BLOCK_VALUES", 3 * 4 * len(vocab))
    assert _panels(model, planted.tokens, monkeypatch)[0] == reference


def test_zero_weights_and_tied_terms_rank_as_pyldavis_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Zero weights make NaN relevance at lambda 0 and 1; equal columns tie everywhere."""
    vocab = ["apple", "kiwi", "pear", "plum", "fig"]
    tokens = [["apple", "pear", "kiwi"], ["plum", "fig", "kiwi"], ["apple", "plum", "pear"]]
    zeros = topic_model(vocab, [[3, 1, 2, 0, 0.5], [0, 1, 0.5, 3, 2]])
    drawn, reference = _panels(zeros, tokens[:2], monkeypatch)
    assert drawn == reference
    # "pear" and "plum" have the same weight in every topic and the same count.
    tied = replace(
        topic_model(vocab, [[3, 1, 2, 2, 0.5], [1, 1, 0.5, 0.5, 2]]),
        doc_topic=np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]),
    )
    drawn, reference = _panels(tied, tokens, monkeypatch)
    assert drawn == reference


def test_many_ties_and_zeros_beyond_the_shown_terms_rank_as_pyldavis_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Small integer weights (as a cluster model's word counts on a small corpus) over more
    terms than the panel shows: ties and zeros across the cut at 30 terms."""
    planted = planted_corpus(n_topics=3, n_docs=30, words_per_topic=25, seed=5)
    vocab = sorted({w for doc in planted.tokens for w in doc})
    rng = np.random.default_rng(1)
    weights = rng.integers(0, 4, size=(3, len(vocab))).astype(float)
    weights[:, 0] = 1.0  # no topic without weight
    model = replace(
        topic_model(vocab, weights.tolist()),
        doc_topic=rng.dirichlet(np.ones(3), size=len(planted.tokens)),
    )
    drawn, reference = _panels(model, planted.tokens, monkeypatch)
    assert drawn == reference


def test_first_of_stable_sort_is_the_stable_argsorts_head() -> None:
    rng = np.random.default_rng(2)
    values = rng.integers(0, 5, size=(40, 60)).astype(float)  # many ties across the cut
    values[3, :55] = np.nan  # fewer numbers than kept: the full sort
    values[4, ::2] = np.nan
    values[5, :] = -0.0
    values[5, 7] = 0.0
    values[6, 10] = -np.inf
    values[7, 11] = np.inf
    for keep in (1, 7, 30, 60, 80):
        expected = np.argsort(values, axis=1, kind="stable")[:, :keep]
        assert np.array_equal(ldavis._first_of_stable_sort(values, keep), expected), keep


def _prepared_with_every_document(
    model: TopicModelResult, tokens: list[list[str]]
) -> dict[str, Any]:
    """pyLDAvis's panel fed as the report fed it before: every document and its length."""
    import pyLDAvis

    counts = Counter(t for doc in tokens for t in doc)
    frequency = np.array([counts.get(w, 0) for w in model.vocab], dtype=np.float64)
    keep = frequency > 0
    topic_term = model.topic_term[:, keep]
    prepared = pyLDAvis.prepare(
        topic_term / topic_term.sum(axis=1, keepdims=True),
        model.doc_topic,
        np.array([len(doc) for doc in tokens], dtype=np.float64),
        [w for w, k in zip(model.vocab, keep, strict=True) if k],
        frequency[keep],
        R=30, mds="pcoa", n_jobs=1, sort_topics=False, start_index=0,
    )  # fmt: skip
    data: dict[str, Any] = jsonable(json.loads(prepared.to_json()), finite=True)
    return data


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_panel_from_topic_totals_is_the_panel_from_every_document(dtype: type) -> None:
    """pyLDAvis gets one pseudo-document per topic; the panel is the same to the bit.

    1,500 documents of uneven length: the totals' pairwise sums run over several blocks.
    """
    planted = planted_corpus(n_topics=5, n_docs=1_500, seed=7)
    tokens = [doc[: 1 + i % 37] for i, doc in enumerate(planted.tokens)]
    vocab = [*sorted({w for doc in tokens for w in doc}), "never_seen"]
    rng = np.random.default_rng(4)
    model = replace(
        topic_model(vocab, rng.random((5, len(vocab))).tolist()),
        doc_topic=rng.dirichlet(np.full(5, 0.3), size=len(tokens)).astype(dtype),
    )
    expected = json.dumps(_prepared_with_every_document(model, tokens), sort_keys=True)
    assert json.dumps(ldavis.ldavis_panel(model, tokens), sort_keys=True) == expected
    counts = ldavis.token_counts(tokens, vocab)
    drawn = ldavis.ldavis_panel(model, None, counts=counts)
    assert json.dumps(drawn, sort_keys=True) == expected


def test_token_counts_a_chunk_at_a_time_are_the_corpus_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    planted = planted_corpus(n_topics=3, n_docs=25, seed=2)
    vocab = sorted({w for doc in planted.tokens for w in doc})
    monkeypatch.setattr(ldavis, "COUNT_CHUNK", 4)
    counts = ldavis.token_counts(planted.tokens, vocab)
    frequency = Counter(t for doc in planted.tokens for t in doc)
    assert counts.term_frequency.tolist() == [frequency[w] for w in vocab]
    assert counts.doc_lengths.tolist() == [len(doc) for doc in planted.tokens]
    assert counts.frequency_of(["absent", vocab[2]]).tolist() == [0, frequency[vocab[2]]]
