"""Store: what a run writes to disk, and how it is kept safe.

``atomic`` writes every file (one rename, no symlink followed); ``keys`` makes cache keys
(``fingerprint`` of values and code) and plain JSON values (``jsonable``); ``cached``
computes only what a cache lacks (``cached_map``); ``cache`` keeps per-document work and
whole fits for the next run; ``output`` owns the reports folder (run ids, staging,
publishing).
"""
