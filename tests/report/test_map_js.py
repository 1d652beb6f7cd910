"""The document map (templates/assets/map.js) in real headless Chromium.

The page mimics the report: the partial rendered with Jinja2 (autoescape, StrictUndefined),
the data in a ``<script type="application/json">``, a stub ``window.topicsReport`` that
records ``openDocument`` calls, the map's scripts inlined, and a CSP that allows the
scripts only by hash, so an inline handler, ``eval`` or a network request would show up
as an error.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.browser import open_report, wait_until
from topics.report.payload import DocsLayout, page_documents
from topics.report.render import (
    MAP_SCRIPTS,
    SHARED_SCRIPTS,
    asset_script,
    content_security_policy,
    js_for_script,
    json_for_script,
    template_environment,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

HOSTILE_TITLE = "<img src=x onerror=alert(1)>"
HOSTILE_SNIPPET = "</script><script>alert(1)</script>"
N_DOCS = 300
N_TOPICS = 4
RARE_WORD = "zebrafish"
N_RARE = 7
HOSTILE_ID = 5

# Stands in for report.js: the same global, with openDocument calls recorded.
STUB_REPORT = """(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("topics-data").textContent);
  window.openedDocuments = [];
  window.topicsReport = {
    data: data,
    openDocument: function (id) { window.openedDocuments.push(id); },
    topicName: function (model, id) {
      if (id < 0) { return "outlier"; }
      var t = data.models[model].topics[id];
      return t ? id + ": " + t.words.slice(0, 4).join(", ") : String(id);
    }
  };
})();
"""


def build_map_page(
    documents: list[dict[str, Any]],
    coords: dict[str, list[float]] | None,
    models: dict[str, dict[str, Any]],
    *,
    with_partial: bool = True,
    layout: DocsLayout | None = None,
    sidecars: dict[str, str] | None = None,
) -> str:
    """A page holding the map partial, the data, dom.js and docs.js, a report stub and the map.

    Without ``layout`` the documents and coordinates are inline as plain lists; with one
    they are shipped as the report ships them (``topics.report.payload``): packed, and
    above ``layout.inline_max_docs`` in sidecar files added to ``sidecars``.
    """
    partial = template_environment().get_template("_map.html.j2").render(data={"models": models})
    page_data: dict[str, Any] = {"documents": documents, "models": models}
    if coords is not None:
        page_data["map"] = coords
    chunked = False
    if layout is not None:
        labels = sorted({d["label"] for d in documents if d.get("label")})
        payload = page_documents(documents, coords, list(models), labels, layout)
        page_data |= {"documents": payload.documents, "docs": payload.docs, "map": payload.map}
        if sidecars is not None:
            sidecars.update(payload.files)
        chunked = payload.chunked
    # The report's load order (render.py): dom.js + docs.js, report.js (here the stub),
    # then the map's files in one script.
    scripts = [
        asset_script(SHARED_SCRIPTS),
        js_for_script(STUB_REPORT),
        asset_script(MAP_SCRIPTS),
    ]
    csp = content_security_policy(scripts, sidecars=chunked)
    css = (TEMPLATES / "assets" / "report.css").read_text(encoding="utf-8")
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
            f"<title>map test</title><style>{css}</style></head><body><main>",
            partial if with_partial else "",
            "</main>",
            '<script type="application/json" id="topics-data">',
            json_for_script(page_data),
            "</script>",
            *(f"<script>{s}</script>" for s in scripts),
            "</body></html>",
        ]
    )


def synthetic_corpus(
    n_docs: int = N_DOCS, n_topics: int = N_TOPICS, seed: int = 0, with_text: bool = True
) -> tuple[list[dict[str, Any]], dict[str, list[float]], dict[str, dict[str, Any]]]:
    """Documents in planted blobs: ``lda`` topic = blob; ``clusters`` splits them differently."""
    rng = np.random.default_rng(seed)
    vocab = [[f"topic{t}word{w}" for w in range(12)] for t in range(n_topics)]
    centres = rng.uniform(0.15, 0.85, size=(n_topics, 2))
    lda = np.arange(n_docs) % n_topics
    xy = centres[lda] + rng.normal(0, 0.05, size=(n_docs, 2))
    xy = (xy - xy.min(axis=0)) / (xy.max(axis=0) - xy.min(axis=0))
    # A second model: three clusters by x position, a tenth of documents outliers.
    clusters = np.minimum((xy[:, 0] * 3).astype(int), 2)
    clusters[rng.random(n_docs) < 0.1] = -1
    rare = set(rng.choice(np.arange(10, n_docs), size=N_RARE, replace=False).tolist())
    docs = []
    for i in range(n_docs):
        t = int(lda[i])
        words = [str(w) for w in rng.choice(vocab[t], size=25)]
        if i in rare:
            words.insert(int(rng.integers(len(words))), RARE_WORD.capitalize())
        text = " ".join(words)
        doc: dict[str, Any] = {
            "id": i,
            "title": f"Document {i} on {vocab[t][0]}",
            "snippet": f"snippet {i}: {text[:120]}",
            "label": f"label{t}",
            "lda_topic": t,
            "lda_weight": round(float(rng.uniform(0.4, 1)), 3),
            "clusters_topic": int(clusters[i]),
            "clusters_weight": round(float(rng.uniform(0.4, 1)), 3),
        }
        if with_text:
            doc["text"] = text
        docs.append(doc)
    docs[HOSTILE_ID]["title"] = HOSTILE_TITLE
    docs[HOSTILE_ID]["snippet"] = HOSTILE_SNIPPET
    if with_text:
        docs[HOSTILE_ID]["text"] = HOSTILE_SNIPPET + " " + docs[HOSTILE_ID]["text"]
    models = {
        "lda": {
            "title": "LDA",
            "topics": [{"id": t, "words": vocab[t][:10]} for t in range(n_topics)],
        },
        "clusters": {
            "title": "Embedding clusters",
            "topics": [
                {"id": c, "words": [f"cluster{c}w{w}" for w in range(10)]} for c in range(3)
            ],
        },
    }
    coords = {
        "x": [round(float(v), 5) for v in xy[:, 0]],
        "y": [round(float(v), 5) for v in xy[:, 1]],
    }
    return docs, coords, models


@pytest.fixture(scope="module")
def corpus() -> tuple[list[dict[str, Any]], dict[str, list[float]], dict[str, dict[str, Any]]]:
    return synthetic_corpus()


@pytest.fixture
def map_page(tmp_path: Path, corpus: Any) -> Path:
    path = tmp_path / "map.html"
    path.write_text(build_map_page(*corpus), encoding="utf-8")
    return path


def _canvas_point(page: Any, doc_id: int) -> tuple[float, float]:
    """Page coordinates of a document's mark."""
    box = page.locator("#doc-map-canvas").bounding_box()
    px, py = page.evaluate("id => window.topicsMap.projected(id)", doc_id)
    return box["x"] + px, box["y"] + py


