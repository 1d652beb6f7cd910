"""Compiled code kept between processes: numba's on-disk cache.

umap-learn, pynndescent and our own kernels (the LDA E-step in
``topics.models.estep``, the language walk in ``topics.preprocess.language``) are numba
functions; compiled once per process they cost seconds to tens of seconds before any
work. Every stage that compiles calls ``ensure_numba_cache_dir`` first, and the UMAP
wrapper calls ``cache_compiled`` after importing umap, so a machine compiles each
function once. The stored code is what numba would compile: results do not change.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

logger = logging.getLogger(__name__)


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


def cache_compiled(*packages: str) -> None:
    """Let numba store the compiled functions of ``packages`` on disk.

    Most of umap-learn's numba functions are declared without ``cache=True``, so every
    process compiled them again on its first fit: ~10 s of CPU on a BBC-sized run (more
    on UMAP's own NN-descent path, which the Dask executor's fit takes) spent before any
    work. ``enable_caching`` is what ``cache=True`` sets up; numba keys the stored code
    by the function's source file and the numba version, so an upgrade recompiles.
    Functions numba cannot store (those taking a function argument) are compiled as
    before.
    """
    from numba.core.dispatcher import Dispatcher

    for name, module in list(sys.modules.items()):
        if module is None or name.split(".")[0] not in packages:
            continue
        for value in list(vars(module).values()):
            cache = getattr(value, "_cache", None)
            if isinstance(value, Dispatcher) and type(cache).__name__ == "NullCache":
                value.enable_caching()
