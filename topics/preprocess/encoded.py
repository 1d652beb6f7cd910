"""The corpus-wide steps of preprocessing on integer term ids instead of lists of strings.

After tokenizing, every document's terms are encoded once (``encode``) into one int32
array, and phrases, display forms and the vocabulary filter run on that array with
numpy. At a million documents the lists of strings these steps used to build peaked at
over 11 GB; the arrays take a few hundred MB and the steps run in numpy, not in
Python loops.

Each function here gives exactly what its list-based reference in
``topics.preprocess.tokens`` gives (``learn_phrases``, ``join_phrases``,
``display_forms``, ``filter_vocabulary``); ``tests/preprocess/test_encoded.py`` checks
them against each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, pairwise, repeat
from typing import Any

import numpy as np
import numpy.typing as npt

from topics.types import IntArray, TokenLists, segment_sums

Int32Array = npt.NDArray[np.int32]

#: Documents encoded at a time (bounds the Python lists alive while encoding).
_BATCH = 10_000


class _Ids(dict[str, int]):
    """Term -> id; a term seen for the first time gets the next id ("" is always 0)."""

    def __init__(self) -> None:
        super().__init__({"": 0})

    def __missing__(self, term: str) -> int:
        i = self[term] = len(self)
        return i


@dataclass
class Encoded:
    """Every document's terms as ids, 0 where a run of adjacent words ends.

    ``flat`` holds the documents one after another, each followed by a 0 (no pair of
    words spans two documents); ``bounds[i]:bounds[i + 1]`` is document ``i`` with its 0.
    ``surfaces[k]`` is the surface form of the ``k``-th nonzero entry of ``flat``
    (0: the term itself). ``words`` and ``forms`` turn ids back into strings.
    """

    flat: Int32Array
    bounds: IntArray
    surfaces: Int32Array
    words: list[str]
    forms: list[str]

    @property
    def n_documents(self) -> int:
        return len(self.bounds) - 1

    def as_lists(self) -> tuple[list[list[str]], list[list[str]]]:
        """Every document's terms ("" where a run ends) and surface forms, as strings."""
        words, forms = self.words, self.forms
        flat = list(map(words.__getitem__, self.flat.tolist()))
        shown = list(map(forms.__getitem__, self.surfaces.tolist()))
        bounds = self.bounds.tolist()
        flats = [flat[a : b - 1] for a, b in pairwise(bounds)]
        surfaces, at = [], 0
        for doc in flats:
            n = len(doc) - doc.count("")
            surfaces.append(shown[at : at + n])
            at += n
        return flats, surfaces

    def runs(self) -> Iterable[list[str]]:
        """Every run of adjacent words as strings (gensim's own ``Phrases`` input)."""
        word = self.words.__getitem__
        run: list[str] = []
        for i in self.flat.tolist():
            if i:
                run.append(word(i))
            elif run:
                yield run
                run = []


def encode(pairs: Iterable[tuple[Sequence[str], Sequence[str]]]) -> Encoded:
    """Encode per-document ``(terms with "" where a run ends, surface forms)`` as they come.

    ``pairs`` may be a generator: only ``_BATCH`` documents' lists are alive at a time.
    """
    ids, form_ids = _Ids(), _Ids()
    flats: list[Int32Array] = []
    surfaces: list[Int32Array] = []
    lengths: list[int] = []
    batch: list[tuple[Sequence[str], Sequence[str]]] = []

    def flush() -> None:
        terms = [pair[0] for pair in batch]
        # A "" after each document: it ends the document's last run.
        stream = chain.from_iterable(map(chain, terms, repeat(("",))))
        flats.append(np.fromiter(map(ids.__getitem__, stream), dtype=np.int32))
        lengths.extend(len(t) + 1 for t in terms)
        forms = chain.from_iterable(pair[1] for pair in batch)
        surfaces.append(np.fromiter(map(form_ids.__getitem__, forms), dtype=np.int32))
        batch.clear()

    for pair in pairs:
        batch.append(pair)
        if len(batch) >= _BATCH:
            flush()
    if batch:
        flush()
    bounds = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    return Encoded(
        flat=np.concatenate(flats) if flats else np.zeros(0, dtype=np.int32),
        bounds=bounds,
        surfaces=np.concatenate(surfaces) if surfaces else np.zeros(0, dtype=np.int32),
        words=list(ids),
        forms=list(form_ids),
    )


