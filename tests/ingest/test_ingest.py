"""Tests for topics.ingest: every format, encodings, and every way a file can be unusable."""

from __future__ import annotations

import builtins
import codecs
import dataclasses
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import topics.ingest as ingest
from tests.conftest import write_file as write
from topics.errors import InputError, SettingsError
from topics.ingest import IngestSettings, read_folder
from topics.ingest.files import clean_text, decode_bytes, sniff_binary
from topics.ingest.formats import guess_delimiter, parse_date, read_html, read_markdown
from topics.types import Corpus, Document

PROSE = (
    "The river flows past the old mill where farmers bring their grain every autumn, "
    "and the miller weighs each sack before the stones begin to turn."
)

MAGIC = {
    "png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
    "zip": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(64),
    "elf": b"\x7fELF\x02\x01\x01\x00" + bytes(64),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
}


def by_path(corpus: Corpus) -> dict[str, Document]:
    return {d.path: d for d in corpus.documents}


def skipped(corpus: Corpus) -> dict[str, str]:
    return {s.path: s.reason for s in corpus.skipped}


def notes(corpus: Corpus) -> dict[str, str]:
    return {n.path: n.message for n in corpus.notes}


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


# ----------------------------------------------------------------------------- formats


def test_txt_text_title_and_no_label_at_root(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", "\n\n  First line here  \n" + PROSE)
    doc = by_path(read_folder(tmp_path))["a.txt"]
    assert doc.title == "First line here"
    assert PROSE in doc.text
    assert doc.label is None
    assert doc.encoding == "utf-8"


def test_labels_are_the_first_level_subfolder(tmp_path: Path) -> None:
    write(tmp_path, "sport/a.txt", PROSE)
    write(tmp_path, "sport/deep/er/b.txt", PROSE + " Second.")
    write(tmp_path, "news/c.md", PROSE + " Third.")
    docs = by_path(read_folder(tmp_path))
    assert docs["sport/a.txt"].label == "sport"
    assert docs["sport/deep/er/b.txt"].label == "sport"
    assert docs["news/c.md"].label == "news"


def test_markdown_markup_stripped_link_text_kept_urls_dropped(tmp_path: Path) -> None:
    md = (
        "# The **Mill** Report\n\n"
        "Read [the harvest notes](https://example.com/notes) and "
        "![a photo of the mill](http://img.example/mill.png).\n\n"
        "```python\nprint('code fence marker')\n```\n"
        "- a *list* item with `code`\n"
        "> quoted _wisdom_\n"
        "1. numbered item\n"
    )
    write(tmp_path, "r.md", md)
    doc = by_path(read_folder(tmp_path))["r.md"]
    assert doc.title == "The Mill Report"
    assert "the harvest notes" in doc.text
    assert "a photo of the mill" in doc.text
    assert "example" not in doc.text and "http" not in doc.text
    assert "```" not in doc.text and "**" not in doc.text
    assert "a list item with code" in doc.text
    assert "quoted wisdom" in doc.text
    assert "numbered item" in doc.text and "1." not in doc.text


def test_html_script_style_dropped_title_from_title_element(tmp_path: Path) -> None:
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title> Mill &amp; River </title>"
        "<style>body { color: red }</style><script>var secret = 'SCRIPTTEXT';</script>"
        "</head><body><h1>Heading</h1><p>First &lt;para&gt; with <b>bold</b> "
        "<a href='https://example.com'>link words</a>.</p><!-- a comment -->"
        "<noscript>NOSCRIPTTEXT</noscript><p>a &lt; b and c > d</p>"
        "<SCRIPT type='module'>STILLSCRIPT()</SCRIPT ><p>The end.</p></body></html>"
    )
    write(tmp_path, "p.html", page)
    doc = by_path(read_folder(tmp_path))["p.html"]
    assert doc.title == "Mill & River"
    for gone in ("SCRIPTTEXT", "color", "NOSCRIPTTEXT", "STILLSCRIPT", "a comment", "https"):
        assert gone not in doc.text
    assert "First <para> with bold link words." in doc.text
    assert "a < b and c > d" in doc.text
    assert doc.text.endswith("The end.")


