"""Topic prevalence over time: bins that fit the span, shares that add up."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.conftest import planted_corpus
from topics.models.lda import LdaSettings, fit_lda
from topics.report.timeline import choose_bin, over_time


@pytest.mark.parametrize(
    ("first", "last", "unit"),
    [
        ("2024-01-01", "2024-01-20", "day"),
        ("2024-01-01", "2024-04-30", "week"),
        ("2020-01-01", "2024-12-31", "month"),
        ("2010-01-01", "2024-12-31", "quarter"),
        ("1950-01-01", "2020-12-31", "year"),
        ("1790-01-08", "2026-02-01", "decade"),
    ],
)
def test_bin_fits_the_span(first: str, last: str, unit: str) -> None:
    assert choose_bin(date.fromisoformat(first), date.fromisoformat(last)) == unit


def test_a_topic_that_grows_shows_in_its_months() -> None:
    # Topic 0 documents dated January, topic 1 documents March; February is empty.
    corpus = planted_corpus(n_topics=2, n_docs=40, seed=0)
    vocab = sorted({w for doc in corpus.tokens for w in doc})
    model = fit_lda(corpus.tokens, vocab, LdaSettings(passes=5), n_topics=2, seed=0)
    dates: list[str | None] = ["2024-01-15" if t == 0 else "2024-03-10" for t in corpus.main_topic]
    dates[0] = None
    data = over_time(dates, {"lda": model})
    assert data is not None
    assert data["bin"] == "week" or data["bin"] == "month"
    assert data["n_dated"] == 39 and data["n_undated"] == 1
    assert sum(data["counts"]) == 39
    topics = data["models"]["lda"]["topics"]
    first, last = 0, len(data["bins"]) - 1
    shares = np.array([[s if s is not None else np.nan for s in t["shares"]] for t in topics])
    assert np.allclose(np.nansum(shares[:, [first, last]], axis=0), 1.0, atol=0.01)
    # Whichever LDA topic holds planted topic 0 dominates the first bin, the other the last.
    january = int(np.argmax(shares[:, first]))
    march = int(np.argmax(shares[:, last]))
    assert january != march
    assert shares[january, first] > 0.8 and shares[march, last] > 0.8
    assert any(c == 0 for c in data["counts"])  # the empty weeks/months are kept as gaps


def test_no_timeline_without_two_dated_bins() -> None:
    corpus = planted_corpus(n_topics=2, n_docs=10, seed=0)
    vocab = sorted({w for doc in corpus.tokens for w in doc})
    model = fit_lda(corpus.tokens, vocab, LdaSettings(passes=2), n_topics=2, seed=0)
    assert over_time([None] * 10, {"lda": model}) is None
    assert over_time(["2024-01-01"] * 10, {"lda": model}) is None
