"""Render report data to one self-contained HTML page (Jinja2, autoescape on).

Every script is inlined and allowed by its SHA-256 hash in a Content-Security-Policy
``<meta>``: the page can make no network request and run no script it did not ship.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable, MutableMapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    FunctionLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from topics.errors import OutputError

if TYPE_CHECKING:
    from topics.report.payload import DocsLayout

_SCRIPT_CLOSE = re.compile(r"</(script)", re.IGNORECASE)
_COMMENT_OPEN = re.compile(r"<!--")


def templates_dir() -> Path:
    """Templates ship inside the wheel as ``topics/templates``; a checkout has ``templates/``."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "report.html.j2").is_file():
            return candidate
    raise OutputError(
        "report templates are missing from the installation; reinstall topics (pip install -e .)"
    )


def json_for_script(value: Any) -> str:
    """JSON safe inside ``<script>``: no ``</script>``, ``<!--`` or line separators survive."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def js_for_script(code: str) -> str:
    """Library JavaScript made safe to inline: ``</script`` and ``<!--`` cannot end the tag."""
    return _COMMENT_OPEN.sub("<\\\\!--", _SCRIPT_CLOSE.sub(r"<\\/\1", code))


def script_hash(code: str) -> str:
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@lru_cache(maxsize=32)
def _asset(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


# The report's own scripts (templates/assets), in load order. Each group becomes one
# <script> (one CSP hash); its files are joined in the order given, and each is an IIFE
# that reads only what the files before it have set up (dom.js's window.topicsDom,
# docs.js's window.topicsStore, report.js's window.topicsReport, map.js's state).
SHARED_SCRIPTS = ("dom.js", "docs.js")
REPORT_SCRIPTS = ("report.js",)
MAP_SCRIPTS = (
    "map.js",  # the shared state, palette and colours
    "map-view.js",
    "map-draw.js",
    "map-hit.js",
    "map-filter.js",
    "map-controls.js",  # last: wires events, draws the first frame, sets window.topicsMap
)


def asset_script(names: tuple[str, ...]) -> str:
    """The files ``names`` of templates/assets joined into one script, safe to inline."""
    assets_dir = templates_dir() / "assets"
    return js_for_script("\n".join(_asset(str(assets_dir / name)) for name in names))


def ldavis_assets() -> dict[str, str]:
    """pyLDAvis's own d3, LDAvis JS and CSS, read from the installed package (never a CDN)."""
    from pyLDAvis import urls

    missing = [
        p
        for p in (urls.D3_LOCAL, urls.LDAVIS_LOCAL, urls.LDAVIS_CSS_LOCAL)
        if not Path(p).is_file()
    ]
    if missing:
        raise OutputError(f"pyLDAvis assets are missing ({', '.join(missing)}); reinstall pyLDAvis")
    return {
        "d3": _asset(urls.D3_LOCAL),
        "ldavis": patch_ldavis(_asset(urls.LDAVIS_LOCAL)),
        "ldavis_css": _asset(urls.LDAVIS_CSS_LOCAL),
    }


# LDAvis's JavaScript assumes 1-based topics with 0 meaning "none selected", so with
# ``start_index=0`` (panel ids = our ids) topic 0 could never be selected and hovering a
# term resized the wrong circles (pyLDAvis issue #265). We make "none" -1 and index by
# the topic id itself. Its two footnote links point at external PDFs: kept as plain text.
# (old, new, expected count): a pyLDAvis whose script differs fails loudly, not subtly.
_LDAVIS_PATCHES: tuple[tuple[str, str, int], ...] = (
    ("            topic: 0,", "            topic: -1,", 1),
    ("vis_state.topic > 0", "vis_state.topic >= 0", 7),
    ("Math.min(K, +value_old + 1)", "Math.min(K - 1, +value_old + 1)", 1),
    (
        "!isNaN(value_new) && value_new > 0",
        '!isNaN(value_new) && value_new !== "" && value_new >= 0',
        1,
    ),
    ("Math.min(K, Math.max(1, value_new))", "Math.min(K - 1, Math.max(0, value_new))", 1),
    ('topicInput.value = "0";', 'topicInput.value = "-1";', 1),
    (
        "Math.min(K, Math.max(0, vis_state.topic))",
        "Math.min(K - 1, Math.max(-1, vis_state.topic))",
        1,
    ),
    (
        "document.getElementById(topicID).value = vis_state.topic = 0;",
        "document.getElementById(topicID).value = vis_state.topic = -1;",
        1,
    ),
    # Its state parser reads any fragment with an "&" as "#topic=k&lambda=l&term=s" and
    # throws on others (index.html#a&b); only that exact form is a state.
    (
        'var params = location.hash.split("&");\n        if (params.length > 1) {',
        'var params = location.hash.split("&");\n'
        "        if (/^#topic=[^&]*&lambda=[^&]*&term=[^&]*$/.test(location.hash)) {",
        1,
    ),
    ("radius[dat2[i].Topic - 1]", "radius[dat2[i].Topic]", 1),
    ("size[dat2[i].Topic - 1]", "size[dat2[i].Topic]", 1),
    (
        '.attr("xlink:href", "http://vis.stanford.edu/files/2012-Termite-AVI.pdf")\n'
        '            .attr("target", "_blank")',
        "",
        1,
    ),
    (
        '.attr("xlink:href", "http://nlp.stanford.edu/events/illvi2014/papers/sievert-illvi2014.pdf")\n'
        '            .attr("target", "_blank")',
        "",
        1,
    ),
)


