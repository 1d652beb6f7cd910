from __future__ import annotations

from topics.types import Skipped


def test_skip_kind_drops_file_specific_details() -> None:
    assert Skipped("a.csv#row=3", "row 3: 2 fields, header has 3").kind == "2 fields, header has 3"
    assert Skipped("b.txt", "exact duplicate of a.txt").kind == "exact duplicate"
    assert Skipped("c.png", "binary file: PNG image").kind == "binary file"
    assert Skipped("d.txt", "too short after preprocessing (2 content words)").kind == (
        "too short after preprocessing"
    )
