"""LDA with gensim's ``LdaModel``: reproducible for a seed, with a coherence-guided topic count.

``LdaModel`` with ``random_state`` is deterministic; ``LdaMulticore`` is not (and on two
cores it was slower here), so we use ``LdaModel``, with its E-step compiled
(``topics.models.estep``: the same updates, 5-6x faster).

Variational LDA from a random start often merges two topics and splits another. We
start it instead from NMF topics (deterministic NNDSVD initialisation on TF-IDF): on
planted corpora random starts recovered 4 of 6 topics in some seeds, NMF starts 6 of 6
in every seed; on BBC (K=20) NPMI rose from 0.06 to 0.12 and the fit got faster.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from topics.errors import SettingsError
from topics.models.spec import FitContext, ModelFit, ModelSpec, Refit
from topics.settings import field_problems, problems, raise_problems
from topics.types import FloatArray, IntArray, Tokens, TopicModelResult

if TYPE_CHECKING:
    from topics.executor import Executor

log = logging.getLogger(__name__)

NTopics = int | Literal["auto"]
#: Documents as (term id, count) pairs: ``(n_terms, 2)`` arrays (``_bow``) or lists of pairs.
Docs = list[Any]


@dataclass(frozen=True)
class LdaSettings:
    """LDA options; the options among them are declared in ``topics.settings``.

    The number of topics and the seed are arguments of ``fit_lda`` (one value per run).

    Parameters
    ----------
    auto_min, auto_max
        With ``n_topics="auto"``, the grid of counts scored (at most
        ``sqrt(n_docs / 2)``) by the rule in ``topics.models.autok``, keeping the fewest
        topics scoring near the best (see ``choose_n_topics``).
    auto_budget
        Deprecated and ignored (kept so old configs still load): the search used to stop
        after this many seconds, which made the chosen count depend on the machine.
    passes, iterations
        gensim's passes over the corpus and per-document inference iterations. 10
        passes left 20 Newsgroups unconverged: 20 raised NPMI there from 0.121 to
        0.141 (K=20; BBC 0.116 -> 0.121) for 69 s of fitting instead of 51 s
        (``bench/quality.py --part ablation``). ``"auto"``: see ``auto_passes``.
    alpha, eta
        Dirichlet priors ("auto" learns an asymmetric prior from the data).
    relevance
        Topic words are ranked by relevance (Sievert & Shirley 2014, pyLDAvis's λ):
        ``λ log p(w|t) + (1 - λ) log(p(w|t) / p(w))``. λ = 1 ranks by probability alone,
        which fills many topics with the corpus's commonest words; on BBC (K=20) λ = 0.8
        raised topic diversity from 0.80 to 0.875 with NPMI unchanged (0.114 -> 0.116).
    """

    init: Literal["nmf", "random"] = "nmf"
    passes: int | Literal["auto"] = "auto"
    iterations: int = 100
    alpha: str | float = "auto"
    eta: str | float = "auto"
    chunksize: int = 2000
    auto_min: int = 2
    auto_max: int = 30
    auto_budget: float = 120.0
    top_n: int = 30
    relevance: float = 0.8

    def problems(self, *, options: bool = True) -> list[str]:
        """Every invalid field; ``options=False``: only those no option sets."""
        problems = field_problems("lda", self) if options else []
        if self.init not in ("nmf", "random"):
            problems.append(f"init: must be 'nmf' or 'random', got {self.init!r}")
        if not 0 <= self.relevance <= 1:
            problems.append(f"relevance: must be in [0, 1], got {self.relevance}")
        if self.iterations < 1:
            problems.append(f"iterations: must be at least 1, got {self.iterations}")
        if not 1 <= self.auto_min <= self.auto_max:
            problems.append(
                f"auto_min: must satisfy 1 <= auto_min <= auto_max, "
                f"got {self.auto_min}..{self.auto_max}"
            )
        return problems

    def validate(self) -> None:
        """Raise ``SettingsError`` naming every invalid field at once."""
        raise_problems(self.problems())

    def as_dict(self) -> dict[str, Any]:
        # ``auto_budget_s``: the field's name in topics.json and manifest.json before.
        return asdict(self) | {"auto_budget_s": self.auto_budget}

    def passes_for(self, n_docs: int) -> int:
        """The passes a fit over ``n_docs`` documents makes (``passes``, or the auto rule)."""
        if self.passes != "auto":
            return int(self.passes)
        return auto_passes(n_docs, self.chunksize)


#: ``passes="auto"``: at most this many passes (what small corpora need) ...
AUTO_MAX_PASSES = 20
#: ... and at least this many topic updates (chunks), the number 20 Newsgroups needed.
AUTO_MIN_UPDATES = 200


def auto_passes(n_docs: int, chunksize: int) -> int:
    """Passes for ``n_docs`` documents: 20, or as few as make ``AUTO_MIN_UPDATES`` updates.

    gensim's online LDA (Hoffman, Blei & Bach 2010) updates the topics after every chunk
    of ``chunksize`` documents with a step that shrinks with the number of updates made,
    so what a fit needs is a number of updates, not of passes: a pass over 100k
    documents makes 48 updates, one over BBC (2,225 documents) two. 20 Newsgroups
    (10 chunks a pass) needed 20 passes (200 updates; 10 passes lowered NPMI from 0.141
    to 0.121); smaller corpora keep 20 passes, larger ones make at least 200 updates:
    10 passes at 40,000 documents, 4 at 100,000, 1 from 400,000. Measured at 94,851
    documents (K=12, ``bench/lda_passes.py``): one pass already scores what 20 do.
    """
    chunks = max(1, math.ceil(n_docs / max(chunksize, 1)))
    return max(1, min(AUTO_MAX_PASSES, math.ceil(AUTO_MIN_UPDATES / chunks)))


def fit_lda(
    tokens: Tokens,
    vocab: list[str],
    settings: LdaSettings | None = None,
    *,
    n_topics: NTopics = "auto",
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    executor: Executor | None = None,
) -> TopicModelResult:
    """Fit LDA on token lists over ``vocab``; with ``n_topics="auto"`` search the count first.

    With an ``executor`` (a Dask cluster) the E-steps run on its workers
    (``topics.executor.lda``); the count search and the NMF start stay on the client.
    """
    settings = settings or LdaSettings()
    raise_problems(
        settings.problems() + problems({"n_topics": n_topics, "seed": seed}, style="field")
    )
    if not tokens:
        raise SettingsError("LDA needs at least one document with content words")
    corpus, id2word = _bow(tokens, vocab)
    curve: list[dict[str, float]] | None = None
    if n_topics == "auto":
        chosen, curve = choose_n_topics(tokens, vocab, settings, seed=seed, progress=progress)
    else:
        chosen = int(n_topics)
    if progress is not None:
        progress(f"fitting LDA with {chosen} topics")
    doc_topic = None
    passes = settings.passes_for(len(corpus))
    if executor is None:
        model = _fit(corpus, id2word, chosen, settings, seed=seed, passes=passes)
    else:
        from topics.executor import lda as sharded

        model = _start(corpus, id2word, chosen, settings, seed=seed)
        data = sharded.ShardedCorpus(corpus, settings.chunksize, executor)
        sharded.update(model, data, passes=passes, seed=seed)
        doc_topic = sharded.infer(model, data, seed=seed, passes=passes)
    result = _result(model, corpus, vocab, settings, chosen, seed, doc_topic)
    result.settings["passes_used"] = passes
    result.topic_words = relevant_words(
        result.topic_term, _term_frequency(corpus, len(vocab)), vocab, settings
    )
    if curve is not None:
        result.auto_curve = curve
        result.n_topics_rule = _rule(passes, curve)
    return result


def _bow(tokens: Tokens, vocab: list[str]) -> tuple[Any, dict[int, str]]:
    """Each document's (term id, count) pairs, ids ascending, as an ``(n_terms, 2)`` float64
    array (``topics.models.estep.as_arrays``'s form, made a chunk at a time from the count
    matrix: ``topics.models.estep.BowRows``); and id2word."""
    from topics.models.ctfidf import count_matrix
    from topics.models.estep import BowRows

    return BowRows(count_matrix(tokens, vocab)), dict(enumerate(vocab))


def _fit(
    corpus: Docs,
    id2word: Any,
    n_topics: int,
    settings: LdaSettings,
    *,
    seed: int,
    passes: int,
) -> Any:
    model = _start(corpus, id2word, n_topics, settings, seed=seed)
    model.update(corpus, passes=passes)
    return model


def _start(
    corpus: Docs,
    id2word: Any,
    n_topics: int,
    settings: LdaSettings,
    *,
    seed: int,
) -> Any:
    """An ``LdaModel`` with its topics started from NMF (or at random), not yet trained."""
    from topics.models.estep import CompiledLdaModel as LdaModel

    # gensim logs every pass at INFO and warns on small corpora; keep our logs readable.
    logging.getLogger("gensim").setLevel(logging.ERROR)
    model = LdaModel(
        id2word=id2word,
        num_topics=n_topics,
        random_state=seed,
        iterations=settings.iterations,
        alpha=settings.alpha if n_topics > 1 else "symmetric",
        eta=settings.eta,
        chunksize=settings.chunksize,
        eval_every=None,
        update_every=1,
    )
    if settings.init == "nmf" and n_topics > 1:
        start = nmf_topics(corpus, len(id2word), n_topics, seed=seed)
        n_tokens = float(_term_frequency(corpus, len(id2word)).sum())
        # As if the corpus had been assigned to the NMF topics once.
        model.state.sstats = (start * (n_tokens / n_topics)).astype(model.dtype)
        model.sync_state()
    return model


#: LDA's NMF start is fitted on a seeded sample of at most this many documents.
NMF_START_MAX_DOCS = 20_000


def nmf_topics(
    corpus: Docs,
    n_terms: int,
    n_topics: int,
    *,
    seed: int,
    max_docs: int = NMF_START_MAX_DOCS,
) -> FloatArray:
    """Topic-word distributions from NMF on TF-IDF (NNDSVD start: deterministic).

    Above ``max_docs`` documents, NMF is fitted on a seeded sample of ``max_docs``: the
    start only has to put LDA near the corpus's themes. At 94,851 documents (K=12, seed
    0, ``bench/lda_passes.py --nmf-docs 20000,all``) LDA from the sample's start scored
    NPMI 0.089 / NMI 0.435 after 5 passes, from the whole corpus's 0.066 / 0.431, for
    58 against 65 s of CPU. 20 Newsgroups and smaller corpora are fitted whole.
    """
    import warnings

    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfTransformer

    from topics.models.estep import BowRows, counts_of

    picked = None
    if len(corpus) > max_docs:
        picked = np.sort(np.random.default_rng(seed).permutation(len(corpus))[:max_docs])
    if isinstance(corpus, BowRows):
        counts = corpus.matrix(picked)
    else:
        counts = counts_of(corpus if picked is None else [corpus[i] for i in picked], n_terms)
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
    corpus: Docs,
    vocab: list[str],
    settings: LdaSettings,
    n_topics: int,
    seed: int,
    doc_topic: FloatArray | None = None,
) -> TopicModelResult:
    topic_term: FloatArray = np.asarray(model.get_topics(), dtype=np.float64)
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    if doc_topic is None:
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
        settings=settings.as_dict() | {"n_topics": n_topics, "seed": seed},
    )


def _term_frequency(corpus: Docs, n_terms: int) -> FloatArray:
    from topics.models.estep import BowRows, counts_of

    if isinstance(corpus, BowRows):
        # Whole-number sums: exact, so the same in any order.
        totals: FloatArray = corpus.term_totals()
        return totals
    counts: FloatArray = np.asarray(counts_of(corpus, n_terms).sum(axis=0)).ravel()
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


def _infer(model: Any, corpus: Docs, n_topics: int) -> FloatArray:
    from topics.models.estep import as_arrays

    out = np.empty((len(corpus), n_topics), dtype=np.float64)
    docs = as_arrays(corpus)
    step = 2000
    for start in range(0, len(corpus), step):
        gamma, _ = model.inference(docs[start : start + step])
        out[start : start + step] = gamma / gamma.sum(axis=1, keepdims=True)
    return out


#: The search fits NMF on a seeded sample of at most this many documents ...
SEARCH_MAX_DOCS = 1000
#: ... over at most this many of the sample's most widespread terms ...
SEARCH_MAX_TERMS = 3000
#: NPMI of those topics is counted on at most this many documents.
SCORE_MAX_DOCS = 5000
#: ... with this many NMF iterations: a fixed amount of work per count, never a time budget.
SEARCH_MAX_ITER = 100


def choose_n_topics(
    tokens: Tokens,
    vocab: list[str],
    settings: LdaSettings,
    *,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> tuple[int, list[dict[str, float]]]:
    """Choose the topic count by the shared rule of ``topics.models.autok``.

    Every candidate count is fitted by NMF on TF-IDF (the topics LDA starts from) on a
    seeded sample of at most ``SEARCH_MAX_DOCS`` documents, and on each half of that
    sample for stability. Work is fixed by the sample, the grid and the iteration count,
    so the result is the same on any machine; ``auto_budget`` is no longer used.
    """
    from topics.evaluate.scores import score_coherence, topic_diversity
    from topics.models import autok
    from topics.models.ctfidf import count_matrix

    if settings.auto_budget != LdaSettings.auto_budget:
        log.info("auto_budget is deprecated and ignored: the topic-count search does fixed work")
    order = np.random.default_rng(seed).permutation(len(tokens))
    picked = np.sort(order[:SEARCH_MAX_DOCS])
    sample = [tokens[i] for i in picked]
    # Coherence is counted on more documents than are fitted: on short texts, 1,000
    # documents hold too few co-occurrences for NPMI to tell counts apart.
    reference = [tokens[i] for i in np.sort(order[:SCORE_MAX_DOCS])]
    counts = count_matrix(sample, vocab)
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    terms = np.argsort(-df, kind="stable")[:SEARCH_MAX_TERMS]
    terms = np.sort(terms[df[terms] > 0])
    words_of = [vocab[j] for j in terms]
    tfidf = _tfidf(counts[:, terms])
    first, second = autok.halves(len(sample), seed)
    grid = autok.candidates(len(tokens), settings.auto_min, settings.auto_max)
    # One SVD per matrix serves every count's NNDSVD start: its top-k triplets are the same.
    # A corpus of a few documents has no halves to compare: stability then counts as 1.
    parts = [tfidf] + ([tfidf[first], tfidf[second]] if len(first) >= 2 else [])
    matrices = [_Svd(m, max(grid), seed) for m in parts]
    curve = []
    for k in grid:
        if progress is not None:
            progress(f"choosing the number of topics: trying {k}")
        words, *halves = [m.nmf_words(words_of, k, seed) for m in matrices]
        npmi = score_coherence(reference, words, top_n=autok.TOP_N).npmi_mean
        diversity = topic_diversity(words, top_n=autok.TOP_N)
        stability = (
            float(np.mean([autok.matched_overlap(words, h) for h in halves])) if halves else 1.0
        )
        curve.append(autok.point(k, npmi, diversity, stability))
        log.info(
            "auto n_topics: %d -> npmi %.3f, diversity %.3f, stability %.3f",
            k,
            npmi,
            diversity,
            stability,
        )
    return autok.choose(curve), curve


def _tfidf(counts: Any) -> Any:
    from sklearn.feature_extraction.text import TfidfTransformer

    return TfidfTransformer(sublinear_tf=True).fit_transform(counts)


class _Svd:
    """A TF-IDF matrix with its truncated SVD, for NMF fits started by NNDSVD."""

    def __init__(self, matrix: Any, n_components: int, seed: int) -> None:
        from sklearn.utils.extmath import randomized_svd

        self.matrix = matrix
        self.rank = max(1, min(n_components, *matrix.shape))
        self.u, self.s, self.vt = randomized_svd(matrix, self.rank, random_state=seed)

    def nmf_words(self, words_of: list[str], n_topics: int, seed: int) -> list[list[str]]:
        """Top words of ``n_topics`` NMF topics (``SEARCH_MAX_ITER`` iterations)."""
        import warnings

        from sklearn.decomposition import NMF
        from sklearn.exceptions import ConvergenceWarning

        from topics.models.autok import TOP_N

        k = min(n_topics, self.rank)
        w, h = _nndsvd(self.u[:, :k], self.s[:k], self.vt[:k])
        with warnings.catch_warnings(), np.errstate(invalid="ignore"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            nmf = NMF(n_components=k, init="custom", random_state=seed, max_iter=SEARCH_MAX_ITER)
            nmf.fit_transform(self.matrix, W=w, H=h)
        order = np.argsort(-nmf.components_, axis=1, kind="stable")[:, :TOP_N]
        return [[words_of[j] for j in row] for row in order]


def _nndsvd(u: FloatArray, s: FloatArray, vt: FloatArray) -> tuple[FloatArray, FloatArray]:
    """NNDSVD (Boutsidis & Gallopoulos 2008) from a given SVD, as scikit-learn computes it."""
    w = np.zeros_like(u)
    h = np.zeros_like(vt)
    w[:, 0] = np.sqrt(s[0]) * np.abs(u[:, 0])
    h[0] = np.sqrt(s[0]) * np.abs(vt[0])
    for j in range(1, len(s)):
        x, y = u[:, j], vt[j]
        xp, yp = np.maximum(x, 0), np.maximum(y, 0)
        xn, yn = np.abs(np.minimum(x, 0)), np.abs(np.minimum(y, 0))
        pos = np.linalg.norm(xp) * np.linalg.norm(yp)
        neg = np.linalg.norm(xn) * np.linalg.norm(yn)
        a, b, sigma = (xp, yp, pos) if pos > neg else (xn, yn, neg)
        if sigma > 0:
            scale = np.sqrt(s[j] * sigma)
            w[:, j] = scale * a / np.linalg.norm(a)
            h[j] = scale * b / np.linalg.norm(b)
    w[w < 1e-6] = 0
    h[h < 1e-6] = 0
    # A zero row or column would stay zero under multiplicative/CD updates: nudge it.
    w[:, ~w.any(axis=0)] = 1e-6
    h[~h.any(axis=1)] = 1e-6
    return w, h


def _rule(passes: int, curve: list[dict[str, float]]) -> str:
    from topics.models import autok

    how = (
        f"NMF topics (the start LDA refines) were fitted for each count on a seeded sample of "
        f"at most {SEARCH_MAX_DOCS:,} documents and on each half of it, a fixed amount of work "
        f"that does not depend on the machine; the chosen count was then fitted by LDA with "
        f"{passes} pass{'es' if passes != 1 else ''}."
    )
    return autok.describe(curve, autok.choose(curve), how)


# -- the plug-in (``topics.models.registry``) ----------------------------------------------


def _fit_model(context: FitContext) -> ModelFit:
    shared = context.shared_count
    run = context.settings
    with context.stage("fitting LDA", "lda"):
        pre = context.pre
        result = fit_lda(
            pre.tokens,
            pre.vocab,
            run.lda,
            n_topics=shared.n_topics if shared is not None else run.n_topics,
            seed=run.seed,
            progress=context.progress.message,
            executor=context.executor,
        )
    if shared is not None and shared.rule_only:
        result.settings["n_topics_requested"] = "auto"
        result.n_topics_rule = (
            f"'auto': the count the rule of {shared.described} chose on these documents "
            f"({result.n_topics}: their embeddings clustered by HDBSCAN, counts scored by "
            "NPMI, diversity and stability; that model itself is not shown in this run). "
            "LDA's own search picked too few topics on corpora it was not tuned on "
            "(bench/autok.py)."
        )
    elif shared is not None:
        result.settings["n_topics_requested"] = "auto"
        result.n_topics_rule = (
            f"'auto': the same count as {shared.described} chose "
            f"({result.n_topics}; see its section for the rule and the counts "
            "tried), so the two models can be compared topic for topic."
        )
    return ModelFit(result)


def _refit(job: Refit) -> TopicModelResult:
    return fit_lda(
        job.tokens, job.vocab, job.settings.lda, n_topics=job.model.n_topics, seed=job.seed
    )


SPEC = ModelSpec(
    name="lda",
    title="LDA (gensim)",
    fit=_fit_model,
    n_topics=lambda settings: settings.n_topics,
    refit=_refit,
    short="LDA",
    a_topic="an LDA topic",
    described="LDA",
    # With both on "auto", one count for the report (square comparison tables), chosen
    # from HDBSCAN's structure in a second rather than by LDA's own search (bench/autok.py).
    count_from="clusters",
)
