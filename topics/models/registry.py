"""The registered topic models, in the order the report shows them.

Adding a model: write its module (its fit, its ``ModelDetails`` subclass, its report
partial and a ``SPEC``), then add one line below. ``register`` does the same at run
time (a test registers a third model this way).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from topics.models import clusters, lda
from topics.models.spec import ModelSpec

if TYPE_CHECKING:
    from topics.pipeline import RunSettings

#: Name -> spec, in report order (``--models`` and the config's ``models`` accept these).
MODELS: dict[str, ModelSpec] = {
    "lda": lda.SPEC,
    "clusters": clusters.SPEC,
}


def register(spec: ModelSpec) -> None:
    """Add (or replace) a model; it is shown after the models registered before it."""
    MODELS[spec.name] = spec


def spec_of(name: str) -> ModelSpec | None:
    """The registered spec of ``name``, or None (a result built outside the registry)."""
    return MODELS.get(name)


def count_source(spec: ModelSpec, settings: RunSettings) -> ModelSpec | None:
    """The model ``spec`` takes its topic count from in this run, or None.

    Only when both are selected and both are asked for ``"auto"``.
    """
    source = MODELS.get(spec.count_from) if spec.count_from else None
    if (
        source is None
        or source.name not in settings.models
        or spec.n_topics(settings) != "auto"
        or source.n_topics(settings) != "auto"
    ):
        return None
    return source


def count_rule(spec: ModelSpec, settings: RunSettings) -> ModelSpec | None:
    """The model whose ``choose_count`` gives ``spec`` its count in this run, or None.

    When ``spec`` takes its count from a model (``count_from``) that is not selected
    but can choose a count on its own, and both are asked for ``"auto"``.
    """
    source = MODELS.get(spec.count_from) if spec.count_from else None
    if (
        source is None
        or source.choose_count is None
        or source.name in settings.models
        or spec.n_topics(settings) != "auto"
        or source.n_topics(settings) != "auto"
    ):
        return None
    return source


def fit_order(settings: RunSettings) -> list[ModelSpec]:
    """The selected models in registry order, each model that takes a count right after
    the model it takes it from."""
    order = [spec for spec in MODELS.values() if spec.name in settings.models]
    for spec in list(order):
        source = count_source(spec, settings)
        if source is not None:
            order.remove(spec)
            order.insert(order.index(source) + 1, spec)
    return order
