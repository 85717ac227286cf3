"""Every page of the built book opened once in Chromium, for every check that reads it.

Opening a chapter costs Chromium about 5 s of CPU (MathJax and the widget
manager), so tests/test_browser.py, test_accessibility.py and
test_widgets_in_browser.py share one visit of each page (the ``book_pages``
fixture), and run on one pytest-xdist worker as the group ``book_pages``. On
each page, in this order:

1. what it shows, as test_browser reads it (a page with a problem leaves a
   screenshot);
2. on a page of _toc.yml: axe in light mode, the switch to dark mode, axe
   again, then every widget control from the keyboard;
3. on a page with widgets: every control moved as test_widgets_in_browser
   moves it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from test_accessibility import Audit, audit_open_page, toc_pages
from test_browser import Visit, open_page, page_names, visit
from test_widgets_in_browser import check_widgets, expected_figure_widgets, widget_pages

from conftest import ServedSite


@dataclass
class Figures:
    """What moving every control of a page's figure widgets found."""

    problems: list[str]
    moves: int


@dataclass
class PageReport:
    """One page as each check saw it; ``audit`` for pages of _toc.yml, ``figures`` for pages with widgets."""

    visit: Visit
    audit: Audit | None
    figures: Figures | None


@dataclass
class BookPages:
    """Every page's report, by name, and the folder of the screenshots of pages with a problem."""

    reports: dict[str, PageReport]
    screenshots: Path


def visit_every_page(built_book: Path, site: ServedSite, chromium, screenshots: Path) -> BookPages:
    """Open every page of ``built_book`` once, served by ``site``, and run every check on it."""
    in_toc, with_widgets = set(toc_pages()), set(widget_pages(built_book))
    reports = {}
    for name in page_names(built_book):
        refused_before = len(site.refused)
        page, record = open_page(chromium, f"{site.url}/{name}")
        try:
            seen = visit(page, name, site.url, record)
            # What the browser asks for on its own (an icon, say) only the server sees.
            seen.problems += [f"{name}: the server has no {u}" for u in site.refused[refused_before:]]
            if seen.problems:
                page.screenshot(path=str(screenshots / (name.replace("/", "__") + ".png")), full_page=True)
            audit = audit_open_page(page, name, record, name in with_widgets) if name in in_toc else None
            figures = None
            if name in with_widgets:
                expected = expected_figure_widgets((built_book / name).read_text(encoding="utf-8"))
                figures = Figures(*check_widgets(page, record, name, expected, screenshots))
        finally:
            page.close()
        reports[name] = PageReport(seen, audit, figures)
    return BookPages(reports, screenshots)
