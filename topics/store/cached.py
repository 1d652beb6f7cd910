"""Per-item work kept between runs: ``DocumentCache`` and ``cached_map``.

Parsing files and preprocessing documents share one pattern: key every item, look the
keys up, compute only the misses, store them in batches and count what was computed
(``fresh``) and reused (``cached``). ``cached_map`` is that pattern, once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
V = TypeVar("V")


class DocumentCache(Protocol):
    """Per-item results kept between runs (``topics.store.cache.RunCache``).

    Keys hash the item and every setting and piece of code the value depends on.
    """

    def lookup(self, stage: str, keys: Sequence[str]) -> dict[str, Any]: ...

    def present(self, stage: str, keys: Sequence[str]) -> set[str]: ...

    def store(self, stage: str, values: Mapping[str, Any]) -> None: ...

    def count(self, stage: str, *, fresh: int = 0, cached: int = 0) -> None: ...


#: At most about this many batches are stored per call (see ``cached_map``'s ``batch``).
_BATCHES = 20


def cached_map(
    items: Sequence[T],
    keys: Sequence[str],
    compute: Callable[[list[T]], Iterable[V]],
    *,
    cache: DocumentCache | None,
    stage: str,
    counter: str | None = None,
    weight: Callable[[V], int] | None = None,
    encode: Callable[[V], Any] | None = None,
    decode: Callable[[Any], V] | None = None,
    remember: Callable[[V], bool] | None = None,
    on_hits: Callable[[int], None] | None = None,
    batch: int = 200,
    batch_weight: int | None = None,
) -> Iterator[V]:
    """The value of every item, in order: from ``cache`` where its key is there, else computed.

    Parameters
    ----------
    items, keys
        The items and one key each; an empty key is never looked up or stored.
    compute
        Called once with the missing items (in order); yields one value per item. A
        generator keeps the work streaming: values are yielded as they are computed.
    cache, stage
        Where values are kept (None: compute everything) and under which stage name.
    counter, weight
        Add to ``cache.count(counter)`` what each value counts for (default 1).
    encode, decode
        Value to JSON and back. A cached value that does not decode (written by other
        code) is a miss, never an error.
    remember
        Whether a computed value may be stored (a transient failure may not).
    on_hits
        Told the number of cache hits before anything is computed (progress bars).
    batch
        Computed values are stored in batches of ``batch`` items, or of a twentieth of the
        items computed when that is more, so a killed run keeps all but its last batch.
        Each batch is one SQLite transaction (a commit waits for the disk): at 95k
        documents, batches of 200 made ~950 commits, ~13 s in a profile of a run.
    batch_weight
        Also store a batch once its values' ``weight`` reaches this: a file of 10,000
        documents is one item, and a batch of a twentieth of 100 such files held a second
        copy of a million documents' text until the end (2.9 GB).
    """
    stored: set[str] = set()
    if cache is not None:
        stored = cache.present(stage, [k for k in keys if k])
    if on_hits is not None:
        on_hits(sum(1 for key in keys if key in stored))
    misses = [item for item, key in zip(items, keys, strict=True) if key not in stored]
    batch = max(batch, len(misses) // _BATCHES)
    computed = iter(compute(misses)) if misses else iter(())
    # Cached values are read a block at a time, in the order they are yielded: a rerun
    # over a million unchanged documents never holds all their word runs at once.
    hit_keys = [k for k in dict.fromkeys(keys) if k in stored]
    hits = _Blocks(cache, stage, hit_keys, decode, weight, batch_weight)
    fresh: dict[str, Any] = {}
    n_fresh = n_cached = fresh_weight = 0
    for item, key in zip(items, keys, strict=True):
        found, cached = hits.get(key) if key in stored else _MISS
        if found:
            value: V = cached
            n_cached += weight(value) if weight is not None else 1
        else:
            # A miss, or an entry that no longer reads: computed here, in order.
            value = next(computed) if key not in stored else next(iter(compute([item])))
            value_weight = weight(value) if weight is not None else 1
            n_fresh += value_weight
            if key and cache is not None and (remember is None or remember(value)):
                fresh[key] = encode(value) if encode is not None else value
                fresh_weight += value_weight
                if len(fresh) >= batch or (
                    batch_weight is not None and fresh_weight >= batch_weight
                ):
                    cache.store(stage, fresh)
                    fresh, fresh_weight = {}, 0
        yield value
    if cache is not None:
        if fresh:
            cache.store(stage, fresh)
        if counter is not None:
            cache.count(counter, fresh=n_fresh, cached=n_cached)


_MISS: tuple[bool, Any] = (False, None)

#: Cached values read per query while streaming (bounds what a rerun holds at once).
HIT_BLOCK = 5_000


class _Blocks:
    """Cached values of ``keys`` (in the order they will be asked for), read and decoded
    a block at a time; one that does not decode (written by other code) is absent.

    A block holds at most ``HIT_BLOCK`` keys, and with a ``budget`` about that much
    ``weight``: a parsed JSONL file of 10,000 documents is one key, and reading 5,000
    such keys at once would hold the whole corpus twice over.
    """

    def __init__(
        self,
        cache: DocumentCache | None,
        stage: str,
        keys: list[str],
        decode: Callable[[Any], Any] | None,
        weight: Callable[[Any], int] | None = None,
        budget: int | None = None,
    ) -> None:
        self.cache, self.stage, self.keys, self.decode = cache, stage, keys, decode
        self.weight, self.budget = weight, budget
        self.size = 1 if weight is not None and budget is not None else HIT_BLOCK
        self.at = 0
        self.block: dict[str, Any] = {}

    def get(self, key: str) -> tuple[bool, Any]:
        if key not in self.block and self.cache is not None:
            if self.at < len(self.keys) and self.keys[self.at] == key:
                wanted = self.keys[self.at : self.at + self.size]
                self.at += len(wanted)
                self.block = self._read(wanted)
                self._resize()
            else:  # a key asked for again after its block
                self.block = self._read([key])
        if key in self.block:
            return True, self.block[key]
        return False, None

    def _resize(self) -> None:
        """The next block's size: about ``budget`` weight at this block's weight per key."""
        if self.weight is None or self.budget is None or not self.block:
            return
        per_key = sum(self.weight(value) for value in self.block.values()) / len(self.block)
        self.size = max(1, min(HIT_BLOCK, int(self.budget / max(per_key, 1.0))))

    def _read(self, keys: list[str]) -> dict[str, Any]:
        assert self.cache is not None
        values: dict[str, Any] = {}
        for key, raw in self.cache.lookup(self.stage, keys).items():
            try:
                values[key] = self.decode(raw) if self.decode is not None else raw
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                log.warning("ignoring an unreadable %s cache entry (%s)", self.stage, exc)
        return values
