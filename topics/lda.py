"""LDA with gensim's ``LdaModel``: reproducible for a seed, with a coherence-guided topic count.

``LdaModel`` with ``random_state`` is deterministic; ``LdaMulticore`` is not (and on two
cores it was slower here), so we use ``LdaModel``.

Variational LDA from a random start often merges two topics and splits another. We
start it instead from NMF topics (deterministic NNDSVD initialisation on TF-IDF): on
planted corpora random starts recovered 4 of 6 topics in some seeds, NMF starts 6 of 6
in every seed; on BBC (K=20) NPMI rose from 0.06 to 0.12 and the fit got faster.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

import numpy as np

from topics.errors import SettingsError
from topics.types import FloatArray, IntArray, TopicModelResult

log = logging.getLogger(__name__)

NTopics = int | Literal["auto"]


@dataclass(frozen=True)
class LdaSettings:
    """LDA options; field names are config keys, kebab-case names are CLI flags.

    Parameters
    ----------
    n_topics
        Number of topics, or "auto": fit a range of counts and keep the one with the best
        topic quality (mean NPMI coherence x topic diversity, Dieng et al. 2020), within
        ``auto_budget_s`` seconds.
    passes, iterations
        gensim's passes over the corpus and per-document inference iterations. 10
        passes left 20 Newsgroups unconverged: 20 raised NPMI there from 0.121 to
        0.141 (K=20; BBC 0.116 -> 0.121) for 69 s of fitting instead of 51 s
        (``bench/quality.py --part ablation``).
    alpha, eta
        Dirichlet priors ("auto" learns an asymmetric prior from the data).
    relevance
        Topic words are ranked by relevance (Sievert & Shirley 2014, pyLDAvis's λ):
        ``λ log p(w|t) + (1 - λ) log(p(w|t) / p(w))``. λ = 1 ranks by probability alone,
        which fills many topics with the corpus's commonest words; on BBC (K=20) λ = 0.8
        raised topic diversity from 0.80 to 0.875 with NPMI unchanged (0.114 -> 0.116).
    """

    n_topics: NTopics = "auto"
    seed: int = 0
    init: Literal["nmf", "random"] = "nmf"
    passes: int = 20
    iterations: int = 100
    alpha: str | float = "auto"
    eta: str | float = "auto"
    chunksize: int = 2000
    auto_min: int = 2
    auto_max: int = 40
    auto_budget_s: float = 120.0
    top_n: int = 30
    relevance: float = 0.8

    def validate(self) -> None:
        problems = []
        if self.n_topics != "auto" and (not isinstance(self.n_topics, int) or self.n_topics < 1):
            problems.append(f"n_topics must be 'auto' or an integer >= 1, got {self.n_topics!r}")
        if self.init not in ("nmf", "random"):
            problems.append(f"init must be 'nmf' or 'random', got {self.init!r}")
        if not 0 <= self.relevance <= 1:
            problems.append(f"relevance must be in [0, 1], got {self.relevance}")
        if self.passes < 1 or self.iterations < 1:
            problems.append("passes and iterations must be >= 1")
        if not 1 <= self.auto_min <= self.auto_max:
            problems.append(
                f"auto range must satisfy 1 <= auto_min <= auto_max, "
                f"got {self.auto_min}..{self.auto_max}"
            )
        if problems:
            raise SettingsError("; ".join(problems))

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fit_lda(
    tokens: list[list[str]],
    vocab: list[str],
    settings: LdaSettings | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> TopicModelResult:
    """Fit LDA on token lists over ``vocab``; with ``n_topics="auto"`` search the count first."""
    settings = settings or LdaSettings()
    settings.validate()
    if not tokens:
        raise SettingsError("LDA needs at least one document with content words")
    corpus, id2word = _bow(tokens, vocab)
    if settings.n_topics == "auto":
        n_topics, curve = choose_n_topics(tokens, vocab, settings, progress=progress)
        extras: dict[str, Any] = {"auto_curve": curve, "n_topics_rule": _rule(settings, curve)}
    else:
        n_topics, extras = int(settings.n_topics), {}
    if progress is not None:
        progress(f"fitting LDA with {n_topics} topics")
    model = _fit(corpus, id2word, n_topics, settings, passes=settings.passes)
    result = _result(model, corpus, vocab, settings, n_topics)
    result.topic_words = relevant_words(
        result.topic_term, _term_frequency(corpus, len(vocab)), vocab, settings
    )
    result.extras.update(extras)
    return result


def _bow(tokens: list[list[str]], vocab: list[str]) -> tuple[list[list[tuple[int, int]]], Any]:
    from collections import Counter

    index = {w: i for i, w in enumerate(vocab)}
    corpus = [
        sorted((index[w], c) for w, c in Counter(t for t in doc if t in index).items())
        for doc in tokens
    ]
    return corpus, dict(enumerate(vocab))


def _fit(
    corpus: list[list[tuple[int, int]]],
    id2word: Any,
    n_topics: int,
    settings: LdaSettings,
    *,
    passes: int,
) -> Any:
    from gensim.models import LdaModel

    # gensim logs every pass at INFO and warns on small corpora; keep our logs readable.
    logging.getLogger("gensim").setLevel(logging.ERROR)
    model = LdaModel(
        id2word=id2word,
        num_topics=n_topics,
        random_state=settings.seed,
        iterations=settings.iterations,
        alpha=settings.alpha if n_topics > 1 else "symmetric",
        eta=settings.eta,
        chunksize=settings.chunksize,
        eval_every=None,
        update_every=1,
    )
    if settings.init == "nmf" and n_topics > 1:
        start = nmf_topics(corpus, len(id2word), n_topics, seed=settings.seed)
        n_tokens = sum(c for doc in corpus for _, c in doc)
        # As if the corpus had been assigned to the NMF topics once.
        model.state.sstats = (start * (n_tokens / n_topics)).astype(model.dtype)
        model.sync_state()
    model.update(corpus, passes=passes)
    return model


def nmf_topics(
    corpus: list[list[tuple[int, int]]], n_terms: int, n_topics: int, *, seed: int
) -> FloatArray:
    """Topic-word distributions from NMF on TF-IDF (NNDSVD start: deterministic)."""
    import warnings

    import scipy.sparse as sp
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfTransformer

    rows = [i for i, doc in enumerate(corpus) for _ in doc]
    cols = [j for doc in corpus for j, _ in doc]
    vals = [float(c) for doc in corpus for _, c in doc]
    counts = sp.csr_matrix((vals, (rows, cols)), shape=(len(corpus), n_terms))
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    k = min(n_topics, *tfidf.shape)
    # NNDSVD takes square roots of tiny negative rounding errors on very small corpora.
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        nmf = NMF(n_components=k, init="nndsvd", random_state=seed, max_iter=400)
        nmf.fit(tfidf)
    start = np.full((n_topics, n_terms), 1.0, dtype=np.float64)
    start[:k] = nmf.components_
    # A floor keeps every word possible in every topic (LDA cannot revive a zero).
    start += 1e-3 * start.max(axis=1, keepdims=True) / n_terms + 1e-12
    result: FloatArray = start / start.sum(axis=1, keepdims=True)
    return result


def _result(
    model: Any,
    corpus: list[list[tuple[int, int]]],
    vocab: list[str],
    settings: LdaSettings,
    n_topics: int,
) -> TopicModelResult:
    topic_term: FloatArray = np.asarray(model.get_topics(), dtype=np.float64)
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    doc_topic = _infer(model, corpus, n_topics)
    assignments: IntArray = np.asarray(doc_topic.argmax(axis=1), dtype=np.int64)
    order = np.argsort(-topic_term, axis=1, kind="stable")[:, : settings.top_n]
    topic_words = [[vocab[j] for j in row] for row in order]
    return TopicModelResult(
        name="lda",
        vocab=vocab,
        topic_term=topic_term,
        doc_topic=doc_topic,
        assignments=assignments,
        topic_words=topic_words,
        settings=settings.as_dict() | {"n_topics": n_topics},
    )


def _term_frequency(corpus: list[list[tuple[int, int]]], n_terms: int) -> FloatArray:
    counts = np.zeros(n_terms, dtype=np.float64)
    for doc in corpus:
        for j, c in doc:
            counts[j] += c
    return counts


def relevant_words(
    topic_term: FloatArray, term_frequency: FloatArray, vocab: list[str], settings: LdaSettings
) -> list[list[str]]:
    """Each topic's top words by relevance with ``settings.relevance`` as λ."""
    lam = settings.relevance
    marginal = term_frequency / max(float(term_frequency.sum()), 1.0)
    with np.errstate(divide="ignore"):
        log_p = np.log(topic_term)
        lift = log_p - np.log(np.where(marginal > 0, marginal, 1.0))
    score = lam * log_p + (1.0 - lam) * lift
    order = np.argsort(-score, axis=1, kind="stable")[:, : settings.top_n]
    return [[vocab[j] for j in row] for row in order]


def _infer(model: Any, corpus: list[list[tuple[int, int]]], n_topics: int) -> FloatArray:
    out = np.empty((len(corpus), n_topics), dtype=np.float64)
    step = 2000
    for start in range(0, len(corpus), step):
        gamma, _ = model.inference(corpus[start : start + step])
        out[start : start + step] = gamma / gamma.sum(axis=1, keepdims=True)
    return out


def choose_n_topics(
    tokens: list[list[str]],
    vocab: list[str],
    settings: LdaSettings,
    *,
    progress: Callable[[str], None] | None = None,
) -> tuple[int, list[dict[str, float]]]:
    """Search topic counts by quality = mean NPMI x topic diversity, within a time budget.

    A coarse grid first, then the neighbours of the best count, until the budget is
    spent. Search fits use a third of the passes; the chosen count is refit in full.
    """
    from topics.evaluate import score_coherence, topic_diversity

    corpus, id2word = _bow(tokens, vocab)
    frequency = _term_frequency(corpus, len(vocab))
    upper = max(settings.auto_min, min(settings.auto_max, len(tokens) // 5, len(vocab) // 10))
    lower = min(settings.auto_min, upper)
    search = replace(settings, passes=max(2, math.ceil(settings.passes / 3)))
    scores: dict[int, dict[str, float]] = {}
    started = time.perf_counter()

    def score(k: int) -> None:
        if k in scores or not lower <= k <= upper:
            return
        if progress is not None:
            progress(f"choosing the number of topics: trying {k}")
        t0 = time.perf_counter()
        model = _fit(corpus, id2word, k, search, passes=search.passes)
        result = _result(model, corpus, vocab, search, k)
        words = [w[:10] for w in relevant_words(result.topic_term, frequency, vocab, search)]
        npmi = score_coherence(tokens, words, top_n=10).npmi_mean
        diversity = topic_diversity(words, top_n=10)
        scores[k] = {
            "n_topics": float(k),
            "npmi": npmi,
            "diversity": diversity,
            "quality": npmi * diversity,
            "seconds": time.perf_counter() - t0,
        }
        log.info("auto n_topics: %d -> npmi %.3f, diversity %.3f", k, npmi, diversity)

    def out_of_time() -> bool:
        return time.perf_counter() - started > settings.auto_budget_s

    coarse = sorted(
        {lower, upper} | {k for k in (3, 5, 8, 12, 16, 20, 25, 30, 40) if lower <= k <= upper}
    )
    # Spread the coarse grid from the middle outwards so a short budget still sees a range.
    for k in _middle_out(coarse):
        score(k)
        if out_of_time():
            break
    # Refine: halve the gap around the best count until neighbours are adjacent.
    while not out_of_time():
        best = max(scores, key=lambda k: (scores[k]["quality"], -k))
        tried = sorted(scores)
        i = tried.index(best)
        candidates = []
        if i > 0 and tried[i - 1] < best - 1:
            candidates.append((tried[i - 1] + best) // 2)
        if i + 1 < len(tried) and tried[i + 1] > best + 1:
            candidates.append((tried[i + 1] + best) // 2)
        if not candidates:
            break
        for k in candidates:
            score(k)
    best = max(scores, key=lambda k: (scores[k]["quality"], -k))
    curve = [scores[k] for k in sorted(scores)]
    return best, curve


def _middle_out(values: list[int]) -> list[int]:
    mid = len(values) // 2
    order = [values[mid]]
    for offset in range(1, len(values)):
        for j in (mid - offset, mid + offset):
            if 0 <= j < len(values):
                order.append(values[j])
    return order


def _rule(settings: LdaSettings, curve: list[dict[str, float]]) -> str:
    tried = ", ".join(str(int(p["n_topics"])) for p in curve)
    return (
        f"Tried {len(curve)} topic counts ({tried}) with {max(2, math.ceil(settings.passes / 3))} "
        "passes each and kept the one with the highest topic quality (mean NPMI coherence x "
        "topic diversity); the chosen count was then refit with "
        f"{settings.passes} passes. Time budget {settings.auto_budget_s:g} s."
    )
