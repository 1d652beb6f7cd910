"""Default preprocessing at scale: CPU seconds per step, this tree against a baseline.

Usage::

    python bench/preprocess_scale.py --folder CORPUS --sizes 20000 100000
    python bench/preprocess_scale.py --folder F --baseline 8e6b159   # the revision to beat

The folder is read once with ``read_inputs`` (as ``topics report`` does) and
``preprocess`` runs on its first N documents with the default settings, in a fresh
process per tree and size: the baseline revision (extracted with ``git archive``) and
this checkout, one after the other on the same documents (each tree's numba kernels
compiled beforehand, as a warm cache has them). Each step's CPU seconds are
the process's own plus its pool workers' (``RUSAGE_CHILDREN``), so other jobs on the
machine do not count: language detection (``_languages_cached``), tokenizing and
lemmatizing (``_segments_cached``), and the rest (phrases, display forms, vocabulary).
Wall seconds are printed too. The two outputs must be identical — every token, the
vocabulary, languages, display forms and the dropped list — or the bench fails.

Without ``--folder`` a corpus is built with ``bench/scale.py``'s ``build_corpus`` from
the shared corpora. Writes ``bench/out/preprocess_scale.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench" / "out"
STEPS = ("language", "segments")


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def digest(pre: Any) -> str:
    """A hash of everything ``preprocess`` returns (equal hashes: identical output)."""
    h = hashlib.sha256()
    for doc in pre.tokens:
        h.update("\x1f".join(doc).encode())
        h.update(b"\x1e")
    rest = {
        "doc_index": pre.doc_index,
        "vocab": pre.vocab,
        "dropped": [(s.path, s.code, s.detail, s.stage) for s in pre.dropped],
        "settings": pre.settings,
        "n_raw_tokens": pre.n_raw_tokens,
        "n_phrases": pre.n_phrases,
        "language": pre.language,
        "surface_forms": pre.surface_forms,
    }
    h.update(json.dumps(rest, sort_keys=False, default=str).encode())
    return h.hexdigest()


def measure(folder: str, size: int, out: str) -> None:
    """In this process: preprocess the first ``size`` documents, step times to ``out``."""
    from topics.ingest.inputs import InputSpec, read_inputs
    from topics.preprocess import tokens

    documents = read_inputs(InputSpec(paths=(folder,))).documents[:size]
    times = dict.fromkeys(STEPS, 0.0)

    def timed(name: str, fn: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = _cpu()
            try:
                return fn(*args, **kwargs)
            finally:
                times[name] += _cpu() - start

        return wrapper

    tokens._languages_cached = timed("language", tokens._languages_cached)
    tokens._segments_cached = timed("segments", tokens._segments_cached)
    start, wall = _cpu(), time.perf_counter()
    pre = tokens.preprocess(documents)
    total, wall = _cpu() - start, time.perf_counter() - wall
    row = {
        "documents": len(documents),
        "kept": len(pre.tokens),
        "cpu_s": {
            **times,
            "rest": total - sum(times.values()),
            "total": total,
        },
        "wall_s": wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "digest": digest(pre),
        "code": tokens.__file__,
    }
    Path(out).write_text(json.dumps(row))


def _tree(baseline: str, into: Path) -> Path:
    """The repository at ``baseline``, extracted under ``into``."""
    archive = into / "baseline.tar"
    subprocess.run(
        ["git", "-C", str(REPO), "archive", "-o", str(archive), baseline, "topics"], check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def warm() -> None:
    """Compile (and cache) the tree's numba kernels, so no measured run pays for it."""
    from topics.preprocess import language

    getattr(language, "_batch_detector", language._compiled_identifier)()


def _run(tree: Path, folder: str, size: int, out: Path) -> dict[str, Any]:
    # The copies' compiled kernels are cached beside them, not in the project's cache.
    env = os.environ | {"PYTHONPATH": str(tree), "NUMBA_CACHE_DIR": str(tree / "numba-cache")}
    warm = "import sys; sys.path.insert(0, sys.argv[1]); import preprocess_scale as b; b.warm()"
    subprocess.run(
        [sys.executable, "-c", warm, str(REPO / "bench")],
        check=True,
        env=env,
        cwd=out.parent,
    )
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import preprocess_scale as b; "
        "b.measure(sys.argv[2], int(sys.argv[3]), sys.argv[4])"
    )
    args = [sys.executable, "-c", code, str(REPO / "bench"), folder, str(size), str(out)]
    # From a neutral folder: the working directory comes first on ``sys.path``.
    subprocess.run(args, check=True, env=env, cwd=out.parent)
    row: dict[str, Any] = json.loads(out.read_text())
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", help="a corpus folder (default: build one)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--baseline", default="8e6b159", help="git revision to compare with")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        folder = args.folder
        if folder is None:
            sys.path.insert(0, str(REPO / "bench"))
            import scale

            folder = str(tmp / "corpus")
            scale.build_corpus(max(args.sizes), Path(folder))
        # A copy of this checkout's code: editing it during a long run changes nothing.
        this = tmp / "this"
        shutil.copytree(REPO / "topics", this / "topics", ignore=shutil.ignore_patterns("*.pyc"))
        trees = {"baseline": _tree(args.baseline, tmp), "this tree": this}
        rows = []
        for size in args.sizes:
            runs = {
                name: _run(tree, folder, size, tmp / "row.json") for name, tree in trees.items()
            }
            rows.append({"size": size, **runs})
    print(f"{'documents':>10} {'step':>10} {'baseline s':>11} {'this tree s':>12} {'ratio':>6}")
    same = True
    for row in rows:
        old, new = row["baseline"], row["this tree"]
        for step in (*STEPS, "rest", "total"):
            a, b = old["cpu_s"][step], new["cpu_s"][step]
            print(f"{old['documents']:>10} {step:>10} {a:>11.1f} {b:>12.1f} {a / b:>6.2f}")
        a, b = old["wall_s"], new["wall_s"]
        print(f"{old['documents']:>10} {'wall':>10} {a:>11.1f} {b:>12.1f} {a / b:>6.2f}")
        identical = old["digest"] == new["digest"]
        same &= identical
        print(
            f"{'':>10} output identical: {identical}; peak RSS MB "
            f"{old['peak_rss_mb']:.0f} -> {new['peak_rss_mb']:.0f}"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    result = {"baseline": args.baseline, "folder": folder, "rows": rows, "identical": same}
    (OUT / "preprocess_scale.json").write_text(json.dumps(result, indent=2))
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
