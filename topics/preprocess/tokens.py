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
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import regex
from nltk.tokenize import RegexpTokenizer

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
from topics.types import Document, Preprocessed, Skipped

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
    memo = _memo(language, lemmatize, min_token_len, stop)
    runs: list[list[str]] = []
    surfaces: list[list[str]] = []
    run: list[str] = []
    seen: list[str] = []
    text = text.lower()
    if "http" in text or "www." in text:
        text = _URL.sub(" . ", text)
    if _SEPARATORS_RE.search(text):
        text = text.translate(_SEPARATORS)
    # The tokenizer's matches never span whitespace, so each whitespace-separated piece
    # is tokenized (and lemmatized) once per process and looked up after that.
    for piece in text.split():
        parts = memo.get(piece)
        if parts is None:
            parts = memo[piece] = _piece_parts(piece, language, lemmatize, min_token_len, stop)
        for part in parts:
            if part is not None:
                run.append(part[0])
                seen.append(part[1])
            elif run:
                runs.append(run)
                surfaces.append(seen)
                run, seen = [], []
    if run:
        runs.append(run)
        surfaces.append(seen)
    return runs, surfaces


#: One whitespace-separated piece of lowercased text -> its tokens, each (term, surface
#: form or "") or None where a run ends (punctuation, a number, a stopword).
_Parts = tuple[tuple[str, str] | None, ...]
#: Pieces remembered per settings before the memo is emptied (bounds memory on huge corpora).
_MEMO_MAX = 1_000_000
# str.split() splits at these, the tokenizer's regex (``regex``'s \s) treats them as
# punctuation: they must still end a run.
_SEPARATORS = {c: " . " for c in range(0x1C, 0x20)}
_SEPARATORS_RE = re.compile("[\x1c-\x1f]")


@lru_cache(maxsize=8)
def _memo_for(
    language: str, lemmatize: bool, min_token_len: int, stop: frozenset[str]
) -> dict[str, _Parts]:
    return {}


def _memo(
    language: str, lemmatize: bool, min_token_len: int, stop: frozenset[str]
) -> dict[str, _Parts]:
    memo = _memo_for(language, lemmatize, min_token_len, stop)
    if len(memo) > _MEMO_MAX:
        memo.clear()
    return memo


def _piece_parts(
    piece: str, language: str, lemmatize: bool, min_token_len: int, stop: frozenset[str]
) -> _Parts:
    """The tokens of one piece of text, as ``segment_with_surfaces`` keeps or drops them."""
    parts: list[tuple[str, str] | None] = []
    for raw in _TOKEN_RE.findall(piece):
        token = surface = _POSSESSIVE.sub("", raw)
        keep = token[0].isalpha() and "'" not in token and "’" not in token
        if keep and token not in stop:
            if lemmatize:
                token = lemma(token, language)
            keep = len(token) >= min_token_len and token not in stop
        else:
            keep = False
        parts.append((token, "" if surface == token else surface) if keep else None)
    return tuple(parts)


def display_forms(
    tokens: Sequence[Sequence[str]], surfaces: Sequence[Sequence[str]]
) -> dict[str, str]:
    """Each term's most frequent form in the text, where it differs from the term.

    ``tokens`` are the documents' terms after phrases (a phrase joins two lemmas with
    "_"); ``surfaces`` the surface form of every lemma, in order ("" = the lemma itself).
    A phrase shows as its most frequent surface bigram. Ties go to the lemma, then to the
    alphabetically first form, so the map does not depend on document order.
    """
    from collections import Counter, defaultdict

    pairs: Counter[tuple[str, str]] = Counter()
    for doc, seen in zip(tokens, surfaces, strict=True):
        if len(doc) == len(seen):
            # No phrase in this document: terms and surface forms pair up one to one.
            pairs.update(zip(doc, seen, strict=True))
            continue
        pos = 0
        for term in doc:
            n = term.count("_") + 1
            if n == 1:
                pairs[term, seen[pos]] += 1
                pos += 1
                continue
            parts = term.split("_")
            shown = [s or p for s, p in zip(seen[pos : pos + n], parts, strict=False)]
            pos += n
            pairs[term, "_".join(shown)] += 1
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for (term, form), count in pairs.items():
        forms[term][form or term] += count
    out = {}
    for term, counts in forms.items():
        best = max(counts.values())
        if counts.get(term, 0) == best:
            continue
        out[term] = min(form for form, c in counts.items() if c == best)
    return out


