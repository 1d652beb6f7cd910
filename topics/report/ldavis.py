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
    """Rank pyLDAvis's relevance with numpy where the ranking is unambiguous.

    ``prepare`` ranks every topic's terms at 101 values of lambda with a pandas
    ``apply(nlargest)``: ~0.35 s of CPU even for 3 topics and 50 terms, half of a small
    run. The numpy ranking is used only when the top terms are strictly ordered (no ties,
    no NaN), where any correct ranking is the same; otherwise pyLDAvis ranks as before.
    """
    from pyLDAvis import _prepare

    original = getattr(_prepare, "_find_relevance", None)
    if original is None or getattr(original, "ranks_with_numpy", False):
        return  # another pyLDAvis version: its own ranking, unchanged

    def find_relevance(log_ttd: Any, log_lift: Any, R: int, lambda_: float) -> Any:
        top = _strict_top_terms(lambda_ * log_ttd + (1 - lambda_) * log_lift, R)
        return original(log_ttd, log_lift, R, lambda_) if top is None else top

    find_relevance.ranks_with_numpy = True  # type: ignore[attr-defined]
    find_relevance.original = original  # type: ignore[attr-defined]
    _prepare._find_relevance = find_relevance


def _strict_top_terms(relevance: Any, top_n: int) -> Any:
    """``relevance.T.apply(lambda t: t.nlargest(top_n).index)``, or None if ties or NaN."""
    import pandas as pd

    values = relevance.to_numpy()
    if np.isnan(values).any():
        return None
    n_terms = values.shape[1]
    keep = min(top_n, n_terms)
    order = np.argsort(-values, axis=1, kind="stable")
    ranked = np.take_along_axis(values, order[:, : min(keep + 1, n_terms)], axis=1)
    if not (np.diff(ranked, axis=1) < 0).all():
        return None
    terms = relevance.columns.to_numpy()[order[:, :keep]]
    return pd.DataFrame({topic: terms[i] for i, topic in enumerate(relevance.index)})
