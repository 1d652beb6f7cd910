"""Report structure as plain JSON-serialisable data (rendered to HTML separately).

The machine-readable outputs (``topics.json``, ``documents.csv``, ``manifest.json``)
and the HTML page are all views of this one structure.
"""

from __future__ import annotations

import operator
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, overload

import numpy as np

from topics.evaluate.scores import METRIC_EXPLANATIONS
from topics.models.registry import MODELS, spec_of
from topics.report.compare import alignment_table, similarity_matrix
from topics.report.ldavis import TokenCounts, token_counts
from topics.report.timeline import over_time
from topics.review.ranking import SIGNAL_EXPLANATIONS, SIGNALS
from topics.store.keys import jsonable
from topics.types import Skipped, TopicModelResult

if TYPE_CHECKING:
    from topics.pipeline import RunResult
    from topics.review.ranking import Review
    from topics.types import Document

#: Characters of each document's full text embedded in the report.
MAX_DOC_CHARS = 20_000
#: Total characters of document text embedded; beyond it only snippets are kept.
MAX_TOTAL_CHARS = 40_000_000
#: The same above ``payload.INLINE_MAX_DOCS`` documents, where the text goes to sidecar
#: files beside the page instead (read one file at a time, so it can be far larger).
MAX_SIDECAR_CHARS = 500_000_000
SNIPPET_CHARS = 280
#: Rows built at once when the documents are read in order (topic mixes ranked per block).
ROW_BLOCK = 1_000
#: Similar documents listed in the reader, and the topics of its topic mix per model.
N_SIMILAR = 5
N_MIX = 3
#: Share below which a topic is left out of a document's topic mix.
MIN_MIX_WEIGHT = 0.05
#: Above this many documents the exact nearest-neighbour search (quadratic) is skipped.
MAX_SIMILAR_DOCS = 20_000
#: Documents shown in the report's "Worth a look" section (``review.csv`` has them all).
REVIEW_SHOWN = 50
N_REPRESENTATIVE = 5
TOP_WORDS_SHOWN = 10


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The text's start, whitespace runs made single spaces, cut at ``limit`` characters."""
    if len(text) > 4 * limit:
        # The head's flattened words are a prefix of the whole text's (its last word at
        # most cut short): when the head alone is over the limit, it gives the same cut.
        head = " ".join(text[: 4 * limit].split())
        if len(head) > limit:
            return head[: limit - 1].rstrip() + "…"
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def input_name(input_path: str) -> str:
    """The input's display name: the last part of each folder or file path."""
    parts = [p.strip() for p in input_path.split(";") if p.strip()]
    return ", ".join(PurePath(p).name or p for p in parts) or "input"


