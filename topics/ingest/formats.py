"""Readers for each supported format: plain text, Markdown, HTML, CSV and JSONL.

A file reader yields ``Record`` (one document's raw fields) or ``Skipped``
(a bad row, with its line number). Tabular files are streamed row by row.
"""

from __future__ import annotations

import csv
import html
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import IO, Any

from topics.types import Skipped

# Column names that hold a document's text, in order of preference.
TEXT_COLUMNS = (
    "text",
    "body",
    "content",
    "document",
    "message",
    "abstract",
    "description",
    "review",
    "comment",
    "tweet",
    "summary",
)
DATE_COLUMNS = ("date", "created_at", "published", "published_at", "timestamp", "time")
LABEL_COLUMNS = ("label", "category", "class")
TITLE_COLUMNS = ("title", "subject", "headline", "name")

# A CSV field may legitimately hold a whole article.
csv.field_size_limit(64 * 1024 * 1024)


@dataclass
class Record:
    """Raw fields of one document before cleaning and de-duplication."""

    text: str
    title: str = ""
    date: str | None = None
    label: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    suffix: str = ""  # "#row=N" / "#line=N" for rows of tabular files


class ColumnError(ValueError):
    """A tabular file has no usable text column; ``detail`` says which columns it has.

    ``column``: the text column asked for and not found; no ``columns``: no header row.
    """

    def __init__(self, detail: dict[str, Any]) -> None:
        super().__init__(Skipped("", "no_text_column", detail).reason)
        self.detail = detail


# ----------------------------------------------------------------------------- text formats


def read_plain(text: str) -> Record:
    return Record(text=text, title=_first_line(text))


