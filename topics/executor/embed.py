"""Embeddings and UMAP on a cluster: fit on the client (on a seeded sample), apply on workers.

LSA: the documents' sublinear TF-IDF needs the corpus's document frequencies, summed
from per-shard counts (map-reduce); the SVD basis is fitted on the client on a seeded
sample of at most ``SVD_SAMPLE`` documents (all of them below that, as on one machine),
and every shard is projected onto it on the workers.

UMAP: fitted on the client on a seeded sample of at most ``UMAP_SAMPLE`` documents;
the workers ``transform`` their shards with the fitted model. Below the sample size
the whole corpus is the sample, fitted on the client exactly as on one machine.

Network: the token lists go to the workers once (LSA); the vocabulary, the IDF and the
basis (``n_dims x n_terms`` floats) go to each worker once; each worker returns its
shard's vectors. UMAP sends each worker the fitted model (its sample's kNN graph and
layout: tens of MB at 20,000 documents) and its shard's embeddings.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from topics.executor import Executor, shards_of
from topics.types import FloatArray, Tokens, used_terms

#: The SVD basis is fitted on at most this many documents (seeded sample).
SVD_SAMPLE = 20_000
#: UMAP is fitted on at most this many documents (seeded sample), then applied to all.
UMAP_SAMPLE = 20_000
#: Shards per worker: several, so a slow worker does not hold up the whole map.
SHARDS_PER_WORKER = 4


def _n_shards(executor: Executor, n: int) -> int:
    return max(1, min(n, executor.n_workers * SHARDS_PER_WORKER))


def _document_frequency(tokens: Tokens, vocab: list[str]) -> Any:
    from topics.models.ctfidf import count_matrix

    counts = count_matrix(tokens, vocab)
    return np.bincount(counts.indices, minlength=len(vocab))


def _pair_frequency(shard: tuple[list[list[str]], Any], vocab: list[str]) -> Any:
    return _document_frequency(shard[0], vocab)


def idf_of(
    executor: Executor, handles: list[Any], vocab: list[str], n: int, *, with_labels: bool = False
) -> FloatArray:
    """scikit-learn's smooth IDF from per-shard document frequencies (map-reduce).

    ``handles`` are scattered token-list shards, or ``(tokens, labels)`` shards with
    ``with_labels``.
    """
    counter = _pair_frequency if with_labels else _document_frequency
    df = np.sum(executor.map(counter, handles, vocab), axis=0)
    # As TfidfTransformer(smooth_idf=True) computes it on the whole matrix.
    idf: FloatArray = np.log((1.0 + n) / (1.0 + df)) + 1.0
    return idf


def tfidf_rows(tokens: Tokens, vocab: list[str], idf: FloatArray) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows of unit length with a given IDF (``document_weights``' formula)."""
    from sklearn.preprocessing import normalize

    from topics.models.ctfidf import count_matrix

    counts = count_matrix(tokens, vocab)
    counts.data = 1.0 + np.log(counts.data)
    weighted = sparse.csr_matrix(counts.multiply(idf[np.newaxis, :]))
    return sparse.csr_matrix(normalize(weighted, norm="l2"), dtype=np.float64)


def _project(tokens: Tokens, basis: tuple[list[str], FloatArray, FloatArray]) -> FloatArray:
    vocab, idf, components = basis
    projected: FloatArray = np.asarray(tfidf_rows(tokens, vocab, idf) @ components.T)
    return projected


def lsa_vectors(
    tokens: Tokens,
    vector_size: int,
    seed: int,
    executor: Executor,
    sample: int = SVD_SAMPLE,
) -> npt.NDArray[np.float32]:
    """``topics.models.embed.lsa_vectors`` with counting and projection on the workers."""
    from sklearn.decomposition import TruncatedSVD

    from topics.models.embed import EmbedSettings
    from topics.models.embed import lsa_vectors as local_lsa

    n = len(tokens)
    vocab = used_terms(tokens)
    rank = min(vector_size, n - 1, len(vocab) - 1)
    if rank < 1:
        return local_lsa(tokens, EmbedSettings(method="lsa", vector_size=vector_size), seed)
    handles = executor.scatter(
        [tokens[r.start : r.stop] for r in shards_of(n, _n_shards(executor, n))]
    )
    idf = idf_of(executor, handles, vocab, n)
    rows = _sample(n, sample, seed)
    svd = TruncatedSVD(n_components=rank, algorithm="randomized", random_state=seed)
    svd.fit(tfidf_rows([tokens[i] for i in rows], vocab, idf))
    parts = executor.map(_project, handles, (vocab, idf, svd.components_))
    out = np.zeros((n, vector_size), dtype=np.float32)
    out[:, :rank] = np.concatenate(parts)
    return out


def _transform(rows: Any, model: Any) -> FloatArray:
    from topics.store.compiled import ensure_numba_cache_dir

    ensure_numba_cache_dir()
    reduced: FloatArray = np.asarray(model.transform(rows), dtype=np.float64)
    return reduced


def umap_sample_transform(
    data: npt.NDArray[np.float32],
    model: Any,
    seed: int,
    executor: Executor,
    sample: int = UMAP_SAMPLE,
) -> FloatArray:
    """Fit ``model`` (an unfitted UMAP) on a seeded sample; transform every shard on the workers.

    With at most ``sample`` documents, ``model.fit_transform`` on the client: the
    one-machine result, and no UMAP compilation on the workers.
    """
    n = data.shape[0]
    if n <= sample:
        return np.asarray(model.fit_transform(data), dtype=np.float64)
    model.fit(data[_sample(n, sample, seed)])
    shards = [data[r.start : r.stop] for r in shards_of(n, _n_shards(executor, n))]
    return np.concatenate(executor.map(_transform, shards, model))


def _sample(n: int, size: int, seed: int) -> Any:
    """Sorted row indices of a seeded sample of ``size`` rows (all rows when ``n <= size``)."""
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed).permutation(n)[:size])
