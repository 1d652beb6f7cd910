"""Topic quality: coherence (NPMI, c_v, UMass), topic diversity and agreement with labels.

Coherence follows gensim's published protocols (``c_npmi``, ``c_v``, ``u_mass``) so the
numbers are comparable with papers, but it is computed here from co-occurrence counts
in numpy: gensim's ``CoherenceModel`` walks every window in Python (slow on large
corpora) and returns NaN on some inputs.

Counting matches gensim's ``WordOccurrenceAccumulator`` exactly, including one quirk:
when the window slides past a word, gensim unmarks it even if another copy of the word
is still inside the window, until the word enters again at the window's right edge.
The window spans per word are derived in closed form in :func:`_window_spans`.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

from topics.types import FloatArray, IntArray, ModelScores, TokenLists, Tokens, TopicModelResult

logger = logging.getLogger(__name__)

EPSILON = 1e-12  # gensim's smoothing constant: keeps log(0) finite
NPMI_WINDOW = 10  # gensim's c_npmi window
CV_WINDOW = 110  # gensim's c_v window
_CHUNK_TOKENS = 2_000_000  # bounds memory: documents are counted this many tokens at a time
_FAR = np.iinfo(np.int64).max // 4
_NONE = np.zeros(0, dtype=np.int64)

METRIC_EXPLANATIONS: dict[str, str] = {
    "npmi": (
        "How often a topic's top words appear together in the same 10-word window, beyond "
        "chance: about -1 never, 0 independent, 1 always; above 0.1 is good."
    ),
    "c_v": (
        "How alike the top words' co-occurrence profiles are in 110-word windows, from 0 to 1; "
        "above 0.5 is good, and it tracks human judgement of topics best."
    ),
    "umass": (
        "How often a topic's top words share a document, as a log ratio: 0 is best, more "
        "negative is worse; only compare models scored on the same corpus."
    ),
    "diversity": (
        "Share of distinct words among all topics' top words: 1 means no two topics share a "
        "top word, 1/number-of-topics means every topic is the same."
    ),
    "nmi": (
        "How much a document's topic tells you about its label (normalised mutual information): "
        "0 nothing, 1 everything."
    ),
    "ari": (
        "Agreement between the topic groups and the label groups, corrected for chance: 0 is "
        "random, 1 identical, below 0 worse than random."
    ),
    "purity": (
        "Share of labelled documents whose label is the most common one in their topic: 1 means "
        "each topic holds a single label."
    ),
    "outlier_share": "Share of documents the model put in no topic (outliers).",
    "stability": (
        "Share of top-10 words that come back when the model is refitted twice, each time "
        "on its own random 80% of the documents (at most 2,000) with its own seed, topics "
        "paired one-to-one: 1 means every topic returned word for word."
    ),
    "stability_nmi": (
        "How well the groups of the documents both samples hold agree between those two "
        "refits (normalised mutual information): 0 unrelated, 1 identical."
    ),
}


@dataclass(frozen=True)
class CoherenceScores:
    """Per-topic coherence under gensim's ``c_npmi``, ``c_v`` and ``u_mass`` protocols."""

    npmi: list[float]
    c_v: list[float]
    umass: list[float]

    @property
    def npmi_mean(self) -> float:
        """Mean NPMI over topics (0.0 without topics)."""
        return _mean(self.npmi)

    @property
    def c_v_mean(self) -> float:
        """Mean c_v over topics (0.0 without topics)."""
        return _mean(self.c_v)

    @property
    def umass_mean(self) -> float:
        """Mean UMass over topics (0.0 without topics)."""
        return _mean(self.umass)


