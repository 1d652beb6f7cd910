from __future__ import annotations

import html
import random
from collections.abc import Callable
from pathlib import Path

import topics


def test_analyze_writes_a_report_and_shows_inline(
    tmp_path: Path, write_files: Callable[..., Path]
) -> None:
    themes = ["orbit planet comet rocket galaxy star", "flour butter oven sugar dough bake"]
    rng = random.Random(0)

    def text(theme: str) -> str:
        words = theme.split() * 6
        rng.shuffle(words)  # no fixed word order, so no phrases form
        return ", ".join(words)

    root = write_files({f"t{t}/d{i}.txt": text(themes[t]) for t in range(2) for i in range(6)})
    report = topics.analyze(root, output=tmp_path / "out", n_topics=2, models=("lda",))
    assert report.index_html.is_file()
    assert report.index_html.parent == report.folder
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
