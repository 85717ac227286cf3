"""Every page of the built book in headless Chromium, served on loopback.

A page passes when it loads with no failed request and no request outside the
site, logs no console error, renders all its math with MathJax, shows every
image, renders its widgets, and every figure it shows (the book's PNGs and the
widgets' blob: images alike) is a real picture, not a blank or one-colour box;
and every image it shows has a meaningful alt text. Every page is opened once
per run for every check that reads it (tests/book_in_chromium.py, shared with
test_accessibility and test_widgets_in_browser); a page with a problem leaves
a screenshot in the run's temp folder, to be looked at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conftest import POLL_MS, ServedSite
from test_site import WIDGET_IMAGES_HAVE_ALT, alt_problem

if TYPE_CHECKING:
    from book_in_chromium import BookPages

pytestmark = pytest.mark.browser


def page_names(html: Path) -> list[str]:
    return sorted(str(p.relative_to(html)) for p in html.rglob("*.html")
                  if "_static" not in p.parts and p.name not in {"genindex.html", "search.html"})


def open_page(chromium, url: str):
    """Open ``url`` in a fresh page, recording requests, failures and console errors."""
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    record = {"requests": [], "failed": [], "aborted": [], "errors": []}
    page.on("request", lambda r: record["requests"].append(r.url))
    # A request cut short by the page itself is only a failure if the page stayed (see `failures`).
    page.on("requestfailed", lambda r: record["aborted" if r.failure == "net::ERR_ABORTED" else "failed"]
            .append(f"{r.url} ({r.failure})"))
    page.on("response",
            lambda r: r.status >= 400 and record["failed"].append(f"{r.url} ({r.status})"))
    page.on("console", lambda m: m.type == "error" and record["errors"].append(
        f"{m.text} [{m.location.get('url') or 'no address'}]"))
    page.on("pageerror", lambda e: record["errors"].append(str(e)))
    page.goto(url, wait_until="networkidle")
    return page, record


def failures(page, url: str, record: dict) -> list[str]:
    """The requests of the page opened at `url` that failed.

    A redirect page (the site's front door) navigates away while the browser
    still fetches its icon: what leaving cut short is not a failure there.
    """
    return record["failed"] + (record["aborted"] if page.url == url else [])


def wait_for_math(page) -> None:
    """Wait until MathJax has typeset every math node of the page."""
    page.wait_for_function(
        "() => { const n = document.querySelectorAll('.math').length;"
        " return n === 0 || document.querySelectorAll('.math mjx-container,"
        " mjx-container.MathJax').length >= n; }", timeout=20_000, polling=POLL_MS)


def wait_for_widgets(page, timeout: float = 30_000) -> None:
    """Wait until every widget view of the page is rendered and its images are loaded."""
    page.wait_for_function(
        "() => [...document.querySelectorAll('script[type=\"application/vnd.jupyter.widget-view+json\"]')]"
        ".every(s => s.parentElement.querySelector('.jupyter-widgets'))"
        " && [...document.querySelectorAll('img.widget-image')].every(i => i.complete)",
        timeout=timeout, polling=POLL_MS)


# Grey-level spread (max - min, 0..255) of every visible image, drawn over white
# into a canvas at its natural size; the page's images and the widgets' blob:
# images are all same-origin, so the canvas can be read.
IMAGE_SPREAD_JS = """() => [...document.images].filter(img => {
    const box = img.getBoundingClientRect(), style = getComputedStyle(img);
    return img.complete && img.naturalWidth > 0 && box.width > 0 && box.height > 0
        && style.visibility !== 'hidden';
}).map(img => {
    const scale = Math.min(1, 2000 / Math.max(img.naturalWidth, img.naturalHeight));
    const w = Math.max(1, Math.round(img.naturalWidth * scale));
    const h = Math.max(1, Math.round(img.naturalHeight * scale));
    const canvas = document.createElement('canvas');
    canvas.width = w;
    canvas.height = h;
    const context = canvas.getContext('2d', {willReadFrequently: true});
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, w, h);
    context.drawImage(img, 0, 0, w, h);
    const data = context.getImageData(0, 0, w, h).data;
    let low = 255, high = 0;
    for (let i = 0; i < data.length; i += 4) {
        const grey = (299 * data[i] + 587 * data[i + 1] + 114 * data[i + 2]) / 1000;
        if (grey < low) low = grey;
        if (grey > high) high = grey;
    }
    return {src: img.currentSrc || img.src, spread: high - low};
})"""


def blank_figures(page, min_spread: float = 32) -> tuple[list[str], int]:
    """Sources of the visible images whose grey levels span ``min_spread`` or less; and the count checked."""
    spreads = page.evaluate(IMAGE_SPREAD_JS)
    blank = [f"{item['src'][:80]} (grey levels span {item['spread']:.0f})"
             for item in spreads if item["spread"] <= min_spread]
    return blank, len(spreads)


@dataclass
class Visit:
    """What one page showed in Chromium."""

    problems: list[str]  # what failed to render, load or typeset
    figures: int  # visible images whose grey levels were checked
    images: list[dict]  # every <img> as IMAGES_JS reads it
    formulas: dict[str, int]  # typeset formulas, those with assistive MathML, display ones (FORMULAS_JS)


# Every <img> of the page as the browser shows it, widgets' images included.
IMAGES_JS = """() => [...document.images].map(img => ({
    src: (img.currentSrc || img.src).slice(0, 60),
    alt: img.getAttribute('alt'),
    decorative: img.getAttribute('role') === 'presentation' || img.getAttribute('aria-hidden') === 'true',
    widget: img.closest('.jupyter-widgets') !== null,
}))"""


# How many formulas MathJax typeset, how many carry the assistive MathML a screen reader reads,
# and how many are display formulas.
FORMULAS_JS = """() => {
    const all = [...document.querySelectorAll('mjx-container')];
    const read = all.filter(c => {
        const mml = c.querySelector(':scope > mjx-assistive-mml > math');
        return mml && mml.textContent.trim().length > 0;
    });
    return {formulas: all.length, readable: read.length,
            display: all.filter(c => c.getAttribute('display') === 'true').length};
}"""


def visit(page, name: str, site_url: str, record: dict) -> Visit:
    """Wait for the open page's math and widgets, then read what it shows."""
    problems = []
    try:
        wait_for_math(page)
    except Exception:  # reported with the page's name
        problems.append(f"{name}: MathJax did not typeset every formula")
    widgets = page.locator("script[type='application/vnd.jupyter.widget-view+json']").count()
    if widgets:
        try:
            wait_for_widgets(page)
        except Exception:  # reported below, with what the page shows
            pass
    page.wait_for_timeout(300)
    outside = [u for u in record["requests"]
               if not u.startswith(site_url) and not u.startswith(("data:", "blob:"))]
    problems += [f"{name}: request outside the site: {u}" for u in outside]
    problems += [f"{name}: failed request: {u}" for u in failures(page, f"{site_url}/{name}", record)]
    problems += [f"{name}: console error: {e}" for e in record["errors"]]
    if page.locator("mjx-merror, .MathJax_Error").count():
        problems.append(f"{name}: MathJax reports an error in a formula")
    broken = page.evaluate(
        "() => [...document.images].filter(i => !i.complete || i.naturalWidth === 0)"
        ".map(i => i.src.slice(0, 80))")
    problems += [f"{name}: image not shown: {src}" for src in broken]
    if widgets:
        rendered = page.locator(".jupyter-widgets").count()
        if page.get_by_text("Loading widget").count() or not rendered:
            problems.append(f"{name}: widgets did not render")
        if page.locator(".jupyter-widgets-error-widget, .widget-error").count():
            problems.append(f"{name}: a widget shows an error")
    blank, checked = blank_figures(page)
    problems += [f"{name}: blank figure: {src}" for src in blank]
    return Visit(problems, checked, page.evaluate(IMAGES_JS), page.evaluate(FORMULAS_JS))


