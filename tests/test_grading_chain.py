"""The first assignment through the whole nbgrader chain, with real commands.

In a temporary copy of the course: generate_assignment -> five submissions ->
autograde -> generate_feedback -> export to CSV. The slow steps run once, in a
module-scoped fixture; the tests then read the gradebook, the autograded
notebooks, the feedback HTML and the CSV.
"""

import csv
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.api import Gradebook

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01_sigmoid_tanh"
NOTEBOOK = "sigmoid_tanh"
COURSE_ID = "activation-gradients"
TIMEOUT = 5  # seconds per cell in the test course; the real config says 60
ENV = {
    **os.environ,
    "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],  # alembic
    "MPLBACKEND": "agg",
    "PYTHONDONTWRITEBYTECODE": "1",
}

# Strings that occur only in the hidden tests or in the instructor's rubric.
SECRETS = ["BEGIN HIDDEN TESTS", "_hidden_tests_sigmoid_grad", "want_sigmoid",
           "Rubric for the instructor"]

NAIVE_SIGMOID = '''
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return 1.0 / (1.0 + np.exp(-x))
'''
# The classic backprop bug: the derivative fed the activated value.
GRAD_OF_OUTPUT = '''
def sigmoid_grad(x):
    s = sigmoid(x)
    return sigmoid(s) * (1.0 - sigmoid(s))
'''
ENDLESS = '''
def sigmoid_grad(x):
    while True:
        pass
'''
# Right values, stable, passes the visible tests, but writes into a float array it is given.
IN_PLACE_SIGMOID = '''
def sigmoid(x):
    x = np.asarray(x, dtype=float)  # no copy when x already is a float array
    e = np.exp(-np.abs(x))
    x[...] = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return x
'''
ANSWER = "The sigmoid flattens out for large |x|, so its slope is tiny; ten layers multiply ten such slopes."

STUDENTS = ["reference", "untouched", "naive_sigmoid", "grad_of_output", "in_place",
            "endless_loop"]