def score_coherence(
    tokens: Tokens,
    topic_words: list[list[str]],
    *,
    top_n: int = 10,
    max_docs: int = 50_000,
    seed: int = 0,
) -> CoherenceScores:
    """Score each topic's first ``top_n`` words with NPMI, c_v and UMass.

    Parameters
    ----------
    tokens : list of list of str
        The documents' token lists; token positions define the sliding windows.
    topic_words : list of list of str
        Each topic's words, best first. Words absent from the documents are allowed.
    top_n : int
        Number of leading words per topic to score.
    max_docs : int
        With more documents than this, a seeded sample of ``max_docs`` documents is
        counted instead, which bounds time and memory on very large corpora.
    seed : int
        Seed of that sample; the same inputs always give the same scores.

    Returns
    -------
    CoherenceScores
        Per-topic scores; never NaN.

    Notes
    -----
    NPMI uses boolean sliding windows of 10 tokens (a shorter document, even an empty
    one, is one window), c_v windows of 110 and the indirect cosine of NPMI context
    vectors, UMass document co-occurrence ``log((D(wi, wj) / N + eps) / (D(wj) / N))``
    over ordered pairs, with gensim's ``eps = 1e-12``. Like gensim, words that occur in
    none of the counted documents are left out of their topic. A topic with fewer than
    two counted words scores 0.0 for NPMI and UMass; c_v is 0.0 with none (1.0 with one,
    as in gensim), and a zero context vector gives a cosine of 0.0. Results equal
    gensim's wherever gensim is finite, except for a pair found in every window: gensim's
    formula divides by ``-log(1 + eps) < 0`` there and gives -1, here it scores 1.
    """
    if top_n < 1 or max_docs < 1:
        raise ValueError(f"top_n and max_docs must be >= 1; got top_n={top_n}, max_docs={max_docs}")
    topics = [list(words[:top_n]) for words in topic_words]
    word_ids = {word: i for i, word in enumerate(dict.fromkeys(chain.from_iterable(topics)))}
    topic_ids = [np.array([word_ids[w] for w in words], dtype=np.int64) for words in topics]
    docs = _sample(tokens, max_docs, seed)

    windows = (NPMI_WINDOW, CV_WINDOW, 0)  # 0: the whole document (UMass)
    counts = [[np.zeros((ids.size, ids.size)) for ids in topic_ids] for _ in windows]
    n_windows = [0] * len(windows)
    for chunk in _chunks(docs):
        occ = _find_occurrences(chunk, word_ids)
        for m, window in enumerate(windows):
            size = window or int(occ.lengths.max()) + 1
            n_windows[m] += int(np.maximum(occ.lengths - size + 1, 1).sum())
            first, last = _window_spans(occ, size)
            for t, ids in enumerate(topic_ids):
                counts[m][t] += _pair_counts(ids, occ.bounds, first, last)

    npmi, c_v, umass = [], [], []
    for t, ids in enumerate(topic_ids):
        seen = np.flatnonzero(np.diag(counts[2][t]) > 0)
        window_npmi = _npmi_matrix(counts[0][t][np.ix_(seen, seen)], n_windows[0])
        npmi.append(_off_diagonal_mean(window_npmi))
        cv_npmi = _npmi_matrix(counts[1][t][np.ix_(seen, seen)], n_windows[1])
        c_v.append(_indirect_cosine(cv_npmi, ids[seen]))
        umass.append(_umass(counts[2][t][np.ix_(seen, seen)], n_windows[2]))
    return CoherenceScores(npmi=npmi, c_v=c_v, umass=umass)


def topic_diversity(topic_words: list[list[str]], top_n: int = 10) -> float:
    """Topic diversity (TD): the share of distinct words among all topics' top ``top_n`` words.

    1.0 when no two topics share a word, ``1 / n_topics`` when all topics are the same;
    0.0 when there are no words.
    """
    words = [w for topic in topic_words for w in topic[:top_n]]
    return len(set(words)) / len(words) if words else 0.0


def label_agreement(
    assignments: Sequence[int] | IntArray, labels: Sequence[str | None]
) -> dict[str, float]:
    """Agreement of dominant topics with known labels over the labelled documents.

    Returns ``nmi``, ``ari`` and ``purity``; outliers (topic -1) count as a cluster of
    their own. Empty when fewer than two documents have a label.
    """
    if len(assignments) != len(labels):
        raise ValueError(
            f"assignments and labels must have the same length; "
            f"got {len(assignments)} and {len(labels)}"
        )
    labelled = np.fromiter((bool(label) for label in labels), dtype=bool, count=len(labels))
    n_labelled = int(labelled.sum())
    if n_labelled < 2:
        return {}
    # Labels as codes in sorted order, the order scikit-learn's np.unique gives the
    # strings: the same tables and sums, without a million-entry array of strings (and
    # its copies) in each of the three metrics.
    index = {label: c for c, label in enumerate(sorted({str(x) for x in labels if x}))}
    classes = np.fromiter(
        (index[str(label)] for label in labels if label), dtype=np.int64, count=n_labelled
    )
    clusters = np.asarray(assignments, dtype=np.int64)[labelled]
    table = contingency_matrix(classes, clusters, sparse=True)
    return {
        "nmi": _finite(normalized_mutual_info_score(classes, clusters)),
        "ari": _finite(adjusted_rand_score(classes, clusters)),
        "purity": _finite(np.asarray(table.max(axis=0).toarray()).sum() / n_labelled),
    }