def test_every_page_renders_offline(built_book: Path, book_pages: BookPages) -> None:
    assert not book_pages.crashes("visit"), "\n".join(book_pages.crashes("visit"))
    seen = {name: report.visit for name, report in book_pages.reports.items()}
    assert list(seen) == page_names(built_book)
    problems = [line for page in seen.values() for line in page.problems]
    assert not problems, f"screenshots in {book_pages.screenshots}\n" + "\n".join(problems)
    assert sum(page.figures for page in seen.values()), (
        "no visible figure on any page: the chapters have plots and widgets")


def test_the_site_address_opens_the_first_chapter(served_book: ServedSite, chromium) -> None:
    refused_before = len(served_book.refused)
    page, record = open_page(chromium, f"{served_book.url}/")
    try:
        page.wait_for_url(f"{served_book.url}/intro.html", timeout=10_000)
        page.wait_for_load_state("networkidle")
        title = page.title()
    finally:
        page.close()
    assert "Activation functions" in title
    assert not record["failed"] and not record["errors"], record
    assert served_book.refused[refused_before:] == []


def test_every_typeset_formula_carries_assistive_mathml(book_pages: BookPages) -> None:
    # MathJax's assistive MathML is what a screen reader reads; without it a formula is heard as
    # a run of single glyphs. The sigmoid chapter has over a hundred formulas, inline and display.
    assert not book_pages.crashes("visit"), "\n".join(book_pages.crashes("visit"))
    sigmoid = book_pages.reports["chapters/sigmoid.html"].visit.formulas
    assert sigmoid["formulas"] >= 100 and sigmoid["display"] >= 5, sigmoid
    unread = {name: report.visit.formulas for name, report in book_pages.reports.items()
              if report.visit.formulas["readable"] != report.visit.formulas["formulas"]}
    assert not unread, ("formulas without assistive MathML (is MathJax's assistive-mml extension "
                        f"still on?): {unread}")


def test_every_image_the_browser_shows_has_a_meaningful_alt(book_pages: BookPages) -> None:
    """The static figures, and the widgets' images once WIDGET_IMAGES_HAVE_ALT is True."""
    assert not book_pages.crashes("visit"), "\n".join(book_pages.crashes("visit"))
    problems, figures, widget_images = [], 0, 0
    for name, report in book_pages.reports.items():
        for image in report.visit.images:
            if image["widget"]:
                widget_images += 1
                if not WIDGET_IMAGES_HAVE_ALT:
                    continue
            else:
                figures += 1
            problem = alt_problem(image["alt"], decorative=image["decorative"])
            if problem:
                problems.append(f"{name}: {image['src']}: {problem}")
    assert figures >= 32 and widget_images, (figures, widget_images)
    assert not problems, "images without a meaningful alt:\n" + "\n".join(problems)
