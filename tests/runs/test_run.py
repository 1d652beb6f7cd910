"""Scheduled runs end to end, as cron runs them: ``topics run CONFIG``.

Runs go through ``main(argv)`` in this process; the signal and lock-contention tests
start real processes, as cron would, since the process boundary is what they test.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_main

# Planted themes with disjoint words; "music" is the one added later.
THEMES = {
    "space": "telescope orbit planet galaxy astronomer comet nebula rocket satellite asteroid",
    "food": "recipe oven flour butter sugar dough kitchen garlic pastry vinegar",
    "money": "bank interest loan investor market dividend inflation bond budget mortgage",
    "music": "guitar violin melody orchestra concert piano chord rhythm drummer symphony",
}


def write_theme(folder: Path, theme: str, n_docs: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed + len(theme))
    words = THEMES[theme].split()
    weights = 1.0 / np.arange(1, len(words) + 1)
    for i in range(n_docs):
        body = " ".join(rng.choice(words, size=40, p=weights / weights.sum()))
        path = folder / theme / f"{theme}{i:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{theme.title()} note {i}\n\n{body}\n", encoding="utf-8")


def write_config(path: Path, corpus: Path, n_topics: int, **extra: object) -> Path:
    lines = [
        'name = "nightly"',
        'output = "reports"',
        f"n_topics = {n_topics}",
        'models = ["lda"]',
        f'input = ["{corpus.name}"]',
    ]
    lines += [f"{key} = {json.dumps(value)}" for key, value in extra.items() if key != "lda"]
    if "lda" in extra:
        lines += ["[lda]"] + [f"{k} = {v}" for k, v in extra["lda"].items()]  # type: ignore[attr-defined]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_ok(config: Path) -> Path:
    proc = run_main("run", str(config), "-q")
    assert proc.returncode == 0, proc.stderr
    return Path(proc.stdout.strip().splitlines()[-1])


def manifest(index: Path) -> dict[str, object]:
    return json.loads((index.parent / "manifest.json").read_text(encoding="utf-8"))


def snapshot(name_dir: Path) -> dict[str, str]:
    """Every published file (not the cache, the lock or staging folders), by content hash."""
    out = {}
    for path in sorted(name_dir.rglob("*")):
        rel = path.relative_to(name_dir).as_posix()
        if path.is_file() and not rel.startswith((".cache/", ".lock", "runs/.tmp-")):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture(scope="module")
def grown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """Three runs: three themes; the same again; a fourth theme added (10 of 40 docs new)."""
    tmp_path = tmp_path_factory.mktemp("grown")
    corpus = tmp_path / "corpus"
    for theme in ("space", "food", "money"):
        write_theme(corpus, theme, 10)
    config = write_config(tmp_path / "nightly.toml", corpus, n_topics=3)
    first = run_ok(config)
    unchanged = run_ok(config)
    write_theme(corpus, "music", 10)
    write_config(config, tmp_path / "corpus", n_topics=4)
    third = run_ok(config)
    return tmp_path / "reports" / "nightly", [first, unchanged, third]


def test_unchanged_rerun_recomputes_no_document(grown: tuple[Path, list[Path]]) -> None:
    _, (first, unchanged, _) = grown
    assert manifest(first)["cache"] == {
        "parsed": {"fresh": 30, "cached": 0},
        "preprocessed": {"fresh": 30, "cached": 0},
        "embedded": {"fresh": 0, "cached": 0},
        "models": {"fresh": 1, "cached": 0},
    }
    cache = manifest(unchanged)["cache"]
    assert cache["parsed"] == {"fresh": 0, "cached": 30}  # type: ignore[index]
    assert cache["preprocessed"] == {"fresh": 0, "cached": 30}  # type: ignore[index]
    assert cache["models"] == {"fresh": 0, "cached": 1}  # type: ignore[index]
    # Reused fits give the same topics.
    one = json.loads((first.parent / "topics.json").read_text(encoding="utf-8"))
    two = json.loads((unchanged.parent / "topics.json").read_text(encoding="utf-8"))
    assert one["models"] == two["models"]


def test_added_documents_are_the_only_ones_recomputed(grown: tuple[Path, list[Path]]) -> None:
    _, (_, _, third) = grown
    cache = manifest(third)["cache"]
    assert cache["parsed"] == {"fresh": 10, "cached": 30}  # type: ignore[index]
    assert cache["preprocessed"] == {"fresh": 10, "cached": 30}  # type: ignore[index]


def test_drift_marks_the_planted_new_topic_as_new(grown: tuple[Path, list[Path]]) -> None:
    _, (_, unchanged, third) = grown
    same = json.loads((unchanged.parent / "drift.json").read_text(encoding="utf-8"))
    assert [len(same["models"]["lda"][k]) for k in ("persisting", "new", "vanished")] == [3, 0, 0]
    assert all(p["similarity"] > 0.99 for p in same["models"]["lda"]["persisting"])

    drift = json.loads((third.parent / "drift.json").read_text(encoding="utf-8"))["models"]["lda"]
    assert len(drift["persisting"]) == 3 and not drift["vanished"]
    assert all(p["similarity"] >= 0.5 for p in drift["persisting"])
    (new,) = drift["new"]
    assert set(new["words"][:5]) <= set(THEMES["music"].split())
    assert new["closest_similarity"] < 0.5
    html = third.read_text(encoding="utf-8")
    assert 'id="drift"' in html and 'class="new" data-topic="{}"'.format(new["topic"]) in html


def test_history_lists_every_run_with_links(grown: tuple[Path, list[Path]]) -> None:
    name_dir, runs = grown
    index = json.loads((name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [r["run_id"] for r in index["runs"]] == [p.parent.name for p in runs]
    assert index["latest"] == runs[-1].parent.name
    last = index["runs"][-1]
    assert last["counts"]["n_documents"] == 40
    assert last["changes"] == {"previous_run": runs[1].parent.name, "new": 10, "removed": 0}
    assert last["models"]["lda"]["n_topics"] == 4
    page = (name_dir / "index.html").read_text(encoding="utf-8")
    for run in runs:
        assert f'href="runs/{run.parent.name}/index.html"' in page
    # The latest report is one relative link away (works from file://), and latest.html forwards.
    assert f'id="latest" href="runs/{runs[-1].parent.name}/index.html"' in page
    assert runs[-1].parent.name in (name_dir / "latest.html").read_text(encoding="utf-8")
    # Three topics persist through all three runs; the new one appears once.
    lineages = index["runs"][-1]["models"]["lda"]["topics"]
    first_ids = {t["lineage"] for t in index["runs"][0]["models"]["lda"]["topics"]}
    assert sum(t["lineage"] in first_ids for t in lineages) == 3
    assert page.count('class="alive"') == 4


def _start(config: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "topics", "run", str(config), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONHASHSEED": "random"},
    )


def _wait_for(predicate: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def _staging_log(name_dir: Path) -> str:
    for log in (name_dir / "runs").glob(".tmp-*/run.log"):
        try:
            return log.read_text(encoding="utf-8")
        except OSError:
            return ""
    return ""


def _run_then_start_a_busy_one(
    tmp_path: Path,
) -> tuple[Path, Path, Path, dict[str, str], subprocess.Popen[str]]:
    """One finished run, then a second one started and busy fitting LDA.

    The corpus changed and the passes are many, so the second run is fitting, not reusing.
    Returns the config, the name folder, the first run's index.html, a snapshot of the
    name folder before the second run, and the second run's process.
    """
    corpus = tmp_path / "corpus"
    for theme in ("space", "food", "money"):
        write_theme(corpus, theme, 10)
    config = write_config(tmp_path / "nightly.toml", corpus, n_topics=3)
    first = run_ok(config)
    name_dir = tmp_path / "reports" / "nightly"
    before = snapshot(name_dir)
    assert "index.html" in before and f"runs/{first.parent.name}/index.html" in before
    write_theme(corpus, "music", 10)
    write_config(config, corpus, n_topics=4, lda={"passes": 2000})
    proc = _start(config)
    _wait_for(lambda: "stage: fitting LDA" in _staging_log(name_dir))
    return config, name_dir, first, before, proc


@pytest.mark.slow
def test_sigkill_mid_run_leaves_earlier_runs_intact(tmp_path: Path) -> None:
    config, name_dir, first, before, proc = _run_then_start_a_busy_one(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert list((name_dir / "runs").glob(".tmp-*")), "the killed run was not mid-way"
    assert snapshot(name_dir) == before

    write_config(config, tmp_path / "corpus", n_topics=4)
    second = run_ok(config)
    assert not list((name_dir / "runs").glob(".tmp-*"))
    index = json.loads((name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [r["run_id"] for r in index["runs"]] == [first.parent.name, second.parent.name]
    # The killed run's parsing was committed; its fit was not.
    assert manifest(second)["cache"]["models"] == {"fresh": 1, "cached": 0}  # type: ignore[index]


@pytest.mark.slow
def test_sigterm_ends_with_143_one_line_and_earlier_runs_intact(tmp_path: Path) -> None:
    _, name_dir, first, before, proc = _run_then_start_a_busy_one(tmp_path)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert err.strip().splitlines() == [
        "topics: terminated (SIGTERM); earlier reports are untouched"
    ]
    assert not list((name_dir / "runs").glob(".tmp-*"))
    runs_before = {k: v for k, v in before.items() if k.startswith("runs/")}
    assert {k: v for k, v in snapshot(name_dir).items() if k.startswith("runs/")} == runs_before
    index = json.loads((name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in index["runs"]] == ["ok", "failed"]
    assert index["runs"][1]["error"] == "terminated (SIGTERM)"
    assert index["latest"] == first.parent.name


@pytest.mark.slow
def test_second_concurrent_run_exits_75(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for theme in ("space", "food"):
        write_theme(corpus, theme, 10)
    config = write_config(tmp_path / "nightly.toml", corpus, n_topics=2, lda={"passes": 1000})
    name_dir = tmp_path / "reports" / "nightly"
    # The second run imports everything first and waits, so it tries the lock the moment
    # we say: while the first run is surely still holding it.
    second = subprocess.Popen(
        [
            sys.executable,
            "-c",
            # topics.cli alone imports nothing heavy; main() would import the run
            # layer (gensim, scipy) after "go" and, on a busy machine, take seconds.
            "import sys\nimport topics.runs.run\nfrom topics.cli import main\n"
            "sys.stdin.readline()\n"
            "sys.exit(main(['run', sys.argv[1], '-q']))",
            str(config),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = _start(config)
    _wait_for(lambda: "stage:" in _staging_log(name_dir))
    t0 = time.monotonic()
    _, err = second.communicate("go\n", timeout=60)
    assert second.returncode == 75, err
    assert time.monotonic() - t0 < 10
    assert "in progress" in err and f"pid {first.pid}" in err
    assert len(err.strip().splitlines()) == 1
    assert first.poll() is None, "the first run should still be going"
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    index = json.loads((name_dir / "runs.json").read_text(encoding="utf-8"))
    assert len(index["runs"]) == 1


def test_a_failing_run_is_listed_and_earlier_runs_stay(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_theme(corpus, "space", 8)
    write_theme(corpus, "food", 8)
    config = write_config(tmp_path / "nightly.toml", corpus, n_topics=2)
    first = run_ok(config)
    name_dir = tmp_path / "reports" / "nightly"
    for path in corpus.rglob("*.txt"):
        path.write_text("  \n", encoding="utf-8")
    proc = run_main("run", str(config), "-q")
    assert proc.returncode == 2
    assert "no usable documents" in proc.stderr
    index = json.loads((name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in index["runs"]] == ["ok", "failed"]
    assert index["latest"] == first.parent.name
    failed = index["runs"][1]
    assert (name_dir / failed["log"]).is_file()
    assert "no usable documents" in (name_dir / failed["log"]).read_text(encoding="utf-8")
    assert first.is_file()


def test_report_writes_the_run_layout_with_history(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_theme(corpus, "space", 8)
    write_theme(corpus, "food", 8)
    out = tmp_path / "out"
    proc = run_main("report", str(corpus), "-o", str(out), "--models", "lda", "--n-topics", "2")
    assert proc.returncode == 0, proc.stderr
    index = Path(proc.stdout.strip().splitlines()[-1])
    folder = index.parent
    assert folder.parent == out / "corpus" / "runs"
    names = {p.name for p in folder.iterdir()}
    assert {"index.html", "topics.json", "documents.csv", "manifest.json", "run.log"} <= names
    assert "stage: fitting LDA" in (folder / "run.log").read_text(encoding="utf-8")
    history = (out / "corpus" / "index.html").read_text(encoding="utf-8")
    assert f"runs/{folder.name}/index.html" in history
    assert 'href="../../index.html"' in index.read_text(encoding="utf-8")
