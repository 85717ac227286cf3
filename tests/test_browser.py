"""Every page of the built book in headless Chromium, served on loopback.

A page passes when it loads with no failed request and no request outside the
site, logs no console error, renders all its math with MathJax, shows every
image, and renders its widgets. A screenshot of each page is written to the
test's temp folder so a failure can be looked at.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def page_names(html: Path) -> list[str]:
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if "_static" not in p.parts and p.name not in {"genindex.html", "search.html"})


def open_page(chromium, url: str):
    """Open ``url`` in a fresh page, recording requests, failures and console errors."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    record = {"requests": [], "failed": [], "errors": []}
    page.on("request", lambda r: record["requests"].append(r.url))
    page.on("requestfailed", lambda r: record["failed"].append(f"{r.url} ({r.failure})"))
    page.on("response",
            lambda r: r.status >= 400 and record["failed"].append(f"{r.url} ({r.status})"))
    page.on("console", lambda m: m.type == "error" and record["errors"].append(m.text))
    page.on("pageerror", lambda e: record["errors"].append(str(e)))
    page.goto(url, wait_until="networkidle")
    return page, record


def wait_for_math(page) -> None:
    """Wait until MathJax has typeset every math node of the page."""
    page.wait_for_function(
        "() => { const n = document.querySelectorAll('.math').length;"
        " return n === 0 || document.querySelectorAll('.math mjx-container,"
        " mjx-container.MathJax').length >= n; }", timeout=20_000)


def test_every_page_renders_offline(built_book: Path, site_url: str, chromium,
                                    tmp_path: Path) -> None:
    problems = []
    for name in page_names(built_book):
        page, record = open_page(chromium, f"{site_url}/{name}")
        try:
            wait_for_math(page)
        except Exception:  # reported below with the page's name
            problems.append(f"{name}: MathJax did not typeset every formula")
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / (name.replace("/", "__") + ".png")), full_page=True)
        outside = [u for u in record["requests"]
                   if not u.startswith(site_url) and not u.startswith(("data:", "blob:"))]
        problems += [f"{name}: request outside the site: {u}" for u in outside]
        problems += [f"{name}: failed request: {u}" for u in record["failed"]]
        problems += [f"{name}: console error: {e}" for e in record["errors"]]
        if page.locator("mjx-merror, .MathJax_Error").count():
            problems.append(f"{name}: MathJax reports an error in a formula")
        broken = page.evaluate(
            "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.src.slice(0, 80))")
        problems += [f"{name}: image not shown: {src}" for src in broken]
        if page.locator("script[type='application/vnd.jupyter.widget-view+json']").count():
            rendered = page.locator(".jupyter-widgets").count()
            if page.get_by_text("Loading widget").count() or not rendered:
                problems.append(f"{name}: widgets did not render")
            if page.locator(".jupyter-widgets-error-widget, .widget-error").count():
                problems.append(f"{name}: a widget shows an error")
        page.close()
    assert not problems, f"screenshots in {tmp_path}\n" + "\n".join(problems)
