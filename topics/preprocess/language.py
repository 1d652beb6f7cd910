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


def detect_languages(documents: Sequence[Document]) -> list[str | None]:
    """Per-document language where it is confidently known (None: too short to tell)."""
    compiled = len(documents) >= COMPILED_FROM
    out: list[str | None] = []
    for doc in documents:
        if len(doc.text.split()) < 20:
            out.append(None)
            continue
        lang, prob = detect_language(doc.text, compiled=compiled)
        out.append(lang if prob >= 0.9 else None)
    return out


def dominant_language(langs: Sequence[str | None], default: str = "en") -> str:
    """The most common known language in ``langs`` (the first seen on a tie), else ``default``."""
    counts = Counter(lang for lang in langs if lang)
    return counts.most_common(1)[0][0] if counts else default


def count_languages(langs: Sequence[str | None]) -> dict[str, int]:
    """Documents per language, most common first ("unknown": too short or unsure to tell)."""
    counts = Counter(lang or "unknown" for lang in langs)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
