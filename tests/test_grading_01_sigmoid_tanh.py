"""The first assignment through the whole nbgrader chain, with real commands.

In a temporary copy of the course: generate_assignment -> five submissions ->
autograde -> generate_feedback -> export to CSV. The slow steps run once, in a
module-scoped fixture; the tests then read the gradebook, the autograded
notebooks, the feedback HTML and the CSV.
"""

import csv
import html
import re
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
# Right everywhere the grid of values looks (|x| <= 30), but computed on a clipped input: off in
# the far tails, where sigmoid(-40) is 4.2e-18 and not 9.4e-14.
CLIPPED_SIGMOID = '''
def sigmoid(x):
    x = np.clip(np.asarray(x, dtype=float), -30.0, 30.0)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
'''
# Right values, returned as a Python list: only the type is wrong.
LIST_SIGMOID = '''
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).tolist()
'''
# Other correct ways to write each function: every one gets full marks.
ALTERNATIVES = {
    "alt_logaddexp_and_tanh": {
        "sigmoid": '''
def sigmoid(x):
    # 1 / (1 + exp(-x)) = exp(-log(1 + exp(-x))), and logaddexp never overflows
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
''',
        "sigmoid_grad": '''
def sigmoid_grad(x):
    x = np.asarray(x, dtype=float)
    return sigmoid(x) * sigmoid(-x)
''',
        "tanh": '''
def tanh(x):
    return np.tanh(np.asarray(x, dtype=float))
''',
        "tanh_grad": '''
def tanh_grad(x):
    t = np.tanh(np.asarray(x, dtype=float))
    return (1.0 - t) * (1.0 + t)
''',
    },
    # boolean masks into a fresh array; the textbook derivatives; tanh from the sigmoid
    "alt_masks_and_textbook": {
        "sigmoid": '''
def sigmoid(x):
    x = np.array(x, dtype=float)  # a copy
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out
''',
        "sigmoid_grad": '''
def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)
''',
        "tanh": '''
def tanh(x):
    return 2.0 * sigmoid(2.0 * np.asarray(x, dtype=float)) - 1.0
''',
        "tanh_grad": '''
def tanh_grad(x):
    return 1.0 - tanh(x) ** 2
''',
    },
    # one number at a time with the math module, and expm1 for tanh
    "alt_math_vectorized": {
        "sigmoid": '''
import math


def _sigmoid_one(v):
    if v >= 0:
        return 1.0 / (1.0 + math.exp(-v))
    e = math.exp(v)
    return e / (1.0 + e)


def sigmoid(x):
    return np.vectorize(_sigmoid_one, otypes=[float])(np.asarray(x, dtype=float))
''',
        "sigmoid_grad": '''
def sigmoid_grad(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return e / (1.0 + 2.0 * e + e * e)
''',
        "tanh": '''
def tanh(x):
    x = np.asarray(x, dtype=float)
    m = np.expm1(-2.0 * np.abs(x))  # in (-1, 0]
    return np.sign(x) * (-m / (2.0 + m))
''',
        "tanh_grad": '''
def tanh_grad(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-2.0 * np.abs(x))
    return 4.0 * e / (1.0 + e) ** 2
''',
    },
}
ANSWER = "The sigmoid flattens out for large |x|, so its slope is tiny; ten layers multiply ten such slopes."

STUDENTS = ["reference", "untouched", "naive_sigmoid", "grad_of_output", "in_place",
            "clipped", "returns_list", "endless_loop", *ALTERNATIVES]

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
    submit("clipped", {**reference, "sigmoid": CLIPPED_SIGMOID})
    submit("returns_list", {**reference, "sigmoid": LIST_SIGMOID})
    for name, code in ALTERNATIVES.items():
        submit(name, {**reference, **code})
    nc.autograde(course, ASSIGNMENT)
    nc.nbgrader(course, "generate_feedback", ASSIGNMENT)
    # before hand grading, which the export refuses unless told that 0 for the written answers is meant
    nc.nbgrader(course, "export", "--to", "grades.csv", "--CheckedCsvExport.allow_ungraded=True")

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


def feedback_text(graded, student: str) -> str:
    """The feedback page as a reader sees it: no tags, entities decoded."""
    page = nc.feedback_html(graded.course, student, ASSIGNMENT)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def cell_outputs(graded, student: str, grade_id: str) -> list:
    return nc.cell_outputs(graded.course, student, ASSIGNMENT, NOTEBOOK, grade_id)


