"""topics: offline topic-modelling reports.

Point it at a folder of documents and get a static HTML report with LDA topics,
quality scores and drill-down to every document::

    import topics
    report = topics.analyze("sample_data")   # shows inline in Jupyter
    report.index_html                        # path of the written report
"""

from __future__ import annotations

__version__ = "0.1.0"

from topics.api import Report, analyze

__all__ = ["Report", "__version__", "analyze"]
