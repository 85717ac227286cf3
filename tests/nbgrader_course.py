"""Helpers for running the real nbgrader chain on a temporary copy of the course.

Typical use in a grading test (one slow fixture per module, shared by all tests)::

    @pytest.fixture(scope="module")
    def graded(tmp_path_factory):
        return grade_class(tmp_path_factory, "02_relu_family", "relu_family",
                           written={"written_dead_relu": "..."},
                           students={"relu_sign": {"relu": "def relu(x): ..."}})

    def test_wrong_relu_loses_exactly_its_cells(graded):
        check_loses_exactly(graded, "relu_sign", {"test_relu"})

`grade_class` submits the reference, the untouched release and every student,
then runs one autograde for all of them; the lower-level steps (`make_course`,
`submit`, `autograde`, `scores`) are there for other chains.

Every assignment is released once per run (`release_every_assignment`, shared by
every pytest-xdist worker through conftest's `shared_folder`); `make_course`
copies one released assignment into a fresh course folder.

Nothing is written into the repository: the course copy lives in pytest's temp folder.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import nbgrader_forks
from nbgrader.api import Gradebook

from exercises import known_assignments, release_into

from conftest import shared_folder

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "activation-gradients"
TIMEOUT = 5  # seconds per cell in a test course; the real nbgrader_config.py says 60
ENV = {
    **os.environ,
    "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],  # nbgrader runs alembic
    "MPLBACKEND": "agg",
}
TIMESTAMP = "2026-01-15 10:00:00.000000 UTC"

# Source of a class for "always-true object" attacks, to paste into a solution
# cell (the notebook has imported numpy as np): ``Liar(shape, honest)`` equals,
# undercuts and exceeds everything, arithmetic on it gives itself, float() of it
# is `honest`, and numpy sees an object array of such liars with that shape.
# Hidden tests must score a function returning it 0 (see test_grading_02_*).
LIAR = '''
class Liar:
    """Equal to, smaller and greater than anything; arithmetic gives itself."""

    dtype = np.dtype(float)

    def __init__(self, shape=(), honest=0.0):
        self.shape, self.honest = tuple(shape), honest

    def __eq__(self, other):
        return True

    __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __ne__(self, other):
        return False

    def __hash__(self):
        return 0

    def __bool__(self):
        return True

    def __float__(self):
        return self.honest

    def __array__(self, dtype=None, copy=None):
        cells = np.empty(self.shape, dtype=object)
        for i in range(cells.size):
            cells.flat[i] = Liar()
        return cells

    def _same(self, *args, **kwargs):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __neg__ = __abs__ = __getitem__ = _same
    sum = tolist = ravel = reshape = _same
'''


# A sigmoid of assignment 1 that is right where the visible checks look (|x| <= 2.5) and a
# step function beyond: only the hidden tests can tell. Attack tests pair it with an attack.
STEP_SIGMOID = '''
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    right = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return np.where(np.abs(x) > 2.5, (x > 0).astype(float), right)
'''


def run_nbgrader(course: Path, *args: str, timeout: float = 900, **env: str) -> subprocess.CompletedProcess:
    """``python -m nbgrader ARGS`` in `course`, with ENV and `env`: its exit code and output.

    Each command is a process of its own, forked from one that imported nbgrader
    once (tests/nbgrader_forks.py).
    """
    return nbgrader_forks.run(list(args), course, {**ENV, **env}, timeout)


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` in `course`; fail with its output unless it exits with 0."""
    done = run_nbgrader(course, *args)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def release_every_assignment(folder: Path) -> None:
    """One course folder per assignment of solutions/ in `folder`, each with that assignment released.

    nbgrader's generate_assignment runs through its API, in this process.
    """
    for assignment in known_assignments():
        course = folder / assignment
        course.mkdir()
        (course / "tools").symlink_to(REPO / "tools")  # the grading sandbox and judge the config names
        release_into([assignment], course)


