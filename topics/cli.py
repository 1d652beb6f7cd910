"""Command-line interface: ``topics report PATH``, ``topics run|check|schedule CONFIG``.

Exit codes: 0 success, 1 the run failed (message and log path printed),
2 usage, config or input error (no traceback), 75 another run of the same name holds
the lock, 130 interrupted, 143 terminated (SIGTERM). ``report`` and ``run`` print the
path of the run's ``index.html`` as the last line of stdout.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from topics import __version__
from topics.errors import SettingsError, Terminated, TopicsError, printable

if TYPE_CHECKING:
    from types import FrameType

    from topics.pipeline import RunSettings
    from topics.runs import RunConfig

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2.

    Abbreviated flags are refused: ``--n-topic 5`` must not silently mean ``--n-topics``,
    and a flag added later must not change what an old abbreviation means.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_abbrev"] = False
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"topics: error: {message} (see: {self.prog} --help)\n")


def _n_topics(value: str) -> int | str:
    if value == "auto":
        return value
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number or 'auto', got {value!r}"
        ) from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _positive_float(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if not 0 < x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {value}")
    return x


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="topics", description="Offline topic-modelling reports.")
    parser.add_argument("--version", action="version", version=f"topics {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    report = sub.add_parser(
        "report",
        help="model a folder of documents and write an HTML report",
        description="Model a folder of documents and write a static HTML report.",
    )
    report.add_argument(
        "path",
        type=Path,
        help="folder of .txt, .md, .html, .csv, .jsonl files, or one such file",
    )
    report.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path("reports"),
        help="reports root folder (default: reports/); the report goes to OUTPUT/NAME/runs/RUN-ID/",
    )
    report.add_argument("--name", help="name of this corpus in the output (default: folder name)")
    report.add_argument(
        "--n-topics",
        type=_n_topics,
        default="auto",
        help="number of topics, or 'auto' to choose by coherence (default: auto)",
    )
    report.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    report.add_argument(
        "--stability",
        action="store_true",
        help="also refit each model on two random 80%% samples (at most 2,000 documents) "
        "with two seeds and report how many topics come back (two more fits per model)",
    )
    report.add_argument("--open", action="store_true", help="open the report in a browser")
    report.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run the heavy stages on the Dask cluster at ADDRESS (tcp://HOST:8786), "
        "or 'local' to start one on this machine (README: Running on a Dask cluster)",
    )
    report.add_argument(
        "--models",
        default="lda,clusters",
        help="comma-separated models to fit: lda, clusters (default: both)",
    )
    group = report.add_argument_group("input")
    group.add_argument("--text-column", help="CSV/JSONL field holding the text (default: detect)")
    group.add_argument(
        "--date-column",
        help="CSV/JSONL field holding the date (default: detect date, created_at, published, …)",
    )
    group.add_argument(
        "--max-file-mb",
        type=_positive_float,
        default=10.0,
        help="skip text files larger than this (default: 10)",
    )
    group.add_argument(
        "--keep-duplicates", action="store_true", help="model exact duplicate documents too"
    )
    group = report.add_argument_group("preprocessing")
    group.add_argument("--language", default="auto", help="language to model (default: auto)")
    group.add_argument("--min-df", type=int, help="keep words in at least N documents")
    group.add_argument(
        "--max-df", type=float, default=0.5, help="drop words in more than this share of documents"
    )
    group.add_argument("--no-phrases", action="store_true", help="do not join word pairs")
    group.add_argument("--no-lemmatize", action="store_true", help="keep word forms as written")
    group = report.add_argument_group("LDA")
    group.add_argument(
        "--passes", type=int, default=20, help="passes over the corpus (default: 20)"
    )
    group.add_argument(
        "--auto-budget",
        type=_positive_float,
        default=120.0,
        help="deprecated, ignored: choosing the number of topics does a fixed amount of work",
    )
    group = report.add_argument_group("embedding clusters")
    group.add_argument(
        "--clustering",
        choices=["auto", "kmeans", "hdbscan"],
        default="auto",
        help="how documents are grouped: k-means (exactly N topics, no outliers), HDBSCAN "
        "(density clusters merged to N; documents in no dense region are outliers), or auto "
        "(default: k-means for a number of topics, HDBSCAN for --n-topics auto)",
    )
    group.add_argument(
        "--assign-outliers",
        action="store_true",
        help="HDBSCAN: give documents the density clustering left out their nearest topic",
    )
    group.add_argument(
        "--min-cluster-size", type=int, help="smallest cluster HDBSCAN may form (default: auto)"
    )
    group.add_argument(
        "--embedder",
        choices=["auto", "lsa", "doc2vec", "sentence-transformers"],
        default="auto",
        help="document embeddings: LSA of the TF-IDF vectors (seconds), doc2vec trained on "
        "the corpus (minutes), a local sentence-transformers model (extra: pip install -e "
        "'.[transformers]'), or auto (default: doc2vec when the median document has fewer "
        "than 20 content words, else LSA)",
    )
    group.add_argument(
        "--embedder-model",
        help="sentence-transformers model: a local folder or an installed model package",
    )
    group = report.add_argument_group("output")
    group.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    group.add_argument("-v", "--verbose", action="store_true", help="log details on stderr")

    run = sub.add_parser(
        "run",
        help="run a scheduled configuration once (report, history, drift, retention)",
        description="Run CONFIG.toml once: publish a report under OUTPUT/NAME/runs/ and "
        "rewrite the history page. Exit 75 when another run of NAME is in progress.",
    )
    run.add_argument("config", type=Path, help="TOML config file (see README: Scheduled runs)")
    run.add_argument("--open", action="store_true", help="open the report in a browser")
    run.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    run.add_argument("-v", "--verbose", action="store_true", help="log details on stderr")

    check = sub.add_parser(
        "check",
        help="validate a configuration and list every problem",
        description="Validate CONFIG.toml: unknown keys, wrong types, missing folders, all at "
        "once (exit 2 if any).",
    )
    check.add_argument("config", type=Path, help="TOML config file")

    schedule = sub.add_parser(
        "schedule",
        help="print a crontab line and systemd units for a configuration",
        description="Print a ready crontab line and a systemd service + timer pair that run "
        "CONFIG.toml; nothing is installed.",
    )
    schedule.add_argument("config", type=Path, help="TOML config file")
    schedule.add_argument(
        "--every",
        default="daily",
        help="daily, hourly, weekly or a cron expression such as '30 2 * * *' (default: daily)",
    )
    return parser


def _settings(args: argparse.Namespace) -> RunSettings:
    from topics.runs.config import build_settings, settings_problems

    settings = build_settings(vars(args))
    problems = settings_problems(settings, flags=True)
    if problems:
        raise SettingsError("; ".join(problems))
    return settings


class ProgressBar:
    """Stage names and counters on stderr; silent unless stderr is a terminal."""

    def __init__(self, stream: TextIO, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.name = ""
        self.total: int | None = None
        self.done = 0
        self._last = 0.0

    def stage(self, name: str, total: int | None = None) -> None:
        self._end_line()
        self.name, self.total, self.done = name, total, 0
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._draw()

    def message(self, text: str) -> None:
        self.name = text
        self._draw(force=True)

    def close(self) -> None:
        self._end_line()

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        if self.total:
            share = min(1.0, self.done / self.total)
            bar = "#" * int(30 * share)
            line = f"{self.name:<40.40} [{bar:<30}] {self.done:,}/{self.total:,}"
        else:
            line = f"{self.name:<60.60} {self.done:,}" if self.done else self.name[:72]
        self.stream.write("\r\x1b[2K" + line)
        self.stream.flush()

    def _end_line(self) -> None:
        if self.enabled and self.name:
            self.stream.write("\n")
            self.stream.flush()


def _cmd_report(args: argparse.Namespace) -> int:
    from topics.runs import InputSpec, RunConfig
    from topics.store.output import check_output

    settings = _settings(args)
    # A one-off report is a run with no retention: the same layout, history and cache.
    config = RunConfig(
        name=args.name or _default_name(args.path),
        output=args.output,
        input=InputSpec(paths=(str(args.path),)),
        settings=settings,
        keep_runs=None,
    )
    check_output(config.output, config.name)
    return _run(config, args)


def _default_name(path: Path) -> str:
    """The corpus name: a folder's name, or a single file's name without its extension."""
    path = path.resolve()
    return path.stem if path.is_file() else path.name


def _cmd_run(args: argparse.Namespace) -> int:
    from topics.runs import load_config

    return _run(load_config(args.config), args)


def _run(config: RunConfig, args: argparse.Namespace) -> int:
    from topics.runs import run_once

    bar = ProgressBar(sys.stderr, enabled=sys.stderr.isatty() and not args.quiet)
    held = _HeldWarnings(enabled=not getattr(args, "verbose", False))
    try:
        outcome = run_once(config, progress=bar)
    except TopicsError:
        held.drop()  # the one-line error says it all; the warnings are in the run's log
        raise
    finally:
        bar.close()
        held.release()
    result = outcome.result
    if not args.quiet:
        fresh = ", ".join(
            f"{stage} {c['fresh']:,}/{c['fresh'] + c['cached']:,}"
            for stage, c in (result.cache or {}).items()
            if stage != "models" and c["fresh"] + c["cached"]
        )
        print(
            f"{len(result.pre.tokens):,} documents, "
            + ", ".join(f"{m.n_topics} {name} topics" for name, m in result.models.items())
            + ", "
            f"{len(result.corpus.skipped) + len(result.pre.dropped):,} not used; "
            f"{result.duration_s:.1f} s" + (f"; recomputed: {fresh}" if fresh else ""),
            file=sys.stderr,
        )
        if outcome.removed:
            print(f"removed {len(outcome.removed)} old run(s) (keep_runs)", file=sys.stderr)
    if args.open:
        import webbrowser

        webbrowser.open(outcome.index_html.resolve().as_uri())
    print(outcome.index_html)
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    from topics.ingest.inputs import resolve_roots
    from topics.runs import load_config
    from topics.store.output import check_output, name_dir

    config = load_config(args.config)
    folders = ", ".join(repr(str(root.folder)) for root in resolve_roots(config.input))
    # Everything `run` would refuse before starting: the output root and the name's folder.
    check_output(config.output, config.name)
    keep = "all runs" if config.keep_runs is None else f"the last {config.keep_runs} runs"
    print(
        printable(
            f"{args.config}: ok: {config.name!r} reads {folders}; "
            f"reports under {name_dir(config.output, config.name)}; keeps {keep}"
        )
    )
    return EXIT_OK


def _cmd_schedule(args: argparse.Namespace) -> int:
    from topics.runs import load_config
    from topics.runs.schedule import render

    config = load_config(args.config)
    print(render(args.config, config.name, args.every), end="")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Imported only now: --version, --help and usage errors must not pay for nltk/gensim.
    from topics.runs.lock import LockedError
    from topics.runs.run import RunFailed

    verbose = getattr(args, "verbose", False)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # A run logs details into its run.log; the console shows them only with -v.
    for handler in logging.getLogger().handlers:
        handler.setLevel(logging.INFO if verbose else logging.WARNING)
    commands = {
        "report": _cmd_report,
        "run": _cmd_run,
        "check": _cmd_check,
        "schedule": _cmd_schedule,
    }
    previous_handler = _on_sigterm_raise()
    try:
        if args.command in commands:
            return commands[args.command](args)
        parser.error(f"unknown command {args.command!r}")
    except LockedError as exc:
        print(f"topics: busy: {_message(exc)}", file=sys.stderr)
        return exc.exit_code
    except RunFailed as exc:
        print(f"topics: run failed: {_message(exc)}", file=sys.stderr)
        return exc.exit_code
    except TopicsError as exc:
        print(f"topics: error: {_message(exc)}", file=sys.stderr)
        return exc.exit_code
    except Terminated as exc:
        print("topics: terminated (SIGTERM); earlier reports are untouched", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("topics: interrupted; earlier reports are untouched", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        log_path = _write_crash_log()
        print(
            printable(
                f"topics: run failed: {type(exc).__name__}: {exc} (details: {log_path}); "
                "earlier reports are untouched"
            ),
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    return EXIT_OK


def _message(exc: TopicsError) -> str:
    """The error's text, with control characters escaped (it may hold names and paths)."""
    text = str(exc)
    return text if exc.multiline else printable(text)


