"""Reading a run's input: several folders, globs, include/exclude, the parse cache."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DATA
from topics.errors import InputError
from topics.ingest import read_folder
from topics.ingest.inputs import InputSpec, read_inputs
from topics.store.cache import RunCache


def test_same_corpus_as_read_folder_cold_and_cached(tmp_path: Path) -> None:
    # The run layer parses files with the ingest package's reader; the result must not differ.
    expected = read_folder(SAMPLE_DATA)
    spec = InputSpec(paths=(str(SAMPLE_DATA),))
    cache = RunCache(tmp_path / "cache")
    cold = read_inputs(spec, cache=cache)
    warm = read_inputs(spec, cache=cache)
    for corpus in (cold, warm):
        assert corpus.documents == expected.documents
        assert corpus.skipped == expected.skipped
        assert corpus.notes == expected.notes
        assert corpus.n_files_seen == expected.n_files_seen
    n_docs = len(expected.documents) + sum(s.code == "duplicate" for s in expected.skipped)
    assert cache.counts["parsed"] == {"fresh": n_docs, "cached": n_docs}


def test_a_touched_file_is_parsed_again(tmp_path: Path, write_files: Callable[..., Path]) -> None:
    root = write_files({f"d{i}.txt": f"document number {i} about things" for i in range(5)})
    spec = InputSpec(paths=(str(root),))
    read_inputs(spec, cache=RunCache(tmp_path / "c"))
    (root / "d1.txt").write_text("a different text of another length", encoding="utf-8")
    stat = (root / "d2.txt").stat()
    os.utime(root / "d2.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    cache = RunCache(tmp_path / "c")
    corpus = read_inputs(spec, cache=cache)
    assert cache.counts["parsed"] == {"fresh": 2, "cached": 3}
    assert corpus.documents[1].text == "a different text of another length"


def test_include_exclude_and_several_folders(write_files: Callable[..., Path]) -> None:
    root = write_files(
        {
            "a/one.txt": "alpha text",
            "a/two.md": "beta text",
            "a/drafts/three.txt": "gamma text",
            "b/four.txt": "delta text",
            "b/img.png": b"\x89PNG\r\n\x1a\n....",
        }
    )
    spec = InputSpec(
        paths=(str(root / "a"), str(root / "b")), include=("*.txt", "*.png"), exclude=("drafts",)
    )
    corpus = read_inputs(spec)
    assert [d.path for d in corpus.documents] == ["a/one.txt", "b/four.txt"]
    assert [s.path for s in corpus.skipped] == ["b/img.png"]
    assert corpus.n_files_seen == 3


def test_globs_pick_folders(write_files: Callable[..., Path]) -> None:
    root = write_files(
        {
            "2023-12/x.txt": "old news",
            "2024-01/y.txt": "new year news",
            "2024-02/sub/z.txt": "february news",
            "other/w.txt": "other news",
        }
    )
    corpus = read_inputs(InputSpec(paths=(str(root / "2024-*"),)))
    assert [d.path for d in corpus.documents] == ["2024-01/y.txt", "2024-02/sub/z.txt"]
    assert [d.label for d in corpus.documents] == ["2024-01", "2024-02"]
    only_md = read_inputs(InputSpec(paths=(str(root / "**" / "*.md"),)))
    assert only_md.documents == []


def test_duplicates_across_folders_are_listed(write_files: Callable[..., Path]) -> None:
    root = write_files({"a/x.txt": "the same words", "b/y.txt": "the same words"})
    corpus = read_inputs(InputSpec(paths=(str(root / "a"), str(root / "b"))))
    assert [d.path for d in corpus.documents] == ["a/x.txt"]
    assert corpus.skipped[0].reason == "exact duplicate of a/x.txt"


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_inputs(InputSpec(paths=(str(tmp_path / "nope"),)))


def test_parse_entries_in_an_older_layout_are_parsed_again(
    tmp_path: Path, write_files: Callable[..., Path]
) -> None:
    """Regression: a cached skip written as prose (``reason``, no ``detail``) must never
    crash a later run; the file is parsed again."""
    import json
    import sqlite3
    import zlib

    root = write_files({"a.txt": "some words here", "b.txt": "", "c.png": b"\x89PNG\r\n\x1a\n"})
    spec = InputSpec(paths=(str(root),))
    expected = read_inputs(spec)
    cache = RunCache(tmp_path / "c")
    read_inputs(spec, cache=cache)
    cache.close(prune=False)
    old = {"items": [{"skip": {"path": "b.txt", "reason": "empty file", "stage": "ingest"}}]}
    with sqlite3.connect(tmp_path / "c" / "cache.sqlite") as db:
        db.execute(
            "UPDATE entries SET value = ? WHERE stage = 'parsed'",
            (zlib.compress(json.dumps(old | {"notes": []}).encode()),),
        )
    again = RunCache(tmp_path / "c")
    corpus = read_inputs(spec, cache=again)
    assert corpus.documents == expected.documents and corpus.skipped == expected.skipped
    assert again.counts["parsed"] == {"fresh": 1, "cached": 0}


def test_skip_reasons_are_rendered_from_codes_after_a_cache_round_trip(
    tmp_path: Path, write_files: Callable[..., Path]
) -> None:
    root = write_files({"t.csv": "text,label\nfine words here,a\nonly one field\n", "e.txt": ""})
    spec = InputSpec(paths=(str(root),))
    cache = RunCache(tmp_path / "c")
    cold = read_inputs(spec, cache=cache)
    warm = read_inputs(spec, cache=cache)
    for corpus in (cold, warm):
        by_path = {s.path: s for s in corpus.skipped}
        row = by_path["t.csv#row=2"]
        assert (row.code, row.detail) == ("bad_row", {"row": 2, "fields": 1, "expected": 2})
        assert row.reason == "row 2: 1 fields, header has 2"
        assert by_path["e.txt"].reason == "empty file"