# Every pattern is bounded or anchored so that hostile input (a 10 MB line of "_x " or
# "[[[[") is processed in linear time; unbalanced markup is simply left in the text.
_MD_IMAGE = re.compile(r"!\[([^\[\]\n]{0,500})\]\([^()\n]{0,2000}\)")
_MD_LINK = re.compile(r"\[([^\[\]\n]{1,500})\]\([^()\n]{0,2000}\)")
_MD_PREFIX = re.compile(r"^[ \t]{0,3}(?:#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d{1,9}[.)][ \t]+)", re.M)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)([^\s*_`](?:[^\n*_`]{0,500}[^\s*_`])?)\1")
_MD_FENCE = re.compile(r"^[ \t]*(?:```|~~~)[^\n]*$", re.MULTILINE)
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(\S[^\n]*)$", re.MULTILINE)


def read_markdown(text: str) -> Record:
    """Markdown to plain prose: keep link and image text, drop markup and URLs."""
    heading = _MD_HEADING.search(text)
    body = _MD_FENCE.sub("", text)
    body = _MD_IMAGE.sub(r"\1", body)
    body = _MD_LINK.sub(r"\1", body)
    body = _MD_PREFIX.sub("", body)
    body = _MD_EMPHASIS.sub(r"\2", body)
    if heading:
        title = _MD_EMPHASIS.sub(r"\2", heading.group(1).rstrip().rstrip("#").rstrip())
    else:
        title = _first_line(body)
    return Record(text=body, title=title)


# Elements whose content is not prose. Script and style are raw text (their content is
# never parsed as tags); the others may nest, so their depth is counted.
_HTML_RAW = frozenset({"script", "style", "title", "textarea", "xmp", "plaintext"})
_HTML_SKIP = frozenset({"noscript", "template", "svg", "iframe", "object", "math", "select"})
_HTML_BLOCK = frozenset(
    {"p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
    | {"section", "article", "header", "footer", "blockquote", "pre", "hr", "dd", "dt"}
)
# "<" starts markup only before a letter, "/" + letter, "!" or "?"; otherwise it is text.
_HTML_MARKUP = re.compile(r"<(?:[!?A-Za-z]|/[A-Za-z])")
_HTML_TAG = re.compile(r"<(/?)([A-Za-z][^\s/>]{0,64})")
_HTML_RAW_END = {name: re.compile(rf"</{name}(?=[\s/>]|$)", re.IGNORECASE) for name in _HTML_RAW}


def read_html(text: str) -> Record:
    """Visible text and ``<title>`` of an HTML page; scripts, styles and markup dropped.

    A small single-pass scanner rather than ``html.parser``, whose handling of
    unclosed tags is quadratic (a 50 KB file of ``<a <a <a`` takes 20 s on Python 3.11).
    Entities are decoded; the result is plain text, never markup.
    """
    parts: list[str] = []
    title_parts: list[str] = []
    skip_depth = 0
    i, n = 0, len(text)
    while i < n:
        found = _HTML_MARKUP.search(text, i)
        lt = found.start() if found else n
        if lt > i and not skip_depth:
            parts.append(text[i:lt])
        if lt >= n:
            break
        if text.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            i = n if end < 0 else end + 3
            continue
        if text.startswith(("<!", "<?"), lt):  # doctype, CDATA, processing instruction
            end = text.find(">", lt + 2)
            i = n if end < 0 else end + 1
            continue
        match = _HTML_TAG.match(text, lt)
        if match is None:  # cannot happen: _HTML_MARKUP found "<" + letter or "</" + letter
            i = lt + 1
            continue
        end = text.find(">", match.end())
        if end < 0:
            break  # an unfinished tag at the end of the file is dropped, as browsers do
        closing, name = match.group(1) == "/", match.group(2).lower()
        self_closing = text[end - 1] == "/"
        i = end + 1
        if not closing and name in _HTML_RAW:
            raw_end = _HTML_RAW_END[name].search(text, i)
            content = text[i : raw_end.start() if raw_end else n]
            if name == "title":
                title_parts.append(content)
            elif name in ("textarea", "xmp", "plaintext") and not skip_depth:
                parts.append(content)
            gt = text.find(">", raw_end.end()) if raw_end else -1
            i = n if gt < 0 else gt + 1
            continue
        if name in _HTML_SKIP and not self_closing:
            skip_depth = max(0, skip_depth + (-1 if closing else 1))
        elif name in _HTML_BLOCK and not skip_depth:
            parts.append("\n")
    body = html.unescape("".join(parts))
    body = re.sub(r"[ \t\r\f\v]+", " ", body)
    body = re.sub(r" ?\n[\n ]*\n ?", "\n\n", body).strip()
    title = " ".join(html.unescape("".join(title_parts)).split()) or _first_line(body)
    return Record(text=body, title=title)


def _first_line(text: str, limit: int = 120) -> str:
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= limit else line[: limit - 1] + "…"
    return ""


# ----------------------------------------------------------------------------- tabular formats


@dataclass(frozen=True)
class Columns:
    """Which fields of a row hold the text, date, label and title."""

    text: str
    date: str | None
    label: str | None
    title: str | None


def choose_columns(
    names: list[str],
    sample_rows: list[dict[str, Any]],
    *,
    text_column: str | None,
    date_column: str | None,
) -> Columns:
    """Pick the text/date/label/title fields of a table from its names and a sample of rows."""
    lower = {n.lower().strip(): n for n in names}
    if text_column is not None:
        if text_column not in names and text_column.lower() not in lower:
            raise ColumnError({"column": text_column, "columns": names[:12]})
        text = text_column if text_column in names else lower[text_column.lower()]
    else:
        found = next((lower[n] for n in TEXT_COLUMNS if n in lower), None)
        text = found or _longest_text_field(names, sample_rows)
    if date_column is not None:
        date_name = date_column if date_column in names else lower.get(date_column.lower())
    else:
        date_name = next((lower[n] for n in DATE_COLUMNS if n in lower), None)
    label = next((lower[n] for n in LABEL_COLUMNS if n in lower), None)
    title = next((lower[n] for n in TITLE_COLUMNS if n in lower), None)
    return Columns(text=text, date=date_name, label=label, title=title)


def _longest_text_field(names: list[str], rows: list[dict[str, Any]]) -> str:
    best, best_len = None, 0.0
    for name in names:
        values = [v for v in (row.get(name) for row in rows) if isinstance(v, str) and v.strip()]
        if not values:
            continue
        wordy = [v for v in values if re.search(r"[^\W\d_]{2,}", v)]
        if len(wordy) < 0.8 * len(values):
            continue  # mostly numbers or codes
        mean_len = sum(len(v) for v in values) / len(values)
        if mean_len > best_len:
            best, best_len = name, mean_len
    if best is None or best_len < 20:
        raise ColumnError({"columns": names[:12]})
    return best


def read_csv(
    stream: IO[str], *, text_column: str | None, date_column: str | None, delimiter: str | None
) -> Iterator[Record | Skipped]:
    """Stream the rows of a CSV/TSV file. Raises ColumnError if no text column exists."""
    head: list[str] = []
    size = 0
    while size < 64 * 1024:
        line = stream.readline()
        if not line:
            break
        head.append(line)
        size += len(line)
    if delimiter is None:
        delimiter = guess_delimiter(head)
    reader = csv.reader(itertools.chain(head, stream), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ColumnError({}) from exc
    names = [h.strip() or f"column{i + 1}" for i, h in enumerate(header)]
    buffered: list[tuple[int, list[str] | csv.Error]] = []
    for row_number, row in _rows(reader):
        buffered.append((row_number, row))
        if len(buffered) >= 200:
            break
    sample = [dict(zip(names, row, strict=False)) for _, row in buffered if isinstance(row, list)]
    columns = choose_columns(names, sample, text_column=text_column, date_column=date_column)

    def all_rows() -> Iterator[tuple[int, list[str] | csv.Error]]:
        yield from buffered
        yield from _rows(reader, start=len(buffered) + 1)

    for row_number, row in all_rows():
        suffix = f"#row={row_number}"
        if isinstance(row, csv.Error):
            yield Skipped(suffix, "bad_row", {"row": row_number, "error": str(row)})
            continue
        if len(row) != len(names):
            if not any(cell.strip() for cell in row):
                continue  # blank line
            detail = {"row": row_number, "fields": len(row), "expected": len(names)}
            yield Skipped(suffix, "bad_row", detail)
            continue
        yield _record(dict(zip(names, row, strict=True)), columns, suffix, row_number)


def guess_delimiter(lines: list[str], candidates: str = ",;\t|") -> str:
    """The delimiter that splits the first lines into the most consistent columns.

    ``csv.Sniffer`` is not used: its regexes are quadratic (20 s on 64 KB of ``,"``).
    """
    sample = lines[:100]
    best, best_score = ",", (0.0, 0)
    for delimiter in candidates:
        rows = [
            row
            for _, row in _rows(csv.reader(sample, delimiter=delimiter))
            if isinstance(row, list)
        ]
        rows = [row for row in rows if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistent = sum(1 for r in rows if len(r) == width) / len(rows)
        score = (round(consistent, 1), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _rows(reader: Any, start: int = 1) -> Iterator[tuple[int, list[str] | csv.Error]]:
    number = start
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield number, exc
        else:
            yield number, row
        number += 1


def read_jsonl(
    stream: IO[str], *, text_column: str | None, date_column: str | None
) -> Iterator[Record | Skipped]:
    """Stream a JSON-lines file; broken lines become ``Skipped`` with their line number."""
    columns: Columns | None = None
    pending: list[tuple[int, dict[str, Any]]] = []
    for line_number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        suffix = f"#line={line_number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Skipped(suffix, "bad_row", {"line": line_number, "error": exc.msg})
            continue
        except (ValueError, RecursionError) as exc:  # 5,000-digit numbers, [[[[ nesting
            why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:80]
            yield Skipped(suffix, "bad_row", {"line": line_number, "error": why})
            continue
        if not isinstance(obj, dict):
            yield Skipped(suffix, "bad_row", {"line": line_number})
            continue
        if columns is None:
            pending.append((line_number, obj))
            if len(pending) < 50:
                continue
            columns = _jsonl_columns(pending, text_column, date_column)
            for number, row in pending:
                yield _record(row, columns, f"#line={number}", number)
            pending = []
            continue
        yield _record(obj, columns, suffix, line_number)
    if pending:
        columns = _jsonl_columns(pending, text_column, date_column)
        for number, row in pending:
            yield _record(row, columns, f"#line={number}", number)


def _jsonl_columns(
    rows: list[tuple[int, dict[str, Any]]], text_column: str | None, date_column: str | None
) -> Columns:
    names: list[str] = []
    for _, row in rows:
        names.extend(k for k in row if k not in names)
    return choose_columns(
        names, [r for _, r in rows], text_column=text_column, date_column=date_column
    )


def _record(row: dict[str, Any], columns: Columns, suffix: str, number: int) -> Record | Skipped:
    text = row.get(columns.text)
    if not isinstance(text, str) or not text.strip():
        what = "missing" if text is None else "empty" if isinstance(text, str) else "not a string"
        unit = "line" if suffix.startswith("#line") else "row"
        return Skipped(suffix, "no_text", {unit: number, "field": columns.text, "value": what})
    date_value = _cell(row.get(columns.date)) if columns.date else None
    label = _cell(row.get(columns.label)) if columns.label else None
    title = _cell(row.get(columns.title)) if columns.title else None
    used = {columns.text, columns.date, columns.label, columns.title}
    meta = {str(k): v for k, v in ((k, _cell(v)) for k, v in row.items() if k not in used) if v}
    return Record(
        text=text,
        title=title or _first_line(text),
        date=parse_date(date_value) if date_value else None,
        label=label or None,
        meta=meta,
        suffix=suffix,
    )


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, (int, float, bool)):
        return str(value)
    return json.dumps(value, ensure_ascii=False)[:1000]


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y%m%d", "%b %d, %Y")


def parse_date(value: str) -> str | None:
    """An ISO ``YYYY-MM-DD`` date from common date and timestamp spellings, or None."""
    value = value.strip()
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    if re.fullmatch(r"\d{9,10}(\.\d+)?", value):  # Unix seconds
        return date.fromtimestamp(float(value)).isoformat()
    return None
