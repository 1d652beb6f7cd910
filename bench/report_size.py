"""The whole report page at 10x-100x a fitted corpus: index.html size and first draw.

Fitting 100k documents takes hours on the shared 2-core box, so this bench fits (or
reads from the run cache) one real corpus and tiles its documents: copy ``k`` of each
document, its map point jittered, renders the report exactly as ``topics report``
writes it (``write_report_files``'s render path: index.html plus ``docs/*.js``) and
opens it in headless Chromium. Models, panels and tables stay those of the real run, so
the page's fixed part is real and its per-document part grows with the tiling.

    python bench/report_size.py CORPUS_FOLDER [--cache DIR] [--tiles 1 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.browser import open_report  # noqa: E402
from topics.pipeline import RunSettings, run_pipeline  # noqa: E402
from topics.report.data import build_report_data  # noqa: E402
from topics.report.ldavis import ldavis_panel  # noqa: E402
from topics.report.render import render_html  # noqa: E402

OUT = REPO / "bench" / "out" / "report_size.json"


def tiled(data: dict[str, Any], k: int, seed: int = 0) -> dict[str, Any]:
    """``data`` with every document ``k`` times (new ids, jittered map points)."""
    rng = np.random.default_rng(seed)
    docs = data["documents"]
    n = len(docs)
    out_docs = []
    for copy in range(k):
        for d in docs:
            row = dict(d)
            row["id"] = copy * n + d["id"]
            row["similar"] = [copy * n + j for j in d["similar"]]
            out_docs.append(row)
    result = dict(data, documents=out_docs)
    if data.get("map"):
        x = np.tile(np.asarray(data["map"]["x"], dtype=float), k)
        y = np.tile(np.asarray(data["map"]["y"], dtype=float), k)
        spread = 0.01 * (np.nanmax(x) - np.nanmin(x))
        x += rng.normal(0, spread, size=x.shape) * (np.arange(x.size) >= n)
        y += rng.normal(0, spread, size=y.shape) * (np.arange(y.size) >= n)
        result["map"] = {"x": x.round(4).tolist(), "y": y.round(4).tolist()}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cache", type=Path, help="a run cache folder (name/.cache)")
    parser.add_argument("--tiles", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    cache = None
    if args.cache:
        from topics.store.cache import RunCache

        cache = RunCache(args.cache)
    t0 = time.perf_counter()
    run = run_pipeline(args.corpus, RunSettings(), cache=cache)
    print(f"pipeline {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    data = build_report_data(run, run_id="bench")
    panels = {name: ldavis_panel(model, run.pre.tokens) for name, model in run.models.items()}
    rows = []
    with TemporaryDirectory() as tmp:
        for k in args.tiles:
            folder = Path(tmp) / f"x{k}"
            folder.mkdir()
            sidecars: dict[str, str] = {}
            t0 = time.perf_counter()
            html = render_html(tiled(data, k), panels, sidecars=sidecars)
            render_s = time.perf_counter() - t0
            for rel, text in sidecars.items():
                (folder / rel).parent.mkdir(parents=True, exist_ok=True)
                (folder / rel).write_text(text, encoding="utf-8")
            index = folder / "index.html"
            index.write_text(html, encoding="utf-8")
            draws = []
            for _ in range(2):
                with open_report(index) as (page, watch):
                    page.wait_for_selector("#doc-map[data-drawn]", timeout=120_000)
                    draws.append(
                        page.evaluate(
                            "Number(document.getElementById('doc-map').dataset.firstDrawMs)"
                        )
                    )
                    assert not (watch.console_errors or watch.page_errors or watch.network), watch
            rows.append(
                {
                    "documents": len(data["documents"]) * k,
                    "index_html_mb": round(index.stat().st_size / 1e6, 2),
                    "docs_mb": round(sum(len(t.encode()) for t in sidecars.values()) / 1e6, 1),
                    "files": len(sidecars),
                    "render_s": round(render_s, 1),
                    "first_draw_ms": round(float(np.median(draws))),
                }
            )
            print(rows[-1], file=sys.stderr)
    heads = [("documents", 10), ("index MB", 9), ("docs/ MB", 9), ("files", 6)]
    heads += [("render s", 9), ("1st draw", 9)]
    print(" ".join(f"{h:>{w}}" for h, w in heads))
    for r in rows:
        print(
            f"{r['documents']:>10,} {r['index_html_mb']:>9.2f} {r['docs_mb']:>9.1f} "
            f"{r['files']:>6} {r['render_s']:>9.1f} {r['first_draw_ms']:>6} ms"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"rows": rows}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
