from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.conftest import Planted
from topics.models.estep import CompiledLdaModel, as_arrays, inference


@pytest.fixture(scope="module")
def trained(planted: Planted) -> tuple[CompiledLdaModel, list[list[tuple[int, int]]]]:
    """A model a few passes into training (topics far from uniform), and its corpus."""
    from topics.models.lda import LdaSettings, _bow, _start

    vocab = sorted({t for doc in planted.tokens for t in doc})
    corpus, id2word = _bow(planted.tokens, vocab)
    model = _start(corpus, id2word, 6, LdaSettings(init="random"), seed=3)
    model.update(as_arrays(corpus), passes=2)
    return model, corpus


def _both(model: CompiledLdaModel, docs: list, collect: bool) -> tuple[Any, Any]:
    from gensim.models import LdaModel

    state = model.random_state.get_state()
    ours = inference(model, docs, collect)
    model.random_state.set_state(state)
    theirs = LdaModel.inference(model, docs, collect)
    return ours, theirs


def test_compiled_estep_matches_gensims_to_rounding(trained: tuple) -> None:
    model, corpus = trained
    (gamma, sstats), (gamma_g, sstats_g) = _both(model, corpus, True)
    assert gamma.dtype == gamma_g.dtype and sstats.dtype == sstats_g.dtype
    assert sstats.shape == sstats_g.shape
    # Same start, same updates and stopping rule: only float32 rounding differs.
    np.testing.assert_allclose(gamma, gamma_g, rtol=2e-3, atol=1e-3)
    np.testing.assert_allclose(sstats, sstats_g, rtol=2e-3, atol=1e-3 * sstats_g.max())
    assert np.array_equal(gamma.argmax(axis=1), gamma_g.argmax(axis=1))


def test_without_sstats_and_with_empty_documents(trained: tuple) -> None:
    model, corpus = trained
    docs = [corpus[0], [], corpus[1]]
    (gamma, sstats), (gamma_g, _) = _both(model, docs, False)
    assert sstats is None
    # An empty document ends at the prior, as in gensim.
    np.testing.assert_allclose(gamma[1], model.alpha, rtol=1e-6)
    np.testing.assert_allclose(gamma, gamma_g, rtol=2e-3, atol=1e-3)


def test_array_documents_give_the_same_result_as_pairs(trained: tuple) -> None:
    model, corpus = trained
    state = model.random_state.get_state()
    from_pairs = inference(model, corpus[:50], True)
    model.random_state.set_state(state)
    from_arrays = inference(model, as_arrays(corpus[:50]), True)
    for a, b in zip(from_pairs, from_arrays, strict=True):
        assert np.array_equal(a, b)
    assert [list(map(tuple, d.astype(int).tolist())) for d in as_arrays(corpus[:5])] == [
        list(doc) for doc in corpus[:5]
    ]
