from __future__ import annotations

from topics.types import Skipped


def test_skip_kind_comes_from_the_code_not_the_reason_text() -> None:
    row = Skipped("a.csv#row=3", "row 3: 2 fields, header has 3", code="bad_row")
    assert row.kind == "broken table row"
    assert Skipped("b.txt", "exact duplicate of a.txt", code="duplicate").kind == "exact duplicate"
    # The wording of a reason can change freely: the kind follows the code.
    assert Skipped("c.png", "an image, not text", code="binary").kind == "binary file"
    assert Skipped("d.txt", "cannot be read (busy)").kind == "other"  # no code given


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
    from typing import Any

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
