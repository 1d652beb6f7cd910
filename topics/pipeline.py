"""The whole pipeline as one function: folder + settings -> ``RunResult``.

Each stage is a function of its input and settings; this module only wires them
and times them. Library code never prints: progress goes to an optional sink.
"""

from __future__ import annotations

import hashlib
import json
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
from topics.errors import InputError, SettingsError
from topics.evaluate.scores import score_model
from topics.ingest import IngestSettings, read_folder
from topics.models.clusters import ClusterSettings
from topics.models.embed import EmbedSettings
from topics.models.lda import LdaSettings, fit_lda
from topics.preprocess.tokens import DocumentCache, PreprocessSettings, preprocess
from topics.review.ranking import Review, review_documents
from topics.types import Corpus, Fits, FloatArray, ModelScores, Note, Preprocessed, TopicModelResult

MODELS = ("lda", "clusters")

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
    """Every setting of one run, grouped by stage."""

    seed: int = 0
    ingest: IngestSettings = field(default_factory=IngestSettings)
    preprocess: PreprocessSettings = field(default_factory=PreprocessSettings)
    lda: LdaSettings = field(default_factory=LdaSettings)
    embed: EmbedSettings = field(default_factory=EmbedSettings)
    clusters: ClusterSettings = field(default_factory=ClusterSettings)
    models: tuple[str, ...] = MODELS
    #: Refit each model with a second seed on a sample and score the agreement
    #: (``topics.evaluate.stability``); off by default, as it costs two more fits per model.
    stability: bool = False

    def validate(self) -> None:
        unknown = [m for m in self.models if m not in MODELS]
        if unknown or not self.models:
            raise SettingsError(
                f"models must be one or more of {', '.join(MODELS)}, got {', '.join(self.models)}"
            )
        self.ingest.validate()
        self.preprocess.validate()
        self.lda.validate()
        self.embed.validate()
        self.clusters.validate()
        if not isinstance(self.stability, bool):
            raise SettingsError(f"stability must be true or false, got {self.stability!r}")

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {
            "seed": self.seed,
            "models": list(self.models),
            "ingest": self.ingest.as_dict(),
            "preprocess": self.preprocess.as_dict(),
            "lda": self.lda.as_dict(),
            "embed": asdict(self.embed),
            "clusters": asdict(self.clusters),
            "stability": self.stability,
        }


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


#: Reads the input instead of ``read_folder`` (the run layer: several folders, a cache).
Reader = Callable[[IngestSettings, Callable[[int], None]], Corpus]
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

    @property
    def labels(self) -> list[str | None]:
        """Folder labels of the modelled documents, in model order."""
        return [self.corpus.documents[i].label for i in self.pre.doc_index]


