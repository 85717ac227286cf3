"""A chapter's prose reads in JupyterLab as on the site: MyST rendered, glued numbers shown.

The chapters are MyST Markdown; in JupyterLab (through jupytext, as ``make
lab`` sets it up) jupyterlab-myst renders their Markdown cells. In headless
Chromium, on a temp copy of the course (tests/lab.py), ``chapters/sigmoid.md`` is
opened with *Open With > Jupytext Notebook* and run with *Run All Cells* (in
the page test_jupyterlab.py runs it in, tests/course_in_lab.py); then the text
shown by its Markdown cells must hold

* no raw MyST: no directive fence (``:::{``, ````` ```{ `````) and no role
  marker (``{name}`` followed by a backtick);
* for every ``{eval}`` role, the number the site shows, formatted exactly as
  the site's role formats it (:mod:`actgrad.sphinx_eval`, from the value the
  kernel glued), and not the expression itself.

A static check over every chapter comes first: no ``{glue:...}`` role, which
JupyterLab cannot show (tools/glue_to_eval.py rewrites them as ``{eval}``).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from myst_nb.core.variables import format_plain_text
from test_jupyterlab import CHAPTER, LabSession, error_outputs

from actgrad.sphinx_eval import glue_key

from conftest import POLL_MS, ROOT

if TYPE_CHECKING:
    from course_in_lab import LabRun

GLUE_PREFIX = "application/papermill.record/"
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")
RAW_MYST = re.compile(r":::\{|```\{|\{[A-Za-z][\w:.-]*\}`")
#: Milliseconds to wait for jupyterlab-myst to evaluate every {eval} after the run.
EVAL_TIMEOUT = 30_000

# Every Markdown cell of the notebook panel showing ``path``: its source, the
# text it shows with every dropdown opened (innerText leaves out the hidden
# editor) and how many inline expressions jupyterlab-myst has evaluated in it.
MARKDOWN_JS = """path => {
    const panel = Array.from(window.jupyterapp.shell.widgets('main'))
        .find(w => w.context && w.context.path === path && w.content && w.content.widgets);
    return panel.content.widgets.filter(c => c.model.type === 'markdown').map(cell => ({
        source: cell.model.sharedModel.getSource(),
        rendered: cell.rendered,
        text: (cell.node.querySelectorAll('details').forEach(d => { d.open = true; }),
               cell.node.innerText),
        evaluated: (cell.model.getMetadata('user_expressions') || []).length,
    }));
}"""


@pytest.mark.unit
def test_no_chapter_uses_glue_roles() -> None:
    found = [f"{path.relative_to(ROOT)}:{source[:match.start()].count(chr(10)) + 1}: {match[0]}"
             for path in sorted((ROOT / "chapters").glob("*.md")) + [ROOT / "intro.md"]
             for source in [path.read_text(encoding="utf-8")]
             for match in re.finditer(r"\{glue(:\w+)?\}`[^`]*`", source)]
    assert not found, "JupyterLab shows {glue} roles raw; run tools/glue_to_eval.py:\n" + "\n".join(found)


def glued_values(state: dict) -> dict[str, str]:
    """The text/plain of every value the run glued, by name."""
    return {output["metadata"]["scrapbook"]["name"]: output["data"][GLUE_PREFIX + "text/plain"]
            for cell in state["cells"] for output in cell["outputs"]
            if "scrapbook" in output.get("metadata", {})
            and GLUE_PREFIX + "text/plain" in output.get("data", {})}


def expected_text(expression: str, glued: dict[str, str]) -> str:
    """What the site shows for ``{eval}`expression``` (as actgrad.sphinx_eval and {glue:text} do)."""
    key = glue_key(expression)
    assert key is not None, f"{{eval}}`{expression}` has a form the site cannot show"
    name, _, spec = key.partition(":")
    assert name in glued, f"{{eval}}`{expression}`: the run glued no value named {name!r}"
    return format_plain_text(glued[name], spec or "s")


def markdown_problems(cells: list[dict], glued: dict[str, str]) -> tuple[list[str], int]:
    """What the Markdown cells show wrongly, and how many glued numbers they show rightly."""
    problems, shown = [], 0
    for number, cell in enumerate(cells, 1):
        where = f"Markdown cell {number} ({cell['source'].strip().splitlines()[0][:50]!r})"
        if not cell["rendered"]:
            problems.append(f"{where} is not rendered")
            continue
        problems += [f"{where} shows raw MyST: ...{cell['text'][max(0, m.start() - 30):m.end() + 30]}..."
                     for m in RAW_MYST.finditer(cell["text"])]
        for expression in EVAL_ROLE.findall(cell["source"]):
            expected = expected_text(expression, glued)
            if expression in cell["text"]:
                problems.append(f"{where} shows the expression {expression} instead of {expected!r}")
            elif not re.search(rf"(?<![\w.]){re.escape(expected)}(?![\w])", cell["text"]):
                problems.append(f"{where} does not show {expected!r} for {{eval}}`{expression}`")
            else:
                shown += 1
    return problems, shown


@pytest.mark.browser
def test_chapter_markdown_renders_in_jupyterlab(lab_course: LabRun) -> None:
    problems = lab_course.stopped("start", "chapter", "markdown")
    if "chapter" in lab_course.results:
        problems += [f"{CHAPTER}: {error}" for error in error_outputs(lab_course.results["chapter"])]
    found, shown = lab_course.results.get("markdown", ([], 0))
    print(f"\n{CHAPTER}: {shown} glued numbers shown in JupyterLab")
    problems += found + lab_course.page_problems()
    assert not problems, f"screenshots in {lab_course.screenshots}\n" + "\n".join(problems)
    assert shown >= 10, f"only {shown} glued numbers were checked in {CHAPTER}"


def read_markdown(session: LabSession, path: str, state: dict) -> tuple[list[str], int]:
    """What the Markdown cells of ``path``, run (``state``), show wrongly, and how many numbers rightly."""
    glued = glued_values(state)
    # jupyterlab-myst evaluates a cell's {eval} roles when the cell is run,
    # then renders the cell again: wait for every one of them.
    session.page.wait_for_function(
        f"""path => ({MARKDOWN_JS})(path).every(
               c => c.evaluated === (c.source.match(/\\{{eval\\}}`[^`]+`/g) || []).length)""",
        arg=path, timeout=EVAL_TIMEOUT, polling=POLL_MS)
    deadline = time.monotonic() + 10
    while True:  # the last cells may still be rendering their numbers
        found, shown = markdown_problems(session.page.evaluate(MARKDOWN_JS, path), glued)
        if not found or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    session.page.screenshot(path=str(session.shots / f"{Path(path).stem}_markdown.png"), full_page=True)
    return found, shown
