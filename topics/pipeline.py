"""The whole pipeline as one function: folder + settings -> ``RunResult``.

Each stage is a function of its input and settings; this module only wires them
and times them. Library code never prints: progress goes to an optional sink.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from topics import __version__
from topics import settings as schema
from topics.errors import InputError
from topics.evaluate.scores import score_model
from topics.ingest import IngestSettings
from topics.ingest.inputs import InputSpec, read_inputs
from topics.models import registry
from topics.models.clusters import ClusterSettings
from topics.models.embed import EmbedSettings
from topics.models.lda import LdaSettings, NTopics
from topics.models.spec import FitContext, SharedCount
from topics.preprocess.tokens import PreprocessSettings, preprocess
from topics.review.ranking import Review, review_documents
from topics.store.cached import DocumentCache
from topics.store.keys import fingerprint
from topics.types import (
    Corpus,
    Fits,
    FloatArray,
    ModelScores,
    Note,
    Preprocessed,
    TokenLists,
    TopicModelResult,
)

#: The registered models by name (``topics.models.registry``), in report order.
MODELS = registry.MODELS

if TYPE_CHECKING:
    from topics.executor import Executor

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
    models: tuple[str, ...] = tuple(MODELS)
    #: Refit each model with a second seed on a sample and score the agreement
    #: (``topics.evaluate.stability``); off by default, as it costs two more fits per model.
    stability: bool = False
    #: Dask scheduler address (``tcp://HOST:8786``) or "local" (a LocalCluster) to run the
    #: heavy stages on (``topics.executor``); None: this process. The address is not part
    #: of the result's settings nor of any cache key; manifest.json records the executor.
    dask: str | None = None

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


#: Renames the fitted models' topics in place (the run layer: user names by drift matching).
Namer = Callable[[dict[str, TopicModelResult]], None]


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
    #: Where the heavy stages ran: ``{"kind": "local"|"dask", "workers": n}``.
    executor: dict[str, Any] = field(default_factory=lambda: {"kind": "local", "workers": 1})

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
    namer: Namer | None = None,
) -> RunResult:
    """Ingest, preprocess, fit and score: everything but writing the report.

    ``source`` is what to read (an ``InputSpec``, or one folder or file) or a corpus
    already read. ``cache`` lets unchanged files, documents and an unchanged corpus
    skip their work. ``namer`` renames topics after the generated names and before the
    review, so the review's reasons carry those names (the run layer's user-given names).
    With ``settings.dask`` the heavy stages run on that Dask cluster (``topics.executor``).
    """
    from topics.executor import describe, open_executor

    settings = settings or RunSettings()
    settings.validate()
    t0 = time.perf_counter()
    with open_executor(settings.dask) as executor:
        start_s = time.perf_counter() - t0
        result = _run_stages(source, settings, progress, cache, executor, namer)
    if executor is not None:
        # Starting a LocalCluster (or connecting) is part of the run's cost.
        result.stage_seconds = {"executor": start_s} | result.stage_seconds
        result.duration_s += start_s
    result.executor = describe(executor)
    return result


def _run_stages(
    source: InputSpec | Corpus | Path | str,
    settings: RunSettings,
    progress: Progress | None,
    cache: StageCache | None,
    executor: Executor | None,
    namer: Namer | None = None,
) -> RunResult:
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
    pre = preprocess(
        corpus.documents, settings.preprocess, progress=sink.advance, cache=cache, executor=executor
    )
    seconds["preprocess"] = time.perf_counter() - t0
    if not pre.tokens:
        raise InputError(_nothing_usable(shown, corpus, pre))
    settings = _cap_n_topics(settings, len(pre.tokens), corpus)

    labels = [corpus.documents[i].label for i in pre.doc_index]
    fits_key = _fits_key(pre, labels, settings, executor) if cache is not None else ""
    fits = cache.load_fits(fits_key) if cache is not None else None
    if fits is not None and cache is not None:
        sink.stage("reusing the fits of an identical corpus")
        log.info("corpus and settings unchanged: reusing cached fits %s", fits_key[:12])
        cache.count("models", cached=len(fits.models))
        texts = _texts(corpus, pre, settings)
        context = _context(pre, settings, sink, seconds, cache, texts, executor)
        for model_spec in registry.fit_order(settings):
            if model_spec.restore is not None and model_spec.name in fits.models:
                # The cache keeps no document vectors; the embedding cache has them.
                fits.embeddings = model_spec.restore(context)
    else:
        texts = _texts(corpus, pre, settings)
        fits = _fit_and_score(pre, labels, settings, sink, seconds, cache, texts, executor)
        if cache is not None:
            cache.count("models", fresh=len(fits.models))
            cache.save_fits(fits_key, fits)

    from topics.models.naming import name_topics

    # Named after fitting (and after a cache hit): names show words as the text has them.
    for model in fits.models.values():
        model.names = name_topics(model, pre.display)
    if namer is not None:
        namer(fits.models)

    # After the (possibly cached) fits: cheap, and it reads the labels of this run.
    t0 = time.perf_counter()
    sink.stage("ranking documents worth a look")
    review = review_documents(pre.tokens, labels, fits.models, seed=settings.seed, vocab=pre.vocab)
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
    executor: Executor | None = None,
) -> Fits:
    context = _context(pre, settings, sink, seconds, cache, texts, executor)
    coords = None
    # A model that takes another's count (``ModelSpec.count_from``) is fitted after it.
    for spec in registry.fit_order(settings):
        source = registry.count_source(spec, settings)
        rule = registry.count_rule(spec, settings)
        if source is not None:
            n = context.fitted[source.name].n_topics
            context.shared_count = SharedCount(source.name, source.described, n)
        elif rule is not None and rule.choose_count is not None:
            n = rule.choose_count(context)
            context.shared_count = SharedCount(rule.name, rule.described, n, rule_only=True)
        else:
            context.shared_count = None
        fit = spec.fit(context)
        context.fitted[spec.name] = fit.result
        if fit.embeddings is not None:
            context.embeddings = fit.embeddings
        if fit.coords is not None:
            coords = fit.coords
    embeddings = context.embeddings
    models = {name: context.fitted[name] for name in settings.models if name in context.fitted}

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


#: The code every fit depends on (the cache's own layout of fits included); each
#: selected model's own module is added by ``_fits_key``.
_SHARED_FIT_MODULES = (
    "topics.models.ctfidf",
    "topics.models.autok",
    "topics.models.embed",
    "topics.models.projection",
    "topics.evaluate.scores",
    "topics.evaluate.stability",
    "topics.store.cache",
)


def _fits_key(
    pre: Preprocessed,
    labels: list[str | None],
    settings: RunSettings,
    executor: Executor | None = None,
) -> str:
    """Key of everything a fit depends on: every token, the labels, settings and code.

    A cluster's fits depend on its number of workers (LDA's parts), not on its address.
    """
    header: dict[str, Any] = {"settings": settings.as_dict(), "labels": labels}
    if executor is not None:
        header["executor"] = [executor.kind, executor.n_workers]
    fitters = [spec.fit.__module__ for spec in registry.fit_order(settings)]
    # A count chosen by another model's rule depends on that model's code too.
    fitters += [
        rule.fit.__module__
        for spec in registry.fit_order(settings)
        if (rule := registry.count_rule(spec, settings)) is not None
    ]
    modules = tuple(dict.fromkeys([*fitters, *_SHARED_FIT_MODULES]))
    return fingerprint(header, pre.vocab, _token_stream(pre.tokens), modules=modules)


def _token_stream(tokens: Sequence[Sequence[str]]) -> Iterator[bytes | Sequence[str]]:
    """Every token, for ``fingerprint``: a ``TokenLists``' id arrays a block at a time
    (its ids index ``pre.vocab``, which the key holds too), else each document's list."""
    if not isinstance(tokens, TokenLists):
        yield from tokens
        return
    yield b"offsets" + tokens.offsets.tobytes()
    step = 1 << 22
    for start in range(0, len(tokens.ids), step):
        yield tokens.ids[start : start + step].tobytes()


