"""What a model plug-in declares: how it fits and refits, and how the report shows it.

A model is one ``ModelSpec`` (registered in ``topics.models.registry``). The pipeline
fits every selected spec through ``ModelSpec.fit``, stability refits through
``ModelSpec.refit``, the fits cache restores ``ModelSpec.details`` from JSON and the
report renders ``ModelSpec.partial``; none of that code names a model. (A model's own
settings are still a field of ``RunSettings``.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from topics.types import FloatArray, IntArray, ModelDetails, Preprocessed, Tokens, TopicModelResult

if TYPE_CHECKING:
    from topics.executor import Executor
    from topics.pipeline import Progress, RunSettings, StageCache

NTopics = int | Literal["auto"]
Embeddings = npt.NDArray[np.floating[Any]]


@dataclass(frozen=True)
class SharedCount:
    """The topic count a model takes from a model fitted before it (see ``count_from``)."""

    model: str
    #: How that model is named in a sentence ("the embedding-cluster model").
    described: str
    n_topics: int
    #: The count came from that model's rule alone (``ModelSpec.choose_count``): the
    #: model itself is not fitted for the report in this run.
    rule_only: bool = False


@dataclass
class FitContext:
    """Everything a model's fit may read: the corpus, the run's settings and products.

    ``fitted`` holds the models fitted earlier in this run (in fit order); ``embeddings``
    the document vectors an earlier model made, if any.
    """

    pre: Preprocessed
    settings: RunSettings
    progress: Progress
    #: Stage timings of the run (``manifest.json``'s ``stage_seconds``); see ``stage``.
    seconds: dict[str, float]
    cache: StageCache | None
    #: Where document embeddings are cached (the run cache's folder, or the user cache).
    embeddings_dir: Path
    #: The documents' raw text, for embedders that read text (else None).
    texts: list[str] | None = None
    fitted: dict[str, TopicModelResult] = field(default_factory=dict)
    embeddings: Embeddings | None = None
    #: Set when this model takes its count from another (``ModelSpec.count_from``).
    shared_count: SharedCount | None = None
    #: Where the heavy work runs (``topics.executor``); None: this process.
    executor: Executor | None = None

    @contextmanager
    def stage(self, title: str, key: str) -> Iterator[None]:
        """Announce ``title`` to the progress sink and time the block as ``seconds[key]``."""
        t0 = time.perf_counter()
        self.progress.stage(title)
        yield
        self.seconds[key] = time.perf_counter() - t0

    def count_hit(self, counter: str) -> Callable[[bool], None] | None:
        """A callback counting every document of the corpus as reused (hit) or computed
        afresh under ``counter`` in the cache's counts (``manifest.json`` ``cache``)."""
        cache, n_docs = self.cache, len(self.pre.tokens)
        if cache is None:
            return None

        def count(hit: bool) -> None:
            cache.count(counter, fresh=0 if hit else n_docs, cached=n_docs if hit else 0)

        return count


@dataclass
class ModelFit:
    """A fitted model and the products it shares with the run (document vectors, map)."""

    result: TopicModelResult
    #: (n_docs, n_dims) document vectors: similar documents in the report, refits.
    embeddings: Embeddings | None = None
    #: (n_docs, 2) coordinates of the document map in [0, 1].
    coords: FloatArray | None = None


@dataclass(frozen=True)
class Refit:
    """One stability refit: the full run's model refitted on a sample with another seed."""

    #: The full run's fit: its topic count (and details) are reused, nothing is searched.
    model: TopicModelResult
    #: The sample's documents, and their indices among the run's documents.
    tokens: Tokens
    sample: IntArray
    vocab: list[str]
    seed: int
    settings: RunSettings
    #: The run's document embeddings (all documents), if a model made them.
    embeddings: Embeddings | None = None


@dataclass(frozen=True)
class ModelSpec:
    """One topic model, as the pipeline, stability, the cache and the report see it.

    Parameters
    ----------
    name
        Key in ``--models`` and the config's ``models``, in ``topics.json`` and the report.
    title
        The model's heading in the report.
    fit
        Fits the model on ``FitContext.pre``; reads its own settings from
        ``FitContext.settings`` and records its stage timings with ``FitContext.stage``.
    n_topics
        The topic count the run's settings ask of this model (an int or ``"auto"``).
    refit
        Refits on a sample for ``topics.evaluate.stability``; None: no stability score.
    details
        The model's ``ModelDetails`` subclass (restored from the fits cache), or None.
    partial
        A template defining ``intro(model, data)`` and/or ``appendix(model, data)``
        macros, rendered in the model's section above the topics table and at its end;
        ``model.details`` there is ``details.as_report()``.
    templates
        The folder holding ``partial`` when it is not the report's own ``templates/``
        (a plug-in can keep its partial beside its code).
    short, topic_noun, a_topic, described
        Words for sentences that compare models: "LDA", "LDA topic", "an LDA topic",
        "LDA"; defaults are built from ``name``.
    csv_prefix
        Column prefix in ``documents.csv`` (a published contract; defaults to ``name``).
    count_from
        With this model and that one both asked for ``"auto"``, this model takes the
        count that one chose (and is fitted after it), so the report's tables are square.
    restore
        On a fits-cache hit, recomputes the document vectors the cache does not keep.
    choose_count
        The count this model's ``"auto"`` rule chooses, without fitting the model for
        the report: a model that takes its count from this one (``count_from``) gets it
        even when this one is not selected (``--models lda`` takes the cluster rule's
        count, which transfers across corpora where LDA's own search did not).
    """

    name: str
    title: str
    fit: Callable[[FitContext], ModelFit]
    n_topics: Callable[[RunSettings], NTopics]
    refit: Callable[[Refit], TopicModelResult] | None = None
    details: type[ModelDetails] | None = None
    partial: str | None = None
    templates: Path | None = None
    short: str = ""
    topic_noun: str = ""
    a_topic: str = ""
    described: str = ""
    csv_prefix: str = ""
    count_from: str | None = None
    restore: Callable[[FitContext], Embeddings | None] | None = None
    choose_count: Callable[[FitContext], int] | None = None

    def __post_init__(self) -> None:
        defaults = {
            "short": self.short or self.name,
            "csv_prefix": self.csv_prefix or self.name,
        }
        defaults["topic_noun"] = self.topic_noun or f"{defaults['short']} topic"
        defaults["a_topic"] = self.a_topic or f"a {defaults['topic_noun']}"
        defaults["described"] = self.described or f"the {defaults['short']} model"
        for key, value in defaults.items():
            object.__setattr__(self, key, value)
