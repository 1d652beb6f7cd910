from __future__ import annotations

from topics.types import Skipped


def test_skip_kind_drops_file_specific_details() -> None:
    assert Skipped("a.csv#row=3", "row 3: 2 fields, header has 3").kind == "2 fields, header has 3"
    assert Skipped("b.txt", "exact duplicate of a.txt").kind == "exact duplicate"
    assert Skipped("c.png", "binary file: PNG image").kind == "binary file"
    assert Skipped("d.txt", "too short after preprocessing (2 content words)").kind == (
        "too short after preprocessing"
    )


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
