"""Shared fixtures: planted-topic corpora and one sample report per test session.

The whole suite runs in one process, so a session fixture is built once for every test
file that reads it. ``run_main`` runs the command line in this process: UMAP's numba
functions compile once per process (~12 s of CPU; in a test process they are loaded from
``NUMBA_CACHE_DIR`` instead once a session has written them, see
``_numba_caches_by_default``), which every ``run_cli`` subprocess pays again in full.
Keep ``run_cli`` for what only a separate process
shows (signals, lock contention between processes, import-time costs, fresh-process
reproducibility) and mark such tests ``@pytest.mark.slow``.
"""

from __future__ import annotations

import gc
import importlib.abc
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from topics.types import TopicModelResult

REPO = Path(__file__).resolve().parent.parent
SAMPLE_DATA = REPO / "sample_data"

# Keep numba's compiled functions between test processes (UMAP imports cost ~17 s cold).
os.environ.setdefault("NUMBA_CACHE_DIR", str(REPO / ".numba-cache"))


def _numba_caches_by_default() -> None:
    """Make ``numba.njit`` write its machine code to ``NUMBA_CACHE_DIR`` unless told not to.

    umap-learn's own ``@numba.njit`` functions are not ``cache=True``, so every process
    compiled them again on its first fit: ~12 s of CPU, the fast lane's largest single
    cost. Cached, a later session loads them in ~0.5 s (a fresh checkout, as in CI, still
    compiles them once). Compilation is all this changes: the cached code is what numba
    would compile. numba's cache key ignores the jit options, and umap compiles one
    function both serially and in parallel, so only the first options seen for a
    function use the cache.
    """
    import numba

    plain = numba.njit
    options_of: dict[tuple[str, str], dict[str, Any]] = {}

    def compile_(func: Any, options: dict[str, Any], signature: tuple[Any, ...] = ()) -> Any:
        key = (func.__module__, func.__qualname__)
        if options_of.setdefault(key, options) == options:
            options = {"cache": True, **options}
        return plain(*signature, **options)(func) if signature else plain(func, **options)

    def njit(*args: Any, **options: Any) -> Any:
        if args and callable(args[0]):  # @numba.njit or numba.njit(func, ...)
            return compile_(args[0], options) if len(args) == 1 else plain(*args, **options)
        if args:  # an explicit signature, compiled when decorated (umap's tau_rand: ~1 s)
            return lambda func: compile_(func, options, args)
        return lambda func: compile_(func, options)

    numba.njit = njit


class _BeforeUmapImport(importlib.abc.MetaPathFinder):
    """Run ``_numba_caches_by_default`` just before umap (or pynndescent) is first imported.

    Lazily, so a test file that never fits UMAP does not import numba (~0.5 s).
    """

    done = False

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        # Stays in sys.meta_path: removing a finder while the import system iterates
        # over the list would skip the next one.
        if not self.done and name in ("umap", "pynndescent"):
            self.done = True
            _numba_caches_by_default()


if not {"umap", "pynndescent"} & set(sys.modules):
    sys.meta_path.insert(0, _BeforeUmapImport())


#: Session fixtures too costly for the fast lane (``-m "not slow"``): a test that uses one
#: is marked slow. The sample report fits both models on 405 documents (~20 s).
SLOW_FIXTURES = frozenset({"sample_report"})


#: Test files that never fit UMAP: they run first, so that on a cold numba cache the
#: warm-up process (``tests/warm_numba.py``) compiles UMAP on the other core meanwhile.
UMAP_FREE = (
    "tests/ingest/",
    "tests/preprocess/",
    "tests/store/",
    "tests/runs/",
    "tests/report/test_map_js.py",
    "tests/report/test_ldavis.py",
    "tests/test_types.py",
)

_warm_up: dict[str, subprocess.Popen[bytes]] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: not item.nodeid.startswith(UMAP_FREE))  # stable