def build_report_data(
    run: RunResult,
    *,
    run_id: str,
    drift: dict[str, Any] | None = None,
    history: bool = False,
    counts: TokenCounts | None = None,
) -> dict[str, Any]:
    """The whole report as data: overview, models, documents, skipped files.

    ``drift`` is the comparison with the previous run (``topics.runs.drift``), if any;
    ``history`` says the report sits in a run folder beside a history page.
    ``documents`` and the review's ``rows`` are sequences that build each row when read,
    so a million documents never sit in memory as a million dicts. ``counts`` is
    ``token_counts`` of the run's tokens, if the caller has it.
    """
    if counts is None:
        counts = token_counts(run.pre.tokens, run.pre.vocab)
    documents = _documents(run)
    models = {name: _model(name, model, run) for name, model in run.models.items()}
    skipped = [
        {"path": s.path, "reason": s.reason, "stage": s.stage, "code": s.code, "detail": s.detail}
        for s in run.corpus.skipped + run.pre.dropped
    ]
    doc_labels = documents.column("label")
    dates = documents.column("date")
    labels = sorted({label for label in doc_labels if label})
    review = _review(run)
    if review is not None:
        # The reader shows why a document is worth a look: for the listed ones and for
        # every document with a suggested label (few; the page stays small).
        for row in review["rows"].worth_showing():
            documents.review[row["doc"]] = {
                "rank": row["rank"],
                "reason": row["reason"],
                "suggested_label": row["suggested_label"],
            }
    # The first two models in registry order (the same pair whatever order --models named).
    pair = [name for name in MODELS if name in run.models][:2]
    compare: dict[str, Any] = {
        "alignment": (
            alignment_table(run.models[pair[0]], run.models[pair[1]]) if len(pair) == 2 else None
        ),
    }
    coords = None
    if run.coords is not None:
        coords = {
            "x": [round(float(v), 4) for v in run.coords[:, 0]],
            "y": [round(float(v), 4) for v in run.coords[:, 1]],
        }
    return {
        "run": {
            "id": run_id,
            "version": run.version,
            "seed": run.settings.seed,
            "started": run.started,
            "duration_s": round(run.duration_s, 2),
            "stage_seconds": {k: round(v, 2) for k, v in run.stage_seconds.items()},
            "input": run.input_path,
            # The page shows only the folder's name: a shared report must not reveal
            # where its author keeps files (the absolute path stays in manifest.json).
            "input_name": input_name(run.input_path),
            "cache": run.cache,
            "executor": run.executor,
            "history": "../../index.html" if history else None,
        },
        "corpus": {
            "n_documents": len(documents),
            "n_files_seen": run.corpus.n_files_seen,
            "n_read": len(run.corpus.documents),
            "n_skipped": len(skipped),
            "n_skipped_ingest": len(run.corpus.skipped),
            "n_dropped_preprocess": len(run.pre.dropped),
            "n_tokens": int(counts.doc_lengths.sum()),
            "n_raw_tokens": run.pre.n_raw_tokens,
            "vocab_size": len(run.pre.vocab),
            "n_phrases": run.pre.n_phrases,
            "language": run.pre.language,
            "labels": labels,
            "n_dated": sum(1 for d in dates if d),
            "date_range": _date_range(dates),
        },
        "settings": run.settings.as_dict() | {"preprocess_effective": run.pre.settings},
        "skipped": skipped,
        "skip_reasons": _reason_counts(run.corpus.skipped + run.pre.dropped),
        "notes": [{"path": n.path, "message": n.message} for n in run.corpus.notes],
        "models": models,
        "compare": compare,
        "review": review,
        "map": coords,
        "drift": drift,
        "over_time": over_time(dates, run.models),
        "metric_explanations": METRIC_EXPLANATIONS,
        "documents": documents,
    }


def similar_documents(run: RunResult, k: int = N_SIMILAR) -> list[list[int]]:
    """For each document, its ``k`` nearest others by cosine similarity.

    In the document embedding when a model made one, else in the first model's topic
    mixtures.
    Exact (brute force), so the same run always lists the same neighbours; skipped (empty
    lists) above ``MAX_SIMILAR_DOCS`` documents, where it would cost minutes.
    """
    from sklearn.neighbors import NearestNeighbors

    n_docs = len(run.pre.doc_index)
    vectors = run.embeddings
    if vectors is None and run.models:
        vectors = next(iter(run.models.values())).doc_topic
    if vectors is None or n_docs < 2 or n_docs > MAX_SIMILAR_DOCS:
        return [[] for _ in range(n_docs)]
    data = np.asarray(vectors, dtype=np.float64)
    n_neighbors = min(k + 1, n_docs)
    index = NearestNeighbors(n_neighbors=n_neighbors, metric="cosine", algorithm="brute")
    _, found = index.fit(data).kneighbors(data)
    return [[int(j) for j in row if j != i][:k] for i, row in enumerate(found)]


def _mix(doc_topic: np.ndarray) -> list[list[float]]:
    """The document's biggest topics as ``[topic, weight]``, biggest first."""
    return _mixes(np.asarray(doc_topic)[None, :])[0]


def _mixes(doc_topic: np.ndarray) -> list[list[list[float]]]:
    """``_mix`` of each row: one stable sort of the block (row by row, the same order)."""
    order = np.argsort(-doc_topic, axis=1, kind="stable")[:, :N_MIX]
    top = np.take_along_axis(doc_topic, order, axis=1)
    shown = (top >= MIN_MIX_WEIGHT).tolist()
    return [
        [[t, round(w, 3)] for t, w, ok in zip(ts, ws, oks, strict=True) if ok]
        for ts, ws, oks in zip(order.tolist(), top.tolist(), shown, strict=True)
    ]


SIGNAL_TITLES = {
    "label_suspicion": "label",
    "model_disagreement": "models disagree",
    "atypical": "atypical",
    "near_duplicate": "near-duplicate",
}


