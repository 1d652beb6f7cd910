"""Which documents are worth a human look: a stage after the models.

Every modelled document gets four signals in [0, 1], kept side by side, and one
combined score that ranks them (``review.csv`` and the report's "Worth a look"):

- ``label_suspicion``: how unlikely the filed label is given the document's content.
  Confident learning (``cleanlab``) on out-of-fold class probabilities, so no document
  is judged by a classifier that saw its label.
- ``model_disagreement``: LDA and the cluster model both place the document confidently,
  in topics that do not correspond (few documents shared between them).
- ``atypical``: far from every topic in both models (a low best topic weight in each).
- ``near_duplicate``: an almost identical document (TF-IDF cosine above
  ``DUPLICATE_COSINE``) filed under another label.

With labels, label suspicion dominates the score; without them the other signals rank.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from topics.types import FloatArray, IntArray, Tokens, TopicModelResult

log = logging.getLogger(__name__)

#: Signal names, in the order of their ``review.csv`` columns.
SIGNALS = ("label_suspicion", "model_disagreement", "atypical", "near_duplicate")
#: What each signal means, for the report and the README.
SIGNAL_EXPLANATIONS = {
    "label_suspicion": "how unlikely the filed label is, judged by classifiers that never "
    "saw this document's label (confident learning, out-of-fold)",
    "model_disagreement": "LDA and the clusters both place it confidently, in topics that "
    "share few documents",
    "atypical": "fits no topic well in either model",
    "near_duplicate": "an almost identical document is filed under another label",
}
#: Cross-validation folds for out-of-fold probabilities (cleanlab's default too).
N_FOLDS = 5
#: Labels with fewer documents than this cannot be judged (a fold would lack them).
MIN_LABEL_DOCS = N_FOLDS
#: Rows of a training fold the topic-mixture regression fits at most (a sample, each
#: label in proportion). Its fit grows with the rows: 31 s CPU of the review's ~60 s at
#: 100k documents (76k rows a fold), ~7 s on 20,000. Corpora up to 25,000 documents
#: fit whole folds, as before; 10,000 rows cost 20 Newsgroups .0004 AP on planted
#: wrong labels (``bench/review.py --reference``), so the cap stays above it.
LINEAR_MAX_ROWS = 20_000
#: Cosine similarity of TF-IDF vectors above which two documents are near-duplicates.
DUPLICATE_COSINE = 0.9
#: Labelled documents up to which the near-duplicate search covers all pairs; above,
#: pairs within one topic of the clusters (all 18,800 documents of 20 Newsgroups took
#: 8 s CPU comparing every pair, 0.5 s with the pruned search now used).
DUPLICATE_EXACT_MAX = 20_000
#: Labelled documents in one block (a topic of the clusters) above which the block is
#: searched within each LDA topic instead (see ``_near_duplicates``). Above the largest
#: block at 100k documents (34k, the outliers), so rankings there are unchanged.
DUPLICATE_BLOCK_MAX = 50_000
#: Norm of a document's words left out of its near-duplicate search prefix (below
#: ``DUPLICATE_COSINE``): lower means more candidate pairs formed, fewer checked.
#: 0.8 was fastest on 20 Newsgroups (0.9: 732k pairs checked; 0.8: 35k).
_DUPLICATE_REST = 0.8
#: Candidate pairs checked at once (bounds the search's memory; 50 times as many
#: partial products are formed at once).
_DUPLICATE_PAIRS = 20_000
#: Stored entries of the TF-IDF rows the prefix search ranks at once (bounds its memory).
_PREFIX_NNZ = 1 << 21
_NO_ROWS = np.zeros(0, dtype=np.int64)
#: Weight of the other signals when labels exist. Label evidence dominates: the rest
#: only separates documents whose labels look equally sound. Larger weights cost
#: ranking quality on planted wrong labels (20 Newsgroups, 3%: average precision .84 at
#: 0.01, .73 at 0.05, .58 at 0.1; ``bench/review.py``).
SECONDARY_WEIGHT = 0.01


@dataclass
class Review:
    """The review ranking: per document signals, score, suggestion and reason.

    Arrays are indexed like the models' documents (``Preprocessed.tokens``).
    ``order`` lists document indices best first; ``rank[i]`` is document i's 1-based rank.
    """

    score: FloatArray
    signals: dict[str, FloatArray]
    suggested_label: list[str | None]
    reasons: list[str]
    order: IntArray
    #: Out-of-fold probability of the filed label (None: not judged).
    label_probability: list[float | None] = field(default_factory=list)
    #: What ran and what was skipped, in words.
    notes: list[str] = field(default_factory=list)
    method: dict[str, Any] = field(default_factory=dict)

    @property
    def rank(self) -> IntArray:
        rank = np.empty(len(self.order), dtype=np.int64)
        rank[self.order] = np.arange(1, len(self.order) + 1)
        return rank


def review_documents(
    tokens: Tokens,
    labels: Sequence[str | None],
    models: dict[str, TopicModelResult],
    *,
    seed: int = 0,
    vocab: list[str] | None = None,
) -> Review:
    """Score every modelled document for "worth a human look".

    Parameters
    ----------
    tokens
        The preprocessed documents (the models' input).
    labels
        Each document's label, or None.
    models
        Fitted models by name (``"lda"``, ``"clusters"``); either may be missing.
    seed
        Seeds the fold split: same input and seed, same ranking.
    vocab
        Every term of the documents (``Preprocessed.vocab``; more allowed), so the
        TF-IDF's terms need not be read token by token. Same ranking.
    """
    n = len(tokens)
    notes: list[str] = []
    tfidf = _tfidf(tokens, vocab)
    clean = [label if label else None for label in labels]
    n_labels = len({label for label in clean if label})

    label_signal = np.zeros(n)
    probability: list[float | None] = [None] * n
    suggested: list[str | None] = [None] * n
    class_probs: _ClassProbs | dict[int, dict[str, float]] = {}
    method: dict[str, Any] = {"signals": list(SIGNALS)}
    if n_labels >= 2:
        mixtures = np.hstack([model.doc_topic for model in models.values()]) if models else None
        judged = _label_suspicion(tfidf, clean, mixtures, seed=seed, notes=notes)
        if judged is not None:
            label_signal, probability, suggested, class_probs, info = judged
            method["label_suspicion"] = info
    else:
        notes.append("no label suspicion: documents carry fewer than two distinct labels")

    disagreement, pairs = _disagreement(models, n)
    atypical, best = _atypical(models, n)
    blocks = next((models[m].assignments for m in ("clusters", "lda") if m in models), None)
    splits = models["lda"].assignments if "lda" in models and "clusters" in models else None
    # The TF-IDF rows' last use: the search may normalise them in place.
    duplicate, twin = _near_duplicates(tfidf, clean, blocks, splits, overwrite=True)
    del tfidf
    signals = {
        "label_suspicion": label_signal,
        "model_disagreement": disagreement,
        "atypical": atypical,
        "near_duplicate": duplicate,
    }
    score = _combine(signals, has_labels=bool(method.get("label_suspicion")))
    # Rank by score; equal scores fall back to document order, so ranks never tie.
    order = np.lexsort((np.arange(n), -score)).astype(np.int64)
    home = _label_homes(models, clean)
    reasons = [
        _reason(
            i,
            signals,
            clean,
            suggested,
            class_probs.get(i, {}),
            models,
            home,
            pairs,
            best,
            twin,
        )
        for i in range(n)
    ]
    method["combine"] = (
        f"(label_suspicion + {SECONDARY_WEIGHT} x mean(other signals)) / {1 + SECONDARY_WEIGHT}"
        if method.get("label_suspicion")
        else f"(mean(model_disagreement, atypical) + {SECONDARY_WEIGHT} x near_duplicate) / "
        f"{1 + SECONDARY_WEIGHT}"
    )
    return Review(
        score=score,
        signals=signals,
        suggested_label=suggested,
        reasons=reasons,
        order=order,
        label_probability=probability,
        notes=notes,
        method=method,
    )


def _tfidf(tokens: Tokens, vocab: list[str] | None = None) -> sp.csr_matrix:
    """Sublinear TF-IDF over the preprocessed tokens (lemmas and phrases), rows L2-normed.

    The same weights the cluster model's topic words sum (``ctfidf.document_weights``);
    the tokens are already filtered by document frequency in preprocessing.
    """
    from topics.models.ctfidf import corpus_counts, document_weights

    counts, terms = corpus_counts(tokens, vocab)
    if not terms:
        return sp.csr_matrix((len(tokens), 1))
    return document_weights(counts, copy=False)


class _ClassProbs:
    """Each judged document's three likeliest labels and its own, for its reason.

    Arrays, with a document's dict made only when its reason is written: a dict per
    document cost ~330 bytes each (330 MB at 1M documents) for the whole review.
    """

    def __init__(
        self,
        names: list[str],
        rows: IntArray,
        n: int,
        top: IntArray,
        top_probs: FloatArray,
        own: IntArray,
        own_probs: FloatArray,
    ) -> None:
        self.names, self.top, self.top_probs = names, top, top_probs
        self.own, self.own_probs = own, own_probs
        self.position = np.full(n, -1, dtype=np.int64)
        self.position[rows] = np.arange(len(rows))

    def get(self, i: int, default: dict[str, float]) -> dict[str, float]:
        """Document ``i``'s label -> probability (three likeliest and its own), or ``default``."""
        j = int(self.position[i])
        if j < 0:
            return default
        names = self.names
        out = {
            names[c]: p
            for c, p in zip(self.top[j].tolist(), self.top_probs[j].tolist(), strict=True)
        }
        out[names[int(self.own[j])]] = float(self.own_probs[j])
        return out


LabelJudgement = tuple[
    FloatArray, list[float | None], list[str | None], _ClassProbs, dict[str, Any]
]


def _label_suspicion(
    tfidf: sp.csr_matrix,
    labels: list[str | None],
    mixtures: FloatArray | None,
    *,
    seed: int,
    notes: list[str],
) -> LabelJudgement | None:
    """Out-of-fold class probabilities (see ``_out_of_fold``), scored by confident learning.

    The signal is ``1 - self-confidence`` (cleanlab's label quality score: the out-of-fold
    probability of the filed label); ``find_label_issues`` decides which documents get a
    suggested label, as does any other label being more probable than the filed one.
    """
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    n = len(labels)
    counts = Counter(label for label in labels if label)
    kept = sorted(label for label, c in counts.items() if c >= MIN_LABEL_DOCS)
    small = sorted(label for label, c in counts.items() if c < MIN_LABEL_DOCS)
    n_folds = N_FOLDS
    if len(kept) < 2:
        # Every label is small: judge with fewer folds if each label has two documents.
        kept = sorted(counts)
        n_folds = min(counts.values())
        small = []
        if n_folds < 2 or len(kept) < 2:
            notes.append(
                "no label suspicion: a label needs at least two documents to be judged out-of-fold"
            )
            return None
    if small:
        n_small = sum(counts[label] for label in small)
        notes.append(
            f"label suspicion skipped for {n_small} document(s) under {len(small)} label(s) "
            f"with fewer than {MIN_LABEL_DOCS} documents ({', '.join(small[:5])}"
            f"{', …' if len(small) > 5 else ''})"
        )
    code = {label: c for c, label in enumerate(kept)}
    rows = np.array([i for i in range(n) if labels[i] in code], dtype=np.int64)
    y = np.array([code[str(labels[i])] for i in rows], dtype=np.int64)
    # Every document judged (the common case): the matrix itself, not a copy of its rows.
    x = tfidf if len(rows) == n else tfidf[rows]
    probs = _out_of_fold(
        x, y, None if mixtures is None else mixtures[rows], n_folds=n_folds, seed=seed
    )

    quality = get_label_quality_scores(y, probs, method="self_confidence")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # One process: a library must not fork workers behind its caller's back.
        flagged = find_label_issues(y, probs, filter_by="prune_by_noise_rate", n_jobs=1)

    signal = np.zeros(n)
    probability: list[float | None] = [None] * n
    suggested: list[str | None] = [None] * n
    # Whole arrays first, then one light loop (95k documents: a second less).
    judged = np.arange(len(rows))
    own = probs[judged, y]
    others = probs.copy()
    others[judged, y] = -1.0
    best_other = np.argmax(others, axis=1)
    suggest = flagged | (others[judged, best_other] > own)
    del others
    top = np.ascontiguousarray(np.argsort(-probs, axis=1, kind="stable")[:, :3])
    signal[rows] = 1.0 - quality
    class_probs = _ClassProbs(kept, rows, n, top, np.take_along_axis(probs, top, axis=1), y, own)
    for j, (i, p) in enumerate(zip(rows.tolist(), own.tolist(), strict=True)):
        probability[i] = p
        if suggest[j]:
            suggested[i] = kept[int(best_other[j])]
    info = {
        "method": "confident learning (cleanlab self-confidence) on out-of-fold "
        "probabilities of naive Bayes (TF-IDF words) and logistic regression (topic "
        "mixtures), averaged",
        "folds": n_folds,
        "n_judged": len(rows),
        "n_labels": len(kept),
        "n_flagged": int(np.sum(flagged)),
    }
    return signal, probability, suggested, class_probs, info


def _out_of_fold(
    x: sp.csr_matrix, y: IntArray, mixtures: FloatArray | None, *, n_folds: int, seed: int
) -> FloatArray:
    """Average of three classifiers' out-of-fold class probabilities, (n_docs, n_labels).

    Complement and multinomial naive Bayes read the TF-IDF words; a logistic regression
    reads both models' topic mixtures. Each errs differently, so their average ranks wrong
    labels better than any one alone, and better than a logistic regression on raw TF-IDF
    (``bench/review.py``); naive Bayes also fits in a fraction of a second.
    """
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    n_classes = int(y.max()) + 1
    folds = StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed)
    probs = np.zeros((len(y), n_classes))
    rng = np.random.default_rng(seed)
    # One BLAS thread: the problems are small, and on a shared machine threads fight
    # (the topic-mixture regression took 30 s instead of 0.7 s on two busy cores).
    with threadpool_limits(1):
        _fill_folds(probs, x, y, mixtures, folds.split(np.zeros(len(y)), y), n_classes, rng)
    return probs


