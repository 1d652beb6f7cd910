"""LDA's variational E-step, compiled: gensim's ``LdaModel.inference`` without its Python loop.

gensim updates one document at a time with a handful of small NumPy calls per document
and iteration; on BBC that loop was 95% of the LDA stage (24 of 26 s). A NumPy version
over whole chunks was no faster (a few documents need all 100 iterations, so the working
set stays large). This module runs the same per-document updates (Hoffman et al.'s
online LDA with the Lee & Seung trick, phi never stored) as a numba function: the same
start (gamma drawn from the model's ``random_state`` exactly as gensim draws it), the
same convergence rule per document (mean absolute change of gamma below
``gamma_threshold``, at most ``iterations``), the same digamma series as gensim's
``_matutils``. Sums run in float64 where gensim's run in the model's float32, so topics
agree with gensim's to rounding, and a seed always gives the same topics.

The compiled function is cached on disk (numba ``cache=True`` in ``NUMBA_CACHE_DIR``, set
up by ``topics.store.compiled.ensure_numba_cache_dir``): only the first run on a
machine compiles it (~2 s).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
from gensim.models import LdaModel as GensimLdaModel


def inference(
    model: Any, chunk: Sequence[Sequence[tuple[int, float]]], collect_sstats: bool = False
) -> tuple[Any, Any]:
    """``LdaModel.inference(chunk, collect_sstats)``, compiled.

    ``model`` needs the attributes gensim's method reads: ``expElogbeta``, ``alpha``,
    ``num_topics``, ``dtype``, ``iterations``, ``gamma_threshold`` and ``random_state``.
    Returns gamma ``(n_docs, n_topics)`` and, with ``collect_sstats``, the sufficient
    statistics ``(n_topics, n_terms)`` (else None).
    """
    chunk = list(chunk)
    dtype = np.dtype(model.dtype)
    n_docs = len(chunk)
    gamma = model.random_state.gamma(100.0, 1.0 / 100.0, (n_docs, model.num_topics))
    gamma = np.ascontiguousarray(gamma, dtype=dtype)
    exp_beta = np.ascontiguousarray(model.expElogbeta, dtype=dtype)
    indptr, ids, cts = _flatten(chunk)
    alpha = np.broadcast_to(np.asarray(model.alpha, dtype=np.float64), (model.num_topics,))
    sstats = np.zeros(exp_beta.shape, dtype=np.float64) if collect_sstats else None
    _kernel()(
        indptr,
        ids,
        cts,
        gamma,
        exp_beta,
        np.ascontiguousarray(alpha),
        int(model.iterations),
        float(model.gamma_threshold),
        float(np.finfo(dtype).eps),
        sstats if sstats is not None else np.zeros((0, 0), dtype=np.float64),
        sstats is not None,
    )
    if sstats is None:
        return gamma, None
    # sstats[k, w] = sum_d n_dw exp(Elogtheta_dk + Elogbeta_kw) / phinorm_dw
    return gamma, (sstats * exp_beta).astype(dtype, copy=False)


def as_arrays(corpus: Sequence[Sequence[tuple[int, float]]]) -> Sequence[Any]:
    """Each document as an ``(n_terms, 2)`` array of (term id, count): views of one array.

    gensim hands the documents of each chunk to ``inference`` as they are; arrays are
    joined with one ``np.concatenate`` where lists of pairs take a Python loop per pass.
    """
    if isinstance(corpus, BowRows):
        return corpus  # makes its rows in this form
    if all(isinstance(doc, np.ndarray) for doc in corpus):
        return list(corpus)  # already in this form
    lengths = np.fromiter((len(doc) for doc in corpus), dtype=np.int64, count=len(corpus))
    bounds = np.zeros(len(corpus) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    flat = np.fromiter(
        (x for doc in corpus for pair in doc for x in pair),
        dtype=np.float64,
        count=2 * int(bounds[-1]),
    ).reshape(-1, 2)
    return [flat[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)]


class BowRows(Sequence[Any]):
    """A document-term count matrix as gensim's corpus: each row an ``(n_terms, 2)`` array.

    ``as_arrays``' form, made on demand (a chunk at a time) from the matrix's own arrays:
    the whole corpus as one list of arrays held a float64 (id, count) pair and a view
    object per row, twice a count matrix's memory. Counts are kept as float32 (whole
    numbers, exact) and handed out as float64, as ``rows_as_arrays`` gave them.
    """

    def __init__(self, counts: Any) -> None:
        counts = counts.tocsr()
        counts.sort_indices()
        self.shape: tuple[int, int] = counts.shape
        self.indptr = np.asarray(counts.indptr, dtype=np.int64)
        self.indices = np.asarray(counts.indices, dtype=np.int32)
        self.data = np.asarray(counts.data, dtype=np.float32)

    def __len__(self) -> int:
        return int(self.shape[0])

    def _row(self, i: int) -> Any:
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        row = np.empty((b - a, 2), dtype=np.float64)
        row[:, 0] = self.indices[a:b]
        row[:, 1] = self.data[a:b]
        return row

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, slice):
            return [self._row(i) for i in range(*key.indices(len(self)))]
        i = int(key)
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(key)
        return self._row(i)

    def __iter__(self) -> Iterator[Any]:
        return (self._row(i) for i in range(len(self)))

    def matrix(self, rows: Any = None) -> Any:
        """The counts (of ``rows`` only, in their order) as a float64 CSR matrix."""
        import scipy.sparse as sp

        counts = sp.csr_matrix((self.data, self.indices, self.indptr), shape=self.shape)
        return (counts if rows is None else counts[rows]).astype(np.float64)

    def term_totals(self) -> Any:
        """Each term's count over all documents (float64; sums of whole numbers, exact)."""
        return np.bincount(
            self.indices, weights=self.data.astype(np.float64), minlength=self.shape[1]
        )


