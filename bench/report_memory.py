"""Memory and time of writing the report alone, from a pickled ``RunResult``.

Each measurement runs in a fresh process (``--child``): it loads the pickle, then times
``topics.report.write_report_files`` (as the run layer calls it, ``history=True``) and
records CPU seconds, wall seconds, the rise of the peak RSS over the RSS after loading
(``ru_maxrss`` minus ``/proc/self/statm``), and, in a second process, the tracemalloc
peak (tracemalloc slows Python, so the timed run goes without it). ``--repeat N`` times
each checkout N times, taking turns, and keeps the least CPU and wall time (the most
RSS). ``--repo`` names the checkouts to compare side by side; ``--before REV`` adds
this repository's commit ``REV`` (``git archive`` into a temporary folder) ahead of this
checkout. Each runs with ``PYTHONPATH`` set to it, and the bench says whether their
output folders hold the same bytes.

    python bench/report_memory.py RUN.pkl [--before REV | --repo DIR ...] [--repeat N] [--tile K]
        [--out JSON]

Make ``RUN.pkl`` with ``pickle.dump(run_pipeline(FOLDER, RunSettings()), fh)``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out" / "report_memory.json"


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def tiled(run: Any, k: int) -> Any:
    """``run`` with its documents ``k`` times over (the same texts, so little more memory):
    how the report's cost grows with the corpus, without fitting a bigger one."""
    from dataclasses import replace

    import numpy as np

    if k == 1:
        return run
    n_read, n = len(run.corpus.documents), len(run.pre.doc_index)
    corpus = replace(run.corpus, documents=run.corpus.documents * k)
    index = [i + c * n_read for c in range(k) for i in run.pre.doc_index]
    pre = replace(run.pre, doc_index=index, tokens=list(run.pre.tokens) * k)
    models = {
        name: replace(
            m, doc_topic=np.tile(m.doc_topic, (k, 1)), assignments=np.tile(m.assignments, k)
        )
        for name, m in run.models.items()
    }
    review = run.review
    if review is not None:
        review = replace(
            review,
            score=np.tile(review.score, k),
            signals={s: np.tile(v, k) for s, v in review.signals.items()},
            suggested_label=review.suggested_label * k,
            reasons=review.reasons * k,
            label_probability=review.label_probability * k,
            order=np.concatenate([review.order + c * n for c in range(k)]),
        )
    return replace(
        run,
        corpus=corpus,
        pre=pre,
        models=models,
        review=review,
        coords=None if run.coords is None else np.tile(run.coords, (k, 1)),
        embeddings=None,
    )