def _isolated_doc(page: Any, n_docs: int, min_gap: float = 8.0) -> int:
    """A document with no other mark within ``min_gap`` CSS pixels (hover is unambiguous)."""
    pts = np.array(
        page.evaluate(f"[...Array({n_docs}).keys()].map(i => window.topicsMap.projected(i))")
    )
    for i in range(10, n_docs):
        d = np.hypot(*(pts - pts[i]).T)
        d[i] = math.inf
        if d.min() > min_gap:
            return i
    raise AssertionError("no isolated document")


def _clean(watch: Any) -> None:
    assert watch.console_errors == []
    assert watch.page_errors == []
    assert watch.dialogs == []
    assert watch.network == []


@pytest.mark.browser
def test_map_draws_every_document(map_page: Path) -> None:
    with open_report(map_page) as (page, watch):
        page.wait_for_selector("#doc-map[data-drawn]")
        root = page.locator("#doc-map")
        assert root.get_attribute("data-drawn") == str(N_DOCS)
        assert root.get_attribute("data-points") == str(N_DOCS)
        assert root.get_attribute("data-highlighted") == str(N_DOCS)
        assert page.evaluate("window.topicsMap.pointCount()") == N_DOCS
        # devicePixelRatio-aware backing store, and marks really on it.
        size = page.evaluate(
            "(() => { const c = document.getElementById('doc-map-canvas');"
            " return [c.width, c.clientWidth, window.devicePixelRatio]; })()"
        )
        assert size[0] == round(size[1] * size[2])
        coloured = page.evaluate(
            "(() => { const c = document.getElementById('doc-map-canvas');"
            " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " let k = 0; for (let i = 0; i < d.length; i += 4)"
            " { if (d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255) k++; } return k; })()"
        )
        assert coloured > N_DOCS * 3
        _clean(watch)


