"""The whole course as one PDF (``make pdf``, Jupyter Book's pdflatex builder).

The PDF is built into the same temp folder as the session's HTML build, so it
reads the chapters' outputs from that build's execution cache and executes
nothing again. poppler's pdftotext, pdfinfo and pdfimages then check what a
reader gets: a table of contents, every chapter under its title, every figure
of the HTML page (a widget as the picture it opens on), typeset math and
resolved cross-references.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import numpy as np
import PIL.Image
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, course_env

BUILD = ROOT / "tools" / "build_book.py"
TOOLS = ("pdftotext", "pdfinfo", "pdfimages", "xelatex", "latexmk")
# Dest names hyperref gives chapters, in the order of _toc.yml.
CHAPTER_DEST = re.compile(r'^\s*(\d+) \[.*\] "chapter\.(\d+)"$', re.MULTILINE)
# Letters from Unicode's mathematical alphanumeric block, which unicode-math typesets math in.
MATH_LETTER = re.compile("[\U0001d400-\U0001d7ff]")


def chapters() -> list[tuple[str, str]]:
    """(file, title) of every chapter in _toc.yml order; the title is the file's first heading."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    result = []
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            text = (ROOT / f"{chapter['file']}.md").read_text(encoding="utf-8")
            result.append((chapter["file"], re.search(r"^# (.+)$", text, re.MULTILINE)[1].strip()))
    return result


def plain(text: str) -> str:
    """``text`` with every run of whitespace made one space."""
    return " ".join(text.split())


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def built_pdf(built_book: Path) -> Path:
    """book.pdf built next to the session's HTML build, from the same execution cache."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run `make system` (make test does it).")
    output = built_book.parent.parent
    result = subprocess.run([sys.executable, str(BUILD), "--output", str(output), "--pdf"],
                            cwd=ROOT, env=course_env(), capture_output=True, text=True,
                            check=False, timeout=1200)
    if result.returncode != 0:
        pytest.fail(f"the PDF did not build:\n{result.stderr}\n{result.stdout[-3000:]}")
    assert "Executing notebook" not in result.stdout, \
        "the PDF build executed chapters again instead of reading the HTML build's cache"
    return output / "_build" / "latex" / "book.pdf"


@pytest.fixture(scope="module")
def pages(built_pdf: Path) -> list[str]:
    """The text of every page, whitespace made single spaces; pages[0] is page 1."""
    return [plain(page) for page in run("pdftotext", str(built_pdf), "-").split("\f")[:-1]]


@pytest.fixture(scope="module")
def chapter_pages(built_pdf: Path, pages: list[str]) -> dict[str, range]:
    """The pages of each chapter: from its first page to the page before the next chapter's."""
    starts = sorted((int(number), int(page)) for page, number in
                    CHAPTER_DEST.findall(run("pdfinfo", "-dests", str(built_pdf))))
    files = [file for file, _ in chapters()]
    assert [number for number, _ in starts] == list(range(1, len(files) + 1)), \
        f"the PDF has chapters {[n for n, _ in starts]}, the table of contents {len(files)}"
    ends = [page for _, page in starts[1:]] + [len(pages) + 1]
    return {file: range(start, end) for file, (_, start), end in zip(files, starts, ends, strict=True)}


@pytest.fixture(scope="module")
def images_per_page(built_pdf: Path) -> dict[int, int]:
    """How many raster images each page draws (masks not counted)."""
    counts: dict[int, int] = {}
    for line in run("pdfimages", "-list", str(built_pdf)).splitlines()[2:]:
        page, _, kind = line.split()[:3]
        if kind == "image":
            counts[int(page)] = counts.get(int(page), 0) + 1
    return counts


class HtmlPage(NamedTuple):
    """What a chapter's HTML page shows that its pages in the PDF must show too."""

    figures: int  # images among the cells' outputs
    widgets: int
    math: bool  # whether it displays equations


@pytest.fixture(scope="module")
def html_pages(built_book: Path) -> dict[str, HtmlPage]:
    """Every chapter's HTML page, parsed once for the tests that compare the PDF with it."""
    result = {}
    for file, _ in chapters():
        article = BeautifulSoup((built_book / f"{file}.html").read_text(encoding="utf-8"),
                                "html.parser").select_one("article")
        result[file] = HtmlPage(
            figures=len(article.select(".cell_output img")),
            widgets=len(article.select('script[type="application/vnd.jupyter.widget-view+json"]')),
            math=bool(article.select("div.math")))
    return result


@pytest.mark.slow
def test_the_page_count_is_sane(pages: list[str]) -> None:
    # about 200 pages today; far fewer means chapters are missing, far more
    # that some output (a widget's state, a long table) was dumped as text
    assert 120 <= len(pages) <= 400, f"{len(pages)} pages"


@pytest.mark.slow
def test_the_table_of_contents_lists_every_chapter_in_order(
        pages: list[str], chapter_pages: dict[str, range]) -> None:
    first_chapter = min(span.start for span in chapter_pages.values())
    front = " ".join(pages[:first_chapter - 1])
    assert "Contents" in front or "CONTENTS" in front, "no table of contents before the first chapter"
    position = 0
    for number, (file, title) in enumerate(chapters(), start=1):
        entry = re.compile(rf"\b{number} {re.escape(title)} \.?\s*\d+")
        found = entry.search(front, position)
        assert found, f"the table of contents has no entry '{number} {title}' ({file}) in its place"
        position = found.end()