def _fill_folds(
    probs: FloatArray,
    x: sp.csr_matrix,
    y: IntArray,
    mixtures: FloatArray | None,
    splits: Any,
    n_classes: int,
    rng: np.random.Generator,
) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.naive_bayes import ComplementNB, MultinomialNB

    for train, test in splits:
        parts = []
        x_train, x_test = x[train], x[test]
        for model in (ComplementNB(alpha=0.3), MultinomialNB(alpha=0.1)):
            model.fit(x_train, y[train])
            parts.append(_full_proba(model.predict_proba(x_test), model.classes_, n_classes))
        if mixtures is not None:
            linear = LogisticRegression(C=5.0, max_iter=2000)
            sample = _sample_rows(train, y, LINEAR_MAX_ROWS, rng)
            linear.fit(mixtures[sample], y[sample])
            parts.append(
                _full_proba(linear.predict_proba(mixtures[test]), linear.classes_, n_classes)
            )
        probs[test] = np.mean(parts, axis=0)


def _sample_rows(rows: IntArray, y: IntArray, size: int, rng: np.random.Generator) -> IntArray:
    """About ``size`` of ``rows``, each label in proportion; all of them if no more.

    Every label keeps at least ``MIN_LABEL_DOCS`` rows (or all it has), so a small label
    is never left out of the fit. Sorted, so the fit sees rows in document order.
    """
    if len(rows) <= size:
        return rows
    labels = y[rows]
    share = size / len(rows)
    picked = []
    for label in np.unique(labels):
        mine = rows[labels == label]
        take = min(len(mine), max(MIN_LABEL_DOCS, round(share * len(mine))))
        picked.append(rng.choice(mine, take, replace=False))
    return np.sort(np.concatenate(picked))