def test_html_without_closing_head_keeps_the_body(tmp_path: Path) -> None:
    # </head> is optional in HTML; the old reader skipped everything after <head>.
    write(tmp_path, "p.htm", "<html><head><title>T</title><body><p>" + PROSE)
    doc = by_path(read_folder(tmp_path))["p.htm"]
    assert doc.title == "T"
    assert PROSE in doc.text


def test_html_without_title_uses_first_line(tmp_path: Path) -> None:
    write(tmp_path, "p.html", "<p>Opening words</p><p>" + PROSE + "</p>")
    assert by_path(read_folder(tmp_path))["p.html"].title == "Opening words"


# ----------------------------------------------------------------------------- CSV


def test_csv_text_column_by_name_date_label_title_and_meta(tmp_path: Path) -> None:
    rows = [
        ["id", "Title", "Text", "published", "category", "author"],
        ["1", "Mill", PROSE, "2021-03-04", "farming", "Ann"],
        ["2", "Sea", PROSE + " At sea.", "04/05/2022", "sailing", ""],
        ["3", "", PROSE + " Again.", "not a date", "", "Bo"],
    ]
    write(tmp_path, "t.csv", "\n".join(",".join(_q(c) for c in r) for r in rows) + "\n")
    corpus = read_folder(tmp_path)
    docs = by_path(corpus)
    one, two, three = docs["t.csv#row=1"], docs["t.csv#row=2"], docs["t.csv#row=3"]
    assert one.text == PROSE and one.title == "Mill" and one.label == "farming"
    assert one.date == "2021-03-04"
    assert one.meta == {"id": "1", "author": "Ann"}
    assert two.date == "2022-05-04"  # day-first is tried before month-first
    assert two.meta == {"id": "2"}
    assert three.date is None and three.label is None
    assert three.title.startswith("The river flows")  # no title: first line of the text


