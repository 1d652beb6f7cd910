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