@pytest.mark.browser
def test_hover_shows_title_and_snippet_as_text(map_page: Path, corpus: Any) -> None:
    docs = corpus[0]
    with open_report(map_page) as (page, watch):
        doc_id = _isolated_doc(page, N_DOCS)
        page.mouse.move(*_canvas_point(page, doc_id))
        tip = page.locator("#doc-map-tooltip")
        tip.wait_for(state="visible")
        assert docs[doc_id]["snippet"] in tip.inner_text()
        assert docs[doc_id]["title"] in tip.inner_text()
        # Moving far away hides it.
        box = page.locator("#doc-map-canvas").bounding_box()
        page.mouse.move(box["x"] + 2, box["y"] + 2)
        tip.wait_for(state="hidden")
        # The hostile document's strings are shown, never parsed.
        page.evaluate(f"window.topicsMap.isolate({docs[HOSTILE_ID]['lda_topic']})")
        page.mouse.move(*_canvas_point(page, HOSTILE_ID))
        tip_doc = "document.getElementById('doc-map-tooltip').getAttribute('data-doc')"
        wait_until(page, f"{tip_doc} === '{HOSTILE_ID}'")
        assert page.locator(".map-tip-title").text_content() == HOSTILE_TITLE
        assert page.locator(".map-tip-snippet").text_content() == HOSTILE_SNIPPET
        assert page.locator("#doc-map img, #doc-map script").count() == 0
        _clean(watch)


@pytest.mark.browser
def test_click_opens_document(map_page: Path) -> None:
    with open_report(map_page) as (page, watch):
        doc_id = _isolated_doc(page, N_DOCS)
        page.mouse.click(*_canvas_point(page, doc_id))
        wait_until(page, "window.openedDocuments.length > 0")
        assert page.evaluate("window.openedDocuments") == [doc_id]
        # A click on empty canvas opens nothing.
        box = page.locator("#doc-map-canvas").bounding_box()
        page.mouse.click(box["x"] + 2, box["y"] + 2)
        assert page.evaluate("window.openedDocuments") == [doc_id]
        _clean(watch)


@pytest.mark.browser
def test_legend_isolates_a_topic_and_show_all_clears_it(map_page: Path, corpus: Any) -> None:
    docs = corpus[0]
    size = sum(d["lda_topic"] == 2 for d in docs)
    with open_report(map_page) as (page, watch):
        entries = page.locator("#doc-map-legend button[data-topic]")
        assert entries.count() == N_TOPICS
        entry = page.locator('#doc-map-legend button[data-topic="2"]')
        assert entry.locator(".count").text_content() == str(size)
        assert "topic2word0, topic2word1, topic2word2" in entry.text_content()
        entry.click()
        root = page.locator("#doc-map")
        assert root.get_attribute("data-highlighted") == str(size)
        assert entry.get_attribute("aria-pressed") == "true"
        wait_until(page, f"document.getElementById('doc-map').dataset.drawn === '{N_DOCS}'")
        entry.click()
        assert root.get_attribute("data-highlighted") == str(N_DOCS)
        entry.click()
        page.locator("#doc-map-show-all").click()
        assert root.get_attribute("data-highlighted") == str(N_DOCS)
        _clean(watch)


