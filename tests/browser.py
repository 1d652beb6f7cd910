"""Real headless Chromium for report tests (Debian's chromium driven by Playwright).

Never ``playwright install``: it downloads a browser, which this project must not do.
The network is blocked: the context is offline and every non-``file:``/``data:``
request is aborted and recorded, so a test can assert the report made none.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("TOPICS_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


def require_browser() -> None:
    """Skip when Chromium is missing, unless CI demands it (TOPICS_REQUIRE_BROWSER=1)."""
    if browser_available():
        return
    if os.environ.get("TOPICS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium not found at {CHROMIUM} and TOPICS_REQUIRE_BROWSER=1")
    pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)")


@dataclass
class PageWatch:
    """What a page did: console errors, page errors, dialogs, network attempts."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)


_shared: dict[str, Any] = {}


def _browser() -> Any:
    """One Chromium for the whole test session (a launch costs ~1 s; a context ~50 ms).

    Playwright's sync API keeps an event loop running in this thread from then on, so a
    later ``asyncio.run`` here fails; nbclient's ``run_sync`` (the notebook test) copes.
    """
    if "browser" not in _shared:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        _shared["playwright"] = playwright
        _shared["browser"] = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    return _shared["browser"]


def close_browser() -> None:
    """Close the shared Chromium, if a test started it."""
    _close_shared_page()
    browser, playwright = _shared.pop("browser", None), _shared.pop("playwright", None)
    if browser is not None:
        browser.close()
    if playwright is not None:
        playwright.stop()


VIEWPORT = {"width": 1400, "height": 1000}


@contextmanager
def open_report(path: Path) -> Iterator[tuple[Any, PageWatch]]:
    """Open ``path`` from ``file://`` with the network blocked; yield (page, watch).

    Calls take turns on one page of one browser context (offline, every request but
    ``file:``/``data:`` aborted), left on ``about:blank`` with the viewport, mouse and
    modifier keys reset between calls: a new context starts a renderer process, ~0.25 s
    of Chromium's CPU per test. The reports keep no state in the browser (no storage,
    no cookies), so a test sees what a fresh context would show. A call made while
    another is open gets a context of its own.
    """
    require_browser()
    watch = PageWatch()
    if _shared.get("busy"):
        with _own_page(watch) as page:
            page.goto(path.resolve().as_uri())
            page.wait_for_load_state("load")
            yield page, watch
        return
    page = _shared_page()
    _shared["busy"], _shared["watch"] = True, watch
    try:
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        yield page, watch
    finally:
        try:
            page.goto("about:blank")
            for key in ("Shift", "Control", "Alt", "Meta"):
                page.keyboard.up(key)
            page.mouse.move(0, 0)
            if page.viewport_size != VIEWPORT:
                page.set_viewport_size(VIEWPORT)
        except Exception:  # a test broke the page: the next call starts a new one
            _close_shared_page()
        _shared["busy"], _shared["watch"] = False, PageWatch()


def _watch(context: Any, page: Any, current: Callable[[], PageWatch]) -> None:
    """Block the network for ``context`` and record ``page``'s errors in ``current()``."""

    def block(route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:", "about:", "blob:")):
            route.continue_()
        else:
            current().network.append(url)
            route.abort()

    context.route("**/*", block)
    page.on(
        "console",
        lambda msg: current().console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda exc: current().page_errors.append(str(exc)))

    def on_dialog(dialog: Any) -> None:
        current().dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)


def _shared_page() -> Any:
    page = _shared.get("page")
    if page is None or page.is_closed():
        context = _browser().new_context(offline=True, viewport=VIEWPORT)
        page = context.new_page()
        _watch(context, page, lambda: _shared["watch"])
        _shared["context"], _shared["page"] = context, page
    return page


def _close_shared_page() -> None:
    context = _shared.pop("context", None)
    _shared.pop("page", None)
    if context is not None:
        with suppress(Exception):
            context.close()


@contextmanager
def _own_page(watch: PageWatch) -> Iterator[Any]:
    context = _browser().new_context(offline=True, viewport=VIEWPORT)
    try:
        page = context.new_page()
        _watch(context, page, lambda: watch)
        yield page
    finally:
        context.close()


def wait_until(page: Any, expression: str, timeout_s: float = 10.0) -> None:
    """Poll a JavaScript expression until it is truthy.

    ``page.wait_for_function`` polls by ``eval`` inside the page, which the report's
    Content-Security-Policy forbids (no 'unsafe-eval'): it fails whenever the condition
    is not already true on the first check. ``page.evaluate`` runs outside the page's
    CSP, so poll with it instead.
    """
    import time

    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {expression}")
        page.wait_for_timeout(25)


def heading_visible_js(target_id: str) -> str:
    """JS expression: the first heading of element ``target_id`` is in view, just below
    the report's sticky navigation (not hidden under it)."""
    return f"""(() => {{
  const target = document.getElementById({json.dumps(target_id)});
  const heading = target.matches("h1, h2, h3") ? target : target.querySelector("h1, h2, h3");
  const top = heading.getBoundingClientRect().top;
  const nav = document.querySelector("header.top").getBoundingClientRect().bottom;
  return top >= nav - 1 && top < nav + 120;
}})()"""
