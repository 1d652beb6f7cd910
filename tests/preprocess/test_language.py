from __future__ import annotations

from topics.preprocess.language import (
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
