"""The Python API as a notebook user meets it: ``topics.analyze`` and the returned report."""

from __future__ import annotations

import html
import json
import random
from collections.abc import Callable
from pathlib import Path

import pytest

import topics
from tests.browser import heading_visible_js, open_report, wait_until

THEMES = ["orbit planet comet rocket galaxy star", "flour butter oven sugar dough bake"]


def _corpus(write_files: Callable[..., Path], n_per_theme: int = 6) -> Path:
    rng = random.Random(0)

    def text(theme: str) -> str:
        words = theme.split() * 6
        rng.shuffle(words)  # no fixed word order, so no phrases form
        return ", ".join(words)

    return write_files(
        {f"t{t}/d{i}.txt": text(THEMES[t]) for t in range(2) for i in range(n_per_theme)}
    )


def test_analyze_writes_a_report_and_shows_inline(
    tmp_path: Path, write_files: Callable[..., Path]
) -> None:
    root = _corpus(write_files)
    report = topics.analyze(root, output=tmp_path / "out", n_topics=2, models=("lda",))
    assert report.index_html.is_file()
    assert report.index_html.parent == report.folder
    # The same layout as `topics report -o`: OUTPUT/NAME/runs/RUN-ID/.
    assert report.folder.parent.parent == tmp_path / "out" / "corpus"
    assert not report.temporary
    assert len(report.topics["lda"]) == 2
    words = {w for topic in report.topics["lda"] for w in topic[:6]}
    assert {"orbit", "flour"} <= words
    inline = report._repr_html_()
    assert inline.startswith("<iframe srcdoc=")
    # The whole page travels escaped inside the attribute: no raw tag can break out.
    srcdoc = inline.split('srcdoc="', 1)[1].split('" style=', 1)[0]
    assert "<" not in srcdoc and '"' not in srcdoc
    assert html.unescape(srcdoc) == report.index_html.read_text(encoding="utf-8")
    # A notebook run joins the same history as a CLI run.
    history = report.folder.parent.parent / "index.html"
    assert report.folder.name in history.read_text(encoding="utf-8")
    # The plain-text repr is a line, not the report's data (it was 1.35 MB).
    text = repr(report)
    assert len(text.encode()) < 1024
    assert report.data["run_id"] in text and str(report.index_html) in text
    assert "12 documents" in text and "lda 2 topics" in text


def test_analyze_without_output_writes_to_a_temporary_folder(
    tmp_path: Path, write_files: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _corpus(write_files)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    report = topics.analyze(root, n_topics=2, models=("lda",))
    assert report.temporary
    assert list(work.iterdir()) == []  # never a reports/ folder in the working directory
    assert not report.index_html.resolve().is_relative_to(work)
    assert "temporary folder" in repr(report) and str(report.index_html) in repr(report)


@pytest.mark.slow
@pytest.mark.browser
def test_notebook_kernel_shows_a_short_repr_no_tqdm_warning_and_working_navigation(
    tmp_path: Path, write_files: Callable[..., Path]
) -> None:
    """A real Jupyter kernel runs ``topics.analyze``; Chromium shows the cell's output."""
    import nbformat
    from nbclient import NotebookClient

    root = _corpus(write_files, n_per_theme=10)
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            "import topics\n"
            f"report = topics.analyze({str(root)!r}, output={str(tmp_path / 'out')!r}, "
            "n_topics=2, models=('lda', 'clusters'))"
        ),
        nbformat.v4.new_code_cell("report"),
    ]
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    streams = [
        out.get("text", "")
        for cell in nb.cells
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stderr"
    ]
    assert not any("IProgress" in s or "TqdmWarning" in s for s in streams), streams
    assert [o.output_type for o in nb.cells[0].outputs if o.output_type == "error"] == []
    shown = nb.cells[1].outputs[0]["data"]
    assert len(shown["text/plain"].encode()) < 1024
    assert shown["text/plain"].startswith("<topics.Report run ")
    assert len(json.dumps(nb.cells[1].outputs).encode()) < 2 * 1024 * 1024

    # The notebook's output area: a page holding the cell's HTML, opened from file://.
    page_path = tmp_path / "notebook.html"
    page_path.write_text(
        "<!DOCTYPE html><html><body><h1>notebook</h1>"
        f"<div class='output'>{shown['text/html']}</div></body></html>",
        encoding="utf-8",
    )
    with open_report(page_path) as (page, watch):
        frame = page.frame_locator("iframe")
        frame.locator("header.top nav").wait_for()
        inner = next(f for f in page.frames if f != page.main_frame)
        targets = inner.evaluate(
            "Array.from(document.querySelectorAll('header.top nav a[href^=\"#\"]'))"
            ".map(a => a.getAttribute('href').slice(1))"
        )
        assert "documents" in targets
        for target in targets:
            frame.locator(f"header.top nav a[href='#{target}']").click()
            wait_until(inner, heading_visible_js(target))
        assert inner.url == "about:srcdoc"  # navigation never loaded another address
        # Links out of the page (the history page) cannot load inside the frame: hidden.
        assert (
            inner.evaluate(
                "Array.from(document.querySelectorAll('a[href]')).filter(a =>"
                " !a.getAttribute('href').startsWith('#') && a.offsetParent !== null).length"
            )
            == 0
        )
        assert inner.evaluate("document.querySelectorAll('a[href=\"../../index.html\"]').length")
    assert watch.page_errors == []
    assert not any("Not allowed to load" in e for e in watch.console_errors), watch.console_errors
    assert watch.network == []
