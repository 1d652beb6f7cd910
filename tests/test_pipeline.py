"""The whole pipeline's wiring (each stage has its own tests)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import planted_corpus
from topics.pipeline import run_pipeline


def _word(token: str) -> str:
    """``t3w11`` -> a letters-only word the tokenizer and lemmatizer keep as it is."""
    topic, word = token[1:].split("w")
    return "zq" + chr(97 + int(topic)) + chr(97 + int(word)) * 2 + "x"


@pytest.mark.slow
def test_both_models_on_auto_share_one_count(tmp_path: Path) -> None:
    planted = planted_corpus(n_topics=5, n_docs=150, seed=4)
    for i, doc in enumerate(planted.tokens):
        (tmp_path / f"doc{i:03d}.txt").write_text(" ".join(map(_word, doc)), encoding="utf-8")
    result = run_pipeline(tmp_path)
    lda, clusters = result.models["lda"], result.models["clusters"]
    assert list(result.models) == ["lda", "clusters"]
    assert lda.n_topics == clusters.n_topics
    assert abs(clusters.n_topics - 5) <= 1
    assert "same count as the embedding-cluster model" in lda.extras["n_topics_rule"]
    assert clusters.extras["auto_curve"]
    # Every topic is named, distinctly within its model.
    for model in (lda, clusters):
        assert len(set(model.names)) == model.n_topics