#: Adjacent pairs counted at once (int64 codes, sorted): bounds the memory of counting.
PAIRS_AT_ONCE = 8_000_000


def count_pairs(
    flat: Int32Array, n_ids: int, min_count: int
) -> tuple[IntArray, IntArray, IntArray, IntArray, int]:
    """Word counts, and the adjacent pairs of nonzero ids seen ``min_count`` times.

    Returns each id's count, the frequent pairs' first and second ids (sorted by first,
    then second id) and their counts, and the number of distinct pairs. Pairs are
    counted as int64 codes sorted by numpy, one share of the first ids at a time (ids
    ``share (mod n_shares)``) so that at most about ``PAIRS_AT_ONCE`` codes are sorted
    at once: a million documents hold ~60M pairs.
    """
    words = np.bincount(flat, minlength=n_ids).astype(np.int64)
    words[0] = 0
    n_positions = max(len(flat) - 1, 0)
    n_shares = max(1, -(-n_positions // PAIRS_AT_ONCE))
    step = 4_000_000
    found: list[tuple[IntArray, IntArray]] = []
    n_distinct = 0
    for share in range(n_shares):
        codes: list[IntArray] = []
        for start in range(0, n_positions, step):
            stop = min(start + step, n_positions)
            first = flat[start:stop].astype(np.int64)
            second = flat[start + 1 : stop + 1]
            both = (first > 0) & (second > 0)
            if n_shares > 1:
                both &= first % n_shares == share
            codes.append(first[both] * n_ids + second[both])
        if not codes:
            break
        unique, counts = np.unique(np.concatenate(codes), return_counts=True)
        del codes
        n_distinct += len(unique)
        often = counts >= min_count
        found.append((unique[often], counts[often]))
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return words, empty, empty, empty, 0
    frequent = np.concatenate([codes for codes, _ in found])
    totals = np.concatenate([counts for _, counts in found])
    order = np.argsort(frequent, kind="stable")
    frequent, totals = frequent[order], totals[order].astype(np.int64)
    return words, frequent // n_ids, frequent % n_ids, totals, n_distinct


def learn_phrases(encoded: Encoded, min_count: int, threshold: float) -> Any:
    """``topics.preprocess.tokens.learn_phrases`` on encoded documents."""
    from gensim.models.phrases import Phrases

    model = Phrases(min_count=min_count, threshold=threshold, scoring="npmi")
    words = encoded.words
    counts, first, second, n_pair_counts, n_pairs = count_pairs(encoded.flat, len(words), min_count)
    n_words = len(words) - 1
    if n_words + n_pairs > model.max_vocab_size or any(model.delimiter in w for w in words):
        runs = encoded.runs()
        return Phrases(runs, min_count=min_count, threshold=threshold, scoring="npmi").freeze()
    # Words in order of first use, as ``Counter`` over the documents would hold them.
    vocab: dict[str, int] = dict(zip(words[1:], counts[1:].tolist(), strict=True))
    delimiter = model.delimiter
    for a, b, n in zip(first.tolist(), second.tolist(), n_pair_counts.tolist(), strict=True):
        vocab[words[a] + delimiter + words[b]] = n
    model.vocab = vocab
    model.corpus_word_count = int(counts.sum())
    return model.freeze()


@dataclass
class Joined:
    """Encoded documents with phrases joined.

    ``tokens`` holds every document's term ids with the run ends dropped, over ``words``
    extended by the phrases; ``at`` is the position in ``Encoded.flat`` of each joined
    phrase's first word and ``phrase`` that phrase's id.
    """

    tokens: TokenLists
    at: IntArray
    phrase: Int32Array


def join_phrases(encoded: Encoded, frozen: Any | None) -> Joined | None:
    """``topics.preprocess.tokens.join_phrases`` on encoded documents (``frozen`` None:
    no phrases), or None where phrases are not pairs of words (connector words, a
    delimiter in a word): the caller leaves those to gensim.
    """
    flat = encoded.flat
    words = encoded.words
    at = np.zeros(0, dtype=np.int64)
    phrase = np.zeros(0, dtype=np.int32)
    if frozen is not None:
        delimiter = frozen.delimiter
        pairs = [
            tuple(name.split(delimiter))
            for name, score in frozen.phrasegrams.items()
            if score > frozen.threshold
        ]
        if frozen.connector_words or any(len(pair) != 2 or not all(pair) for pair in pairs):
            return None
        ids = {word: i for i, word in enumerate(words)}
        known = [(ids[a], ids[b]) for a, b in pairs if a in ids and b in ids]
        if known:
            at = _phrase_starts(flat, np.array(known, dtype=np.int64), len(words))
        if len(at):
            n = len(words)
            codes, inverse = np.unique(
                flat[at].astype(np.int64) * n + flat[at + 1], return_inverse=True
            )
            table = _Ids()
            table.update(ids)
            names = (words[c // n] + delimiter + words[c % n] for c in codes.tolist())
            phrase = np.fromiter(map(table.__getitem__, names), dtype=np.int32, count=len(codes))
            phrase = phrase[inverse.ravel()]
            words = list(table)
    joined = flat
    if len(at):
        joined = flat.copy()
        joined[at] = phrase
        joined[at + 1] = 0
    keep = joined > 0
    offsets = np.zeros(encoded.n_documents + 1, dtype=np.int64)
    np.cumsum(segment_sums(keep, encoded.bounds), out=offsets[1:])
    return Joined(TokenLists(joined[keep], offsets, words), at, phrase)


def _phrase_starts(flat: Int32Array, pairs: IntArray, n_ids: int) -> IntArray:
    """Positions where a phrase starts, joined as gensim joins: left to right, a word that
    ended a phrase starts no other (of hits at ``i`` and ``i + 1``, only ``i`` joins)."""
    starts = np.zeros(n_ids, dtype=bool)
    starts[pairs[:, 0]] = True
    codes = np.sort(pairs[:, 0] * n_ids + pairs[:, 1])
    found: list[IntArray] = []
    # A slice of positions at a time: the candidates' int64 codes stay small.
    n_positions = max(len(flat) - 1, 0)
    for start in range(0, n_positions, PAIRS_AT_ONCE):
        stop = min(start + PAIRS_AT_ONCE, n_positions)
        candidates = np.flatnonzero(starts[flat[start:stop]]) + start
        pair_codes = flat[candidates].astype(np.int64) * n_ids + flat[candidates + 1]
        at = np.minimum(np.searchsorted(codes, pair_codes), len(codes) - 1)
        found.append(candidates[codes[at] == pair_codes])
    hits = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    if not len(hits):
        return hits
    # In a chain of hits one position apart, every other one joins, from the first.
    chain_start = np.concatenate([[True], np.diff(hits) != 1])
    first_of_chain = np.flatnonzero(chain_start)
    offset = np.arange(len(hits)) - first_of_chain[np.cumsum(chain_start) - 1]
    return hits[offset % 2 == 0]


def display_forms(encoded: Encoded, joined: Joined) -> dict[str, str]:
    """``topics.preprocess.tokens.display_forms`` of the joined documents."""
    words, forms = joined.tokens.terms, encoded.forms
    flat, surfaces = encoded.flat, encoded.surfaces
    n_forms = len(forms)
    # Per term, its forms other than itself and how often each was seen.
    seen: dict[int, dict[str, int]] = defaultdict(dict)
    word_at = np.flatnonzero(flat)
    in_phrase = np.zeros(len(flat), dtype=bool)
    in_phrase[joined.at] = True
    in_phrase[joined.at + 1] = True
    other = np.flatnonzero(surfaces)
    other = other[~in_phrase[word_at[other]]]
    codes = flat[word_at[other]].astype(np.int64) * n_forms + surfaces[other]
    for code, n in zip(*_unique_counts(codes), strict=True):
        seen[code // n_forms][forms[code % n_forms]] = n
    if len(joined.at):
        # A phrase shows as its words' surface forms (or the words) joined by "_".
        rank = np.searchsorted(word_at, joined.at)
        codes = (joined.phrase.astype(np.int64) * n_forms + surfaces[rank]) * n_forms + surfaces[
            rank + 1
        ]
        for code, n in zip(*_unique_counts(codes), strict=True):
            term = code // (n_forms * n_forms)
            parts = words[term].split("_", 1)
            first, second = forms[code // n_forms % n_forms], forms[code % n_forms]
            shown = f"{first or parts[0]}_{second or parts[1]}"
            if shown != words[term]:
                by_form = seen[term]
                by_form[shown] = by_form.get(shown, 0) + n
    if not seen:
        return {}
    ids = joined.tokens.ids
    totals = np.bincount(ids, minlength=len(words))
    # In the order terms first occur in the documents, as the list-based map was.
    wanted = np.zeros(len(words), dtype=bool)
    wanted[list(seen)] = True
    where = np.flatnonzero(wanted[ids])
    _, first_at = np.unique(ids[where], return_index=True)
    out: dict[str, str] = {}
    for term_id in ids[where[np.sort(first_at)]].tolist():
        counts = seen[term_id]
        itself = int(totals[term_id]) - sum(counts.values())
        best = max(itself, *counts.values())
        if itself != best:
            out[words[term_id]] = min(form for form, n in counts.items() if n == best)
    return out


def _distinct(codes: IntArray) -> IntArray:
    """``np.unique(codes)`` by sorting: numpy 2.3's hash-based ``unique`` (taken when no
    index or count is asked for) took 2 s per million int64 codes, sorting 0.1 s."""
    codes = np.sort(codes)
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))] if len(codes) else codes


def _unique_counts(codes: IntArray) -> tuple[list[int], list[int]]:
    unique, counts = np.unique(codes, return_counts=True)
    return unique.tolist(), counts.tolist()


def document_frequencies(tokens: TokenLists) -> tuple[IntArray, IntArray]:
    """Per term, the number of documents holding it and the first such document."""
    n_terms = len(tokens.terms)
    df = np.zeros(n_terms, dtype=np.int64)
    first_doc = np.full(n_terms, len(tokens), dtype=np.int64)
    offsets, lengths = tokens.offsets, tokens.lengths()
    step = 20_000
    for start in range(0, len(tokens), step):
        stop = min(start + step, len(tokens))
        ids = tokens.ids[offsets[start] : offsets[stop]].astype(np.int64)
        doc = np.repeat(np.arange(stop - start, dtype=np.int64), lengths[start:stop])
        pairs = _distinct(doc * n_terms + ids)
        terms = pairs % n_terms
        df += np.bincount(terms, minlength=n_terms)
        # Pairs are sorted by document: a term's first pair is its first document.
        present, at = np.unique(terms, return_index=True)
        first_doc[present] = np.minimum(first_doc[present], pairs[at] // n_terms + start)
    return df, first_doc


def filter_vocabulary(
    tokens: TokenLists, *, no_below: int, no_above: float, keep_n: int
) -> npt.NDArray[np.bool_]:
    """``topics.preprocess.tokens.filter_vocabulary`` as a mask over ``tokens.terms``."""
    df, first_doc = document_frequencies(tokens)
    most = int(no_above * len(tokens))
    good = (df >= max(no_below, 1)) & (df <= most)
    if good.sum() > keep_n:
        # The most widespread; ties in gensim's id order (documents in order, each
        # one's new words sorted).
        candidates = np.flatnonzero(good).tolist()
        terms = tokens.terms
        candidates.sort(key=lambda t: (-df[t], first_doc[t], terms[t]))
        good[:] = False
        good[candidates[:keep_n]] = True
    return good


def keep_documents(
    tokens: TokenLists, in_vocab: npt.NDArray[np.bool_], min_tokens: int
) -> tuple[TokenLists, IntArray, IntArray]:
    """The documents with at least ``min_tokens`` tokens in the vocabulary, over it.

    Returns their tokens (ids renumbered into the kept terms, in order of first use in
    the kept documents), which documents were kept, and every document's token count.
    """
    mask = in_vocab[tokens.ids]
    counts = tokens.count_where(mask)
    kept_docs = np.flatnonzero(counts >= min_tokens)
    mask &= np.repeat(counts >= min_tokens, tokens.lengths())
    ids = tokens.ids[mask]
    present, first = np.unique(ids, return_index=True)
    order = present[np.argsort(first, kind="stable")]
    renumber = np.zeros(len(tokens.terms), dtype=np.int32)
    renumber[order] = np.arange(len(order), dtype=np.int32)
    offsets = np.zeros(len(kept_docs) + 1, dtype=np.int64)
    np.cumsum(counts[kept_docs], out=offsets[1:])
    terms = [tokens.terms[t] for t in order.tolist()]
    return TokenLists(renumber[ids], offsets, terms), kept_docs, counts
