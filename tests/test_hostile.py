"""Hostile inputs and faults: nothing lost, nothing executed, every problem explained.

The hostile folder is generated in a temporary directory (no committed binaries) and
run through the real CLI (``main(argv)`` in this process, as ``tests.conftest.run_main``
does); the report it writes is then loaded in a real headless Chromium with the network
blocked. Only the SIGKILL test starts a separate process: the one it kills.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from tests.browser import open_report
from tests.conftest import Ran, run_main, write_file
from topics.ingest import IngestSettings, read_folder
from topics.preprocess.tokens import PreprocessSettings, preprocess, tokenize
from topics.types import SKIP_KINDS, Document

ATTACKS = (
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}",
)
ATTACK_LINE = " ".join(ATTACKS)

THEMES: dict[str, str] = {
    "gardening": (
        "garden soil seeds compost tomatoes roses pruning shovel greenhouse weeds mulch "
        "flowers seedlings watering beds hedge orchard lettuce spade fertiliser"
    ),
    "astronomy": (
        "telescope planet galaxy orbit comet nebula stars moon eclipse astronomer jupiter "
        "saturn meteor constellation observatory asteroid spectrum lens horizon"
    ),
    "cooking": (
        "recipe oven butter flour garlic onion sauce pasta kitchen chef spices dough "
        "skillet simmer roast pepper broth whisk vinegar"
    ),
}
TEMPLATES = (
    "The {0} and the {1} were ready before the {2} arrived.",
    "Every morning she checked the {0}, then the {1}, and wrote about the {2}.",
    "Our neighbour explained why the {0} matters more than the {1} or the {2}.",
    "With patience the {0} improves, although the {1} still needs {2}.",
    "He bought a new {0} because the old {1} ruined the {2} last week.",
)

FRENCH = (
    "Le petit village se trouve au bord de la rivière, entouré de champs et de forêts. "
    "Chaque matin, les habitants se rendent au marché pour acheter du pain frais, du "
    "fromage et des légumes cultivés dans les jardins voisins.",
    "La bibliothèque municipale propose des ateliers de lecture pour les enfants pendant "
    "les vacances scolaires. Les parents apprécient beaucoup cette initiative qui permet "
    "aux plus jeunes de découvrir des histoires nouvelles.",
    "Nous avons visité le musée d'histoire naturelle avec toute la famille. Les squelettes "
    "de dinosaures ont impressionné les enfants, tandis que les adultes ont préféré la "
    "collection de minéraux et de coquillages.",
)
GERMAN = (
    "Die Stadt liegt an einem großen Fluss und ist für ihre alten Brücken bekannt. Im "
    "Sommer kommen viele Touristen, um die historischen Gebäude zu besichtigen und in "
    "den kleinen Cafés am Ufer zu sitzen.",
    "Unsere Nachbarn haben im Frühling einen Gemüsegarten angelegt. Jetzt wachsen dort "
    "Kartoffeln, Karotten und Bohnen, und die Kinder helfen jeden Abend beim Gießen der "
    "Pflanzen und beim Jäten des Unkrauts.",
)

N_DUPLICATES = 2000
SIZE_CAP = 10 * 1024 * 1024  # the CLI's default --max-file-mb


def themed_text(theme: str, rng: np.random.Generator, n_sentences: int = 8) -> str:
    words = THEMES[theme].split()
    sentences = []
    for _ in range(n_sentences):
        template = TEMPLATES[int(rng.integers(len(TEMPLATES)))]
        sentences.append(template.format(*rng.choice(words, size=3, replace=False)))
    return " ".join(sentences)


def write_corpus(root: Path, n_per_theme: int, seed: int = 0) -> None:
    """Normal English documents on three themes, one subfolder (label) per theme."""
    rng = np.random.default_rng(seed)
    for theme in THEMES:
        (root / theme).mkdir(parents=True, exist_ok=True)
        for i in range(n_per_theme):
            (root / theme / f"{theme}-{i:03d}.txt").write_text(
                f"{theme.title()} notes {i}\n{themed_text(theme, rng)}", encoding="utf-8"
            )


@dataclass(frozen=True)
class Hostile:
    root: Path
    outside: Path
    #: File-level path -> the exact skip reason expected for it (or a prefix ending in "*").
    expected_skips: dict[str, str]


def build_hostile(base: Path) -> Hostile:
    root = base / "hostile"
    outside = base / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET outside the input folder", encoding="utf-8")
    write_corpus(root, 20)
    rng = np.random.default_rng(1)
    expected: dict[str, str] = {}

    def put(rel: str, content: str | bytes, encoding: str = "utf-8") -> Path:
        return write_file(root, rel, content, encoding)

    # Binaries, with their own extension and disguised as text.
    put("binary/image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    with zipfile.ZipFile(root / "binary/archive.zip", "w") as zf:
        zf.writestr("inside.txt", "zipped text " * 50)
    put("binary/program", b"\x7fELF\x02\x01\x01\x00" + bytes(8) + b"\x02\x00\x3e\x00" + bytes(200))
    put("binary/paper.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n")
    put("binary/disguised.txt", b"\x89PNG\r\n\x1a\n" + bytes(100))
    put("binary/nul.txt", b"text\x00with\x00nul\x00bytes\x01\x02" * 20)
    expected |= {
        "binary/image.png": "binary file: PNG image (unsupported file type .png)",
        "binary/archive.zip": "binary file: ZIP archive*",
        "binary/program": "binary file: ELF executable (unsupported file type (no extension))",
        "binary/paper.pdf": "binary file: PDF document*",
        "binary/disguised.txt": "binary file: PNG image",
        "binary/nul.txt": "binary file: binary data (contains NUL bytes)",
    }

    # Empty, whitespace-only, markup-only.
    put("empty.txt", b"")
    put("whitespace.txt", " \n\t\n\r\n   \u00a0\n")
    put("markup-only.html", "<html><head><script>alert(1)</script></head><body> </body></html>")
    expected |= {
        "empty.txt": "empty file",
        "whitespace.txt": "empty after extracting text*",
        "markup-only.html": "empty after extracting text*",
    }

    # Encodings: all decoded (with a note when not UTF-8) and used.
    prose = themed_text("gardening", rng)
    put("enc/invalid-utf8.txt", prose.encode()[:40] + b"\xc3\x28\xa0\xa1" + prose.encode()[40:])
    put("enc/utf16-bom.txt", prose, "utf-16")
    put("enc/latin1.txt", "Café naïve façade. " + themed_text("cooking", rng), "latin-1")
    put("enc/cp1252.txt", "“Smart” quotes – €5. " + themed_text("cooking", rng), "cp1252")
    put("enc/utf8-bom.txt", "\ufeff" + themed_text("astronomy", rng))

    # Too big (sparse: no disk used, and it must not be read) and one 10 MB line.
    (root / "too-big.txt").touch()
    os.truncate(root / "too-big.txt", 64 * 1024 * 1024)  # sparse
    expected["too-big.txt"] = "larger than the 10 MB size cap (64.0 MB)*"
    line = themed_text("cooking", rng, 40).replace("\n", " ") + " "
    put("one-line-10mb.txt", (line * (10_000_000 // len(line) + 1))[:10_000_000])

    # 40 levels of folders.
    deep = "/".join(f"level{i:02d}" for i in range(40))
    put(f"nested/{deep}/deep.txt", themed_text("astronomy", rng))

    # Symlinks: loops, outside the root, dangling.
    (root / "loop").symlink_to(".", target_is_directory=True)
    (root / "loop-a.txt").symlink_to("loop-b.txt")
    (root / "loop-b.txt").symlink_to("loop-a.txt")
    (root / "escape.txt").symlink_to(outside / "secret.txt")
    (root / "escape-dir").symlink_to(outside, target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "no-such-file.txt")
    expected |= {
        "loop": "symlinked folder; not followed*",
        "loop-a.txt": "broken or looping symlink",
        "loop-b.txt": "broken or looping symlink",
        "escape.txt": "symlink points outside the input folder; not followed",
        "escape-dir": "symlink points outside the input folder; not followed",
        "dangling.txt": "broken or looping symlink",
    }

    # Unreadable (root can read it anyway; then it is a normal document).
    put("unreadable.txt", themed_text("gardening", rng)).chmod(0)
    if not _is_root():
        expected["unreadable.txt"] = "cannot be read (Permission denied)"

    # Hostile file names, each holding a normal document.
    names = [
        "new\nline.txt",
        "<b>x</b>.txt",  # a folder "<b>x<" holding "b>.txt"
        "ünïcødé 文字 🙂.txt",
        "<img src=x onerror=alert(1)>.txt",
        "{{ 7*7 }}.txt",
        "javascript:alert(1).md",
        "</script><script>alert(1)</script>.txt",  # folders "<" / "script><script>alert(1)<"
    ]
    for name in names:
        put(f"names/{name}", themed_text("astronomy", rng))

    # Attack strings in text and titles of every format.
    put("attacks/xss.txt", ATTACK_LINE + "\n" + themed_text("gardening", rng))
    put(
        "attacks/xss.html",
        "<html><head><title>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}"
        "</title><script>alert('executed')</script></head><body><p>"
        + themed_text("cooking", rng)
        + "</p><p>&lt;img src=x onerror=alert(1)&gt; <a href='javascript:alert(1)'>a link</a>"
        + "<img src=x onerror=alert(1)></p></body></html>",
    )
    put(
        "attacks/xss.md",
        "# {{ 7*7 }} <img src=x onerror=alert(1)>\n\n"
        + themed_text("astronomy", rng)
        + "\n\n[click here](javascript:alert(1)) and <script>alert(1)</script>\n",
    )
    rows = [["title", "text", "label"]]
    for attack in ATTACKS:
        rows.append([attack, f"{attack} {themed_text('cooking', rng)}", attack])
    with open(root / "attacks/labels.csv", "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)

    # Tables: no text column; JSONL with broken lines among good ones.
    (root / "tables").mkdir()
    with open(root / "tables/no-text.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "amount", "code"])
        writer.writerows([[i, i * 2.5, f"C{i:04d}"] for i in range(40)])
    expected["tables/no-text.csv"] = "has no usable text column (columns: 'id', 'amount', 'code')*"
    jsonl = []
    for i in range(12):
        record = {"text": themed_text("gardening", rng), "author": ATTACKS[i % 4], "n": i}
        jsonl.append(json.dumps(record, ensure_ascii=False))
        if i % 4 == 1:
            jsonl.append('{"text": "unterminated')
        if i % 4 == 3:
            jsonl.append("{broken json,,}")
    jsonl.insert(5, "")
    jsonl.append("[" * 50_000)
    put("tables/broken.jsonl", "\n".join(jsonl) + "\n")
    for number, text in enumerate(jsonl, start=1):
        broken = text.startswith('{"text": "unt') or not text.startswith(('{"text": "', "\n"))
        if text and broken:
            expected[f"tables/broken.jsonl#line={number}"] = f"line {number}: invalid JSON*"

    # Other languages.
    for i, text in enumerate(FRENCH):
        put(f"languages/fr-{i}.txt", text)
        expected[f"languages/fr-{i}.txt"] = "language 'fr', the model covers 'en'"
    for i, text in enumerate(GERMAN):
        put(f"languages/de-{i}.txt", text)
        expected[f"languages/de-{i}.txt"] = "language 'de', the model covers 'en'"

    # Thousands of exact duplicates.
    dup = "Duplicate notice\n" + themed_text("astronomy", rng)
    for i in range(N_DUPLICATES):
        put(f"duplicates/copy-{i:04d}.txt", dup)
        if i:
            expected[f"duplicates/copy-{i:04d}.txt"] = "exact duplicate of duplicates/copy-0000.txt"

    # Stopwords only, numbers only.
    put("stopwords-only.txt", " ".join(sorted(ENGLISH_STOP_WORDS)))
    put("numbers-only.txt", " ".join(str(int(n)) for n in rng.integers(0, 10**6, size=80)))
    expected["stopwords-only.txt"] = "too short after preprocessing (0 content words, minimum 5)"
    expected["numbers-only.txt"] = "*"  # too short, or an unsure language: see the test

    # Hidden entries are listed, never read.
    put(".DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(100))
    put(".git/config", "[core]\n")
    expected[".DS_Store"] = "hidden file; not read"
    expected[".git/"] = "hidden folder; not read"
    return Hostile(root=root, outside=outside, expected_skips=expected)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def run_report(*args: str) -> Ran:
    """``topics report ARGS`` in this process."""
    return run_main("report", *args)


def walk_entries(root: Path) -> Iterator[tuple[str, Path]]:
    """Every file-level entry under ``root`` as ingest sees it (links not followed)."""
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in os.scandir(folder):
            rel = Path(entry.path).relative_to(root).as_posix()
            if entry.is_dir(follow_symlinks=False):
                if entry.name.startswith("."):
                    yield rel + "/", Path(entry.path)
                else:
                    stack.append(Path(entry.path))
            else:
                yield rel, Path(entry.path)


@dataclass(frozen=True)
class HostileRun:
    hostile: Hostile
    out: Path
    proc: Ran
    index_html: Path
    manifest: dict[str, Any]
    documents: list[dict[str, str]]

    @property
    def skipped(self) -> dict[str, str]:
        return {s["path"]: s["reason"] for s in self.manifest["skipped"]}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileRun]:
    base = tmp_path_factory.mktemp("hostile")
    hostile = build_hostile(base)
    out = base / "reports"
    try:
        proc = run_report(str(hostile.root), "-o", str(out), "--n-topics", "3", "--seed", "0")
    finally:
        (hostile.root / "unreadable.txt").chmod(0o644)  # so pytest can clean up
    assert proc.returncode == 0, proc.stderr
    index_html = Path(proc.stdout.strip().splitlines()[-1])
    folder = index_html.parent
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    with open(folder / "documents.csv", encoding="utf-8", newline="") as fh:
        documents = list(csv.DictReader(fh))
    yield HostileRun(hostile, out, proc, index_html, manifest, documents)


# ----------------------------------------------------------------------------- end to end


def test_hostile_folder_runs_and_every_bad_file_has_its_reason(hostile_run: HostileRun) -> None:
    assert hostile_run.index_html.is_file()
    assert hostile_run.index_html.is_relative_to(hostile_run.out)
    skipped = hostile_run.skipped
    for path, want in hostile_run.hostile.expected_skips.items():
        assert path in skipped, f"{path!r} not listed as skipped"
        if want.endswith("*"):
            assert skipped[path].startswith(want[:-1]), (path, skipped[path])
        else:
            assert skipped[path] == want, (path, skipped[path])
    numbers = skipped["numbers-only.txt"]
    assert numbers.startswith(("too short after preprocessing", "language ")), numbers
    stages = {s["path"]: s["stage"] for s in hostile_run.manifest["skipped"]}
    assert stages["languages/fr-0.txt"] == "preprocess"
    # Every skip carries a known code: summaries and caching decide on it, never on prose.
    codes = {s["path"]: s["code"] for s in hostile_run.manifest["skipped"]}
    assert set(codes.values()) <= set(SKIP_KINDS), set(codes.values()) - set(SKIP_KINDS)
    assert codes["binary/image.png"] == "binary"
    assert stages["binary/image.png"] == "ingest"
    # Nothing from outside the input folder was read.
    assert "SECRET" not in hostile_run.index_html.read_text(encoding="utf-8")


def test_hostile_nothing_silently_dropped(hostile_run: HostileRun) -> None:
    used = [d["path"] for d in hostile_run.documents]
    skipped = [s["path"] for s in hostile_run.manifest["skipped"]]
    assert len(used) == len(set(used)) and len(skipped) == len(set(skipped))
    assert not set(used) & set(skipped)
    accounted = set(used) | set(skipped)
    entries = dict(walk_entries(hostile_run.hostile.root))
    n_units = 0
    for rel, path in entries.items():
        if rel in accounted:
            n_units += 1
            continue
        assert rel.endswith((".csv", ".jsonl")), f"{rel!r} is neither used nor skipped"
        text = path.read_text(encoding="utf-8")
        if rel.endswith(".csv"):
            numbers = range(1, sum(1 for _ in csv.reader(text.splitlines())))
            units = [f"{rel}#row={n}" for n in numbers]
        else:
            units = [f"{rel}#line={n}" for n, ln in enumerate(text.split("\n"), 1) if ln.strip()]
        assert units
        for unit in units:
            assert unit in accounted, f"{unit!r} is neither used nor skipped"
        n_units += len(units)
    assert n_units == len(accounted)
    counts = hostile_run.manifest["counts"]
    assert counts["n_files_seen"] == len(entries)
    assert counts["n_documents"] == len(used)
    assert counts["n_skipped"] == len(skipped)
    # The file-name attacks, the encodings and the 10 MB line were all modelled.
    for rel in (
        "names/new\nline.txt",
        "names/<b>x</b>.txt",
        "names/ünïcødé 文字 🙂.txt",
        "names/<img src=x onerror=alert(1)>.txt",
        "names/</script><script>alert(1)</script>.txt",
        "enc/utf16-bom.txt",
        "enc/latin1.txt",
        "one-line-10mb.txt",
        f"nested/{'/'.join(f'level{i:02d}' for i in range(40))}/deep.txt",
        "duplicates/copy-0000.txt",
    ):
        assert rel in used, rel


def test_hostile_notes_and_languages(hostile_run: HostileRun) -> None:
    notes = {n["path"]: n["message"] for n in hostile_run.manifest["notes"]}
    assert notes["enc/invalid-utf8.txt"] == "not UTF-8: decoded as Windows-1252 / Latin-1"
    assert notes["enc/latin1.txt"] == "not UTF-8: decoded as Windows-1252 / Latin-1"
    assert notes["enc/cp1252.txt"] == "not UTF-8: decoded as Windows-1252 / Latin-1"
    assert notes["enc/utf16-bom.txt"] == "not UTF-8: decoded as UTF-16"
    assert notes["one-line-10mb.txt"].startswith("truncated to 1,000,000 characters")
    assert "enc/utf8-bom.txt" not in notes
    effective = hostile_run.manifest["settings"]["preprocess_effective"]
    assert effective["language"] == "en"
    languages = effective["languages"]
    assert languages["fr"] == len(FRENCH) and languages["de"] == len(GERMAN)
    assert next(iter(languages)) == "en"


def test_hostile_report_html_has_no_remote_urls(hostile_run: HostileRun) -> None:
    page = hostile_run.index_html.read_text(encoding="utf-8")
    collector = _UrlCollector()
    collector.feed(page)
    collector.close()
    remote = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)
    bad = [(tag, name, v) for tag, name, v in collector.urls if remote.match(v)]
    assert not bad
    assert not any(v.strip().lower().startswith("javascript:") for _, _, v in collector.urls)
    imports = re.compile(r"""\bimport\s*(?:\(|[\w*{},\s]+from)?\s*["'](?:https?:)?//""")
    for code in collector.scripts:
        assert not imports.search(code)
    for css in collector.styles:
        assert not re.search(r"""(?:@import|url\()\s*["']?(?:https?:)?//""", css, re.IGNORECASE)
    assert not collector.script_srcs
    # Every attack string is in the page only as inert data.
    assert "<img src=x onerror" not in page
    assert page.count("<script") == collector.n_script_tags


class _UrlCollector(HTMLParser):
    URL_ATTRS = frozenset({"src", "href", "action", "formaction", "xlink:href", "data", "poster"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str]] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.script_srcs: list[str] = []
        self.n_script_tags = 0
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in self.URL_ATTRS and value is not None:
                self.urls.append((tag, name, value))
            if tag == "script" and name == "src" and value:
                self.script_srcs.append(value)
        if tag == "script":
            self.n_script_tags += 1
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            self.scripts.append(data)
        elif self._in == "style":
            self.styles.append(data)


@pytest.mark.browser
def test_hostile_report_in_a_browser_executes_nothing(hostile_run: HostileRun) -> None:
    with open_report(hostile_run.index_html) as (page, watch):
        title = page.evaluate("document.title")
        assert title.startswith("Topics report")
        page.wait_for_timeout(300)
        docs = page.evaluate("window.topicsReport.data.documents")
        by_path = {d["path"]: d for d in docs}

        # The document viewer shows the attack strings as text.
        xss = by_path["attacks/xss.txt"]
        assert xss["title"] == ATTACK_LINE
        page.evaluate(f"window.location.hash = '#doc-{xss['id']}'")
        page.wait_for_selector("#doc-viewer[open]")
        shown = page.text_content("#doc-viewer-text") or ""
        for attack in ATTACKS:
            assert attack in shown
        assert page.text_content("#doc-viewer-title") == ATTACK_LINE
        page.evaluate("document.getElementById('doc-viewer').close()")

        for path in ("attacks/xss.html", "attacks/xss.md"):
            page.evaluate(f"window.topicsReport.openDocument({by_path[path]['id']})")
            text = page.text_content("#doc-viewer-text") or ""
            assert "<img src=x onerror=alert(1)>" in text or "{{ 7*7 }}" in text
            page.evaluate("document.getElementById('doc-viewer').close()")
        html_doc = by_path["attacks/xss.html"]
        assert html_doc["title"] == "</script><script>alert(1)</script> {{ 7*7 }}"
        assert "executed" not in html_doc["text"] and "javascript" not in html_doc["text"]

        # The documents table, filtered to the attack rows, shows them literally.
        page.fill("#doc-search", "alert(1)")
        rows_text = page.text_content("#doc-rows") or ""
        for attack in ATTACKS[:3]:
            assert attack in rows_text
        page.fill("#doc-search", "")
        while page.is_visible("#doc-more"):
            page.click("#doc-more")
        all_rows = page.text_content("#doc-rows") or ""
        assert "names/<img src=x onerror=alert(1)>.txt" in all_rows
        assert "names/</script><script>alert(1)</script>.txt" in all_rows
        assert "names/{{ 7*7 }}.txt" in all_rows
        labels = page.eval_on_selector_all("#doc-label option", "os => os.map(o => o.textContent)")
        for attack in ATTACKS:
            assert attack in labels
        assert "{{ 7*7 }}" in rows_text or "{{ 7*7 }}" in labels

        # Nothing was injected into the DOM, nothing ran, nothing was fetched.
        injected = page.evaluate(
            """() => ({
                onerror: document.querySelectorAll('[onerror]').length,
                imgs: [...document.querySelectorAll('img')].map(i => i.getAttribute('src')),
                jsLinks: [...document.querySelectorAll('[href]')]
                    .filter(a => /^\\s*javascript:/i.test(a.getAttribute('href'))).length,
                scripts: document.querySelectorAll('script').length,
            })"""
        )
        assert injected["onerror"] == 0
        assert "x" not in injected["imgs"]
        assert injected["jsLinks"] == 0
        collector = _UrlCollector()
        collector.feed(hostile_run.index_html.read_text(encoding="utf-8"))
        assert injected["scripts"] == collector.n_script_tags
        assert page.evaluate("document.title") == title
        assert "49" not in (page.text_content("#doc-viewer-title") or "")
    assert watch.dialogs == []
    assert watch.page_errors == []
    assert watch.console_errors == []
    assert watch.network == []


# ----------------------------------------------------------------------------- edge folders


def test_one_usable_document_is_enough(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "only.txt").write_text(themed_text("cooking", np.random.default_rng(0)))
    (tmp_path / "in" / "empty.txt").write_text("")
    proc = run_report(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--models", "lda")
    assert proc.returncode == 0, proc.stderr
    index = Path(proc.stdout.strip().splitlines()[-1])
    manifest = json.loads((index.parent / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["n_documents"] == 1
    assert [s["path"] for s in manifest["skipped"]] == ["empty.txt"]


def test_no_usable_document_is_one_line_exit_2_and_no_report(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    (folder / "blank.md").write_text("   \n\n")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(20))
    out = tmp_path / "out"
    proc = run_report(str(folder), "-o", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("topics: error: no usable documents in ")
    assert str(folder) in lines[0]
    assert "3 files seen" in lines[0] and "empty file" in lines[0]
    assert proc.stdout == ""
    assert not out.exists()


@pytest.mark.parametrize("kind", ["missing", "file"])
def test_bad_input_path_is_one_line_exit_2(tmp_path: Path, kind: str) -> None:
    target = tmp_path / "nope"
    if kind == "file":
        # A single .txt/.csv/.jsonl file is an input; a file of another type is not.
        target = tmp_path / "a.docx"
        target.write_text("some text in a file")
    proc = run_report(str(target), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("topics: error: "), proc.stderr
    assert str(target) in lines[0]
    assert ("does not exist" if kind == "missing" else "is not a folder") in lines[0]
    assert not (tmp_path / "out").exists()


def test_output_folder_not_written_by_topics_is_refused(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 4)
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work", encoding="utf-8")
    (out / "data").mkdir()
    (out / "data" / "x.bin").write_bytes(b"\x00\x01")
    before = _snapshot(out)
    proc = run_report(str(tmp_path / "in"), "-o", str(out), "--models", "lda", "--n-topics", "2")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not written by topics" in lines[0], proc.stderr
    assert _snapshot(out) == before


def test_name_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 4)
    out = tmp_path / "a" / "b" / "out"
    proc = run_report(
        str(tmp_path / "in"), "-o", str(out), "--name", "../../evil", "--models", "lda"
    )
    assert proc.returncode == 0, proc.stderr
    index = Path(proc.stdout.strip().splitlines()[-1]).resolve()
    assert index.is_relative_to(out.resolve())
    written = [p for p in tmp_path.rglob("*") if not p.is_relative_to(tmp_path / "in")]
    assert all(p.is_relative_to(out) or p in out.parents for p in written)
    assert list(tmp_path.rglob("evil*")) == [out / "evil"]
    assert [p.name for p in out.iterdir() if p.is_dir()] == ["evil"]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
        for p in sorted(folder.rglob("*"))
    }


# ----------------------------------------------------------------------------- crash safety


@pytest.mark.slow
def test_sigkill_mid_run_leaves_the_previous_report_intact(tmp_path: Path) -> None:
    small, large, out = tmp_path / "small", tmp_path / "large", tmp_path / "out"
    write_corpus(small, 5)
    write_corpus(large, 150, seed=3)
    common = ["-o", str(out), "--name", "corpus", "--models", "lda", "--seed", "0"]
    first = run_report(str(small), *common, "--n-topics", "2")
    assert first.returncode == 0, first.stderr
    name_dir = out / "corpus"
    runs = name_dir / "runs"
    (run1,) = [p.name for p in runs.iterdir()]
    before = _snapshot(runs / run1)
    latest = (name_dir / "latest.html").read_bytes()
    assert set(before) >= {"index.html", "topics.json", "documents.csv", "manifest.json"}

    # Kill the second run as soon as it starts writing its report (its staging folder
    # appears), or after a few seconds if it never gets that far.
    proc = subprocess.Popen(
        [sys.executable, "-m", "topics", "report", str(large), *common, "--n-topics", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if any(p.name.startswith(".tmp-") for p in runs.iterdir()):
                break
            time.sleep(0.005)
        assert proc.poll() is None, "the second run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    assert _snapshot(runs / run1) == before
    assert (name_dir / "latest.html").read_bytes() == latest
    leftovers = [p.name for p in runs.iterdir() if p.name != run1]
    assert all(name.startswith(".tmp-") for name in leftovers), leftovers

    third = run_report(str(small), *common, "--n-topics", "2")
    assert third.returncode == 0, third.stderr
    names = sorted(p.name for p in runs.iterdir())
    assert not [n for n in names if n.startswith(".tmp-")], names
    assert len(names) == 2 and run1 in names
    assert _snapshot(runs / run1) == before
    run3 = next(n for n in names if n != run1)
    assert f"runs/{run3}/index.html" in (name_dir / "latest.html").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- properties

EXTENSIONS = [".txt", ".md", ".html", ".htm", ".csv", ".tsv", ".jsonl", ".bin", ""]
NASTY = st.sampled_from(
    [
        "<a ",
        "<script>",
        "</script",
        "<!--",
        "[",
        "](",
        "_x ",
        "**",
        "```",
        "# ",
        '"',
        ",",
        ";",
        "\t",
        "\n",
        "\r",
        "\x00",
        "{",
        '{"text": "',
        "\\ud800",
        "&#0;",
        "&#x110000;",
        "\ufeff",
        "é",
        "文字",
        "🙂",
        "\u202e",
        "word ",
    ]
)
HOSTILE_TEXT = st.one_of(st.text(max_size=400), st.lists(NASTY, max_size=60).map("".join))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    files=st.lists(
        st.tuples(
            st.sampled_from(EXTENSIONS),
            st.one_of(
                st.binary(max_size=600),
                HOSTILE_TEXT.map(lambda s: s.encode("utf-8", "surrogatepass")),
            ),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_property_ingest_never_raises(files: list[tuple[str, bytes]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i, (ext, data) in enumerate(files):
            (root / f"f{i}{ext}").write_bytes(data)
        corpus = read_folder(root, IngestSettings(max_file_mb=0.001))
        assert corpus.n_files_seen == len(files)
        accounted = {d.path.split("#")[0] for d in corpus.documents}
        accounted |= {s.path.split("#")[0] for s in corpus.skipped}
        assert accounted == {f"f{i}{ext}" for i, (ext, _) in enumerate(files)}
        for doc in corpus.documents:
            # Everything can be written to a UTF-8 report and holds no control characters.
            json.dumps(dataclasses.asdict(doc), ensure_ascii=False).encode("utf-8")
            assert doc.text.strip() and "\x00" not in doc.text + doc.title
        for item in corpus.skipped + list(corpus.notes):
            json.dumps(item.__dict__, ensure_ascii=False).encode("utf-8")


@settings(max_examples=80, deadline=None)
@given(texts=st.lists(HOSTILE_TEXT, min_size=1, max_size=8))
def test_property_preprocess_never_raises(texts: list[str]) -> None:
    for text in texts:
        tokens = tokenize(text)
        assert all(isinstance(t, str) and t for t in tokens)
    documents = [
        Document(path=f"d{i}.txt", text=text, title=f"d{i}") for i, text in enumerate(texts)
    ]
    pre = preprocess(documents, PreprocessSettings(n_jobs=1))
    assert len(pre.tokens) + len(pre.dropped) == len(documents)
    assert set(pre.vocab) >= {t for doc in pre.tokens for t in doc}


# ----------------------------------------------------------------------------- one-line errors


def _main(*argv: str) -> tuple[int, str, str]:
    """``topics ARGV`` in-process (empty arguments dropped); never a traceback."""
    ran = run_main(*[a for a in argv if a])
    assert "Traceback" not in ran.stderr
    return ran.returncode, ran.stdout, ran.stderr


def _toml(tmp_path: Path, body: str, corpus: Path | None = None) -> Path:
    corpus = corpus or tmp_path / "in"
    if not corpus.exists():
        write_corpus(corpus, 3)
    header = ['name = "c"', 'output = "out"', 'models = ["lda"]', f'input = ["{corpus.name}"]']
    # Keys the body sets (or an [input] table) replace the header's.
    header = [
        line
        for line in header
        if not body.startswith(line.split(" = ")[0] + " ")
        and not (line.startswith("input") and "[input]" in body)
    ]
    config = tmp_path / "c.toml"
    config.write_text("\n".join([*header, body]) + "\n", encoding="utf-8")
    return config


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--seed", "4294967296"], "--seed: must be an integer from 0 to 4294967294"),
        (["--seed", "-1"], "--seed: must be an integer from 0 to 4294967294"),
        (["--max-file-mb", "inf"], "--max-file-mb: must be in (0, 1000000000), got inf"),
    ],
)
def test_out_of_range_flags_are_one_line_exit_2(
    tmp_path: Path, argv: list[str], expected: str
) -> None:
    write_corpus(tmp_path / "in", 2)
    code, _, err = _main("report", str(tmp_path / "in"), "-o", str(tmp_path / "o"), *argv)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and expected in err, err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f"seed = {2**63 - 1}", f"seed: must be an integer from 0 to 4294967294, got {2**63 - 1}"),
        ("[input]\nmax_file_mb = inf", "input.max_file_mb: must be in (0, 1000000000), got inf"),
        (
            "[input]\npaths = ['in']\ninclude = ['[z-a]*.txt']",
            "input.include: pattern '[z-a]*.txt' is not a valid pattern (bad character range",
        ),
        (
            "[input]\npaths = ['in']\nexclude = ['[]']",
            "input.exclude: pattern '[]' is not a valid pattern (unterminated character set)",
        ),
        ('output = "/"', "already holds files not written by topics"),
        ("seed = " + "[" * 5000 + "]" * 5000, "is nested too deeply to read"),
        ('"a\\u001b]0;pwned\\u0007" = 1', "a\\x1b]0;pwned\\x07: unknown key"),
        ('"k\\nfake: ok" = 1', "k\\nfake: ok: unknown key"),
    ],
)
def test_config_problems_are_exit_2_in_check_and_run(
    tmp_path: Path, body: str, expected: str
) -> None:
    config = _toml(tmp_path, body)
    for command in ("check", "run"):
        code, out, err = _main(command, str(config), "-q" if command == "run" else "")
        assert code == 2, (command, err)
        assert expected in err, (command, err)
        assert "\x1b" not in err and "\nfake" not in err
        assert out == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_check_refuses_a_pipe_or_device_without_reading_it(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        path = tmp_path / "config.toml"
        os.mkfifo(path)
    else:
        path = Path("/dev/zero")
    started = time.monotonic()
    code, _, err = _main("check", str(path))
    assert time.monotonic() - started < 5
    assert code == 2 and "is not a regular file" in err, err


def test_an_oversized_config_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text("# " + "x" * (2 * 1024 * 1024) + "\n", encoding="utf-8")
    code, _, err = _main("check", str(path))
    assert code == 2 and "is larger than 1024 KB" in err


def test_more_topics_than_documents_is_capped_and_said(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 3)  # 9 documents (a panel per topic: fewer keep it fast)
    code, out, err = _main(
        "report",
        str(tmp_path / "in"),
        "-o",
        str(tmp_path / "o"),
        "--models",
        "lda",
        "--n-topics",
        "100000",
        "--passes",
        "1",
    )
    assert code == 0, err
    folder = Path(out.strip().splitlines()[-1]).parent
    said = "n_topics 100,000 is more than the 9 modelled documents; fitting 9 topics instead"
    assert said in (folder / "run.log").read_text(encoding="utf-8") and said in err
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["lda"]["n_topics"] == 9
    assert [n["path"] for n in manifest["notes"]] == ["n_topics"]
    topics = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
    assert topics["models"]["lda"]["n_topics"] == 9
    assert said in (folder / "index.html").read_text(encoding="utf-8")


def test_a_numbers_only_corpus_prints_one_line(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    for i in range(5):
        numbers = " ".join(str(int(n)) for n in rng.integers(0, 10**6, size=80))
        write_file(tmp_path / "in", f"{i}.txt", numbers)
    code, out, err = _main("report", str(tmp_path / "in"), "-o", str(tmp_path / "o"))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("topics: error: no usable documents"), err


def test_dates_in_the_first_centuries_get_time_bins() -> None:
    """Years 1-9 made the decade bin start in year 0, which does not exist."""
    from topics.report.timeline import over_time
    from topics.types import TopicModelResult

    doc_topic = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.2, 0.8]])
    model = TopicModelResult(
        name="lda",
        vocab=["a", "b"],
        topic_term=np.full((2, 2), 0.5),
        doc_topic=doc_topic,
        assignments=doc_topic.argmax(axis=1),
        topic_words=[["a"], ["b"]],
        settings={},
    )
    wide = over_time(["0005-03-01", "0001-01-01", "2024-01-01", None], {"lda": model})
    assert wide is not None and wide["bin"] == "decade"
    assert wide["bins"][:2] == ["0s", "10s"] and wide["bins"][-1] == "2020s"
    assert wide["counts"][0] == 2 and sum(wide["counts"]) == 3
    narrow = over_time(["0003-03-01", "0004-01-01"], {"lda": model})
    assert narrow is not None and narrow["bins"][0] == "0003-03"
