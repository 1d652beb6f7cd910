"""Writing one file safely: the old content or the new, never a mix, never through a symlink.

Every file topics writes (reports, history, caches, embeddings) goes through
``atomic_write``. An output folder may be shared, so a symlink planted where a file is
about to be written is refused with a one-line error rather than followed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from topics.errors import OutputError

#: Writes a file's content into the open (binary) temporary file.
Writer = Callable[[BinaryIO], None]


def refuse_symlink(path: Path) -> None:
    """One-line ``OutputError`` when ``path`` is a symlink (planted in a shared output)."""
    if Path(path).is_symlink():
        raise OutputError(
            f"{str(path)!r} is a symlink; topics never follows symlinks inside its output "
            "folder: remove it or choose another -o"
        )


def public_mode(folder: bool = False) -> int:
    """The mode ``open()`` / ``mkdir()`` give under the umask (0644 / 0755 usually).

    ``mkstemp`` and ``mkdtemp`` make private files; published ones get this instead, so
    every file of the output has the same permissions.
    """
    mask = os.umask(0o022)
    os.umask(mask)
    return (0o777 if folder else 0o666) & ~mask


def atomic_write(path: Path, data: bytes | str | Writer, *, fsync: bool = False) -> None:
    """Replace ``path`` with ``data`` (text is UTF-8) or what ``data(fh)`` writes, in one rename.

    A symlink at ``path`` is refused (``OutputError``); the temporary file beside it
    (``.<name>.*.tmp``) is created exclusively, so nothing planted is ever written
    through. The file gets ``public_mode()`` (0644 under umask 022). With ``fsync`` the
    data and the folder entry reach the disk before this returns: for records that are
    the only copy (history, failed runs), not for caches that can be rebuilt.
    """
    path = Path(path)
    refuse_symlink(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, public_mode())
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, str):
                fh.write(data.encode("utf-8"))
            elif isinstance(data, bytes):
                fh.write(data)
            else:
                data(fh)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        # A rename replaces a symlink that appeared since the check; it never follows it.
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if fsync:
        fsync_dir(path.parent)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk; best effort."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
