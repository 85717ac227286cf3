"""Find the course's figure widgets on a page open in Playwright.

A figure widget is an outermost ipywidgets box that holds a picture
(``img.widget-image``) and at least one control. tests/test_widgets_in_browser.py,
tests/test_accessibility.py and tools/benchmark.py mark them so that Playwright
can address each one.
"""

from __future__ import annotations

from typing import Any

#: The controls a figure widget may have.
CONTROLS = ".widget-slider, .widget-toggle-buttons, .widget-dropdown"

_MARK_JS = """([root, controls, attribute]) => {
    const holds = box => box.querySelector('img.widget-image') && box.querySelector(controls);
    const boxes = [...(root || document).querySelectorAll('.widget-box')].filter(holds);
    const outer = boxes.filter(box => !boxes.some(other => other !== box && other.contains(box)));
    outer.forEach((box, i) => box.setAttribute(attribute, String(i)));
    return outer.length;
}"""


def mark_figure_widgets(page: Any, attribute: str, root: Any = None) -> int:
    """Number the figure widgets (below the element handle `root`) in ``attribute``; count them."""
    return page.evaluate(_MARK_JS, [root, CONTROLS, attribute])
