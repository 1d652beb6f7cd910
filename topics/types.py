"""Typed data passed between pipeline stages.

Data flows one way: ingest -> preprocess -> models -> evaluation -> report.
Every stage takes the previous stage's dataclass and returns its own, so a
stage can be cached by hashing its input and settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Self, overload

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Document:
    """One usable document.

    ``path`` is relative to the input folder; rows of a CSV/JSONL file get a
    ``#row=N`` / ``#line=N`` suffix so every document has a unique path.
    """

    path: str
    text: str
    title: str
    label: str | None = None
    date: str | None = None  # ISO ``YYYY-MM-DD``
    meta: dict[str, str] = field(default_factory=dict)
    encoding: str = "utf-8"
    content_hash: str = ""


#: What each skip ``code`` means, in the words summaries use ("12 exact duplicate").
SKIP_KINDS: dict[str, str] = {
    "duplicate": "exact duplicate",
    "empty": "empty file",
    "too_large": "larger than the size cap",
    "binary": "binary file",
    "unreadable": "cannot be read",
    "not_text": "not text",
    "parse_error": "could not be parsed",
    "bad_row": "broken table row",
    "no_text": "row without text",
    "no_text_column": "no text column",
    "no_rows": "no data rows",
    "empty_text": "empty after extracting text",
    "hidden": "hidden file or folder",
    "reports": "a topics reports folder",
    "not_regular": "not a regular file",
    "symlink": "symlink not followed",
    "unsupported": "unsupported file type",
    "language": "another language",
    "too_short": "too short after preprocessing",
}


@dataclass(frozen=True)
class Skipped:
    """A file, row or document that was not used, and why.

    ``code`` (a key of ``SKIP_KINDS``) is why, for code and summaries to decide on;
    ``detail`` holds the particulars (row number, size, the file it duplicates); the
    sentence shown to people, ``reason``, is rendered from the two.
    """

    path: str
    code: str
    detail: dict[str, Any] = field(default_factory=dict)
    stage: str = "ingest"

    @property
    def kind(self) -> str:
        """The reason without file-specific details (row numbers, paths), for summaries."""
        return SKIP_KINDS.get(self.code, "other")

    @property
    def reason(self) -> str:
        """Why, in a sentence with this file's details (``code`` and ``detail`` rendered)."""
        try:
            return _skip_reason(self.code, self.detail, folder=self.path.endswith("/"))
        except (KeyError, TypeError, ValueError):  # detail written by other code
            return self.kind


_SYMLINKS = {
    "broken": "broken or looping symlink",
    "outside": "symlink points outside the input folder; not followed",
    "folder": "symlinked folder; not followed (avoids loops and double counting)",
    "special": "symlink to something that is not a regular file",
}


def _skip_reason(code: str, d: dict[str, Any], *, folder: bool) -> str:
    match code:
        case "duplicate":
            return f"exact duplicate of {d['of']}"
        case "too_large":
            return (
                f"larger than the {d['cap_mb']:g} MB size cap ({d['bytes'] / 2**20:.1f} MB); "
                "raise --max-file-mb to include it"
            )
        case "binary":
            unsupported = f" (unsupported file type {d['suffix']})" if "suffix" in d else ""
            return f"binary file: {d['what']}{unsupported}"
        case "unreadable":
            return f"{'folder ' if folder else ''}cannot be read ({d['error']})"
        case "parse_error":
            return f"could not be parsed as {d['format']} ({d['error']})"
        case "bad_row" if "fields" in d:
            return f"{_where(d)}: {d['fields']} fields, header has {d['expected']}"
        case "bad_row" if "error" in d:
            return (
                f"{_where(d)}: {'malformed CSV' if 'row' in d else 'invalid JSON'} ({d['error']})"
            )
        case "bad_row":
            return f"{_where(d)}: not a JSON object"
        case "no_text":
            return f"{_where(d)}: text field {d['field']!r} is {d['value']}"
        case "no_text_column" if "column" in d:
            return (
                f"has no column {d['column']!r} (columns: {_names(d['columns'])}); "
                "check --text-column"
            )
        case "no_text_column" if "columns" in d:
            return (
                f"has no usable text column (columns: {_names(d['columns'])}); "
                "name the text column with --text-column"
            )
        case "unsupported":
            return f"unsupported file type {d['suffix']} (topics reads {d['supported']})"
        case "hidden":
            return f"hidden {'folder' if folder else 'file'}; not read"
        case "symlink":
            return _SYMLINKS[d["target"]]
        case "language":
            return f"language {d['language']!r}, the model covers {d['covered']!r}"
        case "too_short":
            return (
                f"too short after preprocessing ({d['n_words']} content words, "
                f"minimum {d['minimum']})"
            )
    return _SKIP_SENTENCES.get(code) or SKIP_KINDS.get(code, "other")


