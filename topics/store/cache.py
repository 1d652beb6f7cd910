"""What one run keeps for the next: parsed files, preprocessed documents, embeddings, fits.

Everything lives under ``<output>/<name>/.cache/``: the per-name lock makes each run its
only writer, it is removed with the reports, and one corpus bounds its size. Entries are
keyed by content (file path + size + mtime for parsing; the text's hash for
preprocessing; every token for embeddings and fits) together with the settings and the
code that produced them (``topics.store.keys.fingerprint``), so a stale entry can never
be read.

Small per-document entries sit in one SQLite file (a killed run rolls back its
transaction); arrays sit beside it as ``.npz`` files written with a rename. No pickle:
a cache file can never run code.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from topics.store.atomic import atomic_write, refuse_symlink
from topics.store.keys import jsonable
from topics.types import Fits, ModelScores, TopicModelResult

log = logging.getLogger(__name__)

#: Entries (and array files) not used by this many runs in a row are removed.
KEEP_GENERATIONS = 3
#: Counter names in ``manifest.json`` ``cache``, in order.
COUNTERS = ("parsed", "preprocessed", "embedded", "models")
DB_FILE = "cache.sqlite"
_CACHE_SUFFIXES = {".npz", ".json", ".npy", ".tmp"}
_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    stage TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL, used INTEGER NOT NULL,
    PRIMARY KEY (stage, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class RunCache:
    """The cache of one named corpus, opened for one run.

    Implements the pipeline's ``StageCache`` and ``topics.store.cached.DocumentCache``; counts
    what each stage computed (``fresh``) and reused (``cached``) for ``manifest.json``.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        refuse_symlink(self.folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        for entry in (DB_FILE, "fits", "embeddings"):
            refuse_symlink(self.folder / entry)
        self.counts: dict[str, dict[str, int]] = {c: {"fresh": 0, "cached": 0} for c in COUNTERS}
        try:
            self._db, generation = _open_db(self.folder / DB_FILE)
        except (sqlite3.DatabaseError, ValueError) as exc:
            # A cache is disposable: start over rather than fail this run and every later one.
            self._db, generation = self._rebuild(exc)
        self.generation = generation + 1
        self._guarded(self._set_generation, None)

    def _set_generation(self) -> None:
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(self.generation),)
            )

    def _rebuild(self, exc: Exception) -> tuple[sqlite3.Connection, int]:
        """Move a damaged database aside (with its journal) and start an empty one."""
        path = self.folder / DB_FILE
        aside = path.with_name(DB_FILE + ".damaged")
        db = getattr(self, "_db", None)  # None while __init__ opens it
        if db is not None:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        with contextlib.suppress(OSError):
            os.replace(path, aside)
        for suffix in ("-journal", "-wal", "-shm"):
            # A hot journal left beside would be "rolled back" into the new database.
            (self.folder / f"{DB_FILE}{suffix}").unlink(missing_ok=True)
        log.warning(
            "cache database %s is damaged (%s); moved aside to %s and started a new one",
            path,
            exc,
            aside.name,
        )
        return _open_db(path)

    def _guarded(self, action: Callable[[], _T], default: _T) -> _T:
        """Run a database action; a damaged database is rebuilt and the action counts as a miss."""
        try:
            return action()
        except sqlite3.OperationalError:
            raise  # locked, disk full, I/O: not the file's content, so rebuilding would not help
        except sqlite3.DatabaseError as exc:
            self._db, _ = self._rebuild(exc)
            self._set_generation()
            return default

    # -- per-document entries (DocumentCache) ---------------------------------------------

    def present(self, stage: str, keys: Sequence[str]) -> set[str]:
        """Which of ``keys`` have an entry, without reading their values."""
        return self._guarded(lambda: self._present(stage, keys), set())

    def _present(self, stage: str, keys: Sequence[str]) -> set[str]:
        return {key for (key,) in self._rows("key", stage, keys)}

    def _rows(self, columns: str, stage: str, keys: Sequence[str]) -> Iterator[tuple[Any, ...]]:
        """``columns`` of the entries of ``stage`` among ``keys``, 500 keys a query."""
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(
                f"SELECT {columns} FROM entries WHERE stage = ? AND key IN ({marks})",
                (stage, *chunk),
            ).fetchall()

    def lookup(self, stage: str, keys: Sequence[str]) -> dict[str, Any]:
        """Cached values of ``keys`` (missing keys are absent); marks them used."""
        return self._guarded(lambda: self._lookup(stage, keys), {})

    def _lookup(self, stage: str, keys: Sequence[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, blob in self._rows("key, value", stage, keys):
            try:
                found[key] = json.loads(zlib.decompress(blob))
            except (zlib.error, ValueError, TypeError, RecursionError):
                log.warning("ignoring a corrupt %s cache entry", stage)
        if found:
            with self._db:
                self._db.executemany(
                    "UPDATE entries SET used = ? WHERE stage = ? AND key = ?",
                    [(self.generation, stage, k) for k in found],
                )
        return found

    def store(self, stage: str, values: Mapping[str, Any]) -> None:
        """Keep ``values`` (JSON-serialisable) for later runs."""
        rows = [
            (stage, key, zlib.compress(json.dumps(value).encode(), 1), self.generation)
            for key, value in values.items()
        ]

        def insert() -> None:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows)

        self._guarded(insert, None)

    def count(self, stage: str, *, fresh: int = 0, cached: int = 0) -> None:
        """Add to the ``fresh`` / ``cached`` counters of ``stage``."""
        counter = self.counts.setdefault(stage, {"fresh": 0, "cached": 0})
        counter["fresh"] += fresh
        counter["cached"] += cached

    # -- whole-corpus arrays (StageCache) -------------------------------------------------

    @property
    def embeddings_dir(self) -> Path:
        return self.folder / "embeddings"

    def load_fits(self, key: str) -> Fits | None:
        """Fitted models, scores and map of an identical earlier corpus, or None."""
        folder = self.folder / "fits"
        arrays_path, meta_path = folder / f"{key}.npz", folder / f"{key}.json"
        if not (arrays_path.is_file() and meta_path.is_file()):
            return None
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            with np.load(arrays_path, allow_pickle=False) as arrays:
                fits = _fits_from(meta, {k: arrays[k] for k in arrays.files})
        except Exception as exc:  # truncated (BadZipFile, EOFError), scribbled, wrong shape
            # A miss: this run fits afresh and saves a good pair under the same key.
            log.warning("ignoring unreadable cached fits %s: %s", arrays_path.name, exc)
            arrays_path.unlink(missing_ok=True)
            meta_path.unlink(missing_ok=True)
            return None
        now = time.time()
        for path in (arrays_path, meta_path):
            os.utime(path, (now, now))  # recently used: pruned last
        return fits

    def save_fits(self, key: str, fits: Fits) -> None:
        folder = self.folder / "fits"
        folder.mkdir(parents=True, exist_ok=True)
        meta, arrays = _fits_to(fits)
        # Arrays first, metadata last: a run killed in between leaves no loadable pair.
        atomic_write(
            folder / f"{key}.npz",
            lambda fh: np.savez_compressed(fh, allow_pickle=False, **arrays),
        )
        atomic_write(folder / f"{key}.json", json.dumps(meta))

    # -- end of a run -----------------------------------------------------------------------

    def close(self, *, prune: bool) -> None:
        """Forget entries no recent run used (after a successful run), then close."""
        if prune:

            def forget() -> None:
                with self._db:
                    self._db.execute(
                        "DELETE FROM entries WHERE used <= ?",
                        (self.generation - KEEP_GENERATIONS,),
                    )

            self._guarded(forget, None)
            for sub in ("fits", "embeddings"):
                _keep_newest(self.folder / sub, KEEP_GENERATIONS)
        self._db.close()


def _open_db(path: Path) -> tuple[sqlite3.Connection, int]:
    """Open (or create) the cache database; its generation (ValueError/DatabaseError if bad)."""
    db = sqlite3.connect(path, timeout=30)
    try:
        db.executescript(_SCHEMA)
        row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return db, int(row[0]) if row else 0
    except BaseException:
        db.close()
        raise


def _keep_newest(folder: Path, n_keys: int) -> None:
    if folder.is_symlink() or not folder.is_dir():
        return
    # Only cache files: never a symlink, a folder or a file someone else put here.
    files = [
        p
        for p in folder.iterdir()
        if p.suffix in _CACHE_SUFFIXES and p.is_file() and not p.is_symlink()
    ]
    files.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    keep = {p.stem for p in files[: n_keys * 2]}  # fits come as .npz + .json pairs
    for path in files:
        if path.stem not in keep or path.name.endswith(".tmp"):
            path.unlink(missing_ok=True)


def _fits_to(fits: Fits) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    arrays: dict[str, np.ndarray] = {}
    models = {}
    for name, model in fits.models.items():
        arrays[f"{name}.topic_term"] = model.topic_term
        arrays[f"{name}.doc_topic"] = model.doc_topic
        arrays[f"{name}.assignments"] = model.assignments
        models[name] = {
            "name": model.name,
            "vocab": model.vocab,
            "topic_words": model.topic_words,
            "settings": jsonable(model.settings),
            "n_topics_rule": model.n_topics_rule,
            "auto_curve": jsonable(model.auto_curve),
            "user_named": model.user_named,
            "details": model.details.as_report() if model.details is not None else None,
        }
    if fits.coords is not None:
        arrays["coords"] = fits.coords
    scores = {
        name: {"metrics": s.metrics, "per_topic": s.per_topic} for name, s in fits.scores.items()
    }
    return {"models": models, "scores": jsonable(scores), "order": list(fits.models)}, arrays


def _fits_from(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Fits:
    from topics.models.registry import spec_of

    models = {}
    for name in meta["order"]:
        m = meta["models"][name]
        spec = spec_of(m["name"])
        details = None
        if m["details"] is not None:
            if spec is None or spec.details is None:
                raise ValueError(f"no registered model {m['name']!r} reads these details")
            details = spec.details.from_report(m["details"])
        models[name] = TopicModelResult(
            name=m["name"],
            vocab=list(m["vocab"]),
            topic_term=np.asarray(arrays[f"{name}.topic_term"], dtype=np.float64),
            doc_topic=np.asarray(arrays[f"{name}.doc_topic"], dtype=np.float64),
            assignments=np.asarray(arrays[f"{name}.assignments"], dtype=np.int64),
            topic_words=[list(ws) for ws in m["topic_words"]],
            settings=m["settings"],
            n_topics_rule=m["n_topics_rule"],
            auto_curve=m["auto_curve"],
            user_named=m["user_named"],
            details=details,
        )
    scores = {
        name: ModelScores(metrics=s["metrics"], per_topic=s["per_topic"])
        for name, s in meta["scores"].items()
    }
    coords = arrays.get("coords")
    return Fits(models=models, scores=scores, coords=coords)
