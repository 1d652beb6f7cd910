"""LDA vs clusters (and topics vs folder labels): where the views agree and where they do not.

The documents worth a human look are those the two models place differently, or whose
folder label disagrees with their topic: mislabeled, mixed, or badly modelled.
"""

from __future__ import annotations

from collections import Counter
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
