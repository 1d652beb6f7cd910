"""The run cache heals itself: a damaged entry is a miss, a damaged database is rebuilt."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.runs.test_history import _config, _corpus
from topics.runs import run_once
from topics.store.cache import RunCache


def _models(folder: Path) -> dict[str, int]:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest["cache"]["models"]  # type: ignore[no-any-return]


def test_a_truncated_cached_fit_is_a_miss_and_is_replaced(tmp_path: Path) -> None:
    config = _config(tmp_path, _corpus(tmp_path / "corpus"))
    first = run_once(config)
    (npz,) = (first.name_dir / ".cache" / "fits").glob("*.npz")
    npz.write_bytes(npz.read_bytes()[:200])  # BadZipFile when loaded
    second = run_once(config)
    assert _models(second.folder) == {"fresh": 1, "cached": 0}
    assert "ignoring unreadable cached fits" in (second.folder / "run.log").read_text()
    third = run_once(config)
    assert _models(third.folder) == {"fresh": 0, "cached": 1}  # the entry was replaced


def test_a_scribbled_cache_database_is_set_aside_and_rebuilt(tmp_path: Path) -> None:
    config = _config(tmp_path, _corpus(tmp_path / "corpus"))
    first = run_once(config)
    db = first.name_dir / ".cache" / "cache.sqlite"
    data = bytearray(db.read_bytes())
    page = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
    assert len(data) > 2 * page
    data[page:] = b"\xa5" * (len(data) - page)  # header intact, every table page garbage
    db.write_bytes(bytes(data))
    second = run_once(config)
    log = (second.folder / "run.log").read_text(encoding="utf-8")
    assert "cache database" in log and "moved aside" in log
    assert (db.parent / "cache.sqlite.damaged").is_file()
    third = run_once(config)
    manifest = json.loads((third.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["cache"]["parsed"] == {"fresh": 0, "cached": 16}


def test_a_database_damaged_mid_run_counts_as_a_miss(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = RunCache(folder)
    cache.store("parsed", {f"k{i}": {"v": f"{i}" * 2000} for i in range(200)})
    cache.close(prune=False)
    db = folder / "cache.sqlite"
    page = sqlite3.connect(db).execute("PRAGMA page_size").fetchone()[0]
    with open(db, "r+b") as fh:
        fh.seek(-8 * page, 2)  # the entries' pages; the header stays valid
        fh.write(b"\x5a" * 8 * page)
    cache = RunCache(folder)
    assert cache.lookup("parsed", [f"k{i}" for i in range(200)]) == {}
    assert (folder / "cache.sqlite.damaged").is_file()
    cache.store("parsed", {"k1": {"v": "y"}})
    assert cache.lookup("parsed", ["k1"]) == {"k1": {"v": "y"}}
    cache.close(prune=True)


def test_a_symlinked_cache_folder_is_refused_and_its_files_kept(tmp_path: Path) -> None:
    """Pruning old fits deleted every file of a folder that ``.cache/fits`` pointed to."""
    from topics.errors import OutputError

    config = _config(tmp_path, _corpus(tmp_path / "corpus"))
    first = run_once(config)
    victim = tmp_path / "victim"
    victim.mkdir()
    for i in range(8):
        (victim / f"photo{i}.json").write_text("{}", encoding="utf-8")
    fits = first.name_dir / ".cache" / "fits"
    fits.rename(tmp_path / "old-fits")
    fits.symlink_to(victim, target_is_directory=True)
    with pytest.raises(OutputError, match="is a symlink"):
        run_once(config)
    assert len(list(victim.iterdir())) == 8
