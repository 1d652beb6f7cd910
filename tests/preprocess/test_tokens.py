from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from topics.preprocess.tokens import PreprocessSettings, preprocess, segment, tokenize
from topics.types import Document


def _docs(texts: list[str]) -> list[Document]:
    return [Document(path=f"d{i}.txt", text=t, title=f"d{i}") for i, t in enumerate(texts)]


def test_tokenize_drops_stopwords_contractions_numbers_and_lowercases_lemmas() -> None:
    tokens = tokenize("We'll see: the Runners didn't stop in December 2024, they're running!")
    assert tokens == ["runner", "stop", "december", "run"]


def test_possessives_keep_the_noun() -> None:
    assert tokenize("Britain's economy") == ["britain", "economy"]


def test_segments_break_at_removed_words_and_punctuation() -> None:
    assert segment("olympic champion, leave the lawn") == [
        ["olympic", "champion"],
        ["leave"],
        ["lawn"],
    ]


def test_non_latin_scripts_are_tokenized() -> None:
    tokens = tokenize("Москва столица", language="ru", lemmatize=False, stopwords=frozenset())
    assert tokens == ["москва", "столица"]


def test_phrases_join_frequent_adjacent_pairs() -> None:
    texts = [f"The new york subway was busy on day {i}. Trains ran late." for i in range(30)]
    texts += [f"Another story about farming number {i} and tractors." for i in range(30)]
    pre = preprocess(_docs(texts), PreprocessSettings(detect_language=False, max_df=1.0))
    assert "new_york" in pre.vocab
    assert pre.n_phrases >= 1


def test_short_documents_are_dropped_with_a_reason() -> None:
    texts = ["apple banana cherry grape melon " * 3] * 2 + ["the and of it"]
    texts[1] += " extra"
    pre = preprocess(_docs(texts), PreprocessSettings(detect_language=False, phrases=False))
    assert pre.doc_index == [0, 1]
    assert len(pre.dropped) == 1
    assert pre.dropped[0].path == "d2.txt"
    assert "too short" in pre.dropped[0].reason


def test_document_frequency_filter() -> None:
    common = "shared word everywhere "
    texts = [common + f"unique{i} alpha beta gamma delta" for i in range(20)]
    settings = PreprocessSettings(detect_language=False, phrases=False, min_df=2, max_df=0.5)
    pre = preprocess(_docs(texts), settings)
    assert "shared" not in pre.vocab  # in every document
    assert not any(w.startswith("unique") for w in pre.vocab)  # in one document each


def test_other_language_documents_are_listed_not_mixed() -> None:
    english = [
        "The committee discussed the budget for the new library and the repairs to the "
        f"town hall roof, which has leaked for years, meeting number {i}."
        for i in range(8)
    ]
    french = [
        "Le conseil municipal a discuté du budget de la nouvelle bibliothèque et des "
        "réparations du toit de la mairie, qui fuit depuis des années."
    ]
    pre = preprocess(_docs(english + french), PreprocessSettings(phrases=False))
    assert pre.language == "en"
    assert [d.path for d in pre.dropped] == ["d8.txt"]
    assert "language 'fr'" in pre.dropped[0].reason


def test_same_input_same_tokens() -> None:
    texts = [f"Gardening with compost and mulch in spring, week {i}." for i in range(12)]
    a = preprocess(_docs(texts), PreprocessSettings(detect_language=False))
    b = preprocess(_docs(texts), PreprocessSettings(detect_language=False))
    assert a.tokens == b.tokens
    assert a.vocab == b.vocab


@pytest.mark.slow
def test_parallel_and_serial_tokenizing_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    from topics.preprocess import tokens

    # The pool starts from ``POOL_FROM`` documents; a smaller corpus exercises it here.
    monkeypatch.setattr(tokens, "POOL_FROM", 1000)
    texts = [f"Telescope observations of the moon and planet number {i % 50}." for i in range(2100)]
    serial = preprocess(_docs(texts), PreprocessSettings(detect_language=False, n_jobs=1))
    parallel = preprocess(_docs(texts), PreprocessSettings(detect_language=False, n_jobs=2))
    assert serial.tokens == parallel.tokens


