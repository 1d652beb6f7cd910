from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import Planted, planted_corpus
from topics.errors import SettingsError
from topics.models.lda import LdaSettings, fit_lda


def _vocab(tokens: list[list[str]]) -> list[str]:
    return sorted({t for doc in tokens for t in doc})


def _recovered(planted: Planted, topic_words: list[list[str]], top: int = 10) -> int:
    """Planted topics matched by some fitted topic with >= 80% of its top words from that set."""
    found = 0
    for words in planted.topics:
        wanted = set(words)
        if any(len(wanted & set(fitted[:top])) >= 0.8 * top for fitted in topic_words):
            found += 1
    return found


def test_recovers_planted_topics(planted: Planted) -> None:
    result = fit_lda(planted.tokens, _vocab(planted.tokens), n_topics=6, seed=1)
    assert result.n_topics == 6
    assert _recovered(planted, result.topic_words) >= 0.9 * len(planted.topics)
    # Documents land in the topic of their planted main theme.
    agreement = {(int(a), m) for a, m in zip(result.assignments, planted.main_topic, strict=True)}
    assert len(agreement) <= 6 + 12  # almost a one-to-one mapping


def test_shapes_and_rows_sum_to_one(planted: Planted) -> None:
    vocab = _vocab(planted.tokens)
    result = fit_lda(planted.tokens, vocab, LdaSettings(passes=2), n_topics=4, seed=0)
    assert result.topic_term.shape == (4, len(vocab))
    assert result.doc_topic.shape == (len(planted.tokens), 4)
    np.testing.assert_allclose(result.topic_term.sum(axis=1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(result.doc_topic.sum(axis=1), 1.0, rtol=1e-6)
    assert result.name == "lda"
    assert all(len(w) == 30 for w in result.topic_words)


def test_same_seed_same_topics(planted: Planted) -> None:
    vocab = _vocab(planted.tokens)
    a = fit_lda(planted.tokens, vocab, LdaSettings(passes=3), n_topics=5, seed=7)
    b = fit_lda(planted.tokens, vocab, LdaSettings(passes=3), n_topics=5, seed=7)
    np.testing.assert_array_equal(a.topic_term, b.topic_term)
    np.testing.assert_array_equal(a.assignments, b.assignments)


@pytest.mark.parametrize("n_planted", [4, 7])
def test_auto_n_topics_lands_near_planted_count(n_planted: int) -> None:
    corpus = planted_corpus(n_topics=n_planted, n_docs=40 * n_planted, seed=n_planted)
    result = fit_lda(
        corpus.tokens,
        _vocab(corpus.tokens),
        LdaSettings(auto_max=12, auto_budget=120),
        n_topics="auto",
        seed=0,
    )
    assert abs(result.n_topics - n_planted) <= 1
    curve = result.auto_curve
    assert {int(p["n_topics"]) for p in curve} >= {n_planted}
    assert "stability" in (result.n_topics_rule or "")
    assert "budget" not in (result.n_topics_rule or "")


def test_auto_n_topics_is_identical_twice_and_never_reads_the_clock(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: the search stopped at a wall-clock budget (BBC gave 8 and 2 topics)."""
    import time

    from topics.models.lda import choose_n_topics

    corpus = planted_corpus(n_topics=5, n_docs=200, seed=3)
    vocab = _vocab(corpus.tokens)
    settings = LdaSettings(auto_budget=0.001)
    first = choose_n_topics(corpus.tokens, vocab, settings)

    def no_clock() -> float:
        raise AssertionError("the topic-count search read the clock")

    monkeypatch.setattr(time, "perf_counter", no_clock)
    monkeypatch.setattr(time, "time", no_clock)
    monkeypatch.setattr(time, "monotonic", no_clock)
    second = choose_n_topics(corpus.tokens, vocab, settings)
    assert first == second
    assert abs(first[0] - 5) <= 1


def test_invalid_settings_are_reported_together() -> None:
    with pytest.raises(SettingsError, match=r"passes: must be at least 1.*relevance"):
        LdaSettings(passes=0, relevance=2).validate()
    with pytest.raises(SettingsError, match=r"passes.*n_topics: must be at least 1.*seed"):
        fit_lda([["a"]], ["a"], LdaSettings(passes=0), n_topics=0, seed=-1)


def test_auto_n_topics_on_a_single_document() -> None:
    """Regression: the search's halves were empty for one document (a ValueError)."""
    doc = ["oven", "flour", "butter", "sugar", "dough", "oven", "flour", "butter"]
    result = fit_lda([doc], sorted(set(doc)), LdaSettings(passes=2), n_topics="auto")
    assert result.n_topics >= 1
    assert result.auto_curve[0]["stability"] == 1.0


@pytest.mark.parametrize(
    ("n_docs", "passes"),
    [(1, 20), (2_225, 20), (18_846, 20), (20_000, 20), (20_001, 19), (40_000, 10),
     (94_851, 5), (100_000, 4), (399_999, 1), (1_000_000, 1)],
)  # fmt: skip
def test_auto_passes_make_200_updates_up_to_20_passes(n_docs: int, passes: int) -> None:
    from topics.models.lda import auto_passes

    assert auto_passes(n_docs, 2000) == passes
    chunks = -(-n_docs // 2000)
    # Fewer than 20 passes only where they still make 200 updates, and no pass more.
    assert passes == 20 or (passes * chunks >= 200 and (passes - 1) * chunks < 200)


def test_auto_passes_are_what_the_fit_makes(planted: Planted) -> None:
    vocab = _vocab(planted.tokens)
    n_docs = len(planted.tokens)
    # Chunks of 10 documents: 200 updates take fewer than 20 passes on this corpus.
    auto = fit_lda(planted.tokens, vocab, LdaSettings(chunksize=10), n_topics=4, seed=2)
    expected = -(-200 // -(-n_docs // 10))
    assert 1 <= expected < 20 and auto.settings["passes_used"] == expected
    assert auto.settings["passes"] == "auto"
    fixed = fit_lda(
        planted.tokens, vocab, LdaSettings(chunksize=10, passes=expected), n_topics=4, seed=2
    )
    np.testing.assert_array_equal(auto.topic_term, fixed.topic_term)
    assert fixed.settings["passes_used"] == expected


def test_nmf_start_on_a_sample_still_finds_the_planted_topics(planted: Planted) -> None:
    from topics.models.lda import _bow, nmf_topics

    vocab = _vocab(planted.tokens)
    corpus, _ = _bow(planted.tokens, vocab)
    n_docs = len(corpus)
    whole = nmf_topics(corpus, len(vocab), 6, seed=1)
    assert np.array_equal(whole, nmf_topics(corpus, len(vocab), 6, seed=1, max_docs=n_docs))
    half = nmf_topics(corpus, len(vocab), 6, seed=1, max_docs=n_docs // 2)
    assert np.array_equal(half, nmf_topics(corpus, len(vocab), 6, seed=1, max_docs=n_docs // 2))
    assert not np.array_equal(half, whole)
    top = [[vocab[j] for j in np.argsort(-row, kind="stable")[:10]] for row in half]
    assert _recovered(planted, top) >= 0.8 * len(planted.topics)
