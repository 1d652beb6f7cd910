"""The numpy steps of preprocessing give what the list-based steps give."""

from __future__ import annotations

from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from topics.preprocess import encoded
from topics.preprocess.tokens import display_forms
from topics.types import TokenLists

WORDS = ["run", "walk", "city", "york", "new"]

#: A document: (term or "" for a run end, its surface variant "" or "x") pairs.
documents = st.lists(
    st.lists(st.tuples(st.sampled_from([*WORDS, ""]), st.sampled_from(["", "x"])), max_size=14),
    min_size=2,
    max_size=25,
)


def _pairs(docs: list[list[tuple[str, str]]]) -> list[tuple[list[str], list[str]]]:
    """As tokenizing gives them: the terms, and a surface form for each term ("": itself)."""
    return [([t for t, _ in doc], [f"{t}{s}" if s else "" for t, s in doc if t]) for doc in docs]


@given(documents, st.integers(1, 3), st.floats(-1.0, 0.9))
@settings(max_examples=60, deadline=None)
def test_display_forms_of_joined_ids_are_those_of_the_joined_lists(
    docs: list[list[tuple[str, str]]], min_count: int, threshold: float
) -> None:
    pairs = _pairs(docs)
    coded = encoded.encode(iter(pairs))
    frozen = encoded.learn_phrases(coded, min_count, threshold)
    joined = encoded.join_phrases(coded, frozen)
    assert joined is not None
    tokens = list(joined.tokens)
    expected = display_forms(tokens, [surface for _, surface in pairs])
    assert list(encoded.display_forms(coded, joined).items()) == list(expected.items())


@given(documents)
@settings(max_examples=60, deadline=None)
def test_encoding_keeps_every_term_run_end_and_surface(docs: list[list[tuple[str, str]]]) -> None:
    pairs = _pairs(docs)
    coded = encoded.encode(iter(pairs))
    flats, surfaces = coded.as_lists()
    assert flats == [terms for terms, _ in pairs]
    assert surfaces == [forms for _, forms in pairs]
    without_phrases = encoded.join_phrases(coded, None)
    assert without_phrases is not None
    assert list(without_phrases.tokens) == [[t for t in terms if t] for terms, _ in pairs]


def test_encoding_streams_in_batches(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Documents are encoded a batch at a time; the batches join seamlessly."""
    monkeypatch.setattr(encoded, "_BATCH", 3)
    pairs = [([f"w{i % 4}", "", f"w{i % 3}"], ["", f"W{i % 3}"]) for i in range(10)]
    coded = encoded.encode(iter(pairs))
    assert coded.as_lists() == ([p[0] for p in pairs], [p[1] for p in pairs])


@given(
    st.lists(st.lists(st.sampled_from([f"w{i}" for i in range(12)]), max_size=9), max_size=30),
    st.integers(0, 11),
    st.integers(1, 4),
)
@settings(max_examples=60, deadline=None)
def test_keep_documents_drops_short_ones_and_orders_terms_by_first_use(
    docs: list[list[str]], n_dropped_terms: int, min_tokens: int
) -> None:
    table = TokenLists.from_lists(docs)
    dropped = {f"w{i}" for i in range(n_dropped_terms)}
    in_vocab = np.array([t not in dropped for t in table.terms], dtype=bool)
    kept, rows, counts = encoded.keep_documents(table, in_vocab, min_tokens)
    filtered = [[t for t in doc if t not in dropped] for doc in docs]
    expected_rows = [i for i, doc in enumerate(filtered) if len(doc) >= min_tokens]
    assert rows.tolist() == expected_rows
    assert counts.tolist() == [len(doc) for doc in filtered]
    assert list(kept) == [filtered[i] for i in expected_rows]
    assert kept.terms == list(dict.fromkeys(t for i in expected_rows for t in filtered[i]))


def test_document_frequencies_and_first_documents() -> None:
    table = TokenLists.from_lists([["a", "b", "a"], [], ["c"], ["b", "c", "c"]])
    df, first = encoded.document_frequencies(table)
    by_term = dict(zip(table.terms, zip(df.tolist(), first.tolist(), strict=True), strict=True))
    assert by_term == {"a": (1, 0), "b": (2, 0), "c": (2, 2)}


def test_phrases_are_learned_from_counts_of_adjacent_words_only() -> None:
    """A pair split by a run end or a document end is never counted."""
    flats = [["new", "york"], ["new", "", "york"]] * 3 + [["york", "new"]]
    counts = Counter(t for f in flats for t in f if t)
    coded = encoded.encode((f, ()) for f in flats)
    words, first, second, n, n_pairs = encoded.count_pairs(coded.flat, len(coded.words), 1)
    assert dict(zip(coded.words[1:], words[1:].tolist(), strict=True)) == counts
    pairs = {(coded.words[a], coded.words[b]): c for a, b, c in zip(first, second, n, strict=True)}
    assert pairs == {("new", "york"): 3, ("york", "new"): 1}
    assert n_pairs == 2


@given(documents, st.integers(1, 3), st.integers(1, 7))
@settings(max_examples=60, deadline=None)
def test_counting_pairs_a_share_of_first_words_at_a_time_counts_the_same(
    docs: list[list[tuple[str, str]]], min_count: int, at_once: int
) -> None:
    coded = encoded.encode(iter(_pairs(docs)))
    whole = encoded.count_pairs(coded.flat, len(coded.words), min_count)
    saved = encoded.PAIRS_AT_ONCE
    encoded.PAIRS_AT_ONCE = at_once
    try:
        shared = encoded.count_pairs(coded.flat, len(coded.words), min_count)
    finally:
        encoded.PAIRS_AT_ONCE = saved
    for a, b in zip(whole[:4], shared[:4], strict=True):
        assert a.tolist() == b.tolist()
    assert whole[4] == shared[4]


@given(documents, st.integers(1, 3), st.floats(-1.0, 0.9), st.integers(1, 7))
@settings(max_examples=60, deadline=None)
def test_phrases_found_a_slice_at_a_time_are_those_found_at_once(
    docs: list[list[tuple[str, str]]], min_count: int, threshold: float, at_once: int
) -> None:
    coded = encoded.encode(iter(_pairs(docs)))
    frozen = encoded.learn_phrases(coded, min_count, threshold)
    whole = encoded.join_phrases(coded, frozen)
    saved = encoded.PAIRS_AT_ONCE
    encoded.PAIRS_AT_ONCE = at_once
    try:
        sliced = encoded.join_phrases(coded, frozen)
    finally:
        encoded.PAIRS_AT_ONCE = saved
    assert whole is not None and sliced is not None
    assert whole.at.tolist() == sliced.at.tolist() and whole.tokens == sliced.tokens
