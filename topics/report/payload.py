"""The documents' share of the report page: what is inline, what lives in sidecar files.

Up to ``INLINE_MAX_DOCS`` documents everything is inline, so ``index.html`` alone is the
whole report (it can be mailed). Above that, ``index.html`` carries only packed
per-document columns (map coordinates, topic ids and weights, label ids: a few bytes per
document, base64 of little-endian typed arrays) and every document's words live in
``docs/*.js`` beside it. The page loads a file with a ``<script>`` element when it needs
one: Chromium blocks ``fetch``/XHR of ``file://``, but a script from the page's own
folder is allowed by ``script-src 'self'``. Each file calls ``topicsChunk(kind, index,
rows)``:

- ``docs/light-NNNN.js``: title, path, label, date and snippet of ``light_chunk``
  documents (the table, drill-down lists, map tooltips);
- ``docs/full-NNNN.js``: title, text, metadata, topic mix and similar documents of
  ``full_chunk`` documents (the reader, and search, which scans them one by one).
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from topics.report.render import json_for_script

#: Up to this many documents a report is one self-contained file.
INLINE_MAX_DOCS = 5_000
#: Documents per sidecar file: small files for text (opening one document reads one).
LIGHT_CHUNK = 2_000
FULL_CHUNK = 1_000
DOCS_DIR = "docs"
#: Quantisation of the map's coordinates: 0..65534 over the data's range, 65535 = none.
COORD_STEPS = 65_534
#: Topic weights ship as 0..255 (the page sorts and colours by them; the reader shows
#: the exact weight from the document's full record).
WEIGHT_STEPS = 255
#: Fields of a document that the page needs for lists and tooltips.
LIGHT_FIELDS = ("title", "path", "label", "date", "snippet")


@dataclass(frozen=True)
class DocsLayout:
    """Where the documents go: inline up to ``inline_max_docs``, else in sidecar chunks."""

    inline_max_docs: int = INLINE_MAX_DOCS
    light_chunk: int = LIGHT_CHUNK
    full_chunk: int = FULL_CHUNK


@dataclass
class DocsPayload:
    """The page's document data (``documents`` inline or packed ``docs``) and sidecars."""

    documents: list[dict[str, Any]] | None
    docs: dict[str, Any] | None
    map: dict[str, Any] | None
    files: Mapping[str, str] = field(default_factory=dict)

    @property
    def chunked(self) -> bool:
        return bool(self.files)


def packed(values: np.ndarray) -> dict[str, Any]:
    """Non-negative integers as base64 of the narrowest little-endian unsigned type."""
    values = np.asarray(values)
    top = int(values.max()) if values.size else 0
    kind = "u8" if top <= 0xFF else "u16" if top <= 0xFFFF else "u32"
    dtype = {"u8": "<u1", "u16": "<u2", "u32": "<u4"}[kind]
    raw = values.astype(dtype, copy=False).tobytes()
    return {"type": kind, "b64": base64.b64encode(raw).decode("ascii")}


def pack_coords(x: list[float | None], y: list[float | None]) -> dict[str, Any]:
    """Map coordinates quantised to 16 bits over their range (1/65534 of the map)."""
    xs = np.array([math.nan if v is None else v for v in x], dtype=np.float64)
    ys = np.array([math.nan if v is None else v for v in y], dtype=np.float64)
    ok = np.isfinite(xs) & np.isfinite(ys)
    out: dict[str, Any] = {"n": len(xs), "steps": COORD_STEPS}
    for axis, arr in (("x", xs), ("y", ys)):
        lo = float(arr[ok].min()) if ok.any() else 0.0
        hi = float(arr[ok].max()) if ok.any() else 1.0
        span = hi - lo if hi > lo else 1.0
        q = np.full(len(arr), COORD_STEPS + 1, dtype=np.int64)
        q[ok] = np.rint((arr[ok] - lo) / span * COORD_STEPS).astype(np.int64)
        out[axis] = {"min": lo, "max": lo + span, **packed(q)}
    return {"packed": out}


def chunk_js(kind: str, index: int, rows: list[dict[str, Any]]) -> str:
    """A sidecar file: one call, its JSON escaped as for an inline ``<script>``."""
    return f'topicsChunk("{kind}",{index},{json_for_script(rows)});\n'


