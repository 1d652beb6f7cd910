"""The sample report in real headless Chromium, network blocked."""

from __future__ import annotations

import pytest

from tests.browser import heading_visible_js, open_report, wait_until
from tests.conftest import SampleReport

pytestmark = pytest.mark.browser


def test_report_loads_clean_and_ldavis_works(sample_report: SampleReport) -> None:
    n_topics = sample_report.topics["models"]["lda"]["n_topics"]  # type: ignore[index]
    with open_report(sample_report.index_html) as (page, watch):
        page.wait_for_selector("#ldavis-lda svg circle.dot")
        circles = page.locator("#ldavis-lda svg circle.dot")
        assert circles.count() == n_topics
        # Panel ids equal the model's 0-based ids.
        ids = sorted(circles.evaluate_all("cs => cs.map(c => c.id)"))
        assert ids == sorted(f"ldavis-lda-topic{t}" for t in range(n_topics))

        def bar_terms() -> list[str]:
            return page.locator("#ldavis-lda svg text.terms").all_text_contents()

        before = bar_terms()
        page.locator("#ldavis-lda-topic2").click(force=True)
        page.wait_for_timeout(1200)  # LDAvis animates the bars for 750 ms
        after = bar_terms()
        assert after and after != before
        words = sample_report.topics["models"]["lda"]["topics"][2]["words"][:5]  # type: ignore[index]
        assert len(set(words) & set(after)) >= 3
    assert watch.console_errors == []
    assert watch.page_errors == []
    assert watch.dialogs == []
    assert watch.network == []


@pytest.mark.parametrize("topic", [0, 2])
def test_ldavis_selects_topic_zero_and_sizes_circles_by_term(
    sample_report: SampleReport, topic: int
) -> None:
    """Regression: LDAvis took 0 as "no topic" and resized circle t-1 on term hover."""
    with open_report(sample_report.index_html) as (page, watch):
        page.wait_for_selector("#ldavis-lda svg circle.dot")
        page.locator(f"#ldavis-lda-topic{topic}").click(force=True)
        page.wait_for_timeout(900)
        assert page.input_value("#ldavis-lda-topic") == str(topic)
        term = page.locator("#ldavis-lda svg text.terms").first
        word = term.text_content()
        term.dispatch_event("mouseover")
        page.wait_for_timeout(900)
        guide = page.text_content("#ldavis-lda .circleGuideTitle") or ""
        assert word in guide
        radii = page.locator("#ldavis-lda svg circle.dot").evaluate_all(
            "cs => cs.map(c => [c.id, parseFloat(c.getAttribute('r'))])"
        )
        # The circle drawn biggest is the topic where the panel's data puts most of the term.
        table = page.evaluate("window.topicsReport.data.panels.lda['token.table']")
        rows = [i for i, t in enumerate(table["Term"]) if t == word]
        expected = max(rows, key=lambda i: table["Freq"][i])
        biggest = max(radii, key=lambda pair: pair[1])[0]
        assert biggest == f"ldavis-lda-topic{table['Topic'][expected]}"
        links = page.evaluate(
            "Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href') ||"
            " a.getAttribute('xlink:href') || '')"
        )
        assert not [u for u in links if u.startswith(("http:", "https:", "//"))]
    assert watch.console_errors == [] and watch.page_errors == [] and watch.network == []


def test_topic_drill_down_and_document_viewer(sample_report: SampleReport) -> None:
    topic = sample_report.topics["models"]["lda"]["topics"][0]  # type: ignore[index]
    with open_report(sample_report.index_html) as (page, watch):
        page.click("button[data-action=topic-docs][data-model=lda][data-topic='0']")
        items = page.locator("#drill-lda ol li")
        assert items.count() == min(topic["size"], 500)
        items.first.locator("a").click()
        viewer = page.locator("#doc-viewer")
        assert viewer.is_visible()
        assert len(page.locator("#doc-viewer-text").text_content() or "") > 100
        page.click("[data-action=close-viewer]")
        assert not viewer.is_visible()
    assert watch.console_errors == [] and watch.page_errors == [] and watch.dialogs == []