@pytest.mark.slow
def test_the_spawned_pool_does_not_rerun_an_unguarded_script(tmp_path: Path) -> None:
    """Workers are spawned (not forked, which copies the parent's memory); a script
    without an ``if __name__ == "__main__"`` guard must still run once, not crash."""
    import subprocess
    import sys

    runs = tmp_path / "runs.txt"
    script = tmp_path / "unguarded.py"
    script.write_text(
        f"""
with open({str(runs)!r}, "a") as log:
    log.write("ran\\n")
from topics.preprocess import tokens
from topics.types import Document
tokens.POOL_FROM = 10
words = "apple banana cherry delta eagle falcon garden harbor island jungle kettle lemon".split()
texts = [" ".join(words[(i + k) % 12] for k in range(6)) for i in range(40)]
docs = [Document(path=f"d{{i}}.txt", text=t, title="") for i, t in enumerate(texts)]
settings = tokens.PreprocessSettings(
    detect_language=False, n_jobs=2, min_df=1, max_df=1.0, phrases=False
)
print(len(tokens.preprocess(docs, settings).tokens))
"""
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["40"]
    assert runs.read_text() == "ran\n"


def test_dominant_language_without_lemmatizer_is_still_modelled() -> None:
    """Regression: a corpus in an unsupported language was dropped whole as 'not English'."""
    czech = [
        "Městská rada projednala rozpočet nové knihovny a opravy střechy radnice, která "
        f"už léta zatéká, a rozhodla o dalším postupu na schůzi číslo {i}."
        for i in range(8)
    ]
    pre = preprocess(_docs(czech), PreprocessSettings(phrases=False, min_df=1))
    assert pre.language == "cs"
    assert len(pre.tokens) == 8
    assert pre.dropped == []


def test_words_show_as_their_most_frequent_form_in_the_text() -> None:
    """Regression: lemmas such as "wale" (Wales) and "mar" (Mars) were shown as topic words."""
    texts = [
        "Wales beat Scotland as the players celebrated in Cardiff tonight.",
        "The Mars rover sent pictures; Mars looked red and the players cheered.",
        "Wales and Mars, players and more players, Cardiff again and again.",
        "Players from Wales watched Mars rise over Cardiff after the match.",
    ]
    docs = [Document(path=f"d{i}.txt", text=t, title="") for i, t in enumerate(texts)]
    pre = preprocess(docs, PreprocessSettings(min_df=1, min_doc_tokens=1, phrases=False))
    assert "wale" in pre.vocab and "mar" in pre.vocab  # the model keeps lemmas
    assert pre.display("wale") == "wales"
    assert pre.display("mar") == "mars"
    assert pre.display("player") == "players"  # "player" never occurs
    assert pre.display("cardiff") == "cardiff"


def test_no_displayed_word_or_phrase_is_absent_from_the_corpus_text() -> None:
    from tests.conftest import SAMPLE_DATA
    from topics.ingest import IngestSettings, read_folder
    from topics.preprocess.tokens import _POSSESSIVE, _TOKENIZER

    corpus = read_folder(SAMPLE_DATA, IngestSettings())
    pre = preprocess(corpus.documents, PreprocessSettings(n_jobs=1))
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    for i in pre.doc_index:
        tokens = [
            _POSSESSIVE.sub("", t) for t in _TOKENIZER.tokenize(corpus.documents[i].text.lower())
        ]
        words.update(tokens)
        pairs.update(itertools.pairwise(tokens))
    assert pre.n_phrases > 0
    absent = []
    for term in pre.vocab:
        parts = pre.display(term).split("_")
        ok = tuple(parts) in pairs if len(parts) == 2 else all(p in words for p in parts)
        if not ok:
            absent.append(pre.display(term))
    assert not absent, absent[:20]


def test_links_are_not_words() -> None:
    """Regression: "https" was a top word of every tweet topic."""
    text = "Great rally https://t.co/AbC123 tonight, see www.example.com/x or HTTP://foo.bar now"
    assert tokenize(text) == ["great", "rally", "tonight"]
    # A link ends a run: the words around it are never joined into a phrase.
    assert segment("rally https://t.co/x tonight") == [["rally"], ["tonight"]]


def _segment_by_whole_text(text: str) -> tuple[list[list[str]], list[list[str]]]:
    """The chain as it ran before pieces were memoised: one tokenizer pass over the text."""
    from topics.preprocess.language import lemma, stopwords_for
    from topics.preprocess.tokens import _POSSESSIVE, _TOKENIZER, _URL

    stop = stopwords_for("en")
    runs: list[list[str]] = []
    surfaces: list[list[str]] = []
    run: list[str] = []
    seen: list[str] = []
    for raw in _TOKENIZER.tokenize(_URL.sub(" . ", text.lower())):
        token = surface = _POSSESSIVE.sub("", raw)
        keep = token[0].isalpha() and "'" not in token and "’" not in token
        if keep and token not in stop:
            token = lemma(token, "en")
            keep = len(token) >= 3 and token not in stop
        else:
            keep = False
        if keep:
            run.append(token)
            seen.append("" if surface == token else surface)
        elif run:
            runs.append(run)
            surfaces.append(seen)
            run, seen = [], []
    if run:
        runs.append(run)
        surfaces.append(seen)
    return runs, surfaces


@given(
    st.lists(
        st.sampled_from(
            [
                "Runners",
                "didn't",
                "Britain's",
                "economy",
                "rock'n'roll",
                "x²",
                "naïve",
                "3d",
                "12_34",
                "abc'_x",
                "it's5",
                "’s",
                "don’t",
                "—",
                "...",
                "(the",
                "world.",
                "https://t.co/x",
                "www.a.b",
                "HTTP://foo",
                "\x1c",
                "\x1f",
                "a\x1db",
                "\xa0",
                "\u2003",
                "\t",
                "\n",
                " ",
                "Москва",
                "東京",
                "_",
                "'",
                "2024,",
                "new",
                "york",
            ]
        ),
        max_size=40,
    )
)
@settings(max_examples=300, deadline=None)
def test_memoised_pieces_give_the_whole_text_tokens(words: list[str]) -> None:
    """Regression for the speed-up: tokenizing each whitespace piece once per process
    must give exactly the runs and surface forms of one pass over the whole text."""
    from topics.preprocess.tokens import segment_with_surfaces

    text = "".join(words)
    assert segment_with_surfaces(text) == _segment_by_whole_text(text)
    spaced = " ".join(words)
    assert segment_with_surfaces(spaced) == _segment_by_whole_text(spaced)


@given(
    st.lists(st.lists(st.sampled_from([f"w{i}" for i in range(40)]), max_size=15), max_size=40),
    st.integers(1, 4),
    st.floats(0.05, 1.0),
    st.integers(1, 30),
)
@settings(max_examples=200, deadline=None)
def test_vocabulary_filter_keeps_what_gensims_dictionary_keeps(
    docs: list[list[str]], no_below: int, no_above: float, keep_n: int
) -> None:
    from gensim.corpora import Dictionary

    from topics.preprocess.tokens import filter_vocabulary

    dictionary = Dictionary(docs)
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=keep_n)
    kept = filter_vocabulary(docs, no_below=no_below, no_above=no_above, keep_n=keep_n)
    assert kept == set(dictionary.token2id)


