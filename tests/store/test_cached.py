"""``cached_map``: look keys up, compute the misses, store them in batches, count."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from topics.store.cache import RunCache
from topics.store.cached import cached_map


def _upper(calls: list[list[str]]) -> Callable[[list[str]], Iterator[str]]:
    def compute(missing: list[str]) -> Iterator[str]:
        calls.append(list(missing))
        for word in missing:
            yield word.upper()

    return compute


def test_counts_fresh_then_cached_and_computes_only_the_misses(tmp_path: Path) -> None:
    words = ["alpha", "beta", "gamma", "delta"]
    calls: list[list[str]] = []
    cache = RunCache(tmp_path / "c")
    first = list(cached_map(words, words, _upper(calls), cache=cache, stage="t", counter="parsed"))
    assert first == ["ALPHA", "BETA", "GAMMA", "DELTA"]
    assert cache.counts["parsed"] == {"fresh": 4, "cached": 0}
    cache.close(prune=False)

    again = RunCache(tmp_path / "c")
    more = ["beta", "epsilon", "alpha"]
    hits: list[int] = []
    second = list(
        cached_map(
            more,
            more,
            _upper(calls),
            cache=again,
            stage="t",
            counter="parsed",
            on_hits=hits.append,
        )
    )
    assert second == ["BETA", "EPSILON", "ALPHA"]  # in order, hits and misses mixed
    assert calls[-1] == ["epsilon"]
    assert hits == [2]
    assert again.counts["parsed"] == {"fresh": 1, "cached": 2}


def test_weights_empty_keys_and_values_not_to_remember(tmp_path: Path) -> None:
    items = ["keep", "nokey", "transient"]
    keys = ["k1", "", "k3"]
    cache = RunCache(tmp_path / "c")
    list(
        cached_map(
            items,
            keys,
            _upper([]),
            cache=cache,
            stage="t",
            counter="parsed",
            weight=len,
            remember=lambda value: value != "TRANSIENT",
        )
    )
    assert cache.counts["parsed"] == {"fresh": 4 + 5 + 9, "cached": 0}
    assert set(cache.lookup("t", ["k1", "k3"])) == {"k1"}


def test_batches_are_stored_as_they_are_computed(tmp_path: Path) -> None:
    """A run killed half way keeps the batches it finished."""
    words = [f"w{i}" for i in range(5)]
    cache = RunCache(tmp_path / "c")
    values = cached_map(words, words, _upper([]), cache=cache, stage="t", batch=2)
    assert [next(values) for _ in range(3)] == ["W0", "W1", "W2"]
    assert set(cache.lookup("t", words)) == {"w0", "w1"}


def test_a_value_that_does_not_decode_is_a_miss(tmp_path: Path) -> None:
    cache = RunCache(tmp_path / "c")
    cache.store("t", {"a": {"old": "layout"}, "b": {"n": 2}})

    def decode(raw: dict[str, int]) -> int:
        return raw["n"]

    calls: list[list[str]] = []

    def compute(missing: list[str]) -> list[int]:
        calls.append(missing)
        return [len(m) for m in missing]

    out = list(cached_map(["a", "b"], ["a", "b"], compute, cache=cache, stage="t", decode=decode))
    assert out == [1, 2] and calls == [["a"]]


def test_without_a_cache_everything_is_computed_once() -> None:
    calls: list[list[str]] = []
    assert list(cached_map(["x", "y"], ["x", "y"], _upper(calls), cache=None, stage="t")) == [
        "X",
        "Y",
    ]
    assert calls == [["x", "y"]]


def test_many_misses_are_stored_in_about_twenty_batches(tmp_path: Path) -> None:
    """Each batch is a commit: a large corpus is stored in ~20, not one per 200 items."""
    stored: list[int] = []

    class Counting(RunCache):
        def store(self, stage: str, values: Mapping[str, Any]) -> None:
            stored.append(len(values))
            super().store(stage, values)

    words = [f"w{i}" for i in range(1000)]
    cache = Counting(tmp_path / "c")
    values = cached_map(words, words, _upper([]), cache=cache, stage="t", batch=10)
    assert list(values) == [w.upper() for w in words]
    assert stored == [50] * 20
    assert set(cache.lookup("t", words)) == set(words)


def test_heavy_values_are_stored_once_their_weight_reaches_batch_weight(tmp_path: Path) -> None:
    """A file of many documents is one item: what waits to be stored is bounded by weight."""
    stored: list[list[str]] = []

    class Counting(RunCache):
        def store(self, stage: str, values: Mapping[str, Any]) -> None:
            stored.append(sorted(values))
            super().store(stage, values)

    words = ["aaaa", "b", "cc", "dddddd", "e"]
    cache = Counting(tmp_path / "c")
    values = cached_map(
        words, words, _upper([]), cache=cache, stage="t", weight=len, batch=100, batch_weight=5
    )
    assert list(values) == [w.upper() for w in words]
    assert stored == [["aaaa", "b"], ["cc", "dddddd"], ["e"]]


class _Recording(RunCache):
    """A cache that records the keys of every ``lookup``."""

    def __init__(self, folder: Path, asked: list[list[str]]) -> None:
        super().__init__(folder)
        self.asked = asked

    def lookup(self, stage: str, keys: Sequence[str]) -> dict[str, Any]:
        self.asked.append(list(keys))
        return super().lookup(stage, keys)


def test_cached_values_are_read_a_block_at_a_time_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rerun never holds every cached value at once: they are read as they are yielded,
    hits and misses interleaved in order, and misses computed in one call."""
    from topics.store import cached

    monkeypatch.setattr(cached, "HIT_BLOCK", 2)
    asked: list[list[str]] = []
    cache = _Recording(tmp_path / "c", asked)
    cache.store("t", {w: w.upper() for w in ["a", "b", "d", "e", "g"]})
    calls: list[list[str]] = []
    words = ["a", "b", "c", "d", "e", "f", "g", "a"]
    values = list(cached_map(words, words, _upper(calls), cache=cache, stage="t"))
    assert values == [w.upper() for w in words]
    assert calls == [["c", "f"]]
    # Blocks of two in yield order; "a" asked for again after its block is read alone.
    assert asked == [["a", "b"], ["d", "e"], ["g"], ["a"]]


def test_heavy_cached_values_are_read_in_blocks_of_about_batch_weight(tmp_path: Path) -> None:
    """One key may hold many documents (a JSONL file): blocks follow the values' weight."""
    asked: list[list[str]] = []
    cache = _Recording(tmp_path / "c", asked)
    words = [f"{'x' * (1 + i % 2)}{i}" for i in range(12)]  # weights 2, 3, 3, 4, ...
    cache.store("t", {w: w.upper() for w in words})
    values = cached_map(
        words, words, _upper([]), cache=cache, stage="t", weight=len, batch_weight=7
    )
    assert list(values) == [w.upper() for w in words]
    assert [len(block) for block in asked] == [1, 3, 2, 2, 2, 2]
