"""Low-dimensional projections of document embeddings (UMAP, seeded).

``reduce_embeddings`` feeds the density clustering (a few dimensions);
``project_2d`` gives the document map's coordinates. umap-learn is imported
lazily: its numba compilation is slow, so a per-user numba cache directory is
set up first (see ``topics.store.compiled``) and UMAP's own compiled functions are
cached there too (see ``topics.store.compiled.cache_compiled``).

Both projections start from the same cosine k-nearest-neighbour graph: the cluster
model builds it once (``shared_graph``) and hands the value to both (``graph=``).
UMAP alone computed it twice, and below 4,096 documents it did so by calling a
numba distance from Python for every pair (``sklearn.pairwise_distances`` with a
callable), the slowest step of a BBC-sized run (``bench/speed.py``).
"""

from __future__ import annotations

import copy
import logging
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from topics.store.compiled import cache_compiled, ensure_numba_cache_dir
from topics.types import FloatArray

if TYPE_CHECKING:
    from topics.executor import Executor

logger = logging.getLogger(__name__)

# UMAP needs a few neighbours and enough points for its spectral layout;
# below this we use PCA instead.
_MIN_NEIGHBORS = 2
#: Rows of the exact distance matrix held at once (bounds memory: 512 x 20,000 floats).
_EXACT_BLOCK = 512
#: Cosine distances below this are rounding error of identical vectors (float64 products
#: of unit rows err by ~1e-15) and count as 0.
_SAME = 1e-10
#: Above this many documents UMAP is fitted on a seeded sample of this many and the rest
#: are placed by UMAP's ``transform`` (see ``neighbor_graph``); up to it, on all of them.
#: It also bounds the exact neighbour search, which is quadratic: ~6 s of CPU at 19k.
#: The layout's epochs grow with the documents (~150 s of a 100k run for the clustering
#: space alone, as much again for the map) and the spectral start with more; measured
#: cost and quality in ``bench/umap_sample.py``.
FIT_SAMPLE = 20_000
#: Rows of the sample's distance matrix held at once while placing the rest.
_QUERY_BLOCK = 1024
#: Rows per block when normalising a whole corpus's rows.
_ROW_BLOCK = 65_536
#: Columns per slot when bounding a row's nearest neighbours (``_k_smallest``).
_SLOT = 16


