"""One run of a named corpus, start to finish, safe to kill at any point.

Under the name's lock: build the report in ``runs/.tmp-*`` (with its ``run.log``), publish
it with one rename, then rewrite the history atomically and apply retention. A failure
is recorded in the history (``failed/<run-id>.json`` and its log) and leaves earlier runs
as they were.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from topics.errors import Terminated, TopicsError
from topics.ingest.inputs import resolve_roots
from topics.pipeline import Progress, RunResult, run_pipeline
from topics.runs import drift as drift_mod
from topics.runs import history
from topics.runs.config import RunConfig
from topics.runs.lock import hold_lock
from topics.store import output
from topics.store.cache import RunCache
from topics.types import TopicModelResult

log = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RunFailed(TopicsError):
    """The run failed for a reason that is not the user's input; the log says why."""

    exit_code = 1

    def __init__(self, message: str, log_path: Path) -> None:
        super().__init__(message)
        self.log_path = log_path


@dataclass(frozen=True)
class RunOutcome:
    """A published run."""

    run_id: str
    folder: Path
    index_html: Path
    name_dir: Path
    result: RunResult
    removed: tuple[str, ...] = ()


def run_once(config: RunConfig, *, progress: Progress | None = None) -> RunOutcome:
    """Run ``config`` once and publish it; see the module docstring.

    Raises ``LockedError`` (exit 75) when another run holds the lock, ``TopicsError``
    (exit 2) for unusable input, ``RunFailed`` (exit 1) for anything else.
    """
    resolve_roots(config.input)  # a missing folder fails before anything is written
    root_existed = config.output.exists()
    root = output.prepare_root(config.output)
    name_dir = output.name_dir(root, config.name)
    name_existed = name_dir.exists()
    output.claim_name_dir(name_dir, config.name)
    with hold_lock(name_dir) as lock:
        try:
            return _locked_run(config, name_dir, progress, lock.stale_holder)
        except BaseException:
            if not name_existed and not history.scan(name_dir):
                # Nothing was ever published here: a first run that failed leaves no trace.
                shutil.rmtree(name_dir, ignore_errors=True)
                if not root_existed and {p.name for p in root.iterdir()} <= {output.MARKER}:
                    shutil.rmtree(root, ignore_errors=True)
            raise


def _locked_run(
    config: RunConfig,
    name_dir: Path,
    progress: Progress | None,
    stale_holder: str | None,
) -> RunOutcome:
    runs = name_dir / "runs"
    output.refuse_symlink(runs)
    runs.mkdir(exist_ok=True)
    output.clean_stale(runs)
    history.clean_leftovers(name_dir)
    run_id = output.new_run_id(runs, taken=lambda rid: _failed_path(name_dir, rid).exists())
    staging = output.staging_dir(runs, run_id)
    records: list[dict[str, Any]] = []
    cache: RunCache | None = None
    ok = False
    try:
        with _run_log(staging / "run.log") as run_log:
            log.info("run %s of %r (config: %s)", run_id, config.name, config.source or "flags")
            if stale_holder:
                log.info("took over the lock left by a process that ended (%s)", stale_holder)
            try:
                records = history.scan(name_dir, notes=True)
                previous_folder, before = _previous_topics(runs, records)
                cache = RunCache(name_dir / ".cache")
                aligned = _Aligner(
                    before,
                    run_id=run_id,
                    previous_run=previous_folder.name if previous_folder else None,
                    config=config,
                )
                result = run_pipeline(
                    config.input,
                    config.settings,
                    progress=_Logged(progress),
                    cache=cache,
                    namer=aligned,
                )
                _write_run(result, staging, run_id, previous_folder, aligned)
                log.info("run %s finished in %.1f s", run_id, result.duration_s)
            except BaseException as exc:
                # Into run.log only: the CLI tells the console, in one line.
                message = f"run {run_id} failed: {_describe(exc)}\n{traceback.format_exc()}"
                run_log.handle(log.makeRecord(log.name, logging.ERROR, "", 0, message, (), None))
                raise
        folder = output.publish(staging, runs, run_id)
        ok = True
    except BaseException as exc:
        failure = _record_failure(exc, config, name_dir, staging, run_id, records)
        if failure is exc:
            raise
        raise failure from exc
    finally:
        if cache is not None:
            cache.close(prune=ok)
        if not ok:
            shutil.rmtree(staging, ignore_errors=True)

    records = history.scan(name_dir)
    removed = history.to_remove(records, config.keep_runs)
    kept = [r for r in records if r not in removed]
    # History first, then deletion: the page never links a run that is gone.
    history.write_history(name_dir, config.name, kept)
    history.remove(name_dir, removed)
    return RunOutcome(
        run_id=run_id,
        folder=folder,
        index_html=folder / "index.html",
        name_dir=name_dir,
        result=result,
        removed=tuple(r["run_id"] for r in removed),
    )


