"""LDA vs clusters: where the views agree and where they do not.

The documents worth a human look are ranked by ``topics.review.ranking`` (``review.csv`` and the
report's "Worth a look" section); this module draws the topic-level comparison.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from topics.types import FloatArray, TopicModelResult


def alignment_table(a: TopicModelResult, b: TopicModelResult) -> dict[str, Any]:
    """Documents shared by each topic of ``a`` (rows) and of ``b`` (columns; -1 last)."""
    cols = list(range(b.n_topics)) + ([-1] if (b.assignments < 0).any() else [])
    rows = np.asarray(a.assignments, dtype=np.int64)
    col = np.asarray(b.assignments, dtype=np.int64)
    col = np.where(col >= 0, col, len(cols) - 1)  # outliers (-1): the last column
    kept = rows >= 0
    # One bincount over (row, column) pairs instead of a Python loop over the documents.
    counts = np.bincount(
        rows[kept] * len(cols) + col[kept], minlength=a.n_topics * len(cols)
    ).reshape(a.n_topics, len(cols))
    row_order, col_order = diagonal_order(counts[:, : b.n_topics])
    if len(cols) > b.n_topics:
        col_order.append(len(cols) - 1)  # outliers stay last
    return {
        "rows": a.name,
        "cols": b.name,
        "col_ids": cols,
        "counts": counts.tolist(),
        # Display order (indices into ``counts``): matched topics on the diagonal.
        "row_order": row_order,
        "col_order": col_order,
    }


def diagonal_order(counts: npt.NDArray[np.int64]) -> tuple[list[int], list[int]]:
    """Row and column orders that put matched topics on the diagonal.

    Topics are matched one-to-one to maximise the documents the pairs share (the
    Hungarian method); matched pairs come first, the biggest shared count first, then
    unmatched rows and columns in id order. A pair sharing no document is not a match.
    """
    from scipy.optimize import linear_sum_assignment

    if counts.size == 0:
        return list(range(counts.shape[0])), list(range(counts.shape[1]))
    rows, cols = linear_sum_assignment(counts, maximize=True)
    pairs = sorted(
        ((int(r), int(c)) for r, c in zip(rows, cols, strict=True) if counts[r, c] > 0),
        key=lambda rc: (-int(counts[rc]), rc[0]),
    )
    row_order = [r for r, _ in pairs]
    col_order = [c for _, c in pairs]
    row_order += [r for r in range(counts.shape[0]) if r not in row_order]
    col_order += [c for c in range(counts.shape[1]) if c not in col_order]
    return row_order, col_order


def similarity_matrix(model: TopicModelResult) -> list[list[float]]:
    """Cosine similarity of the topics' word distributions (for the heatmap)."""
    tt = model.topic_term
    norms = np.linalg.norm(tt, axis=1, keepdims=True)
    unit = tt / np.where(norms > 0, norms, 1.0)
    sim: FloatArray = np.clip(unit @ unit.T, 0.0, 1.0)
    return [[round(float(v), 3) for v in row] for row in sim]
