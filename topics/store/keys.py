"""Cache keys and JSON-safe values: ``fingerprint`` and ``jsonable``.

Every cached value is keyed by ``fingerprint`` of what it was computed from, including
the source of the modules that computed it: changed code gets new keys, so a stale
entry is never read (old ones are simply never looked up again and pruned).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Any

import numpy as np

from topics import __version__


def fingerprint(*parts: object, modules: Iterable[ModuleType | str] = ()) -> str:
    """SHA-256 hex digest of ``parts`` and of the source code of ``modules``.

    ``str`` and ``bytes`` parts are hashed as they are; an iterator part (a generator)
    is streamed item by item, each a ``str``, ``bytes`` or sequence of ``str`` (a token
    list), so a whole corpus is never held twice in memory; any other part is hashed as
    canonical JSON (``jsonable``, sorted keys). Every part and item is length-framed:
    ``["ab"]`` and ``["a", "b"]`` never collide. Modules are module objects or dotted
    names; topics' version is always part of the key.
    """
    digest = _BASE.copy()
    for part in parts:
        # Strings first: per-document keys are hashed by the hundred thousand.
        if isinstance(part, str | bytes):
            digest.update(b"S")
            _feed(digest, part)
        elif isinstance(part, Iterator):
            digest.update(b"I")
            for item in part:
                _feed(digest, item if isinstance(item, str | bytes) else "\x1f".join(item))
            digest.update(b"\x1d")
        else:
            digest.update(b"J")
            _feed(digest, json.dumps(jsonable(part), sort_keys=True, default=str))
    for module in modules:
        _feed(digest, _source_digest(module))
    return digest.hexdigest()


_BASE = hashlib.sha256(f"topics {__version__}".encode())


def _feed(digest: Any, data: str | bytes) -> None:
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    digest.update(b"%d:" % len(raw))
    digest.update(raw)


_SOURCES: dict[tuple[str, int, int], bytes] = {}


def _source_digest(module: ModuleType | str) -> bytes:
    if isinstance(module, str):
        module = importlib.import_module(module)
    path = getattr(module, "__file__", None)
    if not path:
        return module.__name__.encode()
    # Keyed by size and modification time: an edited module is read again.
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in _SOURCES:
        with open(path, "rb") as fh:
            _SOURCES[key] = hashlib.sha256(fh.read()).digest()
    return module.__name__.encode() + b"=" + _SOURCES[key]


def jsonable(value: Any, *, finite: bool = False, digits: int | None = None) -> Any:
    """Plain JSON values from NumPy scalars and arrays, tuples and nested containers.

    With ``finite``, NaN and infinities become None (strict JSON, as the report needs);
    with ``digits``, floats are rounded (smaller report files).
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v, finite=finite, digits=digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, finite=finite, digits=digits) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist(), finite=finite, digits=digits)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        if finite and not math.isfinite(number):
            return None
        return round(number, digits) if digits is not None and math.isfinite(number) else number
    return value
