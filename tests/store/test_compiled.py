"""The numba cache: where compiled code is kept, and UMAP's functions stored in it."""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

import numba
import pytest

from topics.store.compiled import cache_compiled, ensure_numba_cache_dir


def test_numba_cache_dir_defaults_to_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = ensure_numba_cache_dir()
    assert folder == tmp_path / "topics" / "numba"
    assert folder.is_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(folder)


def test_numba_cache_dir_keeps_the_users_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ensure_numba_cache_dir() == tmp_path / "mine"
    assert not (tmp_path / "xdg").exists()


def _twice(x: float) -> float:
    return 2.0 * x


def test_cache_compiled_stores_a_packages_uncached_functions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plain = numba.njit(_twice)
    other = numba.njit(_twice)
    package = types.ModuleType("topics_test_pkg")
    package.plain = plain  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "topics_test_pkg", package)
    assert type(plain._cache).__name__ == "NullCache"
    cache_compiled("topics_test_pkg")
    assert type(plain._cache).__name__ != "NullCache"
    assert type(other._cache).__name__ == "NullCache"  # not in the package: untouched
    assert plain(2.0) == 4.0