def rows_as_arrays(counts: Any) -> list[Any]:
    """``as_arrays`` of a document-term count matrix (CSR, sorted indices): the same arrays."""
    flat = np.empty((counts.nnz, 2), dtype=np.float64)
    flat[:, 0] = counts.indices
    flat[:, 1] = counts.data
    bounds = counts.indptr.tolist()
    return [flat[a:b] for a, b in pairwise(bounds)]


def counts_of(docs: Sequence[Any], n_terms: int) -> Any:
    """The CSR document-term matrix of documents as (term id, count) arrays or pairs."""
    import scipy.sparse as sp

    if isinstance(docs, BowRows):
        return docs.matrix()
    indptr, ids, cts = _flatten(docs)
    return sp.csr_matrix((cts, ids, indptr), shape=(len(docs), n_terms))


def _flatten(chunk: Sequence[Any]) -> tuple[Any, Any, Any]:
    """The chunk's row pointers, term ids and counts (from arrays or lists of pairs)."""
    n_docs = len(chunk)
    lengths = np.fromiter((len(doc) for doc in chunk), dtype=np.int64, count=n_docs)
    indptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    nnz = int(indptr[-1])
    if n_docs and all(isinstance(doc, np.ndarray) for doc in chunk):
        flat = np.concatenate(chunk) if nnz else np.zeros((0, 2))
        return indptr, flat[:, 0].astype(np.int64), np.ascontiguousarray(flat[:, 1], np.float64)
    ids = np.fromiter((int(i) for doc in chunk for i, _ in doc), dtype=np.int64, count=nnz)
    cts = np.fromiter((c for doc in chunk for _, c in doc), dtype=np.float64, count=nnz)
    return indptr, ids, cts


class CompiledLdaModel(GensimLdaModel):
    """gensim's ``LdaModel`` with the compiled E-step (``inference``) and an M-step without
    the work that only fed gensim's log lines (``do_mstep``); all else is gensim's."""

    eta: Any  # the topic-word prior (gensim sets it in ``__init__``)

    def inference(
        self, chunk: Sequence[Sequence[tuple[int, float]]], collect_sstats: bool = False
    ) -> tuple[Any, Any]:
        return inference(self, chunk, collect_sstats)

    def do_mstep(self, rho: float, other: Any, extra_pass: bool = False) -> None:
        """gensim's ``do_mstep``: the same topics and prior with a third of its digammas.

        Per chunk gensim computes E[log beta] (a digamma of every topic-word weight) three
        times: before the blend, only to log how far the topics moved; after it; and once
        more row by row when it learns the prior ``eta``. It also ranks the words of five
        topics to log them. In a profile of a 100k-document run (K=12, 45k terms) that was
        more time than the E-step itself. Here the one E[log beta] after the blend serves both uses;
        gensim's 1-D and 2-D digamma expectations run the same sequential loop per row, so
        the prior's update is bit for bit gensim's (``tests/models/test_estep.py``).
        """
        from gensim.models.ldamodel import update_dir_prior

        self.state.blend(rho, other)
        elog_beta = self.state.get_Elogbeta()
        self.sync_state(elog_beta)
        if self.optimize_eta:
            # ``update_eta``: the rows' mean, summed in gensim's order.
            n_topics = float(elog_beta.shape[0])
            logphat = (sum(iter(elog_beta)) / n_topics).reshape((self.num_terms,))
            self.eta = update_dir_prior(self.eta, n_topics, logphat, rho)
        if not extra_pass:
            self.num_updates += other.numdocs


@lru_cache(maxsize=1)
def _kernel() -> Any:
    """The compiled per-document loop (numba imported, and compiled or loaded, on first use)."""
    from topics.store.compiled import ensure_numba_cache_dir

    ensure_numba_cache_dir()
    from topics.models._estep_kernel import estep_documents

    return estep_documents
