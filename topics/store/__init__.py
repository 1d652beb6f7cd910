"""Store: what a run writes to disk, and how it is kept safe.

``output`` owns the reports folder (run ids, staging, atomic publishing, no symlink
followed); ``cache`` keeps per-document work and whole fits for the next run.
"""
