"""The course works in JupyterLab 4, driven in headless Chromium.

JupyterLab runs on a temp copy of the course (tests/lab.py: free loopback port,
random token, throw-away configuration, nothing contacts another host). In the
browser, as a student would:

* the chapter ``chapters/sigmoid.md`` is opened from the file browser with
  *Open With > Jupytext Notebook*, run with *Run > Run All Cells*, and must
  finish with every code cell executed and no error output; then every control
  of its figure widgets is moved and the figure must change (the checks of
  tests/test_widgets_in_browser.py, here with a live kernel);
* the exercise notebook ``exercises/01_sigmoid_tanh/sigmoid_tanh.ipynb``, with
  the answers of its solution notebook filled in (as shipped, its answer cells
  raise NotImplementedError), is opened from the file browser and run the same
  way: no error output, and its plot is drawn. (Only this one, to keep the test
  well under two minutes; tests/test_grading_*.py run every exercise.)

The page may request nothing from a host other than 127.0.0.1 and may log no
error; at the end the server is shut down with ``POST /api/shutdown`` and must
exit cleanly, having stopped its kernels. The server and the page are shared
with test_markdown_in_jupyterlab.py and test_quizzes.py (tests/course_in_lab.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from lab import Lab
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from test_widgets_in_browser import FigureChecker

from conftest import POLL_MS, ROOT

if TYPE_CHECKING:
    from course_in_lab import LabRun

pytestmark = pytest.mark.browser

CHAPTER = "chapters/sigmoid.md"
EXERCISES = ["exercises/01_sigmoid_tanh/sigmoid_tanh.ipynb"]
#: Milliseconds: opening a notebook starts a kernel; running the chapter renders every widget state.
OPEN_TIMEOUT = 60_000
RUN_TIMEOUT = 120_000

# The notebook panel showing ``path``: its kernel's status and, per code cell,
# the execution count, whether it is running or queued, and its outputs.
NOTEBOOK_JS = """path => {
    const panel = Array.from(window.jupyterapp.shell.widgets('main'))
        .find(w => w.context && w.context.path === path && w.content && w.content.widgets);
    if (!panel) return null;
    const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
    const cells = panel.content.widgets.filter(c => c.model.type === 'code').map(cell => {
        const prompt = cell.node.querySelector('.jp-InputPrompt');
        return {
            count: cell.model.executionCount,
            busy: cell.model.executionState === 'running' || /\\*/.test(prompt ? prompt.textContent : ''),
            outputs: cell.model.outputs.toJSON(),
        };
    });
    return {id: panel.id, kernel: kernel ? kernel.status : null, cells: cells};
}"""
# A run is over when the kernel is idle, no cell is running or queued, and every
# code cell has run or one has failed (Run All stops at the first error).
RUN_OVER_JS = """path => {
    const panel = Array.from(window.jupyterapp.shell.widgets('main'))
        .find(w => w.context && w.context.path === path && w.content && w.content.widgets);
    const kernel = panel && panel.sessionContext.session && panel.sessionContext.session.kernel;
    if (!kernel || kernel.status !== 'idle') return false;
    const cells = panel.content.widgets.filter(c => c.model.type === 'code');
    const busy = cells.some(c => c.model.executionState === 'running'
        || /\\*/.test((c.node.querySelector('.jp-InputPrompt') || {}).textContent || ''));
    const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
    return !busy && (failed || cells.every(c => c.model.executionCount !== null));
}"""


def solved(exercise: Path, solution: Path) -> dict:
    """The exercise notebook with the code of its solution notebook in every answer cell."""
    notebook = json.loads(exercise.read_text(encoding="utf-8"))
    answers = {cell["metadata"]["nbgrader"]["grade_id"]: cell["source"]
               for cell in json.loads(solution.read_text(encoding="utf-8"))["cells"]
               if cell["metadata"].get("nbgrader", {}).get("solution")}
    for cell in notebook["cells"]:
        grading = cell["metadata"].get("nbgrader", {})
        if grading.get("solution") and cell["cell_type"] == "code":
            cell["source"] = answers[grading["grade_id"]]
    return notebook


def error_outputs(state: dict) -> list[str]:
    found = []
    for number, cell in enumerate(state["cells"]):
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                found.append(f"code cell {number + 1}: {output['ename']}: {output['evalue']}")
    return found


class LabSession:
    """A JupyterLab page in Chromium, recording requests and errors."""

    def __init__(self, chromium, lab: Lab, shots: Path) -> None:
        self.lab, self.shots = lab, shots
        self.context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        # Recorded below, and never let through: the test must not reach another host.
        self.context.route(lambda url: urlsplit(url).hostname != "127.0.0.1", lambda route: route.abort())
        self.page = self.context.new_page()
        self.record: dict[str, list[str]] = {"requests": [], "errors": []}
        self.page.on("request", lambda r: self.record["requests"].append(r.url))
        self.page.on("websocket", lambda w: self.record["requests"].append(w.url))
        self.page.on("console", lambda m: m.type == "error" and self.record["errors"].append(m.text))
        self.page.on("pageerror", lambda e: self.record["errors"].append(str(e)))
        self.page.set_default_timeout(OPEN_TIMEOUT)

    def start(self, folder: str) -> None:
        self.page.goto(self.lab.page_url(f"/lab/tree/{folder}"))
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", polling=POLL_MS)
        self.page.evaluate("async () => { await window.jupyterapp.started;"
                           " await window.jupyterapp.restored; }")
        self.wait_for_folder(folder)

    BREADCRUMBS_JS = """() => [...document.querySelectorAll('.jp-FileBrowser .jp-BreadCrumbs-item')]
        .map(e => e.textContent.trim()).filter(t => t)"""

    def wait_for_folder(self, folder: str, timeout: float = OPEN_TIMEOUT) -> None:
        """Wait until the file browser's breadcrumbs show ``folder`` (and so does its listing)."""
        self.page.wait_for_function(
            f"parts => JSON.stringify(({self.BREADCRUMBS_JS})()) === JSON.stringify(parts)",
            arg=list(Path(folder).parts), timeout=timeout, polling=POLL_MS)

    def browse_to(self, folder: str) -> None:
        """Show ``folder`` in the file browser, clicking through from the root.

        A double-click that lands while the listing is being redrawn is lost, as
        it would be for a person: if the folder does not open, and the browser
        still shows its parent, the test double-clicks again (three times at most).
        """
        self.page.locator(".jp-FileBrowser .jp-BreadCrumbs-home").click()
        self.wait_for_folder(".")
        parts = Path(folder).parts
        for depth, part in enumerate(parts):
            item = self.page.locator(".jp-DirListing-item", has=self.page.locator(
                ".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(part)}$")))
            for attempt in range(3):
                item.dblclick()
                try:
                    self.wait_for_folder(str(Path(*parts[:depth + 1])), timeout=OPEN_TIMEOUT / 3)
                    break
                except PlaywrightTimeoutError:
                    if attempt == 2 or self.page.evaluate(self.BREADCRUMBS_JS) != list(parts[:depth]):
                        raise

    def open(self, path: str, factory: str | None = None) -> dict:
        """Open ``path`` from the file browser (with *Open With > factory*); wait for its kernel."""
        self.browse_to(str(Path(path).parent))
        item = self.page.locator(".jp-DirListing-item", has=self.page.locator(
            ".jp-DirListing-itemText", has_text=re.compile(f"^{re.escape(Path(path).name)}$")))
        if factory is None:
            item.dblclick()
        else:
            item.click(button="right")
            self.page.locator(".lm-Menu-item", has_text=re.compile(r"^Open With")).hover()
            self.page.locator(".lm-Menu-item", has_text=re.compile(f"^{re.escape(factory)}$")).click()
        self.page.wait_for_function(f"path => ({NOTEBOOK_JS})(path)?.kernel === 'idle'", arg=path,
                                    timeout=OPEN_TIMEOUT, polling=POLL_MS)
        return self.state(path)

    def state(self, path: str) -> dict:
        return self.page.evaluate(NOTEBOOK_JS, path)

    def run_all(self, path: str) -> dict:
        """*Run > Run All Cells*; wait until the run is over; the notebook's state."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile("^Run$")).click()
        self.page.locator(".lm-Menu-item", has_text=re.compile(r"^Run All Cells")).click()
        self.page.wait_for_function(RUN_OVER_JS, arg=path, timeout=RUN_TIMEOUT, polling=POLL_MS)
        state = self.state(path)
        self.page.screenshot(path=str(self.shots / (path.replace("/", "__") + ".png")))
        return state

    def run(self, path: str, factory: str | None = None) -> dict:
        """Open ``path`` (with *Open With > factory*) and run all its cells; the notebook's state."""
        self.open(path, factory)
        return self.run_all(path)

    def outside_requests(self) -> list[str]:
        return [url for url in self.record["requests"]
                if not url.startswith(("data:", "blob:")) and urlsplit(url).hostname != "127.0.0.1"]


