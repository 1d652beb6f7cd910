"""Preprocess: documents -> token lists over one shared, filtered vocabulary.

The chain, gensim-style: text -> NLTK regex tokens (no downloaded data) ->
lowercase -> stopwords -> lemmas (simplemma, offline) -> stopwords again
(lemmas of contraction fragments are stopwords) -> gensim ``Phrases`` bigrams ->
document-frequency filter -> drop documents left too short.

Documents in a language other than the corpus's dominant one are listed and
left out rather than mixed into one stopword list. Stopword lists, lemmas and
language detection live in ``topics.preprocess.language``.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import re
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import chain, compress, count, repeat
from operator import contains, itemgetter
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import regex
from nltk.tokenize import RegexpTokenizer

from topics.preprocess import encoded as encoded_steps
from topics.preprocess.encoded import encode
from topics.preprocess.language import (
    SUPPORTED_LANGUAGES,
    count_languages,
    detect_languages,
    dominant_language,
    lemma,
    stopwords_for,
)
from topics.settings import field_problems, raise_problems
from topics.store.cached import DocumentCache, cached_map
from topics.store.keys import fingerprint
from topics.types import Document, Preprocessed, Skipped, TokenLists

if TYPE_CHECKING:
    from topics.executor import Executor

log = logging.getLogger(__name__)

# Words (any script) with inner apostrophes kept together so contractions can be dropped whole.
# Any other visible character (punctuation, digits) is kept as a boundary for phrases.
_TOKENIZER = RegexpTokenizer(r"[^\W\d_]+(?:['’][^\W\d_]+)*|[^\w\s]|\d+")
# The same pattern in the same engine (NLTK compiles it with ``regex``) without NLTK's
# per-call ReDoS timer, which cost ~55 µs a call: the pattern is linear, and it only ever
# sees one whitespace-free piece of text.
_TOKEN_RE = regex.compile(_TOKENIZER._pattern, _TOKENIZER._flags)
_POSSESSIVE = re.compile(r"['’]s$")
# Links are not words: "https" was a top word of every tweet topic. A link ends a run.
_URL = re.compile(r"(?:\bhttps?://|\bwww\.)\S*", re.IGNORECASE)


@dataclass(frozen=True)
class PreprocessSettings:
    """Preprocessing options; those that are options are declared in ``topics.settings``
    (``no_phrases`` and ``no_lemmatize`` set ``phrases`` and ``lemmatize``).

    Parameters
    ----------
    language
        ISO 639-1 code of the language to model, or "auto" (the dominant one).
    min_df
        Keep words in at least this many documents ("auto": 2 below 1,000 documents, else 5).
    max_df
        Drop words in more than this share of documents.
    """

    language: str = "auto"
    lemmatize: bool = True
    phrases: bool = True
    phrase_min_count: int | Literal["auto"] = "auto"
    phrase_threshold: float = 0.5  # gensim NPMI scoring, in [-1, 1]
    min_df: int | Literal["auto"] = "auto"
    max_df: float = 0.5
    max_vocab: int = 50_000
    min_token_len: int = 3
    min_doc_tokens: int = 5
    extra_stopwords: tuple[str, ...] = ()
    n_jobs: int = 0  # 0: all cores
    detect_language: bool = True

    def problems(self, *, options: bool = True) -> list[str]:
        """Every invalid field; ``options=False``: only those no option sets."""
        problems = field_problems("preprocess", self) if options else []
        if not -1 <= self.phrase_threshold <= 1:
            problems.append(f"phrase_threshold: must be in [-1, 1], got {self.phrase_threshold}")
        if self.min_doc_tokens < 1:
            problems.append(f"min_doc_tokens: must be at least 1, got {self.min_doc_tokens}")
        return problems

    def validate(self) -> None:
        """Raise ``SettingsError`` naming every invalid field at once."""
        raise_problems(self.problems())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Chunk:
    """Work unit for a worker process (picklable)."""

    texts: list[str]
    language: str
    lemmatize: bool
    min_token_len: int
    extra_stopwords: tuple[str, ...] = field(default=())


def tokenize(
    text: str,
    *,
    language: str = "en",
    lemmatize: bool = True,
    min_token_len: int = 3,
    stopwords: frozenset[str] | None = None,
) -> list[str]:
    """One document's text to content-word tokens (before phrases and vocabulary filtering)."""
    segments = segment(
        text,
        language=language,
        lemmatize=lemmatize,
        min_token_len=min_token_len,
        stopwords=stopwords,
    )
    return [token for seg in segments for token in seg]


