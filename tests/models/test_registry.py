"""Models are plug-ins: a third model, registered here and defined nowhere else, is fitted,
scored, cached and shown in the report; the registry's order and count sharing hold."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import write_tree
from topics.errors import SettingsError
from topics.models import registry
from topics.models.ctfidf import count_matrix
from topics.models.lda import LdaSettings
from topics.models.spec import FitContext, ModelFit, ModelSpec, Refit
from topics.pipeline import RunResult, RunSettings, run_pipeline
from topics.preprocess.tokens import PreprocessSettings
from topics.report import write_report_files
from topics.store.cache import RunCache
from topics.types import ModelDetails, TopicModelResult

THEMES = {
    "space": "telescope orbit planet galaxy astronomer comet nebula rocket satellite asteroid",
    "food": "recipe oven flour butter sugar dough kitchen garlic pastry vinegar",
    "money": "bank interest loan investor market dividend inflation bond budget mortgage",
}
N_PER_THEME = 8
#: NMF's count when it takes none from another model.
NMF_TOPICS = 3

PARTIAL = """{% macro intro(model, data) -%}
<p class="explain nmf-intro">NMF on TF-IDF ended at reconstruction error
{{ model.details.reconstruction_error | num }} after {{ model.details.n_iter }} iterations.</p>
{%- endmacro %}
"""


@dataclass
class NmfDetails(ModelDetails):
    reconstruction_error: float
    n_iter: int
    init: str = "nndsvd"


def _nmf(tokens: list[list[str]], vocab: list[str], n_topics: int, seed: int) -> TopicModelResult:
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(count_matrix(tokens, vocab))
    nmf = NMF(n_components=n_topics, init="nndsvd", random_state=seed, max_iter=400)
    w = nmf.fit_transform(tfidf) + 1e-12
    h = nmf.components_ + 1e-12
    doc_topic = w / w.sum(axis=1, keepdims=True)
    order = np.argsort(-h, axis=1, kind="stable")[:, :10]
    return TopicModelResult(
        name="nmf",
        vocab=list(vocab),
        topic_term=h / h.sum(axis=1, keepdims=True),
        doc_topic=doc_topic,
        assignments=doc_topic.argmax(axis=1).astype(np.int64),
        topic_words=[[vocab[j] for j in row] for row in order],
        settings={"n_topics": n_topics, "seed": seed},
        details=NmfDetails(float(nmf.reconstruction_err_), int(nmf.n_iter_)),
    )


def _fit(context: FitContext) -> ModelFit:
    shared = context.shared_count
    asked = context.settings.n_topics
    n_topics = shared.n_topics if shared is not None else asked if asked != "auto" else NMF_TOPICS
    with context.stage("fitting NMF", "nmf"):
        result = _nmf(context.pre.tokens, context.pre.vocab, n_topics, context.settings.seed)
    result.n_topics_rule = (
        f"the count {shared.described} chose" if shared is not None else f"fixed at {n_topics}"
    )
    return ModelFit(result)


def _refit(job: Refit) -> TopicModelResult:
    return _nmf(job.tokens, job.vocab, job.model.n_topics, job.seed)


@pytest.fixture
def nmf(tmp_path: Path) -> Iterator[ModelSpec]:
    """NMF registered for one test (the registry is restored afterwards)."""
    folder = tmp_path / "nmf_templates"
    folder.mkdir()
    (folder / "_model_nmf.html.j2").write_text(PARTIAL, encoding="utf-8")
    spec = ModelSpec(
        name="nmf",
        title="NMF (scikit-learn)",
        fit=_fit,
        # The run's count: with "auto" it takes LDA's, as LDA searches for one.
        n_topics=lambda settings: settings.n_topics,
        refit=_refit,
        details=NmfDetails,
        partial="_model_nmf.html.j2",
        templates=folder,
        short="NMF",
        a_topic="an NMF topic",
        count_from="lda",
    )
    registry.register(spec)
    try:
        yield spec
    finally:
        del registry.MODELS["nmf"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(0)
    files: dict[str, str | bytes] = {}
    for theme, words in THEMES.items():
        vocab = words.split()
        weights = 1.0 / np.arange(1, len(vocab) + 1)
        for i in range(N_PER_THEME):
            body = " ".join(rng.choice(vocab, size=40, p=weights / weights.sum()))
            files[f"{theme}/{theme}{i:02d}.txt"] = f"{theme.title()} note {i}\n\n{body}\n"
    return write_tree(tmp_path_factory.mktemp("registry"), files)


def _settings(**changes: object) -> RunSettings:
    base = RunSettings(
        seed=1,
        models=("nmf", "lda"),
        n_topics=NMF_TOPICS,
        lda=LdaSettings(passes=5),
        preprocess=PreprocessSettings(n_jobs=1),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _run(corpus: Path, cache_dir: Path, settings: RunSettings) -> RunResult:
    cache = RunCache(cache_dir)
    try:
        return run_pipeline(corpus, settings, cache=cache)
    finally:
        cache.close(prune=False)


def test_the_registry_holds_both_models_in_report_order() -> None:
    assert list(registry.MODELS) == ["lda", "clusters"]
    assert registry.MODELS["clusters"].csv_prefix == "cluster"  # documents.csv's contract
    assert RunSettings().models == ("lda", "clusters")
    with pytest.raises(SettingsError, match="nmf"):
        RunSettings(models=("lda", "nmf")).validate()


def test_a_registered_model_is_fitted_cached_and_reported(
    nmf: ModelSpec, corpus: Path, tmp_path: Path
) -> None:
    first = _run(corpus, tmp_path / "cache", _settings())
    assert list(first.models) == ["nmf", "lda"]  # the order asked for
    model = first.models["nmf"]
    assert model.n_topics == NMF_TOPICS and model.n_topics_rule == "fixed at 3"
    assert "nmf" in first.stage_seconds and "npmi" in first.scores["nmf"].metrics
    # NMF recovers the planted themes: each topic's top words come from one theme.
    for words in model.topic_words:
        assert sum(any(w in THEMES[t].split() for t in THEMES) for w in words[:5]) == 5
        assert len({t for t in THEMES for w in words[:5] if w in THEMES[t].split()}) == 1
    details = NmfDetails.of(model)
    assert details.reconstruction_error > 0 and details.n_iter > 0

    # The fits cache brings the typed details back.
    again = _run(corpus, tmp_path / "cache", _settings())
    assert again.cache is not None and again.cache["models"] == {"fresh": 0, "cached": 2}
    assert NmfDetails.of(again.models["nmf"]) == details
    assert again.models["nmf"].n_topics_rule == "fixed at 3"

    folder = tmp_path / "report"
    folder.mkdir()
    data = write_report_files(again, folder, "run-1")
    html = (folder / "index.html").read_text(encoding="utf-8")
    section = html[html.index('id="model-nmf"') :]
    section = section[: section.index("</section>")]
    assert "NMF (scikit-learn): 3 topics" in section
    assert f"error\n{details.reconstruction_error:.3f} after {details.n_iter} iterations" in section
    assert "How the number of topics was chosen: fixed at 3" in section
    # LDA's section has no partial; NMF's intro is not shown there.
    lda_section = html[html.index('id="model-lda"') :]
    assert "nmf-intro" not in lda_section[: lda_section.index("</section>")]
    # Compared in registry order (LDA rows), whatever order --models named them.
    assert data["compare"]["alignment"]["rows"] == "lda"
    assert data["compare"]["alignment"]["cols"] == "nmf"
    assert '<a href="#compare">LDA × NMF</a>' in html
    assert 'data-rows-noun="LDA topic" data-cols-noun="NMF topic"' in html
    assert "is an LDA topic the NMF split" in html

    topics_json = json.loads((folder / "topics.json").read_text(encoding="utf-8"))
    extras = topics_json["models"]["nmf"]["extras"]
    assert extras["n_iter"] == details.n_iter and extras["init"] == "nndsvd"
    assert extras["n_topics_rule"] == "fixed at 3"
    with (folder / "documents.csv").open(encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    assert header[5:9] == ["nmf_topic", "nmf_weight", "lda_topic", "lda_weight"]


@pytest.mark.browser
def test_the_comparison_of_any_two_models_lists_a_cells_documents(
    nmf: ModelSpec, corpus: Path, tmp_path: Path
) -> None:
    from tests.browser import open_report

    run = run_pipeline(corpus, _settings())
    folder = tmp_path / "report"
    folder.mkdir()
    write_report_files(run, folder, "run-1")
    with open_report(folder / "index.html") as (page, watch):
        cells = page.locator("td[data-action=pair-docs]")
        index = next(i for i, t in enumerate(cells.all_text_contents()) if t.strip())
        expected = int(cells.nth(index).text_content() or "0")
        cells.nth(index).click()
        assert page.locator("#drill-compare ol li").count() == expected
        head = page.locator("#drill-compare .drill-head strong").text_content() or ""
        assert head.startswith("LDA topic ") and " and NMF topic " in head
    assert watch.console_errors == [] and watch.page_errors == []


def test_a_model_takes_the_count_of_the_model_it_names(nmf: ModelSpec, corpus: Path) -> None:
    settings = _settings(n_topics="auto", stability=True)
    result = run_pipeline(corpus, settings)
    lda, model = result.models["lda"], result.models["nmf"]
    assert model.n_topics == lda.n_topics
    assert model.n_topics_rule == "the count LDA chose"
    # LDA took the cluster model's rule (that model is not selected); NMF took LDA's.
    assert "not shown in this run" in (lda.n_topics_rule or "")
    assert list(result.stage_seconds).index("lda") < list(result.stage_seconds).index("nmf")
    # Stability refits the plug-in through its own refit.
    assert 0.0 <= result.scores["nmf"].metrics["stability"] <= 1.0
    # With a count asked of LDA, nothing is shared: NMF keeps its own.
    fixed = run_pipeline(corpus, _settings(models=("nmf", "lda")))
    assert fixed.models["nmf"].n_topics_rule == "fixed at 3"
