"""Reading input, the one way: folders, files or globs, include/exclude patterns, a parse cache.

``read_inputs`` is the ingest stage's entry point (``read_folder`` is it for one folder).
Each file is parsed by ``topics.ingest.read_file``; with a cache the result is kept under
the file's path, size and modification time (plus the ingest settings and code), so an
unchanged file is never parsed again.
"""

from __future__ import annotations

import glob
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from topics.errors import InputError
from topics.ingest import Collector, IngestSettings, read_file
from topics.ingest.files import FORMATS, FoundFile, walk_folder
from topics.ingest.files import _classify as classify
from topics.store.cached import DocumentCache, cached_map
from topics.store.keys import fingerprint
from topics.types import Corpus, Document, Note, Skipped

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InputSpec:
    """What to read: folders or globs, narrowed by include/exclude patterns.

    ``paths`` are absolute. A glob (``*``, ``?``, ``[``) is split into the folder before
    its first wildcard and a pattern relative to it. Patterns with a ``/`` match from the
    folder's root; patterns without one match any file or folder name (gitignore-like).
    """

    paths: tuple[str, ...]
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def problems(self) -> list[str]:
        """Missing folders, globs that match nothing, patterns that are not patterns."""
        out = []
        if not self.paths:
            out.append("input.paths: name at least one folder or glob")
        for key, patterns in (("include", self.include), ("exclude", self.exclude)):
            for pattern in patterns:
                problem = pattern_problem(pattern)
                if problem:
                    out.append(f"input.{key}: pattern {pattern!r} {problem}")
        for entry in self.paths:
            if is_glob(entry):
                base, rest = split_glob(entry)
                problem = pattern_problem(rest, anchored=True)
                if problem:
                    out.append(f"input.paths: glob {entry!r} {problem}")
                elif not Path(base).is_dir():
                    out.append(f"input.paths: folder {base!r} of glob {entry!r} does not exist")
                elif not glob.glob(entry, recursive=True):
                    out.append(f"input.paths: glob {entry!r} matches nothing")
            elif not Path(entry).exists():
                out.append(f"input.paths: folder {entry!r} does not exist")
            elif not Path(entry).is_dir() and not Path(entry).is_file():
                out.append(f"input.paths: {entry!r} is not a folder or a file")
        return out


def is_glob(entry: str) -> bool:
    return any(ch in entry for ch in "*?[")


def split_glob(entry: str) -> tuple[str, str]:
    """``/data/news/2024-*/*.txt`` -> (``/data/news``, ``2024-*/*.txt``)."""
    parts = Path(entry).parts
    for i, part in enumerate(parts):
        if is_glob(part):
            return str(Path(*parts[:i])) if i else ".", "/".join(parts[i:])
    return entry, ""


@dataclass(frozen=True)
class Root:
    """One folder to walk, the pattern its files must match, and its documents' prefix."""

    folder: Path
    pattern: str = ""
    prefix: str = ""
    #: The input is this one file (``folder`` is the file), not a folder to walk.
    single: bool = False


def resolve_roots(spec: InputSpec) -> list[Root]:
    """The folders to walk; ``InputError`` for a folder that does not exist."""
    roots: list[Root] = []
    for entry in spec.paths:
        folder, pattern = split_glob(entry) if is_glob(entry) else (entry, "")
        path = Path(folder)
        if not path.exists():
            raise InputError(f"input folder {folder!r} does not exist; check the path")
        if path.is_file() and not pattern:
            if path.suffix.lower() not in FORMATS:
                supported = ", ".join(sorted(FORMATS))
                raise InputError(
                    f"input {folder!r} is not a folder or a supported file; "
                    f"point topics at a folder or a {supported} file"
                )
            roots.append(Root(path, single=True))
            continue
        if not path.is_dir():
            raise InputError(f"input {folder!r} is not a folder; point topics at a folder")
        roots.append(Root(path, pattern))
    if len(roots) > 1:
        # Several folders: prefix paths with the folder name so every path stays unique.
        names: dict[str, int] = {}
        for i, root in enumerate(roots):
            name = root.folder.resolve().name or "input"
            names[name] = names.get(name, 0) + 1
            suffix = f"-{names[name]}" if names[name] > 1 else ""
            roots[i] = replace(root, prefix=f"{name}{suffix}/")
    return roots


def read_inputs(
    spec: InputSpec,
    settings: IngestSettings | None = None,
    *,
    cache: DocumentCache | None = None,
    progress: Callable[[int], None] | None = None,
) -> Corpus:
    """Every document under ``spec``'s folders and files, and every file not used and why.

    Raises ``InputError`` when a path does not exist or is neither a folder nor a
    supported file. Input with no usable documents still gives a ``Corpus`` (empty), so
    callers can report why. ``progress`` is told each file seen.
    """
    settings = settings or IngestSettings()
    settings.validate()
    roots = resolve_roots(spec)
    include = [_compile(p) for p in spec.include]
    exclude = [_compile(p) for p in spec.exclude]
    corpus = Corpus(
        root="; ".join(str(r.folder.resolve()) for r in roots), documents=[], skipped=[]
    )
    salt = hash_settings(settings)
    collect = Collector(corpus, keep_duplicates=settings.keep_duplicates)
    for root in roots:
        wanted = _compile(root.pattern, anchored=True) if root.pattern else None
        found = (
            [classify(root.folder, root.folder.name)] if root.single else walk_folder(root.folder)
        )
        entries = [e for e in found if _keep(_rel(e), wanted, include, exclude)]
        for items, notes in _parse(entries, salt, settings, cache):
            corpus.n_files_seen += 1
            if progress is not None:
                progress(1)
            corpus.notes += [Note(root.prefix + n.path, n.message) for n in notes]
            for item in items:
                if root.prefix:
                    item = replace(item, path=root.prefix + item.path)
                collect(item)
    log.info(
        "ingest: %d documents, %d skipped, %d files seen in %d folder(s)",
        len(corpus.documents),
        len(corpus.skipped),
        corpus.n_files_seen,
        len(roots),
    )
    return corpus