def _flat(runs: list[list[str]]) -> list[str]:
    """Runs as ``learn_phrases`` takes them: one list, "" where a run ends."""
    return [t for run in runs for t in [*run, ""]]


def _gensim_phrases(
    docs: list[list[list[str]]], min_count: int, threshold: float
) -> tuple[dict[str, float], list[list[str]]]:
    """gensim's own counting, scoring and application, run by run, as preprocess did."""
    from gensim.models.phrases import Phrases

    runs = [run for doc in docs for run in doc]
    frozen = Phrases(runs, min_count=min_count, threshold=threshold, scoring="npmi").freeze()
    return frozen.phrasegrams, [[t for run in doc for t in frozen[run]] for doc in docs]


@given(
    st.lists(
        st.lists(st.lists(st.sampled_from([f"w{i}" for i in range(8)]), max_size=7), max_size=5),
        min_size=2,
        max_size=30,
    ),
    st.integers(1, 4),
    st.floats(-1.0, 0.9),
)
@settings(max_examples=150, deadline=None)
def test_phrases_are_gensims_own(
    docs: list[list[list[str]]], min_count: int, threshold: float
) -> None:
    """Counting in C and joining by pair lookup find and join exactly gensim's phrases."""
    from topics.preprocess.tokens import join_phrases, learn_phrases

    expected_grams, expected = _gensim_phrases(docs, min_count, threshold)
    flats = [_flat(doc) for doc in docs]
    frozen = learn_phrases(flats, min_count, threshold)
    assert frozen.phrasegrams == expected_grams
    assert join_phrases(flats, frozen) == expected


