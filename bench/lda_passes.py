"""LDA topic quality and cost against the number of passes, on a large corpus of real text.

Usage::

    python bench/lda_passes.py                                 # 100k documents, K=12
    python bench/lda_passes.py --size 40000 --passes 1,5,10,20 --seeds 0,1
    python bench/lda_passes.py --corpus 20ng --passes 5,10,20
    python bench/lda_passes.py --passes auto,20 --nmf-docs 20000,all

Builds the corpus as ``bench/scale.py`` does (real text sampled from ``../shared/corpora``;
``--corpus bbc|20ng`` takes one shared corpus instead), preprocesses it once with the
default settings, then fits ``fit_lda`` with each number of passes (a fresh fit each,
NMF start included) and scores it as the report does (NPMI, c_v, topic diversity, NMI
against the corpus's labels). ``auto`` in ``--passes`` is the default rule
(``topics.models.lda.auto_passes``). ``--nmf-docs`` compares LDA's NMF start fitted on
a sample of that many documents (``all``: every document). Prints a table; writes
``bench/out/lda_passes.json``.
Times are CPU seconds of the fit in this process (compare rows of one run).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))


def load(args: argparse.Namespace, tmp: Path) -> tuple[list[list[str]], list[str], list[Any]]:
    """The preprocessed documents, vocabulary and labels of the bench corpus."""
    from topics.ingest.inputs import InputSpec, read_inputs
    from topics.preprocess.tokens import preprocess

    if args.corpus == "scale":
        import scale

        scale.build_corpus(args.size, tmp, seed=args.corpus_seed)
    else:
        from pipeline import export

        export(args.corpus, tmp)
    corpus = read_inputs(InputSpec(paths=(str(tmp),)))
    pre = preprocess(corpus.documents)
    labels = [corpus.documents[i].label for i in pre.doc_index]
    return pre.tokens, pre.vocab, labels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["scale", "bbc", "20ng"], default="scale")
    parser.add_argument("--size", type=int, default=100_000, help="documents (--corpus scale)")
    parser.add_argument("--corpus-seed", type=int, default=0)
    parser.add_argument("--n-topics", type=int, default=12)
    parser.add_argument("--passes", default="auto,1,2,5,20")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--nmf-docs", default="20000", help="NMF start sample sizes, or 'all'")
    parser.add_argument(
        "--cache", type=Path, help="keep the preprocessed corpus in this file (reused if there)"
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "lda_passes.json")
    args = parser.parse_args(argv)

    from functools import partial

    from topics.evaluate.scores import score_model
    from topics.models import lda
    from topics.models.lda import LdaSettings, auto_passes, fit_lda

    if args.cache is not None and args.cache.is_file():
        with open(args.cache, "rb") as fh:
            tokens, vocab, labels = pickle.load(fh)  # written by this bench (--cache)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            tokens, vocab, labels = load(args, Path(tmp))
        if args.cache is not None:
            with open(args.cache, "wb") as fh:
                pickle.dump((tokens, vocab, labels), fh)
    chunksize = LdaSettings().chunksize
    chunks = math.ceil(len(tokens) / chunksize)
    rows: list[dict[str, Any]] = []
    print(f"{len(tokens):,} documents, {len(vocab):,} terms, K={args.n_topics}, {chunks} chunks")
    print("| seed | NMF docs | passes | updates | CPU s | NPMI | c_v | diversity | NMI |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    nmf = lda.nmf_topics
    grid = [
        (seed, docs, given)
        for seed in map(int, args.seeds.split(","))
        for docs in args.nmf_docs.split(",")
        for given in args.passes.split(",")
    ]
    for seed, docs, given in grid:
        max_docs = len(tokens) if docs == "all" else int(docs)
        lda.nmf_topics = partial(nmf, max_docs=max_docs)
        passes = auto_passes(len(tokens), chunksize) if given == "auto" else int(given)
        cpu = time.process_time()
        model = fit_lda(
            tokens, vocab, LdaSettings(passes=passes), n_topics=args.n_topics, seed=seed
        )
        cpu = time.process_time() - cpu
        m = score_model(model, tokens, labels).metrics
        row = {
            "seed": seed,
            "nmf_docs": min(max_docs, len(tokens)),
            "passes": passes,
            "auto": given == "auto",
            "updates": passes * chunks,
            "cpu_s": round(cpu, 1),
            **{k: round(float(m[k]), 4) for k in ("npmi", "c_v", "diversity", "nmi")},
        }
        rows.append(row)
        name = f"{passes} (auto)" if given == "auto" else str(passes)
        print(
            f"| {seed} | {row['nmf_docs']:,} | {name} | {row['updates']} | {row['cpu_s']} | "
            f"{row['npmi']:.3f} | {row['c_v']:.3f} | {row['diversity']:.3f} | {row['nmi']:.3f} |",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "corpus": args.corpus,
        "size": args.size,
        "documents": len(tokens),
        "terms": len(vocab),
        "n_topics": args.n_topics,
        "rows": rows,
    }
    args.out.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
