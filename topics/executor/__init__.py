"""Where the heavy stages run: in this process, or on a Dask cluster.

An executor maps a function over shards and hands the results back in shard order;
the caller reduces them on the client in that same order, so a seed gives the same
result on a cluster of the same size. The stages keep their one-machine code path
when no cluster is given (``executor=None``); with one, they call the sharded
versions in ``topics.executor.lda`` and ``topics.executor.embed``.

``dask.distributed`` is imported only when a cluster is asked for: the default run
and ``topics --version`` never load it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar

R = TypeVar("R")

#: Seconds to wait for the scheduler before giving up with a one-line error.
CONNECT_TIMEOUT_S = 10

#: Documented tolerance of a cluster run against the one-machine run (tests and
#: ``bench/scale.py`` check it): every LDA topic, matched one-to-one to the one-machine
#: topics (Hungarian algorithm on topic-word cosine), has cosine at least this ...
TOPIC_COSINE_MIN = 0.95
#: ... and the model's mean NPMI differs by at most this much.
NPMI_TOLERANCE = 0.02


class Executor(Protocol):
    """Maps a function over shards; results come back in shard order.

    ``scatter`` places shards where the work will run (on a cluster: spread over the
    workers, and kept there between calls), so repeated maps over the same data, as
    LDA's passes are, send only the shared state over the network.
    """

    kind: str
    n_workers: int

    def scatter(self, shards: Sequence[Any]) -> list[Any]: ...

    def map(self, fn: Callable[..., R], shards: Sequence[Any], *shared: Any) -> list[R]: ...

    def close(self) -> None: ...


class LocalExecutor:
    """Everything in this process, in shard order (the reference the cluster is held to)."""

    kind = "local"
    n_workers = 1

    def scatter(self, shards: Sequence[Any]) -> list[Any]:
        return list(shards)

    def map(self, fn: Callable[..., R], shards: Sequence[Any], *shared: Any) -> list[R]:
        return [fn(shard, *shared) for shard in shards]

    def close(self) -> None:
        pass


def describe(executor: Executor | None) -> dict[str, Any]:
    """``manifest.json``'s ``executor``: ``{"kind": "local"|"dask", "workers": n}``."""
    if executor is None:
        return {"kind": "local", "workers": 1}
    return {"kind": executor.kind, "workers": executor.n_workers}


@contextmanager
def open_executor(address: str | None) -> Iterator[Executor | None]:
    """The executor for a run: None (one machine) or a Dask cluster at ``address``.

    ``address`` is a scheduler address (``tcp://HOST:8786``) or ``"local"``, which
    starts a ``LocalCluster`` of worker processes on this machine for the run.
    """
    if not address:
        yield None
        return
    from topics.executor.cluster import DaskExecutor

    executor = DaskExecutor.connect(address)
    try:
        yield executor
    finally:
        executor.close()


def matched_cosines(first: Any, second: Any) -> list[float]:
    """Cosine of each topic-word row of ``first`` with its Hungarian match in ``second``.

    ``first`` and ``second`` are ``(n_topics, n_terms)`` arrays over the same vocabulary.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
    sim = a @ b.T
    rows, cols = linear_sum_assignment(-sim)
    return [float(sim[r, c]) for r, c in zip(rows, cols, strict=True)]


def shards_of(n: int, n_shards: int) -> list[range]:
    """``range(n)`` cut into ``n_shards`` contiguous, nearly equal parts (none empty)."""
    n_shards = max(1, min(n_shards, n))
    bounds = [round(i * n / n_shards) for i in range(n_shards + 1)]
    return [range(bounds[i], bounds[i + 1]) for i in range(n_shards)]
