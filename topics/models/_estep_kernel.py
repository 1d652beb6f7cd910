"""The numba kernel of ``topics.models.estep`` (imported only once numba's cache is set up).

Module-level ``@njit(cache=True)`` functions, so the compiled code is stored in
``NUMBA_CACHE_DIR`` and loaded by later processes instead of compiled again.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def digamma(x: float) -> float:
    """psi(x) by gensim's series (``gensim._matutils._digamma``)."""
    if x <= 1e-6:
        return -0.5772156649015328606 - 1.0 / x + 1.6449340668482264365 * x
    value = 0.0
    while x < 8.5:
        value -= 1.0 / x
        x += 1.0
    r = 1.0 / x
    value += np.log(x) - 0.5 * r
    r = r * r
    return value - r * (
        1.0 / 12.0 - r * (1.0 / 120.0 - r * (1.0 / 252.0 - r * (1.0 / 240.0 - r * (1.0 / 132.0))))
    )


@njit(cache=True, nogil=True)
def exp_expectation(gammad: Any, out: Any) -> None:
    """out = exp(E[log theta]) under Dirichlet(gammad)."""
    total = 0.0
    for k in range(gammad.shape[0]):
        total += gammad[k]
    shift = digamma(total)
    for k in range(gammad.shape[0]):
        out[k] = np.exp(digamma(gammad[k]) - shift)


@njit(cache=True, nogil=True)
def ratios(theta: Any, beta: Any, cts: Any, eps: float, out: Any) -> None:
    """out[j] = cts[j] / phinorm[j], phinorm[j] = sum_k theta[k] beta[j, k] + eps."""
    for j in range(beta.shape[0]):
        s = 0.0
        for k in range(beta.shape[1]):
            s += theta[k] * beta[j, k]
        out[j] = cts[j] / (s + eps)


@njit(cache=True, nogil=True)
def estep_documents(
    indptr: Any,
    ids: Any,
    cts: Any,
    gamma: Any,
    exp_beta: Any,
    alpha: Any,
    iterations: int,
    threshold: float,
    eps: float,
    sstats: Any,
    collect: bool,
) -> None:
    """gensim's per-document E-step loop; updates ``gamma`` and adds to ``sstats`` in place."""
    n_docs, n_topics = gamma.shape
    # In the model's dtype, as gensim's arrays are; the sums run in float64.
    gammad = np.empty(n_topics, dtype=gamma.dtype)
    last = np.empty(n_topics, dtype=gamma.dtype)
    theta = np.empty(n_topics, dtype=gamma.dtype)
    acc = np.empty(n_topics)
    for d in range(n_docs):
        lo, hi = indptr[d], indptr[d + 1]
        n = hi - lo
        # The document's columns of the topics, one row per term (contiguous in k).
        beta = np.empty((n, n_topics), dtype=exp_beta.dtype)
        for k in range(n_topics):
            for j in range(n):
                beta[j, k] = exp_beta[k, ids[lo + j]]
        ratio = np.empty(n, dtype=gamma.dtype)
        gammad[:] = gamma[d]
        exp_expectation(gammad, theta)
        ratios(theta, beta, cts[lo:hi], eps, ratio)
        for _ in range(iterations):
            last[:] = gammad
            acc[:] = 0.0
            for j in range(n):
                r = ratio[j]
                for k in range(n_topics):
                    acc[k] += r * beta[j, k]
            for k in range(n_topics):
                gammad[k] = alpha[k] + theta[k] * acc[k]
            exp_expectation(gammad, theta)
            ratios(theta, beta, cts[lo:hi], eps, ratio)
            change = 0.0
            for k in range(n_topics):
                change += abs(gammad[k] - last[k])
            if change / n_topics < threshold:
                break
        gamma[d] = gammad
        if collect:
            for k in range(n_topics):
                for j in range(n):
                    sstats[k, ids[lo + j]] += theta[k] * ratio[j]
