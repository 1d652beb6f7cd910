"""Document map at 10k and 100k documents in headless Chromium: page size, time to first draw.

The page is built as tests/test_map_js.py builds it (the map partial, the JSON data, a
report stub and map.js), with ~150-character snippets and no full text, the shape the
report will ship. Per size, three fresh page loads; medians are reported.

    python bench/map_render.py [--sizes 10000 100000] [--repeats 3]

Measured per load:
- first_draw_ms: ``performance.now()`` when the first frame was on the canvas (from
  navigation start: file read, HTML and JSON parse, map set-up, first draw);
- script_start_ms: when map.js started (the browser's share: HTML, JSON, report stub);
- setup_ms: map.js from its first line to the first frame (copy, grid, colours, draw);
- draw_ms: map.js's own time for that first frame;
- pan_frame_ms: median time of 30 full redraws after a pan by 7 px (what each drag frame costs);
- zoomed_frame_ms: the same at 8x zoom (bigger marks, most culled);
- hover_us: mean of 2000 hit tests at random canvas positions;
- search_ms: one search over every title and snippet (haystack built on first use).
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
from tests.test_map_js import build_map_page  # noqa: E402

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
    word_idx = rng.integers(len(words), size=(n_docs, 30))
    docs = []
    for i in range(n_docs):
        snippet = " ".join(words[j] for j in word_idx[i])[:150]
        docs.append(
            {
                "id": i,
                "title": f"doc_{i:06d}.txt",
                "path": f"corpus/doc_{i:06d}.txt",
                "snippet": snippet,
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
  t0 = performance.now(); m.search('festival match'); out.search_ms = performance.now() - t0;
  t0 = performance.now(); m.search('network'); out.search_again_ms = performance.now() - t0;
  return out;
}"""


def measure(n_docs: int, repeats: int, folder: Path) -> dict[str, Any]:
    t0 = time.perf_counter()
    html = build_map_page(*synthetic(n_docs))
    build_s = time.perf_counter() - t0
    path = folder / f"map_{n_docs}.html"
    path.write_text(html, encoding="utf-8")
    runs = []
    for _ in range(repeats):
        with open_report(path) as (page, watch):
            page.wait_for_selector("#doc-map[data-drawn]", timeout=60_000)
            run = page.evaluate(MEASURE)
            assert run["drawn"] == n_docs, run
            assert not (watch.console_errors or watch.page_errors or watch.network), watch
            runs.append(run)
    keys = [k for k in runs[0] if k != "drawn"]
    return {
        "n_docs": n_docs,
        "html_bytes": path.stat().st_size,
        "build_page_s": round(build_s, 2),
        **{k: round(statistics.median(r[k] for r in runs), 2) for k in keys},
        "runs": runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with TemporaryDirectory() as tmp:
        results = [measure(n, args.repeats, Path(tmp)) for n in args.sizes]
    cols = [
        ("n_docs", "docs", "{:>8,}"),
        ("html_bytes", "HTML MB", "{:>8.2f}"),
        ("first_draw_ms", "1st draw ms", "{:>11.0f}"),
        ("script_start_ms", "js start ms", "{:>11.0f}"),
        ("setup_ms", "setup ms", "{:>8.1f}"),
        ("draw_ms", "draw ms", "{:>8.1f}"),
        ("pan_frame_ms", "pan frame", "{:>9.1f}"),
        ("zoomed_frame_ms", "zoom8 frame", "{:>11.1f}"),
        ("hover_us", "hover µs", "{:>8.1f}"),
        ("search_ms", "search ms", "{:>9.1f}"),
    ]
    print("  ".join(f"{title:>{len(fmt.format(0))}}" for _, title, fmt in cols))
    for r in results:
        row = []
        for key, _, fmt in cols:
            value = r[key] / 1e6 if key == "html_bytes" else r[key]
            row.append(fmt.format(value))
        print("  ".join(row))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps({"repeats": args.repeats, "results": results}, indent=2), encoding="utf-8"
    )
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