@pytest.mark.browser
def test_search_highlights_matching_documents(map_page: Path, corpus: Any) -> None:
    docs = corpus[0]
    expected = sum(RARE_WORD in (d["title"] + " " + d["text"]).lower() for d in docs)
    assert expected == N_RARE
    with open_report(map_page) as (page, watch):
        page.locator("#doc-map-search").fill(RARE_WORD.upper())
        root = page.locator("#doc-map")
        assert root.get_attribute("data-highlighted") == str(N_RARE)
        assert page.locator("#doc-map-count").text_content() == f"{N_RARE} matches"
        # Titles are searched too; the hostile title is matched as plain text.
        page.locator("#doc-map-search").fill("onerror=alert")
        assert root.get_attribute("data-highlighted") == "1"
        page.locator("#doc-map-search").fill("")
        assert root.get_attribute("data-highlighted") == str(N_DOCS)
        _clean(watch)


@pytest.mark.browser
def test_model_toggle_recolours(map_page: Path, corpus: Any) -> None:
    docs = corpus[0]
    # A document whose colour must change: lda topic 0, clusters topic 2 (another colour).
    doc_id = next(
        i for i, d in enumerate(docs) if i > 10 and d["lda_topic"] == 0 and d["clusters_topic"] == 2
    )
    pixel = (
        "id => { const c = document.getElementById('doc-map-canvas');"
        " const [x, y] = window.topicsMap.projected(id); const r = window.devicePixelRatio;"
        " return Array.from(c.getContext('2d').getImageData(Math.round(x * r),"
        " Math.round(y * r), 1, 1).data.slice(0, 3)); }"
    )
    with open_report(map_page) as (page, watch):
        page.evaluate("window.topicsMap.isolate(0)")  # doc_id's mark on top of its neighbours
        page.wait_for_timeout(100)
        before = page.evaluate(pixel, doc_id)
        assert before == [0x1F, 0x77, 0xB4]
        page.select_option("#doc-map-model", "clusters")
        root = page.locator("#doc-map")
        assert root.get_attribute("data-model") == "clusters"
        assert root.get_attribute("data-highlighted") == str(N_DOCS)  # the isolation is cleared
        topics = page.locator("#doc-map-legend button[data-topic]")
        ids = [topics.nth(i).get_attribute("data-topic") for i in range(topics.count())]
        assert ids == ["0", "1", "2", "-1"]
        assert page.locator('#doc-map-legend button[data-topic="-1"] .count').text_content() == str(
            sum(d["clusters_topic"] == -1 for d in docs)
        )
        page.evaluate("window.topicsMap.isolate(2)")
        page.wait_for_timeout(100)
        assert page.evaluate(pixel, doc_id) == [0x2C, 0xA0, 0x2C]
        _clean(watch)