pytestmark = pytest.mark.slow


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "nbgrader", *args]
    done = subprocess.run(cmd, cwd=course, env=ENV, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def solution_code(source: nbformat.NotebookNode) -> dict[str, str]:
    """The code of every solution cell, keyed by grade_id, without the markers."""
    code = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = cell.source.splitlines()
            code[meta["grade_id"]] = "\n".join(ln for ln in lines if "### " not in ln)
    return code


def submit(course: Path, student: str, release: nbformat.NotebookNode, answers: dict[str, str]):
    """Write the release notebook with `answers` (grade_id -> source) filled in."""
    nb = nbformat.from_dict(release)  # a deep copy
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id].strip("\n")
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")
    (folder / "timestamp.txt").write_text("2026-01-15 10:00:00.000000 UTC")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    config = (REPO / "nbgrader_config.py").read_text()
    config, found = re.subn(r"(?m)^c\.Execute\.timeout = 60$", f"c.Execute.timeout = {TIMEOUT}", config)
    assert found == 1, "nbgrader_config.py should set c.Execute.timeout = 60"
    (course / "nbgrader_config.py").write_text(config)
    shutil.copytree(REPO / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)

    nbgrader(course, "generate_assignment", ASSIGNMENT)
    source = nbformat.read(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    release = nbformat.read(course / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    reference = {**solution_code(source), "written_saturation": ANSWER}

    # The endless loop first and alone, to time it: autograde skips it later.
    submit(course, "endless_loop", release, {**reference, "sigmoid_grad": ENDLESS})
    start = time.monotonic()
    nbgrader(course, "autograde", ASSIGNMENT, "--student", "endless_loop")
    loop_seconds = time.monotonic() - start

    submit(course, "reference", release, reference)
    submit(course, "untouched", release, {})
    submit(course, "naive_sigmoid", release, {**reference, "sigmoid": NAIVE_SIGMOID})
    submit(course, "grad_of_output", release, {**reference, "sigmoid_grad": GRAD_OF_OUTPUT})
    submit(course, "in_place", release, {**reference, "sigmoid": IN_PLACE_SIGMOID})
    nbgrader(course, "autograde", ASSIGNMENT)
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    nbgrader(course, "export", "--to", "grades.csv")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        grades = {}
        for student in STUDENTS:
            nb = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
            grades[student] = {
                g.name: SimpleNamespace(auto=g.auto_score, max=g.max_score,
                                        manual=g.needs_manual_grade)
                for g in nb.grades
            }
    with open(course / "grades.csv", newline="") as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    return SimpleNamespace(course=course, source=source, grades=grades, rows=rows,
                           loop_seconds=loop_seconds)


def autograded_points(grades) -> dict[str, float]:
    return {name: g.auto for name, g in grades.items() if name != "written_saturation"}


def full_points(graded) -> dict[str, float]:
    return {name: g.max for name, g in graded.grades["reference"].items()
            if name != "written_saturation"}


def cell_outputs(graded, student: str, grade_id: str) -> list:
    path = graded.course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell.outputs


def test_points_layout(graded):
    full = full_points(graded)
    assert sum(v for k, v in full.items() if k.endswith("_stability")) == 4
    assert sum(v for k, v in full.items() if not k.endswith("_stability")) == 16
    assert graded.grades["reference"]["written_saturation"].max == 2


def test_reference_solution_gets_every_autograded_point(graded):
    grades = graded.grades["reference"]
    assert autograded_points(grades) == full_points(graded)
    written = grades["written_saturation"]
    assert written.auto is None and written.manual, "the written answer waits for a human"


def test_untouched_release_scores_zero_and_is_graded(graded):
    grades = graded.grades["untouched"]
    assert set(autograded_points(grades).values()) == {0}
    assert grades["written_saturation"].auto == 0, "an unchanged answer cell scores 0 by itself"
    outputs = cell_outputs(graded, "untouched", "test_sigmoid")
    assert [o.ename for o in outputs if o.output_type == "error"] == ["NotImplementedError"]


def test_naive_sigmoid_loses_exactly_the_stability_points(graded):
    expected = {**full_points(graded), "test_sigmoid_stability": 0}
    assert autograded_points(graded.grades["naive_sigmoid"]) == expected
    (error,) = [o for o in cell_outputs(graded, "naive_sigmoid", "test_sigmoid_stability")
                if o.output_type == "error"]
    assert "not numerically stable" in error.evalue and "overflow" in error.evalue


def test_derivative_of_the_output_loses_the_sigmoid_grad_points(graded):
    expected = {**full_points(graded), "test_sigmoid_grad": 0}
    assert autograded_points(graded.grades["grad_of_output"]) == expected


def test_endless_loop_is_stopped_by_the_timeout(graded):
    expected = {**full_points(graded), "test_sigmoid_grad": 0, "test_sigmoid_grad_stability": 0}
    assert autograded_points(graded.grades["endless_loop"]) == expected
    for grade_id in ("test_sigmoid_grad", "test_sigmoid_grad_stability"):
        enames = [o.ename for o in cell_outputs(graded, "endless_loop", grade_id)
                  if o.output_type == "error"]
        assert "CellTimeoutError" in enames, enames
    # two cells time out: with nbgrader's default of 30 s that alone would take 60 s
    assert graded.loop_seconds < 2 * 30, "c.Execute.timeout in nbgrader_config.py had no effect"


@pytest.mark.parametrize("student", STUDENTS)
def test_feedback_exists_and_hides_hidden_tests(graded, student):
    html = (graded.course / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    autograded = (graded.course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text()
    for secret in SECRETS[:3]:
        assert secret in autograded, "the instructor's copy keeps the hidden tests"
        assert secret not in html, f"feedback for {student} leaks {secret!r}"
    assert SECRETS[3] not in html
    assert "sigmoid(0) should be 0.5" in html, "the visible tests stay in the feedback"


def test_input_modified_in_place_fails_only_the_hidden_tests(graded):
    expected = {**full_points(graded), "test_sigmoid": 0}
    assert autograded_points(graded.grades["in_place"]) == expected
    html = (graded.course / "feedback" / "in_place" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    # the friendly message of the hidden tests reaches the student, their code does not
    assert "AssertionError: sigmoid fails hidden tests:" in html
    assert "sigmoid(a 1-d array) modified its input" in html


def test_exported_csv_has_one_row_per_student_with_the_scores(graded):
    full = sum(full_points(graded).values())
    stability = graded.grades["reference"]["test_sigmoid_stability"].max
    grad = graded.grades["reference"]["test_sigmoid_grad"].max
    grad_stability = graded.grades["reference"]["test_sigmoid_grad_stability"].max
    expected = {
        "reference": full,
        "untouched": 0,
        "naive_sigmoid": full - stability,
        "grad_of_output": full - grad,
        "in_place": full - graded.grades["reference"]["test_sigmoid"].max,
        "endless_loop": full - grad - grad_stability,
    }
    rows = graded.rows
    assert set(rows) == set(expected)
    for student, score in expected.items():
        row = rows[student]
        assert row["assignment"] == ASSIGNMENT
        assert float(row["raw_score"]) == score, student
        assert float(row["score"]) == score, student
        assert float(row["max_score"]) == full + 2, student
