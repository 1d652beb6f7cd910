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
    docs, id2word = _bow(planted.tokens, vocab)
    model = _start(docs, id2word, 6, LdaSettings(init="random"), seed=3)
    model.update(docs, passes=2)
    return model, _pairs(docs)


def _pairs(docs: list[Any]) -> list[list[tuple[int, int]]]:
    """Documents as gensim's lists of (term id, count) pairs."""
    return [[(int(i), int(c)) for i, c in doc] for doc in docs]


def test_bow_arrays_are_the_sorted_counts_of_each_document() -> None:
    from collections import Counter

    from topics.models.lda import _bow

    vocab = ["b", "a", "c"]
    tokens = [["a", "b", "a", "x"], [], ["x"], ["c", "c", "b"]]
    docs, id2word = _bow(tokens, vocab)
    index = {w: i for i, w in enumerate(vocab)}
    expected = [
        sorted((index[w], n) for w, n in Counter(t for t in doc if t in index).items())
        for doc in tokens
    ]
    assert _pairs(docs) == expected and id2word == {0: "b", 1: "a", 2: "c"}
    assert all(doc.dtype == np.float64 and doc.shape[1:] == (2,) for doc in docs)
    assert [d.tolist() for d in as_arrays(expected)] == [d.tolist() for d in docs]


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


def test_mstep_is_gensims_bit_for_bit(trained: tuple) -> None:
    import copy

    from gensim.models import LdaModel
    from gensim.models.ldamodel import LdaState

    model, corpus = trained
    assert model.optimize_eta  # the default prior is learned: the update_eta path runs
    _, sstats = inference(copy.deepcopy(model), corpus, True)
    other = LdaState(model.eta, model.state.sstats.shape, model.dtype)
    other.sstats, other.numdocs = sstats, len(corpus)
    ours, theirs = copy.deepcopy(model), copy.deepcopy(model)
    ours.do_mstep(0.3, copy.deepcopy(other))
    LdaModel.do_mstep(theirs, 0.3, copy.deepcopy(other))
    for name in ("expElogbeta", "eta", "num_updates"):
        assert np.array_equal(getattr(ours, name), getattr(theirs, name)), name
    assert np.array_equal(ours.state.sstats, theirs.state.sstats)
    assert np.array_equal(ours.state.eta, theirs.state.eta)


def test_training_with_our_mstep_gives_gensims_topics(planted: Planted) -> None:
    from gensim.models import LdaModel

    from topics.models.lda import LdaSettings, _bow, _start

    vocab = sorted({t for doc in planted.tokens for t in doc})
    corpus, id2word = _bow(planted.tokens, vocab)

    class GensimMstep(CompiledLdaModel):
        do_mstep = LdaModel.do_mstep

    ours = _start(corpus, id2word, 5, LdaSettings(init="random", chunksize=40), seed=1)
    theirs = _copy_as(ours, GensimMstep)
    ours.update(as_arrays(corpus), passes=3)
    theirs.update(as_arrays(corpus), passes=3)
    assert np.array_equal(ours.get_topics(), theirs.get_topics())
    assert np.array_equal(ours.eta, theirs.eta)


def _copy_as(model: CompiledLdaModel, cls: type) -> Any:
    """A deep copy of ``model`` whose class is ``cls``."""
    import copy

    twin = copy.deepcopy(model)
    twin.__class__ = cls
    return twin


def test_bow_rows_hand_out_the_arrays_of_rows_as_arrays() -> None:
    """``BowRows`` (rows made on demand) holds what ``rows_as_arrays`` listed, row for row."""
    from topics.models.ctfidf import count_matrix
    from topics.models.estep import BowRows, counts_of, rows_as_arrays

    tokens = [["a", "b", "a"], [], ["c", "c", "c", "b"], ["b"]]
    counts = count_matrix(tokens, ["b", "a", "c"])
    rows, listed = BowRows(counts), rows_as_arrays(counts)
    assert len(rows) == 4
    for got in (list(rows), rows[0:4], [rows[i] for i in range(-4, 0)], as_arrays(rows)):
        assert [d.tolist() for d in got] == [d.tolist() for d in listed]
        assert all(d.dtype == np.float64 for d in got)
    with pytest.raises(IndexError):
        rows[4]
    assert (counts_of(rows, 3) != counts).nnz == 0
    assert (rows.matrix([2, 0]) != counts[[2, 0]]).nnz == 0
    np.testing.assert_array_equal(rows.term_totals(), np.asarray(counts.sum(axis=0)).ravel())


def test_lda_on_bow_rows_equals_lda_on_listed_arrays(planted: Planted) -> None:
    """Regression: the corpus made a chunk at a time fits the same model as the list."""
    from topics.models.ctfidf import count_matrix
    from topics.models.estep import BowRows, rows_as_arrays
    from topics.models.lda import LdaSettings, _fit, _result

    vocab = sorted({t for doc in planted.tokens for t in doc})
    counts = count_matrix(planted.tokens, vocab)
    id2word = dict(enumerate(vocab))
    settings = LdaSettings(chunksize=50)
    fits = []
    for corpus in (BowRows(counts), rows_as_arrays(counts)):
        model = _fit(corpus, id2word, 6, settings, seed=1, passes=2)
        fits.append(_result(model, corpus, vocab, settings, 6, 1))
    np.testing.assert_array_equal(fits[0].topic_term, fits[1].topic_term)
    np.testing.assert_array_equal(fits[0].doc_topic, fits[1].doc_topic)