def _full_proba(p: FloatArray, classes: IntArray, n_classes: int) -> FloatArray:
    out = np.zeros((p.shape[0], n_classes))
    out[:, classes] = p
    return out


def _disagreement(
    models: dict[str, TopicModelResult], n: int
) -> tuple[FloatArray, list[tuple[int, int]]]:
    """LDA vs clusters: both confident, in topics that share few documents.

    A pair of topics corresponds as much as the larger of the shares of each topic's
    documents the pair holds: when LDA splits a subject the clusters keep whole, each
    part is still mostly inside the cluster topic, so those documents do not count.
    """
    lda, clusters = models.get("lda"), models.get("clusters")
    if lda is None or clusters is None:
        return np.zeros(n), [(-1, -1)] * n
    a = lda.assignments.astype(np.int64)
    b = clusters.assignments.astype(np.int64)
    ok = b >= 0
    table = np.zeros((lda.n_topics, clusters.n_topics))
    np.add.at(table, (a[ok], b[ok]), 1.0)
    rows = table.sum(axis=1, keepdims=True)
    cols = table.sum(axis=0, keepdims=True)
    share = np.maximum(table / np.where(rows > 0, rows, 1.0), table / np.where(cols > 0, cols, 1.0))
    conf_a = lda.doc_topic[np.arange(n), a]
    conf_b = np.where(ok, clusters.doc_topic[np.arange(n), np.maximum(b, 0)], 0.0)
    signal = np.where(ok, np.sqrt(conf_a * conf_b) * (1.0 - share[a, np.maximum(b, 0)]), 0.0)
    return np.clip(signal, 0.0, 1.0), [(int(x), int(y)) for x, y in zip(a, b, strict=True)]


