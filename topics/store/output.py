"""Writing a run's report safely: build in a temporary folder, publish with one rename.

Layout under the output root: ``<root>/<folder>/runs/<run-id>/`` holds one report
(``index.html``, ``topics.json``, ``documents.csv``, ``manifest.json`` and the
``.topics-run`` marker), ``<root>/<folder>/index.html`` is the history page of every run
(``topics.runs.history``) and ``<root>/<folder>/latest.html`` forwards to the newest one.
``<folder>`` is the corpus name made safe (``slug``); ``<folder>/.topics-name`` records
the name it belongs to, so two names never share one folder. A run that fails or is
killed leaves only a ``.tmp-*`` folder, which the next run removes; earlier reports
are never touched.

An output root may be shared, so nothing here follows a symlink planted inside it:
files are written by ``topics.store.atomic.atomic_write`` (a rename; a symlink where the
file goes is refused), small files are read with ``O_NOFOLLOW``, and a symlinked folder
entry is refused with a one-line error.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from topics.errors import OutputError
from topics.store.atomic import atomic_write, fsync_dir, public_mode, refuse_symlink

log = logging.getLogger(__name__)

#: A folder holding this file was made by topics and may be written into.
MARKER = ".topics-output"
#: Inside a name's folder: the exact name the folder belongs to.
NAME_FILE = ".topics-name"
#: Inside a published run folder: topics wrote it (retention removes only these).
RUN_MARKER = ".topics-run"
_IGNORABLE = {".gitkeep", ".gitignore", ".DS_Store", MARKER}


def slug(name: str) -> str:
    """A safe single path component from any string (never ``..`` or empty).

    Letters of every script are kept (``日本`` stays ``日本``); anything else that is
    not a digit, ``_``, ``.`` or ``-`` becomes ``-``.
    """
    name = unicodedata.normalize("NFC", name)
    cleaned = re.sub(r"[^\w.-]+", "-", name).strip(".-")[:80].strip(".-")
    return cleaned or "corpus"


def name_dir(root: Path, name: str) -> Path:
    """The folder under ``root`` that holds the runs of ``name``."""
    return Path(root) / slug(name)


def check_name_dir(folder: Path, name: str) -> None:
    """Refuse a name's folder that belongs to another name or is a symlink (read-only).

    A folder without a record (written before names were recorded) is adopted when its
    history names no other corpus.
    """
    refuse_symlink(folder)
    owner = recorded_name(folder)
    if owner is not None and owner != name:
        raise OutputError(
            f"output folder {str(folder)!r} belongs to the name {owner!r}, not {name!r}; "
            "choose another name (names that differ only in punctuation share a folder)"
        )
    for entry in (NAME_FILE, ".lock", "runs", "failed", ".cache"):
        refuse_symlink(folder / entry)


def recorded_name(folder: Path) -> str | None:
    """The name ``folder`` belongs to: its ``.topics-name``, else its ``runs.json``."""
    text = read_small(folder / NAME_FILE)
    if text is not None:
        return text[:-1] if text.endswith("\n") else text  # the name may end in "\n" too
    index = read_small(folder / "runs.json", limit=64 * 1024 * 1024)
    if index is None:
        return None
    try:
        value = json.loads(index)
    except ValueError:
        return None
    owner = value.get("name") if isinstance(value, dict) else None
    return owner if isinstance(owner, str) else None


def claim_name_dir(folder: Path, name: str) -> None:
    """Create (or adopt) the folder of ``name`` and record the name in it."""
    check_name_dir(folder, name)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create output folder {str(folder)!r} ({exc.strerror}); choose another -o"
        ) from exc
    refuse_symlink(folder)
    if read_small(folder / NAME_FILE) is None:
        try:
            atomic_write(folder / NAME_FILE, name + "\n")
        except OSError as exc:
            raise OutputError(
                f"cannot write {str(folder / NAME_FILE)!r} ({exc.strerror}); choose another -o"
            ) from exc


def read_small(path: Path, limit: int = 64 * 1024) -> str | None:
    """The text of a small regular file, or None (missing, symlinked, too large, unreadable)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) > limit:
        return None
    return data.decode("utf-8", "replace")


