"""Python API for notebooks: run the pipeline, write the report, show it inline."""

from __future__ import annotations

import html
import logging
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from topics.ingest import IngestSettings
    from topics.models.lda import LdaSettings
    from topics.preprocess.tokens import PreprocessSettings


log = logging.getLogger(__name__)


@dataclass(frozen=True, repr=False)
class Report:
    """A written report: its paths, its data, and the pipeline result behind it."""

    index_html: Path
    folder: Path
    data: dict[str, Any]
    result: Any  # topics.pipeline.RunResult
    #: The report went to a temporary folder because ``analyze`` got no ``output``.
    temporary: bool = False

    @property
    def topics(self) -> dict[str, list[list[str]]]:
        """Top words of every topic, per model."""
        return {
            name: [t["words"] for t in model["topics"]]
            for name, model in self.data["models"].items()
        }

    def __repr__(self) -> str:
        # Short on purpose: the data and the result are megabytes, and a notebook or a
        # REPL prints the repr of whatever a cell returns.
        models = ", ".join(
            f"{name} {model['n_topics']} topics" for name, model in self.data["models"].items()
        )
        where = " (a temporary folder; pass output= to keep it)" if self.temporary else ""
        return (
            f"<topics.Report run {self.data['run_id']}: "
            f"{self.data['corpus']['n_documents']:,} documents; {models}; "
            f"{self.index_html}{where}>"
        )

    def _repr_html_(self) -> str:
        page = self.index_html.read_text(encoding="utf-8")
        # No allow-same-origin: the page runs its own scripts but cannot reach the
        # notebook. Its navigation scrolls by script, because a `#anchor` link inside a
        # srcdoc frame would load the notebook's URL ("Not allowed to load local resource").
        return (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" '
            'style="width:100%;height:900px;border:1px solid #e5e7eb" '
            'sandbox="allow-scripts allow-modals"></iframe>'
        )


def analyze(
    path: str | Path,
    *,
    output: str | Path | None = None,
    name: str | None = None,
    n_topics: int | str = "auto",
    seed: int = 0,
    models: tuple[str, ...] = ("lda", "clusters"),
    ingest: IngestSettings | None = None,
    preprocess: PreprocessSettings | None = None,
    lda: LdaSettings | None = None,
) -> Report:
    """Run the whole pipeline on a folder (or one file) and write its report.

    The same as ``topics report PATH -o OUTPUT``: the report joins the run history of
    ``output/<name>/`` like a CLI run (same layout, history page, cache and drift against
    the previous run). Without ``output`` it goes to a new temporary folder, named in the
    returned report's repr, never into the working directory.
    """
    import json

    from topics import settings as schema
    from topics.runs import InputSpec, RunConfig, run_once
    from topics.store.output import check_root

    # The same path as flags and config keys: the schema's rules, then the stage objects
    # the caller gave.
    values = {"n_topics": _n_topics(n_topics), "seed": seed, "models": list(models)}
    schema.raise_problems(schema.problems(values, "field"))
    settings = schema.from_mapping(values)
    settings = replace(
        settings,
        ingest=ingest or settings.ingest,
        preprocess=preprocess or settings.preprocess,
        lda=lda or settings.lda,
    )
    settings.validate()
    temporary = output is None
    if output is None:
        output = Path(tempfile.mkdtemp(prefix="topics-")) / "reports"
        log.info("no output folder given; writing the report under %s", output)
    check_root(Path(output))
    source = Path(path).resolve()
    config = RunConfig(
        name=name or (source.stem if source.is_file() else source.name),
        output=Path(output),
        input=InputSpec(paths=(str(path),)),
        settings=settings,
        keep_runs=None,
    )
    outcome = run_once(config)
    data = json.loads((outcome.folder / "topics.json").read_text(encoding="utf-8"))
    return Report(
        index_html=outcome.index_html,
        folder=outcome.folder,
        data=data,
        result=outcome.result,
        temporary=temporary,
    )


def _n_topics(value: int | str) -> int | Any:
    # "5" from a notebook widget means 5; anything else is checked by the schema.
    return int(value) if isinstance(value, str) and value.isdigit() else value
