"""Python API for notebooks: run the pipeline, write the report, show it inline."""

from __future__ import annotations

import html
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from topics.ingest import IngestSettings
    from topics.lda import LdaSettings
    from topics.preprocess import PreprocessSettings


@dataclass(frozen=True)
class Report:
    """A written report: its paths, its data, and the pipeline result behind it."""

    index_html: Path
    folder: Path
    data: dict[str, Any]
    result: Any  # topics.pipeline.RunResult

    @property
    def topics(self) -> dict[str, list[list[str]]]:
        """Top words of every topic, per model."""
        return {
            name: [t["words"] for t in model["topics"]]
            for name, model in self.data["models"].items()
        }

    def _repr_html_(self) -> str:
        page = self.index_html.read_text(encoding="utf-8")
        return (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" '
            'style="width:100%;height:900px;border:1px solid #e5e7eb" '
            'sandbox="allow-scripts allow-modals"></iframe>'
        )


def analyze(
    path: str | Path,
    *,
    output: str | Path = "reports",
    name: str | None = None,
    n_topics: int | str = "auto",
    seed: int = 0,
    models: tuple[str, ...] = ("lda", "clusters"),
    ingest: IngestSettings | None = None,
    preprocess: PreprocessSettings | None = None,
    lda: LdaSettings | None = None,
) -> Report:
    """Run the whole pipeline on a folder and write its report; same as ``topics report``.

    The report joins the run history of ``output/<name>/`` like a CLI run: same layout,
    history page, cache and drift against the previous run.
    """
    import json

    from topics.clusters import ClusterSettings
    from topics.ingest import IngestSettings
    from topics.lda import LdaSettings
    from topics.output import check_root
    from topics.pipeline import RunSettings
    from topics.preprocess import PreprocessSettings
    from topics.runs import InputSpec, RunConfig, run_once

    lda_settings = replace(lda or LdaSettings(), n_topics=_n_topics(n_topics), seed=seed)
    settings = RunSettings(
        seed=seed,
        models=tuple(models),
        clusters=ClusterSettings(n_topics=_n_topics(n_topics), seed=seed),
        ingest=ingest or IngestSettings(),
        preprocess=preprocess or PreprocessSettings(),
        lda=lda_settings,
    )
    settings.validate()
    check_root(Path(output))
    config = RunConfig(
        name=name or Path(path).resolve().name,
        output=Path(output),
        input=InputSpec(paths=(str(path),)),
        settings=settings,
        keep_runs=None,
    )
    outcome = run_once(config)
    data = json.loads((outcome.folder / "topics.json").read_text(encoding="utf-8"))
    return Report(
        index_html=outcome.index_html, folder=outcome.folder, data=data, result=outcome.result
    )


def _n_topics(value: int | str) -> int | Any:
    if isinstance(value, str) and value != "auto":
        return int(value)
    return value
