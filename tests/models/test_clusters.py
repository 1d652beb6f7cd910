from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import sparse
from sklearn.metrics import adjusted_rand_score

import topics.models.clusters as clusters_module
from tests.conftest import Planted, planted_corpus
from tests.models.test_projection import blobs
from topics.errors import SettingsError
from topics.models.clusters import (
    ClusterDetails,
    ClusterSettings,
    core_labels,
    default_min_cluster_size,
    fit_clusters,
    sample_min_cluster_size,
)
from topics.models.ctfidf import class_tfidf, count_matrix, merge_topics
from topics.models.embed import EmbedSettings, embed_documents
from topics.models.projection import project_2d, shared_graph
from topics.models.spec import FitContext
from topics.types import FloatArray, IntArray, Preprocessed, TopicModelResult

N_NOISE = 12


@dataclass(frozen=True)
class BlobCase:
    """Six embedding blobs plus noise points, with planted-topic tokens per blob."""

    points: FloatArray
    labels: IntArray  # blob of each document, -1 for noise
    tokens: list[list[str]]
    vocab: list[str]
    planted: Planted
    result: TopicModelResult
    warnings: list[str]


def _blob_case() -> tuple[FloatArray, IntArray, list[list[str]], Planted]:
    points, labels = blobs(n_blobs=6, per_blob=50, dims=50, seed=0)
    rng = np.random.default_rng(1)
    noise = rng.normal(size=(N_NOISE, points.shape[1]))
    points = np.vstack([points, noise / np.linalg.norm(noise, axis=1, keepdims=True)])
    labels = np.concatenate([labels, np.full(N_NOISE, -1)])
    planted = planted_corpus(n_topics=6, n_docs=300, seed=2)
    by_topic = {
        t: [d for d, m in zip(planted.tokens, planted.main_topic, strict=True) if m == t]
        for t in range(6)
    }
    tokens = [by_topic[int(b)].pop() for b in labels[labels >= 0]]
    all_words = [w for words in planted.topics for w in words]
    tokens += [list(rng.choice(all_words, size=40)) for _ in range(N_NOISE)]
    return points, labels, [[str(t) for t in doc] for doc in tokens], planted


def _vocab(tokens: list[list[str]]) -> list[str]:
    return sorted({t for doc in tokens for t in doc})


@pytest.fixture(scope="module")
def case() -> BlobCase:
    points, labels, tokens, planted = _blob_case()
    vocab = _vocab(tokens)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fit_clusters(tokens, vocab, points, seed=0)
    messages = [f"{w.category.__name__}: {w.message}" for w in caught]
    return BlobCase(points, labels, tokens, vocab, planted, result, messages)


def _within_one_planted_set(words: list[str], planted: Planted) -> bool:
    return any(set(words) <= set(topic) for topic in planted.topics)


def test_planted_blobs_are_recovered(case: BlobCase) -> None:
    blob_docs = case.labels >= 0
    ari = adjusted_rand_score(case.labels[blob_docs], case.result.assignments[blob_docs])
    assert ari >= 0.9
    assert case.result.n_topics == 6


def test_topic_words_come_from_one_planted_set(case: BlobCase) -> None:
    tops = [words[:10] for words in case.result.topic_words]
    assert all(_within_one_planted_set(words, case.planted) for words in tops)
    # ... and every planted set is some topic's.
    assert {words[0][:2] for words in tops} == {f"t{t}" for t in range(6)}