def _q(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if ("," in cell or '"' in cell) else cell


def test_csv_text_column_by_longest_field(tmp_path: Path) -> None:
    content = "code,remark,n\nA1,short note,3\n" + "".join(
        f"B{i},{_q(PROSE + f' Row {i}.')},{i}\n" for i in range(5)
    )
    write(tmp_path, "t.csv", content)
    docs = by_path(read_folder(tmp_path))
    assert docs["t.csv#row=2"].text == PROSE + " Row 0."
    assert docs["t.csv#row=2"].meta == {"code": "B0", "n": "0"}
    # A short value is still a document: the column was chosen for the whole file.
    assert docs["t.csv#row=1"].text == "short note"


def test_csv_explicit_text_column(tmp_path: Path) -> None:
    write(tmp_path, "t.csv", f"text,notes\nignored words here,{_q(PROSE)}\n")
    corpus = read_folder(tmp_path, IngestSettings(text_column="notes"))
    assert by_path(corpus)["t.csv#row=1"].text == PROSE
    missing = read_folder(tmp_path, IngestSettings(text_column="nope"))
    assert not missing.documents
    assert "no column 'nope'" in skipped(missing)["t.csv"]
    assert "'text', 'notes'" in skipped(missing)["t.csv"]


def test_csv_without_usable_text_column_is_one_skipped_naming_columns(tmp_path: Path) -> None:
    write(
        tmp_path,
        "nums.csv",
        "id,value,code\n" + "".join(f"{i},{i * 3.5},X{i}\n" for i in range(30)),
    )
    corpus = read_folder(tmp_path)
    assert corpus.documents == []
    assert len(corpus.skipped) == 1
    reason = skipped(corpus)["nums.csv"]
    assert "no usable text column" in reason
    assert "'id', 'value', 'code'" in reason
    assert "--text-column" in reason


def test_csv_semicolon_and_tsv_delimiters(tmp_path: Path) -> None:
    write(tmp_path, "semi.csv", f"id;text\n1;{PROSE}, with a comma\n2;{PROSE} two\n")
    write(tmp_path, "tabs.tsv", f"id\ttext\n1\t{PROSE} tab\n")
    docs = by_path(read_folder(tmp_path))
    assert docs["semi.csv#row=1"].text == PROSE + ", with a comma"
    assert docs["tabs.tsv#row=1"].text == PROSE + " tab"
    assert guess_delimiter(["a|b|c\n", "1|2|3\n"]) == "|"
    assert guess_delimiter(["just one column\n"]) == ","


def test_csv_bad_rows_are_skipped_with_row_numbers(tmp_path: Path) -> None:
    write(tmp_path, "t.csv", f"id,text\n1,{_q(PROSE)}\n2\n3,\n\n4,{_q(PROSE)} four\n")
    corpus = read_folder(tmp_path)
    assert set(by_path(corpus)) == {"t.csv#row=1", "t.csv#row=5"}
    reasons = skipped(corpus)
    assert reasons["t.csv#row=2"] == "row 2: 1 fields, header has 2"
    assert reasons["t.csv#row=3"] == "row 3: text field 'text' is empty"


def test_csv_with_only_a_header_is_listed(tmp_path: Path) -> None:
    # Regression: a header-only file used to vanish without a trace.
    write(tmp_path, "head.csv", "id,text\n")
    write(tmp_path, "blank.jsonl", "\n\n   \n")
    reasons = skipped(read_folder(tmp_path))
    assert reasons["head.csv"] == "no data rows (only a header or blank lines)"
    assert reasons["blank.jsonl"] == "no data rows (only a header or blank lines)"


def test_csv_utf8_character_across_the_8kb_sniff_boundary(tmp_path: Path) -> None:
    # Regression: a UTF-8 CSV whose first 8 KB ended inside "é" was decoded as cp1252.
    data = b"text,id\n"
    line = b"A long sentence about forests and rivers in the mountains,1\n"
    while len(data) + len(line) < 8191:
        data += line
    data += b"x" * (8191 - len(data)) + "é tail words about forests here,2\n".encode()
    assert data[:8192].endswith(b"\xc3")
    write(tmp_path, "a.csv", data)
    corpus = read_folder(tmp_path)
    assert notes(corpus) == {}
    tail = [d for d in corpus.documents if "tail" in d.text]
    assert tail and tail[0].text.endswith("xé tail words about forests here")
    assert tail[0].encoding == "utf-8"


def test_csv_cp1252_byte_at_the_8kb_boundary_stays_cp1252(tmp_path: Path) -> None:
    data = b"text,id\n"
    while len(data) < 8191 - 70:
        data += b"A long sentence about forests and rivers in the mountains,1\n"
    data += b"x" * (8191 - len(data)) + "é tail words about forests here,2\n".encode("cp1252")
    assert data[8191:8192] == b"\xe9"  # could start a UTF-8 character; the next byte says no
    write(tmp_path, "a.csv", data)
    corpus = read_folder(tmp_path)
    assert next(d.text for d in corpus.documents if "tail" in d.text).endswith(
        "xé tail words about forests here"
    )
    assert "Windows-1252" in notes(corpus)["a.csv"]


def test_csv_invalid_utf8_after_the_sniffed_head_is_replaced_and_noted(tmp_path: Path) -> None:
    data = b"text,id\n" + b"".join(f"{_q(PROSE + f' row {i}')},{i}\n".encode() for i in range(100))
    data += '"Café, later in the file",101\n'.encode("cp1252")
    assert len(data) > 8192
    write(tmp_path, "mixed.csv", data)
    corpus = read_folder(tmp_path)
    assert [d for d in corpus.documents if d.text.startswith("Caf\ufffd")]
    assert notes(corpus)["mixed.csv"] == (
        "1 byte sequences were not valid utf-8 and were replaced by U+FFFD"
    )


def test_csv_latin1_is_decoded_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, "t.csv", f"text\n{_q('Café crème à la française, ' + PROSE)}\n", "latin-1")
    corpus = read_folder(tmp_path)
    assert corpus.documents[0].text.startswith("Café crème à la française")
    assert "not UTF-8" in notes(corpus)["t.csv"]


