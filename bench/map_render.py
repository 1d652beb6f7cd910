"""Document map at 10k to 1M documents in headless Chromium: page size, time to first draw.

The page is built as tests/report/test_map_js.py builds it (the map partial, the JSON data,
dom.js and docs.js, a report stub and the map's scripts) from synthetic documents with
~150-character snippets and ~400 characters of text each. Two ways of shipping the documents:

- ``before``: every document inline as a JSON object, coordinates as JSON lists (the
  report up to issue 12; only up to 100k documents: beyond, the page is hundreds of MB);
- ``report``: as the report ships them now (``topics.report.payload``): inline up to
  5,000 documents, above that packed columns in index.html and the words in
  ``docs/*.js`` files beside it, loaded on demand.

Per size and layout, three fresh page loads; medians are reported.

    python bench/map_render.py [--sizes 10000 100000 1000000] [--layouts before report]

Measured per load:
- first_draw_ms: ``performance.now()`` when the first frame was on the canvas (from
  navigation start: file read, HTML and JSON parse, map set-up, first draw);
- script_start_ms: when the map's scripts started, at map.js's first line (the browser's
  share: HTML, JSON, report stub);
- setup_ms: the map's scripts from map.js's first line to the first frame (copy, grid,
  colours, draw);
- draw_ms: the map's own time for that first frame;
- pan_frame_ms: median time of 30 full redraws after a pan by 7 px (what each drag frame costs);
- zoomed_frame_ms: the same at 8x zoom (bigger marks, most culled);
- hover_us: mean of 2000 hit tests at random canvas positions;
- search_ms: one search over every title and text, to the end (a chunked report reads
  every ``docs/full-*.js`` file; its text is then kept for the next search);
- search_again_ms: a second search (text already in memory);
- open_doc_ms: everything the reader needs of one document far from the first (its
  light and full chunks) in memory;
- heap_mb: the page's JavaScript heap after those searches.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser import open_report  # noqa: E402
from tests.report.test_map_js import build_map_page, write_page  # noqa: E402
from topics.report.payload import DocsLayout  # noqa: E402

OUT = REPO / "bench" / "out" / "map_render.json"
VOCABULARY = (
    "market growth shares profit bank rate economy election minister party vote film music "
    "award actor festival match team league goal coach player season software phone network "
    "data users internet mobile launch device chip"
)


def synthetic(
    n_docs: int, n_topics: int = 20, seed: int = 0
) -> tuple[list[dict[str, Any]], dict, dict]:
    """Documents in ``n_topics`` blobs; a second model with 30 clusters and 15% outliers."""
    import numpy as np

    rng = np.random.default_rng(seed)
    words = VOCABULARY.split()
    centres = rng.uniform(0.1, 0.9, size=(n_topics, 2))
    topic = rng.integers(n_topics, size=n_docs)
    xy = centres[topic] + rng.normal(0, 0.045, size=(n_docs, 2))
    xy = (xy - xy.min(axis=0)) / (xy.max(axis=0) - xy.min(axis=0))
    clusters = np.minimum((xy[:, 0] * 6).astype(int), 5) * 5 + np.minimum(
        (xy[:, 1] * 5).astype(int), 4
    )
    clusters[rng.random(n_docs) < 0.15] = -1
    word_idx = rng.integers(len(words), size=(n_docs, 60))
    docs = []
    for i in range(n_docs):
        text = " ".join(words[j] for j in word_idx[i])
        snippet = text[:150]
        docs.append(
            {
                "id": i,
                "title": f"doc_{i:06d}.txt",
                "path": f"corpus/doc_{i:06d}.txt",
                "snippet": snippet,
                "text": text,
                "label": f"label{topic[i] % 5}",
                "lda_topic": int(topic[i]),
                "lda_weight": round(float(rng.uniform(0.3, 1)), 3),
                "clusters_topic": int(clusters[i]),
                "clusters_weight": round(float(rng.uniform(0.3, 1)), 3),
            }
        )
    models = {
        "lda": {
            "title": "LDA",
            "topics": [
                {"id": t, "words": [f"w{t}_{k}" for k in range(10)]} for t in range(n_topics)
            ],
        },
        "clusters": {
            "title": "Embedding clusters",
            "topics": [{"id": c, "words": [f"c{c}_{k}" for k in range(10)]} for c in range(30)],
        },
    }
    # Four decimals: 1e-4 of the map's width, below a pixel until ~10x zoom on a 1k-px map.
    coords = {
        "x": [round(float(v), 4) for v in xy[:, 0]],
        "y": [round(float(v), 4) for v in xy[:, 1]],
    }
    return docs, coords, models


MEASURE = """async () => {
  const m = window.topicsMap, root = document.getElementById('doc-map');
  const store = window.topicsStore;
  const searched = async (q) => {
    const t0 = performance.now();
    m.search(q);
    while (root.dataset.searchDone !== 'true') { await new Promise(r => setTimeout(r, 5)); }
    return [performance.now() - t0, m.highlightedCount()];
  };
  const med = a => { a = a.slice().sort((p, q) => p - q); return a[Math.floor(a.length / 2)]; };
  const frames = () => {
    const t = [];
    for (let i = 0; i < 30; i++) { m.pan(7, 3); t.push(m.redraw()); }
    return med(t);
  };
  const out = {
    first_draw_ms: Number(root.dataset.firstDrawMs),
    draw_ms: Number(root.dataset.drawMs),
    setup_ms: Number(root.dataset.setupMs),
    script_start_ms: Number(root.dataset.firstDrawMs) - Number(root.dataset.setupMs),
    drawn: Number(root.dataset.drawn),
  };
  out.pan_frame_ms = frames();
  m.resetView(); m.zoom(8); m.redraw();
  out.zoomed_frame_ms = frames();
  m.resetView(); m.redraw();
  const c = document.getElementById('doc-map-canvas');
  let seed = 1; const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  // performance.now() is coarse here: time 2000 hit tests together.
  let t0 = performance.now();
  for (let i = 0; i < 2000; i++) { m.hit(rnd() * c.clientWidth, rnd() * c.clientHeight); }
  out.hover_us = (performance.now() - t0) / 2000 * 1000;
  const far = store.n - 7;
  t0 = performance.now();
  await new Promise(r => store.withDocs([far], ['light', 'full'], r));
  out.open_doc_ms = performance.now() - t0;
  [out.search_ms, out.search_hits] = await searched('festival match');
  [out.search_again_ms] = await searched('network');
  m.search('');
  out.heap_mb = performance.memory ? performance.memory.usedJSHeapSize / 1e6 : null;
  return out;
}"""


def measure(n_docs: int, layout: str, repeats: int, folder: Path) -> dict[str, Any]:
    docs, coords, models = synthetic(n_docs)
    expected_hits = sum("festival match" in d["title"] + "\n" + d["text"] for d in docs)
    t0 = time.perf_counter()
    sidecars: dict[str, str] = {}
    shipped = DocsLayout() if layout == "report" else None
    html = build_map_page(docs, coords, models, layout=shipped, sidecars=sidecars)
    build_s = time.perf_counter() - t0
    del docs
    target = folder / f"map_{n_docs}_{layout}"
    target.mkdir()
    path = write_page(target, html, sidecars)
    sidecar_bytes = sum(p.stat().st_size for p in target.rglob("*.js"))
    runs = []
    for _ in range(repeats):
        with open_report(path) as (page, watch):
            page.wait_for_selector("#doc-map[data-drawn]", timeout=60_000)
            run = page.evaluate(MEASURE)
            assert run["drawn"] == n_docs, run
            assert run["search_hits"] == expected_hits, (run, expected_hits)
            assert not (watch.console_errors or watch.page_errors or watch.network), watch
            runs.append(run)
    keys = [k for k in runs[0] if k not in ("drawn", "search_hits")]
    return {
        "n_docs": n_docs,
        "layout": layout,
        "html_bytes": path.stat().st_size,
        "sidecar_bytes": sidecar_bytes,
        "sidecar_files": len(sidecars),
        "build_page_s": round(build_s, 2),
        **{k: round(statistics.median(r[k] for r in runs), 2) for k in keys},
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--layouts", nargs="+", default=["before", "report"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    results = []
    with TemporaryDirectory() as tmp:
        for n in args.sizes:
            for layout in args.layouts:
                if layout == "before" and n > 100_000:
                    continue  # hundreds of MB of HTML: the reason for the new layout
                print(f"{n:,} documents, {layout}…", file=sys.stderr)
                results.append(measure(n, layout, args.repeats, Path(tmp)))
    cols = [
        ("n_docs", "docs", "{:>9,}"),
        ("layout", "layout", "{:>7}"),
        ("html_bytes", "HTML MB", "{:>8.2f}"),
        ("sidecar_bytes", "docs/ MB", "{:>8.1f}"),
        ("first_draw_ms", "1st draw ms", "{:>11.0f}"),
        ("script_start_ms", "js start ms", "{:>11.0f}"),
        ("setup_ms", "setup ms", "{:>8.1f}"),
        ("draw_ms", "draw ms", "{:>8.1f}"),
        ("pan_frame_ms", "pan frame", "{:>9.1f}"),
        ("zoomed_frame_ms", "zoom8 frame", "{:>11.1f}"),
        ("hover_us", "hover µs", "{:>8.1f}"),
        ("search_ms", "search ms", "{:>9.0f}"),
        ("search_again_ms", "again ms", "{:>8.0f}"),
        ("open_doc_ms", "open ms", "{:>7.1f}"),
        ("heap_mb", "heap MB", "{:>7.0f}"),
    ]
    print("  ".join(f"{title:>{len(fmt.format(0))}}" for _, title, fmt in cols))
    for r in results:
        row = []
        for key, _, fmt in cols:
            value = r[key] / 1e6 if key in ("html_bytes", "sidecar_bytes") else r[key]
            row.append(fmt.format(value if value is not None else float("nan")))
        print("  ".join(row))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps({"repeats": args.repeats, "results": results}, indent=2), encoding="utf-8"
    )
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