def patch_ldavis(code: str) -> str:
    """LDAvis's script fixed for 0-based topic ids and stripped of external links."""
    for old, new, expected in _LDAVIS_PATCHES:
        found = code.count(old)
        if found != expected:
            raise OutputError(
                f"this pyLDAvis version's ldavis.js is not the one topics supports "
                f"({old!r} found {found} times, expected {expected}); install pyLDAvis 3.4.1"
            )
        code = code.replace(old, new)
    # URLs in comments are inert; a URL in a string literal could be fetched or linked.
    if re.search(r"""["'](https?:)?//""", code):
        raise OutputError(
            "pyLDAvis's ldavis.js still holds an external URL; install pyLDAvis 3.4.1"
        )
    return code


def content_security_policy(scripts: list[str], *, sidecars: bool = False) -> str:
    """The page's CSP: nothing from outside, and only these inline scripts (by hash).

    ``sidecars``: the page also loads its document files (``docs/*.js``) from its own
    folder; ``'self'`` matches a ``file://`` page's sibling files in Chromium.
    """
    return "; ".join(
        [
            "default-src 'none'",
            "script-src "
            + ("'self' " if sidecars else "")
            + " ".join(script_hash(s) for s in scripts),
            "style-src 'unsafe-inline'",
            "img-src data:",
            "font-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """Our Jinja2 environment: autoescape on, strict undefined, the report's filters.

    One per process, so templates compile once: a fresh one per report added ~0.2 s to
    each run on 16 documents (0.33–0.54 s instead of 0.16–0.32 s, 5 runs each).
    """
    env = Environment(
        loader=ChoiceLoader(
            [FileSystemLoader(str(templates_dir())), FunctionLoader(_model_partial)]
        ),
        autoescape=select_autoescape(enabled_extensions=("j2", "html"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["words"] = lambda ws, n=10: ", ".join(w.replace("_", " ") for w in ws[:n])
    return env


def _model_partial(name: str) -> tuple[str, str, Callable[[], bool]] | None:
    """A registered model's partial kept outside ``templates/`` (``ModelSpec.templates``)."""
    from topics.models.registry import MODELS

    def found() -> Path | None:
        for spec in MODELS.values():
            if spec.templates is not None and spec.partial == name:
                return spec.templates / name
        return None

    path = found()
    if path is None or not path.is_file():
        return None
    mtime = path.stat().st_mtime_ns
    # Stale once the file changes or another registration takes the name.
    return (
        path.read_text(encoding="utf-8"),
        str(path),
        lambda: found() == path and path.is_file() and path.stat().st_mtime_ns == mtime,
    )


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _pct(value: Any, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f}%"


def render_html(
    data: dict[str, Any],
    panels: dict[str, dict[str, Any] | None],
    *,
    sidecars: MutableMapping[str, str] | None = None,
    layout: DocsLayout | None = None,
) -> str:
    """The report page. ``panels`` maps model name to its pyLDAvis data (or None).

    Given a ``sidecars`` mapping, documents beyond ``layout.inline_max_docs`` go to sidecar
    files, set in it one by one as {relative path: text} (a mapping that writes each file
    as it is set keeps one file in memory at a time). Without one the page holds every
    document (one self-contained file at any size).
    """
    from topics.report.payload import DocsLayout, page_documents

    payload = page_documents(
        data["documents"],
        data.get("map"),
        list(data["models"]),
        data["corpus"]["labels"],
        (layout or DocsLayout()) if sidecars is not None else None,
    )
    if sidecars is not None:
        for rel, text in payload.files.items():
            sidecars[rel] = text
    assets_dir = templates_dir() / "assets"
    css = _asset(str(assets_dir / "report.css"))
    scripts: list[str] = []
    ldavis = ldavis_assets() if any(panels.values()) else None
    if ldavis:
        scripts += [js_for_script(ldavis["d3"]), js_for_script(ldavis["ldavis"])]
    scripts.append(asset_script(SHARED_SCRIPTS))
    scripts.append(asset_script(REPORT_SCRIPTS))
    if data.get("map"):
        scripts.append(asset_script(MAP_SCRIPTS))
    page_data = {
        # Inline rows, or packed columns plus sidecar files (topics.report.payload).
        "documents": payload.documents,
        "docs": payload.docs,
        "models": {
            name: {
                "title": m["title"],
                "topics": [
                    {"id": t["id"], "name": t["name"], "words": t["words"][:10]}
                    for t in m["topics"]
                ],
            }
            for name, m in data["models"].items()
        },
        "panels": {name: panel for name, panel in panels.items() if panel},
        "labels": data["corpus"]["labels"],
        "map": payload.map,
    }
    csp = content_security_policy(scripts, sidecars=payload.chunked)
    template = template_environment().get_template("report.html.j2")
    return template.render(
        data=data,
        panels={name for name, panel in panels.items() if panel},
        csp=csp,
        css=Markup(css),
        ldavis_css=Markup(ldavis["ldavis_css"]) if ldavis else "",
        scripts=[Markup(s) for s in scripts],
        page_data=Markup(json_for_script(page_data)),
    )
