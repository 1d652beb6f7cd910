"""Topic quality of our models against peer systems and the BERTopic paper.

Usage::

    python bench/quality.py                                   # every part
    python bench/quality.py --part raw --corpus bbc --seeds 42
    python bench/quality.py --part octis --models ours peers --ks 10 20 --seeds 42 0 21
    python bench/quality.py --part ablation --corpus bbc 20ng  # one design choice undone each
    python bench/quality.py --part raw --corpus sci_docs tool_docs stdlib_docs --models ours nmf
    python bench/quality.py --tables                          # only print what is stored

Three parts, measured with the peer benchmark's protocol (``../shared/peer-bench``):

``octis``
    The paper protocol (Grootendorst 2022, Table 1) on OCTIS's preprocessed BBC News:
    the space-joined tokens are used as they are, K = 10..50 x seeds 0/21/42, NPMI
    (gensim ``c_npmi``, top 10) and topic diversity averaged over all fits.
``raw``
    Raw BBC and 20 Newsgroups (headers stripped) through OUR preprocessing; our
    models and the peers all get those tokens. K = 20 plus our ``n_topics="auto"``.
    Also the held-out corpora of ``bench/corpora_offline.py`` (docstrings shipped in
    installed packages: ``sci_docs``, ``tool_docs``, ``stdlib_docs``), at K = their
    number of labels (20 when above 30). Every ``auto`` fit of ours is followed by NMF
    at the topic count it chose, so each of our models meets NMF at the same count
    ("Coherence that transfers" table). ``--drop-boilerplate`` fits the same corpora
    without their own non-bursty common words instead (``NAME-bp``; a bench-only
    prototype, see ``boilerplate_words``).
``ablation``
    Raw corpora, K = 20: our models with one design choice undone each (``ABLATIONS``:
    10 LDA passes, topic words from all documents, HDBSCAN, Doc2Vec, the previous
    default), printed next to the defaults from ``raw`` at the same seed.

Peers: gensim ``LdaModel`` (passes=10, alpha="auto", chunksize=2000), scikit-learn
NMF (NNDSVD on TF-IDF) and tomotopy LDA (1,000 iterations; skipped when tomotopy is
missing: ``pip install -e '.[bench]'``). Every fit is stored in
``bench/out/quality.json`` as soon as it ends, keyed by (part, corpus, model, K,
seed), so parts run in separate invocations add up; tables and targets are computed
from everything stored. Wall time runs from token lists to topic words plus one topic
per document; the numba JIT of UMAP is paid once before timing (as the peers did).
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import platform
import resource
import statistics
import sys
import threading
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
#: ``../shared/corpora`` beside the checkout (a worktree sits one level deeper).
CORPORA = next(
    (
        p
        for p in (REPO.parent / "shared" / "corpora", REPO.parents[1] / "shared" / "corpora")
        if p.is_dir()
    ),
    REPO.parent / "shared" / "corpora",
)
OUT = REPO / "bench" / "out" / "quality.json"
FOLDERS = {"octis_bbc": "octis_bbc_news", "bbc": "bbc_news_fulltext", "20ng": "20newsgroups_bydate"}
OFFLINE = ("sci_docs", "tool_docs", "stdlib_docs")  # bench/corpora_offline.py
OURS = ("lda", "clusters")
PEERS = ("gensim_lda", "nmf", "tomotopy")
TOP_N = 10
MIN_DIVERSITY_RAW = 0.90  # targets from the issue
MIN_DIVERSITY_LDA = 0.80
OCTIS_NPMI, OCTIS_TD = 0.18, 0.82
#: Grootendorst 2022, Table 1 (Table 2 for MiniLM), BBC News: (NPMI, TD).
PAPER = {
    "LDA": (0.014, 0.577),
    "NMF": (0.012, 0.549),
    "Top2Vec-Doc2Vec": (0.171, 0.792),
    "CTM": (0.094, 0.819),
    "BERTopic-MPNET": (0.167, 0.794),
    "BERTopic-MiniLM": (0.170, 0.802),
}
LABELS = {
    "lda": "ours: LDA (NMF start, 20 passes, relevance words)",
    "clusters": "ours: clusters (LSA+UMAP+k-means; HDBSCAN for auto)",
    "gensim_lda": "peer: gensim LdaModel passes=10 alpha=auto",
    "nmf": "peer: sklearn NMF nndsvd on TF-IDF",
    "tomotopy": "peer: tomotopy LDA 1000 iter",
}

Fit = tuple[list[list[str]], np.ndarray, dict[str, float], dict[str, Any]]


# ------------------------------------------------------------------ data ----
def load_rows(corpus: str) -> list[dict[str, Any]]:
    if corpus in OFFLINE:
        from corpora_offline import build  # bench/ is on sys.path when run as a script

        return build(corpus)
    path = CORPORA / FOLDERS[corpus] / "docs.jsonl.gz"
    if not path.is_file():
        raise SystemExit(f"quality: {path} not found; the shared corpora live in ../shared/corpora")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def strip_newsgroup_header(text: str) -> str:
    """sklearn's ``strip_newsgroup_header`` after CRLF -> LF, as the peers did it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.partition("\n\n")[2]


