"""Report: ``RunResult`` -> report data -> HTML page and machine-readable files.

This package reads model results and metrics only; it never fits anything.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from topics.report.data import (
    build_report_data,
    document_rows,
    manifest_json,
    review_rows,
    topics_json,
)
from topics.report.ldavis import ldavis_panel, token_counts
from topics.report.payload import DocsLayout
from topics.report.render import render_html
from topics.store import output

if TYPE_CHECKING:
    from topics.pipeline import RunResult

__all__ = [
    "DocsLayout",
    "build_report_data",
    "write_report_files",
]


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
    counts = token_counts(run.pre.tokens, run.pre.vocab)
    data = build_report_data(run, run_id=run_id, drift=drift, history=history, counts=counts)
    panels = {
        name: ldavis_panel(model, None, run.pre.display, counts=counts)
        for name, model in run.models.items()
    }
    del counts
    # Above ``layout.inline_max_docs`` documents the words go to ``docs/*.js``, loaded by
    # the page on demand (topics.report.payload). They live inside the run folder, so
    # the same rename publishes them with the page. Each is written as it is made.
    html = render_html(data, panels, sidecars=_SidecarWriter(folder), layout=layout)
    output.atomic_write(folder / "index.html", html)
    output.write_json(folder / "topics.json", topics_json(data))
    output.write_json(folder / "manifest.json", manifest_json(data))
    header, rows = document_rows(data)
    output.write_csv(folder / "documents.csv", header, rows)
    if data.get("review"):
        header, rows = review_rows(data)
        output.write_csv(folder / "review.csv", header, rows)
    return data


class _SidecarWriter(MutableMapping[str, str]):
    """Sidecar files written (atomically) as they are set; only their names are kept."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._names: list[str] = []

    def __setitem__(self, rel: str, text: str) -> None:
        target = self._folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        output.atomic_write(target, text)
        self._names.append(rel)

    def __getitem__(self, rel: str) -> str:
        if rel not in self._names:
            raise KeyError(rel)
        return (self._folder / rel).read_text(encoding="utf-8")

    def __delitem__(self, rel: str) -> None:
        raise TypeError("sidecar files are not deleted")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
