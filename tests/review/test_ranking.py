"""The review stage: planted wrong labels come first, ranks never tie, review.csv contract."""

from __future__ import annotations

import csv
import html as html_lib
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from tests.browser import open_report
from tests.conftest import REPO, Planted, SampleReport, planted_corpus, write_tree
from topics.models.lda import fit_lda
from topics.pipeline import RunSettings, run_pipeline
from topics.preprocess.tokens import PreprocessSettings
from topics.report import write_report_files
from topics.report.data import REVIEW_COLUMNS
from topics.review import ranking
from topics.review.ranking import SIGNALS, review_documents
from topics.types import TopicModelResult

NOISE = 0.1


def _noisy(planted: Planted, rate: float = NOISE, seed: int = 0) -> tuple[list[str], set[int]]:
    """The planted topic of each document as its label, with ``rate`` moved elsewhere."""
    n_topics = len(planted.topics)
    labels = [f"topic{t}" for t in planted.main_topic]
    rng = np.random.default_rng(seed)
    moved = {int(i) for i in rng.choice(len(labels), round(rate * len(labels)), replace=False)}
    for i in moved:
        t = planted.main_topic[i]
        labels[i] = f"topic{(t + 1 + int(rng.integers(n_topics - 1))) % n_topics}"
    return labels, moved


@pytest.fixture(scope="module")
def lda(planted: Planted) -> TopicModelResult:
    vocab = sorted({w for doc in planted.tokens for w in doc})
    return fit_lda(planted.tokens, vocab, n_topics=len(planted.topics), seed=0)


def test_planted_wrong_labels_rank_first(planted: Planted, lda: TopicModelResult) -> None:
    labels, moved = _noisy(planted)
    review = review_documents(planted.tokens, labels, {"lda": lda}, seed=0)
    k = len(moved)
    top = {int(i) for i in review.order[:k]}
    # A random ranking finds NOISE * k of them; confident learning nearly all.
    assert len(top & moved) >= 0.8 * k
    for i in moved:
        assert review.suggested_label[i] == f"topic{planted.main_topic[i]}" or i not in top
        assert review.signals["label_suspicion"][i] > 0.5 or i not in top
    first = int(review.order[0])
    assert review.reasons[first].startswith(f"filed under {labels[first]}; reads like ")
    # Documents whose label is sound get no suggestion.
    sound = [i for i in range(len(labels)) if i not in moved]
    assert sum(1 for i in sound if review.suggested_label[i]) <= 0.05 * len(sound)


def test_ranks_are_a_permutation_and_deterministic(planted: Planted, lda: TopicModelResult) -> None:
    labels, _ = _noisy(planted)
    one = review_documents(planted.tokens, labels, {"lda": lda}, seed=3)
    two = review_documents(planted.tokens, labels, {"lda": lda}, seed=3)
    n = len(planted.tokens)
    assert sorted(one.rank.tolist()) == list(range(1, n + 1))
    assert np.array_equal(one.order, two.order) and np.array_equal(one.score, two.score)
    ordered = one.score[one.order]
    assert np.all(np.diff(ordered) <= 0)
    # Every signal lies in [0, 1] and is kept for every document.
    assert set(one.signals) == set(SIGNALS)
    for values in one.signals.values():
        assert values.shape == (n,) and values.min() >= 0 and values.max() <= 1


