"""Held-out corpora built from public text that ships on this machine.

The coherence benchmark must not only run on BBC and 20 Newsgroups (what the defaults
were tuned on). These corpora are docstrings read from Python source with ``ast``
(nothing is imported, so no module's import-time side effects run):

``sci_docs``
    Public functions, classes and methods of numpy, scipy, scikit-learn, pandas,
    gensim and nltk in the venv; label = the subpackage (``scipy.signal``,
    ``sklearn.linear_model``; a leading underscore is dropped, ``numpy._core`` ->
    ``numpy.core``).
``stdlib_docs``
    The same from Python's standard library; label = the top-level module
    (``email``, ``asyncio``, ``tkinter``).
``tool_docs``
    The same from the developer tools in the venv (IPython, jedi, mypy, pygments,
    hypothesis, pytest, tornado, setuptools, pip, jinja2, ...); label = the package.

One document per docstring, cleaned by ``inspect.cleandoc``; test folders, private
names and private methods are skipped, exact duplicates (after whitespace folding) are
dropped, and so are documents under ``MIN_WORDS`` words. When more than ``MAX_DOCS``
remain, a fixed subset is kept: the documents whose SHA-1 of ``label/qualname`` is
smallest, so the corpus is the same on every run of the same installed versions.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import re
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

MIN_WORDS = 20
MAX_DOCS = 3000
SITE = Path(sysconfig.get_paths()["purelib"])
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SCI = ("numpy", "scipy", "sklearn", "pandas", "gensim", "nltk")
TOOLS = (
    "IPython",
    "jedi",
    "mypy",
    "pygments",
    "hypothesis",
    "_pytest",
    "tornado",
    "setuptools",
    "pip",
    "jinja2",
    "nbformat",
    "jupyter_client",
    "ipykernel",
    "prompt_toolkit",
    "jsonschema",
    "click",
    "attr",
    "playwright",
    "parso",
    "coverage",
    "numba",
    "pkg_resources",
    "traitlets",
    "smart_open",
)
#: Folders of the standard library that are tests, vendored copies or IDE/demo code.
STDLIB_SKIP = {"test", "tests", "idlelib", "lib2to3", "site-packages", "turtledemo", "ensurepip"}
SKIP_PARTS = {"tests", "test", "testing", "_vendor", "vendor", "_vendored", "benchmarks"}
WORD = re.compile(r"\w+")


def _docstrings(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """(qualname, docstring) of public top-level functions and classes and their public
    methods; the module docstring is named ``<module>``."""
    doc = ast.get_docstring(tree, clean=True)
    if doc:
        yield "<module>", doc
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if node.name.startswith("_"):
            continue
        doc = ast.get_docstring(node, clean=True)
        if doc:
            yield node.name, doc
        if isinstance(node, ast.ClassDef):
            for sub in node.body:
                if (
                    isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef)
                    and not sub.name.startswith("_")
                    and (d := ast.get_docstring(sub, clean=True))
                ):
                    yield f"{node.name}.{sub.name}", d


def _label(parts: tuple[str, ...], depth: int) -> str:
    names = [p.removesuffix(".py") for p in parts if p != "__init__.py"][:depth]
    return ".".join(n.lstrip("_") or n for n in names)


def _walk(root: Path, packages: tuple[str, ...] | None, depth: int) -> Iterator[dict[str, Any]]:
    """Docstrings of the ``.py`` files under ``root`` (only ``packages`` when given)."""
    tops = (
        [root / p for p in packages]
        if packages
        else sorted(
            p for p in root.iterdir() if p.name not in STDLIB_SKIP and not p.name.startswith("_")
        )
    )
    for top in tops:
        if top.is_file() and top.suffix == ".py":
            files = [top]
        elif top.is_dir():
            files = sorted(top.rglob("*.py"))
        else:
            continue
        for path in files:
            rel = path.relative_to(root).parts
            if any(p in SKIP_PARTS or p.startswith("test_") for p in rel):
                continue
            if any(p.startswith("_") and p != "__init__.py" for p in rel[1:]) and not packages:
                continue  # stdlib: private modules are implementation detail
            try:
                tree = ast.parse(path.read_bytes(), filename=str(path))
            except (SyntaxError, ValueError):
                continue
            label = _label(rel, depth)
            module = ".".join(p.removesuffix(".py") for p in rel if p != "__init__.py")
            for qualname, doc in _docstrings(tree):
                yield {"id": f"{module}:{qualname}", "text": inspect.cleandoc(doc), "label": label}


def _finish(rows: Iterator[dict[str, Any]], min_label_docs: int = 10) -> list[dict[str, Any]]:
    """Dedupe, drop short documents and rare labels, keep a fixed subset."""
    seen: set[str] = set()
    kept = []
    for r in rows:
        folded = " ".join(r["text"].split()).lower()
        if folded in seen or len(WORD.findall(folded)) < MIN_WORDS:
            continue
        seen.add(folded)
        kept.append(r)
    counts: dict[str, int] = {}
    for r in kept:
        counts[r["label"]] = counts.get(r["label"], 0) + 1
    kept = [r for r in kept if counts[r["label"]] >= min_label_docs]
    kept.sort(key=lambda r: hashlib.sha1(f"{r['label']}/{r['id']}".encode()).hexdigest())
    kept = sorted(kept[:MAX_DOCS], key=lambda r: r["id"])
    return kept


def build(corpus: str) -> list[dict[str, Any]]:
    """Rows ``{id, text, label}`` of one offline corpus (see the module docstring)."""
    if corpus == "sci_docs":
        return _finish(_walk(SITE, SCI, depth=2))
    if corpus == "stdlib_docs":
        return _finish(_walk(STDLIB, None, depth=1))
    if corpus == "tool_docs":
        return _finish(_walk(SITE, TOOLS, depth=1))
    raise ValueError(f"unknown offline corpus {corpus!r}; choose from {', '.join(CORPORA)}")


CORPORA = ("sci_docs", "stdlib_docs", "tool_docs")


def describe(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Size, label count and a content hash, so two runs can be seen to match."""
    labels = sorted({r["label"] for r in rows})
    digest = hashlib.sha1("\n".join(r["id"] + "\t" + r["text"] for r in rows).encode())
    words = sorted(len(WORD.findall(r["text"])) for r in rows)
    return {
        "n_docs": len(rows),
        "n_labels": len(labels),
        "median_words": words[len(words) // 2] if words else 0,
        "sha1": digest.hexdigest()[:12],
    }


if __name__ == "__main__":
    from collections import Counter

    for name in CORPORA:
        rows = build(name)
        print(name, describe(rows))
        print("  ", Counter(r["label"] for r in rows).most_common(40))
