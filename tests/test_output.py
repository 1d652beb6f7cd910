from __future__ import annotations

import csv
from pathlib import Path

from topics.output import csv_cell, slug, write_csv


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
