"""The pyLDAvis panel: numpy's relevance ranking gives exactly pyLDAvis's own panel."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from pyLDAvis import _prepare

from tests.conftest import planted_corpus, topic_model
from topics.report import ldavis
from topics.types import TopicModelResult


def _panels(
    model: TopicModelResult, tokens: list[list[str]], monkeypatch: pytest.MonkeyPatch
) -> tuple[str, str, int]:
    """The panel as drawn, the panel with pyLDAvis's own ranking, and numpy rankings used."""
    ldavis._rank_relevance_with_numpy()
    fast = _prepare._find_relevance_chunks
    one = _prepare._find_relevance
    fallbacks = 0

    def counting(log_ttd: Any, log_lift: Any, R: int, lambda_: float) -> Any:
        nonlocal fallbacks
        fallbacks += 1
        return one(log_ttd, log_lift, R, lambda_)

    with monkeypatch.context() as patch:
        patch.setattr(_prepare, "_find_relevance", counting)
        drawn = json.dumps(ldavis.ldavis_panel(model, tokens), sort_keys=True)
    with monkeypatch.context() as patch:
        patch.setattr(_prepare, "_find_relevance_chunks", fast.original)
        patch.setattr(_prepare, "_job_chunks", _prepare._job_chunks.original)
        patch.setattr(ldavis, "_rank_relevance_with_numpy", lambda: None)
        reference = json.dumps(ldavis.ldavis_panel(model, tokens), sort_keys=True)
    return drawn, reference, 101 - fallbacks


def test_numpy_ranking_gives_pyldavis_own_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    planted = planted_corpus(n_topics=4, n_docs=40, seed=3)
    vocab = sorted({w for doc in planted.tokens for w in doc})
    rng = np.random.default_rng(0)
    model = replace(
        topic_model(vocab, rng.random((4, len(vocab))).tolist()),
        doc_topic=rng.dirichlet(np.ones(4), size=len(planted.tokens)),
    )
    drawn, reference, used = _panels(model, planted.tokens, monkeypatch)
    assert drawn == reference
    assert used == 101  # every lambda from 0 to 1 in steps of 0.01 took the numpy path
    # Ranked a few lambdas at a time (as for a large vocabulary): the same panel.
    monkeypatch.setattr(ldavis, "_BLOCK_VALUES", 3 * 4 * len(vocab))
    assert _panels(model, planted.tokens, monkeypatch)[0] == reference


def test_zero_weights_and_tied_terms_fall_back_to_pyldavis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Zero weights make NaN relevance at lambda 0 and 1; equal columns tie everywhere."""
    vocab = ["apple", "kiwi", "pear", "plum", "fig"]
    tokens = [["apple", "pear", "kiwi"], ["plum", "fig", "kiwi"], ["apple", "plum", "pear"]]
    zeros = topic_model(vocab, [[3, 1, 2, 0, 0.5], [0, 1, 0.5, 3, 2]])
    drawn, reference, used = _panels(zeros, tokens[:2], monkeypatch)
    assert drawn == reference
    assert used == 99
    # "pear" and "plum" have the same weight in every topic and the same count.
    tied = replace(
        topic_model(vocab, [[3, 1, 2, 2, 0.5], [1, 1, 0.5, 0.5, 2]]),
        doc_topic=np.array([[0.9, 0.1], [0.2, 0.8], [0.5, 0.5]]),
    )
    drawn, reference, used = _panels(tied, tokens, monkeypatch)
    assert drawn == reference
    assert used < 101