def test_result_shapes_and_invariants(case: BlobCase) -> None:
    result = case.result
    n_docs, n_topics = len(case.tokens), result.n_topics
    assert result.name == "clusters"
    assert result.vocab == case.vocab
    assert result.topic_term.shape == (n_topics, len(case.vocab))
    assert result.doc_topic.shape == (n_docs, n_topics)
    np.testing.assert_allclose(result.topic_term.sum(axis=1), 1.0)
    np.testing.assert_allclose(result.doc_topic.sum(axis=1), 1.0)
    assert result.assignments.shape == (n_docs,)
    assert set(result.assignments.tolist()) <= set(range(-1, n_topics))
    assert result.sizes == sorted(result.sizes, reverse=True)
    assert all(len(words) == 30 for words in result.topic_words)
    assert result.settings == {
        "n_topics": "auto",
        "clustering": "auto",
        "algorithm": "hdbscan",
        "min_cluster_size": None,
        "assign_outliers": False,
        "seed": 0,
        "top_n": 30,
        "core_share": 0.5,
    }
    details = ClusterDetails.of(result)
    assert details.outlier_share == pytest.approx(np.mean(result.assignments == -1))
    assert details.n_outliers == int(np.sum(result.assignments == -1))
    assert details.min_cluster_size == default_min_cluster_size(n_docs)
    assert "NPMI" in (result.n_topics_rule or "")
    curve = details.n_topics_curve
    assert curve and result.auto_curve == curve
    tried = [int(p["n_topics"]) for p in curve]
    assert tried[0] == 2 and tried[-1] == details.n_clusters_raw
    assert all(0 <= p["stability"] <= 1 for p in curve)


def test_no_future_warning_from_hdbscan(case: BlobCase) -> None:
    assert not [m for m in case.warnings if m.startswith("FutureWarning")]


def test_same_seed_gives_identical_topics(case: BlobCase) -> None:
    again = fit_clusters(case.tokens, case.vocab, case.points, seed=0)
    np.testing.assert_array_equal(again.assignments, case.result.assignments)
    np.testing.assert_array_equal(again.doc_topic, case.result.doc_topic)
    assert again.topic_words == case.result.topic_words


def test_merging_to_n_topics(case: BlobCase) -> None:
    settings = ClusterSettings(clustering="hdbscan")
    result = fit_clusters(case.tokens, case.vocab, case.points, settings, n_topics=3)
    details = ClusterDetails.of(result)
    n_raw = details.n_clusters_raw
    assert result.n_topics == 3
    assert len(result.topic_words) == 3
    assert len(details.merges) == n_raw - 3
    _check_merge_list(details.merges, n_raw, details.topic_merge_ids)
    # Topics are unions of HDBSCAN clusters that cover each cluster exactly once.
    members = sorted(c for group in details.topic_clusters for c in group)
    assert members == list(range(n_raw))
    # Whole blobs are merged: no blob is split between topics.
    blob_docs = (case.labels >= 0) & (result.assignments >= 0)
    for blob in range(6):
        assigned = result.assignments[blob_docs & (case.labels == blob)]
        assert len(set(assigned.tolist())) == 1
    assert "3 topics were asked for" in (result.n_topics_rule or "")


def _check_merge_list(merges: list[dict[str, Any]], n_raw: int, final_ids: list[int]) -> None:
    alive = set(range(n_raw))
    for step, merge in enumerate(merges):
        assert merge["step"] == step
        assert merge["into"] == n_raw + step
        a, b = merge["merged"]
        assert a != b and a in alive and b in alive
        assert -1.0 <= merge["similarity"] <= 1.0 + 1e-9
        alive -= {a, b}
        alive.add(merge["into"])
    assert sorted(final_ids) == sorted(alive)


def test_kmeans_gives_exactly_the_count_asked_with_no_outliers(case: BlobCase) -> None:
    result = fit_clusters(case.tokens, case.vocab, case.points, n_topics=6)
    assert result.settings["algorithm"] == "kmeans"
    assert result.n_topics == 6
    assert (result.assignments >= 0).all()
    details = ClusterDetails.of(result)
    assert details.clustering == "kmeans"
    assert details.merges == [] and details.n_outliers == 0 == details.outlier_share
    assert details.topic_clusters == [[i] for i in sorted(details.topic_merge_ids)] or (
        sorted(c for group in details.topic_clusters for c in group) == list(range(6))
    )
    assert "k-means" in (result.n_topics_rule or "")
    assert result.sizes == sorted(result.sizes, reverse=True)
    blob_docs = case.labels >= 0
    assert adjusted_rand_score(case.labels[blob_docs], result.assignments[blob_docs]) >= 0.9
    assert all(_within_one_planted_set(w[:10], case.planted) for w in result.topic_words)
    again = fit_clusters(case.tokens, case.vocab, case.points, n_topics=6)
    np.testing.assert_array_equal(again.assignments, result.assignments)
    assert again.topic_words == result.topic_words


