"""Tests for topics.executor: the local executor, shards, agreement, opening executors."""

from __future__ import annotations

import numpy as np
import pytest

from topics.errors import SettingsError
from topics.executor import (
    LocalExecutor,
    describe,
    matched_cosines,
    open_executor,
    shards_of,
)


def test_local_executor_maps_in_shard_order_with_shared_arguments() -> None:
    executor = LocalExecutor()
    shards = executor.scatter([[3, 1], [2], [5, 5, 5]])
    assert executor.map(lambda shard, k: sum(shard) * k, shards, 10) == [40, 20, 150]
    assert describe(executor) == {"kind": "local", "workers": 1}
    assert describe(None) == {"kind": "local", "workers": 1}


@pytest.mark.parametrize(("n", "parts"), [(10, 3), (7, 7), (3, 5), (1000, 4), (1, 1)])
def test_shards_cover_every_row_once_in_order(n: int, parts: int) -> None:
    shards = shards_of(n, parts)
    assert [i for shard in shards for i in shard] == list(range(n))
    assert len(shards) == min(n, parts)
    sizes = [len(s) for s in shards]
    assert min(sizes) >= 1 and max(sizes) - min(sizes) <= 1


def test_matched_cosines_pair_topics_whatever_their_order() -> None:
    rng = np.random.default_rng(0)
    topics = rng.random((5, 40))
    shuffled = topics[[3, 0, 4, 1, 2]]
    assert np.allclose(matched_cosines(topics, shuffled), 1.0)
    assert min(matched_cosines(topics, rng.random((5, 40)))) < 0.95


def test_no_address_means_this_process() -> None:
    with open_executor(None) as executor:
        assert executor is None


@pytest.mark.parametrize("address", ["somewhere", "local-cluster"])
def test_an_address_that_is_not_one_is_a_settings_error(address: str) -> None:
    match = "is not a scheduler address; give tcp://HOST:PORT"
    with pytest.raises(SettingsError, match=match), open_executor(address):
        pass


def test_an_unreachable_scheduler_is_a_one_line_error_with_the_fix() -> None:
    from topics.executor.cluster import DaskExecutor

    with pytest.raises(SettingsError) as caught:
        DaskExecutor.connect("tcp://127.0.0.1:9", timeout=0.2)
    message = str(caught.value)
    assert "\n" not in message
    assert "cannot connect to the Dask scheduler at 'tcp://127.0.0.1:9' within 0.2 s" in message
    assert "dask scheduler" in message and "dask worker" in message


@pytest.mark.slow  # a fresh process, to see what importing topics loads
def test_the_default_run_does_not_import_dask() -> None:
    import subprocess
    import sys

    code = (
        "import sys, topics.cli, topics.pipeline, topics.executor; "
        "print(any(m == 'dask' or m.startswith(('dask.', 'distributed')) for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
