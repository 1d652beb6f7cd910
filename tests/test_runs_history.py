"""History, retention, locks and failures of runs, in-process with real (small) fits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from topics.errors import InputError
from topics.output import prepare_root
from topics.pipeline import RunSettings
from topics.runs import InputSpec, LockedError, RunConfig, run_once
from topics.runs.config import build_settings
from topics.runs.history import to_remove
from topics.runs.lock import hold_lock

WORDS = {
    "space": "telescope orbit planet galaxy astronomer comet nebula rocket satellite asteroid",
    "food": "recipe oven flour butter sugar dough kitchen garlic pastry vinegar",
}


def _corpus(folder: Path, n: int = 8, dated: bool = False) -> Path:
    rng = np.random.default_rng(0)
    rows = ["text,date"] if dated else []
    for theme, words in WORDS.items():
        for i in range(n):
            body = " ".join(rng.choice(words.split(), size=30))
            if dated:
                month = 1 + i % 6 if theme == "space" else 4 + i % 3
                rows.append(f'"{body}",2024-{month:02d}-1{i % 9}')
            else:
                path = folder / theme / f"{i}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
    if dated:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "notes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def _config(tmp_path: Path, corpus: Path, **kwargs: object) -> RunConfig:
    settings: RunSettings = build_settings({"models": ["lda"], "n_topics": 2, "passes": 3})
    return RunConfig(
        name="hist",
        output=tmp_path / "out",
        input=InputSpec(paths=(str(corpus),)),
        settings=settings,
        **kwargs,  # type: ignore[arg-type]
    )


def _record(run_id: str, status: str = "ok") -> dict[str, object]:
    return {"run_id": run_id, "status": status}


def test_retention_keeps_the_newest_and_the_latest_success() -> None:
    records = [_record("1"), _record("2"), _record("3", "failed"), _record("4", "failed")]
    assert [r["run_id"] for r in to_remove(records, 2)] == ["1"]
    assert [r["run_id"] for r in to_remove(records, 1)] == ["1", "3"]
    assert to_remove(records, None) == []
    assert to_remove(records, 4) == []


def test_runs_beyond_keep_runs_are_removed_oldest_first(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus, keep_runs=2)
    outcomes = [run_once(config) for _ in range(3)]
    name_dir = outcomes[0].name_dir
    assert outcomes[2].removed == (outcomes[0].run_id,)
    assert not outcomes[0].folder.exists()
    kept = sorted(p.name for p in (name_dir / "runs").iterdir())
    assert kept == [outcomes[1].run_id, outcomes[2].run_id]
    page = (name_dir / "index.html").read_text(encoding="utf-8")
    assert f'data-run="{outcomes[0].run_id}"' not in page
    assert f'data-run="{outcomes[2].run_id}"' in page


def test_report_shows_topics_over_time_for_dated_documents(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus", dated=True)
    outcome = run_once(_config(tmp_path, corpus))
    html = outcome.index_html.read_text(encoding="utf-8")
    assert 'id="over-time"' in html and 'data-model="lda"' in html
    assert "2024-01" in html and "2024-06" in html


def test_a_stale_lock_file_is_taken_over(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus)
    name_dir = prepare_root(tmp_path / "out") / "hist"
    name_dir.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (name_dir / ".lock").write_text(f"{dead.stdout.strip()} 2024-01-01T00:00:00+00:00\n")
    outcome = run_once(config)
    assert outcome.index_html.is_file()
    log = (outcome.folder / "run.log").read_text(encoding="utf-8")
    assert f"pid {dead.stdout.strip()}" in log and "took over the lock" in log


def test_a_lock_held_by_a_killed_process_is_free(tmp_path: Path) -> None:
    name_dir = tmp_path / "n"
    name_dir.mkdir()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from topics.runs.lock import hold_lock\n"
            "with hold_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(120)",
            str(name_dir),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    with pytest.raises(LockedError, match=f"pid {holder.pid}") as info, hold_lock(name_dir):
        pass
    assert info.value.exit_code == 75
    holder.kill()
    holder.wait()
    with hold_lock(name_dir) as lock:
        assert lock.path.read_text().split()[0] == str(os.getpid())
        assert lock.stale_holder is not None and str(holder.pid) in lock.stale_holder


def test_a_failed_first_run_leaves_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("   ")
    with pytest.raises(InputError, match="no usable documents"):
        run_once(_config(tmp_path, empty))
    assert not (tmp_path / "out").exists()


def test_history_index_survives_a_rerun_of_a_killed_history_write(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus)
    first = run_once(config)
    # What a run killed while rewriting the history leaves: a temp file, the old page.
    leftover = first.name_dir / ".index.html.abc123"
    leftover.write_text("partial")
    second = run_once(config)
    assert not leftover.exists()
    index = json.loads((first.name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [r["run_id"] for r in index["runs"]] == [first.run_id, second.run_id]


def test_an_unexpected_failure_is_exit_1_with_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import topics.report as report_module
    from topics.runs import RunFailed

    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus)
    first = run_once(config)
    before = {p: p.read_bytes() for p in first.folder.rglob("*")}

    def boom(*args: object, **kwargs: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_module, "render_html", boom)
    with pytest.raises(RunFailed, match="RuntimeError: disk full") as info:
        run_once(config)
    assert info.value.exit_code == 1
    log = info.value.log_path
    assert log.parent == first.name_dir / "failed"
    assert "Traceback" in log.read_text(encoding="utf-8")
    assert str(log) in str(info.value)
    assert {p: p.read_bytes() for p in first.folder.rglob("*")} == before
    index = json.loads((first.name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in index["runs"]] == ["ok", "failed"]
    assert index["latest"] == first.run_id
    assert not list((first.name_dir / "runs").glob(".tmp-*"))
