"""The default command at 10k / 100k / 1M documents: time per stage, peak RSS, report size.

Usage::

    python bench/scale.py                          # 10k and 100k documents
    python bench/scale.py --sizes 10000 100000 1000000
    python bench/scale.py --sizes 10000 --args --n-topics 20
    python bench/scale.py --sizes 10000 --executor both   # one machine vs --dask local

Builds each corpus from real text in ``../shared/corpora`` (never copied into the repo):
BBC articles, 20 Newsgroups posts (headers stripped), State of the Union paragraphs and
tweets. Up to the ~42k original documents a corpus is a seeded sample of whole
documents; beyond that, each further document joins two or three paragraphs drawn from
documents of the same source and label, so every document is real text on one subject
and no document is a copy of another (ingest would drop exact copies as duplicates).
Corpora are written as JSONL shards of 10,000 documents.

Each size runs ``topics report FOLDER`` — the default command, in a fresh process, with
cold caches — while a sampler sums the resident memory of the whole process tree every
0.2 s. Then the report opens in headless Chromium, and the time to the map's first
frame is read off the page. The cost slope is the least-squares slope of log(total
seconds) on log(documents) over the sizes run.

``--executor dask`` runs ``topics report FOLDER --dask local`` (a LocalCluster of one
worker process per core); ``both`` runs each size both ways and prints how far the
cluster's topics are from the one machine's: each model's topics matched one-to-one
(Hungarian algorithm) by the cosine of their top-30 word weights in ``topics.json``, and
the difference in mean NPMI, against the documented tolerance in ``topics.executor``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# TOPICS_CORPORA: where the shared corpora are when the checkout is not beside them.
CORPORA = Path(os.environ.get("TOPICS_CORPORA", REPO.parent / "shared" / "corpora"))
OUT = REPO / "bench" / "out"
SOURCES = {
    "bbc": "bbc_news_fulltext",
    "20ng": "20newsgroups_bydate",
    "sotu": "state_of_the_union",
    "tweets": "trump_tweets_2009_2017",
}
SHARD = 10_000
PAGE_SIZE = 4096


def _strip_header(text: str) -> str:
    text = text.replace("\r\n", "\n")
    _, blank, body = text.partition("\n\n")
    return body if blank else text


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if len(p.split()) >= 12]


def load_pool() -> tuple[list[dict[str, Any]], dict[tuple[str, str], list[str]]]:
    """Whole documents, and paragraphs grouped by (source, label)."""
    documents: list[dict[str, Any]] = []
    paragraphs: dict[tuple[str, str], list[str]] = defaultdict(list)
    for source, folder in SOURCES.items():
        path = CORPORA / folder / "docs.jsonl.gz"
        if not path.is_file():
            raise SystemExit(
                f"bench: {path} not found; the shared corpora live in ../shared/corpora"
            )
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                text = _strip_header(row["text"]) if source == "20ng" else row["text"]
                label = row.get("label") or source
                if source == "sotu":
                    # Speeches are far longer than the rest: each paragraph is a document.
                    for para in _paragraphs(text):
                        documents.append({"text": para, "label": "sotu", "date": row["date"]})
                        paragraphs[(source, "sotu")].append(para)
                    continue
                documents.append({"text": text, "label": label, "date": row.get("date")})
                if source == "tweets":
                    paragraphs[(source, label)].append(text)
                else:
                    paragraphs[(source, label)].extend(_paragraphs(text))
    return documents, {k: v for k, v in paragraphs.items() if len(v) >= 3}


def build_corpus(n_docs: int, folder: Path, seed: int = 0) -> int:
    """Write ``n_docs`` documents of real text as JSONL shards under ``folder``."""
    rng = random.Random(seed)
    documents, paragraphs = load_pool()
    rng.shuffle(documents)
    groups = sorted(paragraphs)
    weights = [len(paragraphs[g]) for g in groups]
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, n_docs, SHARD):
        with open(folder / f"part-{start // SHARD:04d}.jsonl", "w", encoding="utf-8") as shard:
            for i in range(start, min(start + SHARD, n_docs)):
                if i < len(documents):
                    row = documents[i]
                else:
                    source, label = rng.choices(groups, weights)[0]
                    parts = rng.sample(paragraphs[(source, label)], k=rng.choice((2, 3)))
                    row = {"text": "\n\n".join(parts), "label": label, "date": None}
                shard.write(json.dumps(row, ensure_ascii=False) + "\n")
    return n_docs


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and every descendant (from /proc)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * PAGE_SIZE
    total, stack = 0, [root]
    children: dict[int, list[int]] = defaultdict(list)
    for pid, ppid in parents.items():
        children[ppid].append(pid)
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def timed(cmd: list[str], env: dict[str, str], cwd: Path | None = None) -> dict[str, Any]:
    """Run ``cmd``; wall seconds, CPU seconds of its process tree, peak tree RSS, stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(
            f"bench: {' '.join(cmd[:4])} failed ({proc.returncode}): {stderr.decode()[-2000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "peak_rss_mb": round(peak / 2**20),
        "stdout": stdout.decode(),
    }


