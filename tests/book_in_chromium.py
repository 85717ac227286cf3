"""Every page of the built book opened once in Chromium, for every check that reads it.

Opening a chapter costs Chromium about 5 s of CPU (MathJax and the widget
manager), so tests/test_browser.py, test_accessibility.py and
test_widgets_in_browser.py share one visit of each page (the ``book_pages``
fixture), and run on one pytest-xdist worker as the group ``book_pages``
(``ONE_WORKER`` in conftest.py). On each page, in this order:

1. ``visit``: what it shows, as test_browser reads it (a page with a problem
   leaves a screenshot);
2. ``figures``, on a page with widgets: every control moved as
   test_widgets_in_browser moves it, and back to where it started;
3. ``audit``, on a page of _toc.yml, with the pointer and focus gone and the
   page scrolled back to its top: axe in light mode, the switch to dark mode,
   axe again, then every widget control from the keyboard.

A step that stops with an error is recorded as the page's crash in that step,
and the other steps and pages go on; each file's tests fail on their own
step's crashes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from test_accessibility import Audit, audit_open_page, toc_pages
from test_browser import Visit, open_page, page_names, visit
from test_widgets_in_browser import check_widgets, expected_figure_widgets, widget_pages

from conftest import ServedSite

T = TypeVar("T")


@dataclass
class Figures:
    """What moving every control of a page's figure widgets found."""

    problems: list[str]
    moves: int
    expected: int  # figure widgets in the page's saved widget state (expected_figure_widgets)


@dataclass
class PageReport:
    """One page as each check saw it; ``audit`` for pages of _toc.yml, ``figures`` for pages with widgets."""

    visit: Visit | None
    figures: Figures | None
    audit: Audit | None
    crashes: dict[str, str] = field(default_factory=dict)  # by step: the error that stopped it


@dataclass
class BookPages:
    """Every page's report, by name, and the folder of the screenshots of pages with a problem."""

    reports: dict[str, PageReport]
    screenshots: Path

    def crashes(self, step: str) -> list[str]:
        """The errors that stopped ``step`` ("visit", "figures" or "audit"), one line per page."""
        return [f"{name}: {step} stopped: {report.crashes[step]}"
                for name, report in self.reports.items() if step in report.crashes]


def attempt(step: str, crashes: dict[str, str], action: Callable[..., T], *args: object) -> T | None:
    """``action(*args)``; if it raises, its error is recorded in ``crashes[step]`` and None returned."""
    try:
        return action(*args)
    except Exception as error:  # reported by the tests of that step, with the page's name
        crashes[step] = f"{type(error).__name__}: {error}"
        return None


# Takes the focus off whatever the widget checks left it on, and scrolls back to the top.
AT_REST_JS = "() => { document.activeElement?.blur(); window.scrollTo(0, 0); }"


def moved_figures(page, record: dict, name: str, expected: int, screenshots: Path) -> Figures:
    return Figures(*check_widgets(page, record, name, expected, screenshots), expected)


def audit_at_rest(page, name: str, record: dict, widgets: bool) -> Audit:
    """The page's audit, once the pointer and the focus are off the widgets and the page is at its top."""
    page.mouse.move(0, 0)
    page.evaluate(AT_REST_JS)
    return audit_open_page(page, name, record, widgets)


def visit_every_page(built_book: Path, site: ServedSite, chromium, screenshots: Path) -> BookPages:
    """Open every page of ``built_book`` once, served by ``site``, and run every check on it."""
    in_toc, with_widgets = set(toc_pages()), set(widget_pages(built_book))
    reports = {}
    for name in page_names(built_book):
        refused_before = len(site.refused)
        page, record = open_page(chromium, f"{site.url}/{name}")
        crashes: dict[str, str] = {}
        try:
            seen = attempt("visit", crashes, visit, page, name, site.url, record)
            if seen is not None:
                # What the browser asks for on its own (an icon, say) only the server sees.
                seen.problems += [f"{name}: the server has no {u}" for u in site.refused[refused_before:]]
                if seen.problems:
                    shot = screenshots / (name.replace("/", "__") + ".png")
                    page.screenshot(path=str(shot), full_page=True)
            figures = audit = None
            if name in with_widgets:
                expected = expected_figure_widgets((built_book / name).read_text(encoding="utf-8"))
                figures = attempt("figures", crashes, moved_figures, page, record, name, expected,
                                  screenshots)
            if name in in_toc:
                audit = attempt("audit", crashes, audit_at_rest, page, name, record, name in with_widgets)
        finally:
            page.close()
        reports[name] = PageReport(seen, figures, audit, crashes)
    return BookPages(reports, screenshots)
