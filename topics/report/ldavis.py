"""The pyLDAvis panel's data, prepared with the model's own topic order (0-based ids)."""

from __future__ import annotations

import json
import logging
import warnings
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from topics.store.keys import jsonable
from topics.types import TopicModelResult

log = logging.getLogger(__name__)


def ldavis_panel(
    model: TopicModelResult,
    tokens: list[list[str]],
    display: Callable[[str], str] | None = None,
) -> dict[str, Any] | None:
    """pyLDAvis ``PreparedData`` as a dict, or None when it cannot be drawn (fewer than 2 topics).

    ``sort_topics=False`` and ``start_index=0`` keep the panel's topic ids equal to ours.
    ``display`` shows each term as the text spells it (``Preprocessed.display``).
    """
    if model.n_topics < 2:
        return None
    import pyLDAvis

    _rank_relevance_with_numpy()

    counts = Counter(t for doc in tokens for t in doc)
    term_frequency = np.array([counts.get(w, 0) for w in model.vocab], dtype=np.float64)
    keep = term_frequency > 0
    vocab = [w for w, k in zip(model.vocab, keep, strict=True) if k]
    topic_term = model.topic_term[:, keep]
    topic_term = topic_term / topic_term.sum(axis=1, keepdims=True)
    doc_topic = model.doc_topic
    doc_lengths = np.array([len(doc) for doc in tokens], dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            prepared = pyLDAvis.prepare(
                topic_term,
                doc_topic,
                doc_lengths,
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


def _rank_relevance_with_numpy() -> None:
    """Rank pyLDAvis's relevance with numpy, every lambda at once, where the ranking is strict.

    ``prepare`` ranks every topic's terms at 101 values of lambda with a pandas
    ``apply(nlargest)``, one joblib job per lambda when ``n_jobs=1``: ~0.35 s of CPU even
    for 3 topics and 50 terms, half of a small run; ranked one lambda at a time with numpy
    it still cost ~0.09 s (101 small DataFrames). Here all lambdas are ranked in one job
    with numpy, and only where the top terms are strictly ordered (no ties, no NaN), where
    any correct ranking is the same; a lambda with ties or NaN is ranked by pyLDAvis as
    before.
    """
    from pyLDAvis import _prepare

    one = getattr(_prepare, "_find_relevance", None)
    chunks = getattr(_prepare, "_find_relevance_chunks", None)
    job_chunks = getattr(_prepare, "_job_chunks", None)
    if one is None or chunks is None or job_chunks is None:
        return  # another pyLDAvis version: its own ranking, unchanged
    if getattr(chunks, "ranks_with_numpy", False):
        return

    def find_relevance_chunks(log_ttd: Any, log_lift: Any, R: int, lambda_seq: Any) -> Any:
        # pyLDAvis's own one-lambda ranking, looked up when called (a test may wrap it).
        return _top_terms_at_every_lambda(
            log_ttd, log_lift, R, lambda_seq, _prepare._find_relevance
        )

    def one_job(lambda_seq: Any, n_jobs: int) -> Any:
        # pyLDAvis cuts the lambdas into chunks of ``n_jobs`` values: 101 jobs for n_jobs=1.
        return iter([lambda_seq]) if n_jobs == 1 else job_chunks(lambda_seq, n_jobs)

    find_relevance_chunks.ranks_with_numpy = True  # type: ignore[attr-defined]
    find_relevance_chunks.original = chunks  # type: ignore[attr-defined]
    one_job.original = job_chunks  # type: ignore[attr-defined]
    _prepare._find_relevance_chunks = find_relevance_chunks
    _prepare._job_chunks = one_job


#: Relevance values ranked at once (lambdas x topics x terms): ~32 MB of float64.
_BLOCK_VALUES = 4_000_000


def _top_terms_at_every_lambda(
    log_ttd: Any, log_lift: Any, top_n: int, lambdas: Any, fallback: Callable[..., Any]
) -> Any:
    """pyLDAvis's ``_find_relevance_chunks``: each lambda's top ``top_n`` terms per topic.

    The same frame as pyLDAvis's (one block of ``top_n`` rows per lambda, a column per
    topic, term ids as values) wherever the top terms are strictly ordered; a lambda with
    ties or NaN among them is ranked by ``fallback`` (pyLDAvis's ``_find_relevance``).
    """
    import pandas as pd

    ttd = log_ttd.to_numpy(dtype=np.float64)
    lift = log_lift.to_numpy(dtype=np.float64)
    terms = log_ttd.columns.to_numpy()
    n_topics, n_terms = ttd.shape
    keep = min(top_n, n_terms)
    width = min(keep + 1, n_terms)  # one more, to see a tie at the cut
    lambdas = list(lambdas)
    block = max(1, _BLOCK_VALUES // max(1, n_topics * n_terms))
    ranked: list[Any] = []  # per lambda: (keep, n_topics) term ids, or None to fall back
    for start in range(0, len(lambdas), block):
        lam = np.asarray(lambdas[start : start + block], dtype=np.float64)[:, None, None]
        # The same operations, in the same order, as pyLDAvis's pandas expression.
        relevance = lam * ttd + (1 - lam) * lift
        if width < n_terms:
            idx = np.argpartition(-relevance, width - 1, axis=2)[..., :width]
        else:
            idx = np.broadcast_to(np.arange(n_terms), relevance.shape).copy()
        values = np.take_along_axis(relevance, idx, axis=2)
        order = np.argsort(-values, axis=2, kind="stable")
        top = np.take_along_axis(idx, order, axis=2)
        values = np.take_along_axis(values, order, axis=2)
        strict = (np.diff(values, axis=2) < 0).all(axis=(1, 2))
        strict &= ~np.isnan(relevance).any(axis=(1, 2))
        for i, ok in enumerate(strict):
            ranked.append(terms[top[i, :, :keep]].T if ok else None)
    columns = log_ttd.index
    if all(r is not None for r in ranked):
        return pd.DataFrame(
            np.concatenate(ranked), columns=columns, index=np.tile(np.arange(keep), len(ranked))
        )
    return pd.concat(
        [
            pd.DataFrame(r, columns=columns)
            if r is not None
            else fallback(log_ttd, log_lift, top_n, lambda_)
            for r, lambda_ in zip(ranked, lambdas, strict=True)
        ]
    )
