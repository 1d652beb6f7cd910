"""The rendered report: escaping in every context, no external URLs, output contracts."""

from __future__ import annotations

import base64
import csv
import html as html_lib
import itertools
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.browser import open_report, wait_until
from tests.conftest import run_main, write_tree
from topics.pipeline import RunResult, RunSettings, run_pipeline
from topics.report import DocsLayout, write_report_files
from topics.report.compare import diagonal_order
from topics.report.payload import page_documents
from topics.report.render import js_for_script, json_for_script

ATTACKS = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}",
]

THEMES = {
    "space": "telescope orbit planet galaxy astronomer comet nebula rocket launch satellite",
    "food": "recipe oven flour butter sugar bake dough kitchen simmer garlic",
    "money": "bank interest loan investor market share dividend inflation bond budget",
}


def _corpus() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for theme, words in THEMES.items():
        vocab = words.split()
        for i in range(12):
            body = " ".join(vocab[(i + j) % len(vocab)] for j in range(40))
            files[f"{theme}/doc{i:02d}.txt"] = f"{theme.title()} note {i}\n\n{body}"
    files["food/attack.txt"] = (
        f"{ATTACKS[0]}\n\nA recipe with oven flour butter {ATTACKS[0]} sugar bake dough "
        f"kitchen {ATTACKS[1]} simmer garlic {ATTACKS[2]} recipe oven {ATTACKS[3]} flour"
    )
    # Skipped files are listed server-side: their names reach the HTML body.
    files["<img src=x onerror=alert(1)>.bin"] = b"\x00\x01binary"
    return files


@pytest.fixture(scope="module")
def attack_run(tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    root = write_tree(tmp_path_factory.mktemp("corpus"), _corpus())
    return run_pipeline(root, RunSettings(seed=0, n_topics=3))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, attack_run: RunResult) -> Path:
    folder = tmp_path_factory.mktemp("attack")
    write_report_files(attack_run, folder, "20260101-000000")
    return folder


#: A layout that puts the 37 test documents in sidecar files, several per kind.
SMALL_CHUNKS = DocsLayout(inline_max_docs=8, light_chunk=10, full_chunk=4)


@pytest.fixture(scope="module")
def chunked_report(tmp_path_factory: pytest.TempPathFactory, attack_run: RunResult) -> Path:
    folder = tmp_path_factory.mktemp("chunked")
    write_report_files(attack_run, folder, "chunked", layout=SMALL_CHUNKS)
    return folder


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        for name, value in attrs:
            if name in ("src", "href", "action", "formaction", "data") and value:
                self.urls.append(value)
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)