def segment(
    text: str,
    *,
    language: str = "en",
    lemmatize: bool = True,
    min_token_len: int = 3,
    stopwords: frozenset[str] | None = None,
) -> list[list[str]]:
    """Runs of content words that were adjacent in the text.

    A removed stopword, punctuation or a number ends a run, so phrase detection only
    joins words a reader saw side by side ("olympic champion", never "leave lawn" from
    "leave the lawn").
    """
    runs, _ = segment_with_surfaces(
        text,
        language=language,
        lemmatize=lemmatize,
        min_token_len=min_token_len,
        stopwords=stopwords,
    )
    return runs


def segment_with_surfaces(
    text: str,
    *,
    language: str = "en",
    lemmatize: bool = True,
    min_token_len: int = 3,
    stopwords: frozenset[str] | None = None,
) -> tuple[list[list[str]], list[list[str]]]:
    """``segment``'s runs and, in the same shape, each token's form in the text.

    A surface form is "" where it equals the lemma (most do), to keep the cache small.
    """
    stop = stopwords if stopwords is not None else stopwords_for(language)
    terms, forms = _segment_flat(text, _memo(language, lemmatize, min_token_len, stop))
    runs: list[list[str]] = []
    surfaces: list[list[str]] = []
    run: list[str] = []
    for term in terms:
        if term:
            run.append(term)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    at = 0
    for run in runs:
        surfaces.append(forms[at : at + len(run)])
        at += len(run)
    return runs, surfaces


def _segment_flat(text: str, memo: _PieceMemo) -> tuple[list[str], list[str]]:
    """``segment_with_surfaces`` in flat lists: the terms with "" where a run ends, and
    the surface forms of the terms alone (no "" for the ends).

    Every step runs in C (``map`` over the memo, ``chain``): no Python code per word.
    """
    text = text.lower()
    if "http" in text or "www." in text:
        text = _URL.sub(" . ", text)
    if _SEPARATORS_RE.search(text):
        text = text.translate(_SEPARATORS)
    # The tokenizer's matches never span whitespace, so each whitespace-separated piece
    # is tokenized (and lemmatized) once per process and looked up after that.
    parts = list(map(memo.__getitem__, text.split()))
    terms = list(chain.from_iterable(map(itemgetter(0), parts)))
    forms = list(chain.from_iterable(map(itemgetter(1), parts)))
    return terms, forms


#: One whitespace-separated piece of lowercased text -> its terms, with "" where a run
#: ends (punctuation, a number, a stopword), and the surface forms of its terms ("": the
#: term itself).
_Parts = tuple[tuple[str, ...], tuple[str, ...]]
#: Pieces remembered per settings before the memo is emptied (bounds memory on huge corpora).
#: Tokenizing 60k documents in chunks of 500 (385k distinct pieces; two rounds, a busy
#: machine): a memo of up to 1M pieces took +150 MB and 14.1 / 16.9 s CPU, of 200k +100 MB
#: and 15.0 / 17.5 s. A million-document corpus fills an uncapped memo's 1M pieces.
_MEMO_MAX = 200_000
# str.split() splits at these, the tokenizer's regex (``regex``'s \s) treats them as
# punctuation: they must still end a run.
_SEPARATORS = {c: " . " for c in range(0x1C, 0x20)}
_SEPARATORS_RE = re.compile("[\x1c-\x1f]")


class _PieceMemo(dict[str, _Parts]):
    """Piece -> its ``_Parts``, computed on first use (``__missing__``)."""

    def __init__(
        self, language: str, lemmatize: bool, min_token_len: int, stop: frozenset[str]
    ) -> None:
        super().__init__()
        self.settings = (language, lemmatize, min_token_len, stop)

    def __missing__(self, piece: str) -> _Parts:
        parts = self[piece] = _piece_parts(piece, *self.settings)
        return parts


