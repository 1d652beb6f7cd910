"""Drift: aligning a run's topics with the previous run's."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import planted_corpus, topic_model
from topics.models.lda import LdaSettings, fit_lda
from topics.runs.drift import align, align_models, load_topics, save_topics, stored_topics
from topics.types import TopicModelResult


def test_matching_uses_the_union_vocabulary_and_is_one_to_one() -> None:
    before = stored_topics(
        topic_model(["a", "b", "c", "d"], [[5, 4, 0, 0], [0, 0, 5, 4]]), ["L1", "L2"]
    )
    # Same two topics in the other order over a different vocabulary, plus a topic of new words.
    now = stored_topics(
        topic_model(
            ["d", "c", "x", "a", "b", "y"],
            [[4, 5, 0, 0, 0, 0], [0, 0, 0, 5, 4, 0], [0, 0, 3, 0, 0, 3]],
        ),
        ["n0", "n1", "n2"],
    )
    drift, lineage = align(now, before, threshold=0.5)
    pairs = {(p["topic"], p["previous"]) for p in drift["persisting"]}
    assert pairs == {(0, 1), (1, 0)}
    assert all(abs(p["similarity"] - 1.0) < 1e-6 for p in drift["persisting"])
    assert [n["topic"] for n in drift["new"]] == [2]
    assert drift["new"][0]["closest_similarity"] == 0.0
    assert not drift["vanished"]
    assert lineage == ["L2", "L1", "n2"]


def test_below_the_threshold_a_pair_is_new_and_vanished() -> None:
    before = stored_topics(topic_model(["a", "b", "c"], [[5, 1, 0]]), ["L1"])
    now = stored_topics(topic_model(["a", "b", "c"], [[1, 1, 5]]), ["n0"])
    drift, lineage = align(now, before, threshold=0.5)
    assert not drift["persisting"]
    assert [n["topic"] for n in drift["new"]] == [0]
    assert [v["previous"] for v in drift["vanished"]] == [0]
    assert lineage == ["n0"]


def test_topics_round_trip_through_the_run_folder(tmp_path: Path) -> None:
    model = topic_model(["a", "b", "c"], [[5, 1, 0], [0, 1, 5]])
    save_topics(tmp_path, {"lda": stored_topics(model, ["x#0", "x#1"])})
    loaded = load_topics(tmp_path)["lda"]
    assert loaded.lineage == ["x#0", "x#1"]
    assert loaded.words(0, 2) == ["a", "b"]
    assert load_topics(tmp_path / "missing") == {}


def test_real_lda_fits_find_the_planted_new_topic() -> None:
    old = planted_corpus(n_topics=4, n_docs=80, seed=1)
    new = planted_corpus(n_topics=5, n_docs=100, seed=2)  # topics 0-3 as before, plus topic 4
    vocab_old = sorted({w for doc in old.tokens for w in doc})
    vocab_new = sorted({w for doc in new.tokens for w in doc})
    first = fit_lda(old.tokens, vocab_old, LdaSettings(passes=5), n_topics=4, seed=0)
    second = fit_lda(new.tokens, vocab_new, LdaSettings(passes=5), n_topics=5, seed=3)
    stored, _ = align_models({"lda": first}, {}, run_id="r1", previous_run=None, threshold=0.5)
    _, drift = align_models({"lda": second}, stored, run_id="r2", previous_run="r1", threshold=0.5)
    assert drift is not None
    lda = drift["models"]["lda"]
    assert len(lda["persisting"]) == 4 and not lda["vanished"]
    (born,) = lda["new"]
    assert all(w.startswith("t4w") for w in born["words"][:5])
    for p in lda["persisting"]:
        # The same planted topic on both sides: its top word names it.
        assert p["words"][0].split("w")[0] == p["previous_words"][0].split("w")[0]
        assert p["similarity"] > 0.8


def _run(
    model: TopicModelResult,
    folder: Path,
    previous: Path | None,
    names: dict[str, dict[int, str]],
) -> dict[str, object] | None:
    """One scheduled run's drift step, through the run folder as the run layer does it."""
    from topics.models.naming import name_topics

    model.names = name_topics(model)
    folder.mkdir()
    stored, drift = align_models(
        {"lda": model},
        load_topics(previous) if previous else {},
        run_id=folder.name,
        previous_run=previous.name if previous else None,
        threshold=0.5,
        user_names=names,
    )
    save_topics(folder, stored)
    return drift