def test_kmeans_with_fewer_distinct_documents_than_topics() -> None:
    tokens = [["apple", "pear"]] * 4 + [["kiwi", "plum"]] * 4
    points = np.repeat(np.eye(2, 8), 4, axis=0)
    result = fit_clusters(tokens, ["apple", "kiwi", "pear", "plum"], points, n_topics=5)
    assert result.n_topics == 2
    assert sorted(result.sizes) == [4, 4]
    assert "only 2 distinct documents" in (result.n_topics_rule or "")


@pytest.mark.parametrize("n_docs", [1, 2, 3])
def test_kmeans_on_a_tiny_corpus(n_docs: int) -> None:
    tokens = [["apple", "pear"], ["apple", "plum"], ["kiwi"]][:n_docs]
    embeddings = np.random.default_rng(0).normal(size=(n_docs, 8))
    result = fit_clusters(tokens, ["apple", "kiwi", "pear", "plum"], embeddings, n_topics=2)
    assert result.n_topics == min(2, n_docs)
    assert (result.assignments >= 0).all()
    np.testing.assert_allclose(result.doc_topic.sum(axis=1), 1.0)


def test_clustering_is_resolved_from_the_topic_count() -> None:
    assert ClusterSettings().algorithm("auto") == "hdbscan"
    assert ClusterSettings().algorithm(5) == "kmeans"
    assert ClusterSettings(clustering="hdbscan").algorithm(5) == "hdbscan"
    with pytest.raises(SettingsError, match="clustering: 'kmeans' needs a number of topics"):
        fit_clusters([["a"]], ["a"], np.ones((1, 2)), ClusterSettings(clustering="kmeans"))
    with pytest.raises(SettingsError, match="clustering: must be one of"):
        ClusterSettings(clustering="dbscan").validate()  # type: ignore[arg-type]


def test_core_labels_keep_the_documents_closest_to_each_centroid() -> None:
    angles = np.array([0.0, 0.1, 0.2, 0.6, 3.0, 3.1, 3.3, 0.3])
    emb = np.column_stack([np.cos(angles), np.sin(angles)])
    labels = np.array([0, 0, 0, 0, 1, 1, 1, -1])
    core = core_labels(emb, labels, 2, 0.5, min_docs=1)
    # Topic 0's centroid lies near angle 0.22: the two closest are 0.1 and 0.2;
    # topic 1's near 3.13 keeps ceil(1.5) = 2 (3.1 and 3.0); outliers stay out.
    assert core.tolist() == [-1, 0, 0, -1, 1, 1, -1, -1]
    assert core_labels(emb, labels, 2, 1.0).tolist() == labels.tolist()
    # Small topics keep min_docs documents, or all of them.
    assert core_labels(emb, labels, 2, 0.1, min_docs=2).tolist() == core.tolist()
    assert core_labels(emb, labels, 2, 0.5, min_docs=10).tolist() == labels.tolist()