def pytest_sessionstart(session: pytest.Session) -> None:
    """On a cold numba cache (a fresh checkout), compile UMAP in a second process."""
    from tests.warm_numba import marker

    cache = Path(os.environ["NUMBA_CACHE_DIR"])
    if marker(cache).exists() or os.environ.get("TOPICS_NO_WARM_UP") == "1":
        return
    _warm_up["proc"] = subprocess.Popen(
        [sys.executable, "-m", "tests.warm_numba"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ | {"TOPICS_NO_WARM_UP": "1"},
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    proc = _warm_up.pop("proc", None)
    if proc is not None and proc.poll() is None:
        proc.terminate()  # numba replaces cache files whole: nothing half-written stays
        proc.wait()


def pytest_collection_finish(session: pytest.Session) -> None:
    # The modules imported by collection (numpy, scipy, sklearn, gensim, pandas, …) are
    # never garbage; left to the collector, every full collection walks them again
    # (~2 s of the fast lane's CPU in collections; ~0.6 s less frozen).
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class Planted:
    """A corpus generated from known topics with disjoint vocabularies."""

    topics: list[list[str]]
    tokens: list[list[str]]
    main_topic: list[int]


def planted_corpus(
    n_topics: int = 6,
    n_docs: int = 240,
    words_per_topic: int = 15,
    doc_len: int = 60,
    purity: float = 0.9,
    seed: int = 0,
) -> Planted:
    """Documents drawn mostly from one planted topic, with some words from another."""
    rng = np.random.default_rng(seed)
    topics = [[f"t{t}w{w}" for w in range(words_per_topic)] for t in range(n_topics)]
    # Zipf-like word weights so each topic has clear top words.
    weights = 1.0 / np.arange(1, words_per_topic + 1)
    weights /= weights.sum()
    tokens, main = [], []
    for d in range(n_docs):
        t = d % n_topics
        other = (t + 1 + rng.integers(n_topics - 1)) % n_topics
        n_main = round(doc_len * purity)
        words = list(rng.choice(topics[t], size=n_main, p=weights))
        words += list(rng.choice(topics[other], size=doc_len - n_main, p=weights))
        rng.shuffle(words)
        tokens.append([str(w) for w in words])
        main.append(t)
    return Planted(topics=topics, tokens=tokens, main_topic=main)


@pytest.fixture(scope="session")
def planted() -> Planted:
    return planted_corpus()


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m topics`` in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "topics", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        env=os.environ | {"PYTHONHASHSEED": "random"},
    )


@dataclass(frozen=True)
class Ran:
    """What ``run_main`` saw: the exit code and the console output, like a finished process."""

    returncode: int
    stdout: str
    stderr: str


def run_main(*args: str) -> Ran:
    """Run ``topics ARGS`` in this process, with the console a real run has.

    The root logger's handlers are swapped out for the call, so ``main``'s
    ``logging.basicConfig`` writes to the captured stderr as it would in a terminal.
    """
    from topics.cli import main

    out, err = io.StringIO(), io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    root.handlers = []
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors, --version, --help
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
                if isinstance(exc.code, str):
                    print(exc.code, file=sys.stderr)
    finally:
        root.handlers, root.level = saved_handlers, saved_level
    return Ran(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


@dataclass(frozen=True)
class SampleReport:
    index_html: Path
    folder: Path
    topics: dict[str, object]
    manifest: dict[str, object]
    stdout: str
    stderr: str


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> SampleReport:
    """The sample corpus through the CLI (in-process) once per session."""
    out = tmp_path_factory.mktemp("reports")
    proc = run_main("report", str(SAMPLE_DATA), "-o", str(out), "--n-topics", "7", "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    index = Path(proc.stdout.strip().splitlines()[-1])
    folder = index.parent
    return SampleReport(
        index_html=index,
        folder=folder,
        topics=json.loads((folder / "topics.json").read_text(encoding="utf-8")),
        manifest=json.loads((folder / "manifest.json").read_text(encoding="utf-8")),
        stdout=proc.stdout,
        stderr=proc.stderr,
    )


@pytest.fixture(scope="session", autouse=True)
def _one_browser_per_session() -> Iterator[None]:
    """Close the Chromium that ``tests.browser.open_report`` shares between tests."""
    yield
    from tests.browser import close_browser

    close_browser()


def write_file(root: Path, rel: str, content: str | bytes, encoding: str = "utf-8") -> Path:
    """Write ``content`` (text in ``encoding``, or bytes as they are) to ``root / rel``."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return path


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{relative path: content}`` under ``root`` and return it."""
    for rel, content in files.items():
        write_file(root, rel, content)
    return root


@pytest.fixture
def write_files(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write ``{relative path: content}`` under a fresh folder and return it."""
    return lambda files: write_tree(tmp_path / "corpus", files)


def topic_model(vocab: list[str], topic_term: list[list[float]]) -> TopicModelResult:
    """A fitted-looking LDA result from raw topic-word weights (rows are normalised)."""
    tt = np.asarray(topic_term, dtype=np.float64)
    tt /= tt.sum(axis=1, keepdims=True)
    n = tt.shape[0]
    return TopicModelResult(
        name="lda",
        vocab=vocab,
        topic_term=tt,
        doc_topic=np.eye(n),
        assignments=np.arange(n, dtype=np.int64),
        topic_words=[[vocab[j] for j in np.argsort(-row, kind="stable")] for row in tt],
    )