def reduce_embeddings(
    embeddings: npt.ArrayLike,
    *,
    n_components: int,
    seed: int,
    n_neighbors: int = 15,
    min_dist: float = 0.0,
    executor: Executor | None = None,
    graph: NeighborGraph | None = None,
    sample_only: bool = False,
    n_epochs: int | None = None,
) -> FloatArray:
    """Reduce embeddings to ``n_components`` dimensions with seeded cosine UMAP.

    Parameters
    ----------
    embeddings
        Array of shape (n_docs, n_dims).
    n_components
        Output dimensions.
    seed
        UMAP ``random_state``; the same seed gives the same output.
    n_neighbors
        UMAP neighbourhood size, clamped to ``n_docs - 1`` for small inputs.
    min_dist
        UMAP ``min_dist`` (0 packs clusters tightly, which suits clustering).
    graph
        The documents' neighbour graph (``shared_graph`` / ``neighbor_graph``) for this
        ``seed`` and neighbourhood size; None: it is built here.
    sample_only
        With a sampled ``graph``: only the sample's rows (in ``graph.sample`` order),
        the rest are not placed.
    n_epochs
        UMAP's layout epochs; None: UMAP's default (500 up to 10,000 documents, 200
        above). Not used with an ``executor``.

    Returns
    -------
    ndarray of float64, shape (n_docs, n_components)
        With fewer than ``max(n_components + 2, 4)`` documents UMAP cannot run
        and the result is a PCA projection padded with zeros.

    With an ``executor`` (a Dask cluster), UMAP is fitted on a seeded sample and the
    workers transform the shards (``topics.executor.embed.umap_sample_transform``).
    """
    source = np.asarray(embeddings)
    # The sample alone is converted when it is all UMAP sees (the clustering space
    # above FIT_SAMPLE): no float32 copy of every document.
    sampled = sample_only and executor is None and graph is not None and graph.sample is not None
    data = source if sampled else np.asarray(source, dtype=np.float32)
    if data.ndim != 2:
        raise ValueError(f"embeddings must be 2-D (n_docs, n_dims), got shape {data.shape}")
    if n_components < 1:
        raise ValueError(f"n_components must be >= 1, got {n_components}")
    if n_neighbors < _MIN_NEIGHBORS:
        raise ValueError(f"n_neighbors must be >= {_MIN_NEIGHBORS}, got {n_neighbors}")
    n_docs = data.shape[0]
    neighbors = min(n_neighbors, n_docs - 1)
    # Spectral initialisation needs more points than output dimensions + 1.
    if neighbors < _MIN_NEIGHBORS or n_docs < n_components + 2:
        logger.info("%d documents: too few for UMAP, using PCA", n_docs)
        return _pca(np.asarray(data, dtype=np.float32), n_components)
    if neighbors < n_neighbors:
        logger.info(
            "%d documents: n_neighbors clamped from %d to %d", n_docs, n_neighbors, neighbors
        )
    if executor is not None:
        from topics.executor.embed import UMAP_SAMPLE, umap_sample_transform

        if n_docs > UMAP_SAMPLE:
            # Fitted on a sample (its own neighbour search), applied on the workers; up
            # to UMAP_SAMPLE documents a cluster fits here, as one machine does.
            sampled = _umap(
                n_components=n_components,
                n_neighbors=neighbors,
                min_dist=min_dist,
                metric="cosine",
                random_state=seed,
                n_jobs=1,
            )
            return umap_sample_transform(data, sampled, seed, executor)
    if graph is None:
        graph = neighbor_graph(data, n_neighbors=neighbors, seed=seed)
    elif (graph.n_docs, graph.n_neighbors, graph.seed) != (n_docs, neighbors, seed):
        raise ValueError(
            f"the neighbour graph is of {graph.n_docs} documents, {graph.n_neighbors} "
            f"neighbours and seed {graph.seed}; these embeddings need {n_docs}, "
            f"{neighbors} and {seed}"
        )
    model = _graph_umap(graph, n_components=n_components, min_dist=min_dist, n_epochs=n_epochs)
    with warnings.catch_warnings():
        # No search index is handed over without a sample: ``transform`` is never called.
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]")
        # Functions numba cannot store (see ``store.compiled``) are compiled as before.
        warnings.filterwarnings("ignore", message="Cannot cache compiled function")
        if graph.sample is None:
            return np.asarray(model.fit_transform(data), dtype=np.float64)
        rows = np.asarray(data[graph.sample], dtype=np.float32)
        fitted = np.asarray(model.fit_transform(rows), dtype=np.float64)
        if sample_only:
            return fitted
        reduced = np.empty((n_docs, n_components), dtype=np.float64)
        reduced[graph.sample] = fitted
        reduced[graph.rest] = transform_rest(model, graph)
    return reduced


def _graph_umap(
    graph: NeighborGraph, *, n_components: int, min_dist: float, n_epochs: int | None = None
) -> Any:
    """An unfitted cosine UMAP that takes its neighbours from ``graph``."""
    return _umap(
        n_components=n_components,
        n_neighbors=graph.n_neighbors,
        min_dist=min_dist,
        n_epochs=n_epochs,
        metric="cosine",
        # The state the search left, so the fit draws what it would have drawn after
        # searching itself (a copy: UMAP advances it, and the graph serves two fits).
        random_state=copy.deepcopy(graph.state),
        # random_state forces one thread anyway; saying so avoids a warning.
        n_jobs=1,
        # Copies: UMAP marks far neighbours in place. The "index" answers ``transform``
        # with the rest's neighbours among the sample, found with the graph.
        precomputed_knn=(
            graph.indices.copy(),
            graph.distances.copy(),
            None if graph.sample is None else _SampleNeighbors(graph),
        ),
    )


