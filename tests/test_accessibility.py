"""Every page of the built book passes axe-core, and every widget works from the keyboard.

axe-core (vendored from npm into _vendor/axe-core, never published with the
site: tools/axe_audit.py) is injected into each page of _toc.yml once MathJax
has typeset and the widgets have rendered, and run in light mode, then again
after the theme's own button has switched the page to dark mode. Any critical
or serious violation fails, listed per page with the rule, its impact, the
number of offending elements, where they come from (a widget, a static figure
or the page) and an example.

The keyboard test reaches every control of every figure widget with Tab alone,
moves it with the keys a reader would use (arrow keys for a slider and a
dropdown, Space for a toggle button) and checks that the picture shown (its
data: address and its alt text) changed. Each page is opened once for all of
it, and for tests/test_browser.py and test_widgets_in_browser.py too
(tests/book_in_chromium.py): the keyboard comes after both audits.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import axe_audit
import pytest
import yaml
from figure_widgets import CONTROLS, mark_figure_widgets
from test_browser import open_page, wait_for_widgets
from test_widgets_in_browser import widget_pages

from conftest import POLL_MS

if TYPE_CHECKING:
    from book_in_chromium import BookPages

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser


def toc_pages() -> list[str]:
    """The HTML page of every document in _toc.yml, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return [f"{name}.html" for name in files]


# Waits (at most 5 s) for the colour transitions a theme switch starts: axe must see the end colours.
TRANSITIONS_DONE_JS = """() => Promise.race([
    Promise.all(document.getAnimations().map(a => a.finished.catch(() => null))),
    new Promise(done => setTimeout(done, 5000)),
])"""


def switch_to_dark_mode(page) -> str:
    """Press the theme's own switch until the page is dark (it cycles through its modes); the theme.

    Then the pointer and the focus leave the switch, as a reader's would, and its
    "Color mode" tooltip fades out: axe once judged it half-faded in, as too pale.
    """
    for _ in range(3):
        if page.evaluate("() => document.documentElement.dataset.theme") == "dark":
            break
        page.locator(".theme-switch-button:visible").first.click()
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement.blur()")
    page.wait_for_function("() => !document.querySelector('.tooltip')", timeout=5000, polling=POLL_MS)
    page.evaluate(TRANSITIONS_DONE_JS)
    return page.evaluate("() => document.documentElement.dataset.theme")


@dataclass
class Keyboard:
    """What moving the figure widgets of one page from the keyboard did."""

    widgets: int
    moves: int
    problems: list[str]


@dataclass
class Audit:
    """What one page of _toc.yml showed axe and the keyboard."""

    violations: dict[str, list[dict]]  # by mode, light and dark
    theme: str  # the theme after pressing the switch to dark mode
    keyboard: Keyboard | None  # on a page with widgets


def audit_open_page(page, name: str, record: dict, widgets: bool) -> Audit:
    """Axe in light mode, axe in dark mode, then the keyboard (on a page with ``widgets``)."""
    light = axe_audit.audit(page)
    theme = switch_to_dark_mode(page)
    dark = axe_audit.audit(page)
    keyboard = widgets_from_the_keyboard(page, name, record) if widgets else None
    return Audit({"light": light, "dark": dark}, theme, keyboard)


@pytest.fixture(scope="module")
def audits(book_pages: BookPages) -> dict[str, Audit]:
    """The audit of every page of _toc.yml, from the run's one visit of each page."""
    assert not book_pages.crashes("audit"), "\n".join(book_pages.crashes("audit"))
    return {name: book_pages.reports[name].audit for name in toc_pages() if name in book_pages.reports}


def test_toc_pages_are_built(built_book: Path) -> None:
    missing = [name for name in toc_pages() if not (built_book / name).is_file()]
    assert not missing, f"pages of _toc.yml missing from the built site: {missing}"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_critical_or_serious_axe_violation(audits: dict[str, Audit], mode: str) -> None:
    assert list(audits) == toc_pages()
    if mode == "dark":
        light = [name for name, audit in audits.items() if audit.theme != "dark"]
        assert not light, f"the theme's switch did not turn these pages dark: {light}"
    problems = [f"{name}: {line}" for name, audit in audits.items()
                for line in axe_audit.describe(audit.violations[mode])]
    assert not problems, (
        f"axe-core {axe_audit.axe_version()} in {mode} mode found critical or serious violations "
        "(rule (impact): offending elements [where they come from]; an example):\n" + "\n".join(problems))


