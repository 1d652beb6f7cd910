"""Low-dimensional projections of document embeddings (UMAP, seeded).

``reduce_embeddings`` feeds the density clustering (a few dimensions);
``project_2d`` gives the document map's coordinates. umap-learn is imported
lazily: its numba compilation is slow, so a per-user numba cache directory is
set up first (see ``ensure_numba_cache_dir``).
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from topics.types import FloatArray

if TYPE_CHECKING:
    from topics.executor import Executor

logger = logging.getLogger(__name__)

# UMAP needs a few neighbours and enough points for its spectral layout;
# below this we use PCA instead.
_MIN_NEIGHBORS = 2


def ensure_numba_cache_dir() -> Path | None:
    """Point numba's on-disk cache at a per-user folder unless the user chose one.

    Without a writable cache every process recompiles pynndescent/UMAP's
    ``cache=True`` functions, which costs ~17 s on ``import umap``. The folder is
    ``$XDG_CACHE_HOME/topics/numba`` or ``~/.cache/topics/numba``.

    Returns
    -------
    Path or None
        The cache folder in use, or None if none could be set up.
    """
    chosen = os.environ.get("NUMBA_CACHE_DIR")
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    folder = Path(base) / "topics" / "numba"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        logger.debug("cannot create numba cache dir %s: %s", folder, exc)
        return None
    os.environ["NUMBA_CACHE_DIR"] = str(folder)
    numba = sys.modules.get("numba")
    if numba is not None and not numba.config.CACHE_DIR:
        # numba reads the variable once at import; if it is already imported,
        # its cache locator still consults config.CACHE_DIR on each compile.
        numba.config.CACHE_DIR = str(folder)
    return folder


def reduce_embeddings(
    embeddings: npt.ArrayLike,
    *,
    n_components: int,
    seed: int,
    n_neighbors: int = 15,
    min_dist: float = 0.0,
    executor: Executor | None = None,
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

    Returns
    -------
    ndarray of float64, shape (n_docs, n_components)
        With fewer than ``max(n_components + 2, 4)`` documents UMAP cannot run
        and the result is a PCA projection padded with zeros.

    With an ``executor`` (a Dask cluster), UMAP is fitted on a seeded sample and the
    workers transform the shards (``topics.executor.embed.umap_sample_transform``).
    """
    data = np.asarray(embeddings, dtype=np.float32)
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
        return _pca(data, n_components)
    if neighbors < n_neighbors:
        logger.info(
            "%d documents: n_neighbors clamped from %d to %d", n_docs, n_neighbors, neighbors
        )
    model = _umap(
        n_components=n_components,
        n_neighbors=neighbors,
        min_dist=min_dist,
        metric="cosine",
        random_state=seed,
        # random_state forces one thread anyway; saying so avoids a warning.
        n_jobs=1,
    )
    if executor is not None:
        from topics.executor.embed import umap_sample_transform

        return umap_sample_transform(data, model, seed, executor)
    reduced = model.fit_transform(data)
    return np.asarray(reduced, dtype=np.float64)


def project_2d(
    embeddings: npt.ArrayLike, *, seed: int, executor: Executor | None = None
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

    Returns
    -------
    ndarray of float64, shape (n_docs, 2)
        Coordinates in [0, 1]: the longer axis spans [0, 1] and the other is
        scaled by the same factor and centred, so the aspect ratio is kept.
    """
    coords = reduce_embeddings(
        embeddings, n_components=2, seed=seed, min_dist=0.1, executor=executor
    )
    return _rescale_unit(coords)


def _umap(**params: Any) -> Any:
    ensure_numba_cache_dir()
    with warnings.catch_warnings():
        # umap imports tqdm.auto, which in Jupyter without ipywidgets warns "IProgress not
        # found" (and with them announces notebook mode). UMAP runs without a progress
        # bar here (verbose=False), so neither message concerns the user.
        warnings.filterwarnings("ignore", message="IProgress not found")
        warnings.filterwarnings("ignore", message="Using `tqdm.autonotebook.tqdm`")
        import umap  # lazy: importing compiles numba code

    return umap.UMAP(**params)


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
