"""Submissions that attack the grader, graded together with an honest student.

In one autograde run of assignment 1 (a temp copy of the course):

* ``patches_numpy`` makes ``np.allclose``, ``np.isclose`` and the
  ``numpy.testing`` assertions always agree, and submits a wrong sigmoid;
* ``exits_kernel`` kills its kernel from ``sigmoid_grad``;
* ``floods_output`` prints a million lines from ``sigmoid``.

Each attack must not earn the attacked function's points, grading must finish
for everyone, and the honest student's grade must stay complete. (A notebook
whose kernel dies is discarded whole by nbgrader: that student scores 0 and the
autograde log names them.)
"""

from __future__ import annotations

import csv
from types import SimpleNamespace

import nbformat
import pytest

import nbgrader_course as nc

pytestmark = pytest.mark.slow
ASSIGNMENT, NOTEBOOK, WRITTEN = "01_sigmoid_tanh", "sigmoid_tanh", "written_saturation"

# patched helpers that agree with everything, and a sigmoid that only the hidden tests can see is wrong
PATCHES_NUMPY = '''
import numpy.testing

np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
numpy.testing.assert_allclose = lambda *args, **kwargs: None
numpy.testing.assert_array_almost_equal = lambda *args, **kwargs: None
''' + nc.STEP_SIGMOID
EXITS_KERNEL = '''
def sigmoid_grad(x):
    import os
    os._exit(1)
'''
FLOODS_OUTPUT = '''
def sigmoid(x):
    print("spam\\n" * 1_000_000)
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
'''


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> SimpleNamespace:
    course = nc.make_course(tmp_path_factory, [ASSIGNMENT], timeout=20)
    reference = {**nc.solution_code(nc.source_notebook(course, ASSIGNMENT, NOTEBOOK)),
                 WRITTEN: "Its slope is tiny for large |x|, and ten small slopes multiply."}
    attacks = {"patches_numpy": {"sigmoid": PATCHES_NUMPY}, "exits_kernel": {"sigmoid_grad": EXITS_KERNEL},
               "floods_output": {"sigmoid": FLOODS_OUTPUT}}
    nc.submit(course, "honest", ASSIGNMENT, NOTEBOOK, reference)
    for student, answers in attacks.items():
        nc.submit(course, student, ASSIGNMENT, NOTEBOOK, {**reference, **answers})
    # A dead kernel makes autograde exit with 1 after grading everyone else.
    run = nc.run_nbgrader(course, "autograde", ASSIGNMENT)
    nc.nbgrader(course, "export", "--to", "grades.csv", "--CheckedCsvExport.allow_ungraded=True")
    with open(course / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    return SimpleNamespace(course=course, run=run, log=run.stdout + run.stderr,
                           scores=nc.scores(course, ASSIGNMENT), rows=rows,
                           full=nc.max_scores(course, ASSIGNMENT, "honest"))


def autograded(points: dict) -> dict:
    return {k: v for k, v in points.items() if k != WRITTEN}


def test_the_honest_student_is_graded_in_full(graded) -> None:
    assert autograded(graded.scores["honest"]) == autograded(graded.full)
    assert float(graded.rows["honest"]["score"]) == sum(autograded(graded.full).values())


def test_patched_numpy_helpers_earn_nothing_for_the_wrong_function(graded) -> None:
    expected = {k: 0 if k == "test_sigmoid" else v for k, v in autograded(graded.full).items()}
    assert autograded(graded.scores["patches_numpy"]) == expected


def test_a_submission_that_kills_its_kernel_scores_zero_and_is_reported(graded) -> None:
    assert graded.run.returncode != 0, "autograde should report the dead kernel"
    assert "exits_kernel" in graded.log
    assert float(graded.rows["exits_kernel"]["score"]) == 0.0
    # nbgrader discards a notebook whose kernel died: nothing is scored, so the row says 0.
    assert not (graded.course / "autograded" / "exits_kernel" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").exists()
    assert all(not v for v in graded.scores["exits_kernel"].values())


def test_a_flood_of_output_is_cut_and_costs_no_correct_points(graded) -> None:
    assert autograded(graded.scores["floods_output"]) == autograded(graded.full)
    notebook = nc.autograded_notebook(graded.course, "floods_output", ASSIGNMENT, NOTEBOOK)
    size = len(nbformat.writes(notebook))
    assert size < 5_000_000, f"the graded notebook kept {size} bytes of output"
