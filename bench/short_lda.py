"""Why LDA's NPMI is negative on tweets, and what would help (an investigation, not a default).

Usage::

    nice -n 10 python bench/short_lda.py                  # 5,000 sampled tweets, K 3 and 10
    nice -n 10 python bench/short_lda.py --max-docs 0     # every tweet (slow here)

The tweets (``../shared/corpora/trump_tweets_2009_2017``) are sampled as
``bench/autok.py`` samples them and preprocessed with the product's defaults. Our LDA is
fitted at each count in two ways:

- ``default``: ``fit_lda`` as the product runs it;
- ``pooled``: the same LDA fitted on pseudo-documents, each document joined with its
  ``--neighbours`` most similar documents (TF-IDF cosine), then topic words ranked as
  ``fit_lda`` ranks them. Pooling short texts gives LDA the word co-occurrences a single
  tweet lacks (Hong & Davison 2010; Quan et al. 2015 aggregate short texts likewise).

Each model's top 10 words are scored with the product's NPMI (``score_coherence``) on
the fitted sample and on every tweet: on a few thousand texts of ~7 words most pairs
of topic words never share a window and score -1, so the sample's NPMI says as much
about the sample's size as about the topics. Writes ``bench/out/short_lda.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
OUT = REPO / "bench" / "out" / "short_lda.json"


def tokens_of(max_docs: int) -> tuple[list[list[str]], list[str]]:
    from autok import read_corpus  # bench/ is on sys.path

    from topics.preprocess.tokens import PreprocessSettings, preprocess

    corpus = read_corpus("tweets", max_docs)
    pre = preprocess(corpus.documents, PreprocessSettings())
    return pre.tokens, pre.vocab


def pooled(tokens: list[list[str]], vocab: list[str], n_neighbours: int) -> list[list[str]]:
    """Each document followed by the tokens of its most similar documents (TF-IDF cosine)."""
    from sklearn.neighbors import NearestNeighbors

    from topics.models.ctfidf import count_matrix, document_weights

    x = document_weights(count_matrix(tokens, vocab))
    index = NearestNeighbors(n_neighbors=n_neighbours + 1, metric="cosine", algorithm="brute")
    _, near = index.fit(x).kneighbors(x)
    out = []
    for i, row in enumerate(near):
        others = [int(j) for j in row if j != i][:n_neighbours]
        out.append(tokens[i] + [w for j in others for w in tokens[j]])
    return out


def pooled_words(
    tokens: list[list[str]], vocab: list[str], n_topics: int, n_neighbours: int
) -> list[list[str]]:
    from topics.models.lda import (
        LdaSettings,
        _bow,
        _fit,
        _term_frequency,
        relevant_words,
    )

    settings = LdaSettings(n_topics=n_topics)
    corpus, id2word = _bow(pooled(tokens, vocab, n_neighbours), vocab)
    model = _fit(corpus, id2word, n_topics, settings, passes=settings.passes_for(len(corpus)))
    topic_term = np.asarray(model.get_topics(), dtype=np.float64)
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    own, _ = _bow(tokens, vocab)  # words ranked against the documents' own frequencies
    return relevant_words(topic_term, _term_frequency(own, len(vocab)), vocab, settings)


def main(argv: list[str] | None = None) -> None:
    from topics.evaluate.scores import score_coherence, topic_diversity
    from topics.models.lda import LdaSettings, fit_lda

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--max-docs", type=int, default=5000, help="tweets sampled (0: all)")
    p.add_argument("--counts", type=int, nargs="+", default=[3, 10])
    p.add_argument("--neighbours", type=int, default=5)
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)

    tokens, vocab = tokens_of(args.max_docs)
    every, _ = tokens_of(0) if args.max_docs else (tokens, vocab)
    rows: list[dict[str, Any]] = []
    for k in args.counts:
        for how in ("default", "pooled"):
            t0 = time.perf_counter()
            if how == "default":
                words = fit_lda(tokens, vocab, LdaSettings(n_topics=k)).topic_words
            else:
                words = pooled_words(tokens, vocab, k, args.neighbours)
            top = [w[:10] for w in words]
            rows.append(
                {
                    "n_topics": k,
                    "lda": how,
                    "npmi_sample": round(score_coherence(tokens, top).npmi_mean, 4),
                    "npmi_all": round(score_coherence(every, top).npmi_mean, 4),
                    "diversity": round(topic_diversity(top, top_n=10), 3),
                    "seconds": round(time.perf_counter() - t0, 1),
                    "topics": [" ".join(w) for w in top],
                }
            )
            r = rows[-1]
            print(
                f"K={k:3d} {how:8} NPMI sample {r['npmi_sample']:7.3f}  all tweets "
                f"{r['npmi_all']:7.3f}  TD {r['diversity']:.2f}  {r['seconds']:6.1f} s",
                flush=True,
            )
    meta = {"docs": len(tokens), "all_docs": len(every), "neighbours": args.neighbours}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1), encoding="utf-8")
    print(f"{meta}; wrote {args.out}")


if __name__ == "__main__":
    main()