# ----------------------------------------------------------------------------- JSONL


def test_jsonl_broken_lines_skipped_with_line_numbers_good_lines_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps({"text": PROSE + " one", "date": "2020-01-02", "source": "wire"}),
        "{not json",
        "",
        json.dumps({"text": PROSE + " two", "tags": ["a", "b"]}),
        '["a", "list"]',
        json.dumps({"body": "wrong field"}),
        json.dumps({"text": 42}),
        '{"text": "truncated',
        "[" * 100_000,  # RecursionError, not JSONDecodeError
        '{"n": ' + "9" * 5000 + "}",  # int too long to convert: ValueError
        json.dumps({"text": PROSE + " three"}),
    ]
    write(tmp_path, "d.jsonl", "\n".join(lines) + "\n")
    corpus = read_folder(tmp_path)
    docs = by_path(corpus)
    assert set(docs) == {"d.jsonl#line=1", "d.jsonl#line=4", "d.jsonl#line=11"}
    assert docs["d.jsonl#line=1"].date == "2020-01-02"
    assert docs["d.jsonl#line=1"].meta == {"source": "wire"}
    assert docs["d.jsonl#line=4"].meta == {"tags": '["a", "b"]'}
    reasons = skipped(corpus)
    assert reasons["d.jsonl#line=2"].startswith("line 2: invalid JSON")
    assert reasons["d.jsonl#line=5"] == "line 5: not a JSON object"
    assert reasons["d.jsonl#line=6"] == "line 6: text field 'text' is missing"
    assert reasons["d.jsonl#line=7"] == "line 7: text field 'text' is not a string"
    assert reasons["d.jsonl#line=8"].startswith("line 8: invalid JSON")
    assert reasons["d.jsonl#line=9"] == "line 9: invalid JSON (nested too deeply)"
    assert reasons["d.jsonl#line=10"].startswith("line 10: invalid JSON")
    assert len(corpus.skipped) == 7


def test_jsonl_lone_surrogate_escapes_become_replacement_characters(tmp_path: Path) -> None:
    # Regression: "\ud800" decodes to a lone surrogate that crashed writing the report.
    write(tmp_path, "d.jsonl", '{"text": "' + PROSE + ' \\ud800 end", "who": "\\udfff"}\n')
    doc = read_folder(tmp_path).documents[0]
    assert doc.text.endswith("\ufffd end")
    assert doc.meta == {"who": "\ufffd"}
    json.dumps(dataclasses.asdict(doc), ensure_ascii=False).encode("utf-8")


# ----------------------------------------------------------------------------- duplicates


def test_exact_duplicates_flagged_first_copy_kept(tmp_path: Path) -> None:
    write(tmp_path, "a.txt", PROSE)
    write(tmp_path, "b.txt", PROSE.replace(" ", "   \n"))  # same words, other whitespace
    write(tmp_path, "c.csv", f"text\n{_q(PROSE)}\n")
    corpus = read_folder(tmp_path)
    assert [d.path for d in corpus.documents] == ["a.txt"]
    assert skipped(corpus) == {
        "b.txt": "exact duplicate of a.txt",
        "c.csv#row=1": "exact duplicate of a.txt",
    }
    kept = read_folder(tmp_path, IngestSettings(keep_duplicates=True))
    assert len(kept.documents) == 3