def _previous_topics(
    runs: Path, records: list[dict[str, Any]]
) -> tuple[Path | None, dict[str, drift_mod.StoredTopics]]:
    """The newest successful run whose topics can be read, and its topics.

    A damaged ``topics.npz`` must not stop every later run: drift then compares with the
    run before it (noted in the run log).
    """
    for record in reversed([r for r in records if r["status"] == "ok"]):
        folder = runs / record["run_id"]
        stored = drift_mod.read_topics(folder)
        if stored is not None:
            return folder, stored
        log.warning(
            "run %s: %s is unreadable; drift compares with an earlier run",
            record["run_id"],
            drift_mod.TOPICS_FILE,
        )
    return None, {}


class _Aligner:
    """Matches the fitted topics to the previous run's and applies the config's names.

    Given to ``run_pipeline`` as its ``namer``: it runs after the models and before the
    review, so the review's reasons name topics as the user does, and the review runs
    once. Keeps the stored topics (lineage) and the drift report for ``_write_run``.
    """

    def __init__(
        self,
        before: dict[str, drift_mod.StoredTopics],
        *,
        run_id: str,
        previous_run: str | None,
        config: RunConfig,
    ) -> None:
        self.before, self.run_id, self.previous_run = before, run_id, previous_run
        self.config = config
        self.stored: dict[str, drift_mod.StoredTopics] | None = None
        self.drift: dict[str, Any] | None = None

    def __call__(self, models: dict[str, TopicModelResult]) -> None:
        self.stored, self.drift = drift_mod.align_models(
            models,
            self.before,
            run_id=self.run_id,
            previous_run=self.previous_run,
            threshold=self.config.drift_threshold,
            user_names=self.config.names,
        )


def _write_run(
    result: RunResult,
    staging: Path,
    run_id: str,
    previous_folder: Path | None,
    aligned: _Aligner,
) -> None:
    from topics.report import write_report_files

    if aligned.stored is None:
        raise RuntimeError("run_pipeline returned without naming the models")
    stored, drift = aligned.stored, aligned.drift
    data = write_report_files(result, staging, run_id, drift=drift, history=True)
    drift_mod.save_topics(staging, stored)
    if drift is not None:
        output.write_json(staging / "drift.json", drift)
    paths = [result.corpus.documents[i].path for i in result.pre.doc_index]
    record = history.summary(
        data,
        lineage={name: st.lineage for name, st in stored.items()},
        drift=drift,
        changes=history.document_changes(paths, previous_folder),
    )
    output.write_json(staging / history.SUMMARY_FILE, record)


def _record_failure(
    exc: BaseException,
    config: RunConfig,
    name_dir: Path,
    staging: Path,
    run_id: str,
    records: list[dict[str, Any]],
) -> BaseException:
    """Keep the failed run's log and list it in the history; the exception to raise."""
    message = _describe(exc)
    run_log = staging / "run.log"
    if history.latest_ok(records) is None:
        # No history to show it in (and a first run leaves nothing behind): a temp file.
        fd, tmp = tempfile.mkstemp(prefix=f"topics-{output.slug(config.name)}-", suffix=".log")
        with open(fd, "wb") as fh:
            fh.write(run_log.read_bytes() if run_log.is_file() else message.encode())
        log_path = Path(tmp)
    else:
        failed = name_dir / history.FAILED_DIR
        output.refuse_symlink(failed)
        failed.mkdir(exist_ok=True)
        log_path = _failed_path(name_dir, run_id).with_suffix(".log")
        data = run_log.read_bytes() if run_log.is_file() else (message + "\n").encode()
        output.atomic_write(log_path, data)
        record = {
            "run_id": run_id,
            "status": "failed",
            "started": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()),
            "error": message,
            "log": f"{history.FAILED_DIR}/{log_path.name}",
        }
        output.atomic_write(
            _failed_path(name_dir, run_id), json.dumps(record, indent=2), fsync=True
        )
        history.write_history(name_dir, config.name, history.scan(name_dir))
    if isinstance(exc, TopicsError | KeyboardInterrupt):
        return exc
    return RunFailed(f"{message} (log: {log_path}); earlier runs are untouched", log_path)


def _failed_path(name_dir: Path, run_id: str) -> Path:
    return name_dir / history.FAILED_DIR / f"{run_id}.json"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TopicsError):
        return str(exc)
    if isinstance(exc, Terminated):
        return "terminated (SIGTERM)"
    if isinstance(exc, KeyboardInterrupt):
        return "interrupted"
    return f"{type(exc).__name__}: {exc}"


@contextmanager
def _run_log(path: Path) -> Iterator[logging.Handler]:
    """Send the ``topics`` loggers' INFO records to ``path`` for the ``with`` block."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(logging.INFO)
    logger = logging.getLogger("topics")
    old_level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        handler.close()


class _Logged:
    """Passes progress on, and writes each stage into the run log."""

    def __init__(self, inner: Progress | None) -> None:
        self.inner = inner

    def stage(self, name: str, total: int | None = None) -> None:
        log.info("stage: %s", name)
        if self.inner is not None:
            self.inner.stage(name, total)

    def advance(self, n: int = 1) -> None:
        if self.inner is not None:
            self.inner.advance(n)

    def message(self, text: str) -> None:
        log.info("%s", text)
        if self.inner is not None:
            self.inner.message(text)
