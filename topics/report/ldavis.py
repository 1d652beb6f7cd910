"""The pyLDAvis panel's data, prepared with the model's own topic order (0-based ids)."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from topics.store.keys import jsonable
from topics.types import TopicModelResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenCounts:
    """How often each term of ``vocab`` occurs, and how many tokens each document has."""

    vocab: list[str]
    term_frequency: npt.NDArray[np.int64]
    doc_lengths: npt.NDArray[np.int64]

    def frequency_of(self, terms: list[str]) -> npt.NDArray[np.int64]:
        """The corpus frequency of each of ``terms`` (0 for a term not in ``vocab``)."""
        if terms == self.vocab:
            return self.term_frequency
        index = {t: i for i, t in enumerate(self.vocab)}
        return np.array([self.term_frequency[index[t]] if t in index else 0 for t in terms])


#: Documents counted at once: the count matrix of one chunk, never of the whole corpus
#: (~1.8 KB a document at 100k: ~2 GB for a million, ~40 MB for a chunk).
COUNT_CHUNK = 20_000


def token_counts(tokens: Sequence[Sequence[str]], vocab: list[str]) -> TokenCounts:
    """Term frequencies and document lengths over ``vocab`` (other tokens are not counted).

    Counted by ``count_matrix`` a chunk of documents at a time.
    """
    from topics.models.ctfidf import count_matrix

    n_docs = len(tokens)
    frequency = np.zeros(len(vocab), dtype=np.int64)
    lengths = np.zeros(n_docs, dtype=np.int64)
    for start in range(0, n_docs, COUNT_CHUNK):
        stop = min(start + COUNT_CHUNK, n_docs)
        counts = count_matrix(tokens[start:stop], vocab)
        frequency += np.asarray(counts.sum(axis=0), dtype=np.int64).ravel()
        lengths[start:stop] = np.asarray(counts.sum(axis=1), dtype=np.int64).ravel()
    return TokenCounts(vocab=vocab, term_frequency=frequency, doc_lengths=lengths)


def ldavis_panel(
    model: TopicModelResult,
    tokens: Sequence[Sequence[str]] | None,
    display: Callable[[str], str] | None = None,
    *,
    counts: TokenCounts | None = None,
) -> dict[str, Any] | None:
    """pyLDAvis ``PreparedData`` as a dict, or None when it cannot be drawn (fewer than 2 topics).

    ``sort_topics=False`` and ``start_index=0`` keep the panel's topic ids equal to ours.
    ``display`` shows each term as the text spells it (``Preprocessed.display``).
    ``counts`` (``token_counts`` of the corpus) saves counting ``tokens`` again.
    """
    if model.n_topics < 2:
        return None
    import pyLDAvis

    _rank_relevance_with_numpy()

    if counts is None:
        if tokens is None:
            raise ValueError("ldavis_panel needs the tokens or their counts")
        counts = token_counts(tokens, list(model.vocab))
    term_frequency = counts.frequency_of(list(model.vocab)).astype(np.float64)
    keep = term_frequency > 0
    vocab = [w for w, k in zip(model.vocab, keep, strict=True) if k]
    topic_term = model.topic_term[:, keep]
    topic_term = topic_term / topic_term.sum(axis=1, keepdims=True)
    # pyLDAvis reads the documents only for each topic's token total: given every
    # document it copies the (n_docs, n_topics) matrix three times (~2 GB at a million
    # documents and 100 topics). It gets one "document" per topic instead, a topic's
    # whole weight in one, as long as that topic's total: the same sums to the bit.
    topic_freq = topic_token_totals(model.doc_topic, counts.doc_lengths)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            prepared = pyLDAvis.prepare(
                topic_term,
                np.eye(model.n_topics),
                topic_freq,
                vocab,
                term_frequency[keep],
                R=30,
                mds="pcoa",
                n_jobs=1,
                sort_topics=False,
                start_index=0,
            )
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as exc:
            log.warning("pyLDAvis panel not drawn: %s", exc)
            return None
    data: dict[str, Any] = json.loads(prepared.to_json())
    if display is not None and "Term" in data.get("tinfo", {}):
        data["tinfo"]["Term"] = [display(term) for term in data["tinfo"]["Term"]]
    panel: dict[str, Any] = jsonable(data, finite=True)
    return panel


def topic_token_totals(doc_topic: Any, doc_lengths: Any) -> npt.NDArray[np.float64]:
    """Each topic's tokens, ``sum_d doc_topic[d, k] * doc_lengths[d]``, as pyLDAvis sums them.

    pandas sums each column of the float64 product as one contiguous vector (numpy's
    pairwise sum); so does this, a column at a time, so the totals are bit-identical to
    ``prepare``'s own with every document.
    """
    lengths = np.asarray(doc_lengths, dtype=np.float64)
    out = np.empty(doc_topic.shape[1], dtype=np.float64)
    column = np.empty(len(lengths), dtype=np.float64)
    for k in range(doc_topic.shape[1]):
        column[:] = doc_topic[:, k]
        column *= lengths
        out[k] = np.sum(column)
    return out


def _rank_relevance_with_numpy() -> None:
    """Rank pyLDAvis's relevance with numpy, every lambda at once, as pandas ranks it.

    ``prepare`` ranks every topic's terms at 101 values of lambda with a pandas
    ``apply(nlargest)``, one joblib job per lambda when ``n_jobs=1``: ~0.35 s of CPU even
    for 3 topics and 50 terms, half of a small run (and more for the cluster model, whose
    tied weights the earlier numpy ranking left to pandas). Here all lambdas are ranked
    in one job by one stable sort, which orders terms exactly as ``nlargest`` does: by
    relevance, ties by term id, NaN last.
    """
    from pyLDAvis import _prepare

    chunks = getattr(_prepare, "_find_relevance_chunks", None)
    job_chunks = getattr(_prepare, "_job_chunks", None)
    if chunks is None or job_chunks is None or not hasattr(_prepare, "_find_relevance"):
        return  # another pyLDAvis version: its own ranking, unchanged
    if getattr(chunks, "ranks_with_numpy", False):
        return

    def one_job(lambda_seq: Any, n_jobs: int) -> Any:
        # pyLDAvis cuts the lambdas into chunks of ``n_jobs`` values: 101 jobs for n_jobs=1.
        return iter([lambda_seq]) if n_jobs == 1 else job_chunks(lambda_seq, n_jobs)

    _top_terms_at_every_lambda.ranks_with_numpy = True  # type: ignore[attr-defined]
    _top_terms_at_every_lambda.original = chunks  # type: ignore[attr-defined]
    one_job.original = job_chunks  # type: ignore[attr-defined]
    _prepare._find_relevance_chunks = _top_terms_at_every_lambda
    _prepare._job_chunks = one_job


#: Relevance values ranked at once (lambdas x topics x terms): 8 MB of float64.
_BLOCK_VALUES = 1_000_000


def _top_terms_at_every_lambda(log_ttd: Any, log_lift: Any, R: int, lambda_seq: Any) -> Any:
    """pyLDAvis's ``_find_relevance_chunks``: each lambda's top ``R`` terms per topic.

    The same frame as pyLDAvis's (a block of ``min(R, n_terms)`` rows per lambda, a column
    per topic, term ids as values). pandas ``nlargest(R)`` (keep="first") lists values
    from the largest, equal values in term order, NaN after every number in term order:
    the first ``R`` of a stable ascending sort of the negated values, which sorts NaN last.
    """
    import pandas as pd

    ttd = log_ttd.to_numpy(dtype=np.float64)
    lift = log_lift.to_numpy(dtype=np.float64)
    terms = log_ttd.columns.to_numpy()
    n_topics, n_terms = ttd.shape
    keep = min(R, n_terms)
    lambdas = np.asarray(lambda_seq, dtype=np.float64)
    block = max(1, _BLOCK_VALUES // max(1, n_topics * n_terms))
    ranked = []
    for start in range(0, len(lambdas), block):
        lam = lambdas[start : start + block, None, None]
        # The same operations, in the same order, as pyLDAvis's pandas expression.
        relevance = lam * ttd + (1 - lam) * lift
        top = _first_of_stable_sort(-relevance.reshape(-1, n_terms), keep)
        # (lambdas, topics, keep) -> rows of ``keep`` per lambda, a column per topic
        top = top.reshape(-1, n_topics, keep)
        ranked.append(terms[top].transpose(0, 2, 1).reshape(-1, n_topics))
    return pd.DataFrame(
        np.concatenate(ranked), columns=log_ttd.index, index=np.tile(np.arange(keep), len(lambdas))
    )


def _first_of_stable_sort(values: Any, keep: int) -> Any:
    """``np.argsort(values, axis=1, kind="stable")[:, :keep]`` without sorting whole rows.

    Each row's ``keep``-th smallest value is found by partition; only the values up to it
    (ties included) are sorted, stably by value then column, as the full sort orders them.
    At 45k terms that is ~10x less work per row than the sort. A row with fewer than
    ``keep`` numbers (NaN sorts last) takes the full sort.
    """
    n_rows, n_cols = values.shape
    if keep >= n_cols:
        return np.argsort(values, axis=1, kind="stable")[:, :keep]
    out = np.empty((n_rows, keep), dtype=np.int64)
    kth = np.partition(values, keep - 1, axis=1)[:, keep - 1]
    short = np.isnan(kth)
    if short.any():
        out[short] = np.argsort(values[short], axis=1, kind="stable")[:, :keep]
    full = np.flatnonzero(~short)
    sub = values[full]
    rows, cols = np.nonzero(sub <= kth[full, None])
    # By row, then value; lexsort is stable, so equal values stay in column order.
    order = np.lexsort((sub[rows, cols], rows))
    counts = np.bincount(rows, minlength=len(full))
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    out[full] = cols[order][starts[:, None] + np.arange(keep)]
    return out
