"""Tests for topics.executor.lda: LDA's E-step on a two-worker cluster against one machine."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import Planted, planted_corpus
from topics.evaluate.scores import score_coherence
from topics.executor import NPMI_TOLERANCE, TOPIC_COSINE_MIN, LocalExecutor, matched_cosines
from topics.executor.cluster import DaskExecutor
from topics.models.lda import LdaSettings, fit_lda
from topics.types import TopicModelResult

pytestmark = pytest.mark.slow  # a cluster and three LDA fits


@pytest.fixture(scope="module")
def corpus() -> tuple[Planted, list[str]]:
    planted = planted_corpus(n_topics=6, n_docs=300, seed=1)
    vocab = sorted({w for doc in planted.tokens for w in doc})
    return planted, vocab


# chunksize 60: five online updates per pass, so the test covers the M-step schedule
# (rho, alpha) across chunks, each chunk cut into one part per worker.
SETTINGS = LdaSettings(passes=10, chunksize=60)
FIT = {"n_topics": 6, "seed": 3}


@pytest.fixture(scope="module")
def local_fit(corpus: tuple[Planted, list[str]]) -> TopicModelResult:
    planted, vocab = corpus
    return fit_lda(planted.tokens, vocab, SETTINGS, **FIT)


@pytest.fixture(scope="module")
def cluster_fits(
    corpus: tuple[Planted, list[str]], dask_cluster: DaskExecutor
) -> tuple[TopicModelResult, TopicModelResult]:
    planted, vocab = corpus
    return (
        fit_lda(planted.tokens, vocab, SETTINGS, **FIT, executor=dask_cluster),
        fit_lda(planted.tokens, vocab, SETTINGS, **FIT, executor=dask_cluster),
    )


def test_cluster_topics_match_the_one_machine_topics(
    local_fit: TopicModelResult,
    cluster_fits: tuple[TopicModelResult, TopicModelResult],
    corpus: tuple[Planted, list[str]],
) -> None:
    planted, _ = corpus
    dask_fit = cluster_fits[0]
    assert dask_fit.vocab == local_fit.vocab
    assert dask_fit.doc_topic.shape == local_fit.doc_topic.shape
    assert min(matched_cosines(local_fit.topic_term, dask_fit.topic_term)) >= TOPIC_COSINE_MIN
    npmi = [score_coherence(planted.tokens, m.topic_words).npmi_mean for m in (local_fit, dask_fit)]
    assert abs(npmi[0] - npmi[1]) <= NPMI_TOLERANCE
    # Both recover the planted topics: each document's main topic is its planted one.
    for fit in (local_fit, dask_fit):
        agree = np.mean(
            [
                np.bincount(fit.assignments[np.asarray(planted.main_topic) == t]).max()
                for t in range(6)
            ]
        )
        assert agree >= 0.9 * 50


def test_the_same_seed_gives_identical_topics_on_the_cluster(
    cluster_fits: tuple[TopicModelResult, TopicModelResult],
) -> None:
    first, second = cluster_fits
    assert np.array_equal(first.topic_term, second.topic_term)
    assert np.array_equal(first.doc_topic, second.doc_topic)
    assert first.topic_words == second.topic_words


def test_the_sharded_fit_in_one_process_equals_the_cluster_fit(
    corpus: tuple[Planted, list[str]], cluster_fits: tuple[TopicModelResult, TopicModelResult]
) -> None:
    # An executor with the cluster's worker count cuts the same parts and seeds them the
    # same way: the result does not depend on where the parts ran.
    class TwoParts(LocalExecutor):
        n_workers = 2

    planted, vocab = corpus
    here = fit_lda(planted.tokens, vocab, SETTINGS, **FIT, executor=TwoParts())
    assert np.allclose(here.topic_term, cluster_fits[0].topic_term, rtol=0, atol=1e-12)
