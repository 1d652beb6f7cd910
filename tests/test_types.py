from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topics.types import Skipped


def test_skip_reason_is_rendered_from_the_code_and_its_detail() -> None:
    row = Skipped("a.csv#row=3", "bad_row", {"row": 3, "fields": 2, "expected": 3})
    assert row.kind == "broken table row"
    assert row.reason == "row 3: 2 fields, header has 3"
    duplicate = Skipped("b.txt", "duplicate", {"of": "a.txt"})
    assert (duplicate.kind, duplicate.reason) == ("exact duplicate", "exact duplicate of a.txt")
    # A folder (path ending in "/") and a file with the same code read differently.
    assert Skipped("x/", "unreadable", {"error": "busy"}).reason == "folder cannot be read (busy)"
    assert Skipped("x.txt", "unreadable", {"error": "busy"}).reason == "cannot be read (busy)"
    big = Skipped("big.txt", "too_large", {"cap_mb": 10.0, "bytes": 64 * 2**20})
    assert big.reason.startswith("larger than the 10 MB size cap (64.0 MB); raise --max-file-mb")
    assert Skipped("d.txt", "something-new").kind == "other"


def test_a_skip_whose_detail_is_missing_still_has_a_reason() -> None:
    # Written by other code (an old cache): never a crash while writing the report.
    assert Skipped("a.csv#row=3", "bad_row", {"rows": 3}).reason == "broken table row"
    assert Skipped("big.txt", "too_large", {}).reason == "larger than the size cap"
    assert Skipped("a.txt", "symlink", {"target": "elsewhere"}).reason == "symlink not followed"


def test_topic_name_prefers_given_name_and_falls_back_to_top_words() -> None:
    import numpy as np

    from topics.types import TopicModelResult

    model = TopicModelResult(
        name="lda",
        vocab=["a", "b", "c", "d"],
        topic_term=np.full((2, 4), 0.25),
        doc_topic=np.full((3, 2), 0.5),
        assignments=np.array([0, 1, -1]),
        topic_words=[["goal", "match", "league", "cup"], ["vote", "party"]],
    )
    assert model.topic_name(0) == "goal, match, league"
    assert model.topic_name(-1) == "outliers"
    model.names = ["football", ""]
    assert model.topic_name(0) == "football"
    assert model.topic_name(1) == "vote, party"


def test_extras_json_flattens_the_typed_fields_and_leaves_out_what_was_not_measured() -> None:
    """``topics.json``'s ``extras`` kept its keys when typed fields replaced the dict."""
    from dataclasses import dataclass

    import numpy as np
    import pytest

    from topics.types import ModelDetails, TopicModelResult

    @dataclass
    class Details(ModelDetails):
        merges: list[dict[str, Any]]
        share: float
        curve: list[dict[str, float]] | None = None

    details = Details(merges=[{"step": np.int64(0), "similarity": np.float64(0.5)}], share=0.25)
    model = TopicModelResult(
        name="x",
        vocab=["a", "b"],
        topic_term=np.full((2, 2), 0.5),
        doc_topic=np.full((3, 2), 0.5),
        assignments=np.array([0, 1, 0]),
        topic_words=[["a"], ["b"]],
        details=details,
    )
    assert model.extras_json() == {"merges": [{"step": 0, "similarity": 0.5}], "share": 0.25}
    model.n_topics_rule, model.user_named = "asked for 2", []
    model.auto_curve = [{"n_topics": 2.0, "score": np.float64(0.1)}]
    extras = model.extras_json()
    assert extras["n_topics_rule"] == "asked for 2" and extras["user_named"] == []
    assert extras["auto_curve"] == [{"n_topics": 2.0, "score": 0.1}]
    assert type(extras["merges"][0]["step"]) is int  # plain JSON, not NumPy
    # The cache's round trip: back from the JSON form, equal and typed.
    assert Details.from_report(details.as_report() | {"unknown": 1}) == Details(
        merges=[{"step": 0, "similarity": 0.5}], share=0.25
    )
    assert Details.of(model) is details
    other = TopicModelResult("y", ["a"], np.ones((1, 1)), np.ones((1, 1)), np.zeros(1, int), [])
    with pytest.raises(TypeError, match="'y' has no Details"):
        Details.of(other)


@given(
    st.lists(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=6), max_size=12),
    st.data(),
)
@settings(max_examples=100, deadline=None)
def test_token_lists_behave_like_the_lists_they_hold(docs: list[list[str]], data: Any) -> None:
    import pickle

    from topics.types import TokenLists

    table = TokenLists.from_lists(docs)
    assert len(table) == len(docs)
    assert list(table) == docs
    assert table == docs and table == TokenLists.from_lists(docs, ["d", "c", "b", "a"])
    assert table.lengths().tolist() == [len(d) for d in docs]
    assert pickle.loads(pickle.dumps(table)) == docs
    if docs:
        i = data.draw(st.integers(-len(docs), len(docs) - 1))
        assert table[i] == docs[i]
    start = data.draw(st.integers(-15, 15))
    stop = data.draw(st.integers(-15, 15))
    step = data.draw(st.sampled_from([None, 1, 2, -1]))
    assert list(table[start:stop:step]) == docs[start:stop:step]
    rows = data.draw(st.lists(st.integers(0, max(len(docs) - 1, 0)), max_size=8)) if docs else []
    assert list(table.take(rows)) == [docs[r] for r in rows]


def test_token_lists_index_errors_like_a_list() -> None:
    from topics.types import TokenLists

    table = TokenLists.from_lists([["a"], ["b", "c"]])
    with pytest.raises(IndexError):
        table[2]
    assert table[-1] == ["b", "c"]
    assert table != [["a"], ["b"]]


def test_token_lengths_and_used_terms_read_tables_and_lists_alike() -> None:
    from topics.types import TokenLists, token_lengths, used_terms

    docs = [["b", "a", "b"], [], ["c"]]
    table = TokenLists.from_lists(docs, ["a", "b", "c", "unused"])
    for tokens in (docs, table):
        assert token_lengths(tokens).tolist() == [3, 0, 1]
        assert used_terms(tokens) == ["a", "b", "c"]
