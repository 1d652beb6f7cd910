"""Report: ``RunResult`` -> report data -> HTML page and machine-readable files.

This package reads model results and metrics only; it never fits anything.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from topics import output
from topics.report.data import (
    build_report_data,
    document_rows,
    manifest_json,
    review_rows,
    topics_json,
)
from topics.report.ldavis import ldavis_panel
from topics.report.payload import DocsLayout
from topics.report.render import render_html

if TYPE_CHECKING:
    from topics.pipeline import RunResult

__all__ = [
    "DocsLayout",
    "WrittenReport",
    "build_report_data",
    "render_report",
    "write_report",
    "write_report_files",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WrittenReport:
    """Where a published report lives."""

    run_id: str
    folder: Path
    index_html: Path
    name_dir: Path


def render_report(
    run: RunResult, run_id: str, *, drift: dict[str, Any] | None = None, history: bool = False
) -> tuple[dict[str, Any], str]:
    """Report data and the HTML page for a finished run."""
    data = build_report_data(run, run_id=run_id, drift=drift, history=history)
    panels = {
        name: ldavis_panel(model, run.pre.tokens, run.pre.display)
        for name, model in run.models.items()
    }
    return data, render_html(data, panels)


def write_report_files(
    run: RunResult,
    folder: Path,
    run_id: str,
    *,
    drift: dict[str, Any] | None = None,
    history: bool = False,
    layout: DocsLayout | None = None,
) -> dict[str, Any]:
    """Write one report's files into ``folder`` (a staging folder); return the report data.

    ``index.html``, ``topics.json``, ``manifest.json``, ``documents.csv`` and, when the
    run ranked its documents, ``review.csv``.
    """
    data = build_report_data(run, run_id=run_id, drift=drift, history=history)
    panels = {name: ldavis_panel(model, run.pre.tokens) for name, model in run.models.items()}
    # Above ``layout.inline_max_docs`` documents the words go to ``docs/*.js``, loaded by
    # the page on demand (topics.report.payload). They live inside the run folder, so
    # the same rename publishes them with the page.
    sidecars: dict[str, str] = {}
    html = render_html(data, panels, sidecars=sidecars, layout=layout)
    for rel, text in sidecars.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    (folder / "index.html").write_text(html, encoding="utf-8")
    output.write_json(folder / "topics.json", topics_json(data))
    output.write_json(folder / "manifest.json", manifest_json(data))
    header, rows = document_rows(data)
    output.write_csv(folder / "documents.csv", header, rows)
    if data.get("review"):
        header, rows = review_rows(data)
        output.write_csv(folder / "review.csv", header, rows)
    return data


def write_report(run: RunResult, out_root: Path, name: str) -> WrittenReport:
    """Write ``run`` under ``out_root/<name>/runs/<run-id>/`` atomically and return its paths.

    The bare report only (the Python API); ``topics report`` and ``topics run`` go through
    ``topics.runs.run_once``, which adds the history page, drift and the cache.
    """
    root = output.prepare_root(Path(out_root))
    name_dir = root / output.slug(name)
    runs = name_dir / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    output.clean_stale(runs)
    run_id = output.new_run_id(runs)
    staging = output.staging_dir(runs, run_id)
    try:
        write_report_files(run, staging, run_id)
        folder = output.publish(staging, runs, run_id)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    output.write_text_atomic(name_dir / "latest.html", output.latest_page(run_id))
    log.info("report written to %s", folder)
    return WrittenReport(run_id, folder, folder / "index.html", name_dir)
