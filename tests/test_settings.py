"""The settings schema: one declaration per option, the same rules for flags and TOML."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SampleReport, run_main
from topics.cli import _settings, build_parser
from topics.errors import SettingsError
from topics.models.lda import LdaSettings
from topics.pipeline import RunSettings
from topics.runs.config import ConfigError, load_config
from topics.settings import (
    OPTIONS,
    Option,
    effective,
    from_flags,
    from_mapping,
    markdown_table,
    problems,
    values_of,
)

#: A valid value other than the default for every option (a new option must add one).
EXAMPLES: dict[str, Any] = {
    "n_topics": 4,
    "seed": 5,
    "stability": True,
    "models": ["lda"],
    "dask": "tcp://127.0.0.1:8786",
    "text_column": "body",
    "date_column": "when",
    "max_file_mb": 2.5,
    "keep_duplicates": True,
    "language": "de",
    "min_df": 3,
    "max_df": 0.75,
    "no_phrases": True,
    "no_lemmatize": True,
    "passes": 7,
    "auto_budget": 30.0,
    "clustering": "hdbscan",
    "assign_outliers": True,
    "min_cluster_size": 4,
    "embedder": "sentence-transformers",
    "embedder_model": "/models/minilm",
}


def _argv(values: dict[str, Any]) -> list[str]:
    argv = ["report", "corpus"]
    for name, value in values.items():
        opt = next(o for o in OPTIONS if o.name == name)
        if opt.kind == "bool":
            argv += [opt.flag] if value else []
        else:
            argv += [opt.flag, ",".join(value) if isinstance(value, list) else str(value)]
    return argv


def _toml(values: dict[str, Any]) -> str:
    tables: dict[str | None, list[str]] = {}
    for name, value in values.items():
        opt = next(o for o in OPTIONS if o.name == name)
        tables.setdefault(opt.table, []).append(f"{name} = {json.dumps(value)}")
    # TOML booleans are lower case; json.dumps already writes true/false.
    text = 'name = "n"\n' + "\n".join(tables.pop(None, [])) + "\n"
    text += '[input]\npaths = ["docs"]\n' + "\n".join(tables.pop("input", [])) + "\n"
    for table, lines in tables.items():
        text += f"[{table}]\n" + "\n".join(lines) + "\n"
    return text


def _config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "docs").mkdir(exist_ok=True)
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _from_cli(argv: list[str]) -> RunSettings:
    return _settings(build_parser().parse_args(argv))


def test_every_option_has_an_example_and_one_name_for_flag_key_and_field() -> None:
    assert [o.name for o in OPTIONS] == list(EXAMPLES)
    assert len({o.name for o in OPTIONS}) == len(OPTIONS)
    for opt in OPTIONS:
        assert opt.flag == "--" + opt.name.replace("_", "-")
        # The field differs from the key only where declared (negated or renamed), in
        # exactly one place: the option's own record.
        assert opt.attr == opt.name or opt.field, opt.name
    renamed = {o.name: o.attr for o in OPTIONS if o.attr != o.name}
    assert renamed == {
        "no_phrases": "phrases",
        "no_lemmatize": "lemmatize",
        "embedder": "method",
        "embedder_model": "model",
    }


def test_report_flags_are_exactly_the_options_plus_the_run_flags() -> None:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    report = sub.choices["report"]
    flags = {s for a in report._actions for s in a.option_strings if s.startswith("--")}
    run_flags = {"--help", "--output", "--name", "--open", "--quiet", "--verbose"}
    assert flags == {o.flag for o in OPTIONS} | run_flags


def test_defaults_are_the_dataclass_defaults_for_flags_keys_and_the_api(tmp_path: Path) -> None:
    assert values_of(RunSettings()) == {
        o.name: list(o.default) if o.kind == "models" else o.default for o in OPTIONS
    }
    assert from_mapping({}) == RunSettings()
    assert _from_cli(["report", "corpus"]) == RunSettings()
    assert load_config(_config(tmp_path, 'name = "n"\ninput = "docs"\n')).settings == RunSettings()


def test_flags_and_config_keys_give_identical_settings(tmp_path: Path) -> None:
    from_cli = _from_cli(_argv(EXAMPLES))
    from_toml = load_config(_config(tmp_path, _toml(EXAMPLES))).settings
    assert from_cli == from_toml == from_mapping(EXAMPLES)
    # Every example reached its field: nothing is left at its default.
    assert values_of(from_cli) == EXAMPLES
    assert from_cli.preprocess.phrases is False and from_cli.preprocess.lemmatize is False
    assert from_cli.embed.method == "sentence-transformers"
    assert from_cli.embed.model == "/models/minilm"
    assert from_cli.lda.auto_budget == 30.0


def test_models_as_a_comma_separated_string_in_a_config(tmp_path: Path) -> None:
    text = 'name = "n"\ninput = "docs"\nmodels = "clusters, lda"\n'
    assert load_config(_config(tmp_path, text)).settings.models == ("clusters", "lda")


BAD = {"n_topics": 0, "max_df": 3, "passes": 0, "clustering": "dbscan", "seed": -1}


def test_every_flag_problem_is_reported_at_once_on_one_line() -> None:
    proc = run_main(*_argv(BAD), "--passes", "many")
    assert proc.returncode == 2
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("topics: error:")
    for expected in (
        "--n-topics: must be at least 1, got 0",
        "--max-df: must be in (0, 1], got 3.0",
        "--passes: must be an integer or \"auto\", got 'many'",
        "--clustering: must be one of 'auto', 'kmeans', 'hdbscan', got 'dbscan'",
        "--seed: must be an integer from 0 to 4294967294, got -1",
    ):
        assert expected in line


def test_every_key_problem_is_reported_at_once_by_key(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(_config(tmp_path, _toml(BAD)))
    assert sorted(info.value.problems) == sorted(
        [
            "n_topics: must be at least 1, got 0 (integer)",
            "preprocessing.max_df: must be in (0, 1], got 3 (integer)",
            "lda.passes: must be at least 1, got 0 (integer)",
            "clusters.clustering: must be one of 'auto', 'kmeans', 'hdbscan', "
            "got 'dbscan' (string)",
            "seed: must be an integer from 0 to 4294967294, got -1 (integer)",
        ]
    )


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("max_df", True, "must be a number, got True"),
        ("passes", 2.0, 'must be an integer or "auto", got 2.0'),
        ("n_topics", "5", "must be an integer or \"auto\", got '5'"),
        ("max_file_mb", float("inf"), "must be in (0, 1000000000), got inf"),
        ("language", "xx", "must be 'auto' or one of en, "),
        ("models", ["lda", "nmf"], "must be one or more of lda, clusters"),
    ],
)
def test_one_rule_per_option_whoever_gives_the_value(key: str, value: Any, expected: str) -> None:
    """The same check for a config value, a flag's value and a library caller's field."""
    (as_key,) = problems({key: value}, "config")
    (as_flag,) = problems({key: value}, "flag")
    assert expected in as_key and expected in as_flag
    assert as_flag.startswith(f"--{key.replace('_', '-')}: ")


def test_a_library_caller_gets_the_rule_the_flag_has() -> None:
    with pytest.raises(SettingsError, match=r"^passes: must be at least 1, got 0$"):
        LdaSettings(passes=0).validate()
    _, found = from_flags(build_parser().parse_args(["report", "x", "--passes", "0"]))
    assert found == ["--passes: must be at least 1, got 0"]
    with pytest.raises(SettingsError, match="seed: must be an integer from 0 to"):
        RunSettings(seed=-3).validate()


def test_options_that_need_each_other_are_checked_together(tmp_path: Path) -> None:
    found = problems({"clustering": "kmeans"}, "flag")
    assert found == [
        "--clustering: 'kmeans' needs a number of topics: set --n-topics to an integer, "
        "or use 'hdbscan' to let density decide"
    ]
    assert problems({"clustering": "kmeans", "n_topics": 5}, "flag") == []
    with pytest.raises(ConfigError, match=r"embedder_model: the sentence-transformers"):
        load_config(_config(tmp_path, _toml({"embedder": "sentence-transformers"})))


def test_deprecated_auto_budget_is_accepted_and_changes_no_fit() -> None:
    settings = _from_cli(["report", "x", "--auto-budget", "5"])
    assert settings.lda.auto_budget == 5.0
    assert next(o for o in OPTIONS if o.name == "auto_budget").deprecated


def test_effective_settings_record_one_seed_and_count_in_every_stage() -> None:
    data = effective(from_mapping({"seed": 5, "n_topics": 4}))
    assert data["seed"] == data["lda"]["seed"] == data["clusters"]["seed"] == 5
    assert data["embed"]["seed"] == 5
    assert data["n_topics"] == data["lda"]["n_topics"] == data["clusters"]["n_topics"] == 4
    assert data["options"]["seed"] == 5 and data["embed"]["method"] == "auto"
    # The manifest's field name before the schema stays.
    assert data["lda"]["auto_budget_s"] == data["lda"]["auto_budget"] == 120.0
    assert json.dumps(data)


def test_manifest_records_the_seed_the_run_used(
    write_files: Callable[[dict[str, str | bytes]], Path], tmp_path: Path
) -> None:
    """Regression: a run with --seed 5 recorded lda.seed = 0 in manifest.json."""
    words = [["oven", "flour", "butter", "dough"], ["goal", "match", "league", "striker"]]
    files: dict[str, str | bytes] = {
        f"d{i}.txt": " ".join(words[i % 2] * 6) + f" note{i}" for i in range(12)
    }
    root = write_files(files)
    proc = run_main(
        "report", str(root), "-o", str(tmp_path / "out"), "-q",
        "--seed", "5", "--models", "lda", "--n-topics", "2", "--passes", "2",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    folder = Path(proc.stdout.strip().splitlines()[-1]).parent
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    settings = manifest["settings"]
    assert manifest["seed"] == settings["seed"] == 5
    assert settings["lda"]["seed"] == settings["clusters"]["seed"] == settings["embed"]["seed"] == 5
    topics = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
    assert topics["models"]["lda"]["settings"]["seed"] == 5


def test_both_models_report_the_seed_and_count_of_the_sample_run(
    sample_report: SampleReport,
) -> None:
    # The session's sample report ran with --seed 3 --n-topics 7.
    settings: Any = sample_report.manifest["settings"]
    assert {settings[s]["seed"] for s in ("lda", "clusters", "embed")} == {3}
    models: Any = sample_report.topics["models"]
    assert {m["settings"]["seed"] for m in models.values()} == {3}
    assert {m["settings"]["n_topics"] for m in models.values()} == {7}


def test_readme_key_table_is_the_generated_one() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = "<!-- settings table: generated by topics.settings.markdown_table() -->\n"
    table = readme.split(start, 1)[1].split("<!-- end of settings table -->", 1)[0]
    assert table == markdown_table(), "run: python -c 'from topics.settings import ...'"


def test_markdown_table_escapes_a_pipe_in_help() -> None:
    opt = Option("x_y", "string", None, "a | b")
    assert "a \\| b" in markdown_table([opt])
