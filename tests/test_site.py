"""The built site is self-contained: every page loads only files of the site.

Static checks over the HTML and CSS of the book built by tools/build_book.py;
tests/test_browser.py then loads every page in a real browser.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from PIL import Image

pytestmark = pytest.mark.slow

# (tag, attribute) pairs whose URL the browser fetches when the page loads.
FETCHED = [("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
           ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
           ("object", "data"), ("input", "src")]
CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.IGNORECASE)


def pages(html: Path) -> list[Path]:
    found = sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)
    assert found, f"no HTML pages in {html}"
    return found


@functools.cache
def soup(page: Path) -> BeautifulSoup:
    """The parsed page, parsed once for every test of the file (none of them changes it)."""
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")


def fetched_urls(page: Path) -> list[str]:
    """URLs the page makes the browser fetch: tags, srcset and inline CSS."""
    document = soup(page)
    urls = []
    for tag, attribute in FETCHED:
        for element in document.find_all(tag):
            if tag == "link" and "alternate" in (element.get("rel") or []):
                continue
            if element.get(attribute):
                urls.append(element[attribute])
    for element in document.find_all(srcset=True):
        urls.extend(part.split()[0] for part in element["srcset"].split(",") if part.strip())
    for style in document.find_all("style"):
        urls.extend(CSS_URL.findall(style.get_text()))
    for element in document.find_all(style=True):
        urls.extend(CSS_URL.findall(element["style"]))
    return urls


def local_target(page: Path, url: str) -> Path | None:
    """The file a relative URL of ``page`` points to (None for data: and fragments)."""
    parts = urlsplit(url)
    if parts.scheme == "data" or not parts.path:
        return None
    return (page.parent / unquote(parts.path)).resolve()


def test_the_site_has_every_chapter_of_the_toc(built_book: Path) -> None:
    import yaml

    toc = yaml.safe_load((Path(__file__).parent.parent / "_toc.yml").read_text())
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    for name in files:
        assert (built_book / f"{name}.html").exists(), f"{name} was not built"


def test_the_front_door_redirects_to_the_first_chapter(built_book: Path) -> None:
    import yaml

    root = yaml.safe_load((Path(__file__).parent.parent / "_toc.yml").read_text())["root"]
    front = soup(built_book / "index.html")
    refresh = front.find("meta", attrs={"http-equiv": re.compile("^refresh$", re.IGNORECASE)})
    assert refresh is not None and refresh["content"] == f"0; url={root}.html", refresh
    assert front.find("a", href=f"{root}.html"), "no link to follow where refresh is off"


def test_every_page_names_its_icon(built_book: Path) -> None:
    # A page without one makes the browser ask the server for /favicon.ico.
    nameless = []
    for page in pages(built_book):
        icons = [link for link in soup(page).find_all("link", href=True)
                 if "icon" in (link.get("rel") or [])]
        if not icons or any(local_target(page, link["href"]) is None
                            or not local_target(page, link["href"]).is_file() for link in icons):
            nameless.append(str(page.relative_to(built_book)))
    assert not nameless, f"pages without an icon of the site: {nameless}"


def test_no_page_loads_anything_from_outside_the_site(built_book: Path) -> None:
    offenders = [f"{page.relative_to(built_book)}: {url}"
                 for page in pages(built_book) for url in fetched_urls(page)
                 if EXTERNAL.match(url)]
    assert not offenders, "pages load files from other hosts:\n" + "\n".join(offenders)


def test_no_inline_script_names_another_host(built_book: Path) -> None:
    offenders = []
    for page in pages(built_book):
        for script in soup(page).find_all("script", src=False):
            if script.get("type") == "application/vnd.jupyter.widget-state+json":
                continue
            for url in re.findall(r"https?://[^\s'\"`]+", script.get_text()):
                offenders.append(f"{page.relative_to(built_book)}: {url}")
    assert not offenders, "inline scripts refer to other hosts:\n" + "\n".join(offenders)


def test_every_file_a_page_loads_exists(built_book: Path) -> None:
    missing = []
    for page in pages(built_book):
        for url in fetched_urls(page):
            target = local_target(page, url)
            if target is not None and not EXTERNAL.match(url) and not target.exists():
                missing.append(f"{page.relative_to(built_book)}: {url}")
    assert not missing, "pages load files that are not in the site:\n" + "\n".join(missing)


def test_no_stylesheet_loads_fonts_or_styles_from_outside(built_book: Path) -> None:
    offenders, missing = [], []
    for sheet in (built_book / "_static").rglob("*.css"):
        for url in CSS_URL.findall(sheet.read_text(encoding="utf-8", errors="replace")):
            if EXTERNAL.match(url):
                offenders.append(f"{sheet.relative_to(built_book)}: {url}")
            elif (target := local_target(sheet, url)) is not None and not target.exists():
                missing.append(f"{sheet.relative_to(built_book)}: {url}")
    assert not offenders, "stylesheets load from other hosts:\n" + "\n".join(offenders)
    assert not missing, "stylesheets refer to missing files:\n" + "\n".join(missing)


def test_math_pages_load_the_vendored_mathjax(built_book: Path) -> None:
    with_math = [page for page in pages(built_book) if soup(page).select(".math")]
    assert with_math, "no page has math: the chapters should"
    for page in with_math:
        sources = [s["src"] for s in soup(page).find_all("script", src=True)]
        assert any(re.search(r"_static/mathjax/tex-chtml\.js", src) for src in sources), (
            f"{page.relative_to(built_book)} has math but does not load the vendored MathJax")
        assert (built_book / "_static" / "mathjax" / "output" / "chtml" / "fonts").is_dir()


def test_widget_pages_embed_state_and_load_the_vendored_manager(built_book: Path) -> None:
    with_widgets = [page for page in pages(built_book)
                    if soup(page).find("script", type="application/vnd.jupyter.widget-view+json")]
    assert with_widgets, "no page shows a widget: the chapters should"
    for page in with_widgets:
        document = soup(page)
        assert document.find("script", type="application/vnd.jupyter.widget-state+json"), (
            f"{page.relative_to(built_book)} has widget views but no saved widget state")
        sources = [s["src"] for s in document.find_all("script", src=True)]
        for expected in ("_static/requirejs/require.js", "_static/html-manager/embed-amd.js"):
            assert any(expected in src for src in sources), (
                f"{page.relative_to(built_book)} does not load {expected}")


def test_every_image_is_a_real_non_blank_picture(built_book: Path) -> None:
    checked = 0
    for page in pages(built_book):
        for img in soup(page).find_all("img", src=True):
            target = local_target(page, img["src"])
            if target is None or target.suffix.lower() not in {".png", ".jpg", ".jpeg"}:
                continue
            picture = Image.open(io.BytesIO(target.read_bytes())).convert("L")
            darkest, lightest = picture.getextrema()
            assert lightest - darkest > 32, f"{page.relative_to(built_book)}: {img['src']} is blank"
            checked += 1
    assert checked, "no figure was found in the built pages"


def test_no_executed_output_shows_a_traceback_or_stderr(built_book: Path) -> None:
    """A figure or cell that fails without stopping the build still must not reach a page."""
    offenders = []
    for page in pages(built_book):
        document = soup(page)
        if document.select(".output.stderr, .output.error, .output.traceback"):
            offenders.append(f"{page.relative_to(built_book)}: stderr or error output")
        for block in document.select(".cell_output"):
            if "Traceback (most recent call last)" in block.get_text():
                offenders.append(f"{page.relative_to(built_book)}: a traceback in an output")
    assert not offenders, "\n".join(offenders)


# --- alt text --------------------------------------------------------------------------------
# An alt that names a file says nothing to someone listening to the page: a path such as
# "../_images/<sha256>.png", a bare file name, or a long hexadecimal hash.
FILE_LIKE_ALT = re.compile(r"(?:^|[\s/])[\w.-]+\.(?:png|jpe?g|gif|svg|webp|pdf)\b|_images/|\b[0-9a-f]{16,}\b",
                           re.IGNORECASE)
# The widgets (actgrad/widgets/) show their precomputed PNGs as <img> in HTML views that
# exist only in the browser; tests/test_browser.py checks their alt texts with alt_problem below.
WIDGET_IMAGES_HAVE_ALT = True


def alt_problem(alt: str | None, *, decorative: bool = False) -> str | None:
    """What is wrong with an image's alt for a screen reader, or None if nothing.

    ``decorative``: the image is marked as carrying no content (role="presentation"
    or aria-hidden="true"), where an empty alt is right.
    """
    if alt is None:
        return "no alt attribute"
    text = " ".join(alt.split())
    if not text:
        return None if decorative else "an empty alt on an image that carries content"
    if FILE_LIKE_ALT.search(text):
        return f"the alt is a file name, path or hash: {text[:80]!r}"
    if text.startswith("<") and text.endswith(">"):  # a Python repr: "<Figure size 640x480 ...>"
        return f"the alt is an object's repr: {text!r}"
    if len(text.split()) < 4:
        return f"the alt is too short to say what the image shows: {text!r}"
    return None


def is_decorative(img: object) -> bool:
    return img.get("role") == "presentation" or img.get("aria-hidden") == "true"  # type: ignore[attr-defined]


def test_alt_problem_tells_descriptions_from_file_names() -> None:
    assert alt_problem(None) == "no alt attribute"
    assert alt_problem("  ") is not None
    assert alt_problem("", decorative=True) is None
    for name in ("../_images/2217d4d66dc72dc14b4d35217f819cb837e529f46a35a0c9d87ec4ed876ecf95.png",
                 "figure.png", "2217d4d66dc72dc14b4d35217f819cb8", "plot of ../_images/a.png here",
                 "Figure 1", "<Figure size 640x480 with 2 Axes>"):
        assert alt_problem(name) is not None, name
    assert alt_problem("The sigmoid rises from 0 to 1; its derivative peaks at 1/4 at x = 0.") is None


def test_every_image_has_an_alt_that_says_what_it_shows(built_book: Path) -> None:
    offenders, checked = [], 0
    for page in pages(built_book):
        for img in soup(page).find_all("img"):
            checked += 1
            problem = alt_problem(img.get("alt"), decorative=is_decorative(img))
            if problem:
                offenders.append(f"{page.relative_to(built_book)}: {img.get('src', '')[:60]}: {problem}")
    assert checked >= 32, f"only {checked} images in the built pages: the figures are missing"
    assert not offenders, "images without a meaningful alt:\n" + "\n".join(offenders)


def test_an_experiment_figure_alt_carries_the_computed_numbers(built_book: Path) -> None:
    # depth_experiment.md: the first figure's alt is an f-string of the per-layer factors of
    # five seeded networks, which the prose shows through glue; the two must agree.
    page = soup(built_book / "chapters" / "depth_experiment.html")
    alts = [img["alt"] for img in page.find_all("img", alt=True)]
    nielsen = next(alt for alt in alts if "bias-gradient norm of hidden layers 1 to 4" in alt)
    text = page.get_text(" ")
    factor = re.search(r"on average by a factor of\s+(\d+\.\d)\s+per layer", text)
    seeds = re.search(r"from\s+(\d+\.\d)\s+to\s+(\d+\.\d)\s+here", text)
    assert factor and seeds, "the prose no longer states the per-layer factor and its range"
    for number in (factor[1], seeds[1], seeds[2]):
        assert number in nielsen, f"{number} (in the prose) is not in the figure's alt: {nielsen!r}"
