from __future__ import annotations

import csv
from pathlib import Path

from topics.store.output import csv_cell, slug, write_csv


def test_spreadsheet_formulas_are_neutralised(tmp_path: Path) -> None:
    """Document-derived cells (titles, paths, labels) must never run in a spreadsheet."""
    rows = [[1, '=HYPERLINK("x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "plain", 0.5]]
    write_csv(tmp_path / "d.csv", ["id", "a", "b", "c", "d", "e", "w"], rows)
    with open(tmp_path / "d.csv", encoding="utf-8", newline="") as fh:
        back = list(csv.reader(fh))[1]
    assert back[0] == "1" and back[-1] == "0.5"
    assert all(cell.startswith("'") for cell in back[1:5])
    assert back[5] == "plain"
    assert csv_cell(-3) == -3


def test_slug_never_escapes_or_vanishes() -> None:
    assert slug("../../evil") == "evil"
    assert slug("..") == "corpus"
    assert "/" not in slug("a/b\\c")


def test_a_run_id_is_never_reused_within_a_second(tmp_path: Path) -> None:
    """Regression: after retention removed a run, the next run of the same second took its
    id back, sorted before the newer runs and was removed as the oldest."""
    from datetime import UTC, datetime

    from topics.store.output import new_run_id

    runs = tmp_path / "runs"
    runs.mkdir()
    for _ in range(5):  # retry if the clock ticks over a second in between
        base = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        (runs / f"{base}-2").mkdir()  # the run before it, "{base}", was removed
        run_id = new_run_id(runs)
        if run_id.startswith(base):
            assert run_id == f"{base}-3"
            return
    raise AssertionError("the clock ticked over during every try")
