"""The command line, end to end on the sample corpus, as a user runs it.

``main(argv)`` runs in this process (``run_main``); a subprocess only where the process
is what is tested: fresh-process reproducibility, ``python -m`` against the console
script, and what importing costs.
"""

from __future__ import annotations

import csv
import json
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_DATA, SampleReport, run_cli, run_main
from topics.cli import main


def test_sample_report_topics_json(sample_report: SampleReport) -> None:
    topics = sample_report.topics
    corpus = topics["corpus"]
    assert isinstance(corpus, dict)
    assert corpus["n_documents"] >= 390
    assert corpus["n_skipped"] >= 2
    lda = topics["models"]["lda"]  # type: ignore[index]
    assert lda["n_topics"] == 7
    assert [t["id"] for t in lda["topics"]] == list(range(7))
    assert sum(t["size"] for t in lda["topics"]) == corpus["n_documents"]
    for key in ("npmi", "c_v", "diversity", "nmi", "ari", "purity"):
        assert isinstance(lda["metrics"][key], float)
    # Seven clearly different themes: the model must find them.
    assert lda["metrics"]["nmi"] > 0.6
    assert lda["metrics"]["npmi"] > 0.05


def test_sample_report_cluster_model(sample_report: SampleReport) -> None:
    clusters = sample_report.topics["models"]["clusters"]  # type: ignore[index]
    assert clusters["n_topics"] == 7
    for topic in clusters["topics"]:
        assert {"id", "words", "size"} <= set(topic)
        assert len(topic["words"]) >= 10
    for key in ("npmi", "c_v", "diversity", "outlier_share"):
        assert isinstance(clusters["metrics"][key], float)
    n_docs = sample_report.topics["corpus"]["n_documents"]  # type: ignore[index]
    outliers = round(clusters["metrics"]["outlier_share"] * n_docs)
    assert sum(t["size"] for t in clusters["topics"]) + outliers == n_docs
    assert clusters["metrics"]["nmi"] > 0.5


def test_sample_report_documents_csv(sample_report: SampleReport) -> None:
    with open(sample_report.folder / "documents.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == sample_report.topics["corpus"]["n_documents"]  # type: ignore[index]
    assert list(rows[0])[:7] == ["id", "path", "label", "date", "title", "lda_topic", "lda_weight"]
    paths = {r["path"] for r in rows}
    assert "letters.csv#row=1" in paths
    assert "articles.jsonl#line=1" in paths
    labels = {r["label"] for r in rows}
    assert {"astronomy", "cooking", "football", "gardening", "finance", "medicine"} <= labels
    dated = [r for r in rows if r["date"]]
    assert len(dated) >= 60
    assert all(len(r["date"]) == 10 for r in dated)
    assert all(0 <= int(r["lda_topic"]) < 7 and 0 < float(r["lda_weight"]) <= 1 for r in rows)
    assert {"cluster_topic", "x", "y"} <= set(rows[0])
    assert all(-1 <= int(r["cluster_topic"]) < 7 for r in rows)
    assert all(0 <= float(r["x"]) <= 1 and 0 <= float(r["y"]) <= 1 for r in rows)


def test_sample_report_lists_bad_files(sample_report: SampleReport) -> None:
    skipped = {s["path"]: s["reason"] for s in sample_report.manifest["skipped"]}  # type: ignore[attr-defined]
    assert ".png" in skipped["broken_image.png"]
    assert skipped["empty_notes.txt"] == "empty file"
    notes = {n["path"]: n["message"] for n in sample_report.manifest["notes"]}  # type: ignore[attr-defined]
    assert "Latin-1" in notes["cafe_review_latin1.txt"]
    assert sample_report.manifest["seed"] == 3
    assert sample_report.manifest["settings"]["lda"]["n_topics"] == 7  # type: ignore[index]


def test_last_stdout_line_is_the_index(sample_report: SampleReport) -> None:
    assert sample_report.index_html.name == "index.html"
    assert (sample_report.index_html.parent / "topics.json").is_file()
    latest = sample_report.index_html.parent.parent.parent / "latest.html"
    assert sample_report.index_html.parent.name in latest.read_text(encoding="utf-8")


@pytest.mark.slow
def test_same_seed_same_topics(tmp_path: Path, write_files: Callable[..., Path]) -> None:
    """A fresh process (its own hash seed, nothing compiled or cached) agrees with this one."""
    themes = ["orbit planet comet rocket galaxy", "flour butter oven sugar dough"]
    root = write_files(
        {f"t{t}/d{i}.txt": (themes[t] + " ") * 8 + f"note{i}" for t in range(2) for i in range(8)}
    )
    first = run_cli("report", str(root), "-o", str(tmp_path / "a"), "--n-topics", "2", "-q")
    second = run_main("report", str(root), "-o", str(tmp_path / "b"), "--n-topics", "2", "-q")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    one = (Path(first.stdout.strip()).parent / "documents.csv").read_text()
    two = (Path(second.stdout.strip()).parent / "documents.csv").read_text()
    assert one == two


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["report", "/no/such/folder"], "does not exist"),
        (["report", str(SAMPLE_DATA / "broken_image.png")], "not a folder or a supported file"),
        (["report", str(SAMPLE_DATA), "--n-topics", "zero"], "--n-topics"),
        (["report", str(SAMPLE_DATA), "--n-topics", "0"], "at least 1"),
        (["report", str(SAMPLE_DATA), "--max-df", "3"], "--max-df: must be in (0, 1]"),
        (["report", str(SAMPLE_DATA), "--language", "xx"], "language"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_user_mistakes_are_one_line_exit_2(args: list[str], expected: str, tmp_path: Path) -> None:
    proc = run_main(*args, "-o", str(tmp_path / "out")) if args[0] == "report" else run_main(*args)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("topics: error:")
    assert expected in lines[0]
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "sample_data").exists()