def score_model(
    result: TopicModelResult,
    tokens: Tokens,
    labels: Sequence[str | None] | None = None,
    *,
    top_n: int = 10,
) -> ModelScores:
    """Score a fitted model: mean coherence, diversity, label agreement and outlier share.

    ``metrics`` holds ``npmi``, ``c_v``, ``umass``, ``diversity``, then ``nmi``, ``ari``,
    ``purity`` when at least two documents are labelled, then ``outlier_share``.
    """
    coherence = score_coherence(tokens, result.topic_words, top_n=top_n)
    assignments = np.asarray(result.assignments)
    metrics = {
        "npmi": coherence.npmi_mean,
        "c_v": coherence.c_v_mean,
        "umass": coherence.umass_mean,
        "diversity": topic_diversity(result.topic_words, top_n=top_n),
    }
    if labels is not None:
        metrics.update(label_agreement(assignments, labels))
    metrics["outlier_share"] = float(np.mean(assignments == -1)) if assignments.size else 0.0
    per_topic = [
        {"npmi": a, "c_v": b, "umass": c}
        for a, b, c in zip(coherence.npmi, coherence.c_v, coherence.umass, strict=True)
    ]
    return ModelScores(metrics=metrics, per_topic=per_topic)


@dataclass(frozen=True)
class _Occurrences:
    """Where the topic words occur in a chunk, sorted by (word, document, position)."""

    lengths: IntArray  # tokens per document
    doc: IntArray
    pos: IntArray
    word: IntArray
    bounds: IntArray  # rows of word w are bounds[w]:bounds[w + 1]


def _sample(tokens: Tokens, max_docs: int, seed: int) -> Tokens:
    if len(tokens) <= max_docs:
        return tokens
    keep = np.sort(np.random.default_rng(seed).choice(len(tokens), size=max_docs, replace=False))
    logger.info("coherence: counting a sample of %d of %d documents", max_docs, len(tokens))
    if isinstance(tokens, TokenLists):
        return tokens.take(keep)
    return [tokens[i] for i in keep]


def _chunks(docs: Tokens) -> Iterator[Tokens]:
    start, size = 0, 0
    for i, doc in enumerate(docs):
        size += len(doc)
        if size >= _CHUNK_TOKENS:
            yield docs[start : i + 1]
            start, size = i + 1, 0
    if start < len(docs):
        yield docs[start:]


def _find_occurrences(docs: Tokens, word_ids: dict[str, int]) -> _Occurrences:
    lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
    tokens = chain.from_iterable(docs)
    flat = np.fromiter(map(word_ids.get, tokens, repeat(-1)), dtype=np.int64, count=lengths.sum())
    hit = np.flatnonzero(flat >= 0)
    ends = np.cumsum(lengths)
    doc = np.searchsorted(ends, hit, side="right")
    pos = hit - (ends - lengths)[doc]
    word = flat[hit]
    order = np.argsort(word, kind="stable")  # stable: keeps (document, position) order
    bounds = np.searchsorted(word[order], np.arange(len(word_ids) + 1))
    return _Occurrences(lengths, doc[order], pos[order], word[order], bounds)


