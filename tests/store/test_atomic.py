"""``atomic_write``: old or new content, never a mix, never through a planted symlink."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from topics.errors import OutputError
from topics.store.atomic import atomic_write


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_planted_symlink_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").symlink_to(victim)
    with pytest.raises(OutputError, match="is a symlink; topics never follows symlinks"):
        atomic_write(out / "index.html", "<html>planted</html>")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert (out / "index.html").is_symlink()
    assert _leftovers(out) == []


@pytest.mark.parametrize("fsync", [False, True])
def test_text_bytes_and_writer_give_public_files(
    tmp_path: Path, umask_022: None, fsync: bool
) -> None:
    atomic_write(tmp_path / "a.txt", "héllo\n", fsync=fsync)
    atomic_write(tmp_path / "b.bin", b"\x00\x01", fsync=fsync)

    def write(fh: BinaryIO) -> None:
        fh.write(b"from ")
        fh.write(b"a writer")

    atomic_write(tmp_path / "c.txt", write, fsync=fsync)
    assert (tmp_path / "a.txt").read_bytes() == "héllo\n".encode()
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert (tmp_path / "c.txt").read_text(encoding="utf-8") == "from a writer"
    for name in ("a.txt", "b.bin", "c.txt"):
        # mkstemp makes 0600 files; what topics writes is 0644 under umask 022.
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644
    assert _leftovers(tmp_path) == []


def test_a_failing_writer_keeps_the_old_content_and_leaves_no_temporary_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "runs.json"
    atomic_write(target, '{"runs": []}\n')

    def half(fh: BinaryIO) -> None:
        fh.write(b'{"runs": [')
        raise RuntimeError("killed while writing")

    with pytest.raises(RuntimeError, match="killed"):
        atomic_write(target, half)
    assert target.read_text(encoding="utf-8") == '{"runs": []}\n'
    assert _leftovers(tmp_path) == []