def test_hostile_sample_text_is_shown_literally(sample_report: SampleReport) -> None:
    with open_report(sample_report.index_html) as (page, watch):
        page.fill("#doc-search", "alert(1)")
        page.wait_for_timeout(200)
        rows = page.locator("#doc-rows tr")
        assert rows.count() >= 2
        page.locator("#doc-rows tr a").first.click()
        text = page.locator("#doc-viewer-text").text_content() or ""
        assert "alert(1)" in text
        assert "<" in text  # markup shown as characters, not parsed
        for i in range(rows.count()):
            page.keyboard.press("Escape")
            rows.nth(i).locator("a").click()
            body = page.locator("#doc-viewer-text").text_content() or ""
            if "{{ 7*7 }}" in body:
                assert "<img src=x onerror=alert(1)>" in body
                break
        else:
            pytest.fail("the document with {{ 7*7 }} was not found by search")
        assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert watch.dialogs == []
    assert watch.console_errors == [] and watch.page_errors == []


def test_map_draws_every_document_and_opens_one(sample_report: SampleReport) -> None:
    n_docs = sample_report.topics["corpus"]["n_documents"]  # type: ignore[index]
    with open_report(sample_report.index_html) as (page, watch):
        page.wait_for_selector("#doc-map[data-drawn]")
        assert page.get_attribute("#doc-map", "data-drawn") == str(n_docs)
        page.locator("#map").scroll_into_view_if_needed()
        x, y = page.evaluate("window.topicsMap.projected(0)")
        box = page.locator("#doc-map-canvas").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + x, box["y"] + y)
        page.wait_for_timeout(100)
        assert (page.locator("#doc-map-tooltip").text_content() or "").strip()
        page.mouse.click(box["x"] + x, box["y"] + y)
        stacked = page.evaluate(f"window.topicsMap.under({x}, {y})")
        if len(stacked) > 1:  # near-duplicates under the cursor: a list of them all
            listing = page.locator("#doc-map-selection a")
            assert [int(a.get_attribute("data-map-doc") or -1) for a in listing.all()] == stacked
            listing.first.click()
        assert page.locator("#doc-viewer").is_visible()
        # Topic names are drawn on the map, one per topic of the model shown.
        names = [t["name"] for t in sample_report.topics["models"]["lda"]["topics"]]  # type: ignore[index]
        labels = page.evaluate("window.topicsMap.labels()")
        assert labels and set(labels) <= set(names)
    assert watch.console_errors == [] and watch.page_errors == [] and watch.dialogs == []


def test_alignment_cell_lists_its_documents(sample_report: SampleReport) -> None:
    with open_report(sample_report.index_html) as (page, watch):
        cells = page.locator("td[data-action=pair-docs]")
        index = next(i for i, t in enumerate(cells.all_text_contents()) if t.strip())
        expected = int(cells.nth(index).text_content() or "0")
        cells.nth(index).click()
        assert page.locator("#drill-compare ol li").count() == expected
    assert watch.console_errors == [] and watch.page_errors == []


def test_documents_table_filters(sample_report: SampleReport) -> None:
    n_docs = sample_report.topics["corpus"]["n_documents"]  # type: ignore[index]
    with open_report(sample_report.index_html) as (page, _):
        count = page.locator("#doc-count")
        assert count.text_content() == f"{n_docs:,} of {n_docs:,} documents"
        page.select_option("#doc-label", "football")
        filtered = int((count.text_content() or "").split()[0].replace(",", ""))
        assert 0 < filtered < n_docs
        assert page.locator("#doc-rows tr").count() == min(filtered, 100)


@pytest.mark.parametrize("width", [1400, 420])
def test_headings_visible_after_every_nav_jump(sample_report: SampleReport, width: int) -> None:
    with open_report(sample_report.index_html) as (page, watch):
        page.set_viewport_size({"width": width, "height": 800})
        targets = page.evaluate(
            "Array.from(document.querySelectorAll('header.top nav a[href^=\"#\"]'))"
            ".map(a => a.getAttribute('href').slice(1))"
        )
        assert {"overview", "map", "documents", "settings"} <= set(targets)
        # Last first: every jump must move the page, and the last sections are short.
        for target in reversed(targets):
            page.click(f"header.top nav a[href='#{target}']")
            wait_until(page, heading_visible_js(target))
    assert watch.console_errors == [] and watch.page_errors == []


