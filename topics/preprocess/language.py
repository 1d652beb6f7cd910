"""Per-language word resources: stopwords, lemmas and language detection.

Everything here works offline from data inside installed wheels: scikit-learn's English
list (plus our extras) or stopwordsiso for stopwords, simplemma for lemmas, py3langid for
detecting a document's language.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from topics.types import Document

log = logging.getLogger(__name__)

# Function words scikit-learn's list lacks, and fillers that carry no topic in any domain.
_EXTRA_EN_STOPWORDS = frozenset(
    [
        "also",
        "although",
        "among",
        "another",
        "anybody",
        "anyone",
        "anything",
        "around",
        "away",
        "back",
        "became",
        "become",
        "becomes",
        "came",
        "can",
        "cannot",
        "come",
        "could",
        "did",
        "does",
        "doing",
        "done",
        "dont",
        "either",
        "else",
        "etc",
        "even",
        "ever",
        "every",
        "get",
        "gets",
        "getting",
        "give",
        "given",
        "gives",
        "go",
        "goes",
        "going",
        "gone",
        "got",
        "gotten",
        "however",
        "just",
        "know",
        "known",
        "let",
        "like",
        "likely",
        "made",
        "make",
        "makes",
        "making",
        "many",
        "may",
        "maybe",
        "might",
        "much",
        "must",
        "need",
        "needs",
        "one",
        "ones",
        "put",
        "quite",
        "rather",
        "really",
        "said",
        "say",
        "says",
        "see",
        "seem",
        "seemed",
        "seems",
        "set",
        "shall",
        "should",
        "since",
        "still",
        "take",
        "taken",
        "takes",
        "thing",
        "things",
        "think",
        "though",
        "thus",
        "told",
        "took",
        "towards",
        "two",
        "upon",
        "use",
        "used",
        "uses",
        "using",
        "want",
        "way",
        "ways",
        "well",
        "went",
        "whether",
        "will",
        "within",
        "without",
        "would",
        "yes",
        "yet",
        "you'd",
        "you'll",
        "you're",
        "you've",
    ]
)

Language = str

SUPPORTED_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "sv", "da", "no", "fi", "pl")


def stopwords_for(language: str, extra: Sequence[str] = ()) -> frozenset[str]:
    """The stopword list for a language, from lists that ship inside installed wheels."""
    return _stopwords(language) | frozenset(w.lower() for w in extra)


@lru_cache(maxsize=16)
def _stopwords(language: str) -> frozenset[str]:
    if language == "en":
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        return frozenset(ENGLISH_STOP_WORDS) | _EXTRA_EN_STOPWORDS
    import stopwordsiso

    return frozenset(stopwordsiso.stopwords(language))


@lru_cache(maxsize=500_000)
def lemma(token: str, language: str) -> str:
    """The lowercase lemma of one lowercase token (simplemma, offline)."""
    import simplemma

    # simplemma capitalises proper-noun lemmas ("december" -> "December").
    return str(simplemma.lemmatize(token, lang=language)).lower()


def detect_language(text: str, *, compiled: bool = False) -> tuple[str, float]:
    """Language of a text and the classifier's probability (py3langid, offline).

    ``compiled``: walk py3langid's automaton with a compiled loop (same result, for
    many documents; the first call imports numba).
    """
    identifier = _compiled_identifier() if compiled else _identifier()
    lang, prob = identifier.classify(text[:3000])
    return str(lang), float(prob)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


_PROBES = (
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Der schnelle braune Fuchs springt über den faulen Hund am Fluss.",
    "Le rapide renard brun saute par-dessus le chien paresseux près de la rivière.",
    "Быстрая коричневая лиса прыгает через ленивую собаку.",
    "",
)

#: Below this many documents numba's import costs more than the compiled walk saves.
COMPILED_FROM = 200


@lru_cache(maxsize=1)
def _compiled_identifier() -> Any:
    """A py3langid identifier whose automaton walk is compiled (``_langid_kernel``).

    Only the walk is replaced: the feature counts are the same integers in the same
    order, and scoring, normalisation and labels stay py3langid's own, so every result
    is identical. A py3langid without the internals used here keeps its own walk.
    """
    import copy

    identifier = _identifier()
    try:
        next_move = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32)
        row_base = np.asarray(identifier._rowbase, dtype=np.int64)
        output = np.asarray(identifier.tk_output, dtype=np.int64)
        fill = 0.0 if identifier._norm_probs else None
    except (AttributeError, TypeError, ValueError):
        return identifier
    if fill is None:
        return identifier
    from topics.store.compiled import ensure_numba_cache_dir

    ensure_numba_cache_dir()
    from topics.preprocess._langid_kernel import walk

    # py3langid keeps its table in float16; each score converted its rows again.
    table = np.asarray(identifier.nb_ptc, dtype=np.float32)

    class Compiled(type(identifier)):  # type: ignore[misc]
        __slots__ = ()

        def _raw_score(self, data: bytes) -> Any:
            features = np.empty(len(data), dtype=np.int64)
            n = walk(next_move, row_base, output, np.frombuffer(data, dtype=np.uint8), features)
            if not n:
                return np.full(len(self.nb_classes), fill, dtype=np.float32)
            # py3langid's ``_sparse_score``: counts in order of first appearance.
            visits = Counter(features[:n].tolist())
            idx = np.fromiter(visits.keys(), dtype=np.intp, count=len(visits))
            counts = np.fromiter(visits.values(), dtype=np.float32, count=len(visits))
            return np.log1p(counts) @ table[idx] + self.nb_pc

    fast = copy.copy(identifier)
    fast.__class__ = Compiled
    # Identical scores or none: a py3langid that scores differently keeps its own code.
    for probe in _PROBES:
        if not np.array_equal(fast._decide(probe), identifier._decide(probe)):
            log.warning("py3langid scores differently than expected; not compiling its walk")
            return identifier
    return fast


#: A detected language counts from this probability on (below it: "unknown").
MIN_PROBABILITY = 0.9
#: Documents with fewer words have no language.
MIN_WORDS = 20


def detect_languages(documents: Sequence[Document]) -> list[str | None]:
    """Per-document language where it is confidently known (None: too short to tell)."""
    compiled = len(documents) >= COMPILED_FROM
    # Only "at least MIN_WORDS words" matters: split no further than that.
    texts = [
        doc.text if len(doc.text.split(None, MIN_WORDS)) >= MIN_WORDS else None for doc in documents
    ]
    batch = _batch_detector() if compiled else None
    if batch is not None:
        return batch.detect(texts)
    out: list[str | None] = []
    for text in texts:
        if text is None:
            out.append(None)
            continue
        lang, prob = detect_language(text, compiled=compiled)
        out.append(lang if prob >= MIN_PROBABILITY else None)
    return out


class _BatchDetector:
    """``detect_languages``' decisions for many texts at once, each one py3langid's own.

    py3langid scores one text at a time: a float32 product of its feature weights with
    the model's table (a quarter of preprocessing at 100k documents). Here a compiled
    kernel scores a whole batch in float64, and a text's decision is taken from that
    score only where no rounding py3langid's float32 arithmetic can do moves its top
    probability across ``MIN_PROBABILITY``; the few texts that close to the line are
    scored by py3langid itself. So every decision is the one py3langid makes.
    """

    #: Texts scored per kernel call (bounds the byte buffer and the score matrix).
    BATCH = 2000

    def __init__(self, identifier: Any) -> None:
        self.identifier = identifier
        self.next_move = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32)
        self.row_base = np.asarray(identifier._rowbase, dtype=np.int64)
        self.output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.table = np.asarray(identifier.nb_ptc, dtype=np.float32)
        self.prior = np.asarray(identifier.nb_pc, dtype=np.float64)
        self.aliases = list(identifier._alias_pairs)
        self.classes = list(identifier.nb_classes)
        self.n_exact = 0  # texts left to py3langid (close to the line), for tests and benches

    def detect(self, texts: Sequence[str | None]) -> list[str | None]:
        out: list[str | None] = []
        for start in range(0, len(texts), self.BATCH):
            out.extend(self._detect(texts[start : start + self.BATCH]))
        return out

    def _detect(self, texts: Sequence[str | None]) -> list[str | None]:
        raw, lengths, n_features = self.scores(texts)
        low, high, best = self.bounds(raw, lengths, n_features)
        out: list[str | None] = []
        for i, text in enumerate(texts):
            if text is None or n_features[i] == 0:
                # No features: py3langid scores every class alike, far below the line.
                out.append(None)
            elif low[i] >= MIN_PROBABILITY:
                out.append(self.classes[best[i]])
            elif high[i] < MIN_PROBABILITY:
                out.append(None)
            else:
                self.n_exact += 1
                lang, prob = detect_language(text, compiled=True)
                out.append(lang if prob >= MIN_PROBABILITY else None)
        return out

    def scores(self, texts: Sequence[str | None]) -> tuple[Any, Any, Any]:
        """Per text: the float64 sum of its feature weights per class (no prior yet), its
        length in bytes as py3langid encodes it, and its number of distinct features."""
        from topics.preprocess._langid_kernel import score_batch

        encoded = [b"" if t is None else self.identifier._encode(t[:3000]) for t in texts]
        lengths = np.array([len(e) for e in encoded], dtype=np.int64)
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        data = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        # The very float32 values py3langid weighs each count with (np.log1p of float32).
        log_counts = np.log1p(np.arange(int(lengths.max(initial=0)) + 1, dtype=np.float32))
        raw = np.zeros((len(encoded), self.table.shape[1]), dtype=np.float64)
        n_features = np.zeros(len(encoded), dtype=np.int64)
        score_batch(
            self.next_move,
            self.row_base,
            self.output,
            data,
            offsets,
            log_counts,
            self.table,
            raw,
            n_features,
        )
        return raw, lengths, n_features

    def bounds(self, raw: Any, lengths: Any, n_features: Any) -> tuple[Any, Any, Any]:
        """Per text: bounds on py3langid's top probability, and its top class.

        py3langid's score of class j is ``nb_pc[j] + sum_f w_f * table[f, j]`` in float32,
        in any order of summation: off the exact sum by at most ``gamma(n + 2)`` times the
        sum of the terms' magnitudes (Higham, Accuracy and Stability, 3.1), where every
        term has one sign (weights >= 0, table < 0, checked when built). Then one scaling,
        a float32 softmax over the classes and the alias folding, each off by a few
        float32 roundings of the result. The top class is py3langid's wherever the lower
        bound is above one half.
        """
        unit = 2.0**-24
        n = n_features.astype(np.float64) + 12  # log1p and a margin of roundings
        gamma = n * unit / (1 - n * unit)
        scale = 1.0 / np.sqrt(np.maximum(lengths, 1).astype(np.float64))
        magnitude = -raw + np.abs(self.prior)  # sum of |terms|, as every term is <= 0
        z = (raw + self.prior) * scale[:, None]
        err = (gamma[:, None] * magnitude + 4 * unit * np.abs(raw + self.prior)) * scale[:, None]
        # Each difference of two scores moves by at most twice the largest error.
        spread = 2 * err.max(axis=1) + 1e-9
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        for i, j in self.aliases:
            p[:, i] += p[:, j]
            p[:, j] = 0.0
        best = p.argmax(axis=1)
        top = p[np.arange(len(p)), best]
        # float32 exp, sum of the classes, division and folding: a relative margin.
        eta = (4 * p.shape[1] + 64) * unit
        low = top * np.exp(-spread) * (1 - eta)
        high = top * np.exp(spread) * (1 + eta)
        return low, high, best


@lru_cache(maxsize=1)
def _batch_detector() -> _BatchDetector | None:
    """The batch detector, or None where py3langid's internals are not the ones expected."""
    identifier = _compiled_identifier()
    if identifier is _identifier():  # its walk could not be compiled either
        return None
    try:
        detector = _BatchDetector(_identifier())
    except (AttributeError, TypeError, ValueError):
        return None
    if (
        identifier.min_confidence is not None
        or not identifier._norm_probs
        or detector.table.max() >= 0
        or detector.table.shape[1] != len(detector.classes)
    ):
        return None
    probes = [p * 4 for p in _PROBES]
    expected = []
    for probe in probes:
        lang, prob = detect_language(probe, compiled=True)
        expected.append(lang if prob >= MIN_PROBABILITY else None)
    if detector.detect(probes) != expected:
        log.warning("py3langid decides differently than expected; not batching it")
        return None
    return detector


def dominant_language(langs: Sequence[str | None], default: str = "en") -> str:
    """The most common known language in ``langs`` (the first seen on a tie), else ``default``."""
    counts = Counter(lang for lang in langs if lang)
    return counts.most_common(1)[0][0] if counts else default


def count_languages(langs: Sequence[str | None]) -> dict[str, int]:
    """Documents per language, most common first ("unknown": too short or unsure to tell)."""
    counts = Counter(lang or "unknown" for lang in langs)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
