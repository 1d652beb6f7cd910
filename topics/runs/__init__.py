"""Scheduled runs: a TOML config, one run at a time per name, a cache, history and drift.

``topics run CONFIG`` = ``load_config`` + ``run_once``; ``topics report PATH`` is the same
run built from flags. See the README's "Scheduled runs" section for the layout.
"""

from __future__ import annotations

from topics.runs.config import ConfigError, InputSpec, RunConfig, load_config
from topics.runs.lock import EXIT_LOCKED, LockedError
from topics.runs.run import RunFailed, RunOutcome, run_once

__all__ = [
    "EXIT_LOCKED",
    "ConfigError",
    "InputSpec",
    "LockedError",
    "RunConfig",
    "RunFailed",
    "RunOutcome",
    "load_config",
    "run_once",
]
