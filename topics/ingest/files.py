"""Walking an input folder safely and turning bytes into text.

Untrusted folders hold symlink loops, links pointing elsewhere, unreadable
files, binaries and text in legacy encodings. Every file we do not use is
reported with a reason; nothing is read whole before its size is checked.
"""

from __future__ import annotations

import codecs
import os
import re
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
#: The extensions we read, as a skip reason lists them.
SUPPORTED = ", ".join(sorted(FORMATS))

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

#: Marker file of a topics output folder (see ``topics.store.output.MARKER``).
OUTPUT_MARKER = ".topics-output"

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
            yield Skipped(_rel(folder, root) + "/", "unreadable", {"error": _os_reason(exc)})
            continue
        subfolders: list[Path] = []
        for entry in entries:
            path = Path(entry.path)
            rel = _rel(path, root)
            try:
                if entry.name.startswith("."):
                    # .git, .DS_Store, editor swap files: listed, never read or walked into.
                    is_dir = entry.is_dir(follow_symlinks=False)
                    yield Skipped(rel + ("/" if is_dir else ""), "hidden")
                    continue
                if entry.is_symlink():
                    found = _check_symlink(path, rel, root_resolved)
                    if isinstance(found, Skipped):
                        yield found
                        continue
                    yield _classify(found, rel)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if (path / OUTPUT_MARKER).exists():
                        yield Skipped(rel + "/", "reports")
                        continue
                    subfolders.append(path)
                    continue
                if not entry.is_file(follow_symlinks=False):
                    yield Skipped(rel, "not_regular")
                    continue
                yield _classify(path, rel)
            except OSError as exc:
                yield Skipped(rel, "unreadable", {"error": _os_reason(exc)})
        # Reverse so that popping keeps alphabetical order.
        stack.extend(reversed(subfolders))


def _check_symlink(path: Path, rel: str, root_resolved: Path) -> Path | Skipped:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return Skipped(rel, "symlink", {"target": "broken"})
    if not target.is_relative_to(root_resolved):
        return Skipped(rel, "symlink", {"target": "outside"})
    if target.is_dir():
        return Skipped(rel, "symlink", {"target": "folder"})
    if not target.is_file():
        return Skipped(rel, "symlink", {"target": "special"})
    return target


def _classify(path: Path, rel: str) -> FoundFile | Skipped:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        suffix = path.suffix.lower() or "(no extension)"
        what = _sniff_unsupported(path)
        if what is not None:
            return Skipped(rel, "binary", {"what": what, "suffix": suffix})
        return Skipped(rel, "unsupported", {"suffix": suffix, "supported": SUPPORTED})
    return FoundFile(path=path, rel=rel, kind=kind, size=path.stat().st_size)


def _sniff_unsupported(path: Path) -> str | None:
    # Only the signature is read, so the reason can say what the file is.
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return None
    return next((what for magic, what in _MAGIC if head.startswith(magic)), None)


def _rel(path: Path, root: Path) -> str:
    try:
        rel = path.relative_to(root).as_posix()
    except ValueError:
        rel = path.as_posix()
    return display_name(rel)


def display_name(name: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 are shown as ``\\xNN``.

    POSIX names are bytes; Python maps undecodable ones to lone surrogates, which
    cannot be written to a UTF-8 report (the run would crash at the very end).
    """
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def sniff_binary(head: bytes) -> str | None:
    """Name the binary format of a file from its first bytes, or None if it may be text."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return None
    if b"\x00" in head and _utf16_without_bom(head) is None:
        return "binary data (contains NUL bytes)"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for BOM-less UTF-16 of mostly Latin text (NUL in every other byte)."""
    sample = data[:4096]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    nul_even, nul_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    if nul_odd > 0.9 and nul_even < 0.05:
        return "utf-16-le"
    if nul_even > 0.9 and nul_odd < 0.05:
        return "utf-16-be"
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
    else:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            candidates.append(utf16)
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


# C0/C1 control characters (Unicode category Cc) except tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates come from JSON escapes like "\ud800"; they cannot be encoded as UTF-8.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Normalise decoded text: NFC, unified newlines, no NUL or other control characters.

    Lone surrogates become U+FFFD so the text can always be written as UTF-8.
    """
    text = _SURROGATE.sub("\ufffd", text)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _CONTROL.sub("", text)


# Control characters that do not occur in text (tab, newlines and form feed do).
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:100_000]
    return len(_BINARY_CONTROL.findall(sample)) / len(sample)
