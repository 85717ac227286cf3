"""Prose rules every chapter of ``_toc.yml`` keeps, read from the MyST sources.

Two rules, each stated so that a program can check it:

**Every display equation is said in words.** A display equation is a
``$$ ... $$`` block or a ``{math}`` directive in a Markdown cell. Reading on
from it, through the following paragraphs of the same cell, a *plain
sentence* must come before the next heading, directive or code cell. A plain
sentence has at least :data:`PLAIN_WORDS` words outside inline math and at
most one inline formula per :data:`WORDS_PER_FORMULA` of those words: a
sentence a listener can follow with the formula unseen. On the way, further
display equations and *connecting* paragraphs ("and subtracting gives",
fewer than :data:`CONNECTING_WORDS` words) are passed over: a derivation may
run over several displays and be said in words once, after its last step. A
longer paragraph with no plain sentence in it ends the search and fails.
:data:`RESTATEMENTS` lists the equations allowed without words: pure
restatements of what the sentence before them already said (none today).

**Paragraphs stay under** :data:`MAX_WORDS` **words.** A paragraph is a run of
lines between blank lines in a Markdown cell; display equations, directive
fences, headings, tables and reference targets are not prose, and a bullet or
numbered item of a list counts as a paragraph of its own. An inline formula,
an ``{eval}`` number and a link each count as the words a reader sees (one
word for a formula or number, the link text for a link).

The last part of the file checks the checkers on small made-up chapters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jupytext
import pytest
from test_chapters import chapter_path, toc_chapters

from conftest import ROOT

pytestmark = pytest.mark.unit

#: A plain sentence has at least this many words outside inline math ...
PLAIN_WORDS = 8
#: ... and at most one inline formula per this many of them.
WORDS_PER_FORMULA = 4
#: A paragraph without a plain sentence and shorter than this connects two steps of a derivation.
CONNECTING_WORDS = 20
#: The longest paragraph allowed, in words.
MAX_WORDS = 120
#: (chapter stem, start of the equation's TeX, whitespace collapsed) of equations that
#: restate the sentence before them and need no words after them.
RESTATEMENTS: set[tuple[str, str]] = set()

DISPLAY = re.compile(
    r"^[ \t]*\$\$.*?\$\$[ \t]*$"  # dollarmath block
    r"|^[ \t]*(?P<fence>`{3,}|:{3,})\{math\}.*?^[ \t]*(?P=fence)[ \t]*$",  # math directive
    flags=re.S | re.M,
)
INLINE_MATH = re.compile(r"\$[^$\n]+?\$")
STOP = re.compile(r"^[ \t]*(?:#{1,6}\s|`{3,}|:{3,})")  # heading or directive fence
SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")


def markdown_cells(path: Path) -> list[str]:
    """The Markdown cells of a MyST notebook chapter, in order."""
    notebook = jupytext.reads(path.read_text(encoding="utf-8"), fmt="md:myst")
    return [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]


def _readable(text: str) -> str:
    """The text as a reader sees it: numbers for {eval} roles, link texts for links."""
    text = re.sub(r"\{eval\}`[^`]*`", "N", text)
    text = re.sub(r"\{(?:doc|ref|download)\}`([^`<]*?)\s*<[^`]*>`", r"\1", text)
    text = re.sub(r"\{(?:doc|ref|download)\}`([^`]*)`", r"\1", text)
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)


def plain_words(text: str) -> list[str]:
    """Words outside inline math."""
    return re.findall(r"[A-Za-z][A-Za-z'’-]*", INLINE_MATH.sub(" ", _readable(text)))


def plain_sentence(paragraph: str) -> str | None:
    """The first plain sentence of ``paragraph``, or None."""
    for sentence in SENTENCE_END.split(" ".join(_readable(paragraph).split())):
        n_words = len(plain_words(sentence))
        n_formulas = len(INLINE_MATH.findall(sentence))
        if n_words >= PLAIN_WORDS and n_words >= WORDS_PER_FORMULA * n_formulas:
            return sentence
    return None


@dataclass(frozen=True)
class Equation:
    """A display equation and the verdict on the words after it."""

    tex: str
    said_in: str | None  # the plain sentence that says it, or None
    why_not: str  # what ended the search, when said_in is None


def _key(tex: str) -> str:
    return " ".join(tex.replace("$$", "").split())[:60]


def equations(cell: str) -> Iterator[Equation]:
    """Every display equation of a Markdown cell, with the plain sentence found after it."""
    for match in DISPLAY.finditer(cell):
        rest = DISPLAY.sub("\n\n", cell[match.end():])  # later displays are passed over
        found, why_not = None, "the cell ends"
        for paragraph in re.split(r"\n[ \t]*\n", rest):
            if not paragraph.strip():
                continue
            if STOP.match(paragraph):
                why_not = f"{paragraph.strip().splitlines()[0]!r} comes first"
                break
            found = plain_sentence(paragraph)
            if found:
                break
            if len(plain_words(paragraph)) >= CONNECTING_WORDS:
                why_not = f"the paragraph {paragraph.strip()[:60]!r}... has no plain sentence"
                break
        yield Equation(match.group(0), found, why_not)


def unexplained_equations(stem: str, cells: list[str]) -> list[str]:
    """A line per display equation with no plain sentence after it (allow-listed ones excepted)."""
    problems = []
    for cell in cells:
        for equation in equations(cell):
            if equation.said_in is None and (stem, _key(equation.tex)) not in RESTATEMENTS:
                problems.append(f"{_key(equation.tex)!r}: {equation.why_not}")
    return problems


def paragraphs(cell: str) -> Iterator[str]:
    """The prose paragraphs of a Markdown cell; every list item is a paragraph of its own."""
    cell = DISPLAY.sub("\n\n", cell)
    for block in re.split(r"\n[ \t]*\n", cell):
        lines = [line for line in block.splitlines()
                 if not re.match(r"[ \t]*(?:`{3,}|:{3,}|#{1,6}\s|\(ref-[\w-]+\)=|:[\w-]+:|\|)", line)]
        item: list[str] = []
        for line in lines:
            if re.match(r"[ \t]*(?:[*+-]|\d+\.)[ \t]+", line) and item:
                yield " ".join(item)
                item = []
            item.append(line.strip())
        if item:
            yield " ".join(item)


def word_count(paragraph: str) -> int:
    """Words as a reader sees them: an inline formula or an {eval} number is one word."""
    return len(INLINE_MATH.sub(" M ", _readable(paragraph)).split())


def long_paragraphs(cells: list[str]) -> list[str]:
    """A line per paragraph longer than MAX_WORDS words."""
    return [f"{word_count(p)} words: {p[:70]!r}..." for cell in cells for p in paragraphs(cell)
            if word_count(p) > MAX_WORDS]


# --- the chapters ------------------------------------------------------------------------------

CHAPTERS = [entry for entry in toc_chapters(ROOT) if chapter_path(ROOT, entry).suffix == ".md"]


@pytest.mark.parametrize("entry", CHAPTERS, ids=lambda e: Path(e).name)
def test_every_display_equation_is_said_in_words(entry: str):
    path = chapter_path(ROOT, entry)
    problems = unexplained_equations(path.stem, markdown_cells(path))
    assert not problems, (f"{path.name}: display equations with no plain sentence after them:\n  "
                          + "\n  ".join(problems))


@pytest.mark.parametrize("entry", CHAPTERS, ids=lambda e: Path(e).name)
def test_paragraphs_stay_short(entry: str):
    path = chapter_path(ROOT, entry)
    problems = long_paragraphs(markdown_cells(path))
    assert not problems, f"{path.name}: paragraphs over {MAX_WORDS} words:\n  " + "\n  ".join(problems)


def test_the_book_has_display_equations_to_check():
    counted = sum(1 for entry in CHAPTERS for cell in markdown_cells(chapter_path(ROOT, entry))
                  for _ in equations(cell))
    assert counted >= 100, f"only {counted} display equations found: is DISPLAY still right?"


def test_allow_listed_equations_still_exist():
    keys = {(Path(entry).name, _key(eq.tex)) for entry in CHAPTERS
            for cell in markdown_cells(chapter_path(ROOT, entry)) for eq in equations(cell)}
    assert RESTATEMENTS <= keys, f"allow-listed equations no longer in the book: {RESTATEMENTS - keys}"


# --- the checkers on made-up text ------------------------------------------------------------------

SAID = "In words: the output is the input scaled by the slope of the unit."


@pytest.mark.parametrize("cell", [
    f"The rule is\n\n$$\ny = a x\n$$\n\n{SAID}",
    f"The rule is\n\n$$\ny = a x\n$$\n{SAID}",  # the same paragraph goes on
    f"The rule is\n\n$$\ny = a x\n$$\n\nand so\n\n$$\nz = a y\n$$\n\n{SAID}",  # a derivation
    f"The rule is\n\n```{{math}}\ny = a x\n```\n\n{SAID}",
    "$$\ny = a x\n$$\n\nHere the slope $a$ multiplies every input $x$ that the unit receives.",
])
def test_an_equation_followed_by_words_passes(cell):
    assert unexplained_equations("made_up", [cell]) == []


@pytest.mark.parametrize(("cell", "reason"), [
    ("The rule is\n\n$$\ny = a x\n$$\n\n## Next section\n\n" + SAID, "comes first"),
    ("The rule is\n\n$$\ny = a x\n$$\n", "the cell ends"),
    ("$$\ny = a x\n$$\n\n:::{note}\n" + SAID + "\n:::", "comes first"),
    ("$$\ny = a x\n$$\n\nwith $a = 1$, $b = 2$, $c = 3$, $d = 4$, $e = 5$, so that $y = x$ holds when $a$ is "
     "$1$ and $b$ is $2$ and $c$ is $3$, and also when $d$ is $4$, since then $f$, $g$, $h$, $i$, "
     "$j$, $k$, $l$, $m$ and $n$ all vanish together with $o$, $p$, $q$ and $r$ in the limit.\n\n" + SAID,
     "has no plain sentence"),
    ("$$\ny = a x\n$$\n\nwith $a = 1$.", "the cell ends"),
])
def test_an_equation_without_words_fails(cell, reason):
    problems = unexplained_equations("made_up", [cell])
    assert len(problems) == 1 and reason in problems[0], problems


def test_a_sentence_of_formulas_is_not_plain():
    assert plain_sentence("Then $a = b$, $c = d$ and $e = f$ for all $x$.") is None
    assert plain_sentence("Then the output equals the input times $a$ for every example.")


def test_an_allow_listed_restatement_passes(monkeypatch):
    cell = "So the rule is\n\n$$\ny = a x\n$$\n"
    assert unexplained_equations("made_up", [cell])
    monkeypatch.setattr(__import__(__name__), "RESTATEMENTS", {("made_up", "y = a x")})
    assert unexplained_equations("made_up", [cell]) == []


def test_a_long_paragraph_fails_and_lists_split_it():
    long = " ".join(["word"] * (MAX_WORDS + 1))
    assert long_paragraphs([long]) and long_paragraphs([f"Intro.\n\n{long}\n\nEnd."])
    items = "\n".join(f"* {' '.join(['word'] * 60)}" for _ in range(3))
    assert long_paragraphs([items]) == []
    seen = "The value {eval}`f\"{glued.x:.2f}\"` of $\\sigma'(0) = 1/4$ in {doc}`the chapter <sigmoid>`."
    assert word_count(seen) == 8  # The value N of M in the chapter.
