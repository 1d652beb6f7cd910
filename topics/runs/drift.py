"""Topic drift between runs: which topics persist, which are new, which vanished.

Each run stores its topics' word distributions in ``topics.npz`` (the ``TOP_TERMS``
heaviest words of each topic, which hold nearly all of its mass). The next run matches
its topics one-to-one with the previous run's by cosine similarity over the union of
both vocabularies (Hungarian algorithm, ``scipy.optimize.linear_sum_assignment``);
a matched pair at or above the threshold is the same topic, persisting. A persisting
topic keeps its *lineage* id, so the history page can follow it across runs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from topics.store.atomic import atomic_write
from topics.types import TopicModelResult

log = logging.getLogger(__name__)

TOPICS_FILE = "topics.npz"
#: Words kept per topic for matching.
TOP_TERMS = 1000
#: Words shown for a topic in the drift tables.
N_WORDS = 8


@dataclass(frozen=True)
class StoredTopics:
    """One model's topics as stored in a run folder."""

    vocab: list[str]
    indices: npt.NDArray[np.int64]  # (n_topics, k) into vocab, heaviest first
    weights: npt.NDArray[np.float64]  # (n_topics, k)
    prevalence: list[float]
    lineage: list[str]
    #: Each topic's display name, and whether a user gave it (it then follows the topic).
    names: list[str] = field(default_factory=list)
    user: list[bool] = field(default_factory=list)
    #: The config's ``[names]`` table this run applied (topic id -> name).
    config_names: dict[int, str] = field(default_factory=dict)

    def user_names(self) -> dict[int, str]:
        """Topic id -> user-given name."""
        return {t: self.names[t] for t, given in enumerate(self.user) if given}

    @property
    def n_topics(self) -> int:
        return int(self.indices.shape[0])

    def words(self, t: int, n: int = N_WORDS) -> list[str]:
        return [
            self.vocab[j] for j, w in zip(self.indices[t], self.weights[t], strict=True) if w > 0
        ][:n]

    def vectors(self, columns: dict[str, int]) -> npt.NDArray[np.float64]:
        """Unit-length topic rows over ``columns`` (a word -> column map)."""
        out = np.zeros((self.n_topics, len(columns)))
        for t in range(self.n_topics):
            for j, w in zip(self.indices[t], self.weights[t], strict=True):
                out[t, columns[self.vocab[j]]] = w
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