def make_course(tmp_path_factory, assignments: list[str], timeout: int = TIMEOUT,
                course: Path | None = None) -> Path:
    """A temp copy of the course with `assignments` released (real generate_assignment).

    The first assignment is copied from the run's released course; the copy's
    nbgrader_config.py sets ``c.Execute.timeout = timeout``. The copy goes into
    `course` if given (a folder not there yet), else into a new temp folder.
    """
    released = shared_folder(tmp_path_factory, "released", release_every_assignment)
    course = course or tmp_path_factory.mktemp("course")
    first, *others = assignments
    shutil.copytree(released / first, course, symlinks=True, dirs_exist_ok=True)
    config = (course / "nbgrader_config.py").read_text()
    config, found = re.subn(r"(?m)^c\.Execute\.timeout = 60$", f"c.Execute.timeout = {timeout}", config)
    assert found == 1, "nbgrader_config.py should set c.Execute.timeout = 60"
    (course / "nbgrader_config.py").write_text(config)
    for assignment in others:
        shutil.copytree(REPO / "solutions" / assignment, course / "solutions" / assignment,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        nbgrader(course, "generate_assignment", assignment)
    return course


def source_notebook(course: Path, assignment: str, notebook: str) -> nbformat.NotebookNode:
    """The instructor's notebook (with solutions and hidden tests)."""
    return nbformat.read(course / "solutions" / assignment / f"{notebook}.ipynb", as_version=4)


def release_notebook(course: Path, assignment: str, notebook: str) -> nbformat.NotebookNode:
    """The student version made by generate_assignment."""
    return nbformat.read(course / "exercises" / assignment / f"{notebook}.ipynb", as_version=4)


def solution_code(source: nbformat.NotebookNode) -> dict[str, str]:
    """The code of every solution code cell, keyed by grade_id, without the ``###`` markers."""
    code = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = cell.source.splitlines()
            code[meta["grade_id"]] = "\n".join(ln for ln in lines if "### " not in ln)
    return code


def submit(course: Path, student: str, assignment: str, notebook: str, replacements: dict[str, str]) -> None:
    """Submit the release notebook with the cells of `replacements` (grade_id -> source) filled in."""
    nb = release_notebook(course, assignment, notebook)
    unknown = set(replacements) - {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
    assert not unknown, f"no cells with grade_id {sorted(unknown)} in {assignment}/{notebook}"
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell.source = replacements[grade_id].strip("\n")
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{notebook}.ipynb")
    (folder / "timestamp.txt").write_text(TIMESTAMP)


def autograde(course: Path, assignment: str, *args: str) -> subprocess.CompletedProcess:
    """``nbgrader autograde ASSIGNMENT`` (all submitted students not graded yet, unless `args` say)."""
    return nbgrader(course, "autograde", assignment, *args)


def db_url(course: Path) -> str:
    """The SQLAlchemy URL of the course's gradebook."""
    return f"sqlite:///{course / 'gradebook.db'}"


def grades(course: Path, assignment: str) -> dict[str, dict[str, SimpleNamespace]]:
    """``{student: {grade_id: (auto, max, manual)}}`` from the gradebook, for every notebook.

    ``auto`` is the autograded score (None for a written answer waiting for a
    human), ``max`` the cell's points and ``manual`` whether it needs a human.
    """
    result: dict[str, dict[str, SimpleNamespace]] = {}
    with Gradebook(db_url(course), course_id=COURSE_ID) as gb:
        for submission in gb.assignment_submissions(assignment):
            cells = result.setdefault(submission.student.id, {})
            for nb in submission.notebooks:
                for g in nb.grades:
                    cells[g.name] = SimpleNamespace(auto=g.auto_score, max=g.max_score,
                                                    manual=g.needs_manual_grade)
    return result


def scores(course: Path, assignment: str) -> dict[str, dict[str, float | None]]:
    """``{student: {grade_id: autograded points}}`` (None for a written answer awaiting a human)."""
    return {student: {k: g.auto for k, g in cells.items()}
            for student, cells in grades(course, assignment).items()}


def max_scores(course: Path, assignment: str, student: str) -> dict[str, float]:
    """``{grade_id: points available}`` as recorded for one graded student."""
    return {k: g.max for k, g in grades(course, assignment)[student].items()}


def autograded_notebook(course: Path, student: str, assignment: str, notebook: str) -> nbformat.NotebookNode:
    """The notebook as autograde executed it (with outputs and the hidden tests)."""
    return nbformat.read(course / "autograded" / student / assignment / f"{notebook}.ipynb", as_version=4)


def cell_outputs(course: Path, student: str, assignment: str, notebook: str, grade_id: str) -> list:
    """The outputs of one autograded cell."""
    nb = autograded_notebook(course, student, assignment, notebook)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell.get("outputs", [])


def cell_errors(course: Path, student: str, assignment: str, notebook: str, grade_id: str) -> list:
    """The error outputs (with ``ename`` and ``evalue``) of one autograded cell."""
    outputs = cell_outputs(course, student, assignment, notebook, grade_id)
    return [o for o in outputs if o.output_type == "error"]


def feedback_html(course: Path, student: str, assignment: str, notebook: str | None = None) -> str:
    """The feedback HTML of one student (run ``nbgrader generate_feedback`` first).

    Without `notebook` the assignment must have exactly one notebook.
    """
    folder = course / "feedback" / student / assignment
    if notebook is None:
        (path,) = folder.glob("*.html")
    else:
        path = folder / f"{notebook}.html"
    return path.read_text()


def grade_class(tmp_path_factory, assignment: str, notebook: str, *, written: dict[str, str],
                students: dict[str, dict[str, str]], feedback_for: list[str] = ()) -> SimpleNamespace:
    """Grade a whole class of one notebook in one ``nbgrader autograde`` run.

    Submits "reference" (the instructor's solutions plus the `written` answers,
    grade_id -> text), "untouched" (the release as it is) and every student of
    `students` (student -> the cells that differ from the reference), runs
    autograde once and generate_feedback for each of `feedback_for`. Returns
    ``course``, ``scores`` (see `scores`), ``full`` (the points of every cell),
    ``seconds`` and the arguments the ``check_*`` helpers need.
    """
    start = time.monotonic()
    course = make_course(tmp_path_factory, [assignment])
    reference = {**solution_code(source_notebook(course, assignment, notebook)), **written}
    submit(course, "reference", assignment, notebook, reference)
    submit(course, "untouched", assignment, notebook, {})
    for student, answers in students.items():
        submit(course, student, assignment, notebook, {**reference, **answers})
    autograde(course, assignment)
    for student in feedback_for:
        nbgrader(course, "generate_feedback", assignment, "--student", student)
    return SimpleNamespace(course=course, assignment=assignment, notebook=notebook, written=set(written),
                           scores=scores(course, assignment),
                           full=max_scores(course, assignment, "reference"),
                           seconds=time.monotonic() - start)


def autograded(points: dict, written: set[str]) -> dict:
    """`points` without the `written` answers (which wait for a human)."""
    return {k: v for k, v in points.items() if k not in written}


def expected_after_losing(full: dict, lost: set[str], written: set[str]) -> dict:
    """The autograded points of a submission that loses exactly the cells `lost`."""
    return {k: 0 if k in lost else v for k, v in autograded(full, written).items()}


def check_loses_exactly(graded: SimpleNamespace, student: str, lost: set[str] = frozenset()) -> None:
    """`student` (graded by `grade_class`) scores 0 in the cells `lost` and full points elsewhere."""
    assert autograded(graded.scores[student], graded.written) == expected_after_losing(
        graded.full, lost, graded.written)


def check_reference(graded: SimpleNamespace) -> None:
    """The reference gets every autograded point; its written answers wait for a human."""
    check_loses_exactly(graded, "reference")
    for grade_id in graded.written:
        assert graded.scores["reference"][grade_id] is None, "the written answer waits for a human"


def check_untouched(graded: SimpleNamespace, grade_id: str) -> None:
    """The untouched release scores 0 everywhere, and is graded: `grade_id` raised NotImplementedError."""
    assert set(graded.scores["untouched"].values()) == {0}
    errors = cell_errors(graded.course, "untouched", graded.assignment, graded.notebook, grade_id)
    assert [e.ename for e in errors] == ["NotImplementedError"]


def error_message(graded: SimpleNamespace, student: str, grade_id: str) -> str:
    """The message of the one error that the autograded cell `grade_id` of `student` raised."""
    (error,) = cell_errors(graded.course, student, graded.assignment, graded.notebook, grade_id)
    return error.evalue


def family_of(name: str, families: dict[str, set[str]]) -> str:
    """The one family (a key of `families`) whose name starts `name`."""
    (found,) = [f for f in families if name.startswith(f)]
    return found


def group_by_family(wrong: dict[str, tuple[dict[str, str], set[str]]], families: dict[str, set[str]]
                    ) -> tuple[dict[str, list[str]], dict[str, str], dict[str, dict[str, str]]]:
    """Spread the `wrong` implementations over students, at most one per family each.

    Lets several wrong implementations share one submission (and one kernel)
    when the test cells of different families are independent of each other.
    Returns ``groups`` (``{"wrong_1": [name, ...], ...}``), ``group_of``
    (name -> student) and ``answers`` (student -> the cells its names replace).
    """
    by_family = [[name for name in wrong if family_of(name, families) == f] for f in families]
    groups = {f"wrong_{i + 1}": [group[i] for group in by_family if i < len(group)]
              for i in range(max(len(group) for group in by_family))}
    group_of = {name: student for student, names in groups.items() for name in names}
    answers = {student: {k: v for name in names for k, v in wrong[name][0].items()}
               for student, names in groups.items()}
    return groups, group_of, answers


def check_family_loses_exactly(graded: SimpleNamespace, student: str, cells: set[str],
                               lost: set[str]) -> None:
    """Of the test `cells` of one family, `student` scores 0 in `lost` and full points in the rest."""
    assert lost <= cells
    points = graded.scores[student]
    assert {k: points[k] for k in cells} == {k: 0 if k in lost else graded.full[k] for k in cells}