# ----------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("name", "data", "encoding", "note"),
    [
        ("bom8.txt", codecs.BOM_UTF8 + "Ünïcödé ".encode() + PROSE.encode(), "utf-8-sig", None),
        (
            "bom16le.txt",
            "Ünïcödé ".encode("utf-16") + PROSE.encode("utf-16-le"),
            "utf-16",
            "UTF-16",
        ),
        (
            "bom16be.txt",
            codecs.BOM_UTF16_BE + ("Ünïcödé " + PROSE).encode("utf-16-be"),
            "utf-16",
            "UTF-16",
        ),
        ("nobom16.txt", ("Ünïcödé " + PROSE).encode("utf-16-le"), "utf-16-le", "UTF-16-LE"),
        ("latin1.txt", ("Ünïcödé " + PROSE).encode("latin-1"), "cp1252", "Windows-1252"),
        (
            "cp1252.txt",
            "Ünïcödé “quoted” – €5 ".encode("cp1252") + PROSE.encode(),
            "cp1252",
            "1252",
        ),
    ],
)
def test_encodings(tmp_path: Path, name: str, data: bytes, encoding: str, note: str | None) -> None:
    write(tmp_path, name, data)
    corpus = read_folder(tmp_path)
    doc = by_path(corpus)[name]
    assert doc.text.startswith("Ünïcödé ")
    assert doc.text.endswith(PROSE)
    assert doc.encoding == encoding
    if note is None:
        assert name not in notes(corpus)
    else:
        assert "not UTF-8" in notes(corpus)[name] and note in notes(corpus)[name]


def test_cp1252_punctuation_decoded(tmp_path: Path) -> None:
    write(tmp_path, "w.txt", "“quoted” – €5 ".encode("cp1252") + PROSE.encode())
    assert by_path(read_folder(tmp_path))["w.txt"].text.startswith("“quoted” – €5")


def test_latin1_bytes_undefined_in_cp1252(tmp_path: Path) -> None:
    # 0x81 and 0x9d are undefined in cp1252 (Latin-1 C1 controls): decoded, controls removed.
    write(tmp_path, "l.txt", b"caf\xe9 \x81" + PROSE.encode())
    corpus = read_folder(tmp_path)
    doc = by_path(corpus)["l.txt"]
    assert doc.text.startswith("café ")
    assert "Latin-1" in notes(corpus)["l.txt"]


def test_decode_bytes_and_clean_text() -> None:
    assert decode_bytes(b"plain") == ("plain", "utf-8")
    assert decode_bytes(bytes(range(32)) * 10) is None
    assert clean_text("a\r\nb\rc\x00d\x1b[31me\u0085f\ud800") == "a\nb\ncd[31mef\ufffd"
    assert clean_text("e\u0301") == "é"  # NFC


# ----------------------------------------------------------------------------- binaries


@pytest.mark.parametrize("kind", sorted(MAGIC))
def test_binary_magic_with_a_text_extension(tmp_path: Path, kind: str) -> None:
    write(tmp_path, f"disguised-{kind}.txt", MAGIC[kind])
    reason = skipped(read_folder(tmp_path))[f"disguised-{kind}.txt"]
    expected = {"png": "PNG image", "zip": "ZIP archive", "elf": "ELF executable", "pdf": "PDF"}
    assert reason.startswith("binary file: ") and expected[kind] in reason


@pytest.mark.parametrize("kind", sorted(MAGIC))
def test_binary_magic_with_its_own_extension(tmp_path: Path, kind: str) -> None:
    name = f"file.{kind}" if kind != "elf" else "program"
    write(tmp_path, name, MAGIC[kind])
    reason = skipped(read_folder(tmp_path))[name]
    assert reason.startswith("binary file: ") and "unsupported file type" in reason
    assert sniff_binary(MAGIC[kind]) is not None


def test_nul_bytes_are_binary_and_unknown_extensions_name_the_supported_ones(
    tmp_path: Path,
) -> None:
    write(tmp_path, "blob.txt", b"abc\x00\x01\x02def" * 50)
    write(tmp_path, "notes.docx", b"not sniffable")
    reasons = skipped(read_folder(tmp_path))
    assert reasons["blob.txt"] == "binary file: binary data (contains NUL bytes)"
    assert reasons["notes.docx"].startswith("unsupported file type .docx (topics reads ")
    assert ".txt" in reasons["notes.docx"]


# ----------------------------------------------------------------------------- empty and big


