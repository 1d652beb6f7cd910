"""The numba kernel of language detection (imported only once numba's cache is set up).

py3langid walks the UTF-8 bytes of a text through a finite automaton in a Python loop
(about 1.5 ms per 3,000-character document, a third of preprocessing on BBC). This is
the same walk, compiled; ``@njit(cache=True)`` keeps the compiled code in
``NUMBA_CACHE_DIR`` for later processes.
"""

from __future__ import annotations

from typing import Any

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