@pytest.mark.browser
def test_shift_drag_lists_documents_in_the_box(map_page: Path, corpus: Any) -> None:
    docs = corpus[0]
    with open_report(map_page) as (page, watch):
        box = page.locator("#doc-map-canvas").bounding_box()
        pts = page.evaluate(f"[...Array({N_DOCS}).keys()].map(i => window.topicsMap.projected(i))")
        members = [i for i, d in enumerate(docs) if d["lda_topic"] == 1]
        x0 = min(pts[i][0] for i in members) - 2
        x1 = max(pts[i][0] for i in members) + 2
        y0 = min(pts[i][1] for i in members) - 2
        y1 = max(pts[i][1] for i in members) + 2
        inside = [i for i, (x, y) in enumerate(pts) if x0 <= x <= x1 and y0 <= y <= y1]
        assert set(members) <= set(inside)
        page.keyboard.down("Shift")
        page.mouse.move(box["x"] + x0, box["y"] + y0)
        page.mouse.down()
        page.mouse.move(box["x"] + (x0 + x1) / 2, box["y"] + (y0 + y1) / 2, steps=4)
        page.mouse.move(box["x"] + x1, box["y"] + y1, steps=4)
        page.mouse.up()
        page.keyboard.up("Shift")
        listing = page.locator("#doc-map-selection")
        listing.wait_for(state="visible")
        links = listing.locator("a[data-map-doc]")
        assert links.count() == len(inside)
        assert sorted(
            int(links.nth(i).get_attribute("data-map-doc")) for i in range(links.count())
        ) == (inside)
        assert f"{len(inside)} documents" in listing.locator("strong").text_content()
        # Shift-drag does not pan; a link opens its document.
        assert page.evaluate("window.topicsMap.view()") == {"k": 1, "tx": 0, "ty": 0}
        links.nth(0).click()
        assert page.evaluate("window.openedDocuments") == [inside[0]]
        listing.locator("[data-map-action=clear-selection]").click()
        listing.wait_for(state="hidden")
        _clean(watch)


@pytest.mark.browser
def test_selection_list_shows_hostile_title_as_text(map_page: Path) -> None:
    with open_report(map_page) as (page, watch):
        x, y = page.evaluate(f"window.topicsMap.projected({HOSTILE_ID})")
        page.evaluate(f"window.topicsMap.select({x - 1}, {y - 1}, {x + 1}, {y + 1})")
        link = page.locator(f'#doc-map-selection a[data-map-doc="{HOSTILE_ID}"]')
        assert link.text_content() == HOSTILE_TITLE
        assert page.locator("#doc-map-selection img").count() == 0
        _clean(watch)


@pytest.mark.browser
def test_pan_zoom_and_reset(map_page: Path) -> None:
    with open_report(map_page) as (page, watch):
        doc_id = _isolated_doc(page, N_DOCS)
        start = page.evaluate(f"window.topicsMap.projected({doc_id})")
        other = page.evaluate(f"window.topicsMap.projected({(doc_id + 1) % N_DOCS})")
        # Wheel zoom keeps the point under the cursor in place and spreads the others.
        page.mouse.move(*_canvas_point(page, doc_id))
        page.mouse.wheel(0, -400)
        wait_until(page, "window.topicsMap.view().k > 1.5")
        after = page.evaluate(f"window.topicsMap.projected({doc_id})")
        assert math.dist(start, after) < 1.0
        other_after = page.evaluate(f"window.topicsMap.projected({(doc_id + 1) % N_DOCS})")
        assert math.dist(after, other_after) > 1.5 * math.dist(start, other)
        # Drag pans by the distance dragged.
        x, y = _canvas_point(page, doc_id)
        page.mouse.move(x + 3, y + 3)
        page.mouse.down()
        page.mouse.move(x + 43, y + 23, steps=5)
        page.mouse.up()
        panned = page.evaluate(f"window.topicsMap.projected({doc_id})")
        assert math.dist(panned, [after[0] + 40, after[1] + 20]) < 1.0
        assert page.evaluate("window.openedDocuments") == []  # a drag is not a click
        page.locator("#doc-map-reset").click()
        assert page.evaluate(f"window.topicsMap.projected({doc_id})") == pytest.approx(start)
        wait_until(page, f"document.getElementById('doc-map').dataset.drawn === '{N_DOCS}'")
        _clean(watch)