@lru_cache(maxsize=8)
def _memo_for(
    language: str, lemmatize: bool, min_token_len: int, stop: frozenset[str]
) -> _PieceMemo:
    return _PieceMemo(language, lemmatize, min_token_len, stop)


def _memo(language: str, lemmatize: bool, min_token_len: int, stop: frozenset[str]) -> _PieceMemo:
    memo = _memo_for(language, lemmatize, min_token_len, stop)
    if len(memo) > _MEMO_MAX:
        memo.clear()
    return memo


def _piece_parts(
    piece: str, language: str, lemmatize: bool, min_token_len: int, stop: frozenset[str]
) -> _Parts:
    """The tokens of one piece of text, as ``segment_with_surfaces`` keeps or drops them."""
    terms: list[str] = []
    forms: list[str] = []
    for raw in _TOKEN_RE.findall(piece):
        token = surface = _POSSESSIVE.sub("", raw)
        keep = token[0].isalpha() and "'" not in token and "’" not in token
        if keep and token not in stop:
            if lemmatize:
                token = lemma(token, language)
            # "" marks the end of a run: a lemma can never be one ("" is too short).
            keep = len(token) >= max(min_token_len, 1) and token not in stop
        else:
            keep = False
        if keep:
            terms.append(token)
            forms.append("" if surface == token else surface)
        else:
            terms.append("")
    return tuple(terms), tuple(forms)


def display_forms(
    tokens: Sequence[Sequence[str]], surfaces: Sequence[Sequence[str]]
) -> dict[str, str]:
    """Each term's most frequent form in the text, where it differs from the term.

    ``tokens`` are the documents' terms after phrases (a phrase joins two lemmas with
    "_"); ``surfaces`` the surface form of every lemma, in order ("" = the lemma itself).
    A phrase shows as its most frequent surface bigram. Ties go to the lemma, then to the
    alphabetically first form, so the map does not depend on document order.
    """
    from collections import defaultdict

    # Most forms are the term itself (""): count every term, and the other forms alone.
    totals: Counter[str] = Counter()
    pairs: Counter[tuple[str, str]] = Counter()
    for doc, seen in zip(tokens, surfaces, strict=True):
        totals.update(doc)
        if len(doc) == len(seen):
            # No phrase in this document: terms and surface forms pair up one to one.
            pairs.update(compress(zip(doc, seen, strict=True), seen))
            continue
        # Between phrases the words pair up one to one too: zipped in C, a slice at a time.
        pos = done = 0
        for at in compress(count(), map(contains, doc, repeat("_"))):
            n = at - done
            between = seen[pos : pos + n]
            pairs.update(compress(zip(doc[done:at], between, strict=True), between))
            pos += n
            term = doc[at]
            parts = term.split("_")
            shown = [s or p for s, p in zip(seen[pos : pos + len(parts)], parts, strict=False)]
            pos += len(parts)
            pairs[term, "_".join(shown)] += 1
            done = at + 1
        rest = seen[pos:]
        pairs.update(compress(zip(doc[done:], rest, strict=True), rest))
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for (term, form), n_seen in pairs.items():
        forms[term][form] += n_seen
    for term, by_form in forms.items():
        by_form[term] = totals[term] - sum(n for form, n in by_form.items() if form != term)
    out = {}
    # In the order terms first occur (``totals``' order), as the map always was.
    for term in totals:
        counts = forms.get(term)
        if counts is None:
            continue
        best = max(counts.values())
        if counts.get(term, 0) == best:
            continue
        out[term] = min(form for form, c in counts.items() if c == best)
    return out


#: Per document: its terms with "" where a run ends, and their surface forms (see
#: ``_segment_flat``).
_Flat = tuple[list[str], list[str]]


def _tokenize_chunk(chunk: _Chunk) -> list[_Flat]:
    stop = stopwords_for(chunk.language, chunk.extra_stopwords)
    memo = _memo(chunk.language, chunk.lemmatize, chunk.min_token_len, stop)
    return [_segment_flat(t, memo) for t in chunk.texts]


