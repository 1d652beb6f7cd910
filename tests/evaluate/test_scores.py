"""Tests for topics.evaluate.scores: hand-computed values, equality with gensim, edge cases."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import CoherenceModel

from topics.evaluate.scores import (
    EPSILON,
    METRIC_EXPLANATIONS,
    CoherenceScores,
    label_agreement,
    score_coherence,
    score_model,
    topic_diversity,
)
from topics.types import TopicModelResult

N_PLANTED = 5


def planted_corpus(seed: int = 0, n_docs: int = 300) -> tuple[list[list[str]], list[list[str]]]:
    """Documents drawn from planted topics (Zipf-weighted words) plus uniform noise words.

    Lengths vary from empty to longer than the c_v window, and words repeat inside
    windows, so every counting rule is exercised.
    """
    rng = np.random.default_rng(seed)
    topics = [[f"t{k}w{i}" for i in range(15)] for k in range(N_PLANTED)]
    noise = [f"noise{i}" for i in range(80)]
    weights = 1.0 / np.arange(1, 16)
    weights /= weights.sum()
    lengths = [0, 0, 1, 4, 9, 10, 11, 25, 40, 60, 80, 109, 110, 111, 160, 240]
    docs = []
    for _ in range(n_docs):
        mine = rng.choice(N_PLANTED, size=2, replace=False)
        doc = []
        for _ in range(int(rng.choice(lengths))):
            if rng.random() < 0.25:
                doc.append(noise[rng.integers(len(noise))])
            else:
                topic = topics[mine[0] if rng.random() < 0.7 else mine[1]]
                doc.append(topic[rng.choice(15, p=weights)])
        docs.append(doc)
    return docs, [t[:10] for t in topics]


def gensim_scores(docs: list[list[str]], topics: list[list[str]], measure: str) -> list[float]:
    model = CoherenceModel(
        topics=topics,
        texts=docs,
        dictionary=Dictionary(docs),
        coherence=measure,
        topn=10,
        processes=1,
    )
    return [float(v) for v in model.get_coherence_per_topic()]


def assert_finite(scores: CoherenceScores) -> None:
    values = [*scores.npmi, *scores.c_v, *scores.umass]
    values += [scores.npmi_mean, scores.c_v_mean, scores.umass_mean]
    assert all(math.isfinite(v) for v in values), scores


# --- hand-computed NPMI: documents shorter than 10 tokens are one window each ---


def test_npmi_of_always_together_pair_is_one() -> None:
    docs = [["a", "b"], ["a", "b"], ["c"], ["d"]]
    assert score_coherence(docs, [["a", "b"]]).npmi[0] == pytest.approx(1.0, abs=1e-9)


def test_npmi_of_independent_pair_is_zero() -> None:
    docs = [["a", "c"], ["a", "x"], ["c", "x"], ["x"]]  # p(a) = p(c) = 1/2, p(a, c) = 1/4
    assert score_coherence(docs, [["a", "c"]]).npmi[0] == pytest.approx(0.0, abs=1e-9)


def test_npmi_of_never_together_pair_is_gensims_smoothed_minus_one() -> None:
    docs = [["a"], ["c"], ["x"], ["x"]]  # p(a) = p(c) = 1/4, p(a, c) = 0
    expected = math.log(EPSILON / (0.25 * 0.25)) / -math.log(EPSILON)
    npmi = score_coherence(docs, [["a", "c"]]).npmi[0]
    assert npmi == pytest.approx(expected, abs=1e-12)
    assert -1.0 <= npmi < -0.85  # tends to -1 as eps -> 0; eps is kept for gensim parity


def test_pair_in_every_window_scores_one_not_gensims_minus_one() -> None:
    scores = score_coherence([["a", "b", "c"]], [["a", "b", "c"]])
    assert scores.npmi == [1.0]
    assert scores.c_v == [pytest.approx(1.0)]


def test_sliding_window_unmarks_a_repeated_word_like_gensim() -> None:
    # 12 tokens -> windows 0..9, 1..10, 2..11. "a" sits at 0 and 9: gensim unmarks it when
    # position 0 leaves, so it counts in 1 of 3 windows, while "b" at 10 counts in 2.
    doc = ["a", *[f"x{i}" for i in range(8)], "a", "b", "y"]
    p_a, p_b = 1 / 3, 2 / 3
    expected = math.log(EPSILON / (p_a * p_b)) / -math.log(EPSILON)
    assert score_coherence([doc], [["a", "b"]]).npmi[0] == pytest.approx(expected, abs=1e-12)
    assert gensim_scores([doc], [["a", "b"]], "c_npmi")[0] == pytest.approx(expected, abs=1e-12)


# --- equality with gensim ---


@pytest.mark.parametrize("seed", [0, 1])
def test_equals_gensim_per_topic_on_planted_corpus(seed: int) -> None:
    docs, planted = planted_corpus(seed)
    rng = np.random.default_rng(seed + 10)
    vocab = sorted({w for doc in docs for w in doc})
    shuffled = [list(rng.choice(vocab, size=10, replace=False)) for _ in range(2)]
    with_absent = [*planted[0][:4], "absent_word", *planted[1][:5]]
    repeated = ["t2w0", "t2w1", "t2w0", "t3w0"]
    topics = [*planted, *shuffled, with_absent, repeated]

    ours = score_coherence(docs, topics, top_n=10)

    for measure, mine, tol in [
        ("c_npmi", ours.npmi, 1e-6),
        ("c_v", ours.c_v, 1e-4),
        ("u_mass", ours.umass, 1e-6),
    ]:
        theirs = gensim_scores(docs, topics, measure)
        assert mine == pytest.approx(theirs, abs=tol), measure


def test_absent_words_are_left_out_not_nan() -> None:
    docs, planted = planted_corpus(0)
    ours = score_coherence(docs, [[*planted[0][:3], "nowhere"]])
    alone = score_coherence(docs, [planted[0][:3]])
    assert ours == alone


# --- planted structure ---


def test_planted_topics_score_higher_than_random_words() -> None:
    docs, planted = planted_corpus(3, n_docs=400)
    rng = np.random.default_rng(3)
    vocab = sorted({w for doc in docs for w in doc})
    shuffled = [list(rng.choice(vocab, size=10, replace=False)) for _ in range(N_PLANTED)]
    good = score_coherence(docs, planted)
    bad = score_coherence(docs, shuffled)
    assert good.npmi_mean > 0.1
    assert min(good.npmi) > max(bad.npmi)
    assert good.c_v_mean > bad.c_v_mean
    assert good.umass_mean > bad.umass_mean


def test_sample_is_deterministic_and_bounded() -> None:
    docs, planted = planted_corpus(4, n_docs=400)
    first = score_coherence(docs, planted, max_docs=150, seed=7)
    assert first == score_coherence(docs, planted, max_docs=150, seed=7)
    assert first != score_coherence(docs, planted)
    assert score_coherence(docs, planted, max_docs=400) == score_coherence(docs, planted)
    assert_finite(first)


# --- topic diversity ---


def test_diversity_of_disjoint_topics_is_one() -> None:
    assert topic_diversity([["a", "b"], ["c", "d"], ["e", "f"]]) == 1.0


def test_diversity_of_identical_topics_is_one_over_n_topics() -> None:
    assert topic_diversity([["a", "b", "c"]] * 4) == pytest.approx(0.25)


def test_diversity_counts_only_top_n_words() -> None:
    topics = [["a", "b", "shared"], ["c", "d", "shared"]]
    assert topic_diversity(topics, top_n=2) == 1.0
    assert topic_diversity(topics, top_n=3) == pytest.approx(5 / 6)
    assert topic_diversity([]) == 0.0


# --- label agreement ---


def test_perfect_assignment_agrees_fully() -> None:
    scores = label_agreement([0, 0, 1, 1, 2, 2], ["a", "a", "b", "b", "c", "c"])
    assert scores == pytest.approx({"nmi": 1.0, "ari": 1.0, "purity": 1.0})


def test_permuted_labels_agree_fully() -> None:
    scores = label_agreement([2, 2, 0, 0, 1, 1, -1], ["a", "a", "b", "b", "c", "c", "d"])
    assert scores == pytest.approx({"nmi": 1.0, "ari": 1.0, "purity": 1.0})


def test_random_assignment_agrees_about_zero() -> None:
    rng = np.random.default_rng(0)
    labels = [str(x) for x in rng.integers(0, 5, 3000)]
    scores = label_agreement(rng.integers(0, 5, 3000).tolist(), labels)
    assert scores["nmi"] < 0.02
    assert abs(scores["ari"]) < 0.02
    assert scores["purity"] < 0.3


def test_unlabelled_documents_are_ignored() -> None:
    scores = label_agreement([0, 0, 1, 1, 1], ["a", "a", None, "b", "b"])
    assert scores["purity"] == 1.0
    assert label_agreement([0, 1], ["a", None]) == {}
    with pytest.raises(ValueError, match="same length"):
        label_agreement([0, 1], ["a"])


# --- degenerate inputs ---


@pytest.mark.parametrize(
    ("docs", "topics"),
    [
        ([[], [], []], [["a", "b"]]),
        ([], [["a", "b"]]),
        ([["a", "b", "c"]], [["a", "b"], ["c"]]),
        ([["a", "b"], ["b", "c"]], [["a"]]),
        ([["a", "b"], ["b", "c"]], [["x", "y", "z"], []]),
        ([["a", "b"], ["b", "c"]], []),
    ],
    ids=["empty-docs", "no-docs", "one-doc", "one-word-topic", "all-unseen", "no-topics"],
)
def test_degenerate_inputs_give_finite_scores(
    docs: list[list[str]], topics: list[list[str]]
) -> None:
    scores = score_coherence(docs, topics)
    assert len(scores.npmi) == len(scores.c_v) == len(scores.umass) == len(topics)
    assert_finite(scores)


def test_unseen_topic_scores_zero() -> None:
    scores = score_coherence([["a", "b"], ["b", "c"]], [["x", "y"]])
    assert (scores.npmi, scores.c_v, scores.umass) == ([0.0], [0.0], [0.0])


def test_invalid_top_n_is_rejected() -> None:
    with pytest.raises(ValueError, match="top_n"):
        score_coherence([["a"]], [["a"]], top_n=0)


# --- score_model ---


def make_result(topic_words: list[list[str]], assignments: list[int]) -> TopicModelResult:
    n_topics, n_docs = len(topic_words), len(assignments)
    vocab = sorted({w for t in topic_words for w in t})
    return TopicModelResult(
        name="fake",
        vocab=vocab,
        topic_term=np.full((n_topics, len(vocab)), 1 / len(vocab)),
        doc_topic=np.full((n_docs, n_topics), 1 / n_topics),
        assignments=np.array(assignments, dtype=np.int64),
        topic_words=topic_words,
    )


def test_score_model_reports_every_metric() -> None:
    docs, planted = planted_corpus(5, n_docs=100)
    assignments = [i % N_PLANTED for i in range(99)] + [-1]
    result = make_result(planted, assignments)

    plain = score_model(result, docs)
    assert list(plain.metrics) == ["npmi", "c_v", "umass", "diversity", "outlier_share"]
    assert plain.metrics["outlier_share"] == pytest.approx(0.01)
    assert plain.metrics["diversity"] == 1.0
    coherence = score_coherence(docs, planted)
    assert plain.per_topic[2] == {
        "npmi": coherence.npmi[2],
        "c_v": coherence.c_v[2],
        "umass": coherence.umass[2],
    }

    labels = [f"label{a}" for a in assignments]
    labelled = score_model(result, docs, labels)
    assert set(labelled.metrics) == {*plain.metrics, "nmi", "ari", "purity"}
    assert labelled.metrics["purity"] == 1.0
    assert set(labelled.metrics) <= set(METRIC_EXPLANATIONS)
    assert all(math.isfinite(v) for v in labelled.metrics.values())
