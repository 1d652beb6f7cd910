"""``run_pipeline`` in-process: stages, timings, the result, the fits cache, bad input."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import planted_corpus, write_tree
from topics.errors import InputError, SettingsError
from topics.ingest.inputs import InputSpec, read_inputs
from topics.models.clusters import ClusterSettings
from topics.models.lda import LdaSettings
from topics.pipeline import RunResult, RunSettings, run_pipeline
from topics.preprocess.tokens import PreprocessSettings
from topics.store.cache import RunCache
from topics.types import TopicModelResult

# Planted themes with disjoint words, one per label folder.
THEMES = {
    "space": "telescope orbit planet galaxy astronomer comet nebula rocket satellite asteroid",
    "food": "recipe oven flour butter sugar dough kitchen garlic pastry vinegar",
    "money": "bank interest loan investor market dividend inflation bond budget mortgage",
}
N_PER_THEME = 8


def _files(n_per_theme: int = N_PER_THEME, seed: int = 0) -> dict[str, str | bytes]:
    rng = np.random.default_rng(seed)
    files: dict[str, str | bytes] = {}
    for theme, words in THEMES.items():
        vocab = words.split()
        weights = 1.0 / np.arange(1, len(vocab) + 1)
        for i in range(n_per_theme):
            body = " ".join(rng.choice(vocab, size=40, p=weights / weights.sum()))
            files[f"{theme}/{theme}{i:02d}.txt"] = f"{theme.title()} note {i}\n\n{body}\n"
    return files


def _settings(**changes: object) -> RunSettings:
    base = RunSettings(
        seed=1,
        n_topics=3,
        models=("lda",),
        lda=LdaSettings(passes=5),
        preprocess=PreprocessSettings(n_jobs=1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("pipeline"), _files())


@pytest.fixture(scope="module")
def both_models(corpus: Path) -> RunResult:
    """Both models on the planted corpus (the cluster model's UMAP compiles once a session)."""
    settings = _settings(models=("lda", "clusters"), clusters=ClusterSettings(min_cluster_size=3))
    return run_pipeline(corpus, settings)


def test_result_holds_every_document_model_and_score(both_models: RunResult, corpus: Path) -> None:
    result = both_models
    n_docs = len(THEMES) * N_PER_THEME
    assert result.input_path == str(corpus.resolve())
    assert len(result.corpus.documents) == len(result.pre.tokens) == n_docs
    assert sorted(str(label) for label in result.labels) == sorted(
        t for t in THEMES for _ in range(N_PER_THEME)
    )
    assert list(result.models) == ["lda", "clusters"] == list(result.scores)
    for model in result.models.values():
        assert model.doc_topic.shape == (n_docs, model.n_topics)
        assert model.topic_term.shape == (model.n_topics, len(result.pre.vocab))
    assert result.coords is not None and result.coords.shape == (n_docs, 2)
    assert result.embeddings is not None and result.embeddings.shape[0] == n_docs
    assert result.cache is None  # no cache given
    assert result.settings.seed == 1
    datetime.fromisoformat(result.started)


def test_every_stage_that_ran_is_timed(both_models: RunResult) -> None:
    seconds = both_models.stage_seconds
    expected = {"ingest", "preprocess", "lda", "embed", "clusters", "map", "evaluate", "review"}
    assert set(seconds) == expected
    assert all(s >= 0 for s in seconds.values())
    # The stages happen inside the run, so they cannot add up to more than it took.
    assert sum(seconds.values()) <= both_models.duration_s


def test_lda_finds_the_planted_themes(both_models: RunResult) -> None:
    lda = both_models.models["lda"]
    themes = {theme: set(words.split()) for theme, words in THEMES.items()}
    found = {
        next(t for t, words in themes.items() if set(topic[:3]) <= words)
        for topic in lda.topic_words
    }
    assert found == set(THEMES)
    assert both_models.scores["lda"].metrics["nmi"] > 0.9


def test_only_the_models_asked_for_run(corpus: Path) -> None:
    result = run_pipeline(corpus, _settings())
    assert list(result.models) == ["lda"]
    assert result.coords is None and result.embeddings is None
    assert set(result.stage_seconds) == {"ingest", "preprocess", "lda", "evaluate", "review"}


def test_an_identical_rerun_reuses_the_fits_and_a_changed_setting_does_not(
    corpus: Path, tmp_path: Path
) -> None:
    def run(settings: RunSettings) -> RunResult:
        cache = RunCache(tmp_path / "cache")
        try:
            return run_pipeline(corpus, settings, cache=cache)
        finally:
            cache.close(prune=True)

    first = run(_settings())
    again = run(_settings())
    other_seed = run(_settings(seed=2))
    more_passes = run(_settings(lda=LdaSettings(passes=6)))
    assert first.cache is not None and first.cache["models"] == {"fresh": 1, "cached": 0}
    assert again.cache is not None and again.cache["models"] == {"fresh": 0, "cached": 1}
    assert again.cache["preprocessed"] == {"fresh": 0, "cached": len(first.pre.tokens)}
    np.testing.assert_array_equal(again.models["lda"].doc_topic, first.models["lda"].doc_topic)
    # Every setting is part of the fits' key: a changed one is never served stale fits.
    for changed in (other_seed, more_passes):
        assert changed.cache is not None and changed.cache["models"] == {"fresh": 1, "cached": 0}
    assert len(list((tmp_path / "cache" / "fits").glob("*.json"))) == 3


def test_an_input_spec_is_read_with_the_cache_and_a_corpus_is_taken_as_read(
    corpus: Path, tmp_path: Path
) -> None:
    spec = InputSpec(paths=(str(corpus / "space"), str(corpus / "food")), exclude=("food0[0-3]*",))
    cache = RunCache(tmp_path / "cache")
    try:
        result = run_pipeline(spec, _settings(), cache=cache)
    finally:
        cache.close(prune=False)
    n_docs = N_PER_THEME + N_PER_THEME - 4
    assert result.input_path == f"{(corpus / 'space').resolve()}; {(corpus / 'food').resolve()}"
    paths = [d.path for d in result.corpus.documents]
    assert paths[N_PER_THEME:] == [f"food/food{i:02d}.txt" for i in range(4, N_PER_THEME)]
    assert result.cache is not None and result.cache["parsed"] == {"fresh": n_docs, "cached": 0}
    read = read_inputs(spec)
    again = run_pipeline(read, _settings())
    assert again.input_path == read.root == result.input_path
    np.testing.assert_array_equal(again.models["lda"].doc_topic, result.models["lda"].doc_topic)


@pytest.mark.slow
def test_embeddings_are_counted_as_reused_from_what_the_embedder_reports(
    corpus: Path, tmp_path: Path
) -> None:
    settings = _settings(models=("lda", "clusters"), clusters=ClusterSettings(min_cluster_size=3))

    def embedded(settings: RunSettings) -> dict[str, int]:
        cache = RunCache(tmp_path / "cache")
        try:
            result = run_pipeline(corpus, settings, cache=cache)
        finally:
            cache.close(prune=True)
        assert result.cache is not None and result.embeddings is not None
        return result.cache["embedded"]

    n = len(THEMES) * N_PER_THEME
    assert embedded(settings) == {"fresh": n, "cached": 0}
    assert embedded(settings) == {"fresh": 0, "cached": n}  # the fits are reused too
    # A changed LDA setting refits, but the embeddings of the same tokens are reused.
    assert embedded(replace(settings, lda=LdaSettings(passes=6))) == {
        "fresh": 0,
        "cached": n,
    }
    # Without the vectors on disk they are computed again, and counted so.
    for path in (tmp_path / "cache" / "embeddings").glob("*.npy"):
        path.unlink()
    assert embedded(settings) == {"fresh": n, "cached": 0}


def test_more_topics_than_documents_are_capped_and_noted(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "in", _files(n_per_theme=2))
    result = run_pipeline(root, _settings(n_topics=50, lda=LdaSettings(passes=2)))
    assert result.models["lda"].n_topics == 6
    assert result.settings.n_topics == 6
    (note,) = [n for n in result.corpus.notes if n.path == "n_topics"]
    assert "more than the 6 modelled documents" in note.message


def test_an_empty_folder_is_an_input_error_that_says_what_to_add(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "in", {"empty.txt": "", "picture.png": b"\x89PNG\r\n\x1a\n"})
    with pytest.raises(InputError) as exc:
        run_pipeline(root, _settings())
    message = str(exc.value)
    assert message.startswith(f"no usable documents in {str(root)!r} (2 files seen: ")
    assert "empty file" in message and "add .txt, .md, .html, .csv or .jsonl" in message


def test_documents_preprocessing_drops_entirely_are_an_input_error(tmp_path: Path) -> None:
    # Read fine, but too few words survive preprocessing in every document.
    root = write_tree(tmp_path / "in", {f"n{i}.txt": f"{i}2 3{i}, 7{i}!" for i in range(3)})
    with pytest.raises(InputError, match=r"no usable documents .*\(3 files seen: 3 too short"):
        run_pipeline(root, _settings())


def test_unknown_models_are_a_settings_error(corpus: Path) -> None:
    with pytest.raises(SettingsError, match="models: must be one or more of lda, clusters"):
        run_pipeline(corpus, _settings(models=("nmf",)))
    with pytest.raises(SettingsError, match="models: must be"):
        run_pipeline(corpus, _settings(models=()))


def _planted_word(token: str) -> str:
    """``t3w11`` -> a letters-only word the tokenizer and lemmatizer keep as it is."""
    topic, word = token[1:].split("w")
    return "zq" + chr(97 + int(topic)) + chr(97 + int(word)) * 2 + "x"


@pytest.mark.slow
def test_both_models_on_auto_share_one_count(tmp_path: Path) -> None:
    planted = planted_corpus(n_topics=5, n_docs=150, seed=4)
    for i, doc in enumerate(planted.tokens):
        (tmp_path / f"doc{i:03d}.txt").write_text(
            " ".join(map(_planted_word, doc)), encoding="utf-8"
        )
    result = run_pipeline(tmp_path)
    lda, clusters = result.models["lda"], result.models["clusters"]
    assert list(result.models) == ["lda", "clusters"]
    assert lda.n_topics == clusters.n_topics
    assert abs(clusters.n_topics - 5) <= 1
    assert "same count as the embedding-cluster model" in (lda.n_topics_rule or "")
    assert clusters.auto_curve
    # Every topic is named, distinctly within its model.
    for model in (lda, clusters):
        assert len(set(model.names)) == model.n_topics
    # LDA alone on "auto" takes the same count from the cluster model's rule (LDA's own
    # search chose 2-4 topics on every held-out corpus), and no cluster model is shown.
    alone = run_pipeline(tmp_path, RunSettings(models=("lda",)))
    assert list(alone.models) == ["lda"]
    assert alone.models["lda"].n_topics == clusters.n_topics
    assert "not shown in this run" in (alone.models["lda"].n_topics_rule or "")
    assert "count" in alone.stage_seconds and "map" not in alone.stage_seconds


def test_a_namer_renames_topics_before_the_review_words_its_reasons(tmp_path: Path) -> None:
    """The run layer's user names reach the review's reasons in its one pass."""
    files = _files()
    # A food note filed under money: its reason names the topic it reads like.
    files["money/misfiled.txt"] = str(files["food/food00.txt"]) + " oven flour butter"
    corpus = write_tree(tmp_path, files)
    seen: list[list[str]] = []

    def namer(models: dict[str, TopicModelResult]) -> None:
        lda = models["lda"]
        seen.append(list(lda.names))  # generated names are already there
        lda.names = [f"Renamed {t}" for t in range(lda.n_topics)]

    result = run_pipeline(corpus, _settings(), namer=namer)
    assert seen and all(seen[0]) and not any(n.startswith("Renamed") for n in seen[0])
    assert result.review is not None
    top = int(result.review.order[0])
    assert result.corpus.documents[result.pre.doc_index[top]].path.endswith("misfiled.txt")
    assert "(Renamed " in result.review.reasons[top]
    assert not any(name in r for r in result.review.reasons for name in seen[0])