def test_empty_and_whitespace_only(tmp_path: Path) -> None:
    write(tmp_path, "empty.txt", b"")
    write(tmp_path, "blank.txt", " \n\t\r\n   \u00a0\u2003\n")
    write(tmp_path, "tags.html", "<html><body><p> </p><script>x()</script></body></html>")
    reasons = skipped(read_folder(tmp_path))
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"].startswith("empty after extracting text")
    assert reasons["tags.html"].startswith("empty after extracting text")


def _spy_open(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []
    real_open: Callable[..., Any] = builtins.open

    def spy(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    # ingest's modules look ``open`` up as a global before builtins.
    monkeypatch.setattr(ingest, "open", spy, raising=False)
    monkeypatch.setattr(ingest.files, "open", spy, raising=False)
    return opened


def test_file_over_size_cap_is_skipped_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sparse files: 6 GB of size, no disk space; reading one whole would exhaust memory.
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        fh.truncate(6 * 1024**3)
    with open(tmp_path / "huge.csv", "wb") as fh:
        fh.truncate(6 * 1024**3)
    write(tmp_path, "small.txt", PROSE)
    opened = _spy_open(monkeypatch)
    start = time.perf_counter()
    corpus = read_folder(tmp_path, IngestSettings(max_file_mb=1))
    assert time.perf_counter() - start < 5
    reasons = skipped(corpus)
    assert reasons["huge.txt"].startswith("larger than the 1 MB size cap (6144.0 MB)")
    assert "--max-file-mb" in reasons["huge.txt"]
    assert reasons["huge.csv"].startswith("larger than the 100 MB size cap")
    assert not any("huge" in p for p in opened)
    assert any(p.endswith("small.txt") for p in opened)


def test_file_at_the_size_cap_is_read_and_long_documents_truncated(tmp_path: Path) -> None:
    text = ("word " * 300_000)[: 1024 * 1024]  # exactly 1 MB, a single line
    write(tmp_path, "line.txt", text)
    corpus = read_folder(tmp_path, IngestSettings(max_file_mb=1, max_doc_chars=500_000))
    assert len(by_path(corpus)["line.txt"].text) == 500_000
    assert notes(corpus)["line.txt"].startswith("truncated to 500,000 characters")


def test_file_that_grows_past_the_cap_is_not_read_beyond_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "grow.txt", PROSE)
    real_classify = ingest.files._classify

    def classify_then_grow(path: Path, rel: str) -> Any:
        found = real_classify(path, rel)
        with open(path, "ab") as fh:  # the file grows between stat and read
            fh.write(b"x" * (2 * 1024 * 1024))
        return found

    monkeypatch.setattr(ingest.files, "_classify", classify_then_grow)
    reasons = skipped(read_folder(tmp_path, IngestSettings(max_file_mb=1)))
    assert "size cap" in reasons["grow.txt"]


# ----------------------------------------------------------------------------- file system


def test_symlink_loops_and_links_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write(root, "real.txt", PROSE)
    write(tmp_path, "outside/secret.txt", "SECRET " + PROSE)
    (root / "loop-a.txt").symlink_to(root / "loop-b.txt")
    (root / "loop-b.txt").symlink_to(root / "loop-a.txt")
    (root / "self").symlink_to(root, target_is_directory=True)
    (root / "sub").mkdir()
    (root / "sub" / "up").symlink_to("..", target_is_directory=True)
    (root / "escape.txt").symlink_to(tmp_path / "outside" / "secret.txt")
    (root / "escape-dir").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "nothing-here.txt")
    (root / "alias.txt").symlink_to(root / "real.txt")
    corpus = read_folder(root)
    reasons = skipped(corpus)
    assert reasons["loop-a.txt"] == "broken or looping symlink"
    assert reasons["loop-b.txt"] == "broken or looping symlink"
    assert reasons["dangling.txt"] == "broken or looping symlink"
    assert reasons["self"].startswith("symlinked folder; not followed")
    assert reasons["sub/up"].startswith("symlinked folder; not followed")
    assert reasons["escape.txt"] == "symlink points outside the input folder; not followed"
    assert reasons["escape-dir"] == "symlink points outside the input folder; not followed"
    assert reasons["real.txt"] == "exact duplicate of alias.txt"  # the link inside is read
    assert all("SECRET" not in d.text for d in corpus.documents)


