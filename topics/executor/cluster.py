"""The Dask executor: a ``dask.distributed`` client on an existing cluster or a LocalCluster.

No scheduling of our own: shards are scattered to the workers with ``Client.scatter``,
work goes out with ``Client.map`` and results come back with ``Client.gather``, which
keeps shard order. Shared state (LDA's topics, an SVD basis, a UMAP model) is scattered
once per call with ``broadcast=True``, so each worker receives it once, not once per shard.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from topics.errors import SettingsError, TopicsError
from topics.executor import CONNECT_TIMEOUT_S

R = TypeVar("R")

log = logging.getLogger(__name__)

_START_HINT = (
    "start one with `dask scheduler` and workers with `dask worker tcp://HOST:8786`, "
    "or use --dask local"
)


class DaskExecutor:
    """Runs shards on the workers of a ``distributed.Client``."""

    kind = "dask"

    def __init__(self, client: Any, cluster: Any = None) -> None:
        self.client = client
        self.cluster = cluster
        self.n_workers = len(client.scheduler_info(n_workers=-1)["workers"])

    @classmethod
    def connect(cls, address: str, timeout: float = CONNECT_TIMEOUT_S) -> DaskExecutor:
        """A client on the scheduler at ``address``, or on a new LocalCluster for ``"local"``.

        Raises ``SettingsError`` (one line, exit 2) when dask is missing, the scheduler
        cannot be reached or it has no workers.
        """
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise SettingsError(
                "--dask needs dask.distributed; install it with pip install 'dask[distributed]'"
            ) from exc
        if address == "local":
            # One single-threaded worker process per core: gensim and NumPy release the
            # GIL unevenly, and processes keep each shard's work independent.
            cluster = LocalCluster(
                n_workers=max(1, os.cpu_count() or 1),
                threads_per_worker=1,
                processes=True,
                # Any free port: its health-check HTTP server would collide on 8787.
                dashboard_address=":0",
            )
            return cls(Client(cluster), cluster)
        if "://" not in address and ":" not in address:
            raise SettingsError(
                f"--dask {address!r} is not a scheduler address; give tcp://HOST:PORT "
                "(`dask scheduler` prints it) or local"
            )
        try:
            client = Client(address, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SettingsError(
                f"cannot connect to the Dask scheduler at {address!r} within "
                f"{timeout:g} s ({type(exc).__name__}); {_START_HINT}"
            ) from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            client.close()
            raise SettingsError(
                f"the Dask scheduler at {address!r} has no workers; start some with "
                f"`dask worker {address}`"
            ) from None
        return cls(client)

    def scatter(self, shards: Sequence[Any]) -> list[Any]:
        futures: list[Any] = self.client.scatter(list(shards), hash=False)
        return futures

    def map(self, fn: Callable[..., R], shards: Sequence[Any], *shared: Any) -> list[R]:
        if not shards:
            return []
        extra = [
            [self.client.scatter([value], broadcast=True, hash=False)[0]] * len(shards)
            for value in shared
        ]
        futures = self.client.map(fn, list(shards), *extra, pure=False)
        try:
            results: list[R] = self.client.gather(futures)
        except ModuleNotFoundError as exc:
            raise TopicsError(
                f"a Dask worker cannot import {exc.name!r}: install topics (and its "
                "dependencies) on every worker, the same version as here"
            ) from None
        return results

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()
