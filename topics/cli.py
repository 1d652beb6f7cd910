"""Command-line interface: ``topics report PATH``.

Exit codes: 0 success, 1 the run failed (message and log path printed),
2 usage error or unusable input (one line, no traceback), 130 interrupted.
The last line of stdout is the path of the written report's ``index.html``.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import NoReturn, TextIO

from topics import __version__
from topics.errors import SettingsError, TopicsError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr and exit code 2."""

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
    if not x > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {value}")
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
    report.add_argument("path", type=Path, help="folder of .txt, .md, .html, .csv, .jsonl files")
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
    report.add_argument("--open", action="store_true", help="open the report in a browser")
    report.add_argument(
        "--models",
        default="lda,clusters",
        help="comma-separated models to fit: lda, clusters (default: both)",
    )
    group = report.add_argument_group("input")
    group.add_argument("--text-column", help="CSV/JSONL field holding the text (default: detect)")
    group.add_argument("--date-column", help="CSV/JSONL field holding the date (default: 'date')")
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
        "--passes", type=int, default=10, help="passes over the corpus (default: 10)"
    )
    group.add_argument(
        "--auto-budget",
        type=_positive_float,
        default=120.0,
        help="seconds to spend choosing the number of topics (default: 120)",
    )
    group = report.add_argument_group("embedding clusters")
    group.add_argument(
        "--assign-outliers",
        action="store_true",
        help="give documents the density clustering left out their nearest topic",
    )
    group.add_argument(
        "--min-cluster-size", type=int, help="smallest cluster HDBSCAN may form (default: auto)"
    )
    group = report.add_argument_group("output")
    group.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    group.add_argument("-v", "--verbose", action="store_true", help="log details on stderr")
    return parser


def _settings(args: argparse.Namespace) -> object:
    from topics.clusters import ClusterSettings
    from topics.ingest import IngestSettings
    from topics.lda import LdaSettings
    from topics.pipeline import RunSettings
    from topics.preprocess import PreprocessSettings

    pre = PreprocessSettings(
        language=args.language,
        min_df=args.min_df if args.min_df is not None else "auto",
        max_df=args.max_df,
        phrases=not args.no_phrases,
        lemmatize=not args.no_lemmatize,
    )
    lda = LdaSettings(
        n_topics=args.n_topics, seed=args.seed, passes=args.passes, auto_budget_s=args.auto_budget
    )
    settings = RunSettings(
        seed=args.seed,
        models=tuple(m.strip() for m in args.models.split(",") if m.strip()),
        clusters=ClusterSettings(
            n_topics=args.n_topics,
            seed=args.seed,
            assign_outliers=args.assign_outliers,
            min_cluster_size=args.min_cluster_size,
        ),
        ingest=IngestSettings(
            text_column=args.text_column,
            date_column=args.date_column,
            max_file_mb=args.max_file_mb,
            keep_duplicates=args.keep_duplicates,
        ),
        preprocess=pre,
        lda=replace(lda, seed=args.seed),
    )
    settings.validate()
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
    from topics.output import check_root
    from topics.pipeline import RunSettings, run_pipeline
    from topics.report import write_report

    settings = _settings(args)
    assert isinstance(settings, RunSettings)
    check_root(args.output)
    bar = ProgressBar(sys.stderr, enabled=sys.stderr.isatty() and not args.quiet)
    try:
        result = run_pipeline(args.path, settings, progress=bar)
        bar.stage("writing the report")
        written = write_report(result, args.output, args.name or args.path.resolve().name)
    finally:
        bar.close()
    if not args.quiet:
        print(
            f"{len(result.pre.tokens):,} documents, "
            + ", ".join(f"{m.n_topics} {name} topics" for name, m in result.models.items())
            + ", "
            f"{len(result.corpus.skipped) + len(result.pre.dropped):,} not used; "
            f"{result.duration_s:.1f} s",
            file=sys.stderr,
        )
    if args.open:
        import webbrowser

        webbrowser.open(written.index_html.resolve().as_uri())
    print(written.index_html)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        if args.command == "report":
            return _cmd_report(args)
        parser.error(f"unknown command {args.command!r}")
    except TopicsError as exc:
        print(f"topics: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("topics: interrupted; earlier reports are untouched", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        log_path = _write_crash_log()
        print(
            f"topics: run failed: {type(exc).__name__}: {exc} (details: {log_path}); "
            "earlier reports are untouched",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def _write_crash_log() -> str:
    with tempfile.NamedTemporaryFile(
        "w", prefix="topics-error-", suffix=".log", delete=False, encoding="utf-8"
    ) as fh:
        fh.write(traceback.format_exc())
        return fh.name


__all__ = ["SettingsError", "build_parser", "main"]