def run_pipeline(
    path: Path | str,
    settings: RunSettings | None = None,
    *,
    progress: Progress | None = None,
    cache: StageCache | None = None,
    reader: Reader | None = None,
    namer: Namer | None = None,
) -> RunResult:
    """Ingest, preprocess, fit and score: everything but writing the report.

    ``cache`` lets unchanged documents and an unchanged corpus skip their work;
    ``reader`` replaces ``read_folder(path)`` (the run layer reads several folders);
    ``namer`` renames topics after the generated names and before the review, so the
    review's reasons carry those names (the run layer's user-given names).
    """
    settings = settings or RunSettings()
    settings.validate()
    sink: Progress = progress or _Silent()
    started = datetime.now(UTC)
    t_start = time.perf_counter()
    seconds: dict[str, float] = {}

    t0 = time.perf_counter()
    sink.stage("reading files")
    if reader is not None:
        corpus = reader(settings.ingest, sink.advance)
    else:
        corpus = read_folder(Path(path), settings.ingest, progress=sink.advance)
    seconds["ingest"] = time.perf_counter() - t0
    if not corpus.documents:
        raise InputError(_nothing_usable(path, corpus))

    t0 = time.perf_counter()
    sink.stage("preprocessing", total=len(corpus.documents))
    pre = preprocess(corpus.documents, settings.preprocess, progress=sink.advance, cache=cache)
    seconds["preprocess"] = time.perf_counter() - t0
    if not pre.tokens:
        raise InputError(_nothing_usable(path, corpus, pre))
    settings = _cap_n_topics(settings, len(pre.tokens), corpus)

    labels = [corpus.documents[i].label for i in pre.doc_index]
    fits_key = _fits_key(pre, labels, settings) if cache is not None else ""
    fits = cache.load_fits(fits_key) if cache is not None else None
    if fits is not None and cache is not None:
        sink.stage("reusing the fits of an identical corpus")
        log.info("corpus and settings unchanged: reusing cached fits %s", fits_key[:12])
        cache.count("models", cached=len(fits.models))
        if "clusters" in fits.models:
            cache.count("embedded", cached=len(pre.tokens))
            # The report's similar documents need the vectors; the embedding cache has them.
            from topics.models.embed import embed_documents

            fits.embeddings = embed_documents(
                pre.tokens,
                _embed_settings(pre, settings),
                cache_dir=_embeddings_dir(cache),
                texts=_texts(corpus, pre, settings),
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
    if namer is not None:
        namer(fits.models)

    # After the (possibly cached) fits: cheap, and it reads the labels of this run.
    t0 = time.perf_counter()
    sink.stage("ranking documents worth a look")
    review = review_documents(pre.tokens, labels, fits.models, seed=settings.seed)
    seconds["review"] = time.perf_counter() - t0

    return RunResult(
        input_path=corpus.root if reader is not None else str(Path(path).resolve()),
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
    shared = (
        set(MODELS) <= set(settings.models)
        and settings.lda.n_topics == "auto"
        and settings.clusters.n_topics == "auto"
    )
    if shared:
        models["clusters"], embeddings, coords = _fit_clusters(
            pre, settings, sink, seconds, cache, texts
        )
    if "lda" in settings.models:
        t0 = time.perf_counter()
        sink.stage("fitting LDA")
        lda_settings = _seeded(settings)
        if shared:
            lda_settings = replace(lda_settings, n_topics=models["clusters"].n_topics)
        models["lda"] = fit_lda(pre.tokens, pre.vocab, lda_settings, progress=sink.message)
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


def _fits_key(pre: Preprocessed, labels: list[str | None], settings: RunSettings) -> str:
    """Hash of everything a fit depends on: every token, the labels, settings and code."""
    from topics.evaluate import scores as evaluate
    from topics.evaluate import stability
    from topics.models import autok, clusters, ctfidf, embed, lda, projection

    digest = hashlib.sha256()
    header = {"settings": settings.as_dict(), "version": __version__, "labels": labels}
    digest.update(json.dumps(header, sort_keys=True, default=str).encode())
    for module in (lda, clusters, ctfidf, autok, embed, evaluate, projection, stability):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update("\x1f".join(pre.vocab).encode())
    for doc in pre.tokens:
        digest.update(b"\x1e" + "\x1f".join(doc).encode())
    return digest.hexdigest()


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
    from topics.models.embed import cache_key, embed_documents
    from topics.models.projection import project_2d

    t0 = time.perf_counter()
    sink.stage("embedding documents")
    embed = _embed_settings(pre, settings)
    folder = _embeddings_dir(cache)
    if cache is not None:
        # LSA and Doc2Vec fit the whole corpus: vectors are reused only for an identical one.
        hit = (folder / f"embed-{cache_key(pre.tokens, embed)}.npy").is_file()
        n = len(pre.tokens)
        cache.count("embedded", fresh=0 if hit else n, cached=n if hit else 0)
    embeddings = embed_documents(pre.tokens, embed, cache_dir=folder, texts=texts)
    seconds["embed"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sink.stage("clustering documents")
    model = fit_clusters(
        pre.tokens, pre.vocab, embeddings, replace(settings.clusters, seed=settings.seed)
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
    """The run's embedder with ``auto`` resolved for this corpus and the run's seed."""
    from topics.models.embed import resolve_method

    return resolve_method(pre.tokens, replace(settings.embed, seed=settings.seed))


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
    asked = settings.lda.n_topics
    if not isinstance(asked, int) or asked <= n_docs:
        return settings
    message = (
        f"n_topics {asked:,} is more than the {n_docs:,} modelled documents; "
        f"fitting {n_docs:,} topics instead"
    )
    log.warning("%s", message)
    corpus.notes.append(Note("n_topics", message))
    return replace(
        settings,
        lda=replace(settings.lda, n_topics=n_docs),
        clusters=replace(settings.clusters, n_topics=n_docs),
    )


def _seeded(settings: RunSettings) -> LdaSettings:
    return replace(settings.lda, seed=settings.seed)


def _nothing_usable(path: Path | str, corpus: Corpus, pre: Preprocessed | None = None) -> str:
    from collections import Counter

    reasons = Counter(item.kind for item in corpus.skipped + (pre.dropped if pre else []))
    top = "; ".join(f"{n} {r}" for r, n in reasons.most_common(3))
    seen = f"{corpus.n_files_seen} files seen" + (f": {top}" if top else "")
    return (
        f"no usable documents in {str(path)!r} ({seen}); "
        "add .txt, .md, .html, .csv or .jsonl files with text"
    )