@pytest.mark.slow
def test_every_chapter_starts_with_its_title(pages: list[str], chapter_pages: dict[str, range]) -> None:
    for file, title in chapters():
        first = pages[chapter_pages[file].start - 1]
        # the chapter heading is set in capitals
        assert title.casefold() in first.casefold(), \
            f"{file}: its first page does not show '{title}': {first[:200]}"


@pytest.mark.slow
def test_every_chapter_has_every_figure_of_its_html_page(
        html_pages: dict[str, HtmlPage], chapter_pages: dict[str, range],
        images_per_page: dict[int, int]) -> None:
    wrong = []
    for file, _ in chapters():
        figures, widgets, _ = html_pages[file]
        in_pdf = sum(images_per_page.get(page, 0) for page in chapter_pages[file])
        if in_pdf != figures + widgets:
            wrong.append(f"{file}: {in_pdf} images in the PDF, the HTML page has "
                         f"{figures} figures and {widgets} widgets")
    assert not wrong, "\n".join(wrong)
    assert sum(images_per_page.values()) >= 40, "the course has fewer figures than expected"


@pytest.mark.slow
def test_every_widget_appears_as_the_picture_it_opens_on(
        built_pdf: Path, chapter_pages: dict[str, range], tmp_path: Path) -> None:
    from jupyter_cache import get_cache

    cache = get_cache(built_pdf.parent.parent / ".jupyter_cache")
    checked = 0
    for record in cache.list_cache_records():
        file = Path(record.uri).relative_to(ROOT).with_suffix("").as_posix()
        notebook = cache.get_cache_bundle(record.pk).nb
        pictures = [base64.b64decode(output["data"]["image/png"])
                    for cell in notebook.cells if cell.cell_type == "code"
                    for output in cell.get("outputs", [])
                    if "application/vnd.jupyter.widget-view+json" in output.get("data", {})]
        if not pictures:
            continue
        span = chapter_pages[file]
        prefix = tmp_path / file.replace("/", "-")
        # raw PPM/PGM/PBM files: the same pixels as PNG, without the cost of compressing them
        run("pdfimages", "-f", str(span.start), "-l", str(span.stop - 1), str(built_pdf), str(prefix))
        extracted = []
        for path in sorted(tmp_path.glob(f"{prefix.name}-*.p[bgp]m")):
            extracted.append(pixels(path))
            path.unlink()  # megabytes each
        for number, picture in enumerate(pictures, start=1):
            (tmp_path / "widget.png").write_bytes(picture)
            expected = pixels(tmp_path / "widget.png")
            assert any(image.shape == expected.shape and np.array_equal(image, expected)
                       for image in extracted), \
                f"{file}: widget {number}'s first picture is not among the chapter's images in the PDF"
            checked += 1
    assert checked >= 10, f"only {checked} widgets found in the executed chapters"


def pixels(path: Path) -> np.ndarray:
    with PIL.Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.slow
def test_math_is_typeset_in_every_chapter_with_displayed_equations(
        html_pages: dict[str, HtmlPage], pages: list[str], chapter_pages: dict[str, range]) -> None:
    without = []
    for file, _ in chapters():
        if html_pages[file].math:
            text = " ".join(pages[page - 1] for page in chapter_pages[file])
            if not MATH_LETTER.search(text):
                without.append(file)
    assert not without, f"chapters with equations in HTML but no typeset math in the PDF: {without}"


@pytest.mark.slow
def test_cross_references_resolve_and_no_glyph_is_missing(built_pdf: Path, pages: list[str]) -> None:
    log = built_pdf.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    undefined = re.findall(r"^LaTeX Warning: (?:Reference|Citation|Hyper reference) .*$", log, re.MULTILINE)
    assert not undefined, "\n".join(undefined)
    assert "There were undefined references" not in log
    missing = sorted(set(re.findall(r"^Missing character: .*$", log, re.MULTILINE)))
    assert not missing, "characters the fonts cannot show:\n" + "\n".join(missing)
    unresolved = [number for number, text in enumerate(pages, start=1) if "??" in text]
    assert not unresolved, f"unresolved references ('??') on pages {unresolved}"


@pytest.mark.unit
def test_a_widget_carries_the_picture_it_opens_on() -> None:
    """Its display adds the shown state's PNG to the widget view, for the PDF and viewers without widgets."""
    from actgrad.widgets.precomputed import Control, precomputed_figure, set_alt
    from actgrad.widgets.softmax import select_option

    def render(a: float, b: str):
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(2, 1))
        ax.plot([0, 1], [0, a], label=b)
        set_alt(fig, f"A line labelled {b} rising with slope {a}.")
        return fig

    widget = precomputed_figure(render, {"a": Control.numbers("slope", [1, 2, 3]),
                                         "b": Control("label", [("one", "one"), ("two", "two")])},
                                alt=lambda a, b: f"A line of slope {a}, labelled {b}.")
    bundle = widget._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == widget.images[(0, 0)].png
    select_option(widget, "a", 2)
    select_option(widget, "b", 1)
    assert base64.b64decode(widget._repr_mimebundle_()["image/png"]) == widget.images[(2, 1)].png