def test_regression_on_a_sample_of_large_folds(
    planted: Planted, lda: TopicModelResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above ``LINEAR_MAX_ROWS`` the mixture regression fits a sample; the ranking holds."""
    labels, moved = _noisy(planted)
    whole = review_documents(planted.tokens, labels, {"lda": lda}, seed=0)
    monkeypatch.setattr(ranking, "LINEAR_MAX_ROWS", 60)
    sampled = review_documents(planted.tokens, labels, {"lda": lda}, seed=0)
    again = review_documents(planted.tokens, labels, {"lda": lda}, seed=0)
    assert np.array_equal(sampled.score, again.score)
    assert not np.array_equal(sampled.score, whole.score)
    k = len(moved)
    assert len({int(i) for i in sampled.order[:k]} & moved) >= 0.8 * k


def test_sample_rows_keeps_each_label_in_proportion() -> None:
    y = np.repeat(np.arange(4), [500, 300, 3, 197])
    rows = np.random.default_rng(0).permutation(len(y))[:900]
    sample = ranking._sample_rows(rows, y, 90, np.random.default_rng(1))
    assert np.all(np.diff(sample) > 0) and set(sample.tolist()) <= set(rows.tolist())
    counts = np.bincount(y[sample], minlength=4)
    expected = np.bincount(y[rows], minlength=4) * 0.1
    assert counts[2] == np.sum(y[rows] == 2)  # a small label is kept whole
    assert np.all(np.abs(counts[[0, 1, 3]] - expected[[0, 1, 3]]) <= 1)
    assert ranking._sample_rows(rows, y, 900, np.random.default_rng(1)) is rows


def test_label_homes_are_majorities_ties_to_the_first_met(lda: TopicModelResult) -> None:
    from collections import Counter
    from dataclasses import replace

    rng = np.random.default_rng(3)
    n = len(lda.assignments)
    assignments = rng.integers(-1, lda.n_topics, n)
    model = replace(lda, assignments=assignments)
    # Few labels per topic: many topics tie between two labels.
    labels = [[None, "b", "a", "c"][int(i)] for i in rng.integers(0, 4, n)]
    expected: dict[int, Counter[str]] = {}
    for topic, label in zip(assignments, labels, strict=True):
        if label and topic >= 0:
            expected.setdefault(int(topic), Counter())[label] += 1
    homes = ranking._label_homes({"lda": model}, labels)
    assert homes["lda"] == {t: c.most_common(1)[0][0] for t, c in expected.items()}
    small = replace(lda, assignments=np.array([0, 0, 1, 1, 1, 2] + [-1] * (n - 6)))
    tied = ["b", "a", "a", "b", None] + [None] * (n - 5)
    assert ranking._label_homes({"m": small}, tied)["m"] == {0: "b", 1: "a"}
    assert ranking._label_homes({"m": small}, [None] * n) == {"m": {}}


def test_without_labels_mixed_documents_rank_first() -> None:
    base = planted_corpus(n_topics=4, n_docs=120, purity=0.95, seed=1)
    rng = np.random.default_rng(7)
    mixed = []
    tokens = [list(doc) for doc in base.tokens]
    for a, b in [(0, 1), (1, 2), (2, 3), (3, 0)]:
        words = list(rng.choice(base.topics[a], 30)) + list(rng.choice(base.topics[b], 30))
        mixed.append(len(tokens))
        tokens.append([str(w) for w in words])
    vocab = sorted({w for doc in tokens for w in doc})
    model = fit_lda(tokens, vocab, n_topics=4, seed=0)
    review = review_documents(tokens, [None] * len(tokens), {"lda": model}, seed=0)
    assert not review.signals["label_suspicion"].any()
    assert review.suggested_label == [None] * len(tokens)
    assert any("fewer than two distinct labels" in note for note in review.notes)
    assert set(mixed) <= {int(i) for i in review.order[:8]}
    assert "fits no topic well" in review.reasons[mixed[0]]
    assert not any("filed under" in reason for reason in review.reasons)


def test_near_duplicate_under_another_label(planted: Planted, lda: TopicModelResult) -> None:
    tokens = [*planted.tokens, list(planted.tokens[0])]
    labels = [f"topic{t}" for t in planted.main_topic] + ["elsewhere"]
    vocab = lda.vocab
    model = fit_lda(tokens, vocab, n_topics=len(planted.topics), seed=0)
    review = review_documents(tokens, labels, {"lda": model}, seed=0)
    copy = len(tokens) - 1
    assert review.signals["near_duplicate"][0] > 0.99
    assert review.signals["near_duplicate"][copy] > 0.99
    assert "near-duplicate (100% similar) of document 0 filed under topic0" in review.reasons[copy]
    # A label with one document cannot be judged out-of-fold: said, not guessed.
    assert review.label_probability[copy] is None
    assert any("fewer than 5 documents" in note and "elsewhere" in note for note in review.notes)


def _reference_near_duplicates(
    tfidf: sp.csr_matrix, labels: list[str | None], blocks: np.ndarray | None = None
) -> tuple[np.ndarray, list[tuple[int, float] | None]]:
    """The definition: scikit-learn's brute-force cosine radius search over all pairs."""
    from sklearn.neighbors import NearestNeighbors

    n = tfidf.shape[0]
    signal = np.zeros(n)
    twin: list[tuple[int, float] | None] = [None] * n
    labelled = np.array([i for i in range(n) if labels[i]], dtype=np.int64)
    if len({labels[i] for i in labelled}) < 2:
        return signal, twin
    groups = [labelled]
    if blocks is not None and len(labelled) > ranking.DUPLICATE_EXACT_MAX:
        groups = [labelled[blocks[labelled] == g] for g in np.unique(blocks[labelled])]
    for rows in groups:
        if len(rows) < 2:
            continue
        index = NearestNeighbors(
            radius=1.0 - ranking.DUPLICATE_COSINE, metric="cosine", algorithm="brute"
        ).fit(tfidf[rows])
        distances, neighbours = index.radius_neighbors(tfidf[rows])
        for i, dist, near in zip(rows, distances, neighbours, strict=True):
            for d, b in zip(dist, near, strict=True):
                j = int(rows[b])
                if j == i or labels[i] == labels[j]:
                    continue
                s, best = 1.0 - float(d), twin[i]
                if best is None or (s, -j) > (best[1], -best[0]):
                    signal[i], twin[i] = s, (j, s)
    return signal, twin


def _duplicates_corpus(seed: int) -> tuple[list[list[str]], list[str | None], np.ndarray]:
    """Planted documents (many pairs near cosine 0.9), edited copies, exact copies (ties)."""
    base = planted_corpus(seed=seed)
    rng = np.random.default_rng(seed)
    tokens = [list(doc) for doc in base.tokens]
    # Rare words, so the search's rarest-words-first candidates are put to work.
    for i in rng.choice(len(tokens), 60, replace=False):
        tokens[i] += [f"rare{int(w)}" for w in rng.integers(0, 40, 3)]
    for i in rng.choice(len(tokens), 30, replace=False):
        copy = list(tokens[i])
        for _ in range(int(rng.integers(0, 4))):
            copy[int(rng.integers(len(copy)))] = f"t{int(rng.integers(6))}w{int(rng.integers(15))}"
        tokens.append(copy)
    # Document 0 twice more, and an empty document: ties go to the earlier copy.
    tokens += [list(tokens[0]), list(tokens[0]), []]
    names = ["a", "b", "c", None]
    labels = [names[int(rng.integers(4))] for _ in tokens]
    labels[0], labels[-3], labels[-2] = "a", "b", "c"
    return tokens, labels, rng.integers(-1, 3, len(tokens))


def test_tfidf_of_documents_without_words_is_an_empty_column() -> None:
    assert ranking._tfidf([[], []]).shape == (2, 1)


@pytest.mark.parametrize(
    ("threshold", "rest", "slice_nnz"),
    [
        (0.9, 0.9, 1 << 21),
        (0.9, 0.8, 1 << 21),
        (0.9, 0.5, 1 << 21),
        (0.5, 0.45, 1 << 21),
        (0.9, 0.8, 37),
        (0.5, 0.45, 37),
    ],
)
def test_near_duplicate_candidates_hold_every_pair_above_the_threshold(
    threshold: float, rest: float, slice_nnz: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prefixes are each row's rarest words; no pair above the threshold is left out.

    At a threshold of 0.5 many pairs lie just above it, where the bound is tight.
    Candidates come from prefixes against prefixes, the rows taken a slice at a time
    (``slice_nnz`` entries; 37: many slices, cut inside the corpus's rows).
    """
    monkeypatch.setattr(ranking, "DUPLICATE_COSINE", threshold)
    monkeypatch.setattr(ranking, "_DUPLICATE_REST", rest)
    monkeypatch.setattr(ranking, "_PREFIX_NNZ", slice_nnz)
    tokens, labels, _ = _duplicates_corpus(0)
    unit = ranking._tfidf(tokens)
    prefix, norms, floor = ranking._prefixes(unit)
    frequency = np.bincount(unit.indices, minlength=unit.shape[1])
    # Frequency rank of each word (0: the most frequent; ties: the higher column first).
    order = np.lexsort((-np.arange(unit.shape[1]), -frequency))
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    for i in range(unit.shape[0]):
        if prefix[i].nnz:
            assert floor[i] == min(position[k] for k in prefix[i].indices)
    for i in range(unit.shape[0]):
        row = unit[i]
        chosen = set(prefix[i].indices.tolist())
        others = [k for k in row.indices if k not in chosen]
        assert norms[i] == pytest.approx(np.sqrt(sum(row[0, k] ** 2 for k in others)))
        assert norms[i] < rest
        np.testing.assert_array_equal(prefix[i].data, [row[0, k] for k in prefix[i].indices])
        if chosen:
            rank = {k: (frequency[k], k) for k in row.indices}
            assert max(rank[k] for k in chosen) < min((rank[k] for k in others), default=(1e9, 0))
            # No shorter prefix would do: the most frequent word taken was needed.
            last = max(chosen, key=lambda k: rank[k])
            assert norms[i] ** 2 + row[0, last] ** 2 >= rest**2
    code = np.array([hash(label) % 7 for label in labels], dtype=np.int64)
    a, b = ranking._candidate_pairs(unit, code, np.zeros(len(tokens), np.int64))
    found = set(zip(a.tolist(), b.tolist(), strict=True))
    cosine = (unit @ unit.T).toarray()
    across = [
        (i, j) for i in range(len(tokens)) for j in range(i + 1, len(tokens)) if code[i] != code[j]
    ]
    needed = {(i, j) for i, j in across if cosine[i, j] >= ranking.DUPLICATE_COSINE}
    assert len(needed) >= 20 and needed <= found
    assert all(code[i] != code[j] and i < j for i, j in found)
    assert len(found) < len(across) / 2  # and far fewer on real text: bench/review_scale.py


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_near_duplicates_equal_the_all_pairs_search(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pruned search finds exactly what comparing every pair finds, ties included."""
    tokens, labels, blocks = _duplicates_corpus(seed)
    tfidf = ranking._tfidf(tokens)
    signal, twin = ranking._near_duplicates(tfidf, labels, blocks)
    expected_signal, expected_twin = _reference_near_duplicates(tfidf, labels, blocks)
    np.testing.assert_array_equal(signal, expected_signal)
    assert twin == expected_twin
    n = len(tokens)
    assert twin[0] == (n - 3, 1.0) and twin[n - 2] == (0, 1.0)  # ties: the earlier copy
    assert sum(t is not None for t in twin) >= 20
    assert any(0.9 <= t[1] < 0.95 for t in twin if t is not None)
    # Above DUPLICATE_EXACT_MAX only pairs within a block count; pairs are checked in
    # batches to bound memory. Neither changes the answer.
    monkeypatch.setattr(ranking, "DUPLICATE_EXACT_MAX", 10)
    monkeypatch.setattr(ranking, "_DUPLICATE_PAIRS", 7)
    signal, twin = ranking._near_duplicates(tfidf, labels, blocks)
    expected_signal, expected_twin = _reference_near_duplicates(tfidf, labels, blocks)
    np.testing.assert_array_equal(signal, expected_signal)
    assert twin == expected_twin
    assert expected_twin != _reference_near_duplicates(tfidf, labels)[1]


def test_blocks_above_the_cap_are_searched_within_each_split(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A block over ``DUPLICATE_BLOCK_MAX`` documents is cut by ``splits``; others stay whole.

    Regression: at 1M documents the clusters' outliers formed one block of 720k, whose
    search grew with its square (the review took 585 s against 12 s at 100k).
    """
    tokens, labels, blocks = _duplicates_corpus(1)
    tfidf = ranking._tfidf(tokens)
    monkeypatch.setattr(ranking, "DUPLICATE_EXACT_MAX", 10)
    unsplit = _reference_near_duplicates(tfidf, labels, blocks)[1]
    # Splits that part one pair of twins; the cap: just below the size of their block.
    i, j = next((i, t[0]) for i, t in enumerate(unsplit) if t is not None)
    splits = np.zeros(len(tokens), dtype=np.int64)
    splits[j] = 1
    labelled = np.array([k for k, label in enumerate(labels) if label])
    sizes = {int(b): int(np.sum(blocks[labelled] == b)) for b in np.unique(blocks)}
    cap = sizes[int(blocks[i])] - 1
    monkeypatch.setattr(ranking, "DUPLICATE_BLOCK_MAX", cap)
    signal, twin = ranking._near_duplicates(tfidf, labels, blocks, splits)
    # The reference: blocks above the cap cut by the splits, every other block whole.
    big = np.array([sizes[int(b)] > cap for b in blocks])
    cut = np.where(big, 10 * (blocks + 1) + splits, -5 - blocks)
    expected_signal, expected_twin = _reference_near_duplicates(tfidf, labels, cut)
    np.testing.assert_array_equal(signal, expected_signal)
    assert twin == expected_twin
    assert twin != unsplit
    # In place on the caller's matrix (its last use) gives the same answer.
    again = ranking._near_duplicates(tfidf.copy(), labels, blocks, splits, overwrite=True)
    np.testing.assert_array_equal(again[0], signal)
    assert again[1] == twin


def test_review_by_small_slices_ranks_as_in_one_piece(
    planted: Planted, lda: TopicModelResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Row slices, in-place TF-IDF and terms from a vocabulary change no score or reason."""
    labels, _ = _noisy(planted)
    whole = review_documents(planted.tokens, labels, {"lda": lda}, seed=0)
    monkeypatch.setattr(ranking, "_PREFIX_NNZ", 50)
    monkeypatch.setattr(ranking, "DUPLICATE_EXACT_MAX", 10)
    monkeypatch.setattr(ranking, "_DUPLICATE_PAIRS", 7)
    vocab = ["never seen", *sorted({t for doc in planted.tokens for t in doc}, reverse=True)]
    sliced = review_documents(planted.tokens, labels, {"lda": lda}, seed=0, vocab=vocab)
    np.testing.assert_array_equal(sliced.order, whole.order)
    np.testing.assert_array_equal(sliced.score, whole.score)
    assert sliced.reasons == whole.reasons


def test_every_label_small_uses_fewer_folds() -> None:
    base = planted_corpus(n_topics=3, n_docs=9, seed=2)
    labels = [f"topic{t}" for t in base.main_topic]
    review = review_documents(base.tokens, labels, {}, seed=0)
    assert review.method["label_suspicion"]["folds"] == 3
    assert all(p is not None for p in review.label_probability)


# The sample corpus (tools/make_sample_data.py) files fourteen documents that mix two
# themes under one of them; all of them should be among the first 30 of 405.
def _mixed_documents() -> list[tuple[str, re.Pattern[str]]]:
    """(folder, file-name pattern) of each mixed document, from the generator's spec."""
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import make_sample_data as sample
    finally:
        sys.path.pop(0)
    out, n = [], 0
    for spec in sample.MIXES.values():
        for folder in spec["folders"]:
            # The generator titles the n-th mixed document with template n (mod count).
            title = spec["titles"][n % len(spec["titles"])]
            stem = re.escape(sample.slug(re.sub(r"\{\w+\}", "SLOT", title)))
            out.append((folder, re.compile(stem.replace("slot", ".+") + r"(-\d+)?\.\w+")))
            n += 1
    return out


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def test_sample_data_mixed_documents_in_top_30(sample_report: SampleReport) -> None:
    _, rows = _read_csv(sample_report.folder / "review.csv")
    spec = _mixed_documents()
    mixed = []
    for row in rows:
        folder, _, name = row["path"].rpartition("/")
        if any(folder == f and pattern.fullmatch(name) for f, pattern in spec):
            mixed.append(row)
    assert len(mixed) == len(spec) == 14, [r["path"] for r in mixed]
    assert max(int(r["rank"]) for r in mixed) <= 30, [(r["rank"], r["path"]) for r in mixed]


def test_review_csv_contract(sample_report: SampleReport) -> None:
    header, rows = _read_csv(sample_report.folder / "review.csv")
    assert header[: len(REVIEW_COLUMNS)] == list(REVIEW_COLUMNS)
    assert set(SIGNALS) <= set(header)
    _, documents = _read_csv(sample_report.folder / "documents.csv")
    # Every modelled document once, best first, ranks 1..n without ties.
    assert sorted(r["id"] for r in rows) == sorted(d["id"] for d in documents)
    assert [int(r["rank"]) for r in rows] == list(range(1, len(documents) + 1))
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True)
    paths = {d["id"]: d["path"] for d in documents}
    for row in rows:
        assert row["path"] == paths[row["id"]]
        assert row["reason"]
        for signal in SIGNALS:
            assert 0.0 <= float(row[signal]) <= 1.0
        if row["suggested_label"]:
            assert row["suggested_label"] != row["label"]
    assert rows[0]["suggested_label"]
    summary = sample_report.topics["review"]
    assert summary["top"][0]["reason"] == rows[0]["reason"]  # type: ignore[index]


@pytest.mark.browser
def test_report_rows_open_the_reader(sample_report: SampleReport) -> None:
    _, rows = _read_csv(sample_report.folder / "review.csv")
    with open_report(sample_report.index_html) as (page, watch):
        section = page.locator("#review")
        assert section.locator("tbody tr").count() == min(50, len(rows))
        first = section.locator("tbody tr").first
        assert rows[0]["reason"] in (first.text_content() or "")
        assert first.locator(".signal").count() == len(SIGNALS)
        first.locator("a[data-action=open-doc]").click()
        assert page.locator("#doc-viewer").is_visible()
        assert page.locator("#doc-viewer-title").text_content() == rows[0]["title"]
        # The reader says why the document is worth a look.
        meta = page.locator("#doc-viewer-meta").text_content() or ""
        assert f"worth a look#1: {rows[0]['reason']}" in meta
    assert watch.console_errors == [] and watch.page_errors == []


HOSTILE = "<img src=x onerror=alert(1)>"


WORDS = [
    ["telescope", "orbit", "planet", "galaxy", "astronomer", "comet", "nebula", "rocket"],
    ["recipe", "oven", "flour", "butter", "sugar", "bake", "dough", "kitchen", "garlic"],
]


def test_reasons_with_hostile_labels_are_escaped(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    folders = ["=cmd|calc", HOSTILE]
    files: dict[str, str | bytes] = {}
    for i in range(40):
        topic = i % 2
        # Document 0 is filed under the other theme's folder: it leads the review.
        name = folders[1 - topic] if i == 0 else folders[topic]
        body = " ".join(rng.choice(WORDS[topic], 50))
        files[f"{name}/doc{i:02d}.txt"] = f"Note {i}\n\n{body}"
    root = write_tree(tmp_path / "corpus", files)
    run = run_pipeline(root, RunSettings(seed=0, models=("lda",), n_topics=2))
    assert run.review is not None and HOSTILE in run.review.reasons[int(run.review.order[0])]
    report = tmp_path / "out"
    report.mkdir()
    write_report_files(run, report, "20260101-000000")
    page = (report / "index.html").read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert html_lib.escape(HOSTILE, quote=False) in page
    _, rows = _read_csv(report / "review.csv")
    assert rows[0]["path"] == "<img src=x onerror=alert(1)>/doc00.txt"
    assert rows[0]["suggested_label"] == "'=cmd|calc"  # spreadsheets do not run it
    assert {r["label"] for r in rows} == {"'=cmd|calc", HOSTILE}


def test_unlabelled_folder_gets_a_review(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    files: dict[str, str | bytes] = {}
    for i in range(30):
        body = " ".join(rng.choice(WORDS[i % 2], 50))
        files[f"doc{i:02d}.txt"] = f"Note {i}\n\n{body}"
    # Half one theme, half the other: fits neither topic well.
    files["mixed.txt"] = "Mixed\n\n" + " ".join([*WORDS[0], *WORDS[1]] * 3)
    root = write_tree(tmp_path / "corpus", files)
    # Each word is in half the documents: keep it (the default drops words in over half).
    settings = RunSettings(
        seed=0,
        models=("lda",),
        n_topics=2,
        preprocess=PreprocessSettings(max_df=0.9),
    )
    run = run_pipeline(root, settings)
    report = tmp_path / "out"
    report.mkdir()
    write_report_files(run, report, "20260101-000000")
    _, rows = _read_csv(report / "review.csv")
    assert len(rows) == 31 and rows[0]["path"] == "mixed.txt"
    assert all(r["label"] == "" and r["suggested_label"] == "" for r in rows)
    assert all(r["label_probability"] == "" and float(r["label_suspicion"]) == 0 for r in rows)
    assert "fits no topic well" in rows[0]["reason"]
    page = (report / "index.html").read_text(encoding="utf-8")
    assert "The documents carry no labels to check" in page