def transform_rest(model: Any, graph: NeighborGraph) -> npt.NDArray[np.float32]:
    """UMAP's ``transform`` of the graph's ``rest``, with the same result, faster.

    ``model`` is fitted on the graph's sample (``_graph_umap``). umap-learn 0.5's
    ``transform`` starts each new point at the weighted mean of its sampled neighbours'
    positions in a Python loop that slices a sparse matrix per row (7-9 s of CPU per
    projection for the 74,851 documents outside the sample of a 94,851-document corpus,
    more than its 30 layout epochs; ``bench/umap_sample.py`` landed against all-points);
    here that mean is taken for all rows at once, in the same order of float32
    operations, so the coordinates are the same to the bit
    (``tests/models/test_projection.py``).
    """
    from scipy import sparse
    from sklearn.utils import check_random_state
    from umap.layouts import optimize_layout_euclidean
    from umap.umap_ import (
        INT32_MAX,
        INT32_MIN,
        compute_membership_strengths,
        make_epochs_per_sample,
        smooth_knn_dist,
    )

    assert graph.rest_indices is not None and graph.rest_distances is not None
    # What ``UMAP.transform`` does after its neighbour search, step for step.
    rng_state = (
        check_random_state(model.transform_seed).randint(INT32_MIN, INT32_MAX, 3).astype(np.int64)
    )
    indices = graph.rest_indices.copy()
    dists = graph.rest_distances.astype(np.float32, order="C")
    indices[dists >= model._disconnection_distance] = -1
    sigmas, rhos = smooth_knn_dist(
        dists,
        float(model._n_neighbors),
        local_connectivity=float(max(0.0, model.local_connectivity - 1.0)),
    )
    rows, cols, vals, _ = compute_membership_strengths(indices, dists, sigmas, rhos, bipartite=True)
    n_rest, n_sample = indices.shape[0], model.embedding_.shape[0]
    weights = sparse.coo_matrix((vals, (rows, cols)), shape=(n_rest, n_sample))
    csr = weights.tocsr()
    csr.eliminate_zeros()
    embedding = _init_transform(csr, model.embedding_)
    if model.n_epochs is None:
        n_epochs = 100 if n_rest <= 10_000 else 30
    else:
        n_epochs = int(model.n_epochs // 3.0)
    weights.data[weights.data < (weights.data.max() / float(n_epochs))] = 0.0
    weights.eliminate_zeros()
    placed: npt.NDArray[np.float32] = optimize_layout_euclidean(
        embedding,
        model.embedding_.astype(np.float32, copy=True),
        weights.row,
        weights.col,
        n_epochs,
        n_sample,
        make_epochs_per_sample(weights.data, n_epochs),
        model._a,
        model._b,
        rng_state,
        model.repulsion_strength,
        model._initial_alpha / 4.0,
        model.negative_sample_rate,
        model.random_state is None,
        verbose=False,
        tqdm_kwds=model.tqdm_kwds,
    )
    return placed


def _init_transform(graph: Any, embedding: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``umap.umap_.init_graph_transform`` for all rows at once: the same values.

    Each row of the CSR ``graph`` starts at the mean of its columns' ``embedding`` rows
    weighted by its values, summed in column order as UMAP's loop does (rows of one
    degree together, so each row's weight total is NumPy's sum of the same values); a
    row holding a weight of exactly 1 sits on that column's point, and an empty row
    is NaN.
    """
    n_rows, dim = graph.shape[0], embedding.shape[1]
    result = np.zeros((n_rows, dim), dtype=np.float32)
    degree = np.diff(graph.indptr)
    for d in np.unique(degree):
        rows = np.flatnonzero(degree == d)
        if d == 0:
            result[rows] = np.nan
            continue
        at = graph.indptr[rows][:, None] + np.arange(d)
        values, cols = graph.data[at], graph.indices[at]
        shares = values / values.sum(axis=1, keepdims=True)
        mean = np.zeros((rows.size, dim), dtype=np.float32)
        for j in range(d):
            mean += shares[:, j, None] * embedding[cols[:, j]]
        one = values == 1
        on_point = np.flatnonzero(one.any(axis=1))
        mean[on_point] = embedding[cols[on_point, one[on_point].argmax(axis=1)]]
        result[rows] = mean
    return result


class _SampleNeighbors:
    """What UMAP's ``transform`` asks of a search index: the rest's nearest sampled documents.

    Answers for exactly the graph's ``rest`` documents. ``reduce_embeddings`` places them
    with ``transform_rest``; this keeps a fitted model's own ``transform`` working, which
    the tests compare it with. ``_angular_trees`` only sets the search's epsilon, unused here.
    """

    _angular_trees = True

    def __init__(self, graph: NeighborGraph) -> None:
        self._graph = graph

    def query(
        self, data: npt.NDArray[np.float32], k: int, epsilon: float = 0.0
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        graph = self._graph
        assert graph.rest_indices is not None and graph.rest_distances is not None
        if data.shape[0] != graph.rest_indices.shape[0] or k > graph.n_neighbors:
            raise ValueError("the sample's neighbours answer only for the rest's documents")
        return graph.rest_indices[:, :k].copy(), graph.rest_distances[:, :k].copy()


@dataclass(frozen=True)
class NeighborGraph:
    """Each document's nearest documents by cosine distance, itself first.

    ``state`` is UMAP's random state as the search left it, so a fit handed this
    graph draws the same numbers as a fit that searched itself (fits copy it).

    Above ``FIT_SAMPLE`` documents the graph is of a seeded sample: ``indices`` and
    ``distances`` are the sampled documents' (rows and ids in ``sample`` order), and
    ``rest_indices`` / ``rest_distances`` give every other document (``rest``) its
    nearest sampled documents, exactly.
    """

    n_neighbors: int
    seed: int
    indices: npt.NDArray[np.int32]  # int32 as UMAP's own searches return them
    distances: npt.NDArray[np.float32]
    state: np.random.RandomState
    sample: npt.NDArray[np.int64] | None = None
    rest: npt.NDArray[np.int64] | None = None
    rest_indices: npt.NDArray[np.int32] | None = None
    rest_distances: npt.NDArray[np.float32] | None = None

    @property
    def n_docs(self) -> int:
        """Documents the graph places (the sample and the rest)."""
        rest = 0 if self.rest is None else self.rest.size
        return int(self.indices.shape[0]) + rest


def neighbor_graph(
    data: npt.NDArray[np.float32],
    *,
    n_neighbors: int,
    seed: int,
    fit_sample: int = FIT_SAMPLE,
) -> NeighborGraph:
    """The cosine ``n_neighbors``-nearest-neighbour graph UMAP builds for ``data``.

    Exact, from blocks of one matrix product. UMAP itself computes every pair's distance
    in a Python loop below 4,096 rows and searches approximately (pynndescent's
    NN-descent) above; here the search stays exact up to ``FIT_SAMPLE`` rows, because
    NN-descent's first call in a process compiles ~18 s of numba code that numba cannot
    cache (it takes the metric as an argument), more than the exact search costs at
    19k rows (~6 s of CPU), and its neighbours are approximate (recall ~0.98).

    With more than ``fit_sample`` rows, it is the graph of a seeded sample of
    ``fit_sample`` rows (what UMAP would build fitting that sample), and each other row's
    exact nearest sampled rows, which UMAP's ``transform`` places it by.

    Notes
    -----
    Same neighbours as UMAP's: exact distances (up to rounding: float64 products here,
    float32 there), ties in index order as UMAP's merge sort leaves them; a document's
    distance to itself (and to an identical vector) is 0.
    """
    full, n_docs = data, data.shape[0]
    sample = rest = None
    if n_docs > fit_sample:
        # Its own generator: ``state`` stays as a fit of the sample would start it.
        picked = np.random.default_rng(seed).permutation(n_docs)
        sample, rest = np.sort(picked[:fit_sample]), np.sort(picked[fit_sample:])
        data = data[sample]
    state = np.random.RandomState(seed)
    indices, distances = _exact_knn(data, n_neighbors)
    if sample is None or rest is None:
        return NeighborGraph(n_neighbors, seed, indices, distances, state)
    rest_indices, rest_distances = _query_knn(full, data, n_neighbors, rows=rest)
    return NeighborGraph(
        n_neighbors, seed, indices, distances, state, sample, rest, rest_indices, rest_distances
    )


def _unit_rows(data: npt.ArrayLike) -> FloatArray:
    x = np.asarray(data, dtype=np.float64)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit: FloatArray = x / norms
    return unit


def _query_knn(
    queries: npt.NDArray[np.float32],
    data: npt.NDArray[np.float32],
    k: int,
    *,
    rows: npt.NDArray[np.int64] | None = None,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Each query row's ``k`` nearest ``data`` rows by cosine distance, exactly.

    Float32 products by blocks (what UMAP keeps of a distance); UMAP's convention of
    distance 1 from a zero vector. Ties in index order. ``rows``: only these rows of
    ``queries``, taken a block at a time (not copied out at once).
    """
    unit = np.asarray(_unit_rows(data), dtype=np.float32)
    zero = ~np.any(data != 0, axis=1)
    n_queries = queries.shape[0] if rows is None else rows.size
    indices = np.empty((n_queries, k), dtype=np.int32)
    distances = np.empty((n_queries, k), dtype=np.float32)
    for start in range(0, n_queries, _QUERY_BLOCK):
        if rows is None:
            block_rows = queries[start : start + _QUERY_BLOCK]
        else:
            block_rows = queries[rows[start : start + _QUERY_BLOCK]]
        unit_rows = np.asarray(_unit_rows(block_rows), dtype=np.float32)
        block = 1.0 - unit_rows @ unit.T
        np.maximum(block, 0.0, out=block)
        block[:, zero] = 1.0
        empty = ~np.any(block_rows != 0, axis=1)
        block[empty] = 1.0
        block[np.ix_(empty, zero)] = 0.0
        end = start + unit_rows.shape[0]
        indices[start:end], distances[start:end] = _k_smallest(block, k)
    return indices, distances