def _atypical(
    models: dict[str, TopicModelResult], n: int
) -> tuple[FloatArray, dict[str, FloatArray]]:
    """Geometric mean over models of ``1 - best topic weight`` (far from every topic)."""
    best = {name: model.doc_topic.max(axis=1) for name, model in models.items()}
    if not best:
        return np.zeros(n), best
    gaps = np.vstack([1.0 - b for b in best.values()])
    signal = np.exp(np.log(np.clip(gaps, 1e-12, 1.0)).mean(axis=0))
    return np.clip(signal, 0.0, 1.0), best


def _near_duplicates(
    tfidf: sp.csr_matrix,
    labels: list[str | None],
    blocks: IntArray | None = None,
    splits: IntArray | None = None,
    *,
    overwrite: bool = False,
) -> tuple[FloatArray, list[tuple[int, float] | None]]:
    """Cosine of each document's most similar near-duplicate filed under another label.

    Near-duplicates under the same label (or none) do not count: in a corpus of short,
    formulaic documents most of a topic can be near-duplicates of each other. The search
    is exact up to ``DUPLICATE_EXACT_MAX`` labelled documents; above it, only within each
    of ``blocks`` (a model's topics), as the number of pairs grows with the square.

    Exact without comparing all pairs (prefix filtering, as in all-pairs similarity
    search): see ``_candidate_pairs``. The cosines, the threshold and the ties are those
    of scikit-learn's brute-force cosine ``radius_neighbors`` (``tests/review`` holds the
    two equal), which this replaced: 8 s at 18,800 documents, most of the review's time.
    ``overwrite``: ``tfidf`` may be normalised in place (the caller's last use of it).

    A block of more than ``DUPLICATE_BLOCK_MAX`` labelled documents is searched within
    each of ``splits`` (the other model's topics) instead, so the work stays linear in
    the corpus: at 1M documents the clusters left 72.5% of the documents as outliers,
    one block of 720k (the search's work grows with the square of a block's size).
    """
    from sklearn.preprocessing import normalize

    n = tfidf.shape[0]
    signal = np.zeros(n)
    twin: list[tuple[int, float] | None] = [None] * n
    labelled = np.array([i for i in range(n) if labels[i]], dtype=np.int64)
    if len({labels[i] for i in labelled}) < 2 or tfidf.nnz == 0:
        return signal, twin
    names = {label: c for c, label in enumerate(sorted({str(labels[i]) for i in labelled}))}
    code = np.array([names[str(labels[i])] for i in labelled], dtype=np.int64)
    group = np.zeros(len(labelled), dtype=np.int64)
    if blocks is not None and len(labelled) > DUPLICATE_EXACT_MAX:
        group = np.asarray(blocks, dtype=np.int64)[labelled]
        if splits is not None:
            group = _split_blocks(group, np.asarray(splits, dtype=np.int64)[labelled])
    # scikit-learn normalises rows again before its dot products; so do we, for equal sums.
    whole = len(labelled) == n
    rows = tfidf if whole else tfidf[labelled]
    unit = sp.csr_matrix(normalize(rows, copy=not (whole and overwrite)), copy=False)
    unit.sort_indices()
    left, right = _candidate_pairs(unit, code, group)
    left, right, similarity = _verify(unit, left, right)
    if len(left) == 0:
        return signal, twin
    # Best twin per document: most similar first, ties to the earlier document.
    order = np.lexsort((right, -similarity, left))
    left, right, similarity = left[order], right[order], similarity[order]
    first = np.r_[True, left[1:] != left[:-1]]
    for a, b, s in zip(left[first], right[first], similarity[first], strict=True):
        i, j = int(labelled[a]), int(labelled[b])
        signal[i], twin[i] = float(s), (j, float(s))
    return np.clip(signal, 0.0, 1.0), twin


