"""The whole pipeline as one function: folder + settings -> ``RunResult``.

Each stage is a function of its input and settings; this module only wires them
and times them. Library code never prints: progress goes to an optional sink.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from topics import __version__
from topics import settings as schema
from topics.errors import InputError
from topics.evaluate.scores import score_model
from topics.ingest import IngestSettings
from topics.ingest.inputs import InputSpec, read_inputs
from topics.models.clusters import ClusterSettings
from topics.models.embed import EmbedSettings
from topics.models.lda import LdaSettings, NTopics, fit_lda
from topics.preprocess.tokens import PreprocessSettings, preprocess
from topics.review.ranking import Review, review_documents
from topics.store.cached import DocumentCache
from topics.store.keys import fingerprint
from topics.types import Corpus, Fits, FloatArray, ModelScores, Note, Preprocessed, TopicModelResult

MODELS = schema.MODELS

log = logging.getLogger(__name__)


class Progress(Protocol):
    """Where the pipeline reports progress (the CLI draws bars on stderr)."""

    def stage(self, name: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def message(self, text: str) -> None: ...


class _Silent:
    def stage(self, name: str, total: int | None = None) -> None:
        log.info("stage: %s", name)

    def advance(self, n: int = 1) -> None:
        pass

    def message(self, text: str) -> None:
        log.info("%s", text)


@dataclass(frozen=True)
class RunSettings:
    """Every setting of one run, grouped by stage.

    The options (flags and config keys) are declared in ``topics.settings``; ``seed`` and
    ``n_topics`` exist only here and are passed to each stage that uses them.
    """

    seed: int = 0
    #: Topics per model, or "auto" (each model chooses; with both models, LDA takes the
    #: cluster model's count).
    n_topics: NTopics = "auto"
    ingest: IngestSettings = field(default_factory=IngestSettings)
    preprocess: PreprocessSettings = field(default_factory=PreprocessSettings)
    lda: LdaSettings = field(default_factory=LdaSettings)
    embed: EmbedSettings = field(default_factory=EmbedSettings)
    clusters: ClusterSettings = field(default_factory=ClusterSettings)
    models: tuple[str, ...] = MODELS
    #: Refit each model with a second seed on a sample and score the agreement
    #: (``topics.evaluate.stability``); off by default, as it costs two more fits per model.
    stability: bool = False

    def problems(self, style: schema.Style = "field") -> list[str]:
        """Every invalid setting at once, each named in ``style`` (a key, flag or field)."""
        found = schema.problems(schema.values_of(self), style)
        for part in (self.ingest, self.preprocess, self.lda, self.embed, self.clusters):
            found += part.problems(options=False)
        return list(dict.fromkeys(found))

    def validate(self) -> None:
        """Raise ``SettingsError`` naming every invalid setting at once."""
        schema.raise_problems(self.problems())

    def as_dict(self) -> dict[str, Any]:
        """The effective settings as ``manifest.json`` records them."""
        return schema.effective(self)


class StageCache(DocumentCache, Protocol):
    """Work a run keeps for the next one (implemented by ``topics.store.cache.RunCache``).

    Per-document preprocessing results come through ``DocumentCache``; embeddings are
    files under ``embeddings_dir``; ``load_fits`` / ``save_fits`` keep whole fits keyed by
    every token and setting. ``count`` records what was computed and what was reused.
    """

    counts: dict[str, dict[str, int]]

    @property
    def embeddings_dir(self) -> Path: ...

    def count(self, stage: str, *, fresh: int = 0, cached: int = 0) -> None: ...

    def load_fits(self, key: str) -> Fits | None: ...

    def save_fits(self, key: str, fits: Fits) -> None: ...


@dataclass
class RunResult:
    """Everything a report is built from."""

    input_path: str
    corpus: Corpus
    pre: Preprocessed
    models: dict[str, TopicModelResult]
    scores: dict[str, ModelScores]
    settings: RunSettings
    started: str
    duration_s: float
    stage_seconds: dict[str, float]
    coords: FloatArray | None = None  # (n_docs, 2) document-map coordinates in [0, 1]
    #: (n_docs, n_dims) document embeddings when the cluster model ran (similar documents).
    embeddings: npt.NDArray[np.floating[Any]] | None = None
    version: str = __version__
    #: Per stage, documents computed (``fresh``) and reused (``cached``); None: no cache.
    cache: dict[str, dict[str, int]] | None = None
    #: Documents ranked for a human look (``topics.review.ranking``); None for runs made without it.
    review: Review | None = None

    @property
    def labels(self) -> list[str | None]:
        """Folder labels of the modelled documents, in model order."""
        return [self.corpus.documents[i].label for i in self.pre.doc_index]


def run_pipeline(
    source: InputSpec | Corpus | Path | str,
    settings: RunSettings | None = None,
    *,
    progress: Progress | None = None,
    cache: StageCache | None = None,
) -> RunResult:
    """Ingest, preprocess, fit and score: everything but writing the report.

    ``source`` is what to read (an ``InputSpec``, or one folder or file) or a corpus
    already read. ``cache`` lets unchanged files, documents and an unchanged corpus
    skip their work.
    """
    settings = settings or RunSettings()
    settings.validate()
    sink: Progress = progress or _Silent()
    started = datetime.now(UTC)
    t_start = time.perf_counter()
    seconds: dict[str, float] = {}

    t0 = time.perf_counter()
    sink.stage("reading files")
    if isinstance(source, Corpus):
        corpus, shown = source, source.root
    else:
        spec = source if isinstance(source, InputSpec) else InputSpec(paths=(str(source),))
        corpus = read_inputs(spec, settings.ingest, cache=cache, progress=sink.advance)
        shown = "; ".join(spec.paths)
    seconds["ingest"] = time.perf_counter() - t0
    if not corpus.documents:
        raise InputError(_nothing_usable(shown, corpus))

    t0 = time.perf_counter()
    sink.stage("preprocessing", total=len(corpus.documents))
    pre = preprocess(corpus.documents, settings.preprocess, progress=sink.advance, cache=cache)
    seconds["preprocess"] = time.perf_counter() - t0
    if not pre.tokens:
        raise InputError(_nothing_usable(shown, corpus, pre))
    settings = _cap_n_topics(settings, len(pre.tokens), corpus)

    labels = [corpus.documents[i].label for i in pre.doc_index]
    fits_key = _fits_key(pre, labels, settings) if cache is not None else ""
    fits = cache.load_fits(fits_key) if cache is not None else None
    if fits is not None and cache is not None:
        sink.stage("reusing the fits of an identical corpus")
        log.info("corpus and settings unchanged: reusing cached fits %s", fits_key[:12])
        cache.count("models", cached=len(fits.models))
        if "clusters" in fits.models:
            # The report's similar documents need the vectors; the embedding cache has them.
            from topics.models.embed import embed_documents

            fits.embeddings = embed_documents(
                pre.tokens,
                _embed_settings(pre, settings),
                seed=settings.seed,
                cache_dir=_embeddings_dir(cache),
                texts=_texts(corpus, pre, settings),
                on_cache=_count_embedded(cache, len(pre.tokens)),
            )
    else:
        texts = _texts(corpus, pre, settings)
        fits = _fit_and_score(pre, labels, settings, sink, seconds, cache, texts)
        if cache is not None:
            cache.count("models", fresh=len(fits.models))
            cache.save_fits(fits_key, fits)

    from topics.models.naming import name_topics

    # Named after fitting (and after a cache hit): names show words as the text has them.
    for model in fits.models.values():
        model.names = name_topics(model, pre.display)

    # After the (possibly cached) fits: cheap, and it reads the labels of this run.
    t0 = time.perf_counter()
    sink.stage("ranking documents worth a look")
    review = review_documents(pre.tokens, labels, fits.models, seed=settings.seed)
    seconds["review"] = time.perf_counter() - t0

    return RunResult(
        input_path=corpus.root,
        corpus=corpus,
        pre=pre,
        models=fits.models,
        scores=fits.scores,
        settings=settings,
        started=started.isoformat(timespec="seconds"),
        duration_s=time.perf_counter() - t_start,
        stage_seconds=seconds,
        coords=fits.coords,
        embeddings=fits.embeddings,
        cache={k: dict(v) for k, v in cache.counts.items()} if cache is not None else None,
        review=review,
    )


def _fit_and_score(
    pre: Preprocessed,
    labels: list[str | None],
    settings: RunSettings,
    sink: Progress,
    seconds: dict[str, float],
    cache: StageCache | None,
    texts: list[str] | None = None,
) -> Fits:
    models: dict[str, TopicModelResult] = {}
    coords = embeddings = None
    # With both models on "auto", LDA takes the cluster model's count: one number for
    # the report (square comparison tables), chosen from HDBSCAN's structure in a second
    # rather than by LDA's own search (``bench/autok.py``).
    shared = set(MODELS) <= set(settings.models) and settings.n_topics == "auto"
    if shared:
        models["clusters"], embeddings, coords = _fit_clusters(
            pre, settings, sink, seconds, cache, texts
        )
    if "lda" in settings.models:
        t0 = time.perf_counter()
        sink.stage("fitting LDA")
        models["lda"] = fit_lda(
            pre.tokens,
            pre.vocab,
            settings.lda,
            n_topics=models["clusters"].n_topics if shared else settings.n_topics,
            seed=settings.seed,
            progress=sink.message,
        )
        if shared:
            models["lda"].settings["n_topics_requested"] = "auto"
            models["lda"].extras["n_topics_rule"] = (
                f"'auto': the same count as the embedding-cluster model chose "
                f"({models['lda'].n_topics}; see its section for the rule and the counts "
                "tried), so the two models can be compared topic for topic."
            )
        seconds["lda"] = time.perf_counter() - t0
    if "clusters" in settings.models and not shared:
        models["clusters"], embeddings, coords = _fit_clusters(
            pre, settings, sink, seconds, cache, texts
        )
    models = {name: models[name] for name in settings.models if name in models}

    t0 = time.perf_counter()
    sink.stage("scoring topics")
    has_labels = sum(1 for label in labels if label) >= 2
    scores = {
        name: score_model(model, pre.tokens, labels if has_labels else None)
        for name, model in models.items()
    }
    seconds["evaluate"] = time.perf_counter() - t0
    if settings.stability:
        t0 = time.perf_counter()
        _score_stability(models, scores, pre, settings, sink, embeddings)
        seconds["stability"] = time.perf_counter() - t0

    return Fits(models=models, scores=scores, coords=coords, embeddings=embeddings)


#: The code a fit depends on (the cache's own layout of fits included).
_FIT_MODULES = tuple(
    f"topics.{name}"
    for name in (
        "models.lda",
        "models.clusters",
        "models.ctfidf",
        "models.autok",
        "models.embed",
        "models.projection",
        "evaluate.scores",
        "evaluate.stability",
        "store.cache",
    )
)


def _fits_key(pre: Preprocessed, labels: list[str | None], settings: RunSettings) -> str:
    """Key of everything a fit depends on: every token, the labels, settings and code."""
    header = {"settings": settings.as_dict(), "labels": labels}
    return fingerprint(header, pre.vocab, iter(pre.tokens), modules=_FIT_MODULES)


def cache_dir() -> Path:
    """Where derived data (embeddings) is cached: ``$TOPICS_CACHE_DIR`` or the user cache."""
    configured = os.environ.get("TOPICS_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "topics"


def _fit_clusters(
    pre: Preprocessed,
    settings: RunSettings,
    sink: Progress,
    seconds: dict[str, float],
    cache: StageCache | None = None,
    texts: list[str] | None = None,
) -> tuple[TopicModelResult, npt.NDArray[np.floating[Any]], FloatArray]:
    """Embed, cluster and project: the model, the embeddings and the 2-D map."""
    from topics.models.clusters import fit_clusters
    from topics.models.embed import embed_documents
    from topics.models.projection import project_2d

    t0 = time.perf_counter()
    sink.stage("embedding documents")
    embed = _embed_settings(pre, settings)
    # LSA and Doc2Vec fit the whole corpus: vectors are reused only for an identical one.
    embeddings = embed_documents(
        pre.tokens,
        embed,
        seed=settings.seed,
        cache_dir=_embeddings_dir(cache),
        texts=texts,
        on_cache=_count_embedded(cache, len(pre.tokens)),
    )
    seconds["embed"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sink.stage("clustering documents")
    model = fit_clusters(
        pre.tokens,
        pre.vocab,
        embeddings,
        settings.clusters,
        n_topics=settings.n_topics,
        seed=settings.seed,
    )
    model.extras["embedder"] = embed.method
    seconds["clusters"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sink.stage("drawing the document map")
    coords = project_2d(embeddings, seed=settings.seed)
    seconds["map"] = time.perf_counter() - t0
    return model, embeddings, coords


def _texts(corpus: Corpus, pre: Preprocessed, settings: RunSettings) -> list[str] | None:
    if settings.embed.method != "sentence-transformers":
        return None
    return [corpus.documents[i].text for i in pre.doc_index]


def _embed_settings(pre: Preprocessed, settings: RunSettings) -> EmbedSettings:
    """The run's embedder with ``auto`` resolved for this corpus."""
    from topics.models.embed import resolve_method

    return resolve_method(pre.tokens, settings.embed)


