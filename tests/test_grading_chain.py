"""The first assignment through the whole nbgrader chain, with real commands.

In a temporary copy of the course: generate_assignment -> five submissions ->
autograde -> generate_feedback -> export to CSV. The slow steps run once, in a
module-scoped fixture; the tests then read the gradebook, the autograded
notebooks, the feedback HTML and the CSV.
"""

import csv
import time
from types import SimpleNamespace

import pytest

import nbgrader_course as nc

ASSIGNMENT = "01_sigmoid_tanh"
NOTEBOOK = "sigmoid_tanh"

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


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = nc.make_course(tmp_path_factory, [ASSIGNMENT])
    source = nc.source_notebook(course, ASSIGNMENT, NOTEBOOK)
    reference = {**nc.solution_code(source), "written_saturation": ANSWER}

    def submit(student, answers):
        nc.submit(course, student, ASSIGNMENT, NOTEBOOK, answers)

    # The endless loop first and alone, to time it: autograde skips it later.
    submit("endless_loop", {**reference, "sigmoid_grad": ENDLESS})
    start = time.monotonic()
    nc.autograde(course, ASSIGNMENT, "--student", "endless_loop")
    loop_seconds = time.monotonic() - start

    submit("reference", reference)
    submit("untouched", {})
    submit("naive_sigmoid", {**reference, "sigmoid": NAIVE_SIGMOID})
    submit("grad_of_output", {**reference, "sigmoid_grad": GRAD_OF_OUTPUT})
    submit("in_place", {**reference, "sigmoid": IN_PLACE_SIGMOID})
    nc.autograde(course, ASSIGNMENT)
    nc.nbgrader(course, "generate_feedback", ASSIGNMENT)
    nc.nbgrader(course, "export", "--to", "grades.csv")

    grades = nc.grades(course, ASSIGNMENT)
    assert set(grades) == set(STUDENTS)
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
    return nc.cell_outputs(graded.course, student, ASSIGNMENT, NOTEBOOK, grade_id)


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
    html = nc.feedback_html(graded.course, student, ASSIGNMENT)
    autograded = (graded.course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text()
    for secret in SECRETS[:3]:
        assert secret in autograded, "the instructor's copy keeps the hidden tests"
        assert secret not in html, f"feedback for {student} leaks {secret!r}"
    assert SECRETS[3] not in html
    assert "sigmoid(0) should be 0.5" in html, "the visible tests stay in the feedback"


def test_input_modified_in_place_fails_only_the_hidden_tests(graded):
    expected = {**full_points(graded), "test_sigmoid": 0}
    assert autograded_points(graded.grades["in_place"]) == expected
    html = nc.feedback_html(graded.course, "in_place", ASSIGNMENT)
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