def run_report(folder: Path, out: Path, extra: list[str]) -> dict[str, Any]:
    """``topics report`` in a fresh process; wall time and peak RSS of its process tree."""
    env = dict(os.environ, TOPICS_CACHE_DIR=str(out / "cache"))
    cmd = [sys.executable, "-m", "topics", "report", str(folder), "-o", str(out), "-q", *extra]
    run = timed(cmd, env)
    index = Path(run["stdout"].strip().splitlines()[-1])
    manifest = json.loads((index.parent / "manifest.json").read_text(encoding="utf-8"))
    page_bytes = sum(p.stat().st_size for p in index.parent.rglob("*") if p.is_file())
    return {
        "wall_s": run["wall_s"],
        "cpu_s": run["cpu_s"],
        "peak_rss_mb": run["peak_rss_mb"],
        "stages": manifest.get("stage_seconds", {}),
        "documents": manifest.get("counts", {}).get("n_documents"),
        "index_html_mb": round(index.stat().st_size / 1e6, 2),
        "run_folder_mb": round(page_bytes / 1e6, 2),
        "executor": manifest.get("executor"),
        "index": str(index),
    }


def agreement(local_index: str, dask_index: str) -> dict[str, dict[str, float]]:
    """Per model: matched top-word cosine (min, mean) and the NPMI gap of two runs."""
    sys.path.insert(0, str(REPO))
    from topics.executor import matched_cosines

    def load(index: str) -> dict[str, Any]:
        path = Path(index).parent / "topics.json"
        return dict(json.loads(path.read_text(encoding="utf-8"))["models"])

    one, other = load(local_index), load(dask_index)
    out = {}
    for name in sorted(set(one) & set(other)):
        words = sorted({w for m in (one, other) for t in m[name]["topics"] for w in t["words"]})
        column = {w: j for j, w in enumerate(words)}

        def matrix(model: dict[str, Any], column: dict[str, int] = column) -> list[list[float]]:
            rows = []
            for topic in model["topics"]:
                row = [0.0] * len(column)
                for w, weight in zip(topic["words"], topic["weights"], strict=True):
                    row[column[w]] = float(weight)
                rows.append(row)
            return rows

        cos = matched_cosines(matrix(one[name]), matrix(other[name]))
        out[name] = {
            "n_topics": [one[name]["n_topics"], other[name]["n_topics"]],
            "cosine_min": round(min(cos), 4),
            "cosine_mean": round(sum(cos) / len(cos), 4),
            "npmi": [one[name]["metrics"]["npmi"], other[name]["metrics"]["npmi"]],
            "npmi_gap": round(
                abs(one[name]["metrics"]["npmi"] - other[name]["metrics"]["npmi"]), 4
            ),
        }
    return out


def first_draw_ms(index: Path) -> float | None:
    """Milliseconds from navigation to the map's first frame in headless Chromium."""
    sys.path.insert(0, str(REPO))
    from tests.browser import browser_available, open_report

    if not browser_available():
        return None
    with open_report(index) as (page, _watch):
        if page.query_selector("#doc-map") is None:
            return None  # no map: the cluster model was not run (--models lda)
        page.wait_for_selector("#doc-map[data-drawn]", timeout=120_000)
        return float(
            page.evaluate("Number(document.getElementById('doc-map').dataset.firstDrawMs)")
        )


