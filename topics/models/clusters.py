"""Clustering topic model: embeddings -> UMAP -> k-means or HDBSCAN -> c-TF-IDF.

Documents are clustered in a seeded 5-D UMAP of their embeddings: by k-means
when a number of topics is asked for (exactly that many topics, every document
in one), by density (HDBSCAN, then merging) when the number is ``"auto"``.
Topic words come from class-based TF-IDF over the shared vocabulary (the same
one LDA uses), so words and coherence are comparable across models; classes sum
their documents' TF-IDF weights rather than raw counts (see ``document_weights``). HDBSCAN
finds dozens to hundreds of clusters on real corpora; the smallest topic is
repeatedly merged into its most similar one until a readable number is left
(``topics.models.ctfidf`` holds the topic-word and merging code).

Why k-means for a fixed count (``bench/quality.py --part ablation``, 20 topics,
seed 42): HDBSCAN merged down to 20 topics left 13% of BBC and 21% of 20 Newsgroups
as outliers (19% and 40% with Doc2Vec) and can find fewer clusters than asked for;
k-means on the same UMAP space gives the count asked for with no outliers, and
matched the labels better (NMI 0.630 vs 0.561 on BBC, 0.565 vs 0.490 on 20
Newsgroups) at better coherence (NPMI 0.222 vs 0.185 and 0.221 vs 0.213).
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse

from topics.models.ctfidf import (
    class_tfidf,
    count_matrix,
    document_weights,
    group_labels,
    groups_after,
    membership_matrix,
    merge_topics,
    rows_to_distributions,
    sum_by_class,
    top_words,
)
from topics.models.projection import NeighborGraph, reduce_embeddings
from topics.models.spec import Embeddings, FitContext, ModelFit, ModelSpec, NTopics, Refit
from topics.settings import field_problems, problems, raise_problems
from topics.types import FloatArray, IntArray, ModelDetails, Tokens, TopicModelResult

if TYPE_CHECKING:
    from topics.models.embed import EmbedMethod, EmbedSettings

if TYPE_CHECKING:
    from topics.executor import Executor

logger = logging.getLogger(__name__)

#: ``"auto"`` considers topic counts from AUTO_MIN_TOPICS up (see ``topics.models.autok``).
AUTO_MIN_TOPICS = 2
#: Exponent of stability in the ``"auto"`` score. Here stability compares word lists
#: drawn from two halves of the same clusters (no refit), which falls with the count
#: from sampling noise alone (fewer documents per half-topic); at full weight it chose
#: 6 topics for 20 Newsgroups (20 labels), at 0.5 it chose 10-15 (``bench/autok.py``).
#: LDA's search refits on each half and keeps weight 1 (at 0.5 it chose 15 on BBC).
STABILITY_WEIGHT = 0.5
#: Dimensions of the UMAP space HDBSCAN clusters in.
CLUSTER_DIMS = 5
#: HDBSCAN ``min_samples`` (capped by ``min_cluster_size``); lower than HDBSCAN's
#: default (= min_cluster_size) because that made cluster counts jump on 20 Newsgroups.
MIN_SAMPLES = 5
#: A topic's core (see ``core_labels``) keeps at least this many documents: words
#: from one or two documents are idiosyncratic.
CORE_MIN_DOCS = 10
#: k-means restarts (scikit-learn's ``n_init``); the best inertia wins.
KMEANS_INIT = 10
#: Temperature of the softmax that turns cosine similarities into ``doc_topic``.
SOFTMAX_TEMPERATURE = 0.05
#: Words per topic used to score topic quality for ``"auto"``.
QUALITY_TOP_N = 10
#: Above this many documents HDBSCAN's minimum spanning tree is built by the ``hdbscan``
#: package's Boruvka search on a KD-tree instead of scikit-learn's Prim's algorithm, which
#: visits every pair: 90 s against ~10 s on 95k documents, 13.9 s against 2.6 s on 30k
#: (``bench/umap_sample.py``). Same density clusters up to ties between equal distances,
#: which the two searches break differently: ARI 0.99 at 10k, 0.96 at 30k against
#: scikit-learn's labels. Up to it, scikit-learn's HDBSCAN as before.
BORUVKA_ABOVE = 20_000
#: Above ``projection.FIT_SAMPLE`` documents, cluster UMAP's sample alone and label the
#: rest by their nearest sampled documents (``_sample_hdbscan_labels``). At 94,851
#: documents (``bench/umap_sample.py``, seeds 0-3, with ``SAMPLE_EPOCHS``) against
#: HDBSCAN on every document placed by ``transform``: ~21 s of CPU for the clustering
#: instead of ~50 s, mean NMI 0.295 -> 0.346, NPMI 0.173 -> 0.179, outliers 38% -> 27%
#: (seed 3 alone lost: NMI 0.314 -> 0.292, NPMI 0.203 -> 0.172).
SAMPLE_CLUSTERS = True
#: UMAP layout epochs of that sample's clustering space (UMAP's default: 200 at 20,000
#: documents). 100 cost 22 s of CPU instead of 29 s at 94,851 documents, NMI 0.375 ->
#: 0.363, NPMI 0.178 -> 0.182, diversity 0.954 -> 0.944, outliers 26% -> 27%.
SAMPLE_EPOCHS: int | None = 100
#: Rows per block of per-document products with n x d temporaries.
_ROW_BLOCK = 65_536


Clustering = Literal["auto", "kmeans", "hdbscan"]


@dataclass
class ClusterDetails(ModelDetails):
    """What the cluster model records beyond the shared result fields.

    ``merges`` lists the merge steps (see ``merge_topics``; ids are HDBSCAN cluster ids;
    empty for k-means); ``topic_clusters`` and ``topic_merge_ids`` give each topic's raw
    clusters and its id in the merge hierarchy; ``outlier_share`` and ``n_outliers`` are
    counted before any assignment. ``min_cluster_size`` is HDBSCAN's (None for k-means),
    ``n_topics_curve`` the counts ``"auto"`` scored (also the result's ``auto_curve``),
    ``embedder`` the embedding method the run resolved (None outside the pipeline).
    """

    clustering: Literal["kmeans", "hdbscan"]
    merges: list[dict[str, Any]]
    topic_clusters: list[list[int]]
    topic_merge_ids: list[int]
    n_clusters_raw: int
    outlier_share: float
    n_outliers: int
    min_cluster_size: int | None = None
    n_topics_curve: list[dict[str, float]] | None = None
    core_share: float = 1.0
    embedder: EmbedMethod | None = None


@dataclass(frozen=True)
class ClusterSettings:
    """Settings of the clustering topic model; the options are declared in ``topics.settings``.

    The number of topics and the seed are arguments of ``fit_clusters`` (one per run).

    Parameters
    ----------
    clustering
        ``"kmeans"`` (exactly ``n_topics`` topics, no outliers), ``"hdbscan"``
        (density clusters merged down to ``n_topics``, or chosen by quality for
        ``"auto"``; documents in no dense region are outliers, topic -1) or
        ``"auto"``: k-means for a number, HDBSCAN for ``n_topics="auto"``.
    min_cluster_size
        HDBSCAN's smallest cluster; None derives it from the corpus size
        (see ``default_min_cluster_size``). Above ``projection.FIT_SAMPLE`` documents
        HDBSCAN clusters a sample (``SAMPLE_CLUSTERS``) and this size is scaled to it
        (see ``sample_min_cluster_size``).
    assign_outliers
        HDBSCAN only: give each outlier document the topic with the nearest
        centroid instead of leaving it at -1.
    top_n
        Number of topic words kept per topic.
    core_share
        Topic words come from each topic's core: this share of its documents, the
        most similar to its centroid (see ``core_labels``); 1 uses them all.
    """

    clustering: Clustering = "auto"
    min_cluster_size: int | None = None
    assign_outliers: bool = False
    top_n: int = 30
    core_share: float = 0.5

    def algorithm(self, n_topics: int | Literal["auto"]) -> Literal["kmeans", "hdbscan"]:
        """The clustering that runs: ``clustering`` with ``"auto"`` resolved."""
        if self.clustering == "auto":
            return "hdbscan" if n_topics == "auto" else "kmeans"
        return self.clustering

    def problems(self, *, options: bool = True) -> list[str]:
        """Every invalid field; ``options=False``: only those no option sets."""
        problems = field_problems("clusters", self) if options else []
        if not _is_int(self.top_n, minimum=1):
            problems.append(f"top_n: must be an integer of at least 1, got {self.top_n!r}")
        share = self.core_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            problems.append(f"core_share: must be a number in (0, 1], got {share!r}")
        return problems

    def validate(self) -> None:
        """Raise ``SettingsError`` naming every invalid field at once."""
        raise_problems(self.problems())


def default_min_cluster_size(n_docs: int) -> int:
    """HDBSCAN ``min_cluster_size`` for a corpus of ``n_docs`` documents.

    ``round(sqrt(n_docs) / 3)`` clipped to [5, 100], and never above
    ``n_docs``: 16 for the 2,225 BBC articles, 46 for 18,700 newsgroup posts.
    A fixed size (BERTopic's 10) gives hundreds of micro-clusters on large
    corpora; growing with the corpus keeps the raw count near a few dozen.
    """
    size = int(np.clip(round(np.sqrt(max(n_docs, 0)) / 3), 5, 100))
    return max(2, min(size, n_docs))


def sample_min_cluster_size(asked: int | None, n_docs: int, n_sample: int) -> int:
    """HDBSCAN ``min_cluster_size`` on a sample of ``n_sample`` of ``n_docs`` documents.

    Unset, the sample's own default (``default_min_cluster_size(n_sample)``): the sample
    is a random draw of the same documents whatever the corpus size, so its clusters (and
    the share of the rest voted outlier) do not depend on the corpus size. Set, it is
    scaled by the sample's share of the corpus (a cluster is as large a part of the
    sample), but never below ``MIN_SAMPLES``.

    Why not scale the default (``bench/cluster_scale.py``, 94,851 documents, a sample of
    20,000, seeds 0-2): at 2, what a 1M corpus's default scaled to, HDBSCAN split the
    sample into ~4,600 clusters, and the rest, voting among them with outliers' -1,
    took -1 for 66% of its documents against 28% of the sample: 58% outliers, NMI 0.20.
    At 47 (this default) 26% and 0.40; at 21 (100k's scaled default) 27% and 0.36.
    """
    if asked is None:
        return default_min_cluster_size(n_sample)
    return max(min(MIN_SAMPLES, asked), round(asked * n_sample / n_docs))


def fit_clusters(
    tokens: Tokens,
    vocab: list[str],
    embeddings: npt.ArrayLike,
    settings: ClusterSettings | None = None,
    *,
    n_topics: int | Literal["auto"] = "auto",
    seed: int = 0,
    executor: Executor | None = None,
    graph: NeighborGraph | None = None,
) -> TopicModelResult:
    """Fit the clustering topic model.

    Parameters
    ----------
    tokens
        One token list per document; tokens outside ``vocab`` are ignored.
    vocab
        The shared vocabulary topic words are drawn from.
    embeddings
        Document embeddings, shape (n_docs, n_dims).
    settings
        Model settings.
    n_topics
        Number of topics, or ``"auto"`` (see Notes).
    seed
        Seed of UMAP, k-means and the ``"auto"`` search.
    executor
        A Dask cluster: UMAP is fitted on a seeded sample and applied on its workers.
    graph
        The embeddings' neighbour graph (``projection.shared_graph``), which the document
        map reuses; None: UMAP builds its own.

    Returns
    -------
    TopicModelResult
        ``name == "clusters"``; topics numbered by size, largest first.
        ``assignments`` keeps -1 for HDBSCAN's outliers unless ``assign_outliers``
        (k-means leaves none).
        ``doc_topic`` is a softmax over the cosine similarity of each document's
        embedding to the topic centroids (temperature ``SOFTMAX_TEMPERATURE``),
        so its argmax can differ from ``assignments`` for borderline documents.
        ``details`` is a ``ClusterDetails``; ``n_topics_rule`` says how the count was
        reached and, for ``"auto"``, ``auto_curve`` holds the counts scored.

    Notes
    -----
    Embeddings are reduced by UMAP (cosine, 5 dims, seeded). With a number of
    topics, k-means (``KMEANS_INIT`` seeded restarts) splits that space into
    exactly that many topics. Otherwise HDBSCAN finds dense clusters; label -1
    marks outliers. Topic words are c-TF-IDF over ``vocab``. Clusters are then
    merged smallest first into their most similar topic (see ``merge_topics``).

    ``n_topics="auto"`` scores counts along that merge path by the rule LDA
    uses (``topics.models.autok``: NPMI x diversity x split-half stability, the fewest
    topics near the best score). A similarity
    threshold was tried first and rejected: c-TF-IDF similarities on BBC sit
    near 0.2-0.5 at every count and do not mark a natural stopping point.

    If HDBSCAN finds no cluster (tiny or uniform corpora) all documents form
    one topic with no outliers; asking for more topics than clusters keeps all
    the clusters.
    """
    settings = settings or ClusterSettings()
    values = {"n_topics": n_topics, "seed": seed, "clustering": settings.clustering}
    raise_problems(settings.problems() + problems(values, style="field"))
    emb = _check_inputs(tokens, vocab, embeddings)
    algorithm = settings.algorithm(n_topics)
    # k-means on a cluster needs the TF-IDF rows only for the topic words: the workers
    # sum them per topic (``topics.executor.ctfidf``), and the client never builds them.
    on_workers = executor is not None and algorithm == "kmeans"
    counts = None if on_workers else document_weights(count_matrix(tokens, vocab), copy=False)
    if algorithm == "kmeans":
        labels, details, rule = _kmeans(
            emb, int(n_topics), seed=seed, executor=executor, graph=graph
        )
        n_groups = int(labels.max()) + 1
        centroids = _centroids(emb, labels, n_groups)
    else:
        assert counts is not None
        labels, details, rule = _hdbscan_topics(
            tokens, vocab, emb, counts, settings, n_topics, seed, executor, graph
        )
        n_groups = len(details.topic_clusters)
        centroids = _centroids(emb, labels, n_groups)
        if settings.assign_outliers and details.n_outliers:
            outliers = labels < 0
            labels[outliers] = np.argmax(emb[outliers] @ centroids.T, axis=1)
            centroids = _centroids(emb, labels, n_groups)
    # Renumber by size, largest first (stable, so ties keep slot order).
    order = np.argsort(-np.bincount(labels[labels >= 0], minlength=n_groups), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    assignments = np.where(labels >= 0, rank[np.maximum(labels, 0)], -1).astype(np.int64)
    centroids = centroids[order]
    details.topic_clusters = [details.topic_clusters[g] for g in order]
    details.topic_merge_ids = [details.topic_merge_ids[g] for g in order]

    core = core_labels(emb, assignments, n_groups, settings.core_share)
    if counts is None:
        from topics.executor.ctfidf import class_sums

        assert executor is not None
        weights = class_tfidf(class_sums(tokens, vocab, core, n_groups, executor))
    else:
        weights = class_tfidf(sum_by_class(counts, core, n_groups))
    details.core_share = float(settings.core_share)
    return TopicModelResult(
        name="clusters",
        vocab=list(vocab),
        topic_term=rows_to_distributions(weights),
        doc_topic=_doc_topic(emb, centroids),
        assignments=assignments,
        topic_words=[top_words(row, vocab, settings.top_n) for row in weights],
        settings=asdict(settings) | {"n_topics": n_topics, "seed": seed, "algorithm": algorithm},
        n_topics_rule=rule,
        auto_curve=details.n_topics_curve,
        details=details,
    )


def _kmeans(
    emb: FloatArray,
    n_topics: int,
    *,
    seed: int,
    executor: Executor | None = None,
    graph: NeighborGraph | None = None,
) -> tuple[IntArray, ClusterDetails, str]:
    """k-means in the 5-D UMAP space: labels 0..k-1 (no outliers), details and rule."""
    from sklearn.cluster import KMeans

    _, inverse = np.unique(emb.round(decimals=6), axis=0, return_inverse=True)
    distinct = int(inverse.max()) + 1
    k = min(n_topics, distinct)
    if k == distinct:
        # No more distinct documents than topics: each distinct one is a topic.
        labels = np.asarray(inverse, dtype=np.int64).ravel()
    else:
        reduced = reduce_embeddings(
            emb, n_components=CLUSTER_DIMS, seed=seed, executor=executor, graph=graph
        )
        model = KMeans(n_clusters=k, n_init=KMEANS_INIT, random_state=seed)
        labels = np.asarray(model.fit_predict(reduced), dtype=np.int64)
        # Identical points can leave a cluster empty: keep the ids contiguous.
        labels = np.unique(labels, return_inverse=True)[1].astype(np.int64)
    found = int(labels.max()) + 1
    if k == distinct and found < n_topics:
        rule = (
            f"{n_topics} topics were asked for, but there are only {distinct} distinct "
            f"documents, so each distinct document is a topic."
        )
    else:
        rule = (
            f"{n_topics} topics were asked for; k-means in a 5-dimensional UMAP of the "
            f"embeddings split the documents into {found} groups, every document in one"
        )
        rule += "." if found == n_topics else ", as some documents fell on the same point there."
    if found < n_topics:
        logger.warning("asked for %d topics but only %d could be formed", n_topics, found)
    logger.info("k-means: %d topics", found)
    details = ClusterDetails(
        clustering="kmeans",
        merges=[],
        topic_clusters=[[g] for g in range(found)],
        topic_merge_ids=list(range(found)),
        n_clusters_raw=found,
        outlier_share=0.0,
        n_outliers=0,
    )
    return labels, details, rule


def _hdbscan_topics(
    tokens: Tokens,
    vocab: list[str],
    emb: FloatArray,
    counts: sparse.csr_matrix,
    settings: ClusterSettings,
    asked: int | Literal["auto"],
    seed: int,
    executor: Executor | None = None,
    graph: NeighborGraph | None = None,
) -> tuple[IntArray, ClusterDetails, str]:
    """HDBSCAN clusters merged into topics: labels (-1 for outliers), details and rule."""
    n_docs = len(tokens)
    if _samples(executor, graph):
        assert graph is not None and graph.sample is not None
        min_cluster_size = sample_min_cluster_size(
            settings.min_cluster_size, n_docs, graph.sample.size
        )
    else:
        min_cluster_size = settings.min_cluster_size or default_min_cluster_size(n_docs)

    raw = _hdbscan_labels(
        emb, min_cluster_size=min_cluster_size, seed=seed, executor=executor, graph=graph
    )
    no_clusters = bool(raw.max() < 0)
    if no_clusters:
        logger.warning("HDBSCAN found no cluster in %d documents; using one topic", n_docs)
        raw = np.zeros(n_docs, dtype=np.int64)
    n_outliers = int(np.sum(raw < 0))
    outlier_share = n_outliers / n_docs
    n_raw = int(raw.max()) + 1
    logger.info(
        "HDBSCAN: %d clusters, %.1f%% outliers (min_cluster_size=%d)",
        n_raw,
        100 * outlier_share,
        min_cluster_size,
    )

    # sum_by_class leaves -1 out: no copy of the clustered rows (the same sums).
    raw_counts = sum_by_class(counts, raw, n_raw)
    raw_sizes = np.bincount(raw[raw >= 0], minlength=n_raw)
    curve: list[dict[str, float]] = []
    if no_clusters:
        n_topics = 1
        rule = "HDBSCAN found no dense cluster, so all documents form one topic."
    elif asked == "auto":
        n_topics, curve, rule = choose_n_topics(
            tokens,
            vocab,
            raw_counts,
            raw_sizes,
            core=(emb, raw, counts, settings.core_share),
            seed=seed,
        )
    else:
        n_topics = min(asked, n_raw)
        rule = f"{asked} topics were asked for"
        if n_raw < asked:
            rule += f", but HDBSCAN found only {n_raw} clusters, so none were merged."
            logger.warning("asked for %d topics but found only %d clusters", asked, n_raw)
        else:
            rule += f"; the {n_raw} HDBSCAN clusters were merged down to {n_topics}."
    merges, groups = merge_topics(raw_counts, raw_sizes, n_topics)
    logger.info("%d clusters merged into %d topics", n_raw, len(groups))

    owner = {c: gid for gid, members in groups_after(n_raw, merges).items() for c in members}
    details = ClusterDetails(
        clustering="hdbscan",
        merges=merges,
        topic_clusters=[sorted(int(c) for c in members) for members in groups],
        topic_merge_ids=[owner[members[0]] for members in groups],
        n_clusters_raw=0 if no_clusters else n_raw,
        outlier_share=float(outlier_share),
        n_outliers=n_outliers,
        min_cluster_size=int(min_cluster_size),
        # Also the result's ``auto_curve``, the name the report reads for every model.
        n_topics_curve=curve or None,
    )
    return group_labels(raw, groups), details, rule


def choose_n_topics(
    tokens: Tokens,
    vocab: list[str],
    class_counts: sparse.csr_matrix,
    sizes: IntArray,
    *,
    core: tuple[FloatArray, IntArray, sparse.csr_matrix, float] | None = None,
    seed: int = 0,
) -> tuple[int, list[dict[str, float]], str]:
    """Pick the topic count for ``n_topics="auto"`` by the rule of ``topics.models.autok``.

    The counts of ``topics.models.autok.candidates`` (at most ``sqrt(n_docs / 2)`` and the number
    of HDBSCAN clusters) are scored along the merge path. Stability needs no refit here:
    each topic's words are drawn once from the documents of one seeded half of the corpus
    and once from the other half, and compared topic by topic.

    ``core`` = (embeddings, raw labels, document weights, core share) scores each
    count by words from its topics' cores, as the final topic words are
    (see ``core_labels``); without it, words come from every clustered document
    (and stability from the documents' raw clusters is not available: it is 1).

    Returns
    -------
    n_topics
        The chosen count.
    curve
        ``{"n_topics", "npmi", "diversity", "stability", "quality", "score"}`` per count.
    rule
        A sentence explaining the choice.
    """
    from topics.evaluate.scores import score_coherence, topic_diversity
    from topics.models import autok

    n_raw = class_counts.shape[0]
    grid = [k for k in autok.candidates(len(tokens), AUTO_MIN_TOPICS) if k <= n_raw]
    if n_raw <= autok.upper_bound(len(tokens)):
        grid = sorted(set(grid) | {n_raw})
    if len(grid) <= 1:
        rule = f"'auto': HDBSCAN found {n_raw} cluster(s), too few to choose among; kept as topics."
        return n_raw, [], rule
    merges, _ = merge_topics(class_counts, sizes, grid[0])
    first, second = autok.halves(len(tokens), seed)
    # Each half's rows once, not once per count (each slice copies its rows).
    half_rows = [] if core is None else [(core[2][half], half) for half in (first, second)]
    words_at: dict[int, list[list[str]]] = {}
    halves_at: dict[int, list[list[list[str]]]] = {}
    for k in grid:
        groups = list(groups_after(n_raw, merges[: n_raw - k]).values())
        if core is None:
            weights = class_tfidf(membership_matrix(groups, n_raw) @ class_counts)
            words_at[k] = [top_words(row, vocab, QUALITY_TOP_N) for row in weights]
            continue
        emb, raw, counts, share = core
        core_k = core_labels(emb, group_labels(raw, groups), len(groups), share)
        weights = class_tfidf(sum_by_class(counts, core_k, len(groups)))
        words_at[k] = [top_words(row, vocab, QUALITY_TOP_N) for row in weights]
        halves_at[k] = []
        for rows, half in half_rows:
            half_weights = class_tfidf(sum_by_class(rows, core_k[half], len(groups)))
            halves_at[k].append([top_words(row, vocab, QUALITY_TOP_N) for row in half_weights])
    # Score each distinct word list once: most topics are unchanged between counts.
    unique = list(dict.fromkeys(tuple(w) for words in words_at.values() for w in words))
    npmi = score_coherence(tokens, [list(w) for w in unique], top_n=QUALITY_TOP_N).npmi
    score = dict(zip(unique, npmi, strict=True))
    curve = []
    for k, words in words_at.items():
        stability = autok.paired_overlap(*halves_at[k]) if k in halves_at else 1.0
        curve.append(
            autok.point(
                k,
                float(np.mean([score[tuple(w)] for w in words])),
                topic_diversity(words, top_n=QUALITY_TOP_N),
                stability,
                stability_weight=STABILITY_WEIGHT,
            )
        )
    chosen = autok.choose(curve)
    how = f"the {n_raw} HDBSCAN clusters were merged smallest first into their closest topic."
    rule = autok.describe(curve, chosen, how)
    logger.info("auto n_topics: %d", chosen)
    return chosen, curve, rule


def _check_inputs(
    tokens: Tokens, vocab: list[str], embeddings: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    problems = []
    # Always a copy, so rows are normalised in place: one n x d float64 array, not two.
    emb = np.array(embeddings, dtype=np.float64)
    if len(tokens) == 0:
        problems.append("tokens is empty: there are no documents to cluster")
    if emb.ndim != 2:
        problems.append(f"embeddings must be 2-D (n_docs, n_dims), got shape {emb.shape}")
    elif emb.shape[0] != len(tokens):
        problems.append(
            f"embeddings has {emb.shape[0]} rows but there are {len(tokens)} token lists"
        )
    elif not np.isfinite(emb).all():
        problems.append("embeddings contains NaN or infinite values")
    if len(vocab) == 0:
        problems.append("vocab is empty")
    elif len(set(vocab)) != len(vocab):
        problems.append("vocab contains duplicate terms")
    if problems:
        raise ValueError("cannot fit clusters: " + "; ".join(problems))
    # By row blocks: ``norm`` squares a whole array at once (another n x d float64).
    norms = np.empty((emb.shape[0], 1), dtype=np.float64)
    for start in range(0, emb.shape[0], _ROW_BLOCK):
        block = emb[start : start + _ROW_BLOCK]
        norms[start : start + _ROW_BLOCK] = np.linalg.norm(block, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    emb /= norms
    return emb


def _hdbscan_labels(
    emb: FloatArray,
    *,
    min_cluster_size: int,
    seed: int,
    executor: Executor | None = None,
    graph: NeighborGraph | None = None,
) -> IntArray:
    n_docs = emb.shape[0]
    size = min(min_cluster_size, n_docs)
    if n_docs < 3 or size < 2:
        return np.full(n_docs, -1, dtype=np.int64)
    if _samples(executor, graph):
        assert graph is not None
        return _sample_hdbscan_labels(emb, size, seed, graph)
    reduced = reduce_embeddings(
        emb, n_components=CLUSTER_DIMS, seed=seed, executor=executor, graph=graph
    )
    if n_docs > BORUVKA_ABOVE:
        return _boruvka_labels(reduced, size)
    from sklearn.cluster import HDBSCAN

    model = HDBSCAN(
        min_cluster_size=size,
        min_samples=min(MIN_SAMPLES, size),
        metric="euclidean",
        # copy=True: explicit to silence sklearn's FutureWarning; the input is ours anyway.
        copy=True,
    )
    return np.asarray(model.fit_predict(reduced), dtype=np.int64)


def _samples(executor: Executor | None, graph: NeighborGraph | None) -> bool:
    """Whether HDBSCAN clusters UMAP's sample alone (``SAMPLE_CLUSTERS``)."""
    return SAMPLE_CLUSTERS and executor is None and graph is not None and graph.sample is not None


def _boruvka_labels(reduced: FloatArray, min_cluster_size: int) -> IntArray:
    """HDBSCAN labels from the ``hdbscan`` package's Boruvka spanning tree."""
    import hdbscan

    # The hdbscan package counts a point's core neighbours without the point itself.
    fast = hdbscan.HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=max(min(MIN_SAMPLES, min_cluster_size) - 1, 1),
        algorithm="boruvka_kdtree",
        core_dist_n_jobs=1,
    )
    return np.asarray(fast.fit_predict(reduced), dtype=np.int64)


def _sample_hdbscan_labels(
    emb: FloatArray, min_cluster_size: int, seed: int, graph: NeighborGraph
) -> IntArray:
    """HDBSCAN on the UMAP sample alone; every other document takes its neighbours' label.

    The sample is clustered in its 5-D UMAP (``min_cluster_size`` is the sample's, see
    ``sample_min_cluster_size``); each other document
    then takes the label most of its ``graph.rest_indices`` (its nearest sampled
    documents, in the embedding space) carry, outliers' -1 included, ties to the label
    of the nearer ones. This skips UMAP's ``transform`` of the rest and clusters a
    fifth of the points.
    """
    assert graph.sample is not None and graph.rest is not None
    assert graph.rest_indices is not None
    n_docs = emb.shape[0]
    reduced = reduce_embeddings(
        emb,
        n_components=CLUSTER_DIMS,
        seed=seed,
        graph=graph,
        sample_only=True,
        n_epochs=SAMPLE_EPOCHS,
    )
    sample_labels = _boruvka_labels(reduced, min_cluster_size)
    raw = np.empty(n_docs, dtype=np.int64)
    raw[graph.sample] = sample_labels
    raw[graph.rest] = _vote(sample_labels[graph.rest_indices])
    return raw


def _vote(neighbour_labels: IntArray) -> IntArray:
    """Each row's most frequent label (-1 included), ties to the label of nearer columns.

    Columns are neighbours nearest first; each vote weighs 1 plus a bonus for rank that
    sums to less than 1 over a row, so it decides ties and nothing else.
    """
    n_rows, k = neighbour_labels.shape
    bonus = (k - np.arange(k)) / (k * (k + 1))
    weights = np.broadcast_to(1.0 + bonus, (n_rows, k))
    votes = sparse.csr_matrix(
        (weights.ravel(), (np.repeat(np.arange(n_rows), k), neighbour_labels.ravel() + 1)),
        shape=(n_rows, int(neighbour_labels.max()) + 2),
    )
    return np.asarray(votes.argmax(axis=1), dtype=np.int64).ravel() - 1


def core_labels(
    emb: FloatArray,
    labels: IntArray,
    n_topics: int,
    share: float,
    *,
    min_docs: int = CORE_MIN_DOCS,
) -> IntArray:
    """``labels`` with each document outside its topic's core set to -1.

    A topic's core is the ``share`` of its documents (but at least ``min_docs``, or
    all of a smaller topic) whose embeddings are most similar by cosine to the
    topic's centroid; ties keep document order.
    Topic words are drawn from the core alone: documents at a topic's edge, half in
    another topic, otherwise lend it their words. With the same k-means clusters
    (20 topics, ``bench/quality.py --part ablation``), words from the closer half
    raised NPMI from 0.200 to 0.222 on BBC and from 0.159 to 0.221 on 20 Newsgroups,
    and topic diversity with it.
    """
    if share >= 1:
        return labels.copy()
    centroids = _centroids(emb, labels, n_topics)
    similarity = _own_similarity(emb, centroids, labels)
    core = np.full_like(labels, -1)
    for topic in range(n_topics):
        members = np.flatnonzero(labels == topic)
        keep = max(min(min_docs, members.size), math.ceil(share * members.size))
        core[members[np.argsort(-similarity[members], kind="stable")[:keep]]] = topic
    return core


def _own_similarity(emb: FloatArray, centroids: FloatArray, labels: IntArray) -> FloatArray:
    """Each row's dot product with its label's centroid (label -1: centroid 0's).

    By blocks of ``_ROW_BLOCK`` rows: the centroid of every row at once would be another
    n x d float64 array (800 MB at 1M documents, once per count ``"auto"`` scores).
    """
    similarity = np.empty(emb.shape[0], dtype=np.float64)
    own = np.maximum(labels, 0)
    for start in range(0, emb.shape[0], _ROW_BLOCK):
        end = start + _ROW_BLOCK
        similarity[start:end] = np.einsum("ij,ij->i", emb[start:end], centroids[own[start:end]])
    return similarity


def _centroids(emb: FloatArray, labels: IntArray, n_topics: int) -> FloatArray:
    keep = np.flatnonzero(labels >= 0)
    # A 0/1 membership product sums each topic's rows in document order, as np.add.at
    # does, at a fraction of its cost (7 s of the auto count at 95k documents).
    membership = sparse.csr_matrix(
        (np.ones(keep.size), (labels[keep], keep)), shape=(n_topics, emb.shape[0])
    )
    sums = np.asarray(membership @ emb, dtype=np.float64)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return sums / norms


def _softmax(scores: FloatArray) -> FloatArray:
    """Row softmax, in place: ``scores`` becomes the result (no n x k temporaries)."""
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


def _doc_topic(emb: FloatArray, centroids: FloatArray) -> FloatArray:
    """Softmax over each document's cosine similarity to the topic centroids."""
    scores = emb @ centroids.T
    scores /= SOFTMAX_TEMPERATURE
    return _softmax(scores)


def _is_int(value: object, *, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


# -- the plug-in (``topics.models.registry``) ----------------------------------------------


def _embed_settings(context: FitContext) -> EmbedSettings:
    """The run's embedder with ``auto`` resolved for this corpus."""
    from topics.models.embed import resolve_method

    return resolve_method(context.pre.tokens, context.settings.embed)


def _embed(context: FitContext, embed: EmbedSettings) -> Embeddings:
    """The run's document vectors, from the embedding cache when it holds them.

    LSA and Doc2Vec fit the whole corpus: vectors are reused only for an identical one.
    """
    from topics.models.embed import embed_documents

    return embed_documents(
        context.pre.tokens,
        embed,
        seed=context.settings.seed,
        cache_dir=context.embeddings_dir,
        texts=context.texts,
        on_cache=context.count_hit("embedded"),
        executor=context.executor,
    )


def _cluster(
    context: FitContext,
    embeddings: Embeddings,
    n_topics: NTopics,
    graph: NeighborGraph | None = None,
) -> TopicModelResult:
    pre, settings = context.pre, context.settings
    return fit_clusters(
        pre.tokens,
        pre.vocab,
        embeddings,
        settings.clusters,
        n_topics=n_topics,
        seed=settings.seed,
        executor=context.executor,
        graph=graph,
    )


def _fit_model(context: FitContext) -> ModelFit:
    """Embed, cluster and project: the model, the embeddings and the 2-D map.

    The clustering space and the map start from one neighbour graph, built here and
    handed to both (UMAP would search for it twice).
    """
    from topics.models.projection import project_2d, shared_graph

    seed, executor = context.settings.seed, context.executor
    with context.stage("embedding documents", "embed"):
        embed = _embed_settings(context)
        embeddings = _embed(context, embed)
    with context.stage("clustering documents", "clusters"):
        graph = shared_graph(embeddings, seed=seed, executor=executor)
        model = _cluster(context, embeddings, context.settings.n_topics, graph)
        ClusterDetails.of(model).embedder = embed.method
    with context.stage("drawing the document map", "map"):
        coords = project_2d(embeddings, seed=seed, executor=executor, graph=graph)
    return ModelFit(model, embeddings=embeddings, coords=coords)


def _choose_count(context: FitContext) -> int:
    """The count this model's ``"auto"`` rule chooses, for a model taking it (LDA alone)."""
    with context.stage("choosing the number of topics (embedding clusters' rule)", "count"):
        embeddings = _embed(context, _embed_settings(context))
        return _cluster(context, embeddings, "auto").n_topics


def _restore(context: FitContext) -> Embeddings:
    """The document vectors of cached fits (the report's similar documents need them)."""
    return _embed(context, _embed_settings(context))


def _refit(job: Refit) -> TopicModelResult:
    from topics.models.embed import embed_documents

    settings = job.settings
    # Keep the clustering the full run used, at the count it arrived at.
    algorithm = job.model.settings.get("algorithm") or settings.clusters.algorithm(
        settings.n_topics
    )
    cluster_settings = replace(settings.clusters, clustering=algorithm)
    # The embedder the full run resolved ("auto" could resolve otherwise on a sample).
    details = job.model.details
    embedder = details.embedder if isinstance(details, ClusterDetails) else None
    embed_settings = replace(settings.embed, method=embedder or settings.embed.method)
    if embed_settings.method == "sentence-transformers":
        if job.embeddings is None:
            raise ValueError("stability of sentence-transformers clusters needs embeddings")
        vectors = np.asarray(job.embeddings)[job.sample]
    else:
        vectors = embed_documents(job.tokens, embed_settings, seed=job.seed)
    return fit_clusters(
        job.tokens, job.vocab, vectors, cluster_settings, n_topics=job.model.n_topics, seed=job.seed
    )


SPEC = ModelSpec(
    name="clusters",
    title="Embedding clusters",
    fit=_fit_model,
    n_topics=lambda settings: settings.n_topics,
    refit=_refit,
    details=ClusterDetails,
    partial="_model_clusters.html.j2",
    short="clusters",
    topic_noun="cluster topic",
    described="the embedding-cluster model",
    csv_prefix="cluster",
    restore=_restore,
    choose_count=_choose_count,
)