def _split_blocks(group: IntArray, splits: IntArray) -> IntArray:
    """``group`` with every block above ``DUPLICATE_BLOCK_MAX`` rows cut by ``splits``."""
    _, inverse, sizes = np.unique(group, return_inverse=True, return_counts=True)
    big = sizes[inverse] > DUPLICATE_BLOCK_MAX
    if not big.any():
        return group
    width = int(splits.max()) - int(splits.min()) + 2
    key = inverse * width + np.where(big, splits - int(splits.min()) + 1, 0)
    return np.unique(key, return_inverse=True)[1].astype(np.int64)


def _prefixes(unit: sp.csr_matrix) -> tuple[sp.csr_matrix, FloatArray, IntArray]:
    """Each row's rarest words, up to a rest of norm below ``_DUPLICATE_REST``; rest norms.

    Rarest first (fewest rows, then highest column) keeps the rows sharing a prefix word
    few. Returns the prefix weights (the row's own, zero elsewhere), each row's norm
    outside its prefix, and each row's ``floor``: its prefix is every word of the row
    whose frequency rank (0: the most frequent word) is at least that. Rows are taken
    ``_PREFIX_NNZ`` entries at a time, so the temporaries stay small at any size.
    """
    n_rows, n_terms = unit.shape
    frequency = np.bincount(unit.indices, minlength=n_terms)
    # Words renumbered most frequent first: sorting a row's columns then orders it so.
    by_rank = np.lexsort((-np.arange(n_terms), -frequency))
    rank = np.empty(n_terms, dtype=np.int64)
    rank[by_rank] = np.arange(n_terms)
    rest = np.zeros(n_rows)
    floor = np.full(n_rows, n_terms, dtype=np.int64)
    lengths = np.zeros(n_rows, dtype=np.int64)
    data: list[FloatArray] = []
    indices: list[IntArray] = []
    ends = np.searchsorted(unit.indptr, np.arange(_PREFIX_NNZ, unit.nnz, _PREFIX_NNZ))
    bounds = np.unique(np.concatenate(([0], np.minimum(ends, n_rows), [n_rows])))
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        a, b = int(unit.indptr[lo]), int(unit.indptr[hi])
        ranked = sp.csr_matrix(
            (unit.data[a:b].copy(), rank[unit.indices[a:b]], unit.indptr[lo : hi + 1] - a),
            shape=(hi - lo, n_terms),
        )
        ranked.has_sorted_indices = False
        ranked.sort_indices()
        row = np.repeat(np.arange(hi - lo), np.diff(ranked.indptr))
        squares = ranked.data**2
        running = np.cumsum(squares)
        before = np.concatenate(([0.0], running))[ranked.indptr[:-1]][row]
        # The weight of a word and every more frequent one: the rest once the rarer are taken.
        taken = running - before >= _DUPLICATE_REST**2
        part = np.sqrt(np.bincount(row, weights=np.where(taken, 0.0, squares), minlength=hi - lo))
        # The running sum rounds; a row whose rest would not stay below the threshold is
        # taken whole (never seen: it needs an error of 1e-1 on sums of unit rows).
        whole = part >= DUPLICATE_COSINE - 1e-6
        taken |= whole[row]
        part[whole] = 0.0
        rest[lo:hi] = part
        # Taken words end each row (rarest last): the first of them has the lowest rank.
        n_taken = np.bincount(row[taken], minlength=hi - lo)
        has = n_taken > 0
        floor[lo:hi][has] = ranked.indices[ranked.indptr[1:][has] - n_taken[has]]
        lengths[lo:hi] = n_taken
        data.append(ranked.data[taken])
        indices.append(by_rank[ranked.indices[taken]])
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    prefix = sp.csr_matrix(
        (np.concatenate([np.zeros(0), *data]), np.concatenate([_NO_ROWS, *indices]), indptr),
        shape=unit.shape,
    )
    prefix.has_sorted_indices = False
    prefix.sort_indices()
    prefix.eliminate_zeros()
    return prefix, rest, floor


