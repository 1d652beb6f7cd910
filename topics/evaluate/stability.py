"""Stability: do two seeds give the same topics? (optional, off by default).

A topic model whose topics change with the random seed, or with which documents it
happens to see, deserves less trust than one whose topics come back.
``model_stability`` refits a model twice at the topic count the full run chose, each
time on its own random sample of the documents drawn and fitted with its own seed
(the run's seed and the next one), and compares the two fits (Greene et al. 2014
measure topic stability the same way, over subsamples). Different samples matter:
our LDA starts from NMF topics, which do not depend on the seed, so two seeds on the
same documents would agree almost by construction.

``stability``
    Topics of the two fits are paired one-to-one so that paired topics share as many
    top-10 words as possible (Hungarian algorithm); the score is the mean share of
    top-10 words a pair has in common (1: every topic came back word for word).
``stability_nmi``
    Normalised mutual information between the two fits' document assignments, over
    the documents both samples hold (1: every document kept its group; outliers
    count as one group).

Each sample holds ``STABILITY_SHARE`` of the documents, at most
``STABILITY_MAX_DOCS``, so stability costs two fits of at most that size per model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import linear_sum_assignment

from topics.models.spec import Refit
from topics.types import IntArray, Tokens, TopicModelResult

if TYPE_CHECKING:
    from topics.pipeline import RunSettings

logger = logging.getLogger(__name__)

#: Share of the documents in each seed's sample, and the most documents a sample holds.
STABILITY_SHARE = 0.8
STABILITY_MAX_DOCS = 2000
#: Top words compared per topic.
STABILITY_TOP_N = 10


def sample_documents(
    n_docs: int,
    seed: int,
    share: float = STABILITY_SHARE,
    max_docs: int = STABILITY_MAX_DOCS,
) -> IntArray:
    """Sorted indices of ``share`` of ``n_docs`` documents (at most ``max_docs``, at
    least 2 or all), drawn with ``seed``."""
    size = min(n_docs, max(2, min(max_docs, round(share * n_docs))))
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(n_docs, size=size, replace=False)).astype(np.int64)


def word_agreement(
    words_a: list[list[str]], words_b: list[list[str]], top_n: int = STABILITY_TOP_N
) -> float:
    """Mean share of top words that one-to-one paired topics have in common.

    Topics are paired to maximise the total share (Hungarian algorithm); a topic
    left without a partner (the fits have different counts) scores 0. A pair's
    share is its common words over the longer of its two word lists (at most
    ``top_n``), so topics with fewer than ``top_n`` words can still score 1.
    """
    if not words_a or not words_b:
        return 0.0
    sets_a = [set(w[:top_n]) for w in words_a]
    sets_b = [set(w[:top_n]) for w in words_b]
    share = np.array(
        [[len(a & b) / max(1, len(a), len(b)) for b in sets_b] for a in sets_a],
        dtype=np.float64,
    )
    rows, cols = linear_sum_assignment(-share)
    return float(share[rows, cols].sum()) / max(len(sets_a), len(sets_b))


def assignment_agreement(a: IntArray, b: IntArray) -> float:
    """NMI between two assignments of the same documents (1 when both are one group)."""
    from sklearn.metrics import normalized_mutual_info_score

    if len(set(a.tolist())) == 1 and len(set(b.tolist())) == 1:
        return 1.0
    return float(normalized_mutual_info_score(a, b))


def model_stability(
    model: TopicModelResult,
    tokens: Tokens,
    vocab: list[str],
    refit: Callable[[Refit], TopicModelResult],
    settings: RunSettings,
    *,
    embeddings: np.ndarray | None = None,
) -> dict[str, float]:
    """``{"stability", "stability_nmi"}`` of ``model`` (see the module docstring).

    Parameters
    ----------
    model
        The full run's fit; its topic count is reused, so ``"auto"`` is not searched again.
    tokens, vocab
        The run's documents and vocabulary.
    refit
        The model's refit (``ModelSpec.refit``).
    settings
        The run's settings; the first sample and fit use ``settings.seed``, the second
        ``settings.seed + 1``.
    embeddings
        The run's document embeddings; the refit may reuse them (sliced) for embedders
        without a seed (sentence-transformers).
    """
    seed = settings.seed
    words: list[list[list[str]]] = []
    assignments: list[dict[int, int]] = []
    samples = [sample_documents(len(tokens), s) for s in (seed, seed + 1)]
    for s, sample in zip((seed, seed + 1), samples, strict=True):
        sample_tokens = [tokens[i] for i in sample]
        fit = refit(Refit(model, sample_tokens, sample, vocab, s, settings, embeddings))
        words.append(fit.topic_words)
        assignments.append(dict(zip(sample.tolist(), fit.assignments.tolist(), strict=True)))
    shared = sorted(set(assignments[0]) & set(assignments[1]))
    result = {
        "stability": word_agreement(words[0], words[1]),
        "stability_nmi": assignment_agreement(
            np.array([assignments[0][i] for i in shared], dtype=np.int64),
            np.array([assignments[1][i] for i in shared], dtype=np.int64),
        ),
    }
    logger.info(
        "%s stability on samples of %d documents: words %.3f, documents %.3f",
        model.name,
        len(samples[0]),
        result["stability"],
        result["stability_nmi"],
    )
    return result
