"""The course opened once in JupyterLab, in one Chromium page, for every check that needs a live lab.

Starting JupyterLab, loading it in Chromium and running a chapter each cost
many CPU-seconds, so tests/test_jupyterlab.py, test_markdown_in_jupyterlab.py
and test_quizzes.py share one server and one lab page (the ``lab_course``
fixture), and run on one pytest-xdist worker as the group ``lab_course``
(``ONE_WORKER`` in conftest.py). In that page, in this order:

1. ``start``: JupyterLab loads, showing ``chapters/``;
2. ``chapter``: chapters/sigmoid.md is opened with jupytext and run (test_jupyterlab);
3. ``markdown``: its Markdown cells are read (test_markdown_in_jupyterlab);
4. ``figures``: every control of its figure widgets is moved (test_jupyterlab);
5. ``exercise``: the answered exercise is opened and run (test_jupyterlab);
6. ``quiz``: chapters/learning_with_gradients.md is run and its quiz answered (test_quizzes);

then the server is shut down. A step that stops with an error (a failed
``assert`` too) is recorded for its test, and the later steps go on, but for
those that need it (``markdown`` and ``figures`` need ``chapter``). The page
is shared, so every test checks its console errors and requests throughout.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab import running_lab
from test_jupyterlab import CHAPTER, LabSession, answer_exercises, move_figure_widgets, run_exercises
from test_markdown_in_jupyterlab import read_markdown
from test_quizzes import answer_quiz_in_lab

#: step -> the steps it needs
NEEDS = {"start": (), "chapter": ("start",), "markdown": ("chapter",), "figures": ("chapter",),
         "exercise": ("start",), "quiz": ("start",)}


@dataclass
class LabRun:
    """What each step in the shared lab page gave, or the error that stopped it; how the server stopped."""

    screenshots: Path
    results: dict[str, Any] = field(default_factory=dict)
    crashes: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # console errors, each with the step it came in
    outside: list[str] = field(default_factory=list)  # requests to another host
    times: dict[str, float] = field(default_factory=dict)
    exit_code: int | None = None
    log: str = ""
    leftover_kernels: list[Path] = field(default_factory=list)

    def stopped(self, *steps: str) -> list[str]:
        """The errors that stopped ``steps``, one line each."""
        return [f"{step} stopped: {self.crashes[step]}" for step in steps if step in self.crashes]

    def page_problems(self) -> list[str]:
        """The page's console errors and requests to another host, whichever step made them."""
        return ([f"console error {error}" for error in self.errors]
                + [f"request to another host: {url}" for url in self.outside])


def run_course_in_lab(chromium, tmp: Path) -> LabRun:
    """Start JupyterLab below ``tmp``, do every step in one page, shut the server down."""
    run = LabRun(tmp)
    steps = {"start": lambda s: s.start(str(Path(CHAPTER).parent)),
             "chapter": lambda s: s.run(CHAPTER, "Jupytext Notebook"),
             "markdown": lambda s: read_markdown(s, CHAPTER, run.results["chapter"]),
             "figures": lambda s: move_figure_widgets(s, CHAPTER, run.results["chapter"]),
             "exercise": run_exercises, "quiz": answer_quiz_in_lab}
    with running_lab(tmp / "lab") as lab:
        answer_exercises(lab.root)
        session = LabSession(chromium, lab, tmp)
        try:
            for step, action in steps.items():
                started, logged = time.monotonic(), len(run.errors)
                if blocked := [need for need in NEEDS[step] if need in run.crashes]:
                    run.crashes[step] = f"not done, as {blocked[0]} stopped"
                    continue
                try:
                    run.results[step] = action(session)
                except Exception as error:  # reported by the step's own test
                    run.crashes[step] = f"{type(error).__name__}: {error}"
                    with contextlib.suppress(Exception):
                        session.page.screenshot(path=str(tmp / f"{step}_stopped.png"))
                run.errors += [f"({step}): {e}" for e in session.record["errors"][logged:]]
                run.times[step] = time.monotonic() - started
            run.outside = session.outside_requests()
        finally:
            session.context.close()
        started = time.monotonic()
        run.exit_code = lab.shutdown()
        run.times["shut down"] = time.monotonic() - started
        run.log = lab.log_text()
        run.leftover_kernels = list((lab.root.parent / "runtime").glob("kernel-*.json"))
    return run