def _review(run: RunResult) -> dict[str, Any] | None:
    """Every document in review order with its score, signals, suggestion and reason."""
    review = run.review
    if review is None:
        return None
    rows = ReviewRows(review)
    return {
        "labelled": "label_suspicion" in review.method,
        "signals": [
            {"key": k, "title": SIGNAL_TITLES[k], "explain": SIGNAL_EXPLANATIONS[k]}
            for k in SIGNALS
        ],
        "method": review.method,
        "notes": list(review.notes),
        "n_suggested": sum(1 for s in review.suggested_label if s),
        "n_shown": min(REVIEW_SHOWN, len(rows)),
        "rows": rows,
    }


class ReviewRows(Sequence[dict[str, Any]]):
    """The review's rows, best first, each built when read (``review.csv`` streams them)."""

    def __init__(self, review: Review) -> None:
        self._review = review

    def __len__(self) -> int:
        return len(self._review.order)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [self._row(k) for k in range(*index.indices(len(self)))]
        k = _position(index, len(self))
        return self._row(k)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for start in range(0, len(self), ROW_BLOCK):
            yield from self._rows(start, min(start + ROW_BLOCK, len(self)))

    def _row(self, k: int) -> dict[str, Any]:
        return self._rows(k, k + 1)[0]

    def _rows(self, start: int, stop: int) -> list[dict[str, Any]]:
        """Ranks ``start + 1`` to ``stop``: each array read once for the block."""
        review = self._review
        docs = np.asarray(review.order[start:stop], dtype=np.int64)
        # tolist gives the floats ``float(x)`` would (float32 included).
        scores = np.asarray(review.score)[docs].tolist()
        signals = [np.asarray(review.signals[s])[docs].tolist() for s in SIGNALS]
        out = []
        for k, i in enumerate(docs.tolist()):
            p = review.label_probability[i] if review.label_probability else None
            out.append(
                {
                    "doc": i,
                    "rank": start + k + 1,
                    "score": round(scores[k], 6),
                    "suggested_label": review.suggested_label[i],
                    "label_probability": None if p is None else round(p, 4),
                    "reason": review.reasons[i],
                    "signals": {s: round(v[k], 4) for s, v in zip(SIGNALS, signals, strict=True)},
                }
            )
        return out

    def worth_showing(self) -> list[dict[str, Any]]:
        """The rows the page explains: the first ``REVIEW_SHOWN`` and every suggestion."""
        shown = min(REVIEW_SHOWN, len(self))
        suggested = {i for i, s in enumerate(self._review.suggested_label) if s}
        ranks = [k for k, i in enumerate(self._review.order) if k < shown or int(i) in suggested]
        return [self._row(k) for k in ranks]


def _position(index: int, n: int) -> int:
    k = operator.index(index)
    k = k + n if k < 0 else k
    if not 0 <= k < n:
        raise IndexError(index)
    return k