@pytest.mark.browser
@pytest.mark.parametrize("variant", ["no_map_data", "no_partial"])
def test_map_script_is_inert_without_map(tmp_path: Path, corpus: Any, variant: str) -> None:
    docs, coords, models = corpus
    html = (
        build_map_page(docs, None, models)
        if variant == "no_map_data"
        else build_map_page(docs, coords, models, with_partial=False)
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    with open_report(path) as (page, watch):
        assert page.evaluate("typeof window.topicsMap") == "undefined"
        assert page.evaluate("typeof window.topicsReport") == "object"
        _clean(watch)


def test_page_data_cannot_close_the_script_tag(corpus: Any) -> None:
    html = build_map_page(*corpus)
    data = html.split('<script type="application/json" id="topics-data">', 1)[1]
    data = data.split("</script>", 1)[0]
    assert "<" not in data
    assert json.loads(data)["documents"][HOSTILE_ID]["snippet"] == HOSTILE_SNIPPET


@pytest.mark.browser
def test_topic_names_are_drawn_at_topic_centres_and_follow_isolation(
    tmp_path: Path, corpus: Any
) -> None:
    docs, coords, models = corpus
    named = json.loads(json.dumps(models))
    for topic in named["lda"]["topics"]:
        topic["name"] = f"Theme {topic['id']} <b>"  # names are text, never markup
    path = tmp_path / "named.html"
    path.write_text(build_map_page(docs, coords, named), encoding="utf-8")
    with open_report(path) as (page, watch):
        page.wait_for_selector("#doc-map[data-labels]")
        labels = page.evaluate("window.topicsMap.labels()")
        assert sorted(labels) == sorted(f"Theme {t} <b>" for t in range(N_TOPICS))
        items = page.locator("#doc-map-labels li")
        assert items.count() == N_TOPICS
        assert page.locator("#doc-map-labels b").count() == 0
        # Each label's topic centre lies among its own documents.
        xs = np.array(coords["x"])
        ys = np.array(coords["y"])
        for t in range(N_TOPICS):
            members = [i for i, d in enumerate(docs) if d["lda_topic"] == t]
            assert abs(np.median(xs[members]) - np.mean(xs[members])) < 0.1
            assert abs(np.median(ys[members]) - np.mean(ys[members])) < 0.1
        page.evaluate("window.topicsMap.isolate(2)")
        wait_until(page, "document.getElementById('doc-map').dataset.labels === '1'")
        assert page.evaluate("window.topicsMap.labels()") == ["Theme 2 <b>"]
        page.evaluate("window.topicsMap.isolate(null)")
        page.select_option("#doc-map-model", "clusters")
        wait_until(page, "window.topicsMap.labels().length === 3")
        assert page.evaluate("window.topicsMap.labels()")[0].startswith("cluster")
        _clean(watch)


@pytest.mark.browser
def test_far_outliers_do_not_set_the_extent_and_fit_all_shows_them(
    tmp_path: Path, corpus: Any
) -> None:
    docs, coords, models = corpus
    far = {"x": list(coords["x"]), "y": list(coords["y"])}
    for i in (20, 21, 22):
        far["x"][i] = 40.0 + i  # three stray documents far to the right
    path = tmp_path / "far.html"
    path.write_text(build_map_page(docs, far, models), encoding="utf-8")
    with open_report(path) as (page, watch):
        page.wait_for_selector("#doc-map[data-drawn]")
        extent = page.evaluate("window.topicsMap.extent()")
        assert not extent["all"] and extent["maxX"] < 2
        # The bulk fills the canvas instead of a sliver of it.
        pts = np.array(
            page.evaluate(f"[...Array({N_DOCS}).keys()].map(i => window.topicsMap.projected(i))")
        )
        width = page.evaluate("document.getElementById('doc-map-canvas').clientWidth")
        bulk = np.delete(pts, [20, 21, 22], axis=0)
        assert np.ptp(bulk[:, 0]) > 0.5 * width or np.ptp(bulk[:, 1]) > 0.5 * 620
        button = page.locator("#doc-map-fit-all")
        assert button.is_visible() and "3 far out" in (button.text_content() or "")
        button.click()
        assert page.evaluate("window.topicsMap.extent().all")
        wait_until(page, f"document.getElementById('doc-map').dataset.drawn === '{N_DOCS}'")
        page.locator("#doc-map-reset").click()
        assert not page.evaluate("window.topicsMap.extent().all")
        _clean(watch)


@pytest.mark.browser
def test_click_on_stacked_points_lists_every_document_under_it(tmp_path: Path, corpus: Any) -> None:
    docs, coords, models = corpus
    stacked = {"x": list(coords["x"]), "y": list(coords["y"])}
    pile = [30, 31, 32, 33]
    for i in pile:  # near-duplicates drawn on one spot
        stacked["x"][i], stacked["y"][i] = stacked["x"][pile[0]], stacked["y"][pile[0]]
    path = tmp_path / "stacked.html"
    path.write_text(build_map_page(docs, stacked, models), encoding="utf-8")
    with open_report(path) as (page, watch):
        page.wait_for_selector("#doc-map[data-drawn]")
        page.locator("#doc-map").scroll_into_view_if_needed()
        under = page.evaluate(
            "(() => { const [x, y] = window.topicsMap.projected(30);"
            " return window.topicsMap.under(x, y); })()"
        )
        assert set(pile) <= set(under)
        page.mouse.click(*_canvas_point(page, 30))
        listing = page.locator("#doc-map-selection")
        listing.wait_for(state="visible")
        ids = [int(a.get_attribute("data-map-doc") or -1) for a in listing.locator("a").all()]
        assert ids == under
        assert page.evaluate("window.openedDocuments") == []  # a list, not one document
        listing.locator("a").nth(1).click()
        assert page.evaluate("window.openedDocuments") == [under[1]]
        _clean(watch)


@pytest.mark.parametrize(("n_docs", "lo", "hi"), [(300, 6, 8.01), (20_000, 2, 3)])
def test_points_are_sized_for_the_number_of_documents(
    tmp_path: Path, n_docs: int, lo: float, hi: float
) -> None:
    docs, coords, models = synthetic_corpus(n_docs=n_docs, with_text=False)
    path = tmp_path / "sized.html"
    path.write_text(build_map_page(docs, coords, models), encoding="utf-8")
    with open_report(path) as (page, watch):
        page.wait_for_selector("#doc-map[data-drawn]")
        assert lo <= page.evaluate("window.topicsMap.pointSize()") <= hi
        _clean(watch)


def _lab(hex_colours: list[str]) -> np.ndarray:
    """sRGB hex colours in CIELAB (D65)."""
    rgb = np.array([[int(h[i : i + 2], 16) for i in (1, 3, 5)] for h in hex_colours]) / 255.0
    rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    m = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = rgb @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


def test_palette_keeps_forty_topics_apart() -> None:
    """Regression: topics 0 and 14 were both blue (CIELAB distance 4.6)."""
    code = (TEMPLATES / "assets" / "map.js").read_text(encoding="utf-8")
    block = code.split("var PALETTE = [", 1)[1].split("]", 1)[0]
    palette = [s.strip().strip('"') for s in block.split(",") if s.strip()]
    outlier = code.split('var OUTLIER = "', 1)[1].split('"', 1)[0]
    assert len(palette) == 40 and len(set(palette)) == 40
    lab = _lab([*palette, outlier, "#ffffff"])
    dist = np.linalg.norm(lab[:, None] - lab[None], axis=2)
    np.fill_diagonal(dist, np.inf)
    assert dist[:40, :40].min() >= 25  # every pair of topics
    assert dist[:40, 40:].min() >= 25  # and each against the outlier grey and the background


def test_beyond_forty_topics_colours_follow_a_stated_scheme(tmp_path: Path) -> None:
    """Topics 40+ repeat the palette in a light tint, then a dark shade; the legend says so."""
    docs, coords, models = synthetic_corpus(n_docs=900, n_topics=90, with_text=False)
    path = tmp_path / "many.html"
    path.write_text(build_map_page(docs, coords, models), encoding="utf-8")
    with open_report(path) as (page, watch):
        page.wait_for_selector("#doc-map[data-drawn]")
        assert page.get_attribute("#doc-map", "data-colour-scheme") == "tiers"
        note = page.locator("#doc-map-legend .scheme").text_content() or ""
        assert "topics 40–79 repeat them in a light tint" in note
        assert "topics 80–89 in a dark shade" in note
        swatch = "#doc-map-legend button[data-topic='{}'] .swatch"
        colours = {
            t: page.evaluate(
                f"getComputedStyle(document.querySelector({swatch.format(t)!r})).backgroundColor"
            )
            for t in (0, 40, 80, 1)
        }
        assert len(set(colours.values())) == 4  # same hue, three tiers, and another topic
        _clean(watch)
    docs, coords, models = synthetic_corpus(n_docs=300, n_topics=40, with_text=False)
    path.write_text(build_map_page(docs, coords, models), encoding="utf-8")
    with open_report(path) as (page, watch):
        page.wait_for_selector("#doc-map[data-drawn]")
        assert page.get_attribute("#doc-map", "data-colour-scheme") == "distinct"
        assert page.locator("#doc-map-legend .scheme").count() == 0
        _clean(watch)


def write_page(folder: Path, html: str, sidecars: dict[str, str]) -> Path:
    """The page and its sidecar files, laid out as in a run folder."""
    for rel, text in sidecars.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    (folder / "index.html").write_text(html, encoding="utf-8")
    return folder / "index.html"


@pytest.mark.browser
def test_chunked_map_reads_titles_and_searches_sidecar_files(tmp_path: Path, corpus: Any) -> None:
    """Packed coordinates and documents in sidecar files: hover, search and lists still work."""
    docs = corpus[0]
    sidecars: dict[str, str] = {}
    html = build_map_page(*corpus, layout=DocsLayout(50, 40, 30), sidecars=sidecars)
    assert len(sidecars) == 8 + 10 and RARE_WORD not in html.lower()
    with open_report(write_page(tmp_path, html, sidecars)) as (page, watch):
        page.wait_for_selector("#doc-map[data-drawn]")
        assert page.locator("#doc-map").get_attribute("data-drawn") == str(N_DOCS)
        # The 16-bit coordinates land within a pixel of the exact ones.
        exact = np.array([corpus[1]["x"], [-y for y in corpus[1]["y"]]]).T  # y points up
        pts = np.array(
            page.evaluate(f"[...Array({N_DOCS}).keys()].map(i => window.topicsMap.projected(i))")
        )
        scale = np.ptp(pts, axis=0) / np.ptp(exact, axis=0)
        assert np.abs((exact - exact.min(axis=0)) * scale - (pts - pts.min(axis=0))).max() < 0.5
        # Hover: the title arrives from its file.
        doc_id = _isolated_doc(page, N_DOCS)
        page.mouse.move(*_canvas_point(page, doc_id))
        wait_until(page, f"document.getElementById('doc-map-tooltip').dataset.doc === '{doc_id}'")
        assert docs[doc_id]["title"] in page.locator("#doc-map-tooltip").inner_text()
        # Search reads every full file: the rare word is only in documents' text.
        page.evaluate(f"window.topicsMap.search({RARE_WORD!r})")
        wait_until(page, "document.getElementById('doc-map').dataset.searchDone === 'true'")
        assert page.evaluate("window.topicsMap.highlightedCount()") == N_RARE
        assert page.locator("#doc-map-count").text_content() == f"{N_RARE} matches"
        # A box around the hostile document lists its title, as text.
        x, y = page.evaluate(f"window.topicsMap.projected({HOSTILE_ID})")
        page.evaluate("window.topicsMap.search('')")
        page.evaluate(f"window.topicsMap.select({x - 1}, {y - 1}, {x + 1}, {y + 1})")
        link = page.locator(f'#doc-map-selection a[data-map-doc="{HOSTILE_ID}"]')
        link.wait_for()
        assert link.text_content() == HOSTILE_TITLE
        assert page.locator("#doc-map img, #doc-map-selection script").count() == 0
        _clean(watch)