#: Reasons with no particulars, where the sentence says more than the kind.
_SKIP_SENTENCES: dict[str, str] = {
    "not_text": "not text: undecodable or full of control characters",
    "no_text_column": "has no header row",
    "no_rows": "no data rows (only a header or blank lines)",
    "empty_text": "empty after extracting text (whitespace or markup only)",
    "reports": "a topics reports folder; not read as input",
    "not_regular": "not a regular file (device, socket or pipe)",
}


def _where(d: dict[str, Any]) -> str:
    return f"row {d['row']}" if "row" in d else f"line {d['line']}"


def _names(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names[:12]) or "none"


@dataclass(frozen=True)
class Note:
    """Something worth telling the user about a used file (e.g. its encoding)."""

    path: str
    message: str


@dataclass
class Corpus:
    """What ingest produced: the documents and everything it did not use."""

    root: str
    documents: list[Document]
    skipped: list[Skipped]
    notes: list[Note] = field(default_factory=list)
    n_files_seen: int = 0


class TokenLists(Sequence[list[str]]):
    """Every document's tokens, as one int32 array of term ids and each document's offsets.

    ``ids[offsets[i]:offsets[i + 1]]`` are document ``i``'s tokens as indexes into
    ``terms``. Indexing or iterating gives ``list[str]`` like a list of token lists,
    but in 4 bytes a token (a list of strings needs at least an 8-byte pointer a token
    plus a list per document); ``topics.models.ctfidf.count_matrix`` reads the ids directly.
    """

    __slots__ = ("ids", "offsets", "terms")

    def __init__(self, ids: npt.NDArray[np.int32], offsets: IntArray, terms: Sequence[str]) -> None:
        self.ids = ids
        self.offsets = offsets
        self.terms = terms

    @classmethod
    def from_lists(cls, docs: Iterable[Sequence[str]], terms: Sequence[str] | None = None) -> Self:
        """The table of ``docs`` over ``terms`` (default: in order of first use)."""
        docs = docs if isinstance(docs, Sequence) else list(docs)
        if terms is None:
            terms = list(dict.fromkeys(t for doc in docs for t in doc))
        index = {term: i for i, term in enumerate(terms)}
        lengths = np.fromiter(map(len, docs), dtype=np.int64, count=len(docs))
        offsets = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        ids = np.fromiter(
            (index[t] for doc in docs for t in doc), dtype=np.int32, count=int(offsets[-1])
        )
        return cls(ids, offsets, terms)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> list[str]: ...

    @overload
    def __getitem__(self, i: slice) -> TokenLists: ...

    def __getitem__(self, i: int | slice) -> list[str] | TokenLists:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return self.take(np.arange(start, stop, step))
            stop = max(start, stop)
            lo, hi = int(self.offsets[start]), int(self.offsets[stop])
            return TokenLists(self.ids[lo:hi], self.offsets[start : stop + 1] - lo, self.terms)
        n = len(self)
        if not -n <= i < n:
            raise IndexError(f"document {i} of {n}")
        i %= n
        ids = self.ids[int(self.offsets[i]) : int(self.offsets[i + 1])]
        return list(map(self.terms.__getitem__, ids.tolist()))

    def __iter__(self) -> Iterator[list[str]]:
        term = self.terms.__getitem__
        bounds = self.offsets.tolist()
        # A block of documents' ids at a time: one ``tolist`` per block, not per document.
        step = 4096
        for first in range(0, len(self), step):
            last = min(first + step, len(self))
            block = self.ids[bounds[first] : bounds[last]].tolist()
            base = bounds[first]
            for i in range(first, last):
                yield list(map(term, block[bounds[i] - base : bounds[i + 1] - base]))

    def lengths(self) -> IntArray:
        """Tokens per document."""
        return np.diff(self.offsets)

    def count_where(self, mask: npt.NDArray[np.bool_]) -> IntArray:
        """Per document, how many of its tokens ``mask`` (one flag per token) holds."""
        return segment_sums(mask, self.offsets)

    def take(self, rows: Sequence[int] | npt.NDArray[np.integer[Any]]) -> TokenLists:
        """The documents ``rows``, in that order, as a table over the same terms."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, ends = self.offsets[rows], self.offsets[rows + 1]
        lengths = ends - starts
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        # Position k of the result reads ids[starts[doc of k] + (k - offsets[doc of k])].
        at = np.arange(int(offsets[-1]), dtype=np.int64) + np.repeat(starts - offsets[:-1], lengths)
        return TokenLists(self.ids[at], offsets, self.terms)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TokenLists):
            return np.array_equal(self.offsets, other.offsets) and np.array_equal(
                np.asarray(self.terms, dtype=object)[self.ids],
                np.asarray(other.terms, dtype=object)[other.ids],
            )
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return len(self) == len(other) and all(
                a == list(b) for a, b in zip(self, other, strict=True)
            )
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        n, n_ids, n_terms = len(self), len(self.ids), len(self.terms)
        return f"TokenLists({n:,} documents, {n_ids:,} tokens, {n_terms:,} terms)"


def segment_sums(mask: npt.NDArray[np.bool_], bounds: IntArray) -> IntArray:
    """``mask[bounds[i]:bounds[i + 1]].sum()`` for every ``i`` (an empty segment gives 0)."""
    starts = bounds[:-1]
    if not len(starts):
        return np.zeros(0, dtype=np.int64)
    sums = np.add.reduceat(np.concatenate([mask, [False]]), starts, dtype=np.int64)
    sums[bounds[1:] == starts] = 0  # reduceat gives an empty segment the next value
    return sums


#: Documents' tokens: a ``TokenLists`` from preprocessing, or plain lists (tests, samples).
Tokens = Sequence[Sequence[str]]


def token_lengths(tokens: Tokens) -> IntArray:
    """Tokens per document; read off a ``TokenLists``' offsets without building any list."""
    if isinstance(tokens, TokenLists):
        return tokens.lengths()
    return np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))


