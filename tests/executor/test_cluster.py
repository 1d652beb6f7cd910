"""Tests for topics.executor.cluster on a real two-worker LocalCluster."""

from __future__ import annotations

import os

import numpy as np
import pytest

from topics.errors import SettingsError
from topics.executor import describe
from topics.executor.cluster import DaskExecutor

pytestmark = pytest.mark.slow  # starts worker processes (seconds)


def _pid_and_sum(shard: list[int], scale: int) -> tuple[int, int]:
    return os.getpid(), sum(shard) * scale


def test_map_keeps_shard_order_and_runs_on_the_workers(dask_cluster: DaskExecutor) -> None:
    shards = dask_cluster.scatter([list(range(i)) for i in range(12)])
    results = dask_cluster.map(_pid_and_sum, shards, 3)
    assert [total for _, total in results] == [3 * sum(range(i)) for i in range(12)]
    # Worker processes did the work, not this one.
    assert os.getpid() not in {pid for pid, _ in results}
    assert describe(dask_cluster) == {"kind": "dask", "workers": 2}


def test_shared_arrays_reach_every_shard_unchanged(dask_cluster: DaskExecutor) -> None:
    state = np.arange(12.0).reshape(3, 4)
    out = dask_cluster.map(np.add, [np.ones((3, 4)), np.zeros((3, 4))], state)
    assert np.array_equal(out[0], state + 1) and np.array_equal(out[1], state)
    assert dask_cluster.map(np.add, [], state) == []


def test_connect_to_a_running_scheduler_by_its_address(dask_cluster: DaskExecutor) -> None:
    address = dask_cluster.client.scheduler.address
    other = DaskExecutor.connect(address)
    try:
        assert other.n_workers == 2
        assert other.map(_pid_and_sum, [[1, 2]], 1)[0][1] == 3
    finally:
        other.close()
    # The cluster outlives a client that connected to it.
    assert dask_cluster.map(_pid_and_sum, [[4]], 1)[0][1] == 4


def test_a_scheduler_without_workers_says_how_to_start_them() -> None:
    from distributed import LocalCluster

    empty = LocalCluster(n_workers=0, processes=False, dashboard_address=":0")
    try:
        with pytest.raises(SettingsError, match="has no workers; start some with `dask worker"):
            DaskExecutor.connect(empty.scheduler_address, timeout=1)
    finally:
        empty.close()
