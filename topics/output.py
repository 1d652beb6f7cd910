"""Writing a run's report safely: build in a temporary folder, publish with one rename.

Layout under the output root: ``<root>/<name>/runs/<run-id>/`` holds one report
(``index.html``, ``topics.json``, ``documents.csv``, ``manifest.json``),
``<root>/<name>/index.html`` is the history page of every run (``topics.runs.history``)
and ``<root>/<name>/latest.html`` forwards to the newest one. A run that fails or is
killed leaves only a ``.tmp-*`` folder, which the next run removes; earlier reports
are never touched.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from topics.errors import OutputError

log = logging.getLogger(__name__)

#: A folder holding this file was made by topics and may be written into.
MARKER = ".topics-output"
_IGNORABLE = {".gitkeep", ".gitignore", ".DS_Store", MARKER}


def slug(name: str) -> str:
    """A safe single path component from any string (never ``..`` or empty)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip(".-")[:80]
    return cleaned or "corpus"


def check_root(root: Path) -> None:
    """Refuse an output root that is a file or a folder of someone else's files.

    Read-only, so the CLI can check before spending minutes on a run.
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise OutputError(f"output {str(root)!r} is a file, not a folder; choose another -o")
    if root.is_dir() and not (root / MARKER).exists():
        foreign = [p.name for p in root.iterdir() if p.name not in _IGNORABLE]
        if foreign:
            raise OutputError(
                f"output folder {str(root)!r} already holds files not written by topics "
                f"(e.g. {foreign[0]!r}); choose an empty or new folder with -o"
            )


def prepare_root(root: Path) -> Path:
    """Check that ``root`` may hold topics output and mark it as ours."""
    root = Path(root)
    check_root(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / MARKER).write_text("This folder holds topics reports.\n", encoding="utf-8")
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
    run_id, n = base, 1
    while (runs / run_id).exists() or (taken is not None and taken(run_id)):
        n += 1
        run_id = f"{base}-{n}"
    return run_id


def clean_stale(runs: Path) -> None:
    """Remove temporary folders left by runs that died (their process is gone)."""
    if not runs.is_dir():
        return
    for tmp in runs.glob(".tmp-*"):
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
    runs.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-{run_id}-pid{os.getpid()}-", dir=runs))
    staging.chmod(0o755)  # mkdtemp makes it private; a report is meant to be shared
    return staging


def publish(staging: Path, runs: Path, run_id: str) -> Path:
    """Move a finished staging folder into place with an atomic rename."""
    final = runs / run_id
    os.rename(staging, final)
    _fsync_dir(runs)
    return final


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file so readers see the old or the new content, never a mix."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(path: Path, value: Any) -> None:
    path.write_text(
        json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False) + "\n", encoding="utf-8"
    )


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A cell spreadsheets will not run: text starting like a formula gets a leading ``'``.

    Numbers stay numbers; only strings (paths, titles, labels from documents) are guarded.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows([csv_cell(v) for v in row] for row in rows)


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


def _fsync_dir(path: Path) -> None:
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