def preprocess(
    documents: Sequence[Document],
    settings: PreprocessSettings | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    cache: DocumentCache | None = None,
    executor: Executor | None = None,
) -> Preprocessed:
    """Tokenize, lemmatize, add bigrams and filter the vocabulary of ``documents``.

    With a ``cache``, each document's language and word runs are reused when its text
    and the settings are unchanged; phrases and the vocabulary are corpus-wide and
    always recomputed (they are cheap). With an ``executor`` (a Dask cluster), language
    detection and the per-document chain run on its workers, shard by shard.
    """
    settings = settings or PreprocessSettings()
    settings.validate()
    dropped: list[Skipped] = []

    langs = _languages_cached(documents, settings, cache, executor)
    if settings.language != "auto":
        covered = language = settings.language
    else:
        covered = language = dominant_language(langs)
        if language not in SUPPORTED_LANGUAGES:
            # Keep the corpus's own documents; only their stopwords and lemmas fall back.
            log.warning(
                "no stopwords or lemmatizer for dominant language %r; using English ones",
                language,
            )
            language = "en"
    keep: list[int] = []
    for i, (doc, lang) in enumerate(zip(documents, langs, strict=True)):
        if lang is not None and lang != covered:
            detail = {"language": lang, "covered": covered}
            dropped.append(Skipped(doc.path, "language", detail, stage="preprocess"))
        else:
            keep.append(i)

    pairs = _segments_cached(
        [documents[i] for i in keep], language, settings, progress, cache, executor
    )
    # Encoded as they come: no list of every document's words is ever held whole.
    encoded = encode(pairs)
    n_raw_tokens = len(encoded.surfaces)

    n_docs = encoded.n_documents
    n_phrases = 0
    frozen = None
    if settings.phrases and n_docs >= 2:
        min_count = settings.phrase_min_count
        if min_count == "auto":
            min_count = 5
        frozen = encoded_steps.learn_phrases(encoded, min_count, settings.phrase_threshold)
        n_phrases = len(frozen.phrasegrams)
    joined = encoded_steps.join_phrases(encoded, frozen)
    if joined is not None:
        tokens = joined.tokens
        forms = encoded_steps.display_forms(encoded, joined)
    else:
        # Phrases of other than two words: gensim joins them, on lists of strings.
        flats, surfaces = encoded.as_lists()
        token_lists = join_phrases(flats, frozen)
        forms = display_forms(token_lists, surfaces)
        tokens = TokenLists.from_lists(token_lists)
        del flats, surfaces, token_lists
    del encoded, joined

    min_df = settings.min_df
    if min_df == "auto":
        min_df = 2 if n_docs < 1000 else 5
    # A word must be allowed in at least one document even in tiny corpora.
    max_df = settings.max_df if n_docs >= 10 else 1.0
    in_vocab = encoded_steps.filter_vocabulary(
        tokens,
        no_below=min(min_df, max(1, n_docs // 2)),
        no_above=max_df,
        keep_n=settings.max_vocab,
    )
    kept_tokens, kept_rows, n_words = encoded_steps.keep_documents(
        tokens, in_vocab, settings.min_doc_tokens
    )
    del tokens
    doc_index = [keep[row] for row in kept_rows.tolist()]
    short = np.flatnonzero(n_words < settings.min_doc_tokens).tolist()
    for row in short:
        counts = {"n_words": int(n_words[row]), "minimum": settings.min_doc_tokens}
        dropped.append(Skipped(documents[keep[row]].path, "too_short", counts, stage="preprocess"))
    vocab = kept_tokens.terms
    assert isinstance(vocab, list)  # keep_documents' own list: the vocabulary and the ids'
    kept_terms = set(vocab)
    forms = {term: form for term, form in forms.items() if term in kept_terms}
    # Languages seen, most common first ("unknown": too short or unsure to tell).
    languages = count_languages(langs) if settings.detect_language else {}
    effective = settings.as_dict() | {
        "language": language,
        "min_df": min_df,
        "languages": languages,
    }
    log.info(
        "preprocess: %d documents kept, %d dropped, vocabulary %d, %d phrases",
        len(kept_tokens),
        len(dropped),
        len(vocab),
        n_phrases,
    )
    return Preprocessed(
        tokens=kept_tokens,
        doc_index=doc_index,
        vocab=vocab,
        dropped=dropped,
        settings=effective,
        n_raw_tokens=n_raw_tokens,
        n_phrases=n_phrases,
        language=covered,
        surface_forms=forms,
    )


def learn_phrases(flats: Sequence[Sequence[str]], min_count: int, threshold: float) -> Any:
    """gensim's ``Phrases(runs, scoring="npmi", ...).freeze()`` for the word runs
    (``flats``: each document's terms, "" where a run ends).

    gensim counts words and adjacent pairs in a Python loop (a tenth of preprocessing at
    100k documents); here numpy counts them (``encoded.count_pairs``), and gensim's own
    ``Phrases`` scores the counts. It is handed only the pairs seen ``min_count`` times:
    the NPMI scorer gives every rarer pair minus infinity. Where gensim would have pruned
    its vocabulary (over ``max_vocab_size`` entries) or a word holds gensim's delimiter,
    gensim counts for itself.
    """
    return encoded_steps.learn_phrases(_encode_flats(flats), min_count, threshold)


def _encode_flats(flats: Iterable[Sequence[str]]) -> encoded_steps.Encoded:
    return encode((flat, ()) for flat in flats)


def _runs(flat: Sequence[str]) -> Iterable[list[str]]:
    run: list[str] = []
    for term in flat:
        if term:
            run.append(term)
        elif run:
            yield run
            run = []
    if run:
        yield run


def join_phrases(flats: Sequence[Sequence[str]], frozen: Any) -> list[list[str]]:
    """Each document's terms with the phrases of gensim's ``FrozenPhrases`` joined as it
    joins them run by run: left to right, a word that ended a phrase starts no other.

    Pairs of words are found and joined in numpy (``encoded.join_phrases``); phrases of
    more or other than two words (connector words, a delimiter inside a word) are left
    to gensim.
    """
    joined = encoded_steps.join_phrases(_encode_flats(flats), frozen)
    if joined is not None:
        return list(joined.tokens)
    return [
        [t for run in _runs(flat) for t in (frozen[run] if len(run) > 1 else run)] for flat in flats
    ]


def filter_vocabulary(
    tokens: Sequence[Sequence[str]], *, no_below: int, no_above: float, keep_n: int
) -> set[str]:
    """The words gensim's ``Dictionary(tokens).filter_extremes(...)`` keeps, without the
    bag-of-words it builds on the way.

    In at least ``no_below`` and at most ``int(no_above * n_docs)`` documents; beyond
    ``keep_n`` words, the most widespread, ties in gensim's id order (documents in order,
    each one's new words sorted).
    """
    table = tokens if isinstance(tokens, TokenLists) else TokenLists.from_lists(tokens)
    good = encoded_steps.filter_vocabulary(
        table, no_below=no_below, no_above=no_above, keep_n=keep_n
    )
    return {table.terms[t] for t in np.flatnonzero(good).tolist()}


#: Corpora from this many documents are tokenized by a pool of ``n_jobs`` processes.
POOL_FROM = 50_000


def _tokenize_all(
    texts: list[str],
    language: str,
    settings: PreprocessSettings,
    progress: Callable[[int], None] | None,
    executor: Executor | None = None,
) -> Iterator[_Flat]:
    """Every text's word runs, yielded chunk by chunk as they are done (in order)."""
    n_jobs = settings.n_jobs or os.cpu_count() or 1
    chunk_size = 500
    chunks = [
        _Chunk(
            texts[i : i + chunk_size],
            language,
            settings.lemmatize,
            settings.min_token_len,
            settings.extra_stopwords,
        )
        for i in range(0, len(texts), chunk_size)
    ]
    if executor is not None:
        # The texts travel to the workers, their word runs come back, in chunk order.
        for result in executor.map(_tokenize_chunk, chunks):
            yield from result
        if progress is not None:
            progress(len(texts))
    # Each worker lemmatizes the words it meets again (its own memo) and every word run
    # is pickled back: on 2 cores the pool took 5.0 s where one process took 2.2 (BBC,
    # 2,225 documents) and 42 s against 25 s (20 Newsgroups, 18,846).
    elif n_jobs > 1 and len(texts) >= POOL_FROM:
        # A few chunks per worker in flight, not all: ``pool.map`` would queue every
        # chunk at once, and results that come back faster than they are read pile up.
        with _spawned_pool(n_jobs) as pool:
            pending: deque[tuple[Future[list[_Flat]], int]] = deque()
            for chunk in chunks:
                pending.append((pool.submit(_tokenize_chunk, chunk), len(chunk.texts)))
                while len(pending) >= 4 * n_jobs or (pending and chunk is chunks[-1]):
                    future, n_texts = pending.popleft()
                    yield from future.result()
                    if progress is not None:
                        progress(n_texts)
    else:
        for chunk in chunks:
            yield from _tokenize_chunk(chunk)
            if progress is not None:
                progress(len(chunk.texts))


@contextmanager
def _spawned_pool(n_jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``n_jobs`` fresh (spawned) processes, every one started before it is used.

    Not forked: a forked worker starts with every page of this process (at a million
    documents, their text: 2.3 GB of RSS per worker, 7.9 GB for the process tree) and
    copies much of it as it runs. A spawned process re-runs the main script unless it
    is a module (``python -m``) or guarded by ``if __name__ == "__main__"``; the workers
    need nothing from it, so the script's path is hidden while they start.
    """
    pool = ProcessPoolExecutor(max_workers=n_jobs, mp_context=multiprocessing.get_context("spawn"))
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None) if getattr(main, "__spec__", None) is None else None
    try:
        if script is not None:
            del main.__file__  # type: ignore[union-attr]
        # Each submit starts one more process while none is idle: start them all now.
        for started in [pool.submit(int) for _ in range(n_jobs)]:
            started.result()
    except BaseException:
        pool.shutdown(cancel_futures=True)
        raise
    finally:
        if script is not None:
            main.__file__ = script  # type: ignore[union-attr]
    with pool:
        yield pool


def _languages_cached(
    documents: Sequence[Document],
    settings: PreprocessSettings,
    cache: DocumentCache | None,
    executor: Executor | None = None,
) -> list[str | None]:
    if not settings.detect_language:
        return [None] * len(documents)
    detect = detect_languages if executor is None else _detect_on(executor)
    keys = _keys(documents, cache, "language")
    return list(cached_map(documents, keys, detect, cache=cache, stage="language"))


def _segments_cached(
    documents: Sequence[Document],
    language: str,
    settings: PreprocessSettings,
    progress: Callable[[int], None] | None,
    cache: DocumentCache | None,
    executor: Executor | None = None,
) -> Iterator[_Flat]:
    """Per document, its terms ("" where a run ends) and their surface forms, yielded as
    they are read from the cache or computed."""
    keys = _keys(
        documents,
        cache,
        language,
        settings.lemmatize,
        settings.min_token_len,
        sorted(settings.extra_stopwords),
    )
    return iter(
        cached_map(
            documents,
            keys,
            lambda missing: _tokenize_all([d.text for d in missing], language, settings, progress),
            cache=cache,
            stage="segments",
            counter="preprocessed",
            # Documents taken from the cache are done at once.
            on_hits=progress if cache is not None else None,
        )
    )


def _keys(documents: Sequence[Document], cache: DocumentCache | None, *salt: object) -> list[str]:
    """Per document, the key of its text with ``salt`` and this code (none without a cache)."""
    if cache is None:
        return [""] * len(documents)
    # The text's own hash after the salt's: no second hash per document (100k of them).
    common = fingerprint(*salt, modules=_CODE)[:16]
    return [common + _text_key(doc) for doc in documents]


def _detect_on(executor: Executor) -> Callable[[Sequence[Document]], list[str | None]]:
    """``detect_languages`` run on the executor's workers, 2,000 documents a task."""

    def detect(documents: Sequence[Document]) -> list[str | None]:
        step = 2000
        shards = [documents[i : i + step] for i in range(0, len(documents), step)]
        return [lang for part in executor.map(detect_languages, shards) for lang in part]

    return detect


def _text_key(doc: Document) -> str:
    return doc.content_hash or hashlib.sha256(" ".join(doc.text.split()).encode()).hexdigest()


#: Changed tokenizing or language code must not reuse old tokens or languages.
_CODE = ("topics.preprocess.tokens", "topics.preprocess.language")