def test_topic_words_come_from_the_core_not_the_edge(monkeypatch: pytest.MonkeyPatch) -> None:
    """Edge documents of topic A carry words of their own; the core's words name A."""
    # Cluster the points as given: this test is about words, not the UMAP layout.
    monkeypatch.setattr(
        clusters_module, "reduce_embeddings", lambda emb, n_components, seed, **_: np.asarray(emb)
    )
    rng = np.random.default_rng(0)
    core_a = [["apple", "pear", "plum"] * 3 for _ in range(20)]
    edge_a = [["apple", "plank", "nail", "glue"] * 3 for _ in range(16)]
    docs_b = [["kiwi", "mango", "lime", "fig"] * 3 for _ in range(40)]
    tokens = core_a + edge_a + docs_b
    angle = np.concatenate(
        [rng.normal(0.0, 0.02, 20), rng.normal(0.5, 0.02, 16), rng.normal(1.5, 0.02, 40)]
    )
    emb = np.column_stack([np.cos(angle), np.sin(angle), np.zeros(len(angle))])
    vocab = sorted({t for doc in tokens for t in doc})

    def words_of_a(share: float) -> list[str]:
        settings = ClusterSettings(core_share=share)
        result = fit_clusters(tokens, vocab, emb, settings, n_topics=2, seed=0)
        a = int(result.assignments[0])
        assert set(result.assignments[:36].tolist()) == {a}, "edge documents belong to A"
        return result.topic_words[a]

    assert {"plank", "nail", "glue"}.isdisjoint(words_of_a(0.5))
    assert {"plank", "nail", "glue"} <= set(words_of_a(1.0))


@pytest.mark.parametrize("share", [0, 1.5, True, "half"])
def test_core_share_is_validated(share: object) -> None:
    with pytest.raises(SettingsError, match="core_share: must be a number in"):
        ClusterSettings(core_share=share).validate()  # type: ignore[arg-type]


@pytest.fixture
def planted_outliers(case: BlobCase, monkeypatch: pytest.MonkeyPatch) -> IntArray:
    """Make HDBSCAN return the true blobs with every 10th document an outlier.

    UMAP pulls synthetic noise points into the nearest blob, so outliers are
    planted at the clustering step instead.
    """
    raw = case.labels.copy()
    raw[::10] = -1
    raw[case.labels < 0] = -1

    def fake_hdbscan(emb: FloatArray, *, min_cluster_size: int, seed: int, **_: object) -> IntArray:
        return raw.copy()

    monkeypatch.setattr(clusters_module, "_hdbscan_labels", fake_hdbscan)
    return raw


def test_outliers_are_kept_and_reported(case: BlobCase, planted_outliers: IntArray) -> None:
    settings = ClusterSettings(clustering="hdbscan")
    result = fit_clusters(case.tokens, case.vocab, case.points, settings, n_topics=6)
    outliers = planted_outliers < 0
    np.testing.assert_array_equal(result.assignments < 0, outliers)
    assert ClusterDetails.of(result).outlier_share == pytest.approx(outliers.mean())
    assert ClusterDetails.of(result).n_outliers == int(outliers.sum())
    np.testing.assert_allclose(result.doc_topic.sum(axis=1), 1.0)
    # Outliers do not count towards topic words: still one planted set each.
    assert all(_within_one_planted_set(w[:10], case.planted) for w in result.topic_words)


def test_assign_outliers_uses_the_nearest_centroid(
    case: BlobCase, planted_outliers: IntArray
) -> None:
    plain_settings = ClusterSettings(clustering="hdbscan")
    plain = fit_clusters(case.tokens, case.vocab, case.points, plain_settings, n_topics=6)
    settings = ClusterSettings(clustering="hdbscan", assign_outliers=True)
    result = fit_clusters(case.tokens, case.vocab, case.points, settings, n_topics=6)
    assert (result.assignments >= 0).all()
    share = ClusterDetails.of(result).outlier_share
    assert share == ClusterDetails.of(plain).outlier_share > 0
    kept = planted_outliers >= 0
    # Topic ids may be renumbered (sizes changed), but clustered documents keep their groups.
    assert adjusted_rand_score(plain.assignments[kept], result.assignments[kept]) == 1.0
    # A blob document left out by HDBSCAN joins the topic of its own blob.
    blob_to_topic = {
        int(b): int(result.assignments[(case.labels == b) & kept][0]) for b in range(6)
    }
    moved = ~kept & (case.labels >= 0)
    expected = [blob_to_topic[int(b)] for b in case.labels[moved]]
    assert result.assignments[moved].tolist() == expected


