"""Short, distinct topic names, made offline from each topic's words.

A name is the topic's best phrase (if one is among its top words) and its most
distinguishing words, 2-4 words in all: "champions league / chelsea". Words are ranked
by how high they stand in the topic (its own ranking: relevance for LDA, c-TF-IDF for
clusters) and by how exclusive they are to it (their weight here over their weight in
all topics), as STM's FREX does. Names are unique within a model: a name equal to an
earlier topic's takes the next distinguishing word. Words are shown as they appear in
the text (``Preprocessed.display``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from topics.types import TopicModelResult

#: Top words of a topic considered for its name.
CANDIDATES = 10
#: Words in a name (a phrase counts its parts).
MAX_WORDS = 3
SEPARATOR = " / "


def name_topics(model: TopicModelResult, display: Callable[[str], str] | None = None) -> list[str]:
    """One short, distinct name per topic of ``model``."""
    show = display or (lambda term: term)
    index = {w: i for i, w in enumerate(model.vocab)}
    total = model.topic_term.sum(axis=0) + 1e-12
    ranked: list[list[str]] = []
    for t, words in enumerate(model.topic_words):
        pool = [w for w in words[:CANDIDATES] if w in index and model.topic_term[t, index[w]] > 0]
        if not pool:
            ranked.append([f"topic {t}"])
            continue
        exclusivity = np.array([model.topic_term[t, index[w]] / total[index[w]] for w in pool])
        # Harmonic mean of the two ranks' percentiles (FREX, weight 0.5).
        place = 1.0 - np.arange(len(pool)) / len(pool)
        excl = _percentile(exclusivity)
        score = 2.0 / (1.0 / place + 1.0 / np.maximum(excl, 1e-9))
        order = np.argsort(-score, kind="stable")
        phrases = [i for i in range(len(pool)) if "_" in pool[i]][:1]
        ordered = phrases + [i for i in order.tolist() if i not in phrases]
        ranked.append([show(pool[i]).replace("_", " ") for i in ordered])
    return _unique([_compose(words) for words in ranked], ranked)


def apply_user_names(model: TopicModelResult, given: Mapping[int, str]) -> list[int]:
    """Replace names by user-given ones (topic id -> name); the ids that were applied."""
    if len(model.names) < model.n_topics:
        model.names = name_topics(model)
    applied = sorted(t for t in given if 0 <= t < model.n_topics)
    for t in applied:
        model.names[t] = given[t]
    model.user_named = applied
    return applied


def _percentile(values: np.ndarray) -> np.ndarray:
    ranks = np.argsort(np.argsort(values, kind="stable"), kind="stable")
    return (ranks + 1.0) / len(values)


def _compose(words: list[str], extra: int = 0) -> list[str]:
    """The first words up to ``MAX_WORDS`` (phrase parts counted), plus ``extra`` more."""
    out: list[str] = []
    n = 0
    covered: set[str] = set()
    for word in words:
        parts = word.split()
        # A word inside the chosen phrase adds nothing.
        if len(parts) == 1 and word in covered:
            continue
        if n + len(parts) > MAX_WORDS + extra and out:
            if n >= 2:
                break
            continue
        out.append(word)
        covered.update(parts)
        n += len(parts)
        if n >= MAX_WORDS + extra:
            break
    return out


def _unique(names: list[list[str]], ranked: list[list[str]]) -> list[str]:
    """Join names, lengthening any that repeat an earlier one until all differ."""
    out: list[str] = []
    seen: set[str] = set()
    for words, pool in zip(names, ranked, strict=True):
        name = SEPARATOR.join(words)
        extra = 0
        while name.lower() in seen and extra < len(pool):
            extra += 1
            name = SEPARATOR.join(_compose(pool, extra))
        if name.lower() in seen:
            name = f"{name} ({len(out)})"
        seen.add(name.lower())
        out.append(name)
    return out
