"""Cold and warm start: what numba compilation costs a user's ``topics report`` run.

Usage::

    python bench/coldstart.py [--repeats 3]

Runs ``topics report sample_data --n-topics 7`` in fresh processes, first with an empty
``NUMBA_CACHE_DIR`` (a new machine: pynndescent and UMAP compile), then with that cache
filled (every later run). Prints the wall time of each and the median, and the stage
seconds from each run's ``manifest.json``; writes ``bench/out/coldstart.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"


def run_once(numba_cache: Path, out: Path, topics_cache: Path) -> dict[str, Any]:
    env = os.environ | {
        "NUMBA_CACHE_DIR": str(numba_cache),
        "TOPICS_CACHE_DIR": str(topics_cache),
    }
    t0 = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "topics",
            "report",
            str(REPO / "sample_data"),
            "-o",
            str(out),
            "--n-topics",
            "7",
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"run failed: {proc.stderr.strip()}")
    manifest = json.loads(
        (Path(proc.stdout.strip().splitlines()[-1]).parent / "manifest.json").read_text()
    )
    return {"wall_s": wall, "stage_seconds": manifest["stage_seconds"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for i in range(args.repeats):
            # Cold: a fresh numba cache; embeddings cache fresh too, so only numba differs
            # between the cold run and the warm run that follows it.
            numba_cache = base / f"numba-{i}"
            topics_cache = base / f"topics-cold-{i}"
            cold = run_once(numba_cache, base / f"out-cold-{i}", topics_cache)
            warm = run_once(numba_cache, base / f"out-warm-{i}", base / f"topics-warm-{i}")
            rows.append({"repeat": i, "cold": cold, "warm": warm})
            print(
                f"repeat {i}: cold {cold['wall_s']:.1f} s, warm {warm['wall_s']:.1f} s",
                file=sys.stderr,
            )
    cold_med = statistics.median(r["cold"]["wall_s"] for r in rows)
    warm_med = statistics.median(r["warm"]["wall_s"] for r in rows)
    stages = sorted({s for r in rows for s in r["cold"]["stage_seconds"]})
    print(f"{'run':<6} {'wall s':>7} " + " ".join(f"{s:>10}" for s in stages))
    for kind in ("cold", "warm"):
        med = {
            s: statistics.median(r[kind]["stage_seconds"].get(s, 0.0) for r in rows) for s in stages
        }
        wall = cold_med if kind == "cold" else warm_med
        print(f"{kind:<6} {wall:>7.1f} " + " ".join(f"{med[s]:>10.1f}" for s in stages))
    print(f"medians of {args.repeats}; warm/cold = {warm_med / cold_med:.2f}")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "coldstart.json").write_text(
        json.dumps({"cold_median_s": cold_med, "warm_median_s": warm_med, "runs": rows}, indent=2)
        + "\n"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