def shared_graph(
    embeddings: npt.ArrayLike,
    *,
    seed: int,
    n_neighbors: int = 15,
    executor: Executor | None = None,
) -> NeighborGraph | None:
    """The one neighbour graph a run's clustering space and document map both start from.

    Built on the embeddings' unit rows in float32, the array the cluster model hands
    UMAP (cosine ignores length, so the map's raw vectors have the same neighbours).
    None where neither projection would use one: too few documents for UMAP, or a Dask
    cluster that fits UMAP on a sample (``reduce_embeddings``).
    """
    x = np.asarray(embeddings)
    n_docs = x.shape[0]
    neighbors = min(n_neighbors, n_docs - 1)
    # The smallest corpus the 2-D map runs UMAP on (see ``reduce_embeddings``).
    if x.ndim != 2 or neighbors < _MIN_NEIGHBORS or n_docs < 4:
        return None
    if executor is not None:
        from topics.executor.embed import UMAP_SAMPLE

        if n_docs > UMAP_SAMPLE:
            return None
    return neighbor_graph(_unit_rows_f32(x), n_neighbors=neighbors, seed=seed)


def _unit_rows_f32(data: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    """``_unit_rows`` as float32, by row blocks: no n x d float64 copy of the whole."""
    unit = np.empty(data.shape, dtype=np.float32)
    for start in range(0, data.shape[0], _ROW_BLOCK):
        unit[start : start + _ROW_BLOCK] = _unit_rows(data[start : start + _ROW_BLOCK])
    return unit


def _exact_knn(
    data: npt.NDArray[np.float32], k: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Exact cosine neighbours by blocks of a matrix product (UMAP's distance conventions)."""
    x = data.astype(np.float64)
    norms = np.linalg.norm(x, axis=1)
    zero = norms == 0
    unit = x / np.where(zero, 1.0, norms)[:, None]
    n = x.shape[0]
    indices = np.empty((n, k), dtype=np.int32)
    distances = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, _EXACT_BLOCK):
        rows = np.arange(start, min(start + _EXACT_BLOCK, n))
        block = 1.0 - unit[rows] @ unit.T
        # UMAP's cosine: 0 between two zero vectors, 1 between a zero and a non-zero one.
        block[zero[rows]] = 1.0
        block[:, zero] = 1.0
        block[np.ix_(zero[rows], zero)] = 0.0
        # Identical vectors are 0 apart in UMAP's formula, but ~1e-16 here: a document's
        # duplicates would then count as its nearest non-zero neighbour (UMAP's rho).
        block[block < _SAME] = 0.0
        # Sorted at float32 (what UMAP keeps of a distance): a matrix product can round
        # two copies of one vector differently, and ties must stay ties. Stable: equal
        # distances keep index order, as UMAP's merge sort does.
        indices[rows], distances[rows] = _k_smallest(block.astype(np.float32), k)
    return indices, distances


def _k_smallest(
    block: npt.NDArray[np.float32], k: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Each row's ``k`` smallest entries, ties in index order: a stable argsort's first ``k``.

    The columns are dealt into slots of ``_SLOT``: the ``k``-th smallest of a row's slot
    minima bounds its ``k``-th smallest entry from above (``k`` distinct entries lie at
    or below it), so only slots whose minimum is within the bound can hold a winner,
    and only their entries are sorted. The same answer as partitioning whole rows, at
    ~1/4 of its CPU on blocks of 20,000 columns (the neighbour graph of 94,851 documents:
    28.6 -> 19.6 s of CPU with its matrix products, ``bench/umap_sample.py`` landed against
    all-points); rows with many ties at the bound (duplicates, zero vectors) fall back
    to that.
    """
    n_rows, n_cols = block.shape
    if n_cols < _SLOT * k:
        return _k_smallest_partition(block, k)
    pad = -n_cols % _SLOT
    if pad:
        block = np.concatenate([block, np.full((n_rows, pad), np.inf, block.dtype)], axis=1)
    width = block.shape[1] // _SLOT
    # Slot j holds columns j, j + width, j + 2 * width, ...: one contiguous reduction.
    minima = block.reshape(n_rows, _SLOT, width).min(axis=1)
    bound = np.partition(minima, k - 1, axis=1)[:, k - 1 : k]
    slot_rows, slots = np.nonzero(minima <= bound)
    if slots.size > 4 * k * n_rows:
        return _k_smallest_partition(block[:, :n_cols], k)
    cols = slots[:, None] + np.arange(_SLOT) * width
    values = block[slot_rows[:, None], cols]
    keep = values <= bound[slot_rows]
    rows = np.broadcast_to(slot_rows[:, None], cols.shape)[keep]
    cols, values = cols[keep], values[keep]
    order = np.lexsort((cols, values, rows))  # by row, distance, then index
    found = np.bincount(rows, minlength=n_rows)
    starts = np.cumsum(found) - found
    picked = order[starts[:, None] + np.arange(k)]
    return cols[picked], values[picked]


def _k_smallest_partition(
    block: npt.NDArray[np.float32], k: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """``_k_smallest`` by partitioning whole rows.

    By partition rather than sorting whole rows (8x less CPU at 19k documents). Where the
    partition had to choose among entries tied with the ``k``-th value (duplicates, zero
    vectors), that row is sorted whole, so the lowest indices win as in a stable sort.
    """
    near = np.argpartition(block, k - 1, axis=1)[:, :k]
    dist = np.take_along_axis(block, near, axis=1)
    kth = dist.max(axis=1, keepdims=True)
    tied = np.count_nonzero(block == kth, axis=1) > np.count_nonzero(dist == kth, axis=1)
    for row in np.flatnonzero(tied):
        near[row] = np.argsort(block[row], kind="stable")[:k]
    near.sort(axis=1)  # index order first, so the stable sort keeps ties in it
    dist = np.take_along_axis(block, near, axis=1)
    order = np.argsort(dist, axis=1, kind="stable")
    return np.take_along_axis(near, order, axis=1), np.take_along_axis(dist, order, axis=1)


def project_2d(
    embeddings: npt.ArrayLike,
    *,
    seed: int,
    executor: Executor | None = None,
    graph: NeighborGraph | None = None,
) -> FloatArray:
    """Project documents to the plane for the document map.

    Parameters
    ----------
    embeddings
        Array of shape (n_docs, n_dims).
    seed
        UMAP ``random_state``.
    executor
        A Dask cluster to transform the documents on (see ``reduce_embeddings``).
    graph
        The documents' neighbour graph (``shared_graph``); None: built here.

    Returns
    -------
    ndarray of float64, shape (n_docs, 2)
        Coordinates in [0, 1]: the longer axis spans [0, 1] and the other is
        scaled by the same factor and centred, so the aspect ratio is kept.
    """
    coords = reduce_embeddings(
        embeddings, n_components=2, seed=seed, min_dist=0.1, executor=executor, graph=graph
    )
    return _rescale_unit(coords)


def _umap(**params: Any) -> Any:
    ensure_numba_cache_dir()
    umap = _import_umap()
    return umap.UMAP(**params)


def _import_umap() -> Any:
    with warnings.catch_warnings():
        # umap imports tqdm.auto, which in Jupyter without ipywidgets warns "IProgress not
        # found" (and with them announces notebook mode). UMAP runs without a progress
        # bar here (verbose=False), so neither message concerns the user.
        warnings.filterwarnings("ignore", message="IProgress not found")
        warnings.filterwarnings("ignore", message="Using `tqdm.autonotebook.tqdm`")
        import umap  # lazy: importing compiles numba code
    cache_compiled("umap", "pynndescent")
    return umap


def _pca(data: npt.NDArray[np.float32], n_components: int) -> FloatArray:
    n_docs = data.shape[0]
    out = np.zeros((n_docs, n_components), dtype=np.float64)
    if n_docs < 2:
        return out
    centred = data.astype(np.float64) - data.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    k = min(n_components, int(np.sum(s > 1e-12 * max(s[0], 1.0))))
    # Fix each component's sign (largest loading positive) so output is stable.
    signs = np.sign(vt[np.arange(k), np.argmax(np.abs(vt[:k]), axis=1)])
    signs[signs == 0] = 1.0
    out[:, :k] = u[:, :k] * s[:k] * signs
    return out


def _rescale_unit(coords: FloatArray) -> FloatArray:
    if coords.shape[0] == 0:
        return coords.astype(np.float64)
    low = coords.min(axis=0)
    span = coords.max(axis=0) - low
    scale = float(span.max())
    if scale <= 0:
        return np.full(coords.shape, 0.5)
    return (coords - low) / scale + (1.0 - span / scale) / 2.0
