"""One run per name at a time: an exclusive ``flock`` on ``<output>/<name>/.lock``.

The kernel drops a ``flock`` when its process dies, however it dies (SIGKILL included),
so a lock can never be held by a dead process: a lock file left behind is simply taken
over. The file records the holder's pid and start time for the "busy" message.
(``flock`` is reliable on local file systems; on NFS use a local output folder.)
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from topics.errors import OutputError, TopicsError

log = logging.getLogger(__name__)

#: EX_TEMPFAIL from sysexits.h: try again later.
EXIT_LOCKED = 75
LOCK_NAME = ".lock"


class LockedError(TopicsError):
    """Another run of the same name holds the lock."""

    exit_code = EXIT_LOCKED


@dataclass(frozen=True)
class Lock:
    """A held lock: its file, and the holder a dead process left recorded there (if any)."""

    path: Path
    stale_holder: str | None = None


@contextmanager
def hold_lock(name_dir: Path) -> Iterator[Lock]:
    """Hold the run lock of ``name_dir`` for the ``with`` block, or raise ``LockedError``."""
    path = Path(name_dir) / LOCK_NAME
    try:
        # Never through a symlink planted in a shared output: it would truncate its target.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OutputError(
                f"{str(path)!r} is a symlink; topics never follows symlinks inside its "
                "output folder: remove it or choose another -o"
            ) from None
        raise OutputError(
            f"cannot open the run lock {str(path)!r} ({exc.strerror}); choose another -o"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = _holder(fd)
        os.close(fd)
        raise LockedError(
            f"another run of {Path(name_dir).name!r} is in progress ({holder}); "
            f"this run exits without changes (lock: {path})"
        ) from None
    try:
        previous = _holder(fd)
        stale = None if previous == "holder unknown" else previous
        if stale:
            log.info("taking over the lock left by a process that ended (%s)", stale)
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {started}\n".encode(), 0)
        yield Lock(path, stale)
    finally:
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the last descriptor releases the flock


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
    except OSError:
        return "holder unknown"
    if len(text) >= 2 and text[0].isdigit():
        return f"pid {text[0]}, started {text[1]}"
    return "holder unknown"