def test_unreadable_file_and_folder(tmp_path: Path) -> None:
    write(tmp_path, "ok.txt", PROSE)
    locked = write(tmp_path, "locked.txt", PROSE + " locked")
    write(tmp_path, "closed/inner.txt", PROSE + " inner")
    locked.chmod(0)
    (tmp_path / "closed").chmod(0)
    try:
        corpus = read_folder(tmp_path)
    finally:
        locked.chmod(0o644)
        (tmp_path / "closed").chmod(0o755)
    assert "ok.txt" in by_path(corpus)
    if is_root():
        # root reads mode-000 files anyway; all we can check is that nothing crashed.
        assert {"locked.txt", "closed/inner.txt"} <= set(by_path(corpus))
    else:
        reasons = skipped(corpus)
        assert reasons["locked.txt"] == "cannot be read (Permission denied)"
        assert reasons["closed/"] == "folder cannot be read (Permission denied)"


def test_special_files_and_hidden_entries_are_listed(tmp_path: Path) -> None:
    write(tmp_path, "ok.txt", PROSE)
    write(tmp_path, ".hidden.txt", PROSE + " hidden")
    write(tmp_path, ".git/objects/x.txt", PROSE + " git")
    os.mkfifo(tmp_path / "pipe.txt")
    corpus = read_folder(tmp_path)
    assert [d.path for d in corpus.documents] == ["ok.txt"]
    assert skipped(corpus) == {
        ".git/": "hidden folder; not read",
        ".hidden.txt": "hidden file; not read",
        "pipe.txt": "not a regular file (device, socket or pipe)",
    }
    assert corpus.n_files_seen == 4


def test_deeply_nested_folders(tmp_path: Path) -> None:
    rel = "/".join(f"level{i:02d}" for i in range(60)) + "/deep.txt"
    write(tmp_path, rel, PROSE)
    doc = by_path(read_folder(tmp_path))[rel]
    assert doc.label == "level00"


def test_strange_file_names(tmp_path: Path) -> None:
    names = {
        "new\nline.txt": "newline",
        "<img src=x onerror=alert(1)>.txt": "img",
        "ünïcødé 文字 🙂.md": "unicode",
    }
    for name, word in names.items():
        write(tmp_path, name, f"{PROSE} {word}")
    raw = os.fsencode(tmp_path) + b"/caf\xe9-latin1-name.txt"  # not valid UTF-8
    with open(raw, "wb") as fh:
        fh.write(f"{PROSE} bytes".encode())
    corpus = read_folder(tmp_path)
    docs = by_path(corpus)
    assert set(docs) == {*names, "caf\\xe9-latin1-name.txt"}
    assert docs["new\nline.txt"].title.startswith("The river flows")
    assert docs["<img src=x onerror=alert(1)>.txt"].text.endswith("img")
    # Every field can be written to a UTF-8 report (lone surrogates cannot).
    for doc in corpus.documents:
        json.dumps(dataclasses.asdict(doc), ensure_ascii=False).encode("utf-8")


def test_title_falls_back_to_a_one_line_path(tmp_path: Path) -> None:
    write(tmp_path, "a\nb.csv", f"text,title\n{_q(PROSE)},\n")
    doc = read_folder(tmp_path).documents[0]
    assert "\n" not in doc.title


def test_documents_hold_no_control_characters(tmp_path: Path) -> None:
    write(tmp_path, "c.txt", "Bell\x07 escape\x1b[2J " + PROSE)
    write(tmp_path, "c.csv", 'text,label\n"' + PROSE + '\x0b tab","lab\x07el\nnext"\n')
    for doc in read_folder(tmp_path).documents:
        for value in (doc.text, doc.title, doc.label or ""):
            assert not any(ord(c) < 32 and c not in "\n\t" for c in value)
        assert doc.label in (None, "label next")