Parsed = tuple[list[Document | Skipped], list[Note]]

#: Parsed documents kept waiting for the cache at most (then stored in one transaction).
STORE_DOCUMENTS = 20_000

#: The code a parsed file depends on: a change in any of it is a new cache key.
_CODE = (
    "topics.ingest",
    "topics.ingest.files",
    "topics.ingest.formats",
    "topics.ingest.inputs",
    "topics.types",
)


def _parse(
    entries: list[FoundFile | Skipped],
    salt: str,
    settings: IngestSettings,
    cache: DocumentCache | None,
) -> Iterator[Parsed]:
    """Parse each entry, or take its result from the cache; yields in order."""

    def parse(missing: list[FoundFile | Skipped]) -> Iterator[Parsed]:
        for entry in missing:
            if isinstance(entry, Skipped):
                yield [entry], []
                continue
            notes: list[Note] = []
            yield list(read_file(entry, settings, notes)), notes

    keys = [
        _file_key(e, salt) if cache is not None and isinstance(e, FoundFile) else ""
        for e in entries
    ]
    return cached_map(
        entries,
        keys,
        parse,
        cache=cache,
        stage="parsed",
        counter="parsed",
        weight=lambda parsed: sum(isinstance(x, Document) for x in parsed[0]),
        encode=_encode,
        decode=_decode,
        # A read error may go away: never remember it.
        remember=lambda parsed: not any(_transient(x) for x in parsed[0]),
        # Documents, not files, bound what waits to be stored (one JSONL may hold 10k).
        batch_weight=STORE_DOCUMENTS,
    )


def _transient(item: Document | Skipped) -> bool:
    return isinstance(item, Skipped) and item.code == "unreadable"


def hash_settings(settings: IngestSettings) -> str:
    """The part of every parse key that the settings and the ingest code make."""
    return fingerprint(asdict(settings), modules=_CODE)


def _file_key(found: FoundFile, salt: str) -> str:
    try:
        stat = found.path.stat()
    except OSError:
        return ""
    # The relative path is part of the key: it becomes the document's path and label.
    return fingerprint(str(found.path.resolve()), found.rel, stat.st_size, stat.st_mtime_ns, salt)


def _encode(parsed: Parsed) -> dict[str, Any]:
    items, notes = parsed
    return {
        "items": [
            {"doc": asdict(x)} if isinstance(x, Document) else {"skip": asdict(x)} for x in items
        ],
        "notes": [asdict(n) for n in notes],
    }


def _decode(value: dict[str, Any]) -> Parsed:
    items: list[Document | Skipped] = [
        Document(**x["doc"]) if "doc" in x else Skipped(**x["skip"]) for x in value["items"]
    ]
    return items, [Note(**n) for n in value["notes"]]


def _rel(entry: FoundFile | Skipped) -> str:
    return entry.rel if isinstance(entry, FoundFile) else entry.path.rstrip("/")


def _keep(
    rel: str,
    wanted: re.Pattern[str] | None,
    include: list[re.Pattern[str]],
    exclude: list[re.Pattern[str]],
) -> bool:
    if wanted is not None and not _matches(wanted, rel):
        return False
    if include and not any(_matches(p, rel) for p in include):
        return False
    return not any(_matches(p, rel) for p in exclude)


def _matches(pattern: re.Pattern[str], rel: str) -> bool:
    """A file matches when the pattern matches its path or the path of a folder above it."""
    parts = rel.split("/")
    return any(pattern.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1))


def pattern_problem(pattern: str, anchored: bool = False) -> str | None:
    """Why ``pattern`` is not a usable glob (``[z-a]``, ``[]``), or None when it is."""
    try:
        _compile(pattern, anchored)
    except re.error as exc:
        return f"is not a valid pattern ({exc.msg}); check its [...] ranges"
    except RecursionError:
        return "is too complex"
    return None


@lru_cache(maxsize=256)
def _compile(pattern: str, anchored: bool = False) -> re.Pattern[str]:
    """Glob -> regex: ``*`` and ``?`` stay within a name, ``**`` spans folders.

    Without a ``/`` (and unless ``anchored``) the pattern matches a name at any depth.
    """
    pattern = pattern.strip().strip("/")
    if not anchored and "/" not in pattern:
        pattern = "**/" + pattern
    out = []
    parts = pattern.split("/")
    for i, part in enumerate(parts):
        if part == "**":
            out.append(".*" if i == len(parts) - 1 else "(?:[^/]+/)*")
            continue
        regex = ""
        j = 0
        while j < len(part):
            ch = part[j]
            if ch == "*":
                regex += "[^/]*"
            elif ch == "?":
                regex += "[^/]"
            elif ch == "[":
                end = part.find("]", j + 1)
                if end == -1:
                    regex += re.escape(ch)
                else:
                    body = part[j + 1 : end].replace("\\", "\\\\")
                    if body.startswith("!"):
                        body = "^" + body[1:]
                    regex += f"[{body}]"
                    j = end
            else:
                regex += re.escape(ch)
            j += 1
        out.append(regex + ("/" if i < len(parts) - 1 else ""))
    return re.compile("".join(out))
