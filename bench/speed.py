"""The default ``topics report`` before and after a change, side by side, and the peers.

Usage::

    python bench/speed.py --before ef89991                 # BBC: before vs this checkout
    python bench/speed.py --corpus bbc 20ng --before ef89991 --peers
    python bench/speed.py --rounds 2                         # this checkout only, twice

Each run is ``python -m topics report FOLDER`` — the default command (auto topic
count) — in a fresh process with a cold run cache (numba's on-disk cache stays as the
user's would be: each tree first makes one untimed run on 400 documents, which compiles
its numba functions once, as a user's first run on a machine would; ``--no-warm-up``
times that first run instead). ``--before REF`` exports that commit of this repository with
``git archive`` and runs it the same way, alternating with this checkout round by round
so both see the same machine load. On a shared machine wall time moves with the load;
CPU time (user + system of the whole process tree) moves far less, so both are shown.

``--peers`` runs the by-hand peer pipeline of ``../shared/peer-bench`` in the same
session: gensim ``LdaModel`` (K=20, 10 passes, ``run_one.py``) then pyLDAvis
(``run_pyldavis.py``), each a fresh process, timed end to end like ours (imports,
reading and preprocessing included). BERTopic-MiniLM needs torch and
sentence-transformers, which this project does not install: its row quotes
``peer-bench/PEERS.md`` (measured on a quiet machine, so it flatters BERTopic here).

Prints per-stage seconds (``manifest.json``), wall and CPU seconds, peak RSS, and the
topic quality (NPMI, diversity, NMI vs labels) of each model; writes
``bench/out/speed.json``.

``--cluster-seeds 0,1,2,3,4`` also fits the embedding-cluster model alone (LSA, UMAP,
HDBSCAN with the automatic count, then the 2-D map) for each seed with each tree, in
one fresh process per tree, and prints its topic count, NPMI, diversity and NMI per
seed: UMAP's layout moves with any rounding-level change, so a change to it is judged
over seeds, not on one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# TOPICS_CORPORA / PEER_BENCH: where ../shared is when the checkout is not beside it.
CORPORA = Path(os.environ.get("TOPICS_CORPORA", REPO.parent / "shared" / "corpora"))
PEER_BENCH = Path(os.environ.get("PEER_BENCH", CORPORA.parent / "peer-bench"))
OUT = REPO / "bench" / "out"
NAMES = {"bbc": "bbc_news_fulltext", "20ng": "20newsgroups_bydate"}
STAGES = ["ingest", "preprocess", "embed", "clusters", "map", "lda", "evaluate", "review"]
#: PEERS.md, BERTopic-MiniLM with nr_topics=21 (seed 42): embedding + fit seconds, without
#: imports, corpus loading or its ~12 s (BBC) / ~50 s (20NG) of UMAP JIT warm-up.
BERTOPIC_QUOTED = {"bbc": 122.9, "20ng": 894.1}
PEER_LDA = ["--seed", "42", "--save-model", "--no-warmup"]

sys.path.insert(0, str(REPO / "bench"))
from pipeline import export  # noqa: E402
from scale import timed  # noqa: E402


def run_topics(code: Path, folder: Path, out: Path) -> dict[str, Any]:
    """``topics report FOLDER`` from the tree ``code`` in a fresh process."""
    env = dict(os.environ, PYTHONPATH=str(code), TOPICS_CACHE_DIR=str(out / "cache"))
    cmd = [sys.executable, "-m", "topics", "report", str(folder), "-o", str(out), "-q"]
    row = timed(cmd, env, code)
    index = Path(row.pop("stdout").strip().splitlines()[-1])
    manifest = json.loads((index.parent / "manifest.json").read_text(encoding="utf-8"))
    topics = json.loads((index.parent / "topics.json").read_text(encoding="utf-8"))
    stages = manifest.get("stage_seconds", {})
    row["stages"] = stages
    # Everything outside the timed stages: imports, the report files, run bookkeeping.
    row["other_s"] = round(row["wall_s"] - sum(stages.values()), 1)
    row["documents"] = manifest.get("counts", {}).get("n_documents")
    row["models"] = {
        name: {"n_topics": m["n_topics"]}
        | {k: m["metrics"].get(k) for k in ("npmi", "c_v", "diversity", "nmi", "outlier_share")}
        for name, m in topics["models"].items()
    }
    return row


def run_peers(corpus: str, out: Path) -> dict[str, Any]:
    """gensim LDA then pyLDAvis from ``peer-bench``, each a fresh process."""
    if not (PEER_BENCH / "run_one.py").is_file():
        raise SystemExit(f"bench: {PEER_BENCH} not found; set PEER_BENCH")
    env = dict(os.environ, PEER_BENCH_OUT=str(out), CORPORA=str(CORPORA))
    env.pop("PYTHONPATH", None)
    lda = timed(
        [sys.executable, "run_one.py", "--corpus", corpus, "--system", "gensim_lda", *PEER_LDA],
        env,
        PEER_BENCH,
    )
    vis = timed([sys.executable, "run_pyldavis.py", "--corpus", corpus], env, PEER_BENCH)
    result = json.loads(
        (out / "results" / f"{corpus}__gensim_lda__k20__s42.json").read_text(encoding="utf-8")
    )
    metrics = result["metrics"]
    return {
        "wall_s": round(lda["wall_s"] + vis["wall_s"], 1),
        "cpu_s": round(lda["cpu_s"] + vis["cpu_s"], 1),
        "peak_rss_mb": max(lda["peak_rss_mb"], vis["peak_rss_mb"]),
        "parts": {"gensim_lda_process_s": lda["wall_s"], "pyldavis_process_s": vis["wall_s"]},
        "models": {
            "lda": {
                "n_topics": 20,
                "npmi": metrics["npmi"],
                "diversity": metrics["td"],
                "nmi": metrics["nmi"],
            }
        },
    }


SEEDS_SCRIPT = """
import json, sys, time
from pathlib import Path
from topics.evaluate.scores import score_model
from topics.ingest import IngestSettings, read_folder
from topics.models.clusters import ClusterSettings, fit_clusters
from topics.models.embed import EmbedSettings, embed_documents
from topics.models.projection import project_2d
from topics.preprocess.tokens import PreprocessSettings, preprocess
corpus = read_folder(Path(sys.argv[1]), IngestSettings())
pre = preprocess(corpus.documents, PreprocessSettings())
labels = [corpus.documents[i].label for i in pre.doc_index]
for seed in map(int, sys.argv[2].split(",")):
    t = time.process_time()
    emb = embed_documents(pre.tokens, EmbedSettings(method="lsa"), seed=seed)
    model = fit_clusters(pre.tokens, pre.vocab, emb, ClusterSettings(), seed=seed)
    project_2d(emb, seed=seed)
    cpu = time.process_time() - t
    m = score_model(model, pre.tokens, labels).metrics
    print(json.dumps({"seed": seed, "cpu_s": round(cpu, 1), "n_topics": model.n_topics,
                      "npmi": m["npmi"], "diversity": m["diversity"], "nmi": m["nmi"],
                      "outlier_share": m["outlier_share"]}), flush=True)