def slope(sizes: list[int], seconds: list[float]) -> float | None:
    """Least-squares slope of log(seconds) on log(size)."""
    if len(sizes) < 2:
        return None
    xs = [math.log(s) for s in sizes]
    ys = [math.log(max(t, 1e-3)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=0, help="seed of the corpus sample")
    parser.add_argument("--keep", type=Path, help="keep the corpora and reports in this folder")
    parser.add_argument(
        "--executor",
        choices=("local", "dask", "both"),
        default="local",
        help="one machine, a LocalCluster (--dask local), or both side by side",
    )
    parser.add_argument(
        "--args", nargs=argparse.REMAINDER, default=[], help="extra `topics report` arguments"
    )
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        for n in args.sizes:
            folder = base / f"corpus-{n}"
            print(f"building {n:,} documents…", file=sys.stderr)
            build_corpus(n, folder, seed=args.seed)
            kinds = ("local", "dask") if args.executor == "both" else (args.executor,)
            for kind in kinds:
                print(f"running topics report on {n:,} documents ({kind})…", file=sys.stderr)
                extra = [*args.args, *(["--dask", "local"] if kind == "dask" else [])]
                out = base / (f"out-{n}" if kind == "local" else f"out-{n}-{kind}")
                row = {"size": n, "args": extra} | run_report(folder, out, extra)
                row["first_draw_ms"] = first_draw_ms(Path(row["index"]))
                rows.append(row)
            if len(kinds) == 2:
                rows[-1]["agreement"] = agreement(rows[-2]["index"], rows[-1]["index"])
    stages = sorted({s for r in rows for s in r["stages"]})
    print(
        f"{'docs':>9} {'where':>9} "
        + " ".join(f"{s[:9]:>9}" for s in stages)
        + f" {'wall s':>8} {'RSS MB':>7} {'page MB':>8} {'folder MB':>9} {'1st draw':>8}"
    )
    for r in rows:
        cells = " ".join(f"{r['stages'].get(s, 0.0):>9.1f}" for s in stages)
        draw = "–" if r["first_draw_ms"] is None else f"{r['first_draw_ms']:.0f} ms"
        ran = r.get("executor") or {"kind": "local", "workers": 1}
        where = f"{ran['kind']}×{ran['workers']}"
        print(
            f"{r['size']:>9,} {where:>9} {cells} {r['wall_s']:>8.1f} {r['peak_rss_mb']:>7} "
            f"{r['index_html_mb']:>8.1f} {r['run_folder_mb']:>9.1f} {draw:>8}"
        )
    sys.path.insert(0, str(REPO))
    from topics.executor import NPMI_TOLERANCE, TOPIC_COSINE_MIN

    for r in rows:
        for name, a in r.get("agreement", {}).items():
            ok = a["cosine_min"] >= TOPIC_COSINE_MIN and a["npmi_gap"] <= NPMI_TOLERANCE
            print(
                f"{r['size']:>9,} {name}: dask vs local topics {a['n_topics']}, matched top-word "
                f"cosine min {a['cosine_min']:.3f} mean {a['cosine_mean']:.3f}, NPMI "
                f"{a['npmi'][0]:.3f} vs {a['npmi'][1]:.3f} (gap {a['npmi_gap']:.3f}); "
                f"tolerance cosine >= {TOPIC_COSINE_MIN}, gap <= {NPMI_TOLERANCE}: "
                + ("within" if ok else "OUTSIDE")
            )
    local_rows = [r for r in rows if (r.get("executor") or {}).get("kind", "local") == "local"]
    cost = slope([r["size"] for r in local_rows], [r["wall_s"] for r in local_rows])
    if cost is not None:
        print(f"cost slope (log wall time / log documents): {cost:.2f}")
    OUT.mkdir(parents=True, exist_ok=True)
    target = OUT / ("scale.json" if args.executor == "local" else f"scale-{args.executor}.json")
    target.write_text(json.dumps({"rows": rows, "slope": cost}, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
