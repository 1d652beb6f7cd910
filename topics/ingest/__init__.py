"""Ingest: folders of files -> a ``Corpus`` of documents plus every file not used and why.

``topics.ingest.inputs.read_inputs`` is the one way in (several folders, globs, patterns,
a parse cache); ``read_folder`` is it for one folder. This module reads one file.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from topics.ingest.files import (
    FORMATS,
    FoundFile,
    clean_text,
    decode_bytes,
    sniff_binary,
)
from topics.ingest.formats import (
    ColumnError,
    Record,
    read_csv,
    read_html,
    read_jsonl,
    read_markdown,
    read_plain,
)
from topics.settings import field_problems, raise_problems
from topics.types import Corpus, Document, Note, Skipped

__all__ = [
    "FORMATS",
    "Collector",
    "IngestSettings",
    "read_file",
    "read_folder",
]


_MB = 1024 * 1024
# Rows of tabular files are streamed, so those files may be much larger than a text file.
_TABULAR_FACTOR = 100


@dataclass(frozen=True)
class IngestSettings:
    """How to read an input folder.

    Parameters
    ----------
    text_column, date_column
        Field holding the text / date in CSV and JSONL files (auto-detected when None).
    max_file_mb
        Text files larger than this are skipped unread; CSV/JSONL files are streamed
        and may be up to 100 times larger.
    max_doc_chars
        Longer documents are truncated (and noted) so one file cannot dominate memory.
    keep_duplicates
        Model exact duplicates too (by default the first copy is kept, the rest listed).
    """

    text_column: str | None = None
    date_column: str | None = None
    max_file_mb: float = 10.0
    max_doc_chars: int = 1_000_000
    keep_duplicates: bool = False

    def problems(self, *, options: bool = True) -> list[str]:
        """Every invalid field; ``options=False``: only those no option sets."""
        problems = field_problems("ingest", self) if options else []
        if self.max_doc_chars < 100:
            problems.append(f"max_doc_chars: must be at least 100, got {self.max_doc_chars}")
        return problems

    def validate(self) -> None:
        """Raise ``SettingsError`` naming every invalid field at once."""
        raise_problems(self.problems())

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


Progress = Callable[[int], None]


def read_folder(
    root: Path, settings: IngestSettings | None = None, *, progress: Progress | None = None
) -> Corpus:
    """Every supported file under ``root``: ``read_inputs`` of that one folder (or file)."""
    from topics.ingest.inputs import InputSpec, read_inputs

    return read_inputs(InputSpec(paths=(str(root),)), settings, progress=progress)


class Collector:
    """Adds read items to a corpus: documents in, skips listed, exact duplicates flagged.

    The first copy of a text is used; later copies are listed as skipped with the path
    of the first (unless ``keep_duplicates``).
    """

    def __init__(self, corpus: Corpus, *, keep_duplicates: bool) -> None:
        self.corpus = corpus
        self.keep_duplicates = keep_duplicates
        self.first_seen: dict[str, str] = {}

    def __call__(self, item: Document | Skipped) -> None:
        if isinstance(item, Skipped):
            self.corpus.skipped.append(item)
            return
        duplicate_of = self.first_seen.get(item.content_hash)
        if duplicate_of is not None and not self.keep_duplicates:
            self.corpus.skipped.append(Skipped(item.path, "duplicate", {"of": duplicate_of}))
            return
        self.first_seen.setdefault(item.content_hash, item.path)
        self.corpus.documents.append(item)


def read_file(
    found: FoundFile, settings: IngestSettings, notes: list[Note]
) -> Iterator[Document | Skipped]:
    tabular = found.kind in ("csv", "jsonl")
    cap_mb = settings.max_file_mb * (_TABULAR_FACTOR if tabular else 1)
    if found.size == 0:
        yield Skipped(found.rel, "empty")
        return
    if found.size > cap_mb * _MB:
        yield Skipped(found.rel, "too_large", {"cap_mb": cap_mb, "bytes": found.size})
        return
    try:
        with open(found.path, "rb") as fh:
            head = fh.read(8192)
            binary = sniff_binary(head)
            if binary is not None:
                yield Skipped(found.rel, "binary", {"what": binary})
                return
            if tabular:
                yield from _read_tabular(found, fh, head, settings, notes)
                return
            # Never more than the cap, even if the file grew since it was measured.
            limit = int(cap_mb * _MB)
            data = head + fh.read(max(0, limit + 1 - len(head)))
            if len(data) > limit:
                size = max(os.fstat(fh.fileno()).st_size, len(data))
                yield Skipped(found.rel, "too_large", {"cap_mb": cap_mb, "bytes": size})
                return
    except OSError as exc:
        yield Skipped(found.rel, "unreadable", {"error": exc.strerror or type(exc).__name__})
        return
    decoded = decode_bytes(data)
    if decoded is None:
        yield Skipped(found.rel, "not_text")
        return
    text, encoding = decoded
    _note_encoding(found.rel, encoding, notes)
    reader = {"markdown": read_markdown, "html": read_html}.get(found.kind, read_plain)
    try:
        record = reader(text)
    except Exception as exc:  # a malformed file must never stop the run
        yield Skipped(found.rel, "parse_error", {"format": found.kind, "error": type(exc).__name__})
        return
    yield _document(found.rel, record, encoding, settings, notes)


def _read_tabular(
    found: FoundFile,
    fh: io.BufferedReader,
    head: bytes,
    settings: IngestSettings,
    notes: list[Note],
) -> Iterator[Document | Skipped]:
    decoded = decode_bytes(head)
    if decoded is None:
        yield Skipped(found.rel, "not_text")
        return
    encoding = decoded[1]
    if encoding in ("cp1252", "latin-1") and _is_utf8_start(head + fh.read(4)):
        # The 8 KB head ended inside a multi-byte character: it is UTF-8 all the same.
        encoding = "utf-8"
    _note_encoding(found.rel, encoding, notes)
    fh.seek(0)
    # Bytes that do not decode further into the file become U+FFFD rather than stopping the
    # file; they are counted so the report can say so.
    _replaced.count = 0
    stream = io.TextIOWrapper(fh, encoding=encoding, errors=_REPLACE_AND_COUNT, newline="")
    n_rows = 0
    try:
        if found.kind == "csv":
            delimiter = "\t" if found.path.suffix.lower() == ".tsv" else None
            rows = read_csv(
                stream,
                text_column=settings.text_column,
                date_column=settings.date_column,
                delimiter=delimiter,
            )
        else:
            rows = read_jsonl(
                stream, text_column=settings.text_column, date_column=settings.date_column
            )
        for row in rows:
            n_rows += 1
            if isinstance(row, Skipped):
                yield replace(row, path=found.rel + row.path)
            else:
                yield _document(found.rel + row.suffix, row, encoding, settings, notes)
    except ColumnError as exc:
        yield Skipped(found.rel, "no_text_column", exc.detail)
        return
    except OSError:
        raise
    except Exception as exc:  # a malformed file must never stop the run
        yield Skipped(found.rel, "parse_error", {"format": found.kind, "error": type(exc).__name__})
        return
    finally:
        stream.detach()
        if _replaced.count:
            notes.append(
                Note(
                    found.rel,
                    f"{_replaced.count:,} byte sequences were not valid {encoding} "
                    "and were replaced by U+FFFD",
                )
            )
    if n_rows == 0:
        yield Skipped(found.rel, "no_rows")


_REPLACE_AND_COUNT = "topics-replace-and-count"
_replaced = threading.local()


def _replace_and_count(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    _replaced.count = getattr(_replaced, "count", 0) + 1
    return "\ufffd", exc.end


codecs.register_error(_REPLACE_AND_COUNT, _replace_and_count)


def _is_utf8_start(data: bytes) -> bool:
    """Whether ``data`` is valid UTF-8 that may stop inside a character (the file goes on)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _document(
    path: str, record: Record, encoding: str, settings: IngestSettings, notes: list[Note]
) -> Document | Skipped:
    text = clean_text(record.text).strip()
    if not text:
        return Skipped(path, "empty_text")
    if len(text) > settings.max_doc_chars:
        notes.append(
            Note(path, f"truncated to {settings.max_doc_chars:,} characters from {len(text):,}")
        )
        text = text[: settings.max_doc_chars]
    parts = path.split("/")
    label = _one_line(record.label or "") or (parts[0] if len(parts) > 1 else None)
    title = _one_line(record.title)[:200] or _one_line(path)
    meta = {_one_line(k)[:200]: clean_text(v) for k, v in record.meta.items()}
    return Document(
        path=path,
        text=text,
        title=title,
        label=label,
        date=record.date,
        meta=meta,
        encoding=encoding,
        content_hash=content_hash(text),
    )


def _one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


def content_hash(text: str) -> str:
    """Hash of a document's text with whitespace normalised (for duplicates and caching)."""
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()


def _note_encoding(path: str, encoding: str, notes: list[Note]) -> None:
    if encoding in ("utf-8", "utf-8-sig"):
        return
    names = {"cp1252": "Windows-1252 / Latin-1", "latin-1": "Latin-1"}
    notes.append(Note(path, f"not UTF-8: decoded as {names.get(encoding, encoding.upper())}"))
