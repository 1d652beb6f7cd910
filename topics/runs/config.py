"""Scheduled-run configuration: a TOML file -> a frozen ``RunConfig``, every problem at once.

Config keys are the ``topics report`` flag names with ``_`` for ``-`` (``--min-df`` is
``min_df``, ``--no-phrases`` is ``no_phrases``), grouped in tables like the flags in
``topics report --help``. Relative paths are relative to the config file's folder.
"""

from __future__ import annotations

import difflib
import os
import reprlib
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from topics.errors import SettingsError, printable
from topics.ingest.inputs import InputSpec
from topics.pipeline import MODELS, RunSettings

#: Where a key lives (None: top level), the types TOML may give it, and its default.
#: Defaults equal ``topics report``'s flag defaults (a test holds them together).
OPTIONS: dict[str, tuple[str | None, tuple[type, ...], Any]] = {
    "seed": (None, (int,), 0),
    "models": (None, (list, str), ["lda", "clusters"]),
    "n_topics": (None, (int, str), "auto"),
    "stability": (None, (bool,), False),
    "dask": (None, (str,), None),
    "text_column": ("input", (str,), None),
    "date_column": ("input", (str,), None),
    "max_file_mb": ("input", (int, float), 10.0),
    "keep_duplicates": ("input", (bool,), False),
    "language": ("preprocessing", (str,), "auto"),
    "min_df": ("preprocessing", (int,), None),
    "max_df": ("preprocessing", (int, float), 0.5),
    "no_phrases": ("preprocessing", (bool,), False),
    "no_lemmatize": ("preprocessing", (bool,), False),
    "passes": ("lda", (int,), 20),
    "auto_budget": ("lda", (int, float), 120.0),
    "clustering": ("clusters", (str,), "auto"),
    "assign_outliers": ("clusters", (bool,), False),
    "min_cluster_size": ("clusters", (int,), None),
    "embedder": ("clusters", (str,), "auto"),
    "embedder_model": ("clusters", (str,), None),
}

#: Keys of the run itself (top level) and of the ``[input]`` table besides ingest flags.
RUN_KEYS: dict[str, tuple[type, ...]] = {
    "name": (str,),
    "output": (str,),
    "keep_runs": (int,),
    "drift_threshold": (int, float),
    "input": (str, list, dict),
    "names": (dict,),
}
INPUT_KEYS: dict[str, tuple[type, ...]] = {
    "paths": (str, list),
    "include": (list,),
    "exclude": (list,),
}
TABLES = ("input", "preprocessing", "lda", "clusters")

#: NumPy and gensim seeds must be below 2**32, and stability refits with ``seed + 1``.
MAX_SEED = 2**32 - 2

DEFAULT_KEEP_RUNS = 30
DEFAULT_DRIFT_THRESHOLD = 0.5

_TYPE_NAMES = {
    int: "an integer",
    float: "a number",
    str: "a string",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}
# Names people reach for that mean something else here.
_HINTS = {
    "phrases": "no_phrases = true turns phrases off",
    "lemmatize": "no_lemmatize = true turns lemmatizing off",
    "auto_budget_s": "the key is auto_budget (seconds)",
    "num_topics": "the key is n_topics",
    "k": "the key is n_topics",
    "folders": "put folders under input.paths",
    "out": "the key is output",
}