"""


def cluster_seeds(code: Path, folder: Path, seeds: str) -> list[dict[str, Any]]:
    """The cluster model per seed (embed, cluster, map) with the tree ``code``."""
    env = dict(os.environ, PYTHONPATH=str(code))
    out = timed([sys.executable, "-c", SEEDS_SCRIPT, str(folder), seeds], env, code)
    return [json.loads(line) for line in out["stdout"].splitlines() if line.startswith("{")]


#: Documents of the untimed first run per tree (above language detection's compiled path).
WARM_UP_DOCS = 400


def warm_up(code: Path, folder: Path, out: Path) -> None:
    """One untimed ``topics report`` on the corpus's first documents with the tree ``code``.

    numba compiles a tree's functions on their first call on a machine and loads them
    from ``NUMBA_CACHE_DIR`` after that, as a user's second run would; a tree exported
    to a new folder counts as new code. Without this, the first timed run of a tree pays
    its compilation (and the LLVM memory it takes).
    """
    small = out / "docs"
    small.mkdir(parents=True, exist_ok=True)
    with open(folder / "docs.jsonl", encoding="utf-8") as src:
        lines = [line for _, line in zip(range(WARM_UP_DOCS), src, strict=False)]
    (small / "docs.jsonl").write_text("".join(lines), encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(code), TOPICS_CACHE_DIR=str(out / "cache"))
    cmd = [sys.executable, "-m", "topics", "report", str(small), "-o", str(out / "report"), "-q"]
    timed(cmd, env, code)


def export_tree(ref: str, folder: Path) -> Path:
    """The repository at ``ref`` (``git archive``), to run as 'before'."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", nargs="+", choices=sorted(NAMES), default=["bbc"])
    parser.add_argument(
        "--before", help="git ref, or a folder holding a checkout, to compare with side by side"
    )
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--peers", action="store_true", help="also run the peer pipeline")
    parser.add_argument("--cluster-seeds", help="comma-separated seeds for the cluster model")
    parser.add_argument("--out", type=Path, default=OUT / "speed.json")
    parser.add_argument(
        "--no-warm-up", action="store_true", help="time each tree's first run on this machine"
    )
    args = parser.parse_args(argv)
    rows: list[dict[str, Any]] = []
    seeds: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        trees = {"after": REPO}
        if args.before:
            given = Path(args.before)
            before = given if given.is_dir() else export_tree(args.before, base / "before")
            trees = {"before": before, "after": REPO}
        for i, corpus in enumerate(args.corpus):
            folder = base / corpus
            n_docs = export(corpus, folder)
            if i == 0 and not args.no_warm_up:
                for label, code in trees.items():
                    print(f"warm-up: {label} on {WARM_UP_DOCS} documents…", file=sys.stderr)
                    warm_up(code, folder, base / f"warm-{label}")
            for r in range(args.rounds):
                for label, code in trees.items():
                    print(f"{corpus}: {label} round {r + 1} ({n_docs:,} docs)…", file=sys.stderr)
                    out = base / f"out-{corpus}-{label}-{r}"
                    row = run_topics(code, folder, out)
                    rows.append({"corpus": corpus, "code": label, "round": r + 1} | row)
                if args.cluster_seeds and r == 0:
                    for label, code in trees.items():
                        print(f"{corpus}: cluster model per seed, {label}…", file=sys.stderr)
                        seeds.append(
                            {"corpus": corpus, "code": label}
                            | {"seeds": cluster_seeds(code, folder, args.cluster_seeds)}
                        )
                if args.peers and r == 0:
                    print(f"{corpus}: peers (gensim LDA + pyLDAvis)…", file=sys.stderr)
                    row = run_peers(corpus, base / f"peers-{corpus}")
                    rows.append({"corpus": corpus, "code": "peers", "round": 1} | row)
    print_table(rows)
    print_seeds(seeds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    payload = {"runs": rows, "cluster_seeds": seeds}
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'corpus':<6} {'code':<7} {'rnd':>3} "
        + " ".join(f"{s[:8]:>8}" for s in STAGES)
        + f" {'other':>6} {'wall s':>7} {'CPU s':>7} {'RSS MB':>7}"
    )
    for r in rows:
        cells = " ".join(
            f"{r['stages'][s]:>8.1f}" if s in r.get("stages", {}) else f"{'–':>8}" for s in STAGES
        )
        print(
            f"{r['corpus']:<6} {r['code']:<7} {r['round']:>3} {cells} "
            f"{r.get('other_s', float('nan')):>6.1f} {r['wall_s']:>7.1f} {r['cpu_s']:>7.1f} "
            f"{r['peak_rss_mb']:>7}"
        )
    print()
    head = f"{'corpus':<6} {'code':<7} {'rnd':>3} {'model':<9} {'K':>4}"
    print(f"{head} {'NPMI':>6} {'TD':>6} {'NMI':>6}")
    for r in rows:
        for name, m in r["models"].items():
            print(
                f"{r['corpus']:<6} {r['code']:<7} {r['round']:>3} {name:<9} {m['n_topics']:>4} "
                f"{m['npmi']:>6.3f} {m['diversity']:>6.3f} {m.get('nmi') or 0:>6.3f}"
            )
    for corpus in dict.fromkeys(r["corpus"] for r in rows):
        ours = [r for r in rows if r["corpus"] == corpus and r["code"] == "after"]
        peers = [r for r in rows if r["corpus"] == corpus and r["code"] == "peers"]
        if ours and peers:
            ours_wall = min(r["wall_s"] for r in ours)
            wall = ours_wall / peers[0]["wall_s"]
            cpu = min(r["cpu_s"] for r in ours) / peers[0]["cpu_s"]
            with_bertopic = ours_wall / (peers[0]["wall_s"] + BERTOPIC_QUOTED[corpus])
            print(
                f"{corpus}: topics report / (gensim LDA + pyLDAvis): wall x{wall:.2f}, "
                f"CPU x{cpu:.2f}; + BERTopic-MiniLM as quoted in PEERS.md "
                f"({BERTOPIC_QUOTED[corpus]:.0f} s fit alone): wall x{with_bertopic:.2f}"
            )
    print("(stages: manifest.json seconds; other: imports, report files, run bookkeeping)")


def print_seeds(seeds: list[dict[str, Any]]) -> None:
    if not seeds:
        return
    print()
    head = f"{'corpus':<6} {'code':<7} {'K per seed':<20}"
    print(f"{head} {'NPMI':>6} {'TD':>6} {'NMI':>6} {'CPU s':>6}")
    for entry in seeds:
        runs = entry["seeds"]
        n = len(runs)
        ks = ",".join(str(r["n_topics"]) for r in runs)
        npmi = sum(r["npmi"] for r in runs) / n
        td = sum(r["diversity"] for r in runs) / n
        nmi = sum(r["nmi"] for r in runs) / n
        cpu = sum(r["cpu_s"] for r in runs) / n
        print(
            f"{entry['corpus']:<6} {entry['code']:<7} {ks:<20} {npmi:>6.3f} {td:>6.3f} "
            f"{nmi:>6.3f} {cpu:>6.1f}"
        )
    print("(cluster model alone: means over seeds; CPU s per seed, the first pays any compiling)")


if __name__ == "__main__":
    raise SystemExit(main())
