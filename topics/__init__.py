"""topics: offline topic-modelling reports.

Point it at a folder of documents and get a static HTML report with LDA topics,
quality scores and drill-down to every document::

    import topics
    report = topics.analyze("sample_data")   # shows inline in Jupyter
    report.index_html                        # path of the written report
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from topics.api import Report, analyze

__all__ = ["Report", "__version__", "analyze"]


def __getattr__(name: str) -> Any:
    # The API pulls nltk, gensim and scipy (seconds); load it on first use so that
    # `topics --version` and `import topics.cli` stay fast.
    if name in ("Report", "analyze"):
        import topics.api

        return getattr(topics.api, name)
    raise AttributeError(f"module 'topics' has no attribute {name!r}")