def chunk_name(kind: str, index: int) -> str:
    return f"{DOCS_DIR}/{kind}-{index:04d}.js"


class SidecarFiles(Mapping[str, str]):
    """The sidecar files by relative path, each file's text made when it is read.

    Writing them one by one keeps one chunk of documents in memory at a time, where a
    dict of every file's text held the whole corpus's text twice over (rows, then JSON).
    """

    def __init__(self, documents: Sequence[dict[str, Any]], layout: DocsLayout) -> None:
        self._documents = documents
        n = len(documents)
        self._files: dict[str, tuple[str, int, int]] = {}
        for kind, size in (("light", layout.light_chunk), ("full", layout.full_chunk)):
            for index, start in enumerate(range(0, n, size)):
                self._files[chunk_name(kind, index)] = (kind, index, start)
        self._size = {"light": layout.light_chunk, "full": layout.full_chunk}

    def names(self, kind: str) -> list[str]:
        return [name for name, (k, _, _) in self._files.items() if k == kind]

    def __len__(self) -> int:
        return len(self._files)

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __getitem__(self, name: str) -> str:
        kind, index, start = self._files[name]
        stop = min(start + self._size[kind], len(self._documents))
        column = getattr(self._documents, "column", None)
        if kind == "light" and column is not None:
            # The short fields alone: the rows' text and topic mixes are not needed here.
            values = zip(*(column(k, start, stop) for k in LIGHT_FIELDS), strict=True)
            rows = [dict(zip(LIGHT_FIELDS, v, strict=True)) for v in values]
        elif kind == "light":
            rows = [{k: d.get(k) for k in LIGHT_FIELDS} for d in self._documents[start:stop]]
        else:
            docs = self._documents[start:stop]
            # The title again (and the snippet where no text was kept): search reads only
            # these files.
            rows = [
                {
                    k: v
                    for k, v in d.items()
                    if k == "title"
                    or (k == "snippet" and not d.get("text"))
                    or k not in (*LIGHT_FIELDS, "x", "y")
                }
                for d in docs
            ]
        return chunk_js(kind, index, rows)


def _column(documents: Sequence[dict[str, Any]], key: str) -> list[Any]:
    """Every document's ``key``, by the sequence's ``column`` where it has one."""
    column = getattr(documents, "column", None)
    if column is not None:
        values: list[Any] = column(key)
        return values
    return [d.get(key) for d in documents]


def page_documents(
    documents: Sequence[dict[str, Any]],
    coords: dict[str, Any] | None,
    models: list[str],
    labels: list[str],
    layout: DocsLayout | None = None,
) -> DocsPayload:
    """Split the report's documents into what ``index.html`` holds and sidecar files.

    ``layout=None`` keeps everything inline whatever the size (one self-contained page).
    The sidecar files are made as they are read (``SidecarFiles``).
    """
    map_data = pack_coords(coords["x"], coords["y"]) if coords else None
    if layout is None or len(documents) <= layout.inline_max_docs:
        inline = [{k: v for k, v in d.items() if k not in ("x", "y")} for d in documents]
        return DocsPayload(documents=inline, docs=None, map=map_data)
    n = len(documents)
    label_index = {name: i + 1 for i, name in enumerate(labels)}
    columns: dict[str, Any] = {}
    if labels:  # 1.3 bytes a document: only when there are labels to filter by
        ids = np.array([label_index.get(label or "", 0) for label in _column(documents, "label")])
        columns["label"] = packed(ids)
    for name in models:
        topic = np.array(_column(documents, f"{name}_topic"), dtype=np.int64)
        weight = np.array(
            [w if w is not None else 0.0 for w in _column(documents, f"{name}_weight")]
        )
        columns[f"{name}_topic"] = packed(topic + 1)  # 0 = outlier (-1)
        columns[f"{name}_weight"] = packed(np.rint(np.clip(weight, 0, 1) * WEIGHT_STEPS))
    files = SidecarFiles(documents, layout)
    docs = {
        "n": n,
        "labels": labels,
        "columns": columns,
        "weight_steps": WEIGHT_STEPS,
        "chunks": {
            "light": {"size": layout.light_chunk, "files": files.names("light")},
            "full": {"size": layout.full_chunk, "files": files.names("full")},
        },
    }
    return DocsPayload(documents=None, docs=docs, map=map_data, files=files)
