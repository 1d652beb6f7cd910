"""Per-language word resources: stopwords, lemmas and language detection.

Everything here works offline from data inside installed wheels: scikit-learn's English
list (plus our extras) or stopwordsiso for stopwords, simplemma for lemmas, py3langid for
detecting a document's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from topics.types import Document

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


def detect_language(text: str) -> tuple[str, float]:
    """Language of a text and the classifier's probability (py3langid, offline)."""
    lang, prob = _identifier().classify(text[:3000])
    return str(lang), float(prob)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)


def detect_languages(documents: Sequence[Document]) -> list[str | None]:
    """Per-document language where it is confidently known (None: too short to tell)."""
    out: list[str | None] = []
    for doc in documents:
        if len(doc.text.split()) < 20:
            out.append(None)
            continue
        lang, prob = detect_language(doc.text)
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