def used_terms(tokens: Tokens) -> list[str]:
    """The distinct terms of ``tokens``, sorted."""
    if isinstance(tokens, TokenLists):
        used = np.flatnonzero(np.bincount(tokens.ids, minlength=len(tokens.terms)))
        return sorted(tokens.terms[i] for i in used.tolist())
    return sorted({term for doc in tokens for term in doc})


@dataclass
class Preprocessed:
    """Token lists for the documents kept for modelling.

    ``doc_index[i]`` is the index into ``Corpus.documents`` of ``tokens[i]``.
    ``vocab`` is the shared vocabulary every model uses, so topic words and
    coherence are comparable across models.
    """

    #: A ``TokenLists`` over ``vocab`` from ``preprocess``; plain lists are accepted too.
    tokens: Sequence[list[str]]
    doc_index: list[int]
    vocab: list[str]
    dropped: list[Skipped]
    settings: dict[str, Any]
    n_raw_tokens: int = 0
    n_phrases: int = 0
    language: str = "en"
    #: Term -> its most frequent form in the text, where that differs from the term
    #: (lemma "wale" -> "wales"); for display only, the model vocabulary keeps the term.
    surface_forms: dict[str, str] = field(default_factory=dict)

    def display(self, term: str) -> str:
        """How ``term`` is shown to a reader: its most frequent form in the corpus."""
        return self.surface_forms.get(term, term)

    @property
    def n_documents(self) -> int:
        return len(self.tokens)