def _candidate_pairs(
    unit: sp.csr_matrix, code: IntArray, group: IntArray
) -> tuple[IntArray, IntArray]:
    """Row pairs (a < b) in one group, under different labels, that may reach the threshold.

    Prefixes (``_prefixes``) are the rows' rarest words, in one order of all words. Say
    a's prefix starts no higher in that order than b's: then every word a's prefix shares
    with b is in b's prefix, and for unit rows Cauchy-Schwarz gives
    ``a.b <= prefix(a).prefix(b) + |a outside its prefix|``. A pair is kept when that
    bound reaches ``DUPLICATE_COSINE`` (less a margin for rounding); pairs whose prefixes
    share no word are never formed (their bound is a rest's norm, below the threshold).
    Prefix against prefix, not prefix against whole row: at 94,851 documents in one group
    that formed far fewer products (the work grew with the square of a group's size,
    which made the review's time at 1M documents grow tenfold faster than the corpus).
    The partial sums are one sparse product of the group's prefixes with themselves, by
    slices of rows holding about ``_DUPLICATE_PAIRS`` x 50 products at most.
    """
    prefix, rest, floor = _prefixes(unit)
    cut = DUPLICATE_COSINE - 1e-6
    n = unit.shape[0]
    present = sp.csr_matrix((np.ones(prefix.nnz), prefix.indices, prefix.indptr), prefix.shape)
    keys: list[IntArray] = [np.zeros(0, dtype=np.int64)]
    for g in np.unique(group):
        rows = np.flatnonzero(group == g)
        if len(rows) < 2 or len(np.unique(code[rows])) < 2:
            continue
        terms = sp.csr_matrix(prefix[rows].T)
        # Products each row's prefix forms: bounds the memory of a slice of rows.
        work = np.cumsum(present[rows] @ np.diff(terms.indptr).astype(np.float64))
        start = 0
        while start < len(rows):
            stop = max(start + 1, int(np.searchsorted(work, work[start] + _DUPLICATE_PAIRS * 50)))
            part = rows[start:stop]
            partial = (prefix[part] @ terms).tocoo()
            a, b = part[partial.row], rows[partial.col]
            slack = np.where(floor[a] >= floor[b], rest[a], rest[b])
            close = (code[a] != code[b]) & (partial.data + slack >= cut)
            a, b = a[close], b[close]
            keys.append(np.minimum(a, b) * n + np.maximum(a, b))
            start = stop
    unique = np.unique(np.concatenate(keys))
    return unique // n, unique % n