def test_empty_folder_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("   \n")
    proc = run_main("report", str(tmp_path / "in"), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "no usable documents" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_refuses_an_output_folder_it_did_not_write(tmp_path: Path) -> None:
    out = tmp_path / "my-thesis"
    out.mkdir()
    (out / "chapter1.txt").write_text("precious")
    proc = run_main("report", str(SAMPLE_DATA), "-o", str(out))
    assert proc.returncode == 2
    assert "not written by topics" in proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["chapter1.txt"]


def test_python_m_and_console_script_agree() -> None:
    import shutil
    import subprocess

    exe = shutil.which("topics")
    if exe is None:
        pytest.skip("console script not on PATH")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == run_cli("--version").stdout.strip()


@pytest.mark.parametrize(
    "argv",
    [
        ["report", str(SAMPLE_DATA), "--n-topic", "5"],
        ["report", str(SAMPLE_DATA), "--out", "elsewhere"],
        ["report", str(SAMPLE_DATA), "--stab"],
        ["--vers"],
        ["schedule", "x.toml", "--ev", "hourly"],
    ],
)
def test_abbreviated_flags_are_usage_errors(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("topics: error:")
    assert len(captured.err.strip().splitlines()) == 1
    assert captured.out == ""  # `--vers` did not print the version


def test_cli_import_version_and_usage_errors_load_no_heavy_library() -> None:
    # What `topics --version`, `--help` and a usage error cost is the import of these.
    code = """
import sys
import topics, topics.cli
for argv in (["--version"], ["--help"], ["report", "x", "--n-topic", "5"], ["report", "--help"]):
    try:
        topics.cli.main(argv)
    except SystemExit:
        pass
heavy = ("nltk", "gensim", "scipy", "sklearn", "umap", "numba", "numpy", "jinja2")
print("LOADED", sorted(m for m in heavy if m in sys.modules))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert proc.stdout.strip().splitlines()[-1] == "LOADED []"


def test_lazy_api_attributes() -> None:
    import topics
    from topics import analyze

    assert analyze is topics.api.analyze
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        topics.nope  # noqa: B018


def _letters(n_per_theme: int = 8) -> list[dict[str, str]]:
    themes = ["orbit planet comet rocket galaxy star", "flour butter oven sugar dough bake"]
    rng = random.Random(0)
    rows = []
    for i in range(n_per_theme):
        for t, theme in enumerate(themes):
            words = theme.split() * 5
            rng.shuffle(words)
            rows.append({"date": f"2025-01-{i + 1:02d}", "body": " ".join(words), "theme": str(t)})
    return rows


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".jsonl"])
def test_report_reads_a_single_file(
    suffix: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _letters()
    path = tmp_path / "in" / f"letters{suffix}"
    path.parent.mkdir()
    if suffix == ".jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    else:
        with open(path, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(
                fh, ["date", "body", "theme"], delimiter="\t" if suffix == ".tsv" else ","
            )
            writer.writeheader()
            writer.writerows(rows)
    out = tmp_path / "out"
    argv = ["report", str(path), "-o", str(out), "--n-topics", "2", "--models", "lda", "-q"]
    assert main(argv) == 0
    index = Path(capsys.readouterr().out.strip().splitlines()[-1])
    # The corpus is named after the file, without its extension.
    assert index.parent.parent.parent == out / "letters"
    with open(index.parent / "documents.csv", encoding="utf-8", newline="") as fh:
        docs = list(csv.DictReader(fh))
    assert len(docs) == len(rows)
    assert docs[0]["path"].startswith(f"letters{suffix}#")
    # Two planted themes come back as two topics.
    by_theme: dict[str, set[str]] = {}
    for doc in docs:
        row = rows[int(doc["path"].rsplit("=", 1)[1]) - 1]
        by_theme.setdefault(row["theme"], set()).add(doc["lda_topic"])
    assert all(len(found) == 1 for found in by_theme.values())
    assert by_theme["0"] != by_theme["1"]


def test_report_refuses_a_single_file_of_unknown_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04 not really")
    assert main(["report", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("topics: error:") and len(err.splitlines()) == 1
    assert "not a folder or a supported file" in err
    assert not (tmp_path / "out").exists()


def test_sigterm_inside_the_import_machinery_is_retried_not_lost() -> None:
    """Regression: SIGTERM landing in an import lock's callback raised there, Python printed
    "Exception ignored" and the run went on to exit 0."""
    import signal
    import sys
    import time

    from topics.cli import _on_sigterm_raise
    from topics.errors import Terminated

    previous_alarm = signal.getsignal(signal.SIGALRM)
    previous = _on_sigterm_raise()
    try:
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler)
        namespace: dict[str, object] = {"sys": sys}
        code = compile("frame = sys._getframe()", "<frozen importlib._bootstrap>", "exec")
        exec(code, namespace)
        handler(signal.SIGTERM, namespace["frame"])  # deferred: nothing raised here
        with pytest.raises(Terminated):
            time.sleep(2)  # the retry a moment later raises in ordinary code
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGTERM, previous or signal.SIG_DFL)
        signal.signal(signal.SIGALRM, previous_alarm or signal.SIG_DFL)
