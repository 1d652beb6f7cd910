"""The whole pipeline on a two-worker LocalCluster against the one-machine run.

Covers the hooks in ``topics.pipeline`` / ``topics.cli`` / ``topics.runs.config``:
``RunSettings.dask``, ``--dask``, the ``dask`` config key, ``manifest.json``'s executor.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import run_main
from topics.executor import NPMI_TOLERANCE, TOPIC_COSINE_MIN, matched_cosines
from topics.executor.cluster import DaskExecutor
from topics.models.lda import LdaSettings
from topics.pipeline import RunResult, RunSettings, run_pipeline
from topics.runs.config import parse_config

pytestmark = pytest.mark.slow  # a cluster and five pipeline runs

SETTINGS = RunSettings(seed=4, n_topics=6, models=("lda",), lda=LdaSettings(passes=10))


@pytest.fixture(scope="module")
def local_run(planted_folder: Path) -> RunResult:
    return run_pipeline(planted_folder, SETTINGS)


@pytest.fixture(scope="module")
def cluster_runs(planted_folder: Path, dask_cluster: DaskExecutor) -> tuple[RunResult, RunResult]:
    # Pointed at a running scheduler by its address, as a user points at a cluster.
    settings = replace(SETTINGS, dask=dask_cluster.client.scheduler.address)
    return run_pipeline(planted_folder, settings), run_pipeline(planted_folder, settings)


def test_the_cluster_run_models_the_same_documents_and_words(
    local_run: RunResult, cluster_runs: tuple[RunResult, RunResult]
) -> None:
    run = cluster_runs[0]
    assert run.pre.doc_index == local_run.pre.doc_index
    assert run.pre.tokens == local_run.pre.tokens
    assert run.pre.vocab == local_run.pre.vocab
    assert run.pre.surface_forms == local_run.pre.surface_forms


def test_the_cluster_run_topics_and_scores_are_within_tolerance(
    local_run: RunResult, cluster_runs: tuple[RunResult, RunResult]
) -> None:
    local, remote = local_run.models["lda"], cluster_runs[0].models["lda"]
    assert min(matched_cosines(local.topic_term, remote.topic_term)) >= TOPIC_COSINE_MIN
    npmi = [r.scores["lda"].metrics["npmi"] for r in (local_run, cluster_runs[0])]
    assert abs(npmi[0] - npmi[1]) <= NPMI_TOLERANCE


def test_the_same_seed_gives_the_same_result_twice_on_the_cluster(
    cluster_runs: tuple[RunResult, RunResult],
) -> None:
    first, second = (run.models["lda"] for run in cluster_runs)
    assert (first.topic_term == second.topic_term).all()
    assert (first.doc_topic == second.doc_topic).all()
    assert first.topic_words == second.topic_words


def test_the_run_records_its_executor_but_not_the_address(
    local_run: RunResult, cluster_runs: tuple[RunResult, RunResult]
) -> None:
    assert local_run.executor == {"kind": "local", "workers": 1}
    assert cluster_runs[0].executor == {"kind": "dask", "workers": 2}
    assert "executor" in cluster_runs[0].stage_seconds
    # The address is not part of the result's settings (nor of the fits' cache key).
    assert cluster_runs[0].settings.as_dict() == local_run.settings.as_dict()


def test_the_dask_config_key_reaches_the_settings(tmp_path: Path) -> None:
    config = parse_config(
        {"name": "news", "output": "out", "input": ".", "dask": "tcp://10.0.0.5:8786"},
        base=tmp_path,
    )
    assert config.settings.dask == "tcp://10.0.0.5:8786"


def test_report_with_dask_local_end_to_end(planted_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    ran = run_main(
        "report", str(planted_folder), "-o", str(out), "-q",
        "--dask", "local", "--n-topics", "6", "--seed", "4",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    folder = Path(ran.stdout.strip().splitlines()[-1]).parent
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["executor"]["kind"] == "dask"
    assert manifest["executor"]["workers"] >= 1
    assert "dask" not in manifest["settings"]
    assert manifest["counts"]["n_documents"] == 240
    topics = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
    # Both models: LDA's E-steps, LSA's projection and c-TF-IDF's class sums on workers.
    assert {name: len(m["topics"]) for name, m in topics["models"].items()} == {
        "lda": 6,
        "clusters": 6,
    }


def test_report_with_a_bad_address_is_one_line_exit_2(planted_folder: Path, tmp_path: Path) -> None:
    ran = run_main("report", str(planted_folder), "-o", str(tmp_path), "--dask", "nowhere")
    assert ran.returncode == 2
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1 and "scheduler address" in lines[0], ran.stderr
    assert "Traceback" not in ran.stderr
