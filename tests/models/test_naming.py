"""Topic names: short, distinct, made of the topic's own words, shown in the report."""

from __future__ import annotations

import html

import pytest

from tests.conftest import Planted, SampleReport, topic_model
from topics.models.lda import LdaSettings, fit_lda
from topics.models.naming import apply_user_names, name_topics


def test_names_are_short_distinct_and_drawn_from_each_topic(planted: Planted) -> None:
    vocab = sorted({t for doc in planted.tokens for t in doc})
    model = fit_lda(planted.tokens, vocab, LdaSettings(passes=3), n_topics=len(planted.topics))
    names = name_topics(model)
    assert len(names) == model.n_topics
    assert len({n.lower() for n in names}) == len(names)
    for t, name in enumerate(names):
        words = name.split(" / ")
        assert 2 <= len(words) <= 4
        assert set(words) <= set(model.topic_words[t][:10])
        # A planted topic's name comes from that planted topic's words alone.
        assert any(set(words) <= set(topic) for topic in planted.topics)


def test_identical_topics_get_distinct_names() -> None:
    vocab = ["goal", "match", "striker", "keeper", "league"]
    row = [9.0, 7.0, 5.0, 3.0, 1.0]
    names = name_topics(topic_model(vocab, [row, row, row]))
    assert len(set(names)) == 3
    assert names[0] == "goal / match / striker"


def test_a_phrase_leads_the_name_and_words_show_as_the_text_spells_them() -> None:
    vocab = ["champion_league", "chelsea", "wale", "champion", "league", "rugby"]
    model = topic_model(vocab, [[5, 6, 1, 4, 3, 0], [0, 0, 6, 0, 0, 5]])
    forms = {"champion_league": "champions_league", "wale": "wales"}
    names = name_topics(model, lambda w: forms.get(w, w))
    assert names[0].startswith("champions league / chelsea")
    # The phrase's parts are not repeated as single words.
    assert "champion" not in names[0].split(" / ")
    assert names[1] == "wales / rugby"


def test_user_names_replace_generated_ones() -> None:
    model = topic_model(["a", "b", "c", "d"], [[5, 4, 0, 0], [0, 0, 5, 4]])
    model.names = name_topics(model)
    assert apply_user_names(model, {1: "Elections", 7: "no such topic"}) == [1]
    assert model.topic_name(1) == "Elections"
    assert model.topic_name(0) == "a / b"
    assert model.user_named == [1]


@pytest.mark.slow
def test_names_are_in_topics_json_and_the_rendered_report(sample_report: SampleReport) -> None:
    page = sample_report.index_html.read_text(encoding="utf-8")
    models = sample_report.topics["models"]
    assert isinstance(models, dict) and set(models) == {"lda", "clusters"}
    for model in models.values():
        names = [topic["name"] for topic in model["topics"]]
        assert all(names) and len(set(names)) == len(names)
        for name in names:
            assert html.escape(name, quote=False) in page
