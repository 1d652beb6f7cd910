"""CLI start-up: how long ``topics --version``, ``--help`` and a usage error take.

Usage::

    python bench/startup.py [--repeats 7]

Each command runs in a fresh process (``python -m topics ...``), as a user's shell runs
it; the table shows the median and the fastest wall time over ``--repeats`` runs, and
``python -c pass`` as the floor every Python command pays. Writes
``bench/out/startup.json``. The target is < 0.5 s: nothing heavy (nltk, gensim, scipy,
scikit-learn, UMAP) may be imported before a command actually runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"

CASES: dict[str, tuple[list[str], int]] = {
    "python -c pass (floor)": (["-c", "pass"], 0),
    "topics --version": (["-m", "topics", "--version"], 0),
    "topics --help": (["-m", "topics", "--help"], 0),
    "topics report --help": (["-m", "topics", "report", "--help"], 0),
    "usage error (--n-topic 5)": (["-m", "topics", "report", "x", "--n-topic", "5"], 2),
}


def time_case(args: list[str], expect: int, repeats: int) -> list[float]:
    env = os.environ | {"PYTHONPATH": str(REPO)}
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, *args], capture_output=True, text=True, env=env, check=False
        )
        times.append(time.perf_counter() - t0)
        if proc.returncode != expect:
            raise SystemExit(f"{args}: exit {proc.returncode}, expected {expect}: {proc.stderr}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], allow_abbrev=False)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    rows = []
    for label, (argv, expect) in CASES.items():
        times = time_case(argv, expect, args.repeats)
        rows.append(
            {
                "command": label,
                "median_s": round(statistics.median(times), 4),
                "min_s": round(min(times), 4),
                "runs": args.repeats,
            }
        )
    print(f"{'command':<30} {'median s':>9} {'min s':>7}")
    for row in rows:
        print(f"{row['command']:<30} {row['median_s']:>9.3f} {row['min_s']:>7.3f}")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "startup.json"
    path.write_text(
        json.dumps({"python": sys.version.split()[0], "results": rows}, indent=2) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