def test_a_user_name_follows_its_topic_and_is_dropped_when_it_vanishes(tmp_path: Path) -> None:
    vocab = ["goal", "match", "vote", "poll", "rain", "wind"]
    sport: list[float] = [5, 4, 0, 0, 0, 0]
    politics: list[float] = [0, 0, 5, 4, 0, 0]
    weather: list[float] = [0, 0, 0, 0, 5, 4]
    # Run 1: sport and politics; the user then names politics (topic 1 of run 1).
    assert _run(topic_model(vocab, [sport, politics]), tmp_path / "r1", None, {}) is None
    names = {"lda": {1: "Elections"}}
    # Run 2: the topics come in another order; the name follows politics to topic 0.
    second = topic_model(vocab, [politics, sport, weather])
    drift = _run(second, tmp_path / "r2", tmp_path / "r1", names)
    assert second.topic_name(0) == "Elections"
    assert second.user_named == [0]
    assert second.topic_name(1) != "Elections"
    assert drift is not None and drift["models"]["lda"]["names_dropped"] == []  # type: ignore[index]
    assert load_topics(tmp_path / "r2")["lda"].user == [True, False, False]
    # Run 3, same config: still carried by matching, not re-applied to topic id 1.
    third = topic_model(vocab, [weather, sport, politics])
    _run(third, tmp_path / "r3", tmp_path / "r2", names)
    assert third.topic_name(2) == "Elections"
    assert third.user_named == [2]
    # Run 4: politics vanished; the name is dropped with a note.
    fourth = topic_model(vocab, [sport, weather])
    drift = _run(fourth, tmp_path / "r4", tmp_path / "r3", names)
    assert "Elections" not in fourth.names
    assert fourth.user_named == []
    (note,) = drift["models"]["lda"]["names_dropped"]  # type: ignore[index]
    assert "Elections" in note and "topic 2 of run r3" in note
    vanished = drift["models"]["lda"]["vanished"]  # type: ignore[index]
    assert vanished[0]["name"] == "Elections"


def test_a_name_for_a_topic_id_the_latest_run_lacks_is_noted(tmp_path: Path) -> None:
    vocab = ["goal", "match", "vote", "poll"]
    _run(topic_model(vocab, [[5, 4, 0, 0], [0, 0, 5, 4]]), tmp_path / "r1", None, {})
    model = topic_model(vocab, [[5, 4, 0, 0], [0, 0, 5, 4]])
    drift = _run(model, tmp_path / "r2", tmp_path / "r1", {"lda": {9: "Ghost"}})
    assert drift is not None
    (note,) = drift["models"]["lda"]["names_dropped"]  # type: ignore[index]
    assert "no topic 9" in note
    assert "Ghost" not in model.names


def test_a_config_rename_survives_the_next_scheduled_run_and_drops_when_gone(
    tmp_path: Path,
) -> None:
    """End to end through ``run_once``: the config's ``[names]`` reach the published pages."""
    import json
    import shutil

    from tests.runs.test_run import write_theme
    from topics.runs.config import load_config
    from topics.runs.run import run_once

    corpus = tmp_path / "corpus"
    for theme in ("space", "food", "money"):
        write_theme(corpus, theme, 10)
    config_path = tmp_path / "nightly.toml"

    def config(n_topics: int, names: str = "") -> Path:
        config_path.write_text(
            f'name = "nightly"\noutput = "reports"\nn_topics = {n_topics}\n'
            f'models = ["lda"]\ninput = ["corpus"]\n{names}',
            encoding="utf-8",
        )
        return config_path

    first = run_once(load_config(config(3)))
    lda = first.result.models["lda"]
    food = next(t for t in range(3) if "oven" in lda.topic_words[t][:5])
    names = f'[names.lda]\n{food} = "Baking"\n'

    write_theme(corpus, "food", 12, seed=1)  # more food notes: a changed corpus
    # A food note filed under money: its review reason names the topic it reads like.
    (corpus / "money" / "misfiled.txt").write_text(
        (corpus / "food" / "food00.txt").read_text(encoding="utf-8") + " oven flour butter",
        encoding="utf-8",
    )
    second = run_once(load_config(config(3, names)))
    model = second.result.models["lda"]
    baking = model.names.index("Baking")
    assert "oven" in model.topic_words[baking][:5]
    review = (second.folder / "review.csv").read_text(encoding="utf-8")
    first_row = review.splitlines()[1]
    assert "money/misfiled.txt" in first_row and "(Baking) in LDA" in first_row
    topics = json.loads((second.folder / "topics.json").read_text(encoding="utf-8"))
    entry = topics["models"]["lda"]["topics"][baking]
    assert entry["name"] == "Baking" and entry["user_named"] is True
    assert "Baking" in second.index_html.read_text(encoding="utf-8")

    shutil.rmtree(corpus / "food")
    third = run_once(load_config(config(2, names)))
    assert "Baking" not in third.result.models["lda"].names
    drift = json.loads((third.folder / "drift.json").read_text(encoding="utf-8"))
    (note,) = drift["models"]["lda"]["names_dropped"]
    assert "'Baking' dropped" in note
    assert "'Baking' dropped" in (third.folder / "run.log").read_text(encoding="utf-8")
