"""The test suite: ``python -m pytest -q`` (fixtures and lanes in ``tests/conftest.py``)."""

import os

# OpenMP threads (scikit-learn's k-means, numba's parallel loops in UMAP) spin while they
# wait for each other; on the shared 2-core machine a spinning thread burns the core the
# other needs: k-means on 16 points took 46 ms of CPU instead of 5, the fast lane's
# cluster and stability tests 11% more CPU. Passive waiting changes when threads sleep,
# never what they compute. Read once, when libgomp loads: this package is imported before
# conftest and every test module.
os.environ.setdefault("OMP_WAIT_POLICY", "passive")
