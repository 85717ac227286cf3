"""Every page of the built book passes axe-core, and every widget works from the keyboard.

axe-core (vendored from npm into _vendor/axe-core, never published with the
site: tools/axe_audit.py) is injected into each page of _toc.yml, in light and
in dark mode, once MathJax has typeset and the widgets have rendered. Any
critical or serious violation fails, listed per page with the rule, its
impact, the number of offending elements, where they come from (a widget, a
static figure or the page) and an example.

The keyboard test reaches every control of every figure widget with Tab alone,
moves it with the keys a reader would use (arrow keys for a slider and a
dropdown, Space for a toggle button) and checks that the picture shown (its
data: address and its alt text) changed.
"""

from __future__ import annotations

from pathlib import Path

import axe_audit
import pytest
import yaml
from figure_widgets import CONTROLS, mark_figure_widgets
from test_browser import open_page, wait_for_math, wait_for_widgets
from test_widgets_in_browser import widget_pages

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.browser


def toc_pages() -> list[str]:
    """The HTML page of every document in _toc.yml, in reading order."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part.get("chapters", [])]
    return [f"{name}.html" for name in files]


def set_dark_mode(page) -> None:
    """Switch the theme to dark mode the way its own button does (saved in localStorage)."""
    page.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")


def audit_page(chromium, url: str, dark: bool) -> list[dict]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        if dark:
            set_dark_mode(page)
        page.goto(url, wait_until="networkidle")
        wait_for_math(page)
        wait_for_widgets(page)
        if dark:
            theme = page.evaluate("() => document.documentElement.dataset.theme")
            assert theme == "dark", f"{url}: the theme did not switch to dark mode ({theme!r})"
        return axe_audit.audit(page)
    finally:
        context.close()


def test_toc_pages_are_built(built_book: Path) -> None:
    missing = [name for name in toc_pages() if not (built_book / name).is_file()]
    assert not missing, f"pages of _toc.yml missing from the built site: {missing}"


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_no_critical_or_serious_axe_violation(built_book: Path, site_url: str, chromium, mode: str) -> None:
    problems, pages = [], 0
    for name in toc_pages():
        violations = audit_page(chromium, f"{site_url}/{name}", dark=mode == "dark")
        pages += 1
        problems += [f"{name}: {line}" for line in axe_audit.describe(violations)]
    assert pages == len(toc_pages())
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
                                   arg=[root.element_handle(), before], timeout=10_000)
            moves += 1
        except Exception:  # timed out: the picture or its alt text did not change
            after = root.evaluate(SHOWN_JS)
            problems.append(f"{where}: {key} on a focused {focus['kind']} did not change the picture "
                            f"and its alt text (alt before: {before and before[1][:80]!r}, "
                            f"after: {after and after[1][:80]!r})")
    return moves, problems


def test_every_widget_works_from_the_keyboard(built_book: Path, site_url: str, chromium) -> None:
    pages = widget_pages(built_book)
    assert pages
    problems, moves, widgets = [], 0, 0
    for name in pages:
        page, record = open_page(chromium, f"{site_url}/{name}")
        try:
            wait_for_widgets(page)
            count = mark_figure_widgets(page, "data-kbd-widget")
            widgets += count
            for index in range(count):
                root = page.locator(f"[data-kbd-widget='{index}']")
                controls = root.locator(CONTROLS).count()
                moved, found = keyboard_moves(page, root, f"{name} widget {index}")
                problems += found
                moves += moved
                if moved < controls:
                    problems.append(f"{name} widget {index}: {moved} keyboard moves for {controls} controls")
            problems += [f"{name}: console error: {error}" for error in record["errors"]]
        finally:
            page.close()
    assert widgets >= len(pages)
    assert not problems, "\n".join(problems)
    assert moves >= widgets
