"""The history of a named corpus: the run index, the history page and retention.

The run folders are the source of truth: each successful run holds a ``summary.json``
and each failed one leaves ``failed/<run-id>.json``. The index (``runs.json``), the
history page (``index.html``) and ``latest.html`` are rebuilt from them after every run
and written atomically, so a run killed at any point leaves them as they were, and the
next run repairs whatever a killed one could not finish.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from topics import __version__
from topics.errors import printable
from topics.report.render import template_environment, templates_dir
from topics.store import output

log = logging.getLogger(__name__)

SUMMARY_FILE = "summary.json"
FAILED_DIR = "failed"
INDEX_FILE = "runs.json"
#: Runs shown as columns of the topic-prevalence table.
TREND_RUNS = 30


def summary(
    data: dict[str, Any],
    *,
    lineage: dict[str, list[str]],
    drift: dict[str, Any] | None,
    changes: dict[str, Any],
) -> dict[str, Any]:
    """What the history keeps of one successful run (its ``summary.json``)."""
    models = {}
    for name, model in data["models"].items():
        ids = lineage.get(name, [])
        models[name] = {
            "title": model["title"],
            "n_topics": model["n_topics"],
            "metrics": model["metrics"],
            "topics": [
                {
                    "id": t["id"],
                    "lineage": ids[t["id"]] if t["id"] < len(ids) else f"?#{t['id']}",
                    "prevalence": t["prevalence"],
                    "size": t["size"],
                    "words": t["words"][:6],
                    "name": t.get("name"),
                }
                for t in model["topics"]
            ],
        }
    corpus = data["corpus"]
    return {
        "run_id": data["run"]["id"],
        "status": "ok",
        "started": data["run"]["started"],
        "duration_s": data["run"]["duration_s"],
        "input": data["run"]["input"],
        "counts": {
            "n_files_seen": corpus["n_files_seen"],
            "n_documents": corpus["n_documents"],
            "n_skipped": corpus["n_skipped"],
        },
        "changes": changes,
        "models": models,
        "drift": {
            name: {k: len(d[k]) for k in ("persisting", "new", "vanished")}
            for name, d in (drift or {}).get("models", {}).items()
        }
        if drift
        else None,
        "cache": data["run"]["cache"],
    }


def document_changes(paths: list[str], previous_folder: Path | None) -> dict[str, Any]:
    """Documents new and removed since the previous run (by path, from its documents.csv)."""
    if previous_folder is None:
        return {"previous_run": None, "new": len(paths), "removed": 0}
    before: set[str] = set()
    try:
        with open(previous_folder / "documents.csv", encoding="utf-8", newline="") as fh:
            before = {row["path"] for row in csv.DictReader(fh)}
    except (OSError, KeyError, csv.Error) as exc:
        log.warning("cannot read the previous run's documents: %s", exc)
    now = set(paths)
    return {
        "previous_run": previous_folder.name,
        "new": len(now - before),
        "removed": len(before - now),
    }


def scan(name_dir: Path, *, notes: bool = False) -> list[dict[str, Any]]:
    """Every recorded run, oldest first: published runs and failed ones.

    A run folder counts only when topics wrote it: it holds the ``.topics-run`` marker,
    or (written before the marker existed) it has a run id for a name and ``runs.json``
    lists it. Anything else in ``runs/`` (a user's folder, a symlink) is left alone;
    with ``notes`` each one is logged. A run whose summary and manifest are both
    unreadable is listed as failed (so retention still removes it), never as the latest.
    """
    records = []
    runs = name_dir / "runs"
    if runs.is_dir() and not runs.is_symlink():
        listed = _listed_runs(name_dir)
        for folder in sorted(runs.iterdir()):
            if folder.name.startswith("."):
                continue
            if not is_run(folder, listed):
                if notes:
                    log.warning(
                        "runs/%s was not written by topics; left alone (not listed, never removed)",
                        printable(folder.name),
                    )
                continue
            records.append(_run_record(folder, notes))
    failed = name_dir / FAILED_DIR
    if failed.is_dir() and not failed.is_symlink():
        for path in sorted(failed.glob("*.json")):
            if not RUN_ID.fullmatch(path.stem) or path.is_symlink():
                continue
            record = _read_json(path)
            if record is None:
                continue
            # Only what this file is may be trusted: its name is its run, its log sits beside.
            record.update(run_id=path.stem, status="failed", log=f"{FAILED_DIR}/{path.stem}.log")
            record["error"] = str(record.get("error", "unknown error"))
            record["started"] = _str_or_none(record.get("started"))
            records.append(record)
    records.sort(key=lambda r: str(r["run_id"]))
    return records


#: Run ids ``new_run_id`` makes: UTC time, with a counter when two runs share a second.
RUN_ID = re.compile(r"\d{8}-\d{6}(?:-\d+)?")


def is_run(folder: Path, listed: set[str]) -> bool:
    """Whether ``folder`` is a run topics published (see ``scan``)."""
    if output.is_run_folder(folder):
        return True
    return (
        not folder.is_symlink()
        and folder.is_dir()
        and RUN_ID.fullmatch(folder.name) is not None
        and folder.name in listed
    )


def _listed_runs(name_dir: Path) -> set[str]:
    text = output.read_small(name_dir / INDEX_FILE, limit=256 * 1024 * 1024)
    try:
        index = json.loads(text) if text is not None else {}
    except ValueError:
        return set()
    runs = index.get("runs") if isinstance(index, dict) else None
    if not isinstance(runs, list):
        return set()
    return {
        r["run_id"]
        for r in runs
        if isinstance(r, dict) and isinstance(r.get("run_id"), str) and r.get("status") == "ok"
    }


def _run_record(folder: Path, notes: bool) -> dict[str, Any]:
    record = _read_json(folder / SUMMARY_FILE)
    if record is not None and not _summary_ok(record):
        if notes:
            log.warning("ignoring runs/%s/%s: not a run summary", folder.name, SUMMARY_FILE)
        record = None
    if record is None:
        # A report without summary (e.g. written by the Python API): list it plainly.
        manifest = _read_json(folder / "manifest.json", need_run_id=False)
        if manifest is None:
            if notes:
                log.warning(
                    "run %s: %s and manifest.json are unreadable; listed as failed",
                    folder.name,
                    SUMMARY_FILE,
                )
            return {
                "run_id": folder.name,
                "status": "failed",
                "started": None,
                "error": f"the run's {SUMMARY_FILE} and manifest.json are unreadable",
                "log": f"runs/{folder.name}/run.log",
            }
        counts = manifest.get("counts")
        record = {
            "run_id": folder.name,
            "status": "ok",
            "started": _str_or_none(manifest.get("started")),
            "duration_s": _number_or_none(manifest.get("duration_s")),
            "counts": counts if isinstance(counts, dict) else {},
            "changes": None,
            "models": {},
            "drift": None,
            "cache": None,
        }
    # The folder is the run: a copied or edited summary must never point
    # retention at another run's folder.
    record["run_id"] = folder.name
    record["status"] = "ok"
    record["counts"] = {k: _number_or_none(record["counts"].get(k)) for k in _COUNTS}
    return record


_COUNTS = ("n_files_seen", "n_documents", "n_skipped")


def _summary_ok(record: dict[str, Any]) -> bool:
    """Whether a ``summary.json`` has the shape the history page reads."""

    def mapping(value: Any, optional: bool = True) -> bool:
        return isinstance(value, dict) or (optional and value is None)

    if not (mapping(record.get("counts"), optional=False) and mapping(record.get("changes"))):
        return False
    if not (mapping(record.get("drift")) and mapping(record.get("cache"))):
        return False
    models = record.get("models")
    if not isinstance(models, dict):
        return False
    for model in models.values():
        if not (isinstance(model, dict) and isinstance(model.get("metrics"), dict)):
            return False
        topics = model.get("topics")
        if not isinstance(topics, list):
            return False
        for topic in topics:
            if not (
                isinstance(topic, dict)
                and isinstance(topic.get("id"), int)
                and isinstance(topic.get("lineage"), str)
                and isinstance(topic.get("prevalence"), int | float)
                and isinstance(topic.get("words"), list)
            ):
                return False
    drift = record.get("drift") or {}
    return all(isinstance(d, dict) for d in drift.values())


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number_or_none(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def latest_ok(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    ok = [r for r in records if r["status"] == "ok"]
    return ok[-1] if ok else None


def to_remove(records: list[dict[str, Any]], keep_runs: int | None) -> list[dict[str, Any]]:
    """Runs beyond ``keep_runs``, oldest first; never the latest successful run."""
    if keep_runs is None or len(records) <= keep_runs:
        return []
    keep = {r["run_id"] for r in records[-keep_runs:]}
    latest = latest_ok(records)
    if latest is not None:
        keep.add(latest["run_id"])
    return [r for r in records if r["run_id"] not in keep]


def remove(name_dir: Path, records: list[dict[str, Any]]) -> None:
    """Delete runs: each folder is first renamed aside, so no half-deleted run is listed.

    Only what topics wrote is deleted: a run folder is checked again (marker or listed,
    not a symlink) right before, and a failed run's two files are unlinked by name.
    """
    # ``records`` come from ``scan``, which recognised them; runs.json may list them no more.
    listed = _listed_runs(name_dir) | {str(r["run_id"]) for r in records}
    for record in records:
        run_id = str(record["run_id"])
        if not RUN_ID.fullmatch(run_id):
            log.warning("retention: %r is not a run id; left alone", printable(run_id))
            continue
        folder = name_dir / "runs" / run_id
        if folder.is_symlink() or (folder.exists() and not is_run(folder, listed)):
            log.warning("retention: runs/%s was not written by topics; left alone", run_id)
        elif folder.is_dir():
            trash = name_dir / "runs" / f".trash-{run_id}"
            try:
                folder.rename(trash)
            except OSError as exc:  # e.g. something planted under the trash name
                log.warning("retention: cannot remove run %s (%s); kept", run_id, exc.strerror)
                continue
            shutil.rmtree(trash, ignore_errors=True)
        failed = name_dir / FAILED_DIR
        if not failed.is_symlink():
            for suffix in (".log", ".json"):
                (failed / f"{run_id}{suffix}").unlink(missing_ok=True)
        log.info("retention: removed run %s", run_id)


def clean_leftovers(name_dir: Path) -> None:
    """Remove what killed runs left: half-deleted runs and temporary files."""
    runs = name_dir / "runs"
    if runs.is_dir() and not runs.is_symlink():
        for trash in runs.glob(".trash-*"):
            if trash.is_symlink():
                trash.unlink()  # the link only, never what it points to
            else:
                shutil.rmtree(trash, ignore_errors=True)
    for name in ("index.html", "latest.html", INDEX_FILE):
        for tmp in name_dir.glob(f".{name}.*"):
            tmp.unlink(missing_ok=True)


def write_history(name_dir: Path, name: str, records: list[dict[str, Any]]) -> None:
    """Rewrite ``runs.json``, ``index.html`` and ``latest.html`` atomically."""
    latest = latest_ok(records)
    index = {
        "name": name,
        "version": __version__,
        "latest": latest["run_id"] if latest else None,
        "runs": records,
    }
    text = json.dumps(index, ensure_ascii=False, indent=2) + "\n"
    output.atomic_write(name_dir / INDEX_FILE, text, fsync=True)
    output.atomic_write(name_dir / "index.html", render_history(name, records), fsync=True)
    if latest is not None:
        latest_page = output.latest_page(latest["run_id"])
        output.atomic_write(name_dir / "latest.html", latest_page, fsync=True)


def topic_trends(records: list[dict[str, Any]]) -> dict[str, Any]:
    """Per model, each topic lineage's prevalence in the recent successful runs."""
    runs = [r for r in records if r["status"] == "ok" and r.get("models")][-TREND_RUNS:]
    models: dict[str, Any] = {}
    for col, record in enumerate(runs):
        for name, model in record["models"].items():
            entry = models.setdefault(name, {"title": model.get("title", name), "lineages": {}})
            for topic in model["topics"]:
                line = entry["lineages"].setdefault(
                    topic["lineage"], {"id": topic["lineage"], "cells": [None] * len(runs)}
                )
                line["cells"][col] = {"topic": topic["id"], "prevalence": topic["prevalence"]}
                line["words"] = topic["words"]
                line["name"] = topic.get("name")
    last = len(runs) - 1
    out = {}
    for name, entry in models.items():
        lines = list(entry["lineages"].values())
        for line in lines:
            present = [i for i, c in enumerate(line["cells"]) if c is not None]
            line["first"] = runs[present[0]]["run_id"]
            line["alive"] = present[-1] == last
            line["n_runs"] = len(present)
            line["max"] = max(c["prevalence"] for c in line["cells"] if c is not None)
        lines.sort(
            key=lambda ln: (
                not ln["alive"],
                -(ln["cells"][last]["prevalence"] if ln["alive"] else ln["max"]),
            )
        )
        out[name] = {"title": entry["title"], "lineages": lines}
    return {"runs": [r["run_id"] for r in runs], "models": out}


def render_history(name: str, records: list[dict[str, Any]]) -> str:
    """The history page: every run newest first, and topic prevalence across runs."""
    latest = latest_ok(records)
    css = (templates_dir() / "assets" / "report.css").read_text(encoding="utf-8")
    return (
        template_environment()
        .get_template("history.html.j2")
        .render(
            name=name,
            runs=list(reversed(records)),
            latest=latest,
            trends=topic_trends(records),
            generated=datetime.now(UTC).isoformat(timespec="seconds"),
            version=__version__,
            css=Markup(css),
        )
    )


def _read_json(path: Path, *, need_run_id: bool = True) -> dict[str, Any] | None:
    text = output.read_small(path, limit=64 * 1024 * 1024)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        log.info("ignoring unreadable %s: %s", path, exc)
        return None
    if not isinstance(value, dict) or (need_run_id and "run_id" not in value):
        return None
    return value
