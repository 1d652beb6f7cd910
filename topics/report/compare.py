"""LDA vs clusters (and topics vs folder labels): where the views agree and where they do not.

The documents worth a human look are those the two models place differently, or whose
folder label disagrees with their topic: mislabeled, mixed, or badly modelled.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import numpy.typing as npt

from topics.types import FloatArray, TopicModelResult


def alignment_table(a: TopicModelResult, b: TopicModelResult) -> dict[str, Any]:
    """Documents shared by each topic of ``a`` (rows) and of ``b`` (columns; -1 last)."""
    cols = list(range(b.n_topics)) + ([-1] if (b.assignments < 0).any() else [])
    index = {t: j for j, t in enumerate(cols)}
    counts = np.zeros((a.n_topics, len(cols)), dtype=np.int64)
    for x, y in zip(a.assignments, b.assignments, strict=True):
        if x >= 0:
            counts[int(x), index[int(y)]] += 1
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


def _majority(rows: np.ndarray) -> dict[int, int]:
    """For each column (a topic of the second view), the row (topic) holding most documents."""
    out = {}
    for j in range(rows.shape[1]):
        if rows[:, j].sum() > 0:
            out[j] = int(rows[:, j].argmax())
    return out


def disagreements(
    models: dict[str, TopicModelResult],
    labels: list[str | None],
    *,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Documents ranked by how strongly the views disagree about them.

    Model disagreement: each cluster topic is matched to the LDA topic that holds most of
    its documents; a document scores ``1 - p_lda(matched topic)``, the LDA weight it does
    *not* give to where the clusters put it. Label disagreement: each label is matched to
    the LDA topic holding most of its documents; a document scores ``1 - p_lda(that topic)``.
    Outliers of the cluster model are not counted as disagreements.
    """
    lda = models.get("lda")
    if lda is None:
        return []
    scores = np.zeros(lda.doc_topic.shape[0])
    reasons: list[list[str]] = [[] for _ in range(lda.doc_topic.shape[0])]
    clusters = models.get("clusters")
    if clusters is not None:
        table = np.asarray(alignment_table(lda, clusters)["counts"])
        matched = _majority(table[:, : clusters.n_topics])
        for i, (x, y) in enumerate(zip(lda.assignments, clusters.assignments, strict=True)):
            if y < 0 or int(y) not in matched or matched[int(y)] == int(x):
                continue
            target = matched[int(y)]
            score = 1.0 - float(lda.doc_topic[i, target])
            scores[i] = max(scores[i], score)
            reasons[i].append(
                f"LDA topic {int(x)}, but cluster topic {int(y)}, whose documents are "
                f"mostly in LDA topic {target}"
            )
    named = [(i, label) for i, label in enumerate(labels) if label]
    if len({label for _, label in named}) >= 2:
        per_label: dict[str, Counter[int]] = {}
        for i, label in named:
            per_label.setdefault(label, Counter())[int(lda.assignments[i])] += 1
        home = {label: c.most_common(1)[0][0] for label, c in per_label.items()}
        for i, label in named:
            target = home[label]
            if int(lda.assignments[i]) == target:
                continue
            score = 1.0 - float(lda.doc_topic[i, target])
            scores[i] = max(scores[i], score)
            reasons[i].append(
                f"folder label {label!r} is mostly LDA topic {target}; this document is "
                f"topic {int(lda.assignments[i])}"
            )
    order = np.argsort(-scores, kind="stable")
    out = []
    for i in order[:limit]:
        if scores[i] <= 0:
            break
        out.append({"doc": int(i), "score": round(float(scores[i]), 3), "reasons": reasons[i]})
    return out