def test_no_horizontal_overflow_on_a_phone(sample_report: SampleReport) -> None:
    with open_report(sample_report.index_html) as (page, watch):
        page.set_viewport_size({"width": 420, "height": 900})
        page.wait_for_selector("#ldavis-lda svg circle.dot")
        assert page.evaluate("document.documentElement.scrollWidth") <= 420
        # The navigation stays one compact line; wide content scrolls in its own box.
        assert page.evaluate("document.querySelector('header.top').offsetHeight") < 60
        assert page.evaluate(
            "(() => { const t = document.querySelector('table.topics');"
            " return t.scrollWidth > t.clientWidth"
            " && getComputedStyle(t).overflowX === 'auto'; })()"
        )
        # Open every collapsed block and the reader: still no sideways scrolling.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        assert page.evaluate("document.documentElement.scrollWidth") <= 420
    assert watch.console_errors == [] and watch.page_errors == []


def test_reader_shows_topic_mix_highlights_and_similar_documents(
    sample_report: SampleReport,
) -> None:
    with open_report(sample_report.index_html) as (page, watch):
        page.fill("#doc-search", "telescope")
        page.wait_for_timeout(200)
        page.locator("#doc-rows tr a").first.click()
        doc = page.evaluate(
            "window.topicsReport.data.documents.find(d => d.title === "
            "document.getElementById('doc-viewer-title').textContent)"
        )
        # A bar and a named topic for each of the biggest topics in both models.
        for model in ("lda", "clusters"):
            shown = page.locator(f"#doc-viewer-mix [data-model={model}] .mix-topic")
            assert shown.count() == len(doc[f"{model}_mix"]) >= 1
            names = shown.locator(".mix-name").all_text_contents()
            expected = [
                page.evaluate(f"window.topicsReport.topicName({model!r}, {t})")
                for t, _ in doc[f"{model}_mix"]
            ]
            assert names == expected
        # Words of its main topics and the search term are marked in the text.
        words = page.evaluate(
            "(d => ['lda', 'clusters'].flatMap(m => window.topicsReport.data.models[m]"
            ".topics[d[m + '_topic']].words.slice(0, 10)))",
            doc,
        )
        marked = page.locator("#doc-viewer-text mark.hl-topic").all_text_contents()
        assert marked
        assert all(any(m.lower().startswith(w.replace("_", " ")) for w in words) for m in marked)
        searched = page.locator("#doc-viewer-text mark.hl-search").all_text_contents()
        assert searched and all(s.lower() == "telescope" for s in searched)
        # The text is unchanged by the marking.
        text = page.locator("#doc-viewer-text").text_content()
        assert text is not None and text.startswith(doc["text"][:200])
        # Similar documents: five links that open in the same reader.
        similar = page.locator("#doc-viewer-similar li a")
        assert similar.count() == 5
        title = similar.first.text_content()
        similar.first.click()
        assert page.locator("#doc-viewer-title").text_content() == title
    assert watch.console_errors == [] and watch.page_errors == []


@pytest.mark.parametrize("fragment", ["a&b", "topic=&lambda&term", "x=1&y=2&z=3&w"])
def test_a_fragment_with_an_ampersand_throws_nothing(
    sample_report: SampleReport, fragment: str
) -> None:
    """LDAvis read any fragment holding "&" as its state and threw on the rest."""
    with open_report(sample_report.index_html) as (page, watch):
        page.evaluate(f"window.location.hash = {fragment!r}")
        page.reload()
        page.wait_for_selector("#ldavis-lda svg circle.dot")
        assert page.evaluate("window.location.hash") == f"#{fragment}"
        assert page.input_value("#ldavis-lda-topic") == "-1"  # nothing selected
    assert watch.page_errors == []
    assert watch.console_errors == []


def test_an_ldavis_state_fragment_still_selects_its_topic(sample_report: SampleReport) -> None:
    with open_report(sample_report.index_html) as (page, watch):
        page.evaluate("window.location.hash = 'topic=2&lambda=0.6&term='")
        page.reload()
        page.wait_for_selector("#ldavis-lda svg circle.dot")
        assert page.input_value("#ldavis-lda-topic") == "2"
        assert page.input_value("#ldavis-lda-lambda") == "0.6"
    assert watch.page_errors == []