def cache_dir() -> Path:
    """Where derived data (embeddings) is cached: ``$TOPICS_CACHE_DIR`` or the user cache."""
    configured = os.environ.get("TOPICS_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "topics"


def _texts(corpus: Corpus, pre: Preprocessed, settings: RunSettings) -> list[str] | None:
    if settings.embed.method != "sentence-transformers":
        return None
    return [corpus.documents[i].text for i in pre.doc_index]


def _context(
    pre: Preprocessed,
    settings: RunSettings,
    sink: Progress,
    seconds: dict[str, float],
    cache: StageCache | None,
    texts: list[str] | None,
    executor: Executor | None,
) -> FitContext:
    embeddings_dir = _embeddings_dir(cache)
    return FitContext(pre, settings, sink, seconds, cache, embeddings_dir, texts, executor=executor)


def _embeddings_dir(cache: StageCache | None) -> Path:
    return cache.embeddings_dir if cache is not None else cache_dir() / "embeddings"


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
        spec = registry.spec_of(name)
        if spec is None or spec.refit is None:
            log.info("%s has no refit: no stability score", name)
            continue
        sink.stage(f"refitting {name} with a second seed (stability)")
        scores[name].metrics.update(
            model_stability(
                model, pre.tokens, pre.vocab, spec.refit, settings, embeddings=embeddings
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