def check_root(root: Path) -> None:
    """Refuse an output root that is a file or a folder of someone else's files.

    Read-only, so the CLI can check before spending minutes on a run.
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise OutputError(f"output {str(root)!r} is a file, not a folder; choose another -o")
    refuse_symlink(root / MARKER)
    if root.is_dir() and not (root / MARKER).exists():
        foreign = [p.name for p in root.iterdir() if p.name not in _IGNORABLE]
        if foreign:
            raise OutputError(
                f"output folder {str(root)!r} already holds files not written by topics "
                f"(e.g. {foreign[0]!r}); choose an empty or new folder with -o"
            )


def check_output(root: Path, name: str) -> None:
    """Everything about the output that would stop a run of ``name``, read-only."""
    root = Path(root)
    check_root(root)
    if root.is_dir():
        check_name_dir(name_dir(root, name), name)


def prepare_root(root: Path) -> Path:
    """Check that ``root`` may hold topics output and mark it as ours."""
    root = Path(root)
    check_root(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        if read_small(root / MARKER) is None:
            atomic_write(root / MARKER, "This folder holds topics reports.\n")
    except OSError as exc:
        raise OutputError(
            f"cannot write to output folder {str(root)!r} ({exc.strerror}); choose another -o"
        ) from exc
    return root


def new_run_id(runs: Path, taken: Callable[[str], bool] | None = None) -> str:
    """A sortable, unique run id (UTC time, with a counter if two runs share a second).

    ``taken`` says whether an id is used elsewhere too (e.g. by a failed run's record).
    """
    base = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    # Count on from the newest run of this second, never reusing the id of a removed
    # one: history and retention order runs by id, so a reused id would sort first.
    n = 0
    if runs.is_dir():
        for entry in runs.iterdir():
            name = entry.name
            if name == base:
                n = max(n, 1)
            elif name.startswith(base + "-") and name[len(base) + 1 :].isdigit():
                n = max(n, int(name[len(base) + 1 :]))
    run_id = base if n == 0 else f"{base}-{n + 1}"
    while (runs / run_id).exists() or (taken is not None and taken(run_id)):
        n += 1
        run_id = f"{base}-{n + 1}"
    return run_id


def clean_stale(runs: Path) -> None:
    """Remove temporary folders left by runs that died (their process is gone)."""
    if runs.is_symlink() or not runs.is_dir():
        return
    for tmp in runs.glob(".tmp-*"):
        if tmp.is_symlink():
            tmp.unlink()  # the link only, never what it points to
            continue
        pid = _pid_of(tmp.name)
        if pid is not None and _alive(pid):
            continue
        shutil.rmtree(tmp, ignore_errors=True)


def _pid_of(name: str) -> int | None:
    match = re.search(r"-pid(\d+)", name)
    return int(match.group(1)) if match else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def staging_dir(runs: Path, run_id: str) -> Path:
    """A new private folder in ``runs`` to build one run in, holding the run marker."""
    refuse_symlink(runs)
    runs.mkdir(parents=True, exist_ok=True)
    refuse_symlink(runs)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{run_id}-pid{os.getpid()}-", dir=runs))
    # mkdtemp makes it private; a report is meant to be shared (as the umask allows).
    staging.chmod(public_mode(folder=True))
    # Retention deletes only folders holding this marker: never a folder a user put there.
    atomic_write(staging / RUN_MARKER, f"{run_id}\n")
    return staging


def is_run_folder(folder: Path) -> bool:
    """Whether ``folder`` is a run topics published (a real folder holding the marker)."""
    return (
        not folder.is_symlink()
        and folder.is_dir()
        and (folder / RUN_MARKER).is_file()
        and not (folder / RUN_MARKER).is_symlink()
    )


def publish(staging: Path, runs: Path, run_id: str) -> Path:
    """Move a finished staging folder into place with an atomic rename."""
    final = runs / run_id
    os.rename(staging, final)
    fsync_dir(runs)
    return final


def write_json(path: Path, value: Any) -> None:
    atomic_write(path, json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell spreadsheets will not run: text starting like a formula gets a leading ``'``.

    Numbers stay numbers; only strings (paths, titles, labels from documents) are guarded.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    def write(fh: BinaryIO) -> None:
        text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        writer.writerows([csv_cell(v) for v in row] for row in rows)
        text.flush()
        text.detach()

    atomic_write(path, write)


def latest_page(run_id: str) -> str:
    """A tiny page that forwards to the newest run; works from ``file://`` without symlinks."""
    target = f"runs/{run_id}/index.html"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        "<title>Latest topics report</title></head>\n"
        f'<body><p>The latest report is <a href="{target}">run {run_id}</a>.</p></body></html>\n'
    )