class ConfigError(SettingsError):
    """A config file with one or more problems; the message lists all of them."""

    multiline = True

    def __init__(self, source: str, problems: list[str]) -> None:
        # Keys and values come from the file: a newline or escape sequence in one must not
        # fake an output line or retitle the terminal.
        self.problems = [printable(p) for p in problems]
        n = len(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{printable(source)}: {n} problem{'s' if n != 1 else ''}:\n{lines}")


@dataclass(frozen=True)
class RunConfig:
    """One scheduled run: what to read, how to model it, where to publish, what to keep.

    Parameters
    ----------
    name
        Name of the corpus; its runs live under ``output/<name>/``.
    output
        The reports root folder.
    input
        Folders or globs to read.
    settings
        Pipeline settings (the ``topics report`` flags).
    keep_runs
        Successful and failed runs kept (oldest removed first; the latest successful run
        is never removed). None keeps every run.
    drift_threshold
        Cosine similarity at or above which a topic persists from the previous run.
    source
        The config file, when loaded from one.
    """

    name: str
    output: Path
    input: InputSpec
    settings: RunSettings = field(default_factory=RunSettings)
    keep_runs: int | None = DEFAULT_KEEP_RUNS
    drift_threshold: float = DEFAULT_DRIFT_THRESHOLD
    source: Path | None = None
    #: ``[names.<model>]``: topic id of the latest run -> a user-given name (see
    #: ``topics.runs.drift.align_models``).
    names: dict[str, dict[int, str]] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """Every problem with this config (empty when it is usable)."""
        out = []
        if not self.name.strip():
            out.append("name: must not be empty")
        if self.keep_runs is not None and self.keep_runs < 1:
            out.append(f"keep_runs: must be an integer >= 1, got {self.keep_runs}")
        if not 0 < self.drift_threshold <= 1:
            out.append(f"drift_threshold: must be in (0, 1], got {self.drift_threshold}")
        if self.output.exists() and not self.output.is_dir():
            out.append(f"output: {str(self.output)!r} is a file, not a folder")
        out += self.input.problems()
        out += settings_problems(self.settings)
        return out

    def validate(self) -> None:
        """Raise ``ConfigError`` listing every problem at once."""
        problems = self.problems()
        if problems:
            raise ConfigError(str(self.source or "config"), problems)


def build_settings(options: Mapping[str, Any]) -> RunSettings:
    """Pipeline settings from flag-named options (``topics report`` flags or config keys).

    Missing options take the flag defaults. Values are not validated here; call
    ``settings_problems`` (or ``RunSettings.validate``).
    """
    from topics.ingest import IngestSettings
    from topics.models.clusters import ClusterSettings
    from topics.models.embed import EmbedSettings
    from topics.models.lda import LdaSettings
    from topics.preprocess.tokens import PreprocessSettings

    opt = {key: options.get(key, default) for key, (_, _, default) in OPTIONS.items()}
    models = opt["models"]
    if isinstance(models, str):
        models = [m.strip() for m in models.split(",") if m.strip()]
    seed = opt["seed"]
    return RunSettings(
        seed=seed,
        models=tuple(models),
        stability=opt["stability"],
        dask=opt["dask"],
        ingest=IngestSettings(
            text_column=opt["text_column"],
            date_column=opt["date_column"],
            max_file_mb=float(opt["max_file_mb"]),
            keep_duplicates=opt["keep_duplicates"],
        ),
        preprocess=PreprocessSettings(
            language=opt["language"],
            min_df=opt["min_df"] if opt["min_df"] is not None else "auto",
            max_df=float(opt["max_df"]),
            phrases=not opt["no_phrases"],
            lemmatize=not opt["no_lemmatize"],
        ),
        lda=LdaSettings(
            n_topics=opt["n_topics"],
            seed=seed,
            passes=opt["passes"],
            auto_budget_s=float(opt["auto_budget"]),
        ),
        clusters=ClusterSettings(
            n_topics=opt["n_topics"],
            seed=seed,
            clustering=opt["clustering"],
            assign_outliers=opt["assign_outliers"],
            min_cluster_size=opt["min_cluster_size"],
        ),
        embed=EmbedSettings(method=opt["embedder"], model=opt["embedder_model"], seed=seed),
    )


def settings_problems(settings: RunSettings, *, flags: bool = False) -> list[str]:
    """Every invalid setting, from each stage's own validation.

    Each problem names the config key (``preprocessing.max_df``), or with ``flags`` the
    setting as the command line's messages do (``max_df``).
    """
    problems = []
    if not isinstance(settings.seed, int) or not 0 <= settings.seed <= MAX_SEED:
        problems.append(
            _named(f"seed must be an integer from 0 to {MAX_SEED}, got {settings.seed!r}", flags)
        )
    unknown = [m for m in settings.models if m not in MODELS]
    if unknown or not settings.models:
        problems.append(
            f"{'--models' if flags else 'models'}: must be one or more of "
            f"{', '.join(MODELS)}, got {list(settings.models)}"
        )
    for part in (
        settings.ingest,
        settings.preprocess,
        settings.lda,
        settings.clusters,
        settings.embed,
    ):
        try:
            part.validate()
        except SettingsError as exc:
            problems += [_named(p.strip(), flags) for p in str(exc).split("; ")]
    # Shared flags are validated twice (LDA and clusters); say each once.
    return list(dict.fromkeys(problems))


def _named(problem: str, flags: bool) -> str:
    """``max_df must be ...`` -> ``preprocessing.max_df: must be ...`` (unless ``flags``)."""
    field_name, _, rest = problem.partition(" ")
    if flags or field_name not in OPTIONS or not rest:
        return problem
    table = OPTIONS[field_name][0]
    return f"{table + '.' if table else ''}{field_name}: {rest}"


#: A config file is a page of settings; anything larger is not one (``/dev/zero``).
MAX_CONFIG_BYTES = 1024 * 1024


def load_config(path: Path | str) -> RunConfig:
    """Read and validate a config file; ``ConfigError`` lists every problem at once."""
    path = Path(path)
    source = str(path)
    try:
        text = _read_config(path).decode("utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(source, ["the config file does not exist"]) from None
    except IsADirectoryError:
        raise ConfigError(source, ["is a folder; name a .toml config file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(source, [f"cannot be read ({exc})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [f"is not valid TOML: {exc}"]) from None
    except RecursionError:
        raise ConfigError(source, ["is nested too deeply to read; flatten its values"]) from None
    return parse_config(raw, base=path.resolve().parent, source=path)


def _read_config(path: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_CONFIG_BYTES``.

    A FIFO would block the read forever and a device (``/dev/zero``) never ends: both are
    refused before reading, without blocking (``O_NONBLOCK``).
    """
    if path.is_dir():
        raise IsADirectoryError(path)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ConfigError(
                str(path), ["is not a regular file (a pipe or device); name a .toml config file"]
            )
        data = os.read(fd, MAX_CONFIG_BYTES + 1)
        chunks = [data]
        while data and sum(map(len, chunks)) <= MAX_CONFIG_BYTES:
            data = os.read(fd, MAX_CONFIG_BYTES + 1)
            chunks.append(data)
    finally:
        os.close(fd)
    out = b"".join(chunks)
    if len(out) > MAX_CONFIG_BYTES:
        raise ConfigError(
            str(path), [f"is larger than {MAX_CONFIG_BYTES // 1024} KB; name a .toml config file"]
        )
    return out


def parse_config(raw: Mapping[str, Any], *, base: Path, source: Path | None = None) -> RunConfig:
    """A ``RunConfig`` from parsed TOML; relative paths are resolved against ``base``."""
    problems: list[str] = []
    flat: dict[str, Any] = {}
    top_allowed = set(RUN_KEYS) | {k for k, (t, _, _) in OPTIONS.items() if t is None} | set(TABLES)

    def check(where: str, key: str, value: Any, types: tuple[type, ...]) -> bool:
        # TOML booleans are ints in Python; never let true pass as a number.
        ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not ok:
            wanted = " or ".join(_TYPE_NAMES[t] for t in types)
            problems.append(f"{where}{key}: must be {wanted}, got {_show(value)}")
        return ok

    def unknown(where: str, key: str, allowed: set[str]) -> None:
        normal = key.replace("-", "_")
        hint = _HINTS.get(normal)
        if hint is None and normal in OPTIONS:
            home = OPTIONS[normal][0]
            place = "at the top level" if home is None else f"in [{home}]"
            hint = f"write {normal} {place}"
        if hint is None:
            close = difflib.get_close_matches(normal, sorted(allowed), n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
        allowed_text = "" if hint else f" (allowed: {', '.join(sorted(allowed))})"
        problems.append(f"{where}{key}: unknown key{'; ' + hint if hint else ''}{allowed_text}")

    for key, value in raw.items():
        if key not in top_allowed:
            unknown("", key, top_allowed)
        elif key in RUN_KEYS:
            check("", key, value, RUN_KEYS[key])
        elif key in TABLES:
            continue
        elif check("", key, value, OPTIONS[key][1]):
            flat[key] = value

    input_table: dict[str, Any] = {}
    raw_input = raw.get("input")
    if isinstance(raw_input, str | list):
        input_table = {"paths": raw_input}
    elif isinstance(raw_input, dict):
        input_table = dict(raw_input)
    for table in TABLES:
        section = input_table if table == "input" else raw.get(table, {})
        if not isinstance(section, dict):
            if table != "input":
                problems.append(f"[{table}]: must be a table, got {_show(section)}")
            continue
        allowed = {k for k, (t, _, _) in OPTIONS.items() if t == table}
        if table == "input":
            allowed |= set(INPUT_KEYS)
        for key, value in section.items():
            where = f"{table}."
            if key not in allowed:
                unknown(where, key, allowed)
            elif key in INPUT_KEYS and table == "input":
                check(where, key, value, INPUT_KEYS[key])
            elif check(where, key, value, OPTIONS[key][1]):
                flat[key] = value

    name = raw.get("name")
    if name is None:
        problems.append('name: missing; name the corpus, e.g. name = "news"')
    if raw_input is None or (isinstance(raw_input, dict) and "paths" not in raw_input):
        problems.append('input.paths: missing; e.g. input = ["path/to/folder"]')

    paths = _strings(input_table.get("paths", []), "input.paths", problems)
    include = _strings(input_table.get("include", []), "input.include", problems)
    exclude = _strings(input_table.get("exclude", []), "input.exclude", problems)
    for key in ("models",):
        if isinstance(flat.get(key), list):
            _strings(flat[key], key, problems)
    n_topics = flat.get("n_topics")
    if isinstance(n_topics, str) and n_topics != "auto":
        problems.append(f'n_topics: must be an integer >= 1 or "auto", got {n_topics!r}')
        flat.pop("n_topics")

    names = _names(raw.get("names", {}), problems)
    output = raw.get("output", "reports")
    keep_runs = raw.get("keep_runs", DEFAULT_KEEP_RUNS)
    threshold = raw.get("drift_threshold", DEFAULT_DRIFT_THRESHOLD)
    config = RunConfig(
        name=name if isinstance(name, str) else "",
        output=_resolve(output if isinstance(output, str) else "reports", base),
        input=InputSpec(
            paths=tuple(str(_resolve(p, base)) for p in paths),
            include=tuple(include),
            exclude=tuple(exclude),
        ),
        settings=build_settings(flat),
        keep_runs=keep_runs
        if isinstance(keep_runs, int) and not isinstance(keep_runs, bool)
        else 1,
        drift_threshold=float(threshold)
        if isinstance(threshold, int | float) and not isinstance(threshold, bool)
        else DEFAULT_DRIFT_THRESHOLD,
        source=source,
        names=names,
    )
    problems += [p for p in config.problems() if isinstance(name, str) or not p.startswith("name:")]
    if problems:
        raise ConfigError(str(source or "config"), list(dict.fromkeys(problems)))
    return config


#: Longest user-given topic name.
MAX_NAME_CHARS = 60


def _names(value: Any, problems: list[str]) -> dict[str, dict[int, str]]:
    """``[names.lda]`` ``3 = "Elections"`` -> {"lda": {3: "Elections"}}; problems appended."""
    out: dict[str, dict[int, str]] = {}
    if not isinstance(value, dict):
        return out
    for model, table in value.items():
        if model not in MODELS:
            problems.append(f"names.{model}: unknown model; use [names.lda] or [names.clusters]")
            continue
        if not isinstance(table, dict):
            problems.append(
                f'names.{model}: must be a table of topic id = "name", got {_show(table)}'
            )
            continue
        for key, name in table.items():
            where = f"names.{model}.{key}"
            if not key.isdigit():
                problems.append(f"{where}: keys are topic ids of the latest run (0, 1, ...)")
            elif not isinstance(name, str) or not name.strip():
                problems.append(f"{where}: must be a non-empty string, got {_show(name)}")
            elif len(name) > MAX_NAME_CHARS:
                problems.append(f"{where}: at most {MAX_NAME_CHARS} characters, got {len(name)}")
            else:
                out.setdefault(model, {})[int(key)] = " ".join(name.split())
    return out


def _strings(value: Any, where: str, problems: list[str]) -> list[str]:
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    bad = [v for v in items if not isinstance(v, str) or not v.strip()]
    if bad:
        problems.append(f"{where}: every entry must be a non-empty string, got {_show(bad[0])}")
    return [v for v in items if isinstance(v, str) and v.strip()]


def _resolve(value: str, base: Path) -> Path:
    path = Path(value).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else base / path))


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 3, 60, 60, 5, 5


def _show(value: Any) -> str:
    kind = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
        type(value), type(value).__name__
    )
    # reprlib: a huge or deeply nested value is shown short, never recursed into.
    shown = _REPR.repr(value) if isinstance(value, list | dict) else repr(value)
    return f"{shown if len(shown) <= 80 else shown[:77] + '...'} ({kind})"
