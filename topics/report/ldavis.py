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
