"""Config files: every key documented and checked, every problem reported at once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import REPO, run_main
from topics.runs.config import ConfigError, load_config
from topics.settings import OPTIONS


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "docs").mkdir(exist_ok=True)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid_and_matches_the_flags() -> None:
    config = load_config(REPO / "examples" / "nightly.toml")
    assert config.name == "sample-nightly"
    assert config.keep_runs == 14
    assert config.input.paths == (str(REPO / "sample_data"),)
    assert config.settings.n_topics == 7
    assert config.settings.models == ("lda", "clusters")


def test_every_config_key_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Scheduled runs", 1)[1]
    keys = {o.name for o in OPTIONS} | {"name", "output", "keep_runs", "drift_threshold", "input"}
    keys |= {"paths", "include", "exclude"}
    missing = [k for k in sorted(keys) if f"`{k}`" not in section]
    assert not missing


def test_minimal_config(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, 'name = "n"\ninput = "docs"\n'))
    assert config.output == tmp_path / "reports"
    assert config.input.paths == (str(tmp_path / "docs"),)
    assert config.keep_runs == 30
    assert config.settings.n_topics == "auto"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
name = "n"
keep_runs = "ten"
n-topics = 5
colour = "blue"
[input]
paths = ["docs", "missing", "docs/*.nope"]
include = "*.txt"
[preprocessing]
max_df = 3
no_phrases = "yes"
[lda]
passes = 1.5
""",
    )
    with pytest.raises(ConfigError) as info:
        load_config(path)
    problems = info.value.problems
    expected = [
        r"^keep_runs: must be an integer, got 'ten'",
        r"^n-topics: unknown key; write n_topics at the top level",
        r"^colour: unknown key",
        r"^input\.include: must be a list",
        r"^preprocessing\.no_phrases: must be true or false",
        r"^lda\.passes: must be an integer or \"auto\", got 1\.5",
        r"^input\.paths: folder '.*missing' does not exist",
        r"^input\.paths: glob '.*\*\.nope' matches nothing",
        r"^preprocessing\.max_df: must be in \(0, 1\]",
    ]
    for pattern in expected:
        assert any(re.search(pattern, p) for p in problems), (pattern, problems)
    assert len(problems) == len(expected)


def test_missing_required_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, "keep_runs = 0\n"))
    text = str(info.value)
    assert "name: missing" in text and "input.paths: missing" in text
    assert "keep_runs: must be an integer >= 1" in text


def test_true_is_not_a_number(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"seed: must be an integer, got True"):
        load_config(_write(tmp_path, 'name = "n"\ninput = "docs"\nseed = true\n'))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name = [", "is not valid TOML"),
        (None, "does not exist"),
    ],
)
def test_check_cli_exit_2(tmp_path: Path, text: str | None, expected: str) -> None:
    path = tmp_path / "c.toml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    proc = run_main("check", str(path))
    assert proc.returncode == 2
    assert expected in proc.stderr
    assert "Traceback" not in proc.stderr


def test_check_cli_lists_all_problems(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name = "n"\ninput = ["nope1", "nope2"]\nbogus = 1\n')
    proc = run_main("check", str(path))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith("topics: error:") and "3 problems" in lines[0]
    assert len(lines) == 4


def test_check_cli_ok() -> None:
    proc = run_main("check", str(REPO / "examples" / "nightly.toml"))
    assert proc.returncode == 0, proc.stderr
    assert "ok" in proc.stdout and "sample_data" in proc.stdout


def test_embedder_flags_reach_the_settings() -> None:
    """Regression: --embedder/--embedder-model were parsed and then dropped."""
    from topics.settings import from_mapping

    settings = from_mapping(
        {"embedder": "sentence-transformers", "embedder_model": "/models/minilm", "seed": 4}
    )
    assert settings.embed.method == "sentence-transformers"
    assert settings.embed.model == "/models/minilm"
    assert settings.seed == 4


def test_names_table_is_read_and_checked(tmp_path: Path) -> None:
    ok = _write(
        tmp_path,
        'name = "news"\ninput = ["."]\n[names.lda]\n3 = "Elections"\n'
        '[names.clusters]\n0 = "  Football   results "\n',
    )
    config = load_config(ok)
    assert config.names == {"lda": {3: "Elections"}, "clusters": {0: "Football results"}}
    bad = _write(
        tmp_path,
        'name = "news"\ninput = ["."]\n[names.lda]\nthree = "x"\n4 = ""\n[names.nmf]\n1 = "y"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(bad)
    problems = info.value.problems
    assert any(p.startswith("names.lda.three: keys are topic ids") for p in problems)
    assert any(p.startswith("names.lda.4: must be a non-empty string") for p in problems)
    assert any(p.startswith("names.nmf: unknown model") for p in problems)