@dataclass
class ModelDetails:
    """Base of what one kind of model records beyond ``TopicModelResult``'s shared fields.

    Each model declares a dataclass subclass with typed fields; its report partial reads
    them, ``topics.json`` carries them under ``extras`` and the fits cache keeps them as
    JSON. Fields must therefore be JSON values (numbers, strings, lists, dicts, None).
    """

    def as_report(self) -> dict[str, Any]:
        """The fields as plain JSON values."""
        out: dict[str, Any] = to_json({f.name: getattr(self, f.name) for f in fields(self)})
        return out

    @classmethod
    def of(cls, model: TopicModelResult) -> Self:
        """``model.details`` as this class (TypeError for another model's details)."""
        if not isinstance(model.details, cls):
            raise TypeError(f"model {model.name!r} has no {cls.__name__}")
        return model.details

    @classmethod
    def from_report(cls, data: Mapping[str, Any]) -> Self:
        """The details back from ``as_report`` (unknown keys are ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def to_json(value: Any) -> Any:
    """Plain JSON values from NumPy scalars and arrays, tuples and nested containers."""
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


@dataclass
class TopicModelResult:
    """What every topic model returns and every report figure reads.

    Shapes follow scikit-learn: ``doc_topic`` is ``(n_docs, n_topics)`` and
    ``topic_term`` is ``(n_topics, n_terms)`` over ``vocab``, rows summing to
    one. ``assignments`` holds each document's topic (-1 for an outlier).
    """

    name: str
    vocab: list[str]
    topic_term: FloatArray
    doc_topic: FloatArray
    assignments: IntArray
    topic_words: list[list[str]]
    settings: dict[str, Any] = field(default_factory=dict)
    #: A short, distinct name per topic (filled after fitting; empty until then).
    names: list[str] = field(default_factory=list)
    #: How the number of topics was chosen, in a sentence for the report.
    n_topics_rule: str | None = None
    #: The counts an ``"auto"`` search scored (``topics.models.autok.point`` per count).
    auto_curve: list[dict[str, float]] | None = None
    #: Topic ids named by the user (None: no names were applied).
    user_named: list[int] | None = None
    #: What only this kind of model knows (its own ``ModelDetails`` subclass), or None.
    details: ModelDetails | None = None

    @property
    def n_topics(self) -> int:
        return int(self.topic_term.shape[0])

    def extras_json(self) -> dict[str, Any]:
        """The model's ``extras`` object in ``topics.json`` (a published contract).

        The typed fields, flattened: the details' own fields, then the common ones set.
        """
        details = self.details.as_report() if self.details is not None else {}
        # A detail left None was not measured for this fit: the key is left out.
        out = {k: v for k, v in details.items() if v is not None}
        if self.n_topics_rule is not None:
            out["n_topics_rule"] = self.n_topics_rule
        if self.auto_curve is not None:
            out["auto_curve"] = to_json(self.auto_curve)
        if self.user_named is not None:
            out["user_named"] = list(self.user_named)
        return out

    def topic_name(self, topic: int) -> str:
        """The topic's display name: its given name, else its top three words."""
        if topic < 0:
            return "outliers"
        if topic < len(self.names) and self.names[topic]:
            return self.names[topic]
        return ", ".join(self.topic_words[topic][:3]) or f"topic {topic}"

    @property
    def sizes(self) -> list[int]:
        """Number of documents whose dominant topic is each topic."""
        counts = np.bincount(self.assignments[self.assignments >= 0], minlength=self.n_topics)
        return [int(c) for c in counts]

    @property
    def prevalence(self) -> list[float]:
        """Share of the corpus's topic mass held by each topic."""
        mass = self.doc_topic.sum(axis=0)
        total = float(mass.sum()) or 1.0
        return [float(m) / total for m in mass]


@dataclass(frozen=True)
class ModelScores:
    """A model's quality metrics (keys of ``topics.evaluate.scores.METRIC_EXPLANATIONS``)
    and per-topic coherence."""

    metrics: dict[str, float]
    per_topic: list[dict[str, float]]


@dataclass
class Fits:
    """What the models produce from a preprocessed corpus (the expensive part of a run)."""

    models: dict[str, TopicModelResult]
    scores: dict[str, ModelScores]
    coords: FloatArray | None = None
    #: Document embeddings a model made (not kept in the fits cache; see ``ModelSpec.restore``).
    embeddings: npt.NDArray[np.floating[Any]] | None = None