def _verify(unit: sp.csr_matrix, a: IntArray, b: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Candidate pairs at cosine >= ``DUPLICATE_COSINE``, both ways, with their cosine.

    Each dot product adds the shared words' products in column order from zero, as
    scipy's sparse product does, and the distance and threshold are scikit-learn's, so
    the values and ties are bit for bit those of ``radius_neighbors``.
    """
    radius = 1.0 - DUPLICATE_COSINE
    ones = np.ones(unit.shape[1])
    kept: list[tuple[IntArray, IntArray, FloatArray]] = [
        (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0))
    ]
    for start in range(0, len(a), _DUPLICATE_PAIRS):
        left, right = a[start : start + _DUPLICATE_PAIRS], b[start : start + _DUPLICATE_PAIRS]
        dot = sp.csr_matrix(unit[left].multiply(unit[right])) @ ones
        distance = np.clip(1.0 - dot, 0.0, 2.0)
        close = distance <= radius
        kept.append((left[close], right[close], 1.0 - distance[close]))
    left = np.concatenate([k[0] for k in kept])
    right = np.concatenate([k[1] for k in kept])
    similarity = np.concatenate([k[2] for k in kept])
    return (
        np.concatenate([left, right]),
        np.concatenate([right, left]),
        np.concatenate([similarity, similarity]),
    )


def _combine(signals: dict[str, FloatArray], *, has_labels: bool) -> FloatArray:
    """One score per document; label evidence first when labels were judged."""
    if has_labels:
        # A near-duplicate pair under two labels flags both copies while only one is
        # wrong, so it does not outrank the classifiers (which tell the copies apart).
        rest = np.vstack([signals[k] for k in SIGNALS[1:]]).mean(axis=0)
        return (signals["label_suspicion"] + SECONDARY_WEIGHT * rest) / (1.0 + SECONDARY_WEIGHT)
    # Near-duplicates need two labels to contradict each other; they may still carry a
    # few labelled documents, so they add a little.
    main = (signals["model_disagreement"] + signals["atypical"]) / 2.0
    return (main + SECONDARY_WEIGHT * signals["near_duplicate"]) / (1.0 + SECONDARY_WEIGHT)


def _label_homes(
    models: dict[str, TopicModelResult], labels: list[str | None]
) -> dict[str, dict[int, str]]:
    """Per model, each topic's majority label (where most of its labelled documents sit).

    Ties go to the label met first in document order (as ``Counter.most_common`` would).
    """
    names = sorted({label for label in labels if label})
    if not names:
        return {name: {} for name in models}
    index = {label: c for c, label in enumerate(names)}
    code = np.array([index[label] if label else -1 for label in labels], dtype=np.int64)
    homes: dict[str, dict[int, str]] = {}
    for name, model in models.items():
        topic = np.asarray(model.assignments, dtype=np.int64)
        ok = (code >= 0) & (topic >= 0)
        counts = np.zeros((model.n_topics, len(names)), dtype=np.int64)
        np.add.at(counts, (topic[ok], code[ok]), 1)
        first = np.full(counts.shape, len(labels), dtype=np.int64)
        np.minimum.at(first, (topic[ok], code[ok]), np.flatnonzero(ok))
        best = np.where(counts == counts.max(axis=1, keepdims=True), first, len(labels) + 1)
        homes[name] = {
            int(t): names[int(np.argmin(best[t]))] for t in np.flatnonzero(counts.sum(axis=1))
        }
    return homes


def _reason(
    i: int,
    signals: dict[str, FloatArray],
    labels: list[str | None],
    suggested: list[str | None],
    class_probs: dict[str, float],
    models: dict[str, TopicModelResult],
    home: dict[str, dict[int, str]],
    pairs: list[tuple[int, int]],
    best: dict[str, FloatArray],
    twin: list[tuple[int, float] | None],
) -> str:
    """A plain-language reason naming labels and topics, strongest evidence first."""
    parts: list[tuple[float, str]] = []
    label, other = labels[i], suggested[i]
    if label and other:
        where = [
            name
            for name, model in models.items()
            if home.get(name, {}).get(int(model.assignments[i])) == other
        ]
        p_label = class_probs.get(label, 0.0)
        p_other = class_probs.get(other, 0.0)
        text = f"filed under {label}; reads like {other}"
        if len(where) == len(models) >= 2:
            text += f" ({_topic(models['lda'], i)}) in both models"
        elif where:
            text += f" ({_topic(models[where[0]], i)}) in {_IN_MODEL.get(where[0], where[0])}"
        text += f"; classifiers give {other} {p_other:.0%}, {label} {p_label:.0%}"
        parts.append((signals["label_suspicion"][i] + 1.0, text))
    elif label and class_probs:
        p_label = class_probs.get(label, 0.0)
        text = (
            f"label {label} only {p_label:.0%} likely to classifiers"
            if p_label < 0.5
            else f"classifiers back its label {label} ({p_label:.0%})"
        )
        parts.append((signals["label_suspicion"][i], text))
    pair = twin[i]
    if pair is not None:
        j, similarity = pair
        filed = f" filed under {labels[j]}" if labels[j] else ""
        parts.append(
            (
                signals["near_duplicate"][i] + 0.5,
                f"near-duplicate ({similarity:.0%} similar) of document {j}{filed}",
            )
        )
    a, b = pairs[i]
    if signals["model_disagreement"][i] > 0.25 and a >= 0 and b >= 0:
        parts.append(
            (
                signals["model_disagreement"][i],
                f"LDA says {_topic(models['lda'], i)}, clusters say "
                f"{_topic(models['clusters'], i)}",
            )
        )
    if signals["atypical"][i] > 0.3 and best:
        fits = ", ".join(f"{_title(name)} {float(w[i]):.0%}" for name, w in best.items())
        parts.append((signals["atypical"][i], f"fits no topic well (best topic weight: {fits})"))
    if not parts:
        return "nothing unusual"
    parts.sort(key=lambda p: -p[0])
    return "; ".join(text for _, text in parts)


def _topic(model: TopicModelResult, i: int) -> str:
    return model.topic_name(int(model.assignments[i]))


_IN_MODEL = {"lda": "LDA", "clusters": "the clusters"}


def _title(name: str) -> str:
    return {"lda": "LDA", "clusters": "clusters"}.get(name, name)
