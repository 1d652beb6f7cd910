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
from topics.pipeline import RunSettings
from topics.runs import InputSpec, LockedError, RunConfig, run_once
from topics.runs.history import to_remove
from topics.runs.lock import hold_lock
from topics.settings import from_mapping
from topics.store.output import prepare_root

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
                # No theme folders: labels would add the review's cross-validation (~40
                # ms a run), which nothing here examines.
                path = folder / f"{theme}-{i}.txt"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(body, encoding="utf-8")
    if dated:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "notes.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def _config(tmp_path: Path, corpus: Path, **kwargs: object) -> RunConfig:
    settings: RunSettings = from_mapping({"models": ["lda"], "n_topics": 2, "passes": 3})
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


@pytest.mark.slow  # a second Python process that imports topics
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


# ------------------------------------------------- regressions: nothing lost in a shared output


def test_retention_never_deletes_a_folder_topics_did_not_write(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus, keep_runs=1)
    first = run_once(config)
    archive = first.name_dir / "runs" / "2019-archive"
    archive.mkdir()
    (archive / "notes.txt").write_text("keep me", encoding="utf-8")
    second = run_once(config)
    assert second.removed == (first.run_id,)
    assert (archive / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert "runs/2019-archive was not written by topics; left alone" in (
        second.folder / "run.log"
    ).read_text(encoding="utf-8")
    index = json.loads((first.name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [r["run_id"] for r in index["runs"]] == [second.run_id]


def test_a_symlinked_runs_folder_is_refused_and_its_target_kept(tmp_path: Path) -> None:
    from topics.errors import OutputError

    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus, keep_runs=1)
    first = run_once(config)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "20200101-000000").mkdir()
    (victim / "20200101-000000" / "data.txt").write_text("precious", encoding="utf-8")
    runs = first.name_dir / "runs"
    runs.rename(tmp_path / "moved-runs")
    runs.symlink_to(victim, target_is_directory=True)
    with pytest.raises(OutputError, match="is a symlink"):
        run_once(config)
    assert (victim / "20200101-000000" / "data.txt").read_text(encoding="utf-8") == "precious"
    assert sorted(p.name for p in victim.iterdir()) == ["20200101-000000"]


def test_runs_written_before_the_marker_are_still_removed_by_retention(tmp_path: Path) -> None:
    from topics.store.output import RUN_MARKER

    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus, keep_runs=1)
    first = run_once(config)
    (first.folder / RUN_MARKER).unlink()  # as the previous version wrote it: listed in runs.json
    second = run_once(config)
    assert second.removed == (first.run_id,) and not first.folder.exists()


def test_a_planted_failed_record_cannot_point_retention_elsewhere(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus, keep_runs=1)
    first = run_once(config)
    victim = tmp_path / "victim.json"
    victim.write_text("{}", encoding="utf-8")
    failed = first.name_dir / "failed"
    failed.mkdir()
    record = {"run_id": "../../../victim", "status": "failed", "log": "javascript:alert(1)"}
    (failed / "20000101-000000.json").write_text(json.dumps(record), encoding="utf-8")
    run_once(config)
    assert victim.read_text(encoding="utf-8") == "{}"
    assert not (failed / "20000101-000000.json").exists()  # its own files, by their name
    assert "javascript:" not in (first.name_dir / "index.html").read_text(encoding="utf-8")


