from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from topics.models import projection
from topics.models.projection import project_2d, reduce_embeddings
from topics.types import FloatArray, IntArray

REPO = Path(__file__).resolve().parents[2]


def blobs(
    n_blobs: int = 6, per_blob: int = 50, dims: int = 50, seed: int = 0
) -> tuple[FloatArray, IntArray]:
    """Well-separated Gaussian blobs around random unit directions."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_blobs, dims))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    labels = np.repeat(np.arange(n_blobs), per_blob)
    points = centres[labels] + rng.normal(scale=0.05, size=(labels.size, dims))
    return points, labels


@pytest.fixture(scope="module")
def blob_data() -> tuple[FloatArray, IntArray]:
    return blobs()


@pytest.fixture(scope="module")
def map_2d(blob_data: tuple[FloatArray, IntArray]) -> FloatArray:
    return project_2d(blob_data[0], seed=7)


def test_reduce_is_seeded(blob_data: tuple[FloatArray, IntArray]) -> None:
    first = reduce_embeddings(blob_data[0], n_components=5, seed=1)
    second = reduce_embeddings(blob_data[0], n_components=5, seed=1)
    assert first.shape == (300, 5)
    assert first.dtype == np.float64
    np.testing.assert_array_equal(first, second)


def test_map_is_seeded_and_in_unit_square(
    blob_data: tuple[FloatArray, IntArray], map_2d: FloatArray
) -> None:
    assert map_2d.shape == (300, 2)
    assert map_2d.min() >= 0.0 and map_2d.max() <= 1.0
    # The longer axis spans [0, 1] exactly; the other keeps the aspect ratio.
    spans = map_2d.max(axis=0) - map_2d.min(axis=0)
    assert spans.max() == pytest.approx(1.0)
    np.testing.assert_array_equal(project_2d(blob_data[0], seed=7), map_2d)


def test_map_keeps_blobs_apart(blob_data: tuple[FloatArray, IntArray], map_2d: FloatArray) -> None:
    labels = blob_data[1]
    dist = np.linalg.norm(map_2d[:, None, :] - map_2d[None, :, :], axis=2)
    np.fill_diagonal(dist, np.inf)
    nearest = np.argmin(dist, axis=1)
    assert np.mean(labels[nearest] == labels) > 0.95


@pytest.mark.parametrize("n_docs", [0, 1, 2, 3, 4, 6, 8])
def test_tiny_inputs(n_docs: int) -> None:
    data = np.random.default_rng(n_docs).normal(size=(n_docs, 10))
    for n_components in (5, 2):
        reduced = reduce_embeddings(data, n_components=n_components, seed=0)
        assert reduced.shape == (n_docs, n_components)
        assert np.isfinite(reduced).all()
    coords = project_2d(data, seed=0)
    assert coords.shape == (n_docs, 2)
    if n_docs:
        assert coords.min() >= 0.0 and coords.max() <= 1.0


def test_identical_points_get_the_centre() -> None:
    coords = project_2d(np.ones((3, 4)), seed=0)
    np.testing.assert_array_equal(coords, np.full((3, 2), 0.5))


def test_bad_arguments_raise() -> None:
    with pytest.raises(ValueError, match="2-D"):
        reduce_embeddings(np.ones(5), n_components=2, seed=0)
    with pytest.raises(ValueError, match="n_neighbors"):
        reduce_embeddings(np.ones((5, 3)), n_components=2, seed=0, n_neighbors=1)


def test_importing_the_module_does_not_import_umap() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, topics.models.projection; print('umap' in sys.modules)",
        ],
        cwd=REPO,
        env=os.environ | {"PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def _umap_reference_knn(data: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
    """The neighbours UMAP computes for fewer than 4,096 rows: its own cosine, all pairs."""
    from sklearn.metrics import pairwise_distances
    from umap.distances import cosine

    dmat = pairwise_distances(np.asarray(data, dtype=np.float32), metric=cosine)
    order = np.argsort(dmat, axis=1, kind="mergesort")[:, :k]
    return order, np.take_along_axis(dmat, order, axis=1)


def test_exact_graph_is_umaps_graph(blob_data: tuple[FloatArray, IntArray]) -> None:
    points = np.asarray(blob_data[0][:120], dtype=np.float32)
    # Duplicates and a zero vector: the cases where UMAP's distance conventions matter.
    data = np.vstack([points, points[:5], np.zeros((1, points.shape[1]), np.float32)])
    graph = projection.neighbor_graph(data, n_neighbors=15, seed=3)
    indices, distances = _umap_reference_knn(data, 15)
    np.testing.assert_array_equal(graph.indices, indices)
    np.testing.assert_allclose(graph.distances, distances, atol=1e-6)
    assert graph.distances[:, 0].max() == 0.0  # itself (or an identical vector) first


def test_exact_graph_gives_umaps_fuzzy_graph(blob_data: tuple[FloatArray, IntArray]) -> None:
    import umap

    data = np.asarray(blob_data[0], dtype=np.float32)
    graph = projection.neighbor_graph(data, n_neighbors=15, seed=1)
    own = umap.UMAP(n_neighbors=15, metric="cosine", random_state=1, n_jobs=1, n_epochs=1)
    handed = umap.UMAP(
        n_neighbors=15,
        metric="cosine",
        random_state=graph.state,
        n_jobs=1,
        n_epochs=1,
        precomputed_knn=(graph.indices.copy(), graph.distances.copy(), None),
    )
    with pytest.warns(UserWarning, match="knn_search_index"):
        handed.fit(data)
    own.fit(data)
    assert abs(own.graph_ - handed.graph_).max() < 1e-5


def test_a_handed_graph_gives_the_same_projection(blob_data: tuple[FloatArray, IntArray]) -> None:
    points = blob_data[0][:80] * 3.0 + 0.25
    unit = points / np.linalg.norm(points, axis=1, keepdims=True)
    graph = projection.shared_graph(points, seed=4)
    assert graph is not None and graph.n_docs == 80 and graph.n_neighbors == 15
    # The cluster model hands UMAP its float64 unit rows; the map gets the raw vectors.
    np.testing.assert_array_equal(
        reduce_embeddings(unit, n_components=5, seed=4, graph=graph),
        reduce_embeddings(unit, n_components=5, seed=4),
    )
    # One graph serves several fits: each copies its random state, none advances it.
    np.testing.assert_array_equal(
        project_2d(points.astype(np.float32), seed=4, graph=graph),
        project_2d(points.astype(np.float32), seed=4, graph=graph),
    )


def test_a_graph_of_other_documents_is_refused(blob_data: tuple[FloatArray, IntArray]) -> None:
    graph = projection.shared_graph(blob_data[0][:80], seed=4)
    with pytest.raises(ValueError, match="neighbour graph is of 80 documents"):
        reduce_embeddings(blob_data[0][:60], n_components=5, seed=4, graph=graph)
    with pytest.raises(ValueError, match="seed 4"):
        reduce_embeddings(blob_data[0][:80], n_components=5, seed=5, graph=graph)


@pytest.mark.parametrize("n_docs", [0, 2, 3])
def test_no_graph_where_umap_does_not_run(n_docs: int) -> None:
    data = np.random.default_rng(0).normal(size=(n_docs, 6))
    assert projection.shared_graph(data, seed=0) is None


def test_small_corpora_are_fitted_whole(blob_data: tuple[FloatArray, IntArray]) -> None:
    graph = projection.neighbor_graph(
        np.asarray(blob_data[0], dtype=np.float32), n_neighbors=15, seed=0
    )
    assert graph.sample is None and graph.rest is None and graph.n_docs == 300


@pytest.fixture(scope="module")
def sampled(blob_data: tuple[FloatArray, IntArray]) -> projection.NeighborGraph:
    data = np.asarray(blob_data[0], dtype=np.float32)
    return projection.neighbor_graph(data, n_neighbors=15, seed=3, fit_sample=120)


def test_sampled_graph_finds_the_rests_nearest_sampled_documents(
    blob_data: tuple[FloatArray, IntArray], sampled: projection.NeighborGraph
) -> None:
    assert sampled.sample is not None and sampled.rest is not None
    assert sampled.rest_indices is not None and sampled.rest_distances is not None
    assert sampled.n_docs == 300 and sampled.indices.shape == (120, 15)
    np.testing.assert_array_equal(
        np.sort(np.concatenate([sampled.sample, sampled.rest])), np.arange(300)
    )
    unit = blob_data[0] / np.linalg.norm(blob_data[0], axis=1, keepdims=True)
    distance = 1.0 - unit[sampled.rest] @ unit[sampled.sample].T
    expected = np.sort(distance, axis=1)[:, :15]
    found = np.take_along_axis(distance, sampled.rest_indices.astype(np.int64), axis=1)
    np.testing.assert_allclose(found, expected, atol=1e-5)
    np.testing.assert_allclose(sampled.rest_distances, expected, atol=1e-5)
    # The sample's own graph is the one a fit of the sample alone searches for.
    alone = projection.neighbor_graph(
        np.asarray(blob_data[0][sampled.sample], dtype=np.float32), n_neighbors=15, seed=3
    )
    np.testing.assert_array_equal(sampled.indices, alone.indices)


def test_sampled_fit_places_the_rest_with_transform(
    blob_data: tuple[FloatArray, IntArray], sampled: projection.NeighborGraph
) -> None:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    assert sampled.sample is not None
    data, labels = blob_data
    reduced = reduce_embeddings(data, n_components=5, seed=3, graph=sampled)
    np.testing.assert_array_equal(
        reduced, reduce_embeddings(data, n_components=5, seed=3, graph=sampled)
    )
    # The sample's coordinates are UMAP's fit of the sample alone.
    sample_only = reduce_embeddings(data[sampled.sample], n_components=5, seed=3)
    np.testing.assert_array_equal(reduced[sampled.sample], sample_only)
    np.testing.assert_array_equal(
        reduce_embeddings(data, n_components=5, seed=3, graph=sampled, sample_only=True),
        sample_only,
    )
    found = KMeans(n_clusters=6, n_init=5, random_state=0).fit_predict(reduced)
    assert adjusted_rand_score(labels, found) > 0.95
    coords = project_2d(data, seed=3, graph=sampled)
    assert coords.shape == (300, 2) and coords.min() >= 0.0 and coords.max() <= 1.0


@pytest.mark.parametrize("n_components", [5, 2])
def test_transform_rest_is_umaps_transform_to_the_bit(
    blob_data: tuple[FloatArray, IntArray], sampled: projection.NeighborGraph, n_components: int
) -> None:
    import warnings

    assert sampled.sample is not None and sampled.rest is not None
    data = np.asarray(projection._unit_rows(blob_data[0]), dtype=np.float32)
    model = projection._graph_umap(sampled, n_components=n_components, min_dist=0.1)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        model.fit(data[sampled.sample])
        expected = model.transform(data[sampled.rest])
    np.testing.assert_array_equal(projection.transform_rest(model, sampled), expected)


def test_init_transform_is_umaps_loop_to_the_bit() -> None:
    from scipy import sparse
    from umap.umap_ import init_graph_transform

    rng = np.random.default_rng(5)
    # Rows of every degree from 0 to 20 (numpy sums 8 or more values pairwise), random
    # weights, and rows holding a weight of exactly 1 (a point on a sampled one).
    n_rows, n_cols = 400, 60
    degree = rng.integers(0, 21, size=n_rows)
    rows = np.repeat(np.arange(n_rows), degree)
    cols = np.concatenate([rng.choice(n_cols, size=d, replace=False) for d in degree])
    values = rng.random(rows.size).astype(np.float32)
    values[rng.random(rows.size) < 0.03] = 1.0
    graph = sparse.coo_matrix((values, (rows, cols)), shape=(n_rows, n_cols)).tocsr()
    embedding = rng.normal(size=(n_cols, 3)).astype(np.float32)
    np.testing.assert_array_equal(
        projection._init_transform(graph, embedding), init_graph_transform(graph, embedding)
    )


@pytest.mark.parametrize("n_cols", [240, 1000, 1013])
def test_k_smallest_is_a_stable_sorts_first_k(n_cols: int) -> None:
    rng = np.random.default_rng(n_cols)
    # Rounded to 2 decimals: many ties at every rank, broken by index as a stable sort does.
    block = np.round(rng.random((300, n_cols)), 2).astype(np.float32)
    block[:7] = 1.0  # rows all tied (zero vectors)
    block[7:20, 100:140] = block[7:20, 60:100]  # duplicated columns
    expected = np.argsort(block, axis=1, kind="stable")[:, :15]
    indices, distances = projection._k_smallest(block, 15)
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_array_equal(distances, np.take_along_axis(block, expected, axis=1))
    # Every row tied throughout: too many slots to sort, the whole-row partition answers.
    tied = np.ones((30, n_cols), dtype=np.float32)
    np.testing.assert_array_equal(
        projection._k_smallest(tied, 15)[0], np.tile(np.arange(15), (30, 1))
    )


def test_query_knn_keeps_umaps_zero_vector_convention() -> None:
    data = np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    queries = np.array([[0.0, 0.0], [1.0, 0.1]], dtype=np.float32)
    indices, distances = projection._query_knn(queries, data, 3)
    # A zero vector is 0 from another zero vector and 1 from everything else.
    assert indices[0, 0] == 1 and distances[0].tolist() == [0.0, 1.0, 1.0]
    assert indices[1].tolist() == [0, 2, 1] and distances[1, 2] == 1.0


def test_row_blocks_give_what_whole_arrays_give(
    blob_data: tuple[FloatArray, IntArray], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rest's queries and the unit rows, taken by blocks, are the whole arrays' to the bit."""
    points = blob_data[0]
    monkeypatch.setattr(projection, "_QUERY_BLOCK", 7)
    monkeypatch.setattr(projection, "_ROW_BLOCK", 11)
    unit = projection._unit_rows_f32(points)
    np.testing.assert_array_equal(unit, np.asarray(projection._unit_rows(points), np.float32))
    rows = np.arange(0, points.shape[0], 3)
    by_rows = projection._query_knn(unit, unit[:100], 5, rows=rows)
    copied = projection._query_knn(unit[rows], unit[:100], 5)
    np.testing.assert_array_equal(by_rows[0], copied[0])
    np.testing.assert_array_equal(by_rows[1], copied[1])


def test_umaps_compiled_functions_are_cached_on_disk(
    blob_data: tuple[FloatArray, IntArray],
) -> None:
    reduce_embeddings(blob_data[0][:40], n_components=2, seed=0)
    import umap.umap_

    assert type(umap.umap_.smooth_knn_dist._cache).__name__ == "FunctionCache"
