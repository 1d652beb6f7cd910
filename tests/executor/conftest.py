"""A real two-worker Dask cluster (processes, one thread each), started once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import planted_corpus
from topics.executor.cluster import DaskExecutor


@pytest.fixture(scope="package")
def dask_cluster() -> Iterator[DaskExecutor]:
    """An executor on a ``LocalCluster(n_workers=2, processes=True, threads_per_worker=1)``.

    Package-scoped: closed when tests/executor ends, before later tests (browsers, a
    Jupyter kernel) replace or close the event loop its client runs on.
    """
    from distributed import Client, LocalCluster

    cluster = LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
    )
    executor = DaskExecutor(Client(cluster), cluster)
    try:
        yield executor
    finally:
        executor.close()


def planted_word(token: str) -> str:
    """``t3w11`` -> a letters-only word the tokenizer and lemmatizer keep as it is."""
    topic, word = token[1:].split("w")
    return "zq" + chr(97 + int(topic)) + chr(97 + int(word)) * 2 + "x"


@pytest.fixture(scope="session")
def planted_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of text files drawn from six planted topics (240 documents)."""
    folder = tmp_path_factory.mktemp("planted")
    planted = planted_corpus(n_topics=6, n_docs=240, seed=2)
    for i, doc in enumerate(planted.tokens):
        (folder / f"doc{i:03d}.txt").write_text(" ".join(map(planted_word, doc)), encoding="utf-8")
    return folder