def _embeddings_dir(cache: StageCache | None) -> Path:
    return cache.embeddings_dir if cache is not None else cache_dir() / "embeddings"


def _count_embedded(cache: StageCache | None, n_docs: int) -> Callable[[bool], None] | None:
    """Counts the corpus's documents as embedded afresh or reused (``embed_documents``)."""
    if cache is None:
        return None

    def count(hit: bool) -> None:
        cache.count("embedded", fresh=0 if hit else n_docs, cached=n_docs if hit else 0)

    return count


def _score_stability(
    models: dict[str, TopicModelResult],
    scores: dict[str, ModelScores],
    pre: Preprocessed,
    settings: RunSettings,
    sink: Progress,
    embeddings: npt.NDArray[np.floating[Any]] | None,
) -> None:
    """Add ``stability`` and ``stability_nmi`` to every model's metrics."""
    from topics.evaluate.stability import model_stability

    for name, model in models.items():
        sink.stage(f"refitting {name} with a second seed (stability)")
        scores[name].metrics.update(
            model_stability(
                model,
                pre.tokens,
                pre.vocab,
                seed=settings.seed,
                lda=settings.lda,
                clusters=settings.clusters,
                embed=settings.embed,
                embeddings=embeddings,
            )
        )


def _cap_n_topics(settings: RunSettings, n_docs: int, corpus: Corpus) -> RunSettings:
    """At most one topic per document: more cannot be told apart and can exhaust memory.

    The cap is logged and noted in the report; the report's settings show the count used.
    """
    asked = settings.n_topics
    if not isinstance(asked, int) or asked <= n_docs:
        return settings
    message = (
        f"n_topics {asked:,} is more than the {n_docs:,} modelled documents; "
        f"fitting {n_docs:,} topics instead"
    )
    log.warning("%s", message)
    corpus.notes.append(Note("n_topics", message))
    return replace(settings, n_topics=n_docs)


def _nothing_usable(path: str, corpus: Corpus, pre: Preprocessed | None = None) -> str:
    from collections import Counter

    reasons = Counter(item.kind for item in corpus.skipped + (pre.dropped if pre else []))
    top = "; ".join(f"{n} {r}" for r, n in reasons.most_common(3))
    seen = f"{corpus.n_files_seen} files seen" + (f": {top}" if top else "")
    return (
        f"no usable documents in {str(path)!r} ({seen}); "
        "add .txt, .md, .html, .csv or .jsonl files with text"
    )
