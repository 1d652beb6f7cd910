"""``fingerprint`` (cache keys of values and code) and ``jsonable`` (plain JSON values)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from topics.store.keys import fingerprint, jsonable


def test_the_key_changes_when_a_module_source_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "planted_stage.py"
    source.write_text("def run():\n    return 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("planted_stage")
    monkeypatch.delitem(sys.modules, "planted_stage")
    before = fingerprint({"k": 3}, modules=(module,))
    assert fingerprint({"k": 3}, modules=(module,)) == before
    assert fingerprint({"k": 3}, modules=("planted_stage",)) == before  # by dotted name too
    source.write_text("def run():\n    return 2  # changed\n", encoding="utf-8")
    after = fingerprint({"k": 3}, modules=(module,))
    assert after != before
    assert fingerprint({"k": 4}, modules=(module,)) not in (before, after)


def test_parts_are_framed_so_boundaries_never_collide() -> None:
    assert fingerprint("ab") != fingerprint("a", "b")
    assert fingerprint(iter([["ab"]])) != fingerprint(iter([["a", "b"]]))
    assert fingerprint(iter([["a"], ["b"]])) != fingerprint(iter([["a", "b"]]))
    assert fingerprint(iter([["a", "b"]])) == fingerprint(iter([("a", "b")]))
    assert fingerprint("a", iter(["b"])) != fingerprint(iter(["a"]), "b")
    # A JSON part is canonical: key order and NumPy scalar types do not matter.
    assert fingerprint({"a": 1, "b": 0.5}) == fingerprint({"b": np.float64(0.5), "a": np.int64(1)})
    assert fingerprint([1, 2]) != fingerprint("[1, 2]")
    assert len(fingerprint()) == 64


def test_jsonable_gives_plain_json_and_strict_json_on_request() -> None:
    value = {
        1: np.arange(3),
        "f": np.float32(0.25),
        "b": np.bool_(True),
        "t": (np.int16(2), float("nan")),
    }
    plain = jsonable(value)
    assert plain["1"] == [0, 1, 2] and plain["f"] == 0.25 and plain["b"] is True
    assert plain["t"][0] == 2 and np.isnan(plain["t"][1])
    strict = jsonable({"x": [float("inf"), 1 / 3], "n": np.float64("nan")}, finite=True, digits=5)
    assert strict == {"x": [None, 0.33333], "n": None}
    json.dumps(strict, allow_nan=False)  # no NaN left
