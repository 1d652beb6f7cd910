from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from topics.models.projection import ensure_numba_cache_dir, project_2d, reduce_embeddings
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


def test_numba_cache_dir_defaults_to_user_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = ensure_numba_cache_dir()
    assert folder == tmp_path / "topics" / "numba"
    assert folder.is_dir()
    assert os.environ["NUMBA_CACHE_DIR"] == str(folder)


def test_numba_cache_dir_keeps_the_users_choice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ensure_numba_cache_dir() == tmp_path / "mine"
    assert not (tmp_path / "xdg").exists()


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
