"""LDA vs clusters: where the views agree and where they do not.

The documents worth a human look are ranked by ``topics.review`` (``review.csv`` and the
report's "Worth a look" section); this module draws the topic-level comparison.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from topics.types import FloatArray, TopicModelResult


def alignment_table(a: TopicModelResult, b: TopicModelResult) -> dict[str, Any]:
    """Documents shared by each topic of ``a`` (rows) and of ``b`` (columns; -1 last)."""
    cols = list(range(b.n_topics)) + ([-1] if (b.assignments < 0).any() else [])
    index = {t: j for j, t in enumerate(cols)}
    counts = np.zeros((a.n_topics, len(cols)), dtype=np.int64)
    for x, y in zip(a.assignments, b.assignments, strict=True):
        if x >= 0:
            counts[int(x), index[int(y)]] += 1
    return {"rows": a.name, "cols": b.name, "col_ids": cols, "counts": counts.tolist()}


def similarity_matrix(model: TopicModelResult) -> list[list[float]]:
    """Cosine similarity of the topics' word distributions (for the heatmap)."""
    tt = model.topic_term
    norms = np.linalg.norm(tt, axis=1, keepdims=True)
    unit = tt / np.where(norms > 0, norms, 1.0)
    sim: FloatArray = np.clip(unit @ unit.T, 0.0, 1.0)
    return [[round(float(v), 3) for v in row] for row in sim]
