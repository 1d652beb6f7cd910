"""The rule both models use to choose their number of topics for ``n_topics="auto"``.

Each candidate count is scored by

    score = mean NPMI of the top 10 words x topic diversity x stability ** weight

and the chosen count is the *fewest* topics scoring within ``TOLERANCE`` of the best.

Why these parts. Coherence x diversity alone (Dieng et al. 2020) keeps rising with the
count on small corpora: a topic drawn from a dozen documents has top words that co-occur
in exactly those documents; on the 405 sample documents (7 themes) it chose 36 LDA and
29 cluster topics. Stability (Greene, O'Callaghan & Cunningham 2014) measures whether a
topic's top words come back from another half of the corpus: over-split topics are
idiosyncratic and do not. Preferring the fewest topics near the best score keeps the
choice from drifting up a flat curve. Measured counts and NPMI are in the README
("Automatic topic count", from ``bench/autok.py``).

Every count is scored with a fixed amount of work (a seeded sample, a fixed grid, fixed
iterations), never a time budget, so the choice is identical on a slow and a fast machine.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from topics.types import IntArray

#: Counts considered (those between the lower and upper bound of a corpus).
GRID = (2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 25, 30)
#: Most topics ``"auto"`` may choose, whatever the corpus size.
MAX_TOPICS = 30
#: The fewest topics whose score is within this share of the best score wins.
TOLERANCE = 0.10
#: Words per topic scored.
TOP_N = 10


def upper_bound(n_docs: int, auto_max: int = MAX_TOPICS) -> int:
    """The largest count worth trying: ``sqrt(n_docs / 2)``, at most ``auto_max`` and 30.

    Keeps at least ~2 sqrt(n) documents per topic on average: 14 topics for 405
    documents, 30 from 1,800 documents up.
    """
    return max(2, min(auto_max, MAX_TOPICS, int(np.sqrt(max(n_docs, 0) / 2))))


def candidates(n_docs: int, lower: int, auto_max: int = MAX_TOPICS) -> list[int]:
    """The grid counts between ``lower`` and the corpus's upper bound (both included)."""
    high = upper_bound(n_docs, auto_max)
    low = min(max(lower, 1), high)
    grid = [k for k in GRID if low <= k <= high]
    return sorted(set(grid) | {low, high})


def halves(n_docs: int, seed: int) -> tuple[IntArray, IntArray]:
    """Two disjoint, seeded halves of ``range(n_docs)``, each sorted."""
    order = np.random.default_rng(seed).permutation(n_docs)
    half = n_docs // 2
    return np.sort(order[:half]).astype(np.int64), np.sort(order[half:]).astype(np.int64)


def matched_overlap(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]]) -> float:
    """Mean Jaccard overlap of two sets of topics' words, topics paired one-to-one.

    Pairs are found by the Hungarian method on the overlaps; unmatched topics score 0.
    """
    from scipy.optimize import linear_sum_assignment

    if not a or not b:
        return 0.0
    sa, sb = [set(w) for w in a], [set(w) for w in b]
    sim = np.array([[len(x & y) / max(len(x | y), 1) for y in sb] for x in sa])
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].sum() / max(len(sa), len(sb)))


def paired_overlap(a: Sequence[Sequence[str]], b: Sequence[Sequence[str]]) -> float:
    """Mean Jaccard overlap of topic ``i`` in ``a`` with topic ``i`` in ``b``."""
    if not a:
        return 0.0
    sims = [len(set(x) & set(y)) / max(len(set(x) | set(y)), 1) for x, y in zip(a, b, strict=True)]
    return float(np.mean(sims))


def point(
    n_topics: int,
    npmi: float,
    diversity: float,
    stability: float,
    *,
    stability_weight: float = 1.0,
) -> dict[str, float]:
    """One point of the curve: its parts, ``quality`` (NPMI x diversity) and ``score``.

    ``score = quality x stability ** stability_weight`` (see the callers for the weight).
    """
    quality = npmi * diversity
    weighted = max(stability, 0.0) ** stability_weight
    # A negative quality must not get better by being unstable.
    score = quality * weighted if quality > 0 else quality * (2.0 - weighted)
    return {
        "n_topics": float(n_topics),
        "npmi": float(npmi),
        "diversity": float(diversity),
        "stability": float(stability),
        "quality": float(quality),
        "score": float(score),
    }


def choose(curve: Sequence[dict[str, float]], tolerance: float = TOLERANCE) -> int:
    """The fewest topics whose ``score`` is within ``tolerance`` of the best score."""
    best = max(p["score"] for p in curve)
    floor = best - tolerance * abs(best)
    return min(int(p["n_topics"]) for p in curve if p["score"] >= floor)


def describe(curve: Sequence[dict[str, float]], chosen: int, how: str) -> str:
    """The sentence the report shows under "How the number of topics was chosen"."""
    tried = ", ".join(str(int(p["n_topics"])) for p in curve)
    best = max(p["score"] for p in curve)
    return (
        f"'auto': {how} Each of the counts {tried} was scored by mean NPMI of the top "
        f"{TOP_N} words x topic diversity x stability (how much of each topic's top words "
        f"returned on the other half of the documents); {chosen} is the fewest topics "
        f"within {TOLERANCE:.0%} of the best score ({best:.3f})."
    )
