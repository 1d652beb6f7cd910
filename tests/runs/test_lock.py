"""The per-name run lock, in-process (``flock`` locks per open file, so one process can
contend with itself). Locks held by other and dead processes: ``tests/runs/test_history.py``
and ``tests/runs/test_run.py``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from topics.errors import OutputError
from topics.runs.lock import EXIT_LOCKED, LOCK_NAME, LockedError, hold_lock


def test_the_holder_is_recorded_while_held_and_cleared_after(tmp_path: Path) -> None:
    with hold_lock(tmp_path) as lock:
        assert lock.path == tmp_path / LOCK_NAME
        assert lock.stale_holder is None
        pid, started = lock.path.read_text(encoding="utf-8").split()
        assert pid == str(os.getpid())
        assert started[:4].isdigit() and started.endswith("+00:00")
    assert lock.path.read_text(encoding="utf-8") == ""


def test_a_second_holder_is_refused_with_exit_75_naming_the_first(tmp_path: Path) -> None:
    with hold_lock(tmp_path):
        with pytest.raises(LockedError) as exc, hold_lock(tmp_path):
            pass
        assert exc.value.exit_code == EXIT_LOCKED == 75
        message = str(exc.value)
        assert f"another run of {tmp_path.name!r} is in progress (pid {os.getpid()}, " in message
        assert "exits without changes" in message
    with hold_lock(tmp_path):  # released: free again
        pass


def test_the_lock_is_released_when_the_block_raises(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), hold_lock(tmp_path):
        raise RuntimeError("the run failed")
    with hold_lock(tmp_path) as lock:
        assert lock.stale_holder is None


def test_a_left_over_lock_file_is_taken_over_and_its_holder_reported(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).write_text("999999 2026-01-02T03:04:05+00:00\n", encoding="utf-8")
    with hold_lock(tmp_path) as lock:
        assert lock.stale_holder == "pid 999999, started 2026-01-02T03:04:05+00:00"
        assert lock.path.read_text(encoding="utf-8").split()[0] == str(os.getpid())


def test_unreadable_lock_contents_are_no_holder(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).write_bytes(b"\xff\xfe not a pid")
    with hold_lock(tmp_path) as lock:
        assert lock.stale_holder is None


def test_a_planted_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("years of work", encoding="utf-8")
    name_dir = tmp_path / "name"
    name_dir.mkdir()
    (name_dir / LOCK_NAME).symlink_to(target)
    refused = pytest.raises(OutputError, match="is a symlink; topics never follows symlinks")
    with refused, hold_lock(name_dir):
        pass
    assert target.read_text(encoding="utf-8") == "years of work"


def test_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    refused = pytest.raises(OutputError, match=r"cannot open the run lock .*choose another -o")
    with refused, hold_lock(tmp_path / "missing"):
        pass
