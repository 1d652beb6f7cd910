"""LDA on a cluster: gensim's variational E-step on the workers, the M-step on the client.

The scheme of gensim's distributed mode (``gensim.models.lda_dispatcher`` /
``lda_worker``): each worker runs ``LdaModel.inference`` on its documents against the
current topics and returns its sufficient statistics; the client sums them and blends
them into the topics (``LdaModel.do_mstep``). Here every chunk of ``chunksize``
documents, the unit of one online update in the one-machine fit, is cut into one part
per worker, so the sequence of M-steps and their learning rates ``rho`` are those of
the one-machine run; the asymmetric ``alpha`` is updated from the parts' topic weights
in part order, as ``LdaModel.update`` does for a whole chunk.

What differs from one machine is only the random start of each document's topic
weights: each part draws it from its own seed (run seed, pass, chunk, part), where one
machine draws from one stream. So the same seed gives the same topics on a cluster of
the same size, and topics within a small tolerance of the one-machine fit
(``tests/executor/test_lda.py``, ``bench/scale.py --executor both``).

Network: the documents' bag-of-words go to the workers once; per M-step each worker
receives the topics (``n_topics x n_terms`` floats) and ``alpha`` and returns its
sufficient statistics (the same size) and its documents' topic weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from topics.executor import Executor, shards_of
from topics.types import FloatArray

Bow = list[list[tuple[int, int]]]


@dataclass(frozen=True)
class _State:
    """What a worker's E-step needs from the client's model (picklable, no corpus)."""

    exp_elog_beta: Any
    alpha: Any
    iterations: int
    gamma_threshold: float
    seed: int
    pass_: int


class _Inference:
    """The attributes ``LdaModel.inference`` reads from ``self``, and nothing else."""

    def __init__(self, state: _State, chunk_no: int, part_no: int) -> None:
        self.expElogbeta = state.exp_elog_beta
        self.alpha = state.alpha
        self.num_topics = state.exp_elog_beta.shape[0]
        self.dtype = state.exp_elog_beta.dtype
        self.iterations = state.iterations
        self.gamma_threshold = state.gamma_threshold
        entropy = np.random.SeedSequence([state.seed, state.pass_, chunk_no, part_no])
        self.random_state = np.random.RandomState(int(entropy.generate_state(1)[0]))


def _estep(part: tuple[int, int, Bow], state: _State) -> tuple[Any, Any]:
    """One worker's E-step: (sufficient statistics, topic weights) of its documents."""
    from topics.models.estep import inference

    chunk_no, part_no, docs = part
    gamma, sstats = inference(_Inference(state, chunk_no, part_no), docs, True)
    return sstats, gamma


def _gamma(part: tuple[int, int, Bow], state: _State) -> Any:
    from topics.models.estep import inference

    chunk_no, part_no, docs = part
    gamma, _ = inference(_Inference(state, chunk_no, part_no), docs)
    return gamma


class ShardedCorpus:
    """A bag-of-words corpus cut into parts and scattered to the workers once."""

    def __init__(self, corpus: Bow, chunksize: int, executor: Executor) -> None:
        self.n_docs = len(corpus)
        self.chunksize = max(1, min(self.n_docs, chunksize))
        parts: list[tuple[int, int, Bow]] = []
        self.chunks: list[list[int]] = []
        for chunk_no, start in enumerate(range(0, self.n_docs, self.chunksize)):
            chunk = corpus[start : start + self.chunksize]
            ids = []
            for part_no, rows in enumerate(shards_of(len(chunk), executor.n_workers)):
                ids.append(len(parts))
                parts.append((chunk_no, part_no, chunk[rows.start : rows.stop]))
            self.chunks.append(ids)
        self.executor = executor
        self.handles = executor.scatter(parts)


def update(model: Any, data: ShardedCorpus, *, passes: int, seed: int) -> None:
    """``LdaModel.update(corpus, passes=passes)`` with each chunk's E-step on the workers."""
    from gensim.models.ldamodel import LdaState

    model.state.numdocs += data.n_docs
    for pass_ in range(passes):
        for ids in data.chunks:
            rho = pow(model.offset + pass_ + model.num_updates / data.chunksize, -model.decay)
            state = _state(model, seed, pass_)
            results = data.executor.map(_estep, [data.handles[i] for i in ids], state)
            merged = LdaState(model.eta, model.state.sstats.shape, model.dtype)
            for sstats, gamma in results:  # part order: a fixed sum for a fixed cluster size
                merged.sstats += sstats
                merged.numdocs += gamma.shape[0]
            if model.optimize_alpha:
                model.update_alpha(np.concatenate([gamma for _, gamma in results]), rho)
            model.do_mstep(rho, merged, pass_ > 0)


def infer(model: Any, data: ShardedCorpus, *, seed: int, passes: int) -> FloatArray:
    """Each document's topic distribution under the fitted model, computed on the workers."""
    state = _state(model, seed, passes)
    gammas = data.executor.map(_gamma, data.handles, state)
    gamma = np.concatenate(gammas).astype(np.float64)
    out: FloatArray = gamma / gamma.sum(axis=1, keepdims=True)
    return out


def _state(model: Any, seed: int, pass_: int) -> _State:
    return _State(
        exp_elog_beta=model.expElogbeta,
        alpha=model.alpha,
        iterations=model.iterations,
        gamma_threshold=model.gamma_threshold,
        seed=seed,
        pass_=pass_,
    )