def stored_topics(model: TopicModelResult, lineage: list[str]) -> StoredTopics:
    """The storable form of a fitted model's topics."""
    k = min(TOP_TERMS, len(model.vocab))
    order = np.argsort(-model.topic_term, axis=1, kind="stable")[:, :k]
    weights = np.take_along_axis(model.topic_term, order, axis=1)
    used = np.unique(order)
    remap = np.full(len(model.vocab), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return StoredTopics(
        vocab=[model.vocab[j] for j in used],
        indices=remap[order],
        weights=np.asarray(weights, dtype=np.float64),
        prevalence=[round(p, 6) for p in model.prevalence],
        lineage=lineage,
        names=[model.topic_name(t) for t in range(model.n_topics)],
        user=[t in set(model.user_named or []) for t in range(model.n_topics)],
    )


def save_topics(folder: Path, topics: dict[str, StoredTopics]) -> None:
    arrays: dict[str, Any] = {}
    for name, st in topics.items():
        arrays[f"{name}.vocab"] = np.asarray(st.vocab, dtype=str)
        arrays[f"{name}.indices"] = st.indices.astype(np.int32)
        arrays[f"{name}.weights"] = st.weights.astype(np.float32)
        arrays[f"{name}.prevalence"] = np.asarray(st.prevalence, dtype=np.float64)
        arrays[f"{name}.lineage"] = np.asarray(st.lineage, dtype=str)
        arrays[f"{name}.names"] = np.asarray(st.names, dtype=str)
        arrays[f"{name}.user"] = np.asarray(st.user, dtype=bool)
        arrays[f"{name}.config_names"] = np.asarray(json.dumps(st.config_names), dtype=str)
    atomic_write(
        folder / TOPICS_FILE, lambda fh: np.savez_compressed(fh, allow_pickle=False, **arrays)
    )


def load_topics(folder: Path) -> dict[str, StoredTopics]:
    """The topics stored in a run folder (empty if there are none or they are unreadable)."""
    return read_topics(folder) or {}


def read_topics(folder: Path) -> dict[str, StoredTopics] | None:
    """The topics stored in a run folder: empty if it has none, None if they are unreadable."""
    path = Path(folder) / TOPICS_FILE
    if not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            names = sorted({key.split(".")[0] for key in data.files})
            topics = {
                name: StoredTopics(
                    vocab=[str(w) for w in data[f"{name}.vocab"]],
                    indices=np.asarray(data[f"{name}.indices"], dtype=np.int64),
                    weights=np.asarray(data[f"{name}.weights"], dtype=np.float64),
                    prevalence=[float(p) for p in data[f"{name}.prevalence"]],
                    lineage=[str(x) for x in data[f"{name}.lineage"]],
                    # Runs stored before names existed have none.
                    names=[str(x) for x in data.get(f"{name}.names", [])],
                    user=[bool(x) for x in data.get(f"{name}.user", [])],
                    config_names={
                        int(k): str(v)
                        for k, v in json.loads(
                            str(data[f"{name}.config_names"])
                            if f"{name}.config_names" in data.files
                            else "{}"
                        ).items()
                    },
                )
                for name in names
            }
        for st in topics.values():
            _check_shapes(st)
        return topics
    except Exception as exc:  # truncated (BadZipFile, EOFError), scribbled, wrong arrays
        log.warning("cannot read the topics of run %s: %s", Path(folder).name, exc)
        return None


def _check_shapes(st: StoredTopics) -> None:
    n = st.indices.shape[0] if st.indices.ndim == 2 else -1
    if (
        n < 0
        or st.weights.shape != st.indices.shape
        or len(st.prevalence) != n
        or len(st.lineage) != n
        or (st.indices.size and not 0 <= st.indices.min() <= st.indices.max() < len(st.vocab))
    ):
        raise ValueError("arrays of inconsistent shapes")


def similarity(current: StoredTopics, previous: StoredTopics) -> npt.NDArray[np.float64]:
    """Cosine similarity (n_current, n_previous) over the union vocabulary."""
    columns: dict[str, int] = {}
    for word in current.vocab + previous.vocab:
        columns.setdefault(word, len(columns))
    sim = current.vectors(columns) @ previous.vectors(columns).T
    return np.clip(sim, 0.0, 1.0)


def align_models(
    models: dict[str, TopicModelResult],
    previous: dict[str, StoredTopics],
    *,
    run_id: str,
    previous_run: str | None,
    threshold: float,
    user_names: Mapping[str, Mapping[int, str]] | None = None,
) -> tuple[dict[str, StoredTopics], dict[str, Any] | None]:
    """This run's stored topics (with lineage ids) and the drift report against ``previous``.

    The drift report is None for a first run. ``user_names`` (the config's ``[names]``,
    model -> topic id of the latest run -> name) name topics; a user-given name then
    follows its topic to the matched topic of each later run, and is dropped, with a
    note in the drift report (``names_dropped``) and the log, when its topic vanishes.
    Names are set on ``models`` (``names``; ``user_named``).
    """
    from topics.models.naming import apply_user_names

    stored: dict[str, StoredTopics] = {}
    report: dict[str, Any] = {"previous_run": previous_run, "threshold": threshold, "models": {}}
    for name, model in models.items():
        config = {int(t): str(n) for t, n in (user_names or {}).get(name, {}).items()}
        fresh = stored_topics(model, [f"{run_id}#{t}" for t in range(model.n_topics)])
        before = previous.get(name)
        if before is None or before.n_topics == 0 or fresh.n_topics == 0:
            # No earlier topics: the config's ids are this run's.
            apply_user_names(model, config)
            stored[name] = replace(stored_topics(model, fresh.lineage), config_names=config)
            continue
        drift, lineage = align(fresh, before, threshold)
        given, notes = _carry_names(drift, before, config, previous_run)
        apply_user_names(model, given)
        for note in notes:
            log.warning("%s: %s", name, note)
        drift["names_dropped"] = notes
        for entry in drift["persisting"] + drift["new"]:
            entry["name"] = model.topic_name(entry["topic"])
        for entry in drift["vanished"]:
            j = entry["previous"]
            entry["name"] = before.names[j] if j < len(before.names) else ""
        stored[name] = replace(stored_topics(model, lineage), config_names=config)
        report["models"][name] = drift
    if previous_run is None:
        return stored, None
    report["not_compared"] = sorted(set(models) - set(report["models"]))
    return stored, report


def align(
    current: StoredTopics, previous: StoredTopics, threshold: float
) -> tuple[dict[str, Any], list[str]]:
    """Match ``current`` topics to ``previous`` ones; the drift table and lineage ids."""
    sim = similarity(current, previous)
    rows, cols = linear_sum_assignment(-sim)
    lineage = list(current.lineage)
    persisting, matched_now, matched_before = [], set(), set()
    for i, j in zip(rows.tolist(), cols.tolist(), strict=True):
        if sim[i, j] < threshold:
            continue
        matched_now.add(i)
        matched_before.add(j)
        lineage[i] = previous.lineage[j]
        persisting.append(
            {
                "topic": i,
                "previous": j,
                "similarity": round(float(sim[i, j]), 4),
                "prevalence": current.prevalence[i],
                "previous_prevalence": previous.prevalence[j],
                "change": round(current.prevalence[i] - previous.prevalence[j], 6),
                "words": current.words(i),
                "previous_words": previous.words(j),
            }
        )
    new = [
        {
            "topic": i,
            "prevalence": current.prevalence[i],
            "words": current.words(i),
            "closest_previous": int(sim[i].argmax()),
            "closest_similarity": round(float(sim[i].max()), 4),
        }
        for i in range(current.n_topics)
        if i not in matched_now
    ]
    vanished = [
        {
            "previous": j,
            "previous_prevalence": previous.prevalence[j],
            "words": previous.words(j),
            "closest_current": int(sim[:, j].argmax()),
            "closest_similarity": round(float(sim[:, j].max()), 4),
        }
        for j in range(previous.n_topics)
        if j not in matched_before
    ]
    persisting.sort(key=lambda p: p["topic"])
    return {"persisting": persisting, "new": new, "vanished": vanished, "lineage": lineage}, lineage


def _carry_names(
    drift: dict[str, Any],
    before: StoredTopics,
    config: dict[int, str],
    previous_run: str | None,
) -> tuple[dict[int, str], list[str]]:
    """User-given names for this run's topics, and notes on names that were dropped.

    Names the previous run carried follow their topics. Config entries the previous run
    did not apply yet are new: their ids are the previous (latest) run's topic ids.
    """
    names = before.user_names()
    notes = []
    for t, given in config.items():
        if before.config_names.get(t) == given:
            continue
        if t < before.n_topics:
            names[t] = given
        else:
            notes.append(
                f"name {given!r}: run {previous_run} has no topic {t} "
                f"(its topics are 0-{before.n_topics - 1})"
            )
    matched = {p["previous"]: p["topic"] for p in drift["persisting"]}
    out = {}
    for j, given in sorted(names.items()):
        if j in matched:
            out[matched[j]] = given
        else:
            notes.append(
                f"name {given!r} dropped: topic {j} of run {previous_run} has no "
                "matching topic in this run"
            )
    return out, notes