def run_problems(path: str, state: dict) -> list[str]:
    """The error outputs and the code cells that did not run, after *Run All* of ``path``."""
    return ([f"{path}: {error}" for error in error_outputs(state)]
            + [f"{path}: code cell {n + 1} did not run" for n, cell in enumerate(state["cells"])
               if cell["count"] is None])


def move_figure_widgets(session: LabSession, path: str, state: dict) -> list[str]:
    """Move every control of the figure widgets of the notebook ``path``, after its run; the problems."""
    checker = FigureChecker(session.page, session.record, f"lab_{Path(path).stem}", session.shots)
    roots = checker.mark_widgets(f"#{state['id']}")
    for index, root in enumerate(roots):
        checker.check_widget(root, index)
    return checker.problems + ([] if roots else [f"{path}: no figure widget is shown after the run"])


def answer_exercises(root: Path) -> None:
    """Fill in each exercise of the course copy ``root`` with its solution's code (before the page opens:
    a file that changes while it is shown redraws the file browser, which can lose a double-click)."""
    for exercise in EXERCISES:
        solution = ROOT / "solutions" / Path(exercise).relative_to("exercises")
        (root / exercise).write_text(json.dumps(solved(ROOT / exercise, solution)), encoding="utf-8")


def run_exercises(session: LabSession) -> list[str]:
    """Open and run each answered exercise; the problems."""
    problems = []
    for exercise in EXERCISES:
        state = session.run(exercise)
        problems += run_problems(f"{exercise} (answered)", state)
        if not any("image/png" in output.get("data", {})
                   for cell in state["cells"] for output in cell["outputs"]):
            problems.append(f"{exercise}: no plot was drawn")
    return problems


def test_chapter_and_exercises_run_in_jupyterlab(lab_course: LabRun) -> None:
    run = lab_course
    assert run.exit_code == 0, f"JupyterLab exited with {run.exit_code}:\n{run.log[-3000:]}"
    assert "Shutting down on /api/shutdown request" in run.log, "JupyterLab had to be killed"
    assert not run.leftover_kernels, f"kernels still running after the shutdown: {run.leftover_kernels}"
    problems = run.stopped("start", "chapter", "figures", "exercise")
    problems += run_problems(CHAPTER, run.results["chapter"]) if "chapter" in run.results else []
    problems += run.results.get("figures", []) + run.results.get("exercise", []) + run.page_problems()
    assert not problems, f"screenshots in {run.screenshots}\n" + "\n".join(problems)
    print("\n".join(f"{seconds:6.1f} s  {name}" for name, seconds in run.times.items()))