def _tokenize_chunk(chunk: _Chunk) -> list[tuple[list[list[str]], list[list[str]]]]:
    stop = stopwords_for(chunk.language, chunk.extra_stopwords)
    return [
        segment_with_surfaces(
            t,
            language=chunk.language,
            lemmatize=chunk.lemmatize,
            min_token_len=chunk.min_token_len,
            stopwords=stop,
        )
        for t in chunk.texts
    ]


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
    from gensim.models.phrases import Phrases

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
    segments = [pair[0] for pair in pairs]
    surfaces = [[form for run in pair[1] for form in run] for pair in pairs]
    del pairs
    n_raw_tokens = sum(len(run) for doc in segments for run in doc)

    n_docs = len(segments)
    n_phrases = 0
    if settings.phrases and n_docs >= 2:
        min_count = settings.phrase_min_count
        if min_count == "auto":
            min_count = 5
        phrases = Phrases(
            (run for doc in segments for run in doc),
            min_count=min_count,
            threshold=settings.phrase_threshold,
            scoring="npmi",
        )
        frozen = phrases.freeze()
        n_phrases = len(frozen.phrasegrams)
        # A one-word run holds no phrase: skip gensim's per-run call (most runs are one word).
        tokens = [
            [t for run in doc for t in (frozen[run] if len(run) > 1 else run)] for doc in segments
        ]
    else:
        tokens = [[t for run in doc for t in run] for doc in segments]
    del segments
    forms = display_forms(tokens, surfaces)
    del surfaces

    min_df = settings.min_df
    if min_df == "auto":
        min_df = 2 if n_docs < 1000 else 5
    # A word must be allowed in at least one document even in tiny corpora.
    max_df = settings.max_df if n_docs >= 10 else 1.0
    vocab_set = filter_vocabulary(
        tokens,
        no_below=min(min_df, max(1, n_docs // 2)),
        no_above=max_df,
        keep_n=settings.max_vocab,
    )

    kept_tokens: list[list[str]] = []
    doc_index: list[int] = []
    for i, toks in zip(keep, tokens, strict=True):
        filtered = [t for t in toks if t in vocab_set]
        if len(filtered) < settings.min_doc_tokens:
            counts = {"n_words": len(filtered), "minimum": settings.min_doc_tokens}
            dropped.append(Skipped(documents[i].path, "too_short", counts, stage="preprocess"))
            continue
        kept_tokens.append(filtered)
        doc_index.append(i)

    # Vocabulary in a stable order (by first appearance in the kept documents).
    seen: dict[str, None] = {}
    for toks in kept_tokens:
        for t in toks:
            seen.setdefault(t)
    vocab = list(seen)
    forms = {term: form for term, form in forms.items() if term in seen}
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


def filter_vocabulary(
    tokens: Sequence[Sequence[str]], *, no_below: int, no_above: float, keep_n: int
) -> set[str]:
    """The words gensim's ``Dictionary(tokens).filter_extremes(...)`` keeps, without the
    bag-of-words it builds on the way.

    In at least ``no_below`` and at most ``int(no_above * n_docs)`` documents; beyond
    ``keep_n`` words, the most widespread, ties in gensim's id order (documents in order,
    each one's new words sorted).
    """
    from collections import Counter

    df: Counter[str] = Counter()
    for doc in tokens:
        df.update(set(doc))
    most = int(no_above * len(tokens))
    good = [word for word, n in df.items() if no_below <= n <= most]
    if len(good) <= keep_n:
        return set(good)
    ids: dict[str, int] = {}
    for doc in tokens:
        for word in sorted(set(doc).difference(ids)):
            ids[word] = len(ids)
    good.sort(key=lambda word: (-df[word], ids[word]))
    return set(good[:keep_n])


#: Corpora from this many documents are tokenized by a pool of ``n_jobs`` processes.
POOL_FROM = 50_000


def _tokenize_all(
    texts: list[str],
    language: str,
    settings: PreprocessSettings,
    progress: Callable[[int], None] | None,
    executor: Executor | None = None,
) -> list[tuple[list[list[str]], list[list[str]]]]:
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
    out: list[tuple[list[list[str]], list[list[str]]]] = []
    if executor is not None:
        # The texts travel to the workers, their word runs come back, in chunk order.
        for result in executor.map(_tokenize_chunk, chunks):
            out.extend(result)
        if progress is not None:
            progress(len(texts))
    # Each worker lemmatizes the words it meets again (its own memo) and every word run
    # is pickled back: on 2 cores the pool took 5.0 s where one process took 2.2 (BBC,
    # 2,225 documents) and 42 s against 25 s (20 Newsgroups, 18,846).
    elif n_jobs > 1 and len(texts) >= POOL_FROM:
        with ProcessPoolExecutor(max_workers=n_jobs) as pool:
            for result, chunk in zip(pool.map(_tokenize_chunk, chunks), chunks, strict=True):
                out.extend(result)
                if progress is not None:
                    progress(len(chunk.texts))
    else:
        for chunk in chunks:
            out.extend(_tokenize_chunk(chunk))
            if progress is not None:
                progress(len(chunk.texts))
    return out


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
) -> list[tuple[list[list[str]], list[list[str]]]]:
    """Per document, its word runs and their surface forms (see ``segment_with_surfaces``)."""
    keys = _keys(
        documents,
        cache,
        language,
        settings.lemmatize,
        settings.min_token_len,
        sorted(settings.extra_stopwords),
    )
    return list(
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
