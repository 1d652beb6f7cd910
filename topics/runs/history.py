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
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from topics import __version__, output
from topics.report.render import template_environment, templates_dir

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


def scan(name_dir: Path) -> list[dict[str, Any]]:
    """Every recorded run, oldest first: published runs and failed ones."""
    records = []
    runs = name_dir / "runs"
    if runs.is_dir():
        for folder in sorted(runs.iterdir()):
            if folder.name.startswith(".") or not folder.is_dir():
                continue
            record = _read_json(folder / SUMMARY_FILE)
            if record is None:
                # A report without summary (e.g. written by the Python API): list it plainly.
                manifest = _read_json(folder / "manifest.json") or {}
                record = {
                    "run_id": folder.name,
                    "status": "ok",
                    "started": manifest.get("started"),
                    "duration_s": manifest.get("duration_s"),
                    "counts": manifest.get("counts", {}),
                    "changes": None,
                    "models": {},
                    "drift": None,
                    "cache": manifest.get("cache"),
                }
            # The folder is the run: a copied or edited summary must never point
            # retention at another run's folder.
            record["run_id"] = folder.name
            records.append(record)
    failed = name_dir / FAILED_DIR
    if failed.is_dir():
        for path in sorted(failed.glob("*.json")):
            record = _read_json(path)
            if record is not None:
                records.append(record)
    records.sort(key=lambda r: str(r["run_id"]))
    return records


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
    """Delete runs: each folder is first renamed aside, so no half-deleted run is listed."""
    for record in records:
        run_id = record["run_id"]
        if record["status"] == "ok":
            folder = name_dir / "runs" / run_id
            trash = name_dir / "runs" / f".trash-{run_id}"
            if folder.is_dir():
                folder.rename(trash)
                shutil.rmtree(trash, ignore_errors=True)
        else:
            for suffix in (".log", ".json"):
                (name_dir / FAILED_DIR / f"{run_id}{suffix}").unlink(missing_ok=True)
        log.info("retention: removed run %s", run_id)


def clean_leftovers(name_dir: Path) -> None:
    """Remove what killed runs left: half-deleted runs and temporary files."""
    runs = name_dir / "runs"
    if runs.is_dir():
        for trash in runs.glob(".trash-*"):
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
    output.write_text_atomic(
        name_dir / INDEX_FILE, json.dumps(index, ensure_ascii=False, indent=2) + "\n"
    )
    output.write_text_atomic(name_dir / "index.html", render_history(name, records))
    if latest is not None:
        output.write_text_atomic(name_dir / "latest.html", output.latest_page(latest["run_id"]))


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


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable %s: %s", path, exc)
        return None
    return value if isinstance(value, dict) and "run_id" in value else None