# Doc2Vec on 300 short documents is too noisy for k-means, which must place every
# document (ARI 0.47); HDBSCAN leaves the noisy ones out.
@pytest.mark.parametrize(
    ("method", "clustering"), [("lsa", "kmeans"), ("lsa", "hdbscan"), ("doc2vec", "hdbscan")]
)
def test_planted_corpus_end_to_end(planted: Planted, method: str, clustering: str) -> None:
    settings = EmbedSettings(method=method, vector_size=32)  # type: ignore[arg-type]
    embeddings = embed_documents(planted.tokens, settings, seed=0)
    vocab = _vocab(planted.tokens)
    result = fit_clusters(
        planted.tokens,
        vocab,
        embeddings,
        ClusterSettings(clustering=clustering),  # type: ignore[arg-type]
        n_topics=6,
    )
    assert result.n_topics == 6
    assert ClusterDetails.of(result).clustering == clustering
    assert all(_within_one_planted_set(w[:10], planted) for w in result.topic_words)
    clustered = result.assignments >= 0
    main = np.asarray(planted.main_topic)
    assert adjusted_rand_score(main[clustered], result.assignments[clustered]) >= 0.9


@pytest.mark.slow  # embeds, clusters and draws the map: ~7 s, 15 s in a fresh process
def test_plug_in_searches_neighbours_once_for_clusters_and_map(
    planted: Planted, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clustering space and the map share one graph, handed over as a value."""
    from topics.models import projection
    from topics.pipeline import RunSettings, _Silent

    searches: list[int] = []
    exact_knn = projection._exact_knn

    def counted(data: Any, k: int) -> Any:
        searches.append(len(data))
        return exact_knn(data, k)

    monkeypatch.setattr(projection, "_exact_knn", counted)
    vocab = _vocab(planted.tokens)
    pre = Preprocessed(planted.tokens, list(range(len(planted.tokens))), vocab, [], {})
    settings = RunSettings(
        seed=3, n_topics=6, embed=EmbedSettings(vector_size=32), models=("clusters",)
    )
    context = FitContext(pre, settings, _Silent(), {}, None, tmp_path)
    fit = clusters_module.SPEC.fit(context)
    assert searches == [len(planted.tokens)]
    assert fit.embeddings is not None and fit.coords is not None
    # The model UMAP's own search gives; the map from the graph of the unit rows.
    alone = fit_clusters(planted.tokens, vocab, fit.embeddings, n_topics=6, seed=3)
    np.testing.assert_array_equal(fit.result.assignments, alone.assignments)
    graph = shared_graph(fit.embeddings, seed=3)
    np.testing.assert_array_equal(fit.coords, project_2d(fit.embeddings, seed=3, graph=graph))


def test_boruvka_hdbscan_above_its_size_finds_the_same_blobs(
    case: BlobCase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large corpora build HDBSCAN's tree with the hdbscan package: same density clusters."""
    monkeypatch.setattr(clusters_module, "BORUVKA_ABOVE", 100)
    fast = fit_clusters(case.tokens, case.vocab, case.points, seed=0)
    clustered = case.labels >= 0
    assert fast.n_topics == case.result.n_topics
    assert adjusted_rand_score(case.labels[clustered], fast.assignments[clustered]) > 0.95
    again = fit_clusters(case.tokens, case.vocab, case.points, seed=0)
    np.testing.assert_array_equal(fast.assignments, again.assignments)


def test_a_sampled_graph_clusters_the_sample_and_labels_the_rest_by_its_neighbours(
    case: BlobCase,
) -> None:
    """Above the UMAP sample, HDBSCAN sees the sample; the rest take their neighbours' label."""
    from topics.models import projection

    unit = np.asarray(projection._unit_rows(case.points), dtype=np.float32)
    graph = projection.neighbor_graph(unit, n_neighbors=15, seed=0, fit_sample=150)
    assert graph.sample is not None and graph.rest is not None
    assert graph.rest_indices is not None
    sampled = fit_clusters(case.tokens, case.vocab, case.points, seed=0, graph=graph)
    clustered = case.labels >= 0
    assert sampled.n_topics == 6
    assert adjusted_rand_score(case.labels[clustered], sampled.assignments[clustered]) > 0.95
    # Each other document carries the topic most of its 15 nearest sampled documents have.
    neighbours = sampled.assignments[graph.sample][graph.rest_indices]
    for doc, row in zip(graph.rest, neighbours, strict=True):
        values, counts = np.unique(row, return_counts=True)
        assert sampled.assignments[doc] in values[counts == counts.max()]
    again = fit_clusters(case.tokens, case.vocab, case.points, seed=0, graph=graph)
    np.testing.assert_array_equal(sampled.assignments, again.assignments)


def _diffuse_blobs(n_docs: int) -> tuple[FloatArray, IntArray, list[list[str]], list[str]]:
    """Six wide blobs: a small ``min_cluster_size`` splits them into many specks."""
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(6, 50))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = np.repeat(np.arange(6), n_docs // 6)
    points = centres[labels] + rng.normal(scale=0.2, size=(labels.size, 50))
    tokens = [[f"w{b}x{j}" for j in rng.choice(15, 8)] for b in labels]
    return points, labels, tokens, sorted({t for doc in tokens for t in doc})


def test_a_small_sample_share_does_not_vote_the_rest_outlier() -> None:
    """A sample of a tenth clusters as a corpus of its size; the rest are no more outliers.

    Scaled by the sample's share (300 of 3,000: 18 -> 2), HDBSCAN split the sample into
    48 specks and 8% outliers, and the rest, voting among them, took -1 for 27%.
    """
    from topics.models import projection

    points, labels, tokens, vocab = _diffuse_blobs(3000)
    unit = np.asarray(projection._unit_rows(points), dtype=np.float32)
    graph = projection.neighbor_graph(unit, n_neighbors=15, seed=0, fit_sample=300)
    assert graph.sample is not None and graph.rest is not None
    settings = ClusterSettings(clustering="hdbscan")
    result = fit_clusters(tokens, vocab, points, settings, n_topics=6, seed=0, graph=graph)
    details = ClusterDetails.of(result)
    assert details.min_cluster_size == default_min_cluster_size(300)
    outliers = result.assignments < 0
    assert outliers.mean() < 0.1
    assert outliers[graph.rest].mean() <= outliers[graph.sample].mean() + 0.05
    kept = ~outliers
    assert adjusted_rand_score(labels[kept], result.assignments[kept]) > 0.9
    again = fit_clusters(tokens, vocab, points, settings, n_topics=6, seed=0, graph=graph)
    np.testing.assert_array_equal(result.assignments, again.assignments)


def test_sample_min_cluster_size_depends_on_the_sample_alone_unless_set() -> None:
    for n_docs in (30_000, 100_000, 1_000_000):
        assert sample_min_cluster_size(None, n_docs, 20_000) == default_min_cluster_size(20_000)
    # A size asked for is a share of the corpus: scaled to the sample, at least MIN_SAMPLES.
    assert sample_min_cluster_size(500, 1_000_000, 20_000) == 10
    assert sample_min_cluster_size(100, 1_000_000, 20_000) == clusters_module.MIN_SAMPLES
    assert sample_min_cluster_size(3, 1_000_000, 20_000) == 3


def test_vote_takes_the_most_frequent_label_and_breaks_ties_by_nearness() -> None:
    labels = np.array(
        [
            [2, 0, 0, 1, 1],  # 0 and 1 twice each: 0's votes are nearer
            [1, 1, -1, -1, -1],  # most neighbours are outliers
            [-1, 3, 3, 0, 3],
            [4, 4, 4, 4, 4],
        ]
    )
    assert clusters_module._vote(labels).tolist() == [0, -1, 3, 4]


@pytest.mark.parametrize("n_docs", [1, 2, 3])
def test_tiny_corpus(n_docs: int) -> None:
    tokens = [["apple", "pear"], ["apple", "plum"], ["kiwi"]][:n_docs]
    embeddings = np.random.default_rng(0).normal(size=(n_docs, 8))
    result = fit_clusters(tokens, ["apple", "kiwi", "pear", "plum"], embeddings, ClusterSettings())
    assert result.n_topics == 1
    assert result.assignments.tolist() == [0] * n_docs
    np.testing.assert_allclose(result.doc_topic.sum(axis=1), 1.0)
    assert result.topic_words[0][0] in {"apple", "kiwi"}
    assert "no dense cluster" in (result.n_topics_rule or "")


def test_count_matrix_ignores_unknown_tokens() -> None:
    counts = count_matrix([["b", "a", "b", "zzz"], [], ["c"]], ["a", "b", "c"])
    np.testing.assert_array_equal(counts.toarray(), [[1, 2, 0], [0, 0, 0], [0, 0, 1]])


def test_class_tfidf_matches_bertopic_formula() -> None:
    counts = np.array([[3.0, 1.0, 0.0], [0.0, 1.0, 4.0]])
    tf = counts / counts.sum(axis=1, keepdims=True)
    avg_words = counts.sum() / 2
    expected = tf * np.log(1 + avg_words / counts.sum(axis=0))
    np.testing.assert_allclose(class_tfidf(counts), expected)
    np.testing.assert_allclose(class_tfidf(sparse.csr_matrix(counts)), expected)
    # A term that never occurs gets weight 0, not NaN.
    assert class_tfidf(np.array([[1.0, 0.0]]))[0, 1] == 0.0


def test_merge_takes_smallest_topic_into_its_most_similar() -> None:
    counts = sparse.csr_matrix(
        np.array(
            [
                [10, 10, 0, 0, 0],  # 0: size 50
                [5, 5, 0, 0, 0],  # 1: size 5, same direction as 0
                [0, 0, 10, 10, 0],  # 2: size 20
                [0, 0, 0, 1, 10],  # 3: size 30
            ],
            dtype=float,
        )
    )
    merges, groups = merge_topics(counts, np.array([50, 5, 20, 30]), 2)
    assert merges[0]["merged"] == [1, 0] and merges[0]["into"] == 4
    assert merges[0]["similarity"] == pytest.approx(1.0)
    # Next smallest is 2 (20 docs); its nearest is 3 (shared term), not 4.
    assert merges[1]["merged"] == [2, 3] and merges[1]["into"] == 5
    assert sorted(sorted(g) for g in groups) == [[0, 1], [2, 3]]


def test_merge_ties_go_to_the_smaller_partner() -> None:
    counts = sparse.csr_matrix(
        np.array(
            [
                [10, 10, 0, 0],  # 0: size 50
                [1, 0, 1, 0],  # 1: size 3, equally similar to 0 and 2
                [0, 0, 10, 10],  # 2: size 20
            ],
            dtype=float,
        )
    )
    merges, _ = merge_topics(counts, np.array([50, 3, 20]), 2)
    assert merges[0]["merged"] == [1, 2]


def test_default_min_cluster_size_grows_with_the_corpus() -> None:
    assert default_min_cluster_size(3) == 3
    assert default_min_cluster_size(100) == 5
    assert default_min_cluster_size(2225) == 16
    assert default_min_cluster_size(18_700) == 46
    assert default_min_cluster_size(10_000_000) == 100


def test_invalid_settings_are_all_reported() -> None:
    bad = ClusterSettings(min_cluster_size=1, top_n=0)
    with pytest.raises(SettingsError) as info:
        fit_clusters([["a"]], ["a"], np.ones((1, 2)), bad, n_topics=0, seed=-1)
    for name in ("n_topics", "min_cluster_size", "seed", "top_n"):
        assert name in str(info.value)
    with pytest.raises(SettingsError, match="n_topics"):
        fit_clusters([["a"]], ["a"], np.ones((1, 2)), n_topics="many")  # type: ignore[arg-type]


def test_mismatched_inputs_raise() -> None:
    with pytest.raises(ValueError, match="2 rows but there are 3 token lists"):
        fit_clusters([["a"], ["a"], ["a"]], ["a"], np.ones((2, 4)), ClusterSettings())
    with pytest.raises(ValueError, match="vocab is empty"):
        fit_clusters([["a"]], [], np.ones((1, 4)), ClusterSettings())