class ReportDocuments(Sequence[dict[str, Any]]):
    """Every modelled document's report row, built when read.

    The rows of a million documents as dicts would be gigabytes (text, snippet, topic
    mix); the page's sidecar files and the CSV read them a chunk at a time instead.
    ``column`` gives one field of every document without building rows. ``review`` maps
    a document to what the reader says about its rank (set by ``build_report_data``).
    """

    def __init__(self, run: RunResult, similar: list[list[int]] | None, budget: int) -> None:
        self._documents = run.corpus.documents
        self._index = run.pre.doc_index
        self._models = [(name, m.assignments, m.doc_topic) for name, m in run.models.items()]
        self._coords = run.coords
        self._similar = similar
        self.review: dict[int, dict[str, Any]] = {}
        # The text budget is spent in document order: a document keeps its text while the
        # texts kept before it total less than the budget (so the first ``_n_text`` do).
        kept = np.fromiter(
            (min(len(self.document(i).text), MAX_DOC_CHARS) for i in range(len(self))),
            dtype=np.int64,
            count=len(self),
        )
        before = np.cumsum(kept) - kept
        self._n_text = int(np.count_nonzero(before < budget))

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            if step != 1:
                return [self._rows(i, i + 1)[0] for i in range(start, stop, step)]
            return self._rows(start, max(start, stop))
        i = _position(index, len(self))
        return self._rows(i, i + 1)[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for start in range(0, len(self), ROW_BLOCK):
            yield from self._rows(start, min(start + ROW_BLOCK, len(self)))

    def document(self, i: int) -> Document:
        """The corpus document of row ``i``."""
        return self._documents[self._index[i]]

    def _rows(self, start: int, stop: int) -> list[dict[str, Any]]:
        """Rows ``start:stop``; each model's topic mixes ranked for the block at once."""
        models = []
        for name, assignments, doc_topic in self._models:
            block = np.asarray(doc_topic[start:stop])
            topics = np.asarray(assignments[start:stop], dtype=np.int64)
            weights = np.take_along_axis(block, np.maximum(topics, 0)[:, None], axis=1)
            models.append((name, topics.tolist(), weights[:, 0].tolist(), _mixes(block)))
        out = []
        for k, i in enumerate(range(start, stop)):
            doc = self.document(i)
            text = doc.text[:MAX_DOC_CHARS] if i < self._n_text else ""
            row: dict[str, Any] = {
                "id": i,
                "path": doc.path,
                "title": doc.title,
                "label": doc.label,
                "date": doc.date,
                "snippet": snippet(doc.text),
                "text": text,
                "truncated": len(text) < len(doc.text),
                "n_chars": len(doc.text),
                "meta": dict(list(doc.meta.items())[:20]),
            }
            for name, topics, weights, mixes in models:
                topic = topics[k]
                row[f"{name}_topic"] = topic
                # The weight of the topic the document is assigned to (none for an outlier).
                row[f"{name}_weight"] = round(weights[k], 4) if topic >= 0 else None
                row[f"{name}_mix"] = mixes[k]
            row["similar"] = self._similar[i] if self._similar is not None else []
            if self._coords is not None:
                row["x"] = round(float(self._coords[i, 0]), 4)
                row["y"] = round(float(self._coords[i, 1]), 4)
            if i in self.review:
                row["review"] = self.review[i]
            out.append(row)
        return out

    def column(self, key: str, start: int = 0, stop: int | None = None) -> list[Any]:
        """``[row[key] for row in self[start:stop]]`` without building the rows.

        Fast for the short fields (id, path, title, label, date, snippet, each model's
        topic and weight, x, y); any other key builds the rows.
        """
        start, stop, _ = slice(start, stop).indices(len(self))
        docs, index = self._documents, self._index
        if key == "id":
            return list(range(start, stop))
        if key in ("path", "title", "label", "date"):
            get = operator.attrgetter(key)
            return [get(docs[index[i]]) for i in range(start, stop)]
        if key == "snippet":
            return [snippet(docs[index[i]].text) for i in range(start, stop)]
        if key in ("x", "y") and self._coords is not None:
            values = self._coords[start:stop, 0 if key == "x" else 1].tolist()
            return [round(v, 4) for v in values]
        for name, assignments, doc_topic in self._models:
            if key == f"{name}_topic":
                return [int(t) for t in assignments[start:stop]]
            if key == f"{name}_weight":
                topics = np.asarray(assignments[start:stop], dtype=np.int64)
                rows = np.arange(start, stop)
                weights = doc_topic[rows, np.maximum(topics, 0)].tolist()
                return [
                    round(w, 4) if t >= 0 else None
                    for t, w in zip(topics.tolist(), weights, strict=True)
                ]
        return [row.get(key) for row in self[start:stop]]


def _documents(run: RunResult) -> ReportDocuments:
    from topics.report.payload import INLINE_MAX_DOCS

    chunked = len(run.pre.doc_index) > INLINE_MAX_DOCS
    n_docs = len(run.pre.doc_index)
    similar = similar_documents(run) if 2 <= n_docs <= MAX_SIMILAR_DOCS else None
    return ReportDocuments(run, similar, MAX_SIDECAR_CHARS if chunked else MAX_TOTAL_CHARS)


def _model(name: str, model: TopicModelResult, run: RunResult) -> dict[str, Any]:
    scores = run.scores[name]
    sizes = model.sizes
    prevalence = model.prevalence
    topics = []
    user_named = set(model.user_named or [])
    for t in range(model.n_topics):
        per_topic = scores.per_topic[t] if t < len(scores.per_topic) else {}
        words, weights = _shown_words(model, t, run)
        topics.append(
            {
                "id": t,
                "name": model.topic_name(t),
                "user_named": t in user_named,
                "words": words,
                "weights": weights,
                "size": sizes[t],
                "prevalence": round(prevalence[t], 5),
                **{k: _finite(v) for k, v in per_topic.items()},
                "representative": _representative(model, t),
            }
        )
    _flag_weak(topics)
    metrics = {k: _finite(v) for k, v in scores.metrics.items()}
    spec = spec_of(name)
    return {
        "name": name,
        "title": spec.title if spec else name,
        # Words for sentences comparing models ("LDA", "cluster topic", "an LDA topic").
        "short": spec.short if spec else name,
        "topic_noun": spec.topic_noun if spec else f"{name} topic",
        "a_topic": spec.a_topic if spec else f"a {name} topic",
        # The model's own template (``intro``/``appendix`` macros) reads ``details``.
        "partial": spec.partial if spec else None,
        "n_topics": model.n_topics,
        "topics": topics,
        "metrics": metrics,
        "settings": model.settings,
        "n_topics_rule": model.n_topics_rule,
        "auto_curve": _finite(model.auto_curve),
        "details": _finite(model.details.as_report()) if model.details else None,
        # topics.json's ``extras`` (a published contract): the typed fields, flattened.
        "extras": _finite(model.extras_json()),
        "label_table": _label_table(model, run.labels),
        "similarity": similarity_matrix(model),
    }


def _shown_words(model: TopicModelResult, t: int, run: RunResult) -> tuple[list[str], list[float]]:
    """Topic ``t``'s words as the text spells them (the model keeps lemmas), and weights.

    Two lemmas can share a surface form; the word is shown once, at its first place.
    """
    words: list[str] = []
    weights: list[float] = []
    for word, weight in zip(model.topic_words[t], _word_weights(model, t), strict=True):
        shown = run.pre.display(word)
        if shown not in words:
            words.append(shown)
            weights.append(weight)
    return words, weights


def _word_weights(model: TopicModelResult, t: int) -> list[float]:
    index = {w: i for i, w in enumerate(model.vocab)}
    return [round(float(model.topic_term[t, index[w]]), 5) for w in model.topic_words[t]]


def _representative(model: TopicModelResult, t: int) -> list[int]:
    """Documents most about topic ``t``: highest weight among those assigned to it."""
    members = np.flatnonzero(model.assignments == t)
    pool = members if members.size else np.arange(model.doc_topic.shape[0])
    weights = model.doc_topic[pool, t]
    order = np.argsort(-weights, kind="stable")[:N_REPRESENTATIVE]
    return [int(pool[j]) for j in order]


def _flag_weak(topics: list[dict[str, Any]]) -> None:
    """Mark topics a reader should distrust: incoherent, or too small to mean much."""
    npmis = [t["npmi"] for t in topics if t.get("npmi") is not None]
    median = float(np.median(npmis)) if npmis else 0.0
    for topic in topics:
        flags = []
        npmi = topic.get("npmi")
        if npmi is not None and (npmi < 0 or (len(topics) > 3 and npmi < median - 0.1)):
            flags.append("low coherence: its top words rarely appear together")
        if topic["size"] == 0:
            flags.append("no document has this as its main topic")
        topic["flags"] = flags


def _label_table(model: TopicModelResult, labels: list[str | None]) -> dict[str, Any] | None:
    if sum(1 for label in labels if label) < 2:
        return None
    names = sorted({label for label in labels if label})
    counts = Counter(
        (label, int(a)) for label, a in zip(labels, model.assignments, strict=True) if label
    )
    rows = [
        {"label": name, "counts": [counts.get((name, t), 0) for t in range(model.n_topics)]}
        for name in names
    ]
    return {"labels": names, "rows": rows}


def _reason_counts(skipped: list[Skipped]) -> list[dict[str, Any]]:
    counts = Counter(s.kind for s in skipped)
    return [{"reason": r, "count": n} for r, n in counts.most_common()]


def _date_range(dates: list[str | None]) -> list[str] | None:
    known = [d for d in dates if d]
    return [min(known), max(known)] if known else None


def _finite(value: Any) -> Any:
    """Report numbers: NaN and infinities as null, floats to five decimals."""
    return jsonable(value, finite=True, digits=5)


def topics_json(data: dict[str, Any]) -> dict[str, Any]:
    """The ``topics.json`` contract: corpus counts, and per model its topics and metrics."""
    models = {}
    for name, model in data["models"].items():
        models[name] = {
            "n_topics": model["n_topics"],
            "metrics": model["metrics"],
            "topics": [
                {k: v for k, v in topic.items() if k != "representative"}
                | {"representative_documents": topic["representative"]}
                for topic in model["topics"]
            ],
            "settings": model["settings"],
            "extras": model["extras"],
        }
    out = {
        "version": data["run"]["version"],
        "run_id": data["run"]["id"],
        "corpus": {
            k: data["corpus"][k]
            for k in ("n_documents", "n_skipped", "n_files_seen", "vocab_size", "language")
        },
        "models": models,
    }
    review = data.get("review")
    if review:
        # A summary: the full ranking is review.csv.
        out["review"] = {
            "method": review["method"],
            "notes": review["notes"],
            "n_suggested": review["n_suggested"],
            "top": review["rows"][: review["n_shown"]],
        }
    return out


def manifest_json(data: dict[str, Any]) -> dict[str, Any]:
    """The ``manifest.json`` contract: run metadata, effective settings, every file not used."""
    return {
        "version": data["run"]["version"],
        "run_id": data["run"]["id"],
        "seed": data["run"]["seed"],
        "started": data["run"]["started"],
        "duration_s": data["run"]["duration_s"],
        "stage_seconds": data["run"]["stage_seconds"],
        "input": data["run"]["input"],
        "settings": data["settings"],
        "counts": {
            k: data["corpus"][k] for k in ("n_files_seen", "n_read", "n_documents", "n_skipped")
        },
        "skipped": data["skipped"],
        "notes": data["notes"],
        "cache": data["run"]["cache"],
        "executor": data["run"].get("executor", {"kind": "local", "workers": 1}),
    }


DOCUMENT_COLUMNS = ("id", "path", "label", "date", "title")


#: Columns of ``review.csv`` before the signals (a published contract: extend, never rename).
REVIEW_COLUMNS = ("rank", "id", "path", "label", "score", "suggested_label", "reason", "title")


def review_rows(data: dict[str, Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of ``review.csv``: every modelled document, most worth a look first.

    Columns: rank (1 = first), id, path, label, score, suggested_label (empty when none),
    reason, title, one column per signal (``topics.review.ranking.SIGNALS``), then
    ``label_probability`` (out-of-fold probability of the filed label; empty if not judged).
    The rows are made as they are read.
    """
    header = [*REVIEW_COLUMNS, *SIGNALS, "label_probability"]
    review = data.get("review")
    if not review:
        return header, iter([])
    documents = data["documents"]
    keys = ("id", "path", "label", "title")
    if isinstance(documents, ReportDocuments):
        # In rank order, straight from the corpus document (a row would build its text).
        def fields(i: int) -> tuple[Any, ...]:
            doc = documents.document(i)
            return i, doc.path, doc.label, doc.title

    else:

        def fields(i: int) -> tuple[Any, ...]:
            return tuple(documents[i].get(k) for k in keys)

    rows = (
        [
            row["rank"],
            doc_id,
            path,
            label or "",
            row["score"],
            row["suggested_label"] or "",
            row["reason"],
            title,
            *(row["signals"][k] for k in SIGNALS),
            "" if row["label_probability"] is None else row["label_probability"],
        ]
        for row in review["rows"]
        for doc_id, path, label, title in (fields(row["doc"]),)
    )
    return header, rows


#: Documents whose CSV fields are gathered at once.
CSV_CHUNK = 20_000


def _fields(
    documents: Sequence[dict[str, Any]], keys: tuple[str, ...]
) -> Iterator[tuple[Any, ...]]:
    """``(row[k] for k in keys)`` of every document, a chunk of columns at a time."""
    if not isinstance(documents, ReportDocuments):
        yield from (tuple(d.get(k) for k in keys) for d in documents)
        return
    for start in range(0, len(documents), CSV_CHUNK):
        stop = start + CSV_CHUNK
        yield from zip(*(documents.column(k, start, stop) for k in keys), strict=True)


def document_rows(data: dict[str, Any]) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of ``documents.csv``: one row per modelled document.

    Columns: id, path, label, date, title, then ``<model>_topic`` and ``<model>_weight``
    per model (``lda_*``, ``cluster_*``; -1 is an outlier), then the map's ``x`` and ``y``.
    The rows are made as they are read.
    """
    keys: list[tuple[str, str]] = [(c, c) for c in DOCUMENT_COLUMNS]
    for name in data["models"]:
        # A published contract: the clusters' columns are ``cluster_topic``, ``cluster_weight``.
        spec = spec_of(name)
        prefix = spec.csv_prefix if spec else name
        keys += [(f"{prefix}_topic", f"{name}_topic"), (f"{prefix}_weight", f"{name}_weight")]
    if data.get("map"):
        keys += [("x", "x"), ("y", "y")]
    header = [column for column, _ in keys]
    fields = _fields(data["documents"], tuple(key for _, key in keys))
    rows = ([v if v is not None else "" for v in values] for values in fields)
    return header, rows