def test_phrases_on_real_text_are_gensims_own() -> None:
    from tests.conftest import SAMPLE_DATA
    from topics.ingest import IngestSettings, read_folder
    from topics.preprocess.tokens import join_phrases, learn_phrases

    corpus = read_folder(SAMPLE_DATA, IngestSettings())
    docs = [segment(d.text) for d in corpus.documents]
    expected_grams, expected = _gensim_phrases(docs, 5, 0.5)
    flats = [_flat(doc) for doc in docs]
    frozen = learn_phrases(flats, 5, 0.5)
    assert len(expected_grams) > 10
    assert frozen.phrasegrams == expected_grams
    assert join_phrases(flats, frozen) == expected


def test_words_holding_the_delimiter_are_left_to_gensim() -> None:
    """A word with "_" in it would split wrongly into a pair: gensim counts and joins."""
    from topics.preprocess.tokens import join_phrases, learn_phrases

    docs = [[["new_x", "york", "city"], ["new_x", "york"]]] * 6 + [[["york", "city"]]] * 3
    expected_grams, expected = _gensim_phrases(docs, 2, 0.0)
    flats = [_flat(doc) for doc in docs]
    frozen = learn_phrases(flats, 2, 0.0)
    assert frozen.phrasegrams == expected_grams
    assert join_phrases(flats, frozen) == expected


def _display_forms_one_term_at_a_time(
    tokens: list[list[str]], surfaces: list[list[str]]
) -> dict[str, str]:
    """``display_forms`` as it was written first: every term looked at in Python."""
    from collections import Counter, defaultdict

    pairs: Counter[tuple[str, str]] = Counter()
    for doc, seen in zip(tokens, surfaces, strict=True):
        pos = 0
        for term in doc:
            parts = term.split("_")
            shown = [s or p for s, p in zip(seen[pos : pos + len(parts)], parts, strict=False)]
            pos += len(parts)
            pairs[term, "_".join(shown) if len(parts) > 1 else seen[pos - 1]] += 1
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    for (term, form), n in pairs.items():
        forms[term][form or term] += n
    out = {}
    for term, counts in forms.items():
        best = max(counts.values())
        if counts.get(term, 0) != best:
            out[term] = min(form for form, c in counts.items() if c == best)
    return out


@given(
    st.lists(
        st.lists(
            st.tuples(st.sampled_from(["run", "walk", "city", "york"]), st.sampled_from(["", "x"])),
            max_size=12,
        ),
        max_size=12,
    ),
    st.lists(st.integers(0, 11), max_size=6),
)
@settings(max_examples=100, deadline=None)
def test_display_forms_match_one_term_at_a_time(
    docs: list[list[tuple[str, str]]], joins: list[int]
) -> None:
    from topics.preprocess.tokens import display_forms

    tokens, surfaces = [], []
    for doc in docs:
        terms = [t for t, _ in doc]
        surfaces.append([f"{t}{s}" if s else "" for t, s in doc])
        # Join some adjacent pairs into phrases, left to right, as phrases do.
        done = 0
        joined: list[str] = []
        for at in sorted(set(joins)):
            if done <= at < len(terms) - 1:
                joined += [*terms[done:at], terms[at] + "_" + terms[at + 1]]
                done = at + 2
        tokens.append(joined + terms[done:])
    forms = display_forms(tokens, surfaces)
    expected = _display_forms_one_term_at_a_time(tokens, surfaces)
    assert list(forms.items()) == list(expected.items())  # the order too
