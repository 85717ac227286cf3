"""The widgets of the built site respond in a real browser, with no kernel.

Every page with widgets is discovered from the built book. On each page every
figure widget (a box of selection controls above images, as
``actgrad.widgets.precomputed_figure`` makes it) is found, and each of its
controls is moved the way a reader moves it: a slider's handle is focused and
driven with the arrow keys and End, toggle buttons are clicked, a dropdown gets
another option. After every move exactly one image must be visible, the
picture must differ from the one before (compared byte for byte) and must not
be blank, and the page must log no error; moving the control back must bring
the first picture back. A widget whose move goes wrong leaves a screenshot of
itself after that move, and a page with a problem a screenshot of the whole
page, in the run's temp folder. Each page is opened once for this test,
tests/test_browser.py and test_accessibility.py (tests/book_in_chromium.py).

The helpers are shared with tests/test_jupyterlab.py, which moves the same
widgets in JupyterLab, where a kernel is running.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup
from figure_widgets import CONTROLS, mark_figure_widgets
from PIL import Image
from test_browser import open_page, page_names, wait_for_math, wait_for_widgets

from conftest import POLL_MS, ServedSite

if TYPE_CHECKING:
    from book_in_chromium import BookPages

pytestmark = pytest.mark.browser

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
#: Widget models of the controls this test knows how to move.
CONTROL_MODELS = {"SelectionSliderModel", "IntSliderModel", "FloatSliderModel",
                  "ToggleButtonsModel", "DropdownModel"}
#: Milliseconds to wait for the picture to change after a move.
MOVE_TIMEOUT = 15_000

VISIBLE_IMAGES_JS = """root => [...root.querySelectorAll('img')].filter(img => {
    const box = img.getBoundingClientRect(), style = getComputedStyle(img);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden';
}).map(img => img.src)"""
IMAGE_BYTES_JS = """async src => {
    const bytes = new Uint8Array(await (await fetch(src)).arrayBuffer());
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
        text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
}"""
CHANGED_JS = """([root, before]) => {
    const shown = [...root.querySelectorAll('img')].filter(img => {
        const box = img.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && img.complete && img.naturalWidth > 0;
    });
    return shown.length === 1 && shown[0].src !== before;
}"""


# --- which widgets a page should show, from its saved widget state -------------------------

def expected_figure_widgets(page_html: str) -> int:
    """Number of widget views on the page whose models hold a picture and a movable control.

    A picture is an HTML widget showing ``<img class="widget-image">`` (an
    ``actgrad.widgets.AltImage``, which carries an alt text) or an ipywidgets Image.
    """
    document = BeautifulSoup(page_html, "html.parser")
    state_tag = document.find("script", type=STATE)
    if state_tag is None:
        return 0
    models = json.loads(state_tag.get_text())["state"]

    def names(model_id: str, seen: set[str]) -> set[str]:
        if model_id in seen or model_id not in models:
            return set()
        seen.add(model_id)
        model = models[model_id]
        found = {model["model_name"]}
        if model["model_name"] == "HTMLModel" and 'class="widget-image"' in model["state"].get("value", ""):
            found.add("ImageModel")
        for child in model["state"].get("children", []):
            found |= names(child.removeprefix("IPY_MODEL_"), seen)
        return found

    count = 0
    for view in document.find_all("script", type=VIEW):
        found = names(json.loads(view.get_text())["model_id"], set())
        count += "ImageModel" in found and bool(found & CONTROL_MODELS)
    return count


def widget_pages(html: Path) -> list[str]:
    return [name for name in page_names(html) if VIEW in (html / name).read_text(encoding="utf-8")]


def file_name(text: str) -> str:
    return re.sub(r"[^\w.-]+", "_", text)[:150]


# --- moving the controls of one widget ------------------------------------------------------

class _Stuck(Exception):
    """A control was moved and the figure did not change."""


class FigureChecker:
    """Moves every control of the figure widgets of a page and records what went wrong."""

    def __init__(self, page, record: dict, where: str, shots: Path,
                 move_timeout: float = MOVE_TIMEOUT) -> None:
        self.page, self.record, self.where, self.shots = page, record, where, shots
        self.move_timeout = move_timeout
        self.problems: list[str] = []
        self.moves = 0

    def problem(self, text: str) -> None:
        self.problems.append(f"{self.where}: {text}")

    def mark_widgets(self, root_selector: str = "body") -> list:
        count = mark_figure_widgets(self.page, "data-figure-widget",
                                    self.page.locator(root_selector).first.element_handle())
        return [self.page.locator(f"[data-figure-widget='{i}']") for i in range(count)]

    def shown(self, root) -> tuple[str | None, bytes | None]:
        """The source and bytes of the one visible image of ``root`` (None if not exactly one)."""
        sources = root.evaluate(VISIBLE_IMAGES_JS)
        if len(sources) != 1:
            self.problem(f"{len(sources)} images visible at once instead of 1")
            return None, None
        data = base64.b64decode(self.page.evaluate(IMAGE_BYTES_JS, sources[0]))
        with Image.open(io.BytesIO(data)) as picture:
            darkest, lightest = picture.convert("L").getextrema()
        if lightest - darkest <= 32:
            self.problem(f"the visible figure is blank (grey levels span {lightest - darkest})")
        return sources[0], data

    def screenshot(self, root, label: str) -> None:
        root.screenshot(path=str(self.shots / f"{file_name(f'{self.where}__{label}')}.png"))

    def move(self, root, label: str, action, before: tuple[str | None, bytes | None],
             expect_same_as: bytes | None = None) -> tuple[str | None, bytes | None]:
        """Do ``action``; check the picture changed (to ``expect_same_as`` if given) and no error."""
        errors_before = len(self.record["errors"])
        action()
        self.moves += 1
        try:
            self.page.wait_for_function(CHANGED_JS, arg=[root.element_handle(), before[0]],
                                        timeout=self.move_timeout, polling=POLL_MS)
        except Exception:  # a timeout: the picture did not change
            self.problem(f"{label}: the figure did not change")
            self.shown(root)  # reports several visible images, or a blank one
            self.screenshot(root, label)
            self.problem_errors(label, errors_before)
            raise _Stuck from None
        problems_before = len(self.problems)
        after = self.shown(root)
        if after[1] is not None and after[1] == before[1]:
            self.problem(f"{label}: the figure shows the same picture as before")
        if expect_same_as is not None and after[1] is not None and after[1] != expect_same_as:
            self.problem(f"{label}: moving the control back did not bring the first picture back")
        self.problem_errors(label, errors_before)
        if len(self.problems) > problems_before:
            self.screenshot(root, label)
        return after

    def problem_errors(self, label: str, since: int) -> None:
        for error in self.record["errors"][since:]:
            self.problem(f"{label}: console error: {error}")

    def check_widget(self, root, index: int) -> None:
        controls = root.locator(CONTROLS)
        if not controls.count():
            self.problem(f"widget {index}: no control")
            return
        root.scroll_into_view_if_needed()
        first = self.shown(root)
        if first[1] is None:
            self.screenshot(root, f"w{index}_before")
            return
        for number in range(controls.count()):
            control = controls.nth(number)
            label = f"w{index}_c{number}"
            classes = control.get_attribute("class") or ""
            try:
                if "widget-slider" in classes:
                    self.move_slider(root, control, label, first)
                elif "widget-toggle-buttons" in classes:
                    self.move_toggle(root, control, label, first)
                else:
                    self.move_dropdown(root, control, label, first)
            except _Stuck:  # the control does nothing: its other moves would tell no more
                continue

    def move_slider(self, root, control, label: str, first) -> None:
        handle = control.locator(".noUi-handle").first
        low, high = (round(float(handle.get_attribute(a))) for a in ("aria-valuemin", "aria-valuemax"))
        start = round(float(handle.get_attribute("aria-valuenow")))
        if high == low:
            self.problem(f"{label}: the slider has a single position")
            return
        handle.focus()
        step, far = ("ArrowRight", "End") if start < high else ("ArrowLeft", "Home")
        state = self.move(root, f"{label}_slider_{step}", lambda: handle.press(step), first)
        if abs((high if far == "End" else low) - start) > 1:
            state = self.move(root, f"{label}_slider_{far}", lambda: handle.press(far), state)
        back = "ArrowLeft" if far == "End" else "ArrowRight"

        def go_back() -> None:
            if start in (low, high):
                handle.press("Home" if start == low else "End")
                return
            for _ in range(abs(round(float(handle.get_attribute("aria-valuenow"))) - start)):
                handle.press(back)

        self.move(root, f"{label}_slider_back", go_back, state, expect_same_as=first[1])

    def move_toggle(self, root, control, label: str, first) -> None:
        buttons = control.locator("button")
        count = buttons.count()
        active = [i for i in range(count) if "mod-active" in (buttons.nth(i).get_attribute("class") or "")]
        if count < 2 or len(active) != 1:
            self.problem(f"{label}: toggle buttons with {count} buttons, {len(active)} pressed")
            return
        start = active[0]
        state = self.move(root, f"{label}_toggle_{(start + 1) % count}",
                          buttons.nth((start + 1) % count).click, first)
        self.move(root, f"{label}_toggle_back", buttons.nth(start).click, state, expect_same_as=first[1])

    def move_dropdown(self, root, control, label: str, first) -> None:
        select = control.locator("select")
        count = select.locator("option").count()
        start = select.evaluate("s => s.selectedIndex")
        if count < 2:
            self.problem(f"{label}: a dropdown with {count} options")
            return
        state = self.move(root, f"{label}_dropdown_{(start + 1) % count}",
                          lambda: select.select_option(index=(start + 1) % count), first)
        self.move(root, f"{label}_dropdown_back", lambda: select.select_option(index=start), state,
                  expect_same_as=first[1])


def check_widgets(page, record: dict, name: str, expected: int, shots: Path,
                  move_timeout: float = MOVE_TIMEOUT) -> tuple[list[str], int]:
    """Move every control of every figure widget of the open page ``name``; return the problems and moves.

    A page with a problem leaves a screenshot of itself in ``shots``.
    """
    checker = FigureChecker(page, record, name, shots, move_timeout)
    try:
        wait_for_widgets(page)
    except Exception:  # reported below as a missing widget
        checker.problem("the widgets did not render")
    roots = checker.mark_widgets()
    if len(roots) != expected:
        checker.problem(f"{len(roots)} figure widgets rendered, the saved widget state has {expected}")
    checker.problem_errors("loading", 0)
    for index, root in enumerate(roots):
        checker.check_widget(root, index)
    if checker.problems:
        page.screenshot(path=str(shots / f"{file_name(name)}.png"), full_page=True)
    return checker.problems, checker.moves


def check_widget_page(chromium, url: str, name: str, expected: int, shots: Path,
                      move_timeout: float = MOVE_TIMEOUT) -> tuple[list[str], int]:
    """Open ``url`` and :func:`check_widgets` it."""
    page, record = open_page(chromium, url)
    try:
        return check_widgets(page, record, name, expected, shots, move_timeout)
    finally:
        page.close()


def test_every_widget_control_changes_the_figure(built_book: Path, book_pages: BookPages) -> None:
    pages = widget_pages(built_book)
    assert pages, "no page of the book has a widget: the chapters should"
    assert not book_pages.crashes("figures"), "\n".join(book_pages.crashes("figures"))
    checked = {name: report.figures for name, report in book_pages.reports.items()
               if report.figures is not None}
    assert list(checked) == pages
    widgets = sum(figures.expected for figures in checked.values())
    problems = [problem for figures in checked.values() for problem in figures.problems]
    moves = sum(figures.moves for figures in checked.values())
    assert widgets, "no figure widget (image and control) in the saved widget state of any page"
    assert not problems, f"screenshots in {book_pages.screenshots}\n" + "\n".join(problems)
    assert moves >= 2 * widgets, f"only {moves} control moves for {widgets} widgets"


# --- the check can fail: a copy of a page whose links are dead ------------------------------

def without_links(page_html: str) -> str:
    """The page with every jslink (LinkModel) removed from its saved widget state."""
    document = BeautifulSoup(page_html, "html.parser")
    state_tag = document.find("script", type=STATE)
    saved = json.loads(state_tag.get_text())
    saved["state"] = {key: model for key, model in saved["state"].items()
                      if model["model_name"] != "LinkModel"}
    state_tag.string = json.dumps(saved)
    return str(document)


@contextmanager
def served_with_page(built_book: Path, name: str, page_html: str, folder: Path) -> Iterator[str]:
    """Serve the built site with page ``name`` replaced by ``page_html``; yield the page's URL."""
    site = folder / "site"
    (site / name).parent.mkdir(parents=True)
    for shared in built_book.iterdir():  # everything but the changed page's own folder
        if shared.name != Path(name).parts[0]:
            (site / shared.name).symlink_to(shared, target_is_directory=shared.is_dir())
    (site / name).write_text(page_html, encoding="utf-8")
    served = ServedSite(site)
    try:
        yield f"{served.url}/{name}"
    finally:
        served.close()