def test_points_layout(graded):
    full = full_points(graded)
    for function in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad"):
        # each property its own points: values, type, input, stability
        assert [full[f"test_{function}{p}"] for p in ("", "_type", "_input", "_stability")] == [4, 1, 1, 1]
    assert len(full) == 16
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


@pytest.mark.parametrize("student", list(ALTERNATIVES))
def test_other_correct_code_gets_every_autograded_point(graded, student):
    assert autograded_points(graded.grades[student]) == full_points(graded)


def test_derivative_of_the_output_loses_the_sigmoid_grad_points(graded):
    expected = {**full_points(graded), "test_sigmoid_grad": 0}
    assert autograded_points(graded.grades["grad_of_output"]) == expected


GRAD_CELLS = ("test_sigmoid_grad", "test_sigmoid_grad_type", "test_sigmoid_grad_input",
              "test_sigmoid_grad_stability")


def test_endless_loop_is_stopped_by_the_timeout(graded):
    expected = {**full_points(graded), **dict.fromkeys(GRAD_CELLS, 0)}
    assert autograded_points(graded.grades["endless_loop"]) == expected
    for grade_id in GRAD_CELLS:
        enames = [o.ename for o in cell_outputs(graded, "endless_loop", grade_id)
                  if o.output_type == "error"]
        assert "CellTimeoutError" in enames, enames
    # four cells time out: with nbgrader's default of 30 s that alone would take 120 s
    assert graded.loop_seconds < 4 * 30, "c.Execute.timeout in nbgrader_config.py had no effect"


@pytest.mark.parametrize("student", STUDENTS)
def test_feedback_exists_and_hides_hidden_tests(graded, student):
    html = nc.feedback_html(graded.course, student, ASSIGNMENT)
    autograded = (graded.course / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb").read_text()
    for secret in SECRETS[:3]:
        assert secret in autograded, "the instructor's copy keeps the hidden tests"
        assert secret not in html, f"feedback for {student} leaks {secret!r}"
    assert SECRETS[3] not in html
    assert "sigmoid(0) should be 0.5" in html, "the visible tests stay in the feedback"


def test_input_modified_in_place_loses_only_the_input_points(graded):
    expected = {**full_points(graded), "test_sigmoid_input": 0}
    assert autograded_points(graded.grades["in_place"]) == expected
    text = feedback_text(graded, "in_place")
    assert "AssertionError: sigmoid modified its input: [-3.0, -2.0" in text


def test_a_list_of_right_values_loses_only_the_type_points(graded):
    expected = {**full_points(graded), "test_sigmoid_type": 0}
    assert autograded_points(graded.grades["returns_list"]) == expected
    text = feedback_text(graded, "returns_list")
    assert "AssertionError: sigmoid(a nested list) should return a NumPy array, not list" in text


def test_a_sigmoid_wrong_in_the_far_tails_loses_the_value_points(graded):
    expected = {**full_points(graded), "test_sigmoid": 0}
    assert autograded_points(graded.grades["clipped"]) == expected
    text = feedback_text(graded, "clipped")
    # the friendly message of the hidden tests reaches the student, their code does not
    assert "AssertionError: sigmoid fails hidden tests:" in text
    assert "sigmoid(-700.0) should be 9.85967654375977e-305, got 9.357" in text


def test_exported_csv_has_one_row_per_student_with_the_scores(graded):
    full = sum(full_points(graded).values())
    stability = graded.grades["reference"]["test_sigmoid_stability"].max
    grad = graded.grades["reference"]["test_sigmoid_grad"].max
    expected = {
        "reference": full,
        "untouched": 0,
        "naive_sigmoid": full - stability,
        "grad_of_output": full - grad,
        "in_place": full - graded.grades["reference"]["test_sigmoid_input"].max,
        "clipped": full - graded.grades["reference"]["test_sigmoid"].max,
        "returns_list": full - graded.grades["reference"]["test_sigmoid_type"].max,
        "endless_loop": full - sum(graded.grades["reference"][c].max for c in GRAD_CELLS),
        **dict.fromkeys(ALTERNATIVES, full),
    }
    rows = graded.rows
    assert set(rows) == set(expected)
    for student, score in expected.items():
        row = rows[student]
        assert row["assignment"] == ASSIGNMENT
        assert float(row["raw_score"]) == score, student
        assert float(row["score"]) == score, student
        assert float(row["max_score"]) == full + 2, student