def test_names_that_slug_alike_never_share_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import replace

    from topics.cli import main
    from topics.errors import OutputError

    corpus = _corpus(tmp_path / "corpus")
    first = run_once(replace(_config(tmp_path, corpus), name="news feed"))
    assert first.name_dir == tmp_path / "out" / "news-feed"
    assert (first.name_dir / ".topics-name").read_text(encoding="utf-8") == "news feed\n"
    before = sorted(p.name for p in (first.name_dir / "runs").iterdir())
    with pytest.raises(OutputError, match="belongs to the name 'news feed', not 'news/feed'"):
        run_once(replace(_config(tmp_path, corpus), name="news/feed"))
    assert sorted(p.name for p in (first.name_dir / "runs").iterdir()) == before

    # Letters of every script are kept: two names in other scripts get two folders.
    japanese = run_once(replace(_config(tmp_path, corpus), name="日本"))
    chinese = run_once(replace(_config(tmp_path, corpus), name="中文"))
    assert japanese.name_dir.name == "日本" and chinese.name_dir.name == "中文"

    # `topics check` names the folder actually used, and refuses what `run` would.
    config = tmp_path / "feed.toml"
    config.write_text(
        f'name = "news/feed"\noutput = "out"\ninput = ["{corpus.name}"]\n', encoding="utf-8"
    )
    assert main(["check", str(config)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "belongs to the name 'news feed'" in err[0]
    config.write_text(
        f'name = "news: feed"\noutput = "out"\ninput = ["{corpus.name}"]\n', encoding="utf-8"
    )
    (tmp_path / "out" / "news-feed" / ".topics-name").unlink()  # a folder of the last version
    assert main(["check", str(config)]) == 2  # adopted from runs.json's name: still refused
    assert "belongs to the name 'news feed'" in capsys.readouterr().err
    config.write_text(
        f'name = "news, feed 2"\noutput = "out"\ninput = ["{corpus.name}"]\n', encoding="utf-8"
    )
    assert main(["check", str(config)]) == 0
    assert f"reports under {tmp_path / 'out' / 'news-feed-2'};" in capsys.readouterr().out


def test_a_folder_written_before_names_were_recorded_is_adopted(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus)
    first = run_once(config)
    (first.name_dir / ".topics-name").unlink()
    second = run_once(config)
    assert (first.name_dir / ".topics-name").read_text(encoding="utf-8") == "hist\n"
    assert second.folder.parent == first.folder.parent


@pytest.mark.parametrize("planted", [".topics-output", "hist/.lock", "hist/.topics-name"])
def test_planted_symlinks_in_the_output_are_never_followed(tmp_path: Path, planted: str) -> None:
    from topics.errors import OutputError

    corpus = _corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    (out / "hist").mkdir(parents=True)
    (out / ".topics-output").write_text("This folder holds topics reports.\n")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    (out / planted).unlink(missing_ok=True)
    (out / planted).symlink_to(victim)
    with pytest.raises(OutputError, match="is a symlink"):
        run_once(_config(tmp_path, corpus))
    assert victim.read_text(encoding="utf-8") == "precious"


def test_every_published_file_has_the_same_permissions(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus)
    run_once(config)
    second = run_once(config)
    mode = (second.folder / "index.html").stat().st_mode & 0o777
    assert mode & 0o044 == 0o044  # readable by everyone the umask allows (0644 under 022)
    for path in (
        second.name_dir / "index.html",
        second.name_dir / "latest.html",
        second.name_dir / "runs.json",
        second.folder / "topics.npz",
        second.folder / "drift.json",
        second.folder / "summary.json",
    ):
        assert path.stat().st_mode & 0o777 == mode, path


# ------------------------------------------------- regressions: a bad file never blocks later runs


def test_a_truncated_latest_topics_file_falls_back_to_the_run_before(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus)
    first = run_once(config)
    second = run_once(config)
    npz = second.folder / "topics.npz"
    npz.write_bytes(npz.read_bytes()[:100])
    third = run_once(config)
    drift = json.loads((third.folder / "drift.json").read_text(encoding="utf-8"))
    assert drift["previous_run"] == first.run_id
    log = (third.folder / "run.log").read_text(encoding="utf-8")
    assert f"run {second.run_id}: topics.npz is unreadable" in log
    assert (first.name_dir / "latest.html").read_text().count(third.run_id) >= 1


def test_a_run_with_unreadable_summary_and_manifest_does_not_block_later_runs(
    tmp_path: Path,
) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus, keep_runs=2)
    first = run_once(config)
    second = run_once(config)
    for name in ("summary.json", "manifest.json"):
        (second.folder / name).write_bytes(b"\xff\xfe garbage {")
    third = run_once(config)
    index = json.loads((first.name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [(r["run_id"], r["status"]) for r in index["runs"]] == [
        (second.run_id, "failed"),
        (third.run_id, "ok"),
    ]
    assert index["latest"] == third.run_id
    assert third.removed == (first.run_id,)
    fourth = run_once(config)
    assert fourth.removed == (second.run_id,) and not second.folder.exists()


def test_a_stray_folder_in_runs_does_not_block_later_runs(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus)
    first = run_once(config)
    notes = first.name_dir / "runs" / "notes"
    notes.mkdir()
    (notes / "todo.md").write_text("x", encoding="utf-8")
    second = run_once(config)
    drift = json.loads((second.folder / "drift.json").read_text(encoding="utf-8"))
    assert drift["previous_run"] == first.run_id
    assert (notes / "todo.md").read_text(encoding="utf-8") == "x"
    assert second.run_id in (first.name_dir / "latest.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content",
    [{"run_id": "x"}, {"run_id": "x", "status": "ok", "counts": 5, "models": [1]}, [1, 2]],
)
def test_a_summary_of_the_wrong_shape_does_not_block_later_runs(
    tmp_path: Path, content: object
) -> None:
    corpus = _corpus(tmp_path / "corpus")
    config = _config(tmp_path, corpus)
    first = run_once(config)
    for name in ("summary.json", "manifest.json"):
        (first.folder / name).write_text(json.dumps(content), encoding="utf-8")
    second = run_once(config)
    index = json.loads((first.name_dir / "runs.json").read_text(encoding="utf-8"))
    assert [r["run_id"] for r in index["runs"]] == [first.run_id, second.run_id]
    assert index["latest"] == second.run_id
    assert f'data-run="{first.run_id}"' in (first.name_dir / "index.html").read_text()
