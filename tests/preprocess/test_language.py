from __future__ import annotations

from topics.preprocess.language import (
    COMPILED_FROM,
    count_languages,
    detect_language,
    detect_languages,
    dominant_language,
    lemma,
    stopwords_for,
)
from topics.types import Document

FRENCH = (
    "Le conseil municipal a discuté du budget de la nouvelle bibliothèque et des "
    "réparations du toit de la mairie, qui fuit depuis des années."
)


def test_english_stopwords_add_fillers_to_scikit_learns_list() -> None:
    stop = stopwords_for("en")
    assert {"the", "and", "also", "however", "you're"} <= stop
    assert "library" not in stop


def test_extra_stopwords_are_lowercased() -> None:
    assert "budget" in stopwords_for("en", ["Budget"])


def test_other_languages_use_their_own_list() -> None:
    assert {"le", "la", "des"} <= stopwords_for("fr")


def test_lemmas_are_lowercase() -> None:
    assert lemma("december", "en") == "december"
    assert lemma("running", "en") == "run"


def test_detect_language_reports_language_and_probability() -> None:
    lang, prob = detect_language(FRENCH)
    assert lang == "fr"
    assert 0.9 <= prob <= 1.0


def test_short_documents_have_no_language() -> None:
    docs = [Document(path="a.txt", text="bonjour le monde", title="a")]
    docs.append(Document(path="b.txt", text=FRENCH, title="b"))
    assert detect_languages(docs) == [None, "fr"]


def test_dominant_language_ignores_unknown_and_falls_back() -> None:
    assert dominant_language([None, "fr", "en", "fr", None, None]) == "fr"
    assert dominant_language([None, None]) == "en"


def test_language_counts_most_common_first() -> None:
    counts = count_languages(["fr", None, "en", "en", "fr", "de"])
    assert list(counts.items()) == [("en", 2), ("fr", 2), ("de", 1), ("unknown", 1)]


def test_compiled_walk_scores_exactly_as_py3langid() -> None:
    """The compiled automaton walk (many documents) changes no score, not even rounding."""
    import numpy as np

    from topics.preprocess.language import _compiled_identifier, _identifier

    texts = [
        FRENCH,
        "The council discussed the budget for the new library and the town hall roof.",
        "Der Gemeinderat hat über den Haushalt der neuen Bibliothek gesprochen.",
        "Городской совет обсудил бюджет новой библиотеки.",
        "市议会讨论了新图书馆的预算。",
        "12345 !!! ---",
        "",
    ]
    plain, compiled = _identifier(), _compiled_identifier()
    assert compiled is not plain  # this py3langid's internals are the ones expected
    for text in texts:
        assert np.array_equal(compiled._decide(text), plain._decide(text))
        assert detect_language(text, compiled=True) == detect_language(text)


def test_many_documents_get_the_languages_few_documents_get() -> None:
    from topics.preprocess.language import COMPILED_FROM

    texts = [FRENCH * 2, "The council discussed the budget for the new library. " * 3, "short"]
    docs = [Document(path=f"d{i}.txt", text=t, title="") for i, t in enumerate(texts)]
    many = docs * (COMPILED_FROM // len(docs) + 1)
    assert detect_languages(many)[:3] == detect_languages(docs) == ["fr", "en", None]


def _mixed_texts() -> list[str]:
    """Texts in several languages, scripts and cases, and mixes of two languages in every
    proportion (some land close to the 0.9 line, where rounding could decide)."""
    english = "The council discussed the budget for the new library and the town hall roof "
    german = "Der Gemeinderat hat über den Haushalt der neuen Bibliothek gesprochen und "
    spanish = "El ayuntamiento discutió el presupuesto de la nueva biblioteca y el techo "
    words_en, words_de, words_es = english.split(), german.split(), spanish.split()
    texts = [
        "",
        "a",
        "12345 !!! ---",
        FRENCH,
        FRENCH.upper(),
        english * 40,
        german * 3,
        "Городской совет обсудил бюджет новой библиотеки. " * 5,
        "市议会讨论了新图书馆的预算。" * 8,
        "Bu bir deneme cümlesidir ve belediye meclisi bütçeyi görüştü. " * 4,
        "x" * 5000,
    ]
    for other in (words_de, words_es):
        for n_en in range(1, 40):
            for n_other in range(1, 12):
                texts.append(" ".join((words_en * 3)[:n_en] + other[:n_other]))
    return texts


def test_batch_decisions_are_py3langids_own() -> None:
    """Batch scoring decides every text as py3langid's ``classify`` does, one by one."""
    from topics.preprocess.language import MIN_PROBABILITY, _batch_detector, _identifier

    detector = _batch_detector()
    assert detector is not None  # this py3langid's internals are the ones expected
    texts = _mixed_texts()
    expected = []
    for text in texts:
        lang, prob = _identifier().classify(text[:3000])
        expected.append(lang if prob >= MIN_PROBABILITY else None)
    assert detector.detect(texts) == expected
    assert len(set(expected)) > 4


def test_batch_bounds_hold_py3langids_probability() -> None:
    """The float64 bounds contain py3langid's float32 top probability, and are tight."""
    import numpy as np

    from topics.preprocess.language import _batch_detector, _identifier

    detector = _batch_detector()
    assert detector is not None
    texts = [t for t in _mixed_texts() if t]
    raw, lengths, n_features = detector.scores(texts)
    low, high, best = detector.bounds(raw, lengths, n_features)
    for text, lo, hi, top, n in zip(texts, low, high, best, n_features, strict=True):
        scores = _identifier()._decide(text[:3000])
        prob = float(scores.max())
        if n == 0:  # py3langid scores no class: all alike, far below any line
            assert prob < 0.1
            continue
        assert lo <= prob <= hi
        assert hi - lo < 0.05
        if lo > 0.5:
            assert top == int(np.argmax(scores))


def test_texts_close_to_the_line_are_left_to_py3langid() -> None:
    from topics.preprocess.language import _BatchDetector, _identifier

    detector = _BatchDetector(_identifier())
    texts = _mixed_texts()
    low, high, _ = detector.bounds(*detector.scores(texts))
    close = sum(1 for lo, hi in zip(low, high, strict=True) if lo < 0.9 <= hi)
    detector.detect(texts)
    assert detector.n_exact == close > 0


def test_documents_under_min_words_have_no_language() -> None:
    """The word count stops at MIN_WORDS; whatever the whitespace, the cut is the same."""
    from topics.preprocess.language import MIN_PROBABILITY, MIN_WORDS, _identifier

    words = (FRENCH + " " + FRENCH).split()
    for n in range(MIN_WORDS - 2, MIN_WORDS + 3):
        for sep in (" ", "\t\n ", "  "):
            text = sep + sep.join(words[:n]) + sep
            lang, prob = _identifier().classify(text)
            expected = lang if n >= MIN_WORDS and prob >= MIN_PROBABILITY else None
            docs = [Document(path="a.txt", text=text, title="")]
            assert detect_languages(docs) == [expected]
            assert detect_languages(docs * COMPILED_FROM)[0] == expected