def test_axe_catches_a_widget_image_without_alt(built_book: Path, site_url: str, chromium) -> None:
    """The audit can fail: the same page with its widget pictures' alt texts removed."""
    name = widget_pages(built_book)[0]
    page, _ = open_page(chromium, f"{site_url}/{name}")
    try:
        wait_for_widgets(page)
        removed = page.evaluate("() => { const images = [...document.querySelectorAll('img.widget-image')];"
                                " images.forEach(i => i.removeAttribute('alt')); return images.length; }")
        violations = axe_audit.audit(page)
    finally:
        page.close()
    assert removed
    lines = axe_audit.describe(violations)
    assert any(line.startswith("image-alt (critical)") and "widget" in line for line in lines), lines


# --- the keyboard alone ------------------------------------------------------------------------

# The one visible picture of a widget: [src, alt], or null.
SHOWN_JS = """root => {
    const shown = [...root.querySelectorAll('img.widget-image')].filter(img => {
        const box = img.getBoundingClientRect();
        return box.width > 0 && box.height > 0;
    });
    return shown.length === 1 ? [shown[0].src, shown[0].getAttribute('alt')] : null;
}"""
# What has the keyboard focus, inside ``root``: its kind and accessible state.
FOCUS_JS = """root => {
    const el = document.activeElement;
    if (!el || !root.contains(el)) return null;
    if (el.classList.contains('noUi-handle')) return {kind: 'slider', now: el.getAttribute('aria-valuenow'),
        max: el.getAttribute('aria-valuemax'), name: el.getAttribute('aria-labelledby')};
    if (el.tagName === 'SELECT') return {kind: 'select', index: el.selectedIndex, count: el.options.length};
    if (el.tagName === 'BUTTON') return {kind: 'button', pressed: el.getAttribute('aria-pressed'),
        text: el.textContent};
    return {kind: el.tagName.toLowerCase()};
}"""
# Puts the focus just before ``root``, so that the next Tab enters the widget.
FOCUS_BEFORE_JS = """root => {
    const start = document.createElement('span');
    start.tabIndex = -1;
    root.before(start);
    start.focus();
}"""


def keyboard_moves(page, root, where: str) -> tuple[int, list[str]]:
    """Tab through the widget ``root``; move each control reached by keys; return moves and problems."""
    problems, moves = [], 0
    root.scroll_into_view_if_needed()
    root.evaluate(FOCUS_BEFORE_JS)
    for _ in range(40):  # more Tab stops than any widget has
        page.keyboard.press("Tab")
        focus = root.evaluate(FOCUS_JS)
        if focus is None:  # the focus has left the widget
            break
        if focus["kind"] == "slider":
            if not focus["name"]:
                problems.append(f"{where}: a slider handle has no aria-labelledby")
            key = "ArrowLeft" if focus["now"] == focus["max"] else "ArrowRight"
        elif focus["kind"] == "select":
            key = "ArrowUp" if focus["index"] == focus["count"] - 1 else "ArrowDown"
        elif focus["kind"] == "button" and focus["pressed"] == "false":
            key = "Space"
        else:
            continue  # the pressed toggle button: pressing it again changes nothing
        before = root.evaluate(SHOWN_JS)
        page.keyboard.press(key)
        try:
            page.wait_for_function(f"([root, before]) => {{ const now = ({SHOWN_JS})(root);"
                                   " return now && before && now[0] !== before[0] && now[1] !== before[1]; }",
                                   arg=[root.element_handle(), before], timeout=10_000, polling=POLL_MS)
            moves += 1
        except Exception:  # timed out: the picture or its alt text did not change
            after = root.evaluate(SHOWN_JS)
            problems.append(f"{where}: {key} on a focused {focus['kind']} did not change the picture "
                            f"and its alt text (alt before: {before and before[1][:80]!r}, "
                            f"after: {after and after[1][:80]!r})")
    return moves, problems


def widgets_from_the_keyboard(page, name: str, record: dict) -> Keyboard:
    """Move every control of every figure widget of the open page ``name`` from the keyboard."""
    problems, moves = [], 0
    count = mark_figure_widgets(page, "data-kbd-widget")
    for index in range(count):
        root = page.locator(f"[data-kbd-widget='{index}']")
        controls = root.locator(CONTROLS).count()
        moved, found = keyboard_moves(page, root, f"{name} widget {index}")
        problems += found
        moves += moved
        if moved < controls:
            problems.append(f"{name} widget {index}: {moved} keyboard moves for {controls} controls")
    problems += [f"{name}: console error: {error}" for error in record["errors"]]
    return Keyboard(count, moves, problems)


def test_every_widget_works_from_the_keyboard(built_book: Path, audits: dict[str, Audit]) -> None:
    tried = [audit.keyboard for audit in audits.values() if audit.keyboard]
    assert len(tried) == len(widget_pages(built_book)) > 0
    widgets = sum(keyboard.widgets for keyboard in tried)
    moves = sum(keyboard.moves for keyboard in tried)
    assert widgets >= len(tried)
    problems = [problem for keyboard in tried for problem in keyboard.problems]
    assert not problems, "\n".join(problems)
    assert moves >= widgets