def test_a_widget_with_dead_links_fails_the_check(built_book: Path, chromium, tmp_path: Path) -> None:
    name = widget_pages(built_book)[0]
    original = (built_book / name).read_text(encoding="utf-8")
    with served_with_page(built_book, name, without_links(original), tmp_path) as url:
        problems, _ = check_widget_page(chromium, url, name, expected_figure_widgets(original),
                                        tmp_path, move_timeout=3_000)
    assert any("the figure did not change" in problem for problem in problems), problems


# --- widgets with descriptions: the html-manager typesets them with MathJax 2's API ---------

def with_described_widgets(page_html: str) -> tuple[str, list[str]]:
    """The page with a box of described widgets (IntSlider, Checkbox, Label) added at the end
    of its article; and the descriptions."""
    import ipywidgets as widgets
    from ipywidgets.embed import dependency_state

    # MathJax 3 as the site configures it knows \( \) as inline delimiters, not $ $.
    texts = ["hidden units \\(n\\)", "show the slope", "a label with \\(\\alpha\\)"]
    box = widgets.VBox([widgets.IntSlider(value=3, min=0, max=10, description=texts[0]),
                        widgets.Checkbox(description=texts[1]), widgets.Label(value=texts[2])])
    document = BeautifulSoup(page_html, "html.parser")
    state_tag = document.find("script", type=STATE)
    saved = json.loads(state_tag.get_text())
    saved["state"].update(dependency_state([box]))
    state_tag.string = json.dumps(saved)
    holder = document.new_tag("div", attrs={"class": "cell_output", "id": "described-widgets"})
    view = document.new_tag("script", type=VIEW)
    view.string = json.dumps({"version_major": 2, "version_minor": 0, "model_id": box.model_id})
    holder.append(view)
    document.find("article").append(holder)
    box.close_all()
    return str(document), texts