# ----------------------------------------------------------------------------- errors and settings


def test_missing_root_file_root_and_unsupported_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_folder(tmp_path / "nope")
    # One supported file is read as the whole input; any other file is refused.
    write(tmp_path, "f.txt", PROSE)
    assert [d.path for d in read_folder(tmp_path / "f.txt").documents] == ["f.txt"]
    write(tmp_path, "f.pdf", PROSE)
    with pytest.raises(InputError, match="is not a folder or a supported file"):
        read_folder(tmp_path / "f.pdf")


def test_empty_folder_returns_an_empty_corpus(tmp_path: Path) -> None:
    corpus = read_folder(tmp_path)
    assert corpus.documents == [] and corpus.skipped == [] and corpus.n_files_seen == 0


def test_settings_validation_reports_every_problem() -> None:
    with pytest.raises(SettingsError) as err:
        read_folder(Path("."), IngestSettings(max_file_mb=0, max_doc_chars=5))
    assert "max_file_mb" in str(err.value) and "max_doc_chars" in str(err.value)


def test_progress_is_called_per_file(tmp_path: Path) -> None:
    for i in range(3):
        write(tmp_path, f"{i}.txt", f"{PROSE} {i}")
    calls: list[int] = []
    read_folder(tmp_path, progress=calls.append)
    assert calls == [1, 1, 1]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-03-04", "2021-03-04"),
        ("2021-03-04T10:11:12Z", "2021-03-04"),
        ("2021/03/04", "2021-03-04"),
        ("04.03.2021", "2021-03-04"),
        ("20210304", "2021-03-04"),
        ("Mar 04, 2021", "2021-03-04"),
        ("1614816000", "2021-03-04"),
        ("yesterday", None),
        ("", None),
    ],
)
def test_parse_date(value: str, expected: str | None) -> None:
    assert parse_date(value) == expected


# ----------------------------------------------------------------------------- linear time


@pytest.mark.parametrize(
    ("reader", "hostile"),
    [
        (read_markdown, "_x " * 400_000),
        (read_markdown, "[" * 1_000_000),
        (read_markdown, "\n" * 1_000_000),
        (read_markdown, "# " + " " * 1_000_000 + "#"),
        (read_markdown, "**a " * 300_000),
        (read_html, "<a " * 400_000),
        (read_html, "<a href='x" * 100_000),
        (read_html, "<!--" * 300_000),
        (read_html, "<script>" + "</scrip" * 150_000),
        (read_html, "<" * 1_000_000),
    ],
)
def test_readers_take_linear_time_on_hostile_markup(
    reader: Callable[[str], Any], hostile: str
) -> None:
    # Regression: html.parser and the old Markdown regexes were quadratic (a 50 KB file of
    # "<a <a" took 20 s, so a 10 MB one would never finish).
    start = time.perf_counter()
    reader(hostile)
    assert time.perf_counter() - start < 3


def test_csv_delimiter_guess_takes_linear_time() -> None:
    # Regression: csv.Sniffer took 20 s on 64 KB of ',"'.
    start = time.perf_counter()
    guess_delimiter([',"' * 32_000 + "\n"] * 2)
    assert time.perf_counter() - start < 2


def test_a_topics_reports_folder_inside_the_input_is_not_read(tmp_path: Path) -> None:
    """Regression: `topics report .` re-read its own reports/ as documents on the next run."""
    from topics.ingest import read_folder

    (tmp_path / "notes.txt").write_text("A note about gardening and compost heaps.")
    reports = tmp_path / "reports"
    (reports / "corpus" / "runs" / "1").mkdir(parents=True)
    (reports / ".topics-output").write_text("marker")
    (reports / "corpus" / "runs" / "1" / "index.html").write_text("<p>old report text</p>")
    corpus = read_folder(tmp_path)
    assert [d.path for d in corpus.documents] == ["notes.txt"]
    assert any(s.path == "reports/" and "reports folder" in s.reason for s in corpus.skipped)