def _parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_no_external_urls(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    parsed = _parse(html)
    external = [u for u in parsed.urls if re.match(r"^\s*(https?:)?//", u, re.IGNORECASE)]
    assert external == []
    assert not re.search(r"""\bimport\s*\(?\s*["'](https?:)?//""", html)
    assert not re.search(r"""<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?//""", html)


def test_attack_strings_never_become_markup(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    parsed = _parse(html)
    # Exactly the scripts we ship: the data block, d3, LDAvis, the documents' store, the
    # report's and the map's.
    script_tags = [a for t, a in parsed.tags if t == "script"]
    assert len(script_tags) == 6
    assert all(a.get("src") is None for a in script_tags)
    assert not any(t == "img" for t, _ in parsed.tags)
    assert not any(k.startswith("on") for _, attrs in parsed.tags for k in attrs)
    assert "alert(1)</script>" not in html
    # Template syntax in a document stays text wherever it lands, never evaluated.
    assert "{{ 7*7 }}" in html
    assert "oven 49 flour" not in html


def test_attack_strings_survive_as_data(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    match = re.search(
        r'<script type="application/json" id="topics-data">(.*?)</script>', html, re.DOTALL
    )
    assert match is not None
    data = json.loads(match.group(1))
    attack = next(d for d in data["documents"] if d["path"] == "food/attack.txt")
    for attack_string in ATTACKS:
        assert attack_string in attack["text"]
    assert attack["title"] == ATTACKS[0]
    # Server-rendered text (here a skipped file's name) is HTML-escaped, not dropped.
    assert "<code>&lt;img src=x onerror=alert(1)&gt;.bin</code>" in html


def test_csp_forbids_network_and_foreign_scripts(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp is not None
    policy = html_lib.unescape(csp.group(1))
    assert "default-src 'none'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "connect-src" not in policy  # falls back to default-src 'none'


def test_output_files_follow_the_contract(report: Path) -> None:
    topics = json.loads((report / "topics.json").read_text(encoding="utf-8"))
    assert topics["corpus"]["n_documents"] == 37
    lda = topics["models"]["lda"]
    assert len(lda["topics"]) == 3
    assert {"npmi", "c_v", "diversity"} <= set(lda["metrics"])
    for i, topic in enumerate(lda["topics"]):
        assert topic["id"] == i
        assert len(topic["words"]) >= 10
        assert isinstance(topic["size"], int)
    assert sum(t["size"] for t in lda["topics"]) == 37
    with open(report / "documents.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 37
    assert {"id", "path", "label", "date", "lda_topic", "lda_weight"} <= set(rows[0])
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert {"version", "seed", "started", "duration_s", "settings", "skipped"} <= set(manifest)


def test_each_theme_is_one_topic(report: Path) -> None:
    with open(report / "documents.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_label: dict[str, set[str]] = {}
    for row in rows:
        by_label.setdefault(row["label"], set()).add(row["lda_topic"])
    assert all(len(topics) == 1 for topics in by_label.values())
    assert len({next(iter(t)) for t in by_label.values()}) == 3


def test_json_for_script_cannot_close_the_tag() -> None:
    text = json_for_script({"a": "</script><!-- \u2028 & <b>"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><!-- \u2028 & <b>"}


def test_js_for_script_cannot_close_the_tag() -> None:
    code = 'var s = "</script>"; var t = "<!--";'
    safe = js_for_script(code)
    assert "</script" not in safe.lower() and "<!--" not in safe


def test_existing_report_survives_a_failing_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_files: Callable[..., Path]
) -> None:
    import topics.report as report_module

    root = write_files({f"d{i}.txt": "alpha beta gamma delta epsilon zeta " * 5 for i in range(6)})
    args = ("report", str(root), "-o", str(tmp_path / "out"), "--models", "lda", "-q")
    first = run_main(*args, "--n-topics", "2")
    assert first.returncode == 0, first.stderr
    folder = Path(first.stdout.strip().splitlines()[-1]).parent
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_module, "render_html", boom)
    failed = run_main(*args, "--n-topics", "3")
    assert failed.returncode == 1 and len(failed.stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    runs = folder.parent
    assert not list(runs.glob(".tmp-*"))
    assert [p.name for p in runs.iterdir() if p.is_dir()] == [folder.name]


def test_report_shows_the_folder_name_never_the_absolute_input_path(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    absolute = Path(manifest["input"])
    assert absolute.is_absolute()  # manifest.json keeps where the input was
    assert str(absolute) not in html
    assert html_lib.escape(str(absolute)) not in html
    assert json.dumps(str(absolute))[1:-1] not in html
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.DOTALL)
    assert h1 is not None
    assert absolute.name in h1.group(1)


def _glance(html: str, model: str) -> str:
    match = re.search(
        rf'<div class="glance-model" data-model="{model}">(.*?)</ol>', html, re.DOTALL
    )
    assert match is not None
    return match.group(1)


def test_first_screen_is_topics_at_a_glance(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    topics = json.loads((report / "topics.json").read_text(encoding="utf-8"))
    # The glance comes right after the title, before the map, the models and statistics.
    order = [html.index(s) for s in ("<h1>", 'class="glance"', 'id="map"', 'id="corpus"')]
    assert order == sorted(order)
    for model in ("lda", "clusters"):
        block = _glance(html, model)
        by_size = sorted(topics["models"][model]["topics"], key=lambda t: -t["size"])
        shown = re.findall(r'<li class="glance-topic" data-topic="(\d+)">', block)
        assert [int(t) for t in shown] == [t["id"] for t in by_size]
        names = [
            html_lib.unescape(n) for n in re.findall(r'class="glance-name"[^>]*>([^<]+)<', block)
        ]
        assert names == [t["name"] for t in by_size]
        # One or two typical documents per topic, linked to the reader.
        for item in re.split(r'<li class="glance-topic"', block)[1:]:
            assert 1 <= item.count('data-action="open-doc"') <= 2


def test_statistics_are_collapsed_and_no_empty_date_card(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    corpus = html[html.index('<section id="corpus">') :]
    assert corpus.index("<details") < corpus.index("words in the vocabulary")
    assert '<details class="metrics">' in html
    # No document in this corpus has a date: no "dates –" card.
    assert "dated documents" not in html


def test_diagonal_order_puts_matched_topics_on_the_diagonal() -> None:
    rng = np.random.default_rng(0)
    n_rows, n_cols = 4, 6
    partner = rng.permutation(n_cols)[:n_rows]  # row r shares most with column partner[r]
    counts = rng.integers(0, 4, size=(n_rows, n_cols))
    shared = [30, 50, 20, 40]
    for r in range(n_rows):
        counts[r, partner[r]] = shared[r]
    rows, cols = diagonal_order(counts)
    assert sorted(rows) == list(range(n_rows)) and sorted(cols) == list(range(n_cols))
    ordered = counts[np.ix_(rows, cols)]
    # The pairs, biggest first, on the diagonal; the unmatched columns after, in id order.
    assert [int(ordered[i, i]) for i in range(n_rows)] == sorted(shared, reverse=True)
    assert cols[n_rows:] == sorted(set(range(n_cols)) - set(partner.tolist()))


def test_diagonal_order_never_matches_topics_that_share_nothing() -> None:
    counts = np.array([[5, 0, 0], [0, 0, 0], [0, 0, 7]])
    rows, cols = diagonal_order(counts)
    assert rows == [2, 0, 1] and cols == [2, 0, 1]


def test_alignment_table_is_diagonal_and_headed_by_topic_names(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    topics = json.loads((report / "topics.json").read_text(encoding="utf-8"))
    table = html.split('<table class="labels align">', 1)[1].split("</table>", 1)[0]
    head, body = table.split("<tbody>", 1)
    col_ids = [int(t) for t in re.findall(r'<th class="topic-col" data-topic="(-?\d+)"', head)]
    names = {t["id"]: t["name"] for t in topics["models"]["clusters"]["topics"]}
    for topic_id in col_ids:
        if topic_id >= 0:
            assert html_lib.escape(f"{topic_id}: {names[topic_id]}") in head
    grid = [
        [int(c) if c else 0 for c in re.findall(r'data-action="pair-docs"[^>]*>(\d*)</td>', row)]
        for row in body.split("</tr>")[:-1]
    ]
    counts = np.array(grid)
    k = min(counts.shape[0], len([c for c in col_ids if c >= 0]))
    best = max(
        sum(int(counts[i, p[i]]) for i in range(k)) for p in itertools.permutations(range(k))
    )
    assert sum(int(counts[i, i]) for i in range(k)) == best
    assert list(np.diag(counts)[:k]) == sorted(np.diag(counts)[:k], reverse=True)


def test_similar_documents_share_their_theme(report: Path) -> None:
    html = (report / "index.html").read_text(encoding="utf-8")
    match = re.search(r'id="topics-data">(.*?)</script>', html, re.DOTALL)
    assert match is not None
    docs = json.loads(match.group(1))["documents"]
    same = total = 0
    for doc in docs:
        assert len(doc["similar"]) == 5 and doc["id"] not in doc["similar"]
        same += sum(docs[j]["label"] == doc["label"] for j in doc["similar"])
        total += len(doc["similar"])
        for model in ("lda", "clusters"):
            weights = [w for _, w in doc[f"{model}_mix"]]
            assert weights == sorted(weights, reverse=True) and all(w >= 0.05 for w in weights)
        assert doc["lda_mix"][0][0] == doc["lda_topic"]
    assert same / total > 0.9


# ---------------------------------------------------------------- documents in sidecar files


def _page_data(html: str) -> dict[str, Any]:
    match = re.search(r'id="topics-data">(.*?)</script>', html, re.DOTALL)
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def _chunk_rows(path: Path) -> tuple[str, int, list[dict[str, Any]]]:
    """A sidecar file's (kind, index, rows): one ``topicsChunk`` call around JSON."""
    text = path.read_text(encoding="utf-8")
    match = re.fullmatch(r'topicsChunk\("(light|full)",(\d+),(.*)\);\n', text, re.DOTALL)
    assert match is not None, text[:200]
    return match.group(1), int(match.group(2)), json.loads(match.group(3))


def test_chunked_report_moves_document_text_to_sidecar_files(
    chunked_report: Path, report: Path
) -> None:
    html = (chunked_report / "index.html").read_text(encoding="utf-8")
    inline = _page_data((report / "index.html").read_text(encoding="utf-8"))["documents"]
    # The same run inline: the page shrinks by at least every document's text.
    text_bytes = sum(len(d["text"].encode()) + len(d["snippet"].encode()) for d in inline)
    assert len(html.encode()) < (report / "index.html").stat().st_size - text_bytes
    data = _page_data(html)
    assert data["documents"] is None and data["docs"]["n"] == 37
    light = sorted((chunked_report / "docs").glob("light-*.js"))
    full = sorted((chunked_report / "docs").glob("full-*.js"))
    assert [p.name for p in light] == [f"light-{i:04d}.js" for i in range(4)]
    assert [p.name for p in full] == [f"full-{i:04d}.js" for i in range(10)]
    assert data["docs"]["chunks"]["full"]["files"] == [f"docs/{p.name}" for p in full]
    # No document's words are left in the page: the attack text only in its chunk.
    for hostile in ATTACKS[:2]:
        assert json_for_script(hostile)[1:-1] not in html
    rows = [r for p in full for r in _chunk_rows(p)[2]]
    titles = [r for p in light for r in _chunk_rows(p)[2]]
    assert [r["id"] for r in rows] == list(range(37))
    with open(chunked_report / "documents.csv", encoding="utf-8", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert [t["path"] for t in titles] == [r["path"] for r in csv_rows]
    attack = next(r for r, t in zip(rows, titles, strict=True) if t["path"] == "food/attack.txt")
    assert all(a in attack["text"] for a in ATTACKS)
    # The page allows scripts from its own folder (the chunks) and nothing else new.
    policy = html_lib.unescape(html.split('Content-Security-Policy" content="')[1].split('"')[0])
    assert "script-src 'self' 'sha256-" in policy and "unsafe" not in policy.split(";")[1]


def test_chunk_files_escape_untrusted_text(tmp_path: Path) -> None:
    hostile = "</script><script>alert(1)</script> \u2028 \u2029 \"quoted\" 'single' <!-- &"
    docs = [
        {"id": i, "title": hostile, "path": f"{hostile}/{i}.txt", "label": None, "date": None,
         "snippet": hostile, "text": hostile * 3, "lda_topic": 0, "lda_weight": 0.5}
        for i in range(3)
    ]  # fmt: skip
    payload = page_documents(docs, None, ["lda"], [], DocsLayout(1, 2, 2))
    assert sorted(payload.files) == [
        "docs/full-0000.js", "docs/full-0001.js", "docs/light-0000.js", "docs/light-0001.js"
    ]  # fmt: skip
    for rel, text in payload.files.items():
        assert "<" not in text and ">" not in text and "\u2028" not in text and "\u2029" not in text
        (tmp_path / "f.js").write_text(text, encoding="utf-8")
        kind, _, rows = _chunk_rows(tmp_path / "f.js")
        assert rel.startswith(f"docs/{kind}-")
        for r in rows:
            assert (r["title"] if kind == "light" else r["text"]).startswith(hostile)


def test_packed_page_stays_small_at_100k_documents() -> None:
    """What index.html holds per document above the threshold: ~12 bytes (base64)."""
    n = 100_000
    rng = np.random.default_rng(0)
    topic = rng.integers(-1, 40, size=n)
    docs = [
        {"id": i, "title": f"t{i}", "path": f"p{i}", "label": f"l{i % 7}", "date": None,
         "snippet": "s", "lda_topic": int(topic[i]), "lda_weight": 0.5,
         "clusters_topic": int(topic[i]), "clusters_weight": None}
        for i in range(n)
    ]  # fmt: skip
    coords = {"x": rng.normal(size=n).tolist(), "y": rng.normal(size=n).tolist()}
    labels = [f"l{i}" for i in range(7)]
    payload = page_documents(docs, coords, ["lda", "clusters"], labels, DocsLayout())
    assert payload.docs is not None and payload.map is not None
    inline = json_for_script({"docs": payload.docs, "map": payload.map})
    assert len(inline) < 13 * n
    assert len(payload.files) == n // 2000 + n // 1000
    # The quantised columns decode to the values they stand for.
    lda = np.frombuffer(base64.b64decode(payload.docs["columns"]["lda_topic"]["b64"]), np.uint8)
    assert np.array_equal(lda.astype(int) - 1, topic)
    packed_x = payload.map["packed"]["x"]
    qx = np.frombuffer(base64.b64decode(packed_x["b64"]), "<u2")
    x = packed_x["min"] + qx / 65534 * (packed_x["max"] - packed_x["min"])
    assert np.abs(x - np.array(coords["x"])).max() <= (packed_x["max"] - packed_x["min"]) / 65534


@pytest.mark.browser
def test_chunked_report_opens_searches_and_lists_documents_in_chromium(
    chunked_report: Path,
) -> None:
    rows = [
        r for p in sorted((chunked_report / "docs").glob("full-*.js")) for r in _chunk_rows(p)[2]
    ]
    attack_id = next(r["id"] for r in rows if ATTACKS[1] in r["text"])
    with open_report(chunked_report / "index.html") as (page, watch):
        # The table: the first page of titles comes from the light chunks.
        wait_until(page, "document.querySelectorAll('#doc-rows tr').length === 37")
        assert page.locator("#doc-count").text_content() == "37 of 37 documents"
        # Search reads every full chunk: a word only in the attack document's text.
        page.fill("#doc-search", "onerror=alert")
        wait_until(page, "document.getElementById('doc-count').dataset.done === 'true'")
        assert page.locator("#doc-count").text_content() == "1 of 37 documents"
        link = page.locator(f"#doc-rows a[data-doc='{attack_id}']")
        assert link.text_content() == ATTACKS[0]
        # The reader: the document's whole text, from its chunk, as text.
        link.click()
        wait_until(page, "document.getElementById('doc-viewer').open")
        shown = page.locator("#doc-viewer-text").text_content() or ""
        assert all(a in shown for a in ATTACKS)
        assert page.locator("#doc-viewer-similar li").count() == 5
        page.click("[data-action=close-viewer]")
        # The map's search finds it too, and a topic's drill-down lists titles.
        assert page.evaluate("window.topicsMap.search('onerror=alert')") in (0, 1)
        wait_until(page, "document.getElementById('doc-map').dataset.searchDone === 'true'")
        assert page.evaluate("window.topicsMap.highlightedCount()") == 1
        page.locator("[data-action=topic-docs]").first.click()
        wait_until(
            page, "document.querySelectorAll('.drill ol li a, [id^=drill-] ol li a').length > 0"
        )
        titles = page.locator("[id^=drill-] ol li a").all_text_contents()
        assert titles and all(t and not t.startswith("document ") for t in titles)
    assert watch.network == [] and watch.dialogs == []
    assert watch.console_errors == [] and watch.page_errors == []


def test_the_ldavis_panel_shows_terms_as_the_text_spells_them(
    tmp_path: Path, write_files: Callable[..., Path]
) -> None:
    """Regression: the published page's panel showed lemmas ("galaxy") where the text and
    every other place say "galaxies"."""
    themes = [
        "galaxies telescopes planets comets astronomers nebulae orbits",
        "bakers ovens loaves recipes kitchens pastries biscuits",
    ]
    files = {
        f"{t}-{i}.txt": " ".join(np.random.default_rng(i + 10 * t).permutation(words.split() * 4))
        for t, words in enumerate(themes)
        for i in range(8)
    }
    run = run_pipeline(write_files(files), RunSettings(models=("lda",), n_topics=2))
    pre = run.pre
    respelled = {v for v in pre.vocab if pre.display(v) != v}
    assert respelled, "the test corpus needs words whose lemma differs from their spelling"
    folder = tmp_path / "report"
    folder.mkdir()
    write_report_files(run, folder, "20260101-000000")
    panel = _page_data((folder / "index.html").read_text(encoding="utf-8"))["panels"]["lda"]
    terms = set(panel["tinfo"]["Term"])
    assert terms == {pre.display(v) for v in pre.vocab}
    assert not terms & respelled


# ---------------------------------------------------------------- rows built when read


def _eager_rows(run: RunResult, budget: int) -> list[dict[str, Any]]:
    """Every document's row built in one loop, as the report built them before rows
    were made on demand: the reference the lazy sequence must equal."""
    from topics.report.data import MAX_DOC_CHARS, MIN_MIX_WEIGHT, similar_documents, snippet

    def mix(weights: np.ndarray) -> list[list[float]]:
        order = np.argsort(-weights, kind="stable")[:3]
        return [
            [int(t), round(float(weights[t]), 3)] for t in order if weights[t] >= MIN_MIX_WEIGHT
        ]

    similar = similar_documents(run)
    out = []
    for i, doc_i in enumerate(run.pre.doc_index):
        doc = run.corpus.documents[doc_i]
        text = doc.text[:MAX_DOC_CHARS] if budget > 0 else ""
        budget -= len(text)
        row: dict[str, Any] = {
            "id": i, "path": doc.path, "title": doc.title, "label": doc.label,
            "date": doc.date, "snippet": snippet(doc.text), "text": text,
            "truncated": len(text) < len(doc.text), "n_chars": len(doc.text),
            "meta": dict(list(doc.meta.items())[:20]),
        }  # fmt: skip
        for name, model in run.models.items():
            topic = int(model.assignments[i])
            row[f"{name}_topic"] = topic
            weight = model.doc_topic[i, topic]
            row[f"{name}_weight"] = round(float(weight), 4) if topic >= 0 else None
            row[f"{name}_mix"] = mix(model.doc_topic[i])
        row["similar"] = similar[i]
        if run.coords is not None:
            row["x"] = round(float(run.coords[i, 0]), 4)
            row["y"] = round(float(run.coords[i, 1]), 4)
        out.append(row)
    return out


@pytest.mark.parametrize("budget", [100, 1_000, 40_000_000])
def test_lazy_document_rows_equal_rows_built_in_one_loop(
    attack_run: RunResult, budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Including the text budget, spent in document order (a small one runs out midway)."""
    from topics.report import data as data_module

    monkeypatch.setattr(data_module, "MAX_TOTAL_CHARS", budget)
    data = data_module.build_report_data(attack_run, run_id="r")
    documents = data["documents"]
    expected = _eager_rows(attack_run, budget)
    for row in data["review"]["rows"].worth_showing():
        expected[row["doc"]]["review"] = {k: row[k] for k in ("rank", "reason", "suggested_label")}
    assert attack_run.coords is not None and attack_run.review is not None
    assert len(documents) == len(expected) == 37
    assert list(documents) == expected
    assert documents[-1] == expected[-1] and documents[3:7] == expected[3:7]
    review = attack_run.review
    ranked = [
        {
            "doc": int(i), "rank": rank, "score": round(float(review.score[i]), 6),
            "suggested_label": review.suggested_label[i],
            "label_probability": (
                None if not review.label_probability or review.label_probability[i] is None
                else round(review.label_probability[i], 4)
            ),
            "reason": review.reasons[i],
            "signals": {k: round(float(review.signals[k][i]), 4) for k in review.signals},
        }
        for rank, i in enumerate(review.order, start=1)
    ]  # fmt: skip
    assert list(data["review"]["rows"]) == ranked and data["review"]["rows"][-2:] == ranked[-2:]
    kept = [bool(d["text"]) for d in expected]
    assert (budget < 2_000) == (not all(kept)) and kept == sorted(kept, reverse=True)
    keys = ["id", "path", "title", "label", "date", "snippet", "x", "y", "truncated"]
    keys += [f"{name}_{k}" for name in attack_run.models for k in ("topic", "weight", "mix")]
    for key in keys:
        assert documents.column(key) == [d[key] for d in expected], key
        assert documents.column(key, 5, 11) == [d[key] for d in expected[5:11]], key
    with pytest.raises(IndexError):
        documents[37]


def test_sidecar_files_written_one_by_one_equal_those_of_rows_in_memory(
    chunked_report: Path, attack_run: RunResult
) -> None:
    """The files of the page, CSVs and sidecars: as from a plain list of every row."""
    from topics.report.data import build_report_data, document_rows, review_rows

    data = build_report_data(attack_run, run_id="chunked")
    eager = dict(data, documents=list(data["documents"]))
    eager["review"] = dict(data["review"], rows=list(data["review"]["rows"]))
    payload = page_documents(
        eager["documents"], eager["map"], list(eager["models"]), eager["corpus"]["labels"],
        SMALL_CHUNKS,
    )  # fmt: skip
    assert not isinstance(payload.files, dict)  # made when read, not held
    on_disk = {
        f"docs/{p.name}": p.read_text(encoding="utf-8")
        for p in (chunked_report / "docs").glob("*.js")
    }
    assert on_disk == dict(payload.files)
    # Every document is in one light and one full file, its whole text in the full one.
    full = [
        r for rel in sorted(on_disk) if "full" in rel for r in _chunk_rows(chunked_report / rel)[2]
    ]
    assert [r["id"] for r in full] == list(range(37))
    assert [r["text"] for r in full] == [d["text"] for d in eager["documents"]]
    for name, rows_of in (("documents.csv", document_rows), ("review.csv", review_rows)):
        with open(chunked_report / name, encoding="utf-8", newline="") as fh:
            written = list(csv.reader(fh))
        header, lazy = rows_of(data)
        _, listed = rows_of(eager)
        expected = [[str(output_cell(v)) for v in row] for row in listed]
        assert written == [header, *expected] and len(expected) == 37
        assert [[str(output_cell(v)) for v in row] for row in lazy] == expected


def output_cell(value: Any) -> Any:
    from topics.store.output import csv_cell

    return csv_cell(value)


def test_snippet_of_a_long_text_is_cut_where_the_whole_flattened_text_is() -> None:
    """Flattening only the text's head gives the same snippet as flattening all of it."""
    from topics.report.data import snippet

    def whole(text: str, limit: int) -> str:
        flat = " ".join(text.split())
        return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"

    rng = np.random.default_rng(3)
    pieces = ["a", "word", "x" * 300, " ", "  \n\t ", "\u2028", " " * 900, "é"]
    texts = ["", "short text", " " * 5_000 + "tail", "w" * 5_000, "ab " * 400]
    texts += ["".join(rng.choice(pieces, size=int(n))) for n in rng.integers(1, 400, 300)]
    for text in texts:
        for limit in (1, 5, 280):
            assert snippet(text, limit) == whole(text, limit), (text[:40], limit)
