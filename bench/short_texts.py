"""Short texts: which embedder the cluster model should use for tweets.

Usage::

    python bench/short_texts.py            # trump_tweets_2009_2017, K = 20, seed 42

Reads ``../shared/corpora/trump_tweets_2009_2017/docs.jsonl.gz`` (never copied into the
repo), runs OUR preprocessing, then fits the cluster model (k-means, core words) on LSA,
Doc2Vec and ``auto`` embeddings, our LDA, and scikit-learn NMF on the same tokens for
reference. Prints NPMI (top 10, ``topics.evaluate.scores``, equal to gensim's ``c_npmi``),
topic diversity and seconds; writes ``bench/out/short_texts.json``. The corpus has no
labels, so there is no NMI. This is the measurement behind ``embed.SHORT_TEXT_TOKENS``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
OUT = REPO / "bench" / "out" / "short_texts.json"


def load_tokens(corpus: str) -> list[list[str]]:
    from topics.preprocess.tokens import PreprocessSettings, preprocess
    from topics.types import Document

    path = CORPORA / corpus / "docs.jsonl.gz"
    if not path.is_file():
        raise SystemExit(f"short_texts: {path} not found; the shared corpora live in ../shared")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    docs = [Document(path=str(r["id"]), text=r["text"], title=str(r["id"])) for r in rows]
    return preprocess(docs, PreprocessSettings()).tokens


def main(argv: list[str] | None = None) -> None:
    from quality import fit_nmf  # the peer exactly as bench/quality.py fits it

    from topics.evaluate.scores import score_coherence, topic_diversity
    from topics.models.clusters import fit_clusters
    from topics.models.embed import EmbedSettings, embed_documents, resolve_method
    from topics.models.lda import fit_lda

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--corpus", default="trump_tweets_2009_2017")
    p.add_argument("--k", type=int, default=20)
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args(argv)

    from topics.models.projection import reduce_embeddings

    # Pay UMAP's numba compilation before timing anything (as bench/quality.py does).
    reduce_embeddings(np.random.default_rng(0).normal(size=(5000, 50)), n_components=5, seed=0)
    tokens = load_tokens(args.corpus)
    vocab = sorted({t for doc in tokens for t in doc})
    median = statistics.median(len(doc) for doc in tokens)
    print(f"{args.corpus}: {len(tokens)} documents, median {median:g} content words")
    rows: list[dict[str, Any]] = []

    def record(system: str, words: list[list[str]], seconds: float, **extra: Any) -> None:
        top = [w[:10] for w in words]
        rows.append(
            {
                "system": system,
                "npmi": score_coherence(tokens, top, top_n=10).npmi_mean,
                "td": topic_diversity(top, top_n=10),
                "seconds": seconds,
                **extra,
            }
        )

    for method in ("lsa", "doc2vec", "auto"):
        settings = EmbedSettings(method=method)
        t0 = time.perf_counter()
        emb = embed_documents(tokens, settings, seed=args.seed)
        result = fit_clusters(tokens, vocab, emb, n_topics=args.k, seed=args.seed)
        record(
            f"ours: clusters, embedder {method}",
            result.topic_words,
            time.perf_counter() - t0,
            resolved=resolve_method(tokens, settings).method,
        )
    t0 = time.perf_counter()
    lda = fit_lda(tokens, vocab, n_topics=args.k, seed=args.seed)
    record("ours: LDA", lda.topic_words, time.perf_counter() - t0)
    t0 = time.perf_counter()
    nmf_words = fit_nmf({"tokens": tokens, "vocab": vocab}, args.k, args.seed)[0]
    record("peer: sklearn NMF", nmf_words, time.perf_counter() - t0)

    print(f"\nK = {args.k}, seed {args.seed}")
    print("| system | NPMI | TD | seconds |")
    for r in rows:
        print(f"| {r['system']} | {r['npmi']:.3f} | {r['td']:.3f} | {r['seconds']:.1f} |")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    doc = {"corpus": args.corpus, "k": args.k, "seed": args.seed, "median_tokens": median}
    OUT.write_text(json.dumps(doc | {"rows": rows}, indent=1))
    print(f"\nwrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
