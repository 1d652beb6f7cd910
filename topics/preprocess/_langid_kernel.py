"""The numba kernel of language detection (imported only once numba's cache is set up).

py3langid walks the UTF-8 bytes of a text through a finite automaton in a Python loop
(about 1.5 ms per 3,000-character document, a third of preprocessing on BBC). This is
the same walk, compiled; ``@njit(cache=True)`` keeps the compiled code in
``NUMBA_CACHE_DIR`` for later processes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def walk(next_move: Any, row_base: Any, output: Any, data: Any, features: Any) -> int:
    """Features the automaton emits on ``data``, in order, into ``features``; their count."""
    state = 0
    n = 0
    for letter in data:
        state = next_move[row_base[state] + letter]
        feature = output[state]
        if feature >= 0:
            features[n] = feature
            n += 1
    return n


@njit(cache=True, nogil=True)
def score_batch(
    next_move: Any,
    row_base: Any,
    output: Any,
    data: Any,
    offsets: Any,
    log_counts: Any,
    table: Any,
    scores: Any,
    n_features: Any,
) -> None:
    """Naive-Bayes scores of many texts, in float64, without py3langid's class prior.

    Text ``i`` is ``data[offsets[i]:offsets[i + 1]]``. ``scores[i, j]`` becomes the sum
    over the features the automaton emits of ``log_counts[count] * table[feature, j]``
    (``log_counts`` holds numpy's own float32 ``log1p`` of each count), and
    ``n_features[i]`` the number of distinct features.
    """
    counts = np.zeros(table.shape[0], dtype=np.int32)
    seen = np.empty(table.shape[0], dtype=np.int64)
    for i in range(offsets.shape[0] - 1):
        state = 0
        n = 0
        for k in range(offsets[i], offsets[i + 1]):
            state = next_move[row_base[state] + data[k]]
            feature = output[state]
            if feature >= 0:
                if counts[feature] == 0:
                    seen[n] = feature
                    n += 1
                counts[feature] += 1
        n_features[i] = n
        row = scores[i]
        for m in range(n):
            feature = seen[m]
            weight = np.float64(log_counts[counts[feature]])
            counts[feature] = 0
            for j in range(table.shape[1]):
                row[j] += weight * table[feature, j]