def test_widgets_with_descriptions_render_without_errors(built_book: Path, chromium, tmp_path: Path) -> None:
    """assets/widgets-assets-path.js gives MathJax 3 the MathJax 2 call the html-manager makes."""
    name = next(page for page in widget_pages(built_book)
                if BeautifulSoup((built_book / page).read_text(encoding="utf-8"), "html.parser")
                .select(".math"))
    page_html, texts = with_described_widgets((built_book / name).read_text(encoding="utf-8"))
    with served_with_page(built_book, name, page_html, tmp_path) as url:
        page, record = open_page(chromium, url)
        try:
            wait_for_math(page)
            wait_for_widgets(page)
            added = page.locator("#described-widgets")
            added.locator(".widget-slider").wait_for()
            try:
                page.wait_for_function(
                    "() => document.querySelectorAll('#described-widgets mjx-container').length >= 2",
                    timeout=20_000, polling=POLL_MS)
            except Exception:  # reported below with the number typeset
                pass
            added.scroll_into_view_if_needed()
            added.screenshot(path=str(tmp_path / "described-widgets.png"))
            shown = added.inner_text()
            typeset = added.locator("mjx-container").count()
            errors = list(record["errors"])
        finally:
            page.close()
    assert not errors, "\n".join(errors)
    assert "hidden units" in shown and "show the slope" in shown, shown
    assert typeset >= 2, f"{typeset} formulas typeset in the widgets' descriptions"