def prepare(corpus: str) -> dict[str, Any]:
    """Token lists, vocabulary, labels and the metric dictionary of one corpus."""
    from gensim.corpora import Dictionary

    rows = load_rows(corpus)
    t0 = time.perf_counter()
    if corpus == "octis_bbc":
        tokens = [r["text"].split() for r in rows]  # already preprocessed by OCTIS
        labels = [r["label"] for r in rows]
        stats: dict[str, Any] = {}
    else:
        from topics.preprocess.tokens import PreprocessSettings, preprocess
        from topics.types import Document

        docs = [
            Document(
                path=r["id"],
                text=strip_newsgroup_header(r["text"]) if corpus == "20ng" else r["text"],
                title=r["id"],
                label=r["label"],
            )
            for r in rows
        ]
        pre = preprocess(docs, PreprocessSettings())
        tokens = pre.tokens
        labels = [docs[i].label for i in pre.doc_index]
        stats = {"n_phrases": pre.n_phrases, "dropped": len(pre.dropped)}
    dictionary = Dictionary(tokens)
    vocab = [dictionary[i] for i in range(len(dictionary))]
    if corpus in OFFLINE:
        from corpora_offline import describe

        stats["built"] = describe(rows)
    stats |= {
        "docs_in": len(rows),
        "docs_kept": len(tokens),
        "tokens": sum(map(len, tokens)),
        "vocab": len(vocab),
        "preprocess_s": time.perf_counter() - t0,
    }
    return {"tokens": tokens, "labels": labels, "vocab": vocab, "dictionary": dictionary} | {
        "stats": stats
    }


#: Prototype (bench only, not a product default): a corpus's own boilerplate words are
#: those spread over documents like a word with no topic, i.e. found in about as many
#: documents as a Poisson draw at the word's overall rate would reach, and common.
BOILERPLATE_MIN_DF = 0.05
BOILERPLATE_MIN_SPREAD = 0.8


def boilerplate_words(tokens: list[list[str]]) -> list[str]:
    """Words with document frequency >= 5% whose observed DF is >= 0.8 of the DF a
    Poisson (non-bursty) word of the same frequency would have (Church & Gale 1995).

    Topical words clump in few documents (ratio well below 1); boilerplate such as
    "example", "note", "import_numpy" or "parameter" appears once in many documents.
    """
    from collections import Counter

    lengths = np.array([len(t) for t in tokens], dtype=float)
    total = lengths.sum()
    cf = Counter(w for t in tokens for w in t)
    df = Counter(w for t in tokens for w in set(t))
    n = len(tokens)
    out = []
    for w, f in cf.items():
        if df[w] < BOILERPLATE_MIN_DF * n:
            continue
        expected = float((1 - np.exp(-f * lengths / total)).sum())
        if df[w] >= BOILERPLATE_MIN_SPREAD * expected:
            out.append(w)
    return sorted(out)


def drop_boilerplate(data: dict[str, Any]) -> dict[str, Any]:
    """The same corpus without its boilerplate words (documents left empty are dropped)."""
    from gensim.corpora import Dictionary

    drop = set(boilerplate_words(data["tokens"]))
    kept = [
        (t2, lab)
        for t, lab in zip(data["tokens"], data["labels"], strict=True)
        if (t2 := [w for w in t if w not in drop])
    ]
    tokens = [t for t, _ in kept]
    dictionary = Dictionary(tokens)
    stats = data["stats"] | {
        "boilerplate": sorted(drop),
        "docs_kept": len(tokens),
        "tokens": sum(map(len, tokens)),
        "vocab": len(dictionary),
    }
    return {
        "tokens": tokens,
        "labels": [lab for _, lab in kept],
        "vocab": [dictionary[i] for i in range(len(dictionary))],
        "dictionary": dictionary,
        "stats": stats,
    }


