"""Walking an input folder safely and turning bytes into text.

Untrusted folders hold symlink loops, links pointing elsewhere, unreadable
files, binaries and text in legacy encodings. Every file we do not use is
reported with a reason; nothing is read whole before its size is checked.
"""

from __future__ import annotations

import codecs
import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from topics.types import Skipped

#: Extensions we read, mapped to the reader that handles them.
FORMATS: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".tsv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

# File signatures of common binary formats, so the skip reason can say what the file is.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document (PDF is not supported; convert it to text first)"),
    (b"PK\x03\x04", "ZIP archive (or a zipped office document)"),
    (b"\x7fELF", "ELF executable"),
    (b"\x1f\x8b", "gzip archive"),
    (b"MZ", "Windows executable"),
    (b"\xd0\xcf\x11\xe0", "legacy Office document"),
    (b"SQLite format 3\x00", "SQLite database"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

#: Share of control characters above which decoded bytes are not text.
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class FoundFile:
    """A regular file under the root that we may read."""

    path: Path
    rel: str
    kind: str
    size: int


def walk_folder(root: Path) -> Iterator[FoundFile | Skipped]:
    """Yield every file under ``root`` in a stable order, or a ``Skipped`` for it.

    Symlinked files are read only when they resolve inside ``root``; symlinked
    folders are never followed (that is how loops are avoided).
    """
    root_resolved = root.resolve()
    stack: list[Path] = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(_rel(folder, root) + "/", f"folder cannot be read ({_os_reason(exc)})")
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            rel = _rel(path, root)
            if entry.name.startswith(".") and entry.name not in (".",):
                # Hidden files and folders (.git, .DS_Store, editor swap files) are not documents.
                continue
            try:
                if entry.is_symlink():
                    found = _check_symlink(path, rel, root_resolved)
                    if isinstance(found, Skipped):
                        yield found
                        continue
                    yield _classify(found, rel)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    subfolders.append(path)
                    continue
                if not entry.is_file(follow_symlinks=False):
                    yield Skipped(rel, "not a regular file (device, socket or pipe)")
                    continue
                yield _classify(path, rel)
            except OSError as exc:
                yield Skipped(rel, f"cannot be read ({_os_reason(exc)})")
        # Reverse so that popping keeps alphabetical order.
        stack.extend(reversed(subfolders))


def _check_symlink(path: Path, rel: str, root_resolved: Path) -> Path | Skipped:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return Skipped(rel, "broken or looping symlink")
    if not target.is_relative_to(root_resolved):
        return Skipped(rel, "symlink points outside the input folder; not followed")
    if target.is_dir():
        return Skipped(rel, "symlinked folder; not followed (avoids loops and double counting)")
    if not target.is_file():
        return Skipped(rel, "symlink to something that is not a regular file")
    return target


def _classify(path: Path, rel: str) -> FoundFile | Skipped:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        suffix = path.suffix.lower() or "(no extension)"
        return Skipped(rel, f"unsupported file type {suffix}")
    return FoundFile(path=path, rel=rel, kind=kind, size=path.stat().st_size)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def sniff_binary(head: bytes) -> str | None:
    """Name the binary format of a file from its first bytes, or None if it may be text."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    if b"\x00" in head:
        return "binary data (contains NUL bytes)"
    return None


def decode_bytes(data: bytes) -> tuple[str, str] | None:
    """Decode file bytes to text; return ``(text, encoding)`` or None if it is not text.

    UTF-8 first (with or without BOM), then UTF-16/32 when a BOM says so, then
    Windows-1252 (a superset of Latin-1's printable range, the common legacy
    encoding), then Latin-1. Decoded text with many control characters is not
    text whatever the encoding.
    """
    candidates: list[str] = []
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            candidates.append(encoding)
            break
    candidates += ["utf-8", "cp1252", "latin-1"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _control_share(text) > _MAX_CONTROL_SHARE:
            return None
        return text, encoding
    return None


def clean_text(text: str) -> str:
    """Normalise decoded text: NFC, unified newlines, no NUL or other control characters."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return "".join(ch for ch in text if ch in "\n\t" or not _is_control(ch))


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:100_000]
    bad = sum(1 for ch in sample if _is_control(ch) and ch not in "\n\r\t\f")
    return bad / len(sample)
