"""Topic prevalence over time, for documents that carry a date.

The bin size fits the span: days for a few weeks, weeks for a few months, months up to
six years, then quarters, years and decades, so a chart has at most about 72 columns.
A bin's share of a topic is the mean topic weight of the documents dated in it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np

from topics.types import TopicModelResult

#: Most columns a timeline may have before the bin grows.
MAX_BINS = 72


def choose_bin(first: date, last: date) -> str:
    """The smallest bin in which ``first``..``last`` spans at most ``MAX_BINS`` bins."""
    days = (last - first).days + 1
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if days <= 31:
        return "day"
    if days <= 7 * 26:
        return "week"
    if months <= MAX_BINS:
        return "month"
    if months <= 3 * MAX_BINS:
        return "quarter"
    if last.year - first.year + 1 <= MAX_BINS:
        return "year"
    return "decade"


def bin_start(day: date, unit: str) -> date:
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    if unit == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if unit == "year":
        return date(day.year, 1, 1)
    # Python dates start in year 1, so the first decade (years 1-9) starts there, not at 0.
    return date(max(1, day.year - day.year % 10), 1, 1)


def bin_label(start: date, unit: str) -> str:
    if unit in ("day", "week"):
        return start.isoformat()
    if unit == "month":
        return f"{start.year:04d}-{start.month:02d}"
    if unit == "quarter":
        return f"{start.year:04d}-Q{(start.month - 1) // 3 + 1}"
    if unit == "year":
        return f"{start.year:04d}"
    return f"{start.year - start.year % 10}s"


def _next(start: date, unit: str) -> date:
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "decade":
        return date(start.year - start.year % 10 + 10, 1, 1)
    step = {"month": 1, "quarter": 3, "year": 12}[unit]
    month = start.month - 1 + step
    return date(start.year + month // 12, month % 12 + 1, 1)


def over_time(
    dates: list[str | None], models: dict[str, TopicModelResult], n_words: int = 5
) -> dict[str, Any] | None:
    """Per model, each topic's share of every time bin; None without two dated bins.

    ``dates`` holds each modelled document's ISO date (or None), in model row order.
    """
    parsed: list[date | None] = []
    for value in dates:
        try:
            parsed.append(date.fromisoformat(value[:10]) if value else None)
        except ValueError:
            parsed.append(None)
    dated = [d for d in parsed if d is not None]
    if len(dated) < 2:
        return None
    unit = choose_bin(min(dated), max(dated))
    starts = [bin_start(min(dated), unit)]
    while starts[-1] < bin_start(max(dated), unit):
        starts.append(_next(starts[-1], unit))
    if len(starts) < 2:
        return None
    column = {start: i for i, start in enumerate(starts)}
    rows = np.array([i for i, d in enumerate(parsed) if d is not None], dtype=np.int64)
    cols = np.array([column[bin_start(d, unit)] for d in dated], dtype=np.int64)
    counts = np.bincount(cols, minlength=len(starts))
    out_models = {}
    for name, model in models.items():
        # A topic at a time: the dated documents' weights of every topic at once would be
        # a copy of the whole document-topic matrix. bincount adds in document order, as
        # ``np.add.at`` did, so the sums are the same to the bit.
        sums = np.zeros((len(starts), model.n_topics))
        for t in range(model.n_topics):
            sums[:, t] = np.bincount(cols, weights=model.doc_topic[rows, t], minlength=len(starts))
        shares = sums / np.maximum(counts, 1)[:, None]
        out_models[name] = {
            "topics": [
                {
                    "id": t,
                    "name": model.topic_name(t),
                    "words": model.topic_words[t][:n_words],
                    "shares": [
                        round(float(shares[b, t]), 4) if counts[b] else None
                        for b in range(len(starts))
                    ],
                    "max": round(float(shares[:, t].max()), 4),
                }
                for t in range(model.n_topics)
            ]
        }
    return {
        "bin": unit,
        "bins": [bin_label(s, unit) for s in starts],
        "counts": [int(c) for c in counts],
        "n_dated": len(rows),
        "n_undated": len(parsed) - len(rows),
        "models": out_models,
    }
