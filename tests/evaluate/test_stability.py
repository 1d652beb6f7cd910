from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import Planted, planted_corpus
from topics.evaluate.scores import METRIC_EXPLANATIONS
from topics.evaluate.stability import (
    assignment_agreement,
    model_stability,
    sample_documents,
    word_agreement,
)
from topics.models import clusters as clusters_module
from topics.models import lda as lda_module
from topics.models.clusters import ClusterDetails, ClusterSettings, fit_clusters
from topics.models.embed import EmbedSettings, embed_documents
from topics.models.lda import fit_lda
from topics.pipeline import RunSettings, run_pipeline


def _vocab(tokens: list[list[str]]) -> list[str]:
    return sorted({t for doc in tokens for t in doc})


def test_sample_is_seeded_sorted_and_bounded() -> None:
    a = sample_documents(10_000, seed=3, max_docs=500)
    assert len(a) == 500 == len(set(a.tolist()))
    assert a.tolist() == sorted(a.tolist())
    np.testing.assert_array_equal(a, sample_documents(10_000, seed=3, max_docs=500))
    assert not np.array_equal(a, sample_documents(10_000, seed=4, max_docs=500))
    assert len(sample_documents(40, seed=3)) == 32  # 80% of a small corpus
    assert sample_documents(2, seed=3).tolist() == [0, 1]


def test_word_agreement_pairs_topics_one_to_one() -> None:
    a = [["w1", "w2", "w3", "w4"], ["x1", "x2", "x3", "x4"]]
    assert word_agreement(a, a, top_n=4) == 1.0
    assert word_agreement(a, a[::-1], top_n=4) == 1.0  # order of topics does not matter
    assert word_agreement(a, [["y1", "y2", "y3", "y4"]] * 2, top_n=4) == 0.0
    half = [["w1", "w2", "z1", "z2"], ["x1", "x2", "x3", "x4"]]
    assert word_agreement(a, half, top_n=4) == pytest.approx((0.5 + 1.0) / 2)
    # Both topics of ``a`` match the same topic best, but only one may have it.
    assert word_agreement(a, [a[0], a[0]], top_n=4) == pytest.approx(0.5)
    # A topic without a partner scores 0.
    assert word_agreement(a, a[:1], top_n=4) == pytest.approx(0.5)
    assert word_agreement([], a) == 0.0
    # Topics with fewer than top_n words (a small vocabulary) can still agree fully.
    assert word_agreement([["a", "b", "c"]], [["a", "b", "c"]]) == 1.0


def test_assignment_agreement_ignores_group_names() -> None:
    a = np.array([0, 0, 1, 1, 2, 2])
    assert assignment_agreement(a, np.array([5, 5, 3, 3, 4, 4])) == pytest.approx(1.0)
    assert assignment_agreement(np.zeros(4, int), np.zeros(4, int)) == 1.0
    assert assignment_agreement(a, np.array([0, 1, 2, 0, 1, 2])) < 0.5


@pytest.fixture(scope="module")
def planted() -> Planted:
    return planted_corpus(n_topics=5, n_docs=200, seed=4)


@pytest.mark.slow  # eight LDA and cluster refits
def test_planted_topics_are_stable_and_noise_is_not(planted: Planted) -> None:
    vocab = _vocab(planted.tokens)
    model = fit_lda(planted.tokens, vocab, n_topics=5, seed=0)
    refit, settings = lda_module.SPEC.refit, RunSettings(seed=0)
    assert refit is not None
    good = model_stability(model, planted.tokens, vocab, refit, settings)
    # The same words scattered at random over documents: no topic to come back.
    rng = np.random.default_rng(0)
    words = [w for doc in planted.tokens for w in doc]
    rng.shuffle(words)
    lengths = np.cumsum([0] + [len(doc) for doc in planted.tokens])
    noise = [words[lengths[i] : lengths[i + 1]] for i in range(len(planted.tokens))]
    noise_model = fit_lda(noise, vocab, n_topics=5, seed=0)
    bad = model_stability(noise_model, noise, vocab, refit, settings)
    assert good["stability"] >= 0.8 and good["stability_nmi"] >= 0.8
    # Noise topics still share the corpus's commonest words, so word overlap stays
    # well above 0; the documents' groups, though, do not come back.
    assert bad["stability"] < good["stability"] - 0.15
    assert bad["stability_nmi"] < 0.3


def test_cluster_stability_keeps_the_clustering_and_count(planted: Planted) -> None:
    vocab = _vocab(planted.tokens)
    embed = EmbedSettings(vector_size=20)
    settings = ClusterSettings()
    emb = embed_documents(planted.tokens, embed, seed=0)
    model = fit_clusters(planted.tokens, vocab, emb, settings, n_topics=5, seed=0)
    refit = clusters_module.SPEC.refit
    assert refit is not None
    run = RunSettings(seed=0, n_topics=5, clusters=settings, embed=embed)
    scores = model_stability(model, planted.tokens, vocab, refit, run, embeddings=emb)
    assert scores["stability"] >= 0.8
    assert scores["stability_nmi"] >= 0.8


def test_pipeline_reports_stability_only_when_asked(tmp_path: Path, planted: Planted) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    # Planted tokens ("t0w3") made into letters-only words the preprocessing keeps.
    letters = str.maketrans("0123456789", "abcdefghij")
    # 60 documents: the claims are about which metrics appear, not their values.
    for i, doc in enumerate(planted.tokens[:60]):
        text = " ".join("q" + token.translate(letters) for token in doc)
        (folder / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    base = RunSettings(n_topics=4, embed=EmbedSettings(vector_size=20))
    plain = run_pipeline(folder, base)
    assert all("stability" not in s.metrics for s in plain.scores.values())
    assert "stability" not in plain.stage_seconds

    result = run_pipeline(folder, RunSettings(**{**base.__dict__, "stability": True}))
    for name in ("lda", "clusters"):
        metrics = result.scores[name].metrics
        assert 0.0 <= metrics["stability"] <= 1.0
        assert 0.0 <= metrics["stability_nmi"] <= 1.0
        # Stability does not change the model itself.
        assert result.models[name].topic_words == plain.models[name].topic_words
    assert result.stage_seconds["stability"] > 0
    assert set(METRIC_EXPLANATIONS) >= {"stability", "stability_nmi"}
    assert json.dumps(result.settings.as_dict())  # the flag is part of the recorded settings
    assert result.settings.as_dict()["stability"] is True


def test_cluster_refits_use_the_embedder_the_run_resolved(
    planted: Planted, monkeypatch: pytest.MonkeyPatch
) -> None:
    import topics.models.embed as embed_module

    tokens = planted.tokens[:60]  # which embedder the refits use, not how well they agree
    vocab = _vocab(tokens)
    emb = embed_documents(tokens, EmbedSettings(method="lsa", vector_size=20))
    model = fit_clusters(tokens, vocab, emb, n_topics=5)
    ClusterDetails.of(model).embedder = "lsa"
    seen: list[str] = []
    real = embed_module.embed_documents

    def spy(tokens: list[list[str]], settings: EmbedSettings, **kw: object) -> np.ndarray:
        seen.append(settings.method)
        return real(tokens, settings, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(embed_module, "embed_documents", spy)
    # "auto" on samples could resolve otherwise; the refits keep the run's choice.
    refit = clusters_module.SPEC.refit
    assert refit is not None
    run = RunSettings(embed=EmbedSettings(method="auto", vector_size=20))
    model_stability(model, tokens, vocab, refit, run)
    assert seen == ["lsa", "lsa"]