# ---------------------------------------------------------------- memory ----
class PeakRss:
    """Samples this process's resident memory (``/proc/self/statm``) while a fit runs."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

    def _rss(self) -> int:
        try:
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * self._page
        except OSError:
            return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRss:
        self.peak = self._rss()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._rss())

    @property
    def mb(self) -> float:
        return self.peak / 2**20


# ---------------------------------------------------------------- models ----
def identity(x: Any) -> Any:
    return x


def fit_ours_lda(data: dict[str, Any], k: int | str, seed: int, **options: Any) -> Fit:
    """Our LDA with its defaults; ``options`` override ``LdaSettings`` fields (ablation)."""
    from topics.models.lda import LdaSettings, fit_lda

    t0 = time.perf_counter()
    settings = LdaSettings(**options)
    result = fit_lda(data["tokens"], data["vocab"], settings, n_topics=k, seed=seed)  # type: ignore[arg-type]
    parts = {"fit_s": time.perf_counter() - t0}
    return result.topic_words, np.asarray(result.assignments), parts, {}


def fit_ours_clusters(
    data: dict[str, Any], k: int | str, seed: int, *, embedder: str = "auto", **options: Any
) -> Fit:
    """Our cluster model with its defaults; ``embedder`` and ``options`` (``ClusterSettings``
    fields) override them for the ablation."""
    from topics.models.clusters import ClusterDetails, ClusterSettings, fit_clusters
    from topics.models.embed import EmbedSettings, embed_documents

    cache = data.setdefault("embeddings", {})
    if (seed, embedder) not in cache:  # one embedding per seed and embedder, shared by every K
        t0 = time.perf_counter()
        embed = EmbedSettings(method=embedder)  # type: ignore[arg-type]
        vectors = embed_documents(data["tokens"], embed, seed=seed)
        cache[seed, embedder] = (vectors, time.perf_counter() - t0)
    emb, embed_s = cache[seed, embedder]
    t0 = time.perf_counter()
    settings = ClusterSettings(**options)
    result = fit_clusters(data["tokens"], data["vocab"], emb, settings, n_topics=k, seed=seed)  # type: ignore[arg-type]
    parts = {"embed_s": embed_s, "cluster_s": time.perf_counter() - t0}
    parts["wall_s"] = embed_s + parts["cluster_s"]
    details = ClusterDetails.of(result)
    extras = {
        "n_clusters_raw": details.n_clusters_raw,
        "min_cluster_size": details.min_cluster_size,
        "clustering": details.clustering,
    }
    return result.topic_words, np.asarray(result.assignments), parts, extras


def fit_gensim_lda(data: dict[str, Any], k: int, seed: int) -> Fit:
    from gensim.models import LdaModel

    d = data["dictionary"]
    t0 = time.perf_counter()
    bow = [d.doc2bow(t) for t in data["tokens"]]
    t1 = time.perf_counter()
    lda = LdaModel(
        corpus=bow,
        id2word=d,
        num_topics=k,
        passes=10,
        alpha="auto",
        random_state=seed,
        chunksize=2000,
    )
    t2 = time.perf_counter()
    gamma = np.vstack([lda.inference(bow[i : i + 2000])[0] for i in range(0, len(bow), 2000)])
    parts = {"doc2bow_s": t1 - t0, "fit_s": t2 - t1, "infer_s": time.perf_counter() - t2}
    words = [[w for w, _ in lda.show_topic(j, topn=30)] for j in range(k)]
    return words, gamma.argmax(axis=1), parts, {}


def fit_nmf(data: dict[str, Any], k: int, seed: int) -> Fit:
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    t0 = time.perf_counter()
    tv = TfidfVectorizer(analyzer=identity, vocabulary=data["vocab"])
    x = tv.fit_transform(data["tokens"])
    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        nmf = NMF(n_components=k, init="nndsvd", random_state=seed)
        w = nmf.fit_transform(x)
    parts = {"vectorize_s": t1 - t0, "fit_transform_s": time.perf_counter() - t1}
    names = tv.get_feature_names_out()
    words = [[str(names[i]) for i in np.argsort(-row)[:30]] for row in nmf.components_]
    return words, w.argmax(axis=1), parts, {"n_iter": int(nmf.n_iter_)}


def fit_tomotopy(data: dict[str, Any], k: int, seed: int) -> Fit:
    import tomotopy as tp

    t0 = time.perf_counter()
    mdl = tp.LDAModel(k=k, seed=seed)
    for doc in data["tokens"]:
        mdl.add_doc(doc)
    t1 = time.perf_counter()
    for _ in range(10):
        mdl.train(100, workers=2)  # the peers' setting; not bit-reproducible with 2 workers
    t2 = time.perf_counter()
    topics = np.array([int(np.argmax(doc.get_topic_dist())) for doc in mdl.docs])
    parts = {"add_doc_s": t1 - t0, "fit_s": t2 - t1, "infer_s": time.perf_counter() - t2}
    words = [[w for w, _ in mdl.get_topic_words(j, top_n=30)] for j in range(k)]
    return words, topics, parts, {}


#: Our models with one design choice undone each, to measure what each choice brings
#: (``--part ablation``: raw corpora, K = 20, next to the defaults ``lda`` / ``clusters``).
ABLATIONS: dict[str, tuple[str, Callable[..., Fit]]] = {
    "lda_passes10": ("LDA, 10 passes", partial(fit_ours_lda, passes=10)),
    "clusters_all_words": (
        "clusters, words from all documents",
        partial(fit_ours_clusters, core_share=1.0),
    ),
    "clusters_hdbscan": (
        "clusters, HDBSCAN merged to K",
        partial(fit_ours_clusters, clustering="hdbscan"),
    ),
    "clusters_hdbscan_all_words": (
        "clusters, HDBSCAN, words from all documents",
        partial(fit_ours_clusters, clustering="hdbscan", core_share=1.0),
    ),
    "clusters_doc2vec": ("clusters, Doc2Vec", partial(fit_ours_clusters, embedder="doc2vec")),
    "clusters_doc2vec_kmeans_all_words": (
        "clusters, Doc2Vec, words from all documents",
        partial(fit_ours_clusters, embedder="doc2vec", core_share=1.0),
    ),
    "clusters_doc2vec_hdbscan_all_words": (
        "clusters, Doc2Vec + HDBSCAN, all words (previous default)",
        partial(fit_ours_clusters, embedder="doc2vec", clustering="hdbscan", core_share=1.0),
    ),
}

FITTERS: dict[str, Callable[..., Fit]] = {
    **{name: fit for name, (_, fit) in ABLATIONS.items()},
    "lda": fit_ours_lda,
    "clusters": fit_ours_clusters,
    "gensim_lda": fit_gensim_lda,
    "nmf": fit_nmf,
    "tomotopy": fit_tomotopy,
}


def available(model: str) -> str | None:
    """Why a model cannot run here, or None."""
    if model == "tomotopy":
        try:
            import tomotopy  # noqa: F401
        except ImportError:
            return "tomotopy is not installed (pip install -e '.[bench]'); skipped"
    return None


# ---------------------------------------------------------------- metric ----
def evaluate(
    topic_words: list[list[str]], assignments: np.ndarray, data: dict[str, Any]
) -> dict[str, Any]:
    """The peers' metric: gensim c_npmi, TD and NMI on the top 10 dictionary words.

    ``npmi_ours`` is the same NPMI from ``topics.evaluate.scores`` to show the two agree. NMI
    counts outliers (-1) as one cluster; ``nmi_excl_outliers`` leaves them out.
    """
    from gensim.models.coherencemodel import CoherenceModel
    from sklearn.metrics import normalized_mutual_info_score

    from topics.evaluate.scores import score_coherence

    t0 = time.perf_counter()
    known = data["dictionary"].token2id
    topics = [[w for w in t if w in known][:TOP_N] for t in topic_words]
    usable = [t for t in topics if len(t) >= 2]
    cm = CoherenceModel(
        topics=usable,
        texts=data["tokens"],
        dictionary=data["dictionary"],
        coherence="c_npmi",
        topn=TOP_N,
        processes=1,
    )
    per_topic = [float(x) for x in cm.get_coherence_per_topic()]
    t1 = time.perf_counter()
    ours = score_coherence(data["tokens"], usable, top_n=TOP_N).npmi
    t2 = time.perf_counter()
    k = len(topics)
    labels = data["labels"]
    assignments = np.asarray(assignments, dtype=np.int64)
    inliers = np.flatnonzero(assignments >= 0)
    return {
        "npmi": float(np.mean(per_topic)),
        "npmi_ours": float(np.mean(ours)),
        "npmi_max_abs_diff": float(np.max(np.abs(np.subtract(per_topic, ours)))),
        "td": len({w for t in topics for w in t}) / (TOP_N * k) if k else 0.0,
        "nmi": float(normalized_mutual_info_score(labels, assignments)),
        "nmi_excl_outliers": float(
            normalized_mutual_info_score([labels[i] for i in inliers], assignments[inliers])
        )
        if inliers.size
        else 0.0,
        "n_topics": k,
        "outlier_share": float(np.mean(assignments < 0)),
        "n_topics_short": sum(len(t) < TOP_N for t in topics),
        "topics_top10": topics,
        "eval_gensim_s": t1 - t0,
        "eval_ours_s": t2 - t1,
    }


# ----------------------------------------------------------------- store ----
def key(r: dict[str, Any]) -> tuple[str, str, str, str, int]:
    return (r["part"], r["corpus"], r["model"], str(r["k_requested"]), int(r["seed"]))


class Store:
    """Records in ``bench/out/quality.json``, rewritten after every fit."""

    def __init__(self, path: Path, fresh: bool) -> None:
        self.path = path
        self.doc: dict[str, Any] = {"records": [], "runs": [], "skipped": []}
        if path.is_file() and not fresh:
            self.doc = json.loads(path.read_text())
        self.doc.setdefault("skipped", [])

    @property
    def records(self) -> list[dict[str, Any]]:
        return self.doc["records"]

    def add(self, record: dict[str, Any]) -> None:
        self.doc["records"] = [r for r in self.records if key(r) != key(record)] + [record]
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.doc, indent=1, default=float))
        tmp.replace(self.path)


# ------------------------------------------------------------------- run ----
def warm_up_umap(n_docs: int) -> float:
    """Pay UMAP's numba JIT before timing (the layout's functions; the kNN graph is ours)."""
    from topics.models.projection import reduce_embeddings

    t0 = time.perf_counter()
    rng = np.random.default_rng(0)
    reduce_embeddings(rng.normal(size=(min(n_docs, 5000), 100)), n_components=5, seed=0)
    return time.perf_counter() - t0


def default_k(corpus: str, labels: list[str]) -> int:
    """K for the fixed-count fits: 20 on BBC/20NG (the peers' protocol); on the offline
    corpora the number of labels, or 20 when there are more than 30 of them."""
    n = len(set(labels))
    return n if corpus in OFFLINE and 2 <= n <= 30 else 20


def run_fits(
    part: str,
    corpus: str,
    data: dict[str, Any],
    plan: list[tuple[str, int | str, int]],
    store: Store,
    deadline: float,
) -> None:
    warmed = False
    for model, k, seed in plan:
        if time.monotonic() > deadline:
            log(f"time budget spent: not starting {part}/{corpus}/{model} K={k} seed={seed}")
            store.doc["skipped"].append(f"{part}/{corpus}/{model}/K={k}/seed={seed}: time budget")
            continue
        why = available(model)
        if why:
            store.doc["skipped"].append(f"{part}/{corpus}/{model}: {why}")
            continue
        if model.startswith("clusters") and not warmed:
            store.doc.setdefault("umap_warmup_s", {})[corpus] = warm_up_umap(len(data["tokens"]))
            warmed = True
        with PeakRss() as rss:
            t0 = time.perf_counter()
            try:
                words, assignments, parts, extras = FITTERS[model](data, k, seed)
            except Exception as exc:  # one broken fit must not lose the rest of the run
                log(f"{part}/{corpus}/{model} K={k} seed={seed} failed: {exc!r}")
                store.doc["skipped"].append(f"{part}/{corpus}/{model}/K={k}/seed={seed}: {exc!r}")
                continue
            # The cluster model embeds once per seed; every K counts that time.
            wall = parts.pop("wall_s", time.perf_counter() - t0)
        record = {
            "part": part,
            "corpus": corpus,
            "model": model,
            "k_requested": k,
            "seed": seed,
            "wall_s": wall,
            "parts": parts,
            "peak_rss_mb": rss.mb,
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **extras,
            **evaluate(words, assignments, data),
        }
        store.add(record)
        log(
            f"{part}/{corpus}/{model} K={k} seed={seed}: {wall:.1f}s  "
            f"NPMI {record['npmi']:.3f} (ours {record['npmi_ours']:.3f})  "
            f"TD {record['td']:.3f}  NMI {record['nmi']:.3f}  topics {record['n_topics']}"
        )


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- tables ----
def _med(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def _rows(store: Store, part: str, corpus: str) -> dict[tuple[str, str], list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in store.records:
        if r["part"] == part and r["corpus"] == corpus:
            groups.setdefault((r["model"], str(r["k_requested"])), []).append(r)
    return groups


def octis_summary(store: Store) -> dict[str, dict[str, Any]]:
    out = {}
    groups = _rows(store, "octis", "octis_bbc")
    for model in OURS + PEERS:
        recs = [r for (m, _), rs in groups.items() if m == model for r in rs]
        if recs:
            out[model] = {
                "npmi": float(np.mean([r["npmi"] for r in recs])),
                "npmi_ours": float(np.mean([r["npmi_ours"] for r in recs])),
                "td": float(np.mean([r["td"] for r in recs])),
                "n": len(recs),
                "seeds": sorted({r["seed"] for r in recs}),
                "wall_s": _med([r["wall_s"] for r in recs]),
                "per_k": {
                    k: (
                        float(np.mean([r["npmi"] for r in rs])),
                        float(np.mean([r["td"] for r in rs])),
                        len(rs),
                    )
                    for (m, k), rs in sorted(groups.items(), key=lambda kv: int(kv[0][1]))
                    if m == model
                },
            }
    return out


def raw_summary(store: Store, corpus: str) -> dict[str, dict[str, Any]]:
    out = {}
    for (model, k), recs in _rows(store, "raw", corpus).items():
        walls = [r["wall_s"] for r in recs]
        out[f"{model}@{k}"] = {
            "model": model,
            "k_requested": k,
            "n": len(recs),
            **{
                m: _med([r[m] for r in recs])
                for m in ("npmi", "npmi_ours", "td", "nmi", "nmi_excl_outliers", "outlier_share")
            },
            "n_topics": sorted({r["n_topics"] for r in recs}),
            "wall_s": _med(walls),
            "wall_range": (min(walls), max(walls)),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in recs),
        }
    return out


def raw_corpora(store: Store) -> list[str]:
    """Corpora with raw-part records, BBC and 20NG first."""
    have = {r["corpus"] for r in store.records if r["part"] == "raw"}
    order = [c + suffix for c in ("bbc", "20ng", *OFFLINE) for suffix in ("", "-bp")]
    return [c for c in order if c in have]


def transfer_summary(store: Store) -> list[dict[str, Any]]:
    """Each of our raw fits next to NMF at the topic count it produced (same seed)."""
    out = []
    for corpus in raw_corpora(store):
        recs = [r for r in store.records if r["part"] == "raw" and r["corpus"] == corpus]
        nmf = {(r["n_topics"], r["seed"]): r for r in recs if r["model"] == "nmf"}
        for r in sorted(
            (r for r in recs if r["model"] in OURS),
            key=lambda r: (str(r["k_requested"]) == "auto", r["seed"], OURS.index(r["model"])),
        ):
            peer = nmf.get((r["n_topics"], r["seed"]))
            out.append(
                {
                    "corpus": corpus,
                    "setting": "auto" if str(r["k_requested"]) == "auto" else "fixed",
                    "model": r["model"],
                    "seed": r["seed"],
                    "n_topics": r["n_topics"],
                    "npmi": r["npmi"],
                    "td": r["td"],
                    "nmi": r["nmi"],
                    "nmf_npmi": peer["npmi"] if peer else None,
                    "nmf_td": peer["td"] if peer else None,
                    "nmf_nmi": peer["nmi"] if peer else None,
                }
            )
    return out


def transfer_best(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per corpus and setting (fixed K / auto), our model with the highest NPMI whose NMF
    counterpart was fitted, with the margin over NMF at the same count."""
    best: dict[tuple[str, str, int], dict[str, Any]] = {}
    for r in rows:
        if r["nmf_npmi"] is None:
            continue
        k = (r["corpus"], r["setting"], r["seed"])
        if k not in best or r["npmi"] > best[k]["npmi"]:
            best[k] = r
    return [r | {"margin": r["npmi"] - r["nmf_npmi"]} for r in best.values()]


def transfer_doc(store: Store) -> dict[str, Any]:
    """The "Coherence that transfers" rows and per corpus/setting best, for the JSON."""
    rows = transfer_summary(store)
    return {"rows": rows, "best": transfer_best(rows)}


def print_transfer(store: Store) -> None:
    rows = transfer_summary(store)
    if not rows:
        return
    print("\nCoherence that transfers: each of our fits vs sklearn NMF at the same topic count")
    print(
        "| corpus | K | seed | model | topics | NPMI | TD | NMI | NMF NPMI | NMF TD | NMF NMI "
        "| ours - NMF |"
    )
    for r in rows:
        if r["nmf_npmi"] is None:
            nmf_cells = "not run | | |"
        else:
            nmf_cells = (
                f"{r['nmf_npmi']:.3f} | {r['nmf_td']:.3f} | {r['nmf_nmi']:.3f} | "
                f"{r['npmi'] - r['nmf_npmi']:+.3f}"
            )
        print(
            f"| {r['corpus']} | {r['setting']} | {r['seed']} | {r['model']} | {r['n_topics']} | "
            f"{r['npmi']:.3f} | {r['td']:.3f} | {r['nmi']:.3f} | {nmf_cells} |"
        )


def targets(store: Store) -> list[dict[str, Any]]:
    """The issue's targets, each PASS / FAIL / n/a with the numbers behind it."""
    found = []

    def add(name: str, ok: bool | None, detail: str) -> None:
        status = "n/a" if ok is None else ("PASS" if ok else "FAIL")
        found.append({"target": name, "status": status, "detail": detail})

    for corpus in ("bbc", "20ng"):
        rows = {
            s["model"]: s for s in raw_summary(store, corpus).values() if s["k_requested"] == "20"
        }
        ours = [rows[m] for m in OURS if m in rows]
        peers = [rows[m] for m in PEERS if m in rows]
        if not ours or not peers:
            add(f"{corpus}: best ours NPMI >= best peer, TD >= 0.90", None, "not run")
            add(f"{corpus}: best ours NMI >= best peer", None, "not run")
        else:
            diverse = [s for s in ours if s["td"] >= MIN_DIVERSITY_RAW] or ours
            best = max(diverse, key=lambda s: s["npmi"])
            peer_npmi = max(peers, key=lambda s: s["npmi"])
            peer_nmi = max(peers, key=lambda s: s["nmi"])
            add(
                f"{corpus}: best ours NPMI >= best peer, TD >= 0.90",
                best["npmi"] >= peer_npmi["npmi"] and best["td"] >= MIN_DIVERSITY_RAW,
                f"{best['model']} {best['npmi']:.3f} (TD {best['td']:.3f}) vs "
                f"{peer_npmi['model']} {peer_npmi['npmi']:.3f} (TD {peer_npmi['td']:.3f})",
            )
            add(
                f"{corpus}: best ours NMI >= best peer",
                best["nmi"] >= peer_nmi["nmi"],
                f"{best['model']} {best['nmi']:.3f} vs {peer_nmi['model']} {peer_nmi['nmi']:.3f}"
                + "".join(f"; {s['model']} {s['nmi']:.3f}" for s in ours if s is not best),
            )
        add_lda_target(add, corpus, rows.get("lda"), rows.get("tomotopy"))
    for r in transfer_best(transfer_summary(store)):
        add(
            f"{r['corpus']} ({r['setting']} K, seed {r['seed']}): best ours NPMI >= NMF at same K",
            r["margin"] >= 0,
            f"{r['model']} {r['npmi']:.3f} vs NMF {r['nmf_npmi']:.3f} at {r['n_topics']} topics",
        )
    octis = octis_summary(store)
    add_lda_target(add, "octis_bbc (mean)", octis.get("lda"), octis.get("tomotopy"))
    ours_octis = [(m, octis[m]) for m in OURS if m in octis]
    if ours_octis:
        model, best = max(ours_octis, key=lambda kv: kv[1]["npmi"])
        add(
            f"octis_bbc: best ours mean NPMI >= {OCTIS_NPMI}, TD >= {OCTIS_TD}",
            best["npmi"] >= OCTIS_NPMI and best["td"] >= OCTIS_TD,
            f"{model} {best['npmi']:.3f} / {best['td']:.3f} over {best['n']} fits",
        )
    else:
        add(f"octis_bbc: best ours mean NPMI >= {OCTIS_NPMI}, TD >= {OCTIS_TD}", None, "not run")
    return found


def add_lda_target(
    add: Callable[[str, bool | None, str], None],
    corpus: str,
    lda: dict[str, Any] | None,
    tomotopy: dict[str, Any] | None,
) -> None:
    name = f"{corpus}: our LDA NPMI >= tomotopy, TD >= 0.80"
    if not lda or not tomotopy:
        add(name, None, "not run")
        return
    add(
        name,
        lda["npmi"] >= tomotopy["npmi"] and lda["td"] >= MIN_DIVERSITY_LDA,
        f"{lda['npmi']:.3f} (TD {lda['td']:.3f}) vs {tomotopy['npmi']:.3f} "
        f"(TD {tomotopy['td']:.3f})",
    )


def print_ablation(store: Store) -> None:
    """Each default next to our models with one design choice undone, seed by seed."""
    for corpus in ("bbc", "20ng"):
        variants = [r for r in store.records if r["part"] == "ablation" and r["corpus"] == corpus]
        if not variants:
            continue
        seeds = {r["seed"] for r in variants}
        defaults = [
            r
            for r in store.records
            if r["part"] == "raw"
            and r["corpus"] == corpus
            and r["model"] in OURS
            and str(r["k_requested"]) == "20"
            and r["seed"] in seeds
        ]
        print(f"\n{corpus} ablation, K = 20: our defaults, then one choice undone each")
        print("| variant | seed | NPMI | TD | NMI | outliers | topics | wall s |")
        for r in sorted(defaults, key=lambda r: (r["model"], r["seed"])) + variants:
            name = LABELS[r["model"]] if r["model"] in LABELS else ABLATIONS[r["model"]][0]
            print(
                f"| {name} | {r['seed']} | {r['npmi']:.3f} | {r['td']:.3f} | {r['nmi']:.3f} | "
                f"{r['outlier_share']:.1%} | {r['n_topics']} | {r['wall_s']:.1f} |"
            )


def print_tables(store: Store) -> None:
    octis = octis_summary(store)
    if octis:
        ks = sorted({k for s in octis.values() for k in s["per_k"]}, key=int)
        print(
            "\nOCTIS BBC, paper protocol: NPMI / TD per K (mean over seeds), then mean of all fits"
        )
        head = " | ".join(f"K={k}" for k in ks)
        print(f"| system | {head} | NPMI | NPMI ours | TD | fits | seeds | median s |")
        for name, (npmi, td) in PAPER.items():
            blank = " | ".join("" for _ in ks)
            print(f"| paper: {name} | {blank} | {npmi:.3f} | | {td:.3f} | | | |")
        for model, s in octis.items():
            cells = " | ".join(
                f"{s['per_k'][k][0]:.3f} / {s['per_k'][k][1]:.3f}" if k in s["per_k"] else ""
                for k in ks
            )
            print(
                f"| {LABELS[model]} | {cells} | {s['npmi']:.3f} | {s['npmi_ours']:.3f} | "
                f"{s['td']:.3f} | {s['n']} | {','.join(map(str, s['seeds']))} | "
                f"{s['wall_s']:.1f} |"
            )
    for corpus in raw_corpora(store):
        rows = raw_summary(store, corpus)
        if not rows:
            continue
        print(f"\n{corpus} raw, our preprocessing (medians over seeds)")
        print(
            "| system | K asked | topics | NPMI | NPMI ours | TD | NMI | NMI w/o outl. "
            "| outliers | wall s (min-max) | peak RSS MB | n |"
        )
        order = {m: i for i, m in enumerate(OURS + PEERS)}
        for s in sorted(rows.values(), key=lambda s: (s["k_requested"], order[s["model"]])):
            lo, hi = s["wall_range"]
            print(
                f"| {LABELS[s['model']]} | {s['k_requested']} | "
                f"{','.join(map(str, s['n_topics']))} | {s['npmi']:.3f} | {s['npmi_ours']:.3f} | "
                f"{s['td']:.3f} | {s['nmi']:.3f} | {s['nmi_excl_outliers']:.3f} | "
                f"{s['outlier_share']:.1%} | {s['wall_s']:.1f} ({lo:.1f}-{hi:.1f}) | "
                f"{s['peak_rss_mb']:.0f} | {s['n']} |"
            )
    print_ablation(store)
    print_transfer(store)
    diffs = [r["npmi_max_abs_diff"] for r in store.records]
    if diffs:
        print(f"\nNPMI, ours vs gensim: largest per-topic difference {max(diffs):.2e}")
    print("\nTargets")
    for t in targets(store):
        print(f"| {t['status']} | {t['target']} | {t['detail']} |")
    for line in dict.fromkeys(store.doc.get("skipped", [])):
        print(f"note: {line}")


# ------------------------------------------------------------------ main ----
def expand(models: list[str]) -> list[str]:
    out: list[str] = []
    for m in models:
        out.extend(OURS if m == "ours" else PEERS if m == "peers" else [m])
    return list(dict.fromkeys(out))


def run_corpus(
    part: str,
    corpus: str,
    data: dict[str, Any],
    ks: list[int],
    seeds: list[int],
    models: list[str],
    args: argparse.Namespace,
    store: Store,
    deadline: float,
) -> None:
    """Every planned fit of one corpus, then NMF at each count our auto fits chose."""
    plan: list[tuple[str, int | str, int]] = []
    if part == "ablation":
        plan = [(m, k, seed) for seed in seeds for k in ks for m in ABLATIONS]
    for seed in seeds if part != "ablation" else []:
        for k in ks:
            for m in models:
                if m != "clusters" or args.cluster_seeds is None or (seed in args.cluster_seeds):
                    plan.append((m, k, seed))
    if part == "raw" and not args.no_auto:
        plan += [(m, "auto", seeds[0]) for m in models if m in OURS]
    run_fits(part, corpus, data, plan, store, deadline)
    if part == "raw" and not args.no_auto and "nmf" in models:
        # NMF at each count our auto fits chose, so every fit of ours has its peer.
        chosen = {
            r["n_topics"]
            for r in store.records
            if r["part"] == "raw"
            and r["corpus"] == corpus
            and r["model"] in OURS
            and str(r["k_requested"]) == "auto"
            and r["seed"] == seeds[0]
        } - set(ks)
        extra = [("nmf", k, seeds[0]) for k in sorted(chosen) if k >= 2]
        run_fits(part, corpus, data, extra, store, deadline)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--part", nargs="+", choices=["octis", "raw", "ablation"], default=["raw", "octis"]
    )
    p.add_argument(
        "--corpus", nargs="+", choices=["bbc", "20ng", *OFFLINE], default=["bbc", "20ng"]
    )
    p.add_argument(
        "--models",
        nargs="+",
        choices=["ours", "peers", *OURS, *PEERS],
        default=["ours", "peers"],
    )
    p.add_argument("--seeds", nargs="+", type=int, help="default: octis 0 21 42, raw 42")
    p.add_argument("--cluster-seeds", nargs="+", type=int, help="seeds for the cluster model")
    p.add_argument("--ks", nargs="+", type=int, help="default: octis 10..50, raw 20")
    p.add_argument("--no-auto", action="store_true", help='skip our n_topics="auto" fits (raw)')
    p.add_argument("--max-minutes", type=float, default=float("inf"), help="start no fit after")
    p.add_argument(
        "--drop-boilerplate",
        action="store_true",
        help="prototype: fit each corpus without its boilerplate words instead (NAME-bp)",
    )
    p.add_argument("--fresh", action="store_true", help="drop results stored earlier")
    p.add_argument("--tables", action="store_true", help="only print the stored results")
    p.add_argument("--out", type=Path, default=OUT)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("gensim").setLevel(logging.ERROR)
    store = Store(args.out, args.fresh)
    if args.tables:
        store.doc["transfer"] = transfer_doc(store)
        store.save()
        print_tables(store)
        return
    deadline = time.monotonic() + args.max_minutes * 60
    models = expand(args.models)
    store.doc["runs"].append(
        {
            "argv": sys.argv[1:],
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "loadavg": os.getloadavg(),
        }
    )
    for part in ("raw", "ablation", "octis"):
        if part not in args.part:
            continue
        seeds = args.seeds or ([0, 21, 42] if part == "octis" else [42])
        ks: list[int] | None = args.ks or ([10, 20, 30, 40, 50] if part == "octis" else None)
        for corpus in ["octis_bbc"] if part == "octis" else args.corpus:
            if time.monotonic() > deadline:
                break
            data = prepare(corpus)
            corpus_ks = ks or [default_k(corpus, data["labels"])]
            variants = [(corpus, data)]
            if args.drop_boilerplate and part == "raw":
                variants = [(f"{corpus}-bp", drop_boilerplate(data))]
            for name, variant in variants:
                store.doc.setdefault("corpora", {})[name] = variant["stats"]
                log(f"{name}: {variant['stats']}")
                run_corpus(part, name, variant, corpus_ks, seeds, models, args, store, deadline)
            del data, variants
    store.doc["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    store.doc["transfer"] = transfer_doc(store)
    store.save()
    print_tables(store)


if __name__ == "__main__":
    main()
