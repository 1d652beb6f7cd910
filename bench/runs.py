"""Incremental runs on 20 Newsgroups: cold run, unchanged re-run, re-run with 5% more.

Usage::

    python bench/runs.py [--corpus 20ng|bbc] [--n-topics 20] [--models lda,clusters]

Writes 95% of the corpus as one JSONL file, runs ``topics run`` (a fresh process each
time, as cron would) cold, again unchanged, and again after adding the other 5% as a
second file; prints seconds and the ``cache`` counters of each run's ``manifest.json``.
Target: the unchanged re-run takes at most 20% of the cold run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
NAMES = {"bbc": "bbc_news_fulltext", "20ng": "20newsgroups_bydate"}


def strip_header(text: str) -> str:
    text = text.replace("\r\n", "\n")
    _, blank, body = text.partition("\n\n")
    return body if blank else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", choices=sorted(NAMES), default="20ng")
    parser.add_argument("--n-topics", type=int, default=20)
    parser.add_argument("--models", default="lda,clusters")
    args = parser.parse_args()

    path = CORPORA / NAMES[args.corpus] / "docs.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    n_old = round(len(rows) * 0.95)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        folder.mkdir()

        def write(name: str, part: list[dict[str, object]]) -> None:
            with open(folder / name, "w", encoding="utf-8") as fh:
                for row in part:
                    text = strip_header(str(row["text"])) if args.corpus == "20ng" else row["text"]
                    fh.write(json.dumps({"text": text, "label": row["label"]}) + "\n")

        write("part1.jsonl", rows[:n_old])
        config = Path(tmp) / "bench.toml"
        models = json.dumps(args.models.split(","))
        config.write_text(
            f'name = "bench"\noutput = "out"\ninput = ["corpus"]\n'
            f"n_topics = {args.n_topics}\nmodels = {models}\n",
            encoding="utf-8",
        )
        results = []
        for label in ("cold", "unchanged", "+5% documents"):
            if label.startswith("+5%"):
                write("part2.jsonl", rows[n_old:])
            t0 = time.perf_counter()
            proc = subprocess.run(
                [sys.executable, "-m", "topics", "run", str(config), "-q"],
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - t0
            if proc.returncode != 0:
                raise SystemExit(f"bench: {label} run failed: {proc.stderr}")
            index = Path(proc.stdout.strip().splitlines()[-1])
            manifest = json.loads((index.parent / "manifest.json").read_text(encoding="utf-8"))
            results.append((label, seconds, manifest["cache"]))
            print(f"{label:>14}: {seconds:7.1f} s  cache {json.dumps(manifest['cache'])}")
        cold = results[0][1]
        print(f"unchanged / cold = {results[1][1] / cold:.1%} (target <= 20%)")
        print(f"+5% / cold = {results[2][1] / cold:.1%}")


if __name__ == "__main__":
    main()