def _window_spans(occ: _Occurrences, window: int) -> tuple[IntArray, IntArray]:
    """First and last window (chunk-global index) that each occurrence marks its word in.

    Windows ``k`` of a document are positions ``k .. k + window - 1``. In gensim's sliding
    accumulator a word is marked in window ``k`` iff its last occurrence ``p`` at or before
    the window's end has no other occurrence in ``p - window + 1 .. k - 1``. So the
    occurrence ``p`` marks windows ``max(0, p - window + 1) .. min(r, q - window, last)``,
    where ``r`` is the word's first occurrence at or after ``p - window + 1`` and ``q`` its
    next occurrence. An empty span has ``last < first``.
    """
    n_win = np.maximum(occ.lengths - window + 1, 1)
    offset = np.cumsum(n_win) - n_win
    doc, pos = occ.doc, occ.pos
    if pos.size == 0:
        return pos, pos
    same = (doc[1:] == doc[:-1]) & (occ.word[1:] == occ.word[:-1])
    following = np.full(pos.size, _FAR)
    following[:-1] = np.where(same, pos[1:], _FAR)
    group = np.concatenate(([0], np.cumsum(~same)))
    key = group * (int(occ.lengths.max()) + window) + pos  # sorted; groups never overlap
    reach = pos[np.searchsorted(key, key - window + 1)]
    first = np.maximum(pos - window + 1, 0)
    last = np.minimum(np.minimum(reach, following - window), n_win[doc] - 1)
    return offset[doc] + first, offset[doc] + last


def _pair_counts(ids: IntArray, bounds: IntArray, first: IntArray, last: IntArray) -> FloatArray:
    """Windows holding both words, for every pair of positions in a topic (diagonal: one word).

    The windows are cut at every span boundary; inside a segment the set of marked words
    is constant, so a dense segments x words matrix weighted by segment length suffices.
    """
    n = ids.size
    starts, stops, cols = [_NONE], [_NONE], [_NONE]
    for j, w in enumerate(ids):
        lo, hi = first[bounds[w] : bounds[w + 1]], last[bounds[w] : bounds[w + 1]]
        keep = hi >= lo
        starts.append(lo[keep])
        stops.append(hi[keep] + 1)
        cols.append(np.full(int(keep.sum()), j))
    start, stop, col = np.concatenate(starts), np.concatenate(stops), np.concatenate(cols)
    if start.size == 0:
        return np.zeros((n, n))
    points, inverse = np.unique(np.concatenate([start, stop]), return_inverse=True)
    sign = np.concatenate([np.ones(start.size), -np.ones(stop.size)])
    delta = np.bincount(
        inverse * n + np.concatenate([col, col]), weights=sign, minlength=points.size * n
    )
    marked = np.cumsum(delta.reshape(points.size, n), axis=0)[:-1]
    length = np.diff(points).astype(np.float64)
    counts: FloatArray = marked.T @ (marked * length[:, None])
    return counts


def _npmi_matrix(counts: FloatArray, n_windows: int) -> FloatArray:
    """Gensim's NPMI of every pair (diagonal: a word with itself) from window counts."""
    p = counts / max(n_windows, 1)
    joint = p + EPSILON
    marginal = np.diag(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi: FloatArray = np.log(joint / np.outer(marginal, marginal)) / -np.log(joint)
    npmi[counts >= n_windows] = 1.0  # in every window: gensim's -log(1 + eps) < 0 flips to -1
    return npmi


def _off_diagonal_mean(matrix: FloatArray) -> float:
    n = len(matrix)
    return _finite(matrix[~np.eye(n, dtype=bool)].mean()) if n >= 2 else 0.0


def _indirect_cosine(npmi: FloatArray, ids: IntArray) -> float:
    """Gensim's c_v confirmation: cosine of each word's NPMI context vector with the topic's."""
    if ids.size == 0:
        return 0.0
    _, column = np.unique(ids, return_inverse=True)
    one_hot = np.zeros((ids.size, int(column.max()) + 1))
    one_hot[np.arange(ids.size), column] = 1.0  # a repeated word shares one vector entry
    vectors = npmi @ one_hot
    topic = vectors.sum(axis=0)
    norms = np.linalg.norm(vectors, axis=1) * np.linalg.norm(topic)
    cosine = np.divide(vectors @ topic, norms, out=np.zeros(ids.size), where=norms > 0)
    return _finite(cosine.mean())


def _umass(counts: FloatArray, n_docs: int) -> float:
    """Gensim's u_mass: mean of log((D(wi, wj) / N + eps) / (D(wj) / N)) over later wi."""
    if len(counts) < 2:
        return 0.0
    later, earlier = np.tril_indices(len(counts), k=-1)
    ratio = (counts[later, earlier] / n_docs + EPSILON) / (counts[earlier, earlier] / n_docs)
    return _finite(np.log(ratio).mean())


def _finite(value: float | np.floating) -> float:
    value = float(value)
    return value if math.isfinite(value) else 0.0


def _mean(values: list[float]) -> float:
    return _finite(np.mean(values)) if values else 0.0