def _on_sigterm_raise() -> signal.Handlers | Callable[..., object] | int | None:
    """Make SIGTERM unwind like Ctrl-C (staging removed, failure recorded); the old handler."""
    if threading.current_thread() is not threading.main_thread():
        return None

    main_pid = os.getpid()

    def terminate(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != main_pid:
            # A forked worker (preprocessing's pool) inherited this handler: die quietly,
            # as it would have; the main process reports the run's end.
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)
            return
        if frame is not None and frame.f_code.co_filename.startswith("<frozen importlib"):
            # Raised inside the import machinery (a lock's weakref callback), the exception
            # is printed as "ignored" and the run goes on: try again a moment later.
            signal.signal(signal.SIGALRM, terminate)
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            return
        raise Terminated()

    return signal.signal(signal.SIGTERM, terminate)


class _HeldWarnings(logging.Filter):
    """Hold console warnings during a run: shown after it, dropped when it ends in an error.

    A run that fails on the user's input prints one line; what was logged on the way is in
    the run's log.
    """

    def __init__(self, enabled: bool) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.handlers = list(logging.getLogger().handlers) if enabled else []
        for handler in self.handlers:
            handler.addFilter(self)

    def filter(self, record: logging.LogRecord) -> bool:
        self.records.append(record)
        return False

    def drop(self) -> None:
        self.records = []

    def release(self) -> None:
        for handler in self.handlers:
            handler.removeFilter(self)
        for record in self.records:
            for handler in self.handlers:
                if record.levelno >= handler.level:
                    handler.handle(record)
        self.records = []


def _write_crash_log() -> str:
    with tempfile.NamedTemporaryFile(
        "w", prefix="topics-error-", suffix=".log", delete=False, encoding="utf-8"
    ) as fh:
        fh.write(traceback.format_exc())
        return fh.name


__all__ = ["SettingsError", "build_parser", "main"]