def _child(run_path: str, folder: str, trace: bool, tile: int) -> dict[str, Any]:
    """Load the run, write its report into ``folder``; the numbers as a dict."""
    import topics
    from topics.report import write_report_files

    with open(run_path, "rb") as fh:
        run = tiled(pickle.load(fh), tile)
    gc.collect()
    base_mb = _rss_mb()
    if trace:
        tracemalloc.start()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    write_report_files(run, Path(folder), "bench", history=True)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    out: dict[str, Any] = {"topics": str(Path(topics.__file__).parent.parent)}
    if trace:
        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    else:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out |= {
            "n_documents": len(run.pre.doc_index),
            "rss_after_load_mb": round(base_mb, 1),
            "rss_delta_mb": round(peak_mb - base_mb, 1),
            "cpu_s": round(cpu, 2),
            "wall_s": round(wall, 2),
        }
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _one(run_path: str, repo: Path, folder: Path, trace: bool, tile: int = 1) -> dict[str, Any]:
    """One fresh process writing the report with ``repo``'s code into ``folder``."""
    folder.mkdir(parents=True)
    cmd = [sys.executable, __file__, "--child", run_path, str(folder), "--tile", str(tile)]
    if trace:
        cmd.append("--trace")
    env = dict(os.environ, PYTHONPATH=str(repo))
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{repo}: the report failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _measure(run_path: str, repo: Path, scratch: Path, tile: int) -> dict[str, Any]:
    """The timed run (its output's digest) and the traced one."""
    plain = scratch / "plain"
    result: dict[str, Any] = {"repo": str(repo)} | _one(run_path, repo, plain, False, tile)
    result |= _one(run_path, repo, scratch / "trace", True, tile)
    files = _digest(plain)
    result["files"] = len(files)
    result["bytes"] = sum(p.stat().st_size for p in plain.rglob("*") if p.is_file())
    result["index_html_bytes"] = (plain / "index.html").stat().st_size
    result["_digest"] = files
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", nargs="?", help="a pickled RunResult")
    parser.add_argument("--repo", action="append", type=Path, help="checkout(s) to compare")
    parser.add_argument("--before", metavar="REV", help="also measure this commit, first")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--repeat", type=int, default=1, help="timed runs per checkout, interleaved (min kept)"
    )
    parser.add_argument("--child", nargs=2, metavar=("RUN", "FOLDER"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--tile", type=int, default=1, help="the run's documents this many times over"
    )
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child[0], args.child[1], args.trace, args.tile)))
        return
    if not args.run:
        parser.error("name a pickled RunResult")
    repos = [r.resolve() for r in (args.repo or [REPO])]
    rows = []
    with tempfile.TemporaryDirectory(prefix="report-memory-") as tmp:
        if args.before:
            before = Path(tmp) / f"rev-{args.before}"
            before.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(REPO), "archive", args.before],
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(before)], input=archive, check=True)
            repos.insert(0, before)
        for k, repo in enumerate(repos):
            rows.append(_measure(args.run, repo, Path(tmp) / str(k), args.tile))
            shutil.rmtree(Path(tmp) / str(k))
        # The shared box's load varies: more timed runs, checkouts taking turns.
        for row in rows:
            row["cpu_s_runs"], row["wall_s_runs"] = [row["cpu_s"]], [row["wall_s"]]
            row["rss_delta_mb_runs"] = [row["rss_delta_mb"]]
        for rep in range(1, args.repeat):
            for k, repo in enumerate(repos):
                again = _one(args.run, repo, Path(tmp) / f"again-{rep}-{k}", False, args.tile)
                shutil.rmtree(Path(tmp) / f"again-{rep}-{k}")
                for key in ("cpu_s", "wall_s", "rss_delta_mb"):
                    rows[k][f"{key}_runs"].append(again[key])
        for row in rows:
            row["cpu_s"], row["wall_s"] = min(row["cpu_s_runs"]), min(row["wall_s_runs"])
            row["rss_delta_mb"] = max(row["rss_delta_mb_runs"])
    if args.before:
        rows[0]["repo"] = f"commit {args.before}"
    same = [r["_digest"] == rows[0]["_digest"] for r in rows]
    differ = sorted(
        {f for r in rows[1:] for f in set(r["_digest"]) ^ set(rows[0]["_digest"])}
        | {
            f
            for r in rows[1:]
            for f in set(r["_digest"]) & set(rows[0]["_digest"])
            if r["_digest"][f] != rows[0]["_digest"][f]
        }
    )
    for r, s in zip(rows, same, strict=True):
        del r["_digest"]
        r["same_bytes_as_first"] = s
    cols = ("cpu_s", "wall_s", "rss_delta_mb", "tracemalloc_peak_mb", "rss_after_load_mb")
    print(f"{'repo':40} " + " ".join(f"{c:>19}" for c in cols) + "  same bytes")
    for r in rows:
        print(
            f"{r['repo'][-40:]:40} "
            + " ".join(f"{r[c]:>19}" for c in cols)
            + f"  {r['same_bytes_as_first']}"
        )
    if differ:
        print(f"files that differ ({len(differ)}): {', '.join(differ[:10])}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps(
            {"run": args.run, "tile": args.tile, "rows": rows, "files_that_differ": differ},
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
