"""Assignment 3 (softmax, log-softmax, Jacobian) graded by the real nbgrader: fair and sharp.

One temporary course, one `nbgrader autograde` run for all the students below
(module-scoped fixture): the reference solution, the untouched release, wrong
implementations that must each lose exactly the points of the cells they
break, alternative correct implementations that must get every point, and an
always-true object that must not fool the hidden tests. About 55 s wall (35 s CPU) on
the two shared cores, most of it the autograde run (one kernel per student).
"""

import pytest

import nbgrader_course as nc

ASSIGNMENT = "03_softmax"
NOTEBOOK = "softmax"
WRITTEN = "written_max_shift"
ANSWER = ("exp(1000) overflows to inf and inf / inf is nan; after subtracting the maximum every exponent "
          "is <= 0. The factor exp(-max) cancels between numerator and denominator.")

pytestmark = pytest.mark.slow

SOFTMAX = {"test_softmax"}
SOFTMAX_TYPE, SOFTMAX_INPUT = {"test_softmax_type"}, {"test_softmax_input"}
SOFTMAX_STABILITY = {"test_softmax_stability"}
LOG = {"test_log_softmax"}
LOG_INPUT = {"test_log_softmax_input"}
LOG_STABILITY = {"test_log_softmax_stability"}
JACOBIAN_TYPE = {"test_softmax_jacobian_type"}
# a wrong Jacobian also gets wrong values in the stability cell, which checks them
JACOBIAN = {"test_softmax_jacobian", "test_softmax_jacobian_stability"}

# student -> (solution cells replaced, test cells that must then score 0). The
# other cells keep the reference solution and must keep their points.
WRONG = {
    # exp(1000) overflows: right values elsewhere, so only the stability point goes
    "softmax_naive": ({"softmax": '''
def softmax(z, axis=-1):
    e = np.exp(np.asarray(z, dtype=float))
    return e / np.sum(e, axis=axis, keepdims=True)
'''}, SOFTMAX_STABILITY),
    "softmax_ignores_axis": ({"softmax": '''
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
'''}, SOFTMAX),
    "softmax_whole_array": ({"softmax": '''
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e)
'''}, SOFTMAX | SOFTMAX_STABILITY),
    # shifting by the maximum of the whole array is exact in theory, but a row
    # far below it underflows to 0 / 0
    "softmax_global_max": ({"softmax": '''
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z))
    return e / np.sum(e, axis=axis, keepdims=True)
'''}, SOFTMAX_STABILITY),
    "softmax_in_place": ({"softmax": '''
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    z -= np.max(z, axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= np.sum(z, axis=axis, keepdims=True)
    return z
'''}, SOFTMAX_INPUT),
    # max without keepdims broadcasts by luck for axis=0 (the visible check) only;
    # it raises for every 2-d array along its last axis, so the type, input and
    # stability cells, which all pass one, go too
    "softmax_max_without_keepdims": ({"softmax": '''
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.max(z, axis=axis))
    return e / np.sum(e, axis=axis, keepdims=True)
'''}, SOFTMAX | SOFTMAX_TYPE | SOFTMAX_INPUT | SOFTMAX_STABILITY),
    "log_of_softmax": ({"log_softmax": '''
def log_softmax(z, axis=-1):
    return np.log(softmax(z, axis=axis))
'''}, LOG_STABILITY),
    "log_softmax_unshifted": ({"log_softmax": '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
'''}, LOG_STABILITY),
    "log_softmax_forgets_max": ({"log_softmax": '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
'''}, LOG | LOG_STABILITY),
    "log_softmax_ignores_axis": ({"log_softmax": '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
'''}, LOG),
    # values right, but computed in the caller's float array
    "log_softmax_in_place": ({"log_softmax": '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    z -= np.max(z, axis=axis, keepdims=True)
    z -= np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    return z
'''}, LOG_INPUT),
    "log_softmax_sign": ({"log_softmax": '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted + np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
'''}, LOG | LOG_STABILITY),
    "jacobian_missing_diag": ({"softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    return -np.outer(s, s)
'''}, JACOBIAN),
    "jacobian_sign_error": ({"softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    return np.outer(s, s) - np.diag(s)
'''}, JACOBIAN),
    "jacobian_outer_one_minus_s": ({"softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    return np.outer(s, 1 - s)
'''}, JACOBIAN),
    "jacobian_diagonal_only": ({"softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    return np.diag(s * (1 - s))
'''}, JACOBIAN),
    # d log s_i / d z_j instead of d s_i / d z_j
    "jacobian_of_log_softmax": ({"softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    return np.eye(len(s)) - s[np.newaxis, :]
'''}, JACOBIAN),
    # s * s is a vector: it is subtracted from every row instead of s_i s_j
    "jacobian_broadcast_bug": ({"softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    return np.diag(s) - s * s
'''}, JACOBIAN),
    # values right, but nested lists
    "jacobian_nested_list": ({"softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    return (np.diag(s) - np.outer(s, s)).tolist()
'''}, JACOBIAN_TYPE),
    "jacobian_naive_softmax": ({"softmax_jacobian": '''
def softmax_jacobian(z):
    e = np.exp(np.asarray(z, dtype=float))
    s = e / np.sum(e)
    return np.diag(s) - np.outer(s, s)
'''}, {"test_softmax_jacobian_stability"}),
}

# Three more correct ways to write each function: every one gets full marks.
ALTERNATIVES = {
    "alt_logsumexp_einsum": {
        "softmax": '''
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    lse = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return np.exp(z - lse)
''',
        "log_softmax": '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    return z - np.logaddexp.reduce(z, axis=axis, keepdims=True)
''',
        "softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    return np.einsum("i,ij->ij", s, np.eye(len(s))) - np.einsum("i,j->ij", s, s)
''',
    },
    "alt_loops": {
        "softmax": '''
def softmax(z, axis=-1):
    z = np.moveaxis(np.array(z, dtype=float), axis, -1)
    out = np.empty_like(z)
    for index in np.ndindex(z.shape[:-1]):
        e = np.exp(z[index] - z[index].max())
        out[index] = e / e.sum()
    return np.moveaxis(out, -1, axis)
''',
        "log_softmax": '''
def log_softmax(z, axis=-1):
    def one(v):
        m = v.max()
        return v - m - np.log(np.sum(np.exp(v - m)))
    return np.apply_along_axis(one, axis, np.asarray(z, dtype=float))
''',
        "softmax_jacobian": '''
def softmax_jacobian(z):
    s = softmax(z)
    n = len(s)
    jac = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            jac[i, j] = s[i] * ((1.0 if i == j else 0.0) - s[j])
    return jac
''',
    },
    "alt_expand_dims_broadcast": {
        "softmax": '''
def softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    e = np.exp(z - np.expand_dims(z.max(axis=axis), axis))
    return e / np.expand_dims(e.sum(axis=axis), axis)
''',
        "log_softmax": '''
def log_softmax(z, axis=-1):
    z = np.asarray(z, dtype=float)
    m = np.max(z, axis=axis, keepdims=True)
    return z - (m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)))
''',
        "softmax_jacobian": '''
def softmax_jacobian(z):
    s = np.exp(log_softmax(z))
    return s[:, np.newaxis] * (np.eye(len(s)) - s[np.newaxis, :])
''',
    },
}

# softmax returns an object that equals, undercuts and exceeds everything; the
# visible checks believe it, the hidden tests must not.
ALWAYS_TRUE = nc.LIAR + '''

def softmax(z, axis=-1):
    return Liar(np.shape(z))
'''
# the object is no float array (type) and cannot leave the sandbox (the judge fails every call)
ATTACKED = SOFTMAX | SOFTMAX_TYPE | SOFTMAX_INPUT | SOFTMAX_STABILITY

STUDENTS = ["reference", "untouched", "always_true", *WRONG, *ALTERNATIVES]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    wrong = {student: answers for student, (answers, _) in WRONG.items()}
    return nc.grade_class(tmp_path_factory, ASSIGNMENT, NOTEBOOK, written={WRITTEN: ANSWER},
                          students={"always_true": {"softmax": ALWAYS_TRUE}, **wrong, **ALTERNATIVES},
                          feedback_for=["log_softmax_ignores_axis"])


def test_every_student_was_graded(graded):
    assert set(graded.scores) == set(STUDENTS)
    assert len(WRONG) >= 10


def test_points_layout(graded):
    values = {"test_softmax": 4, "test_log_softmax": 3, "test_softmax_jacobian": 4}
    properties = {f"{cell}_{p}": 1 for cell in values for p in ("type", "input")}
    stability = {"test_softmax_stability": 1, "test_log_softmax_stability": 2,
                 "test_softmax_jacobian_stability": 1}
    assert graded.full == {**values, **properties, **stability, WRITTEN: 2}
    assert sum(graded.full.values()) == 23  # the Points of the notebook's first cell


def test_reference_solution_gets_every_autograded_point(graded):
    nc.check_reference(graded)


def test_untouched_release_scores_zero_and_is_graded(graded):
    nc.check_untouched(graded, "test_log_softmax_stability")


@pytest.mark.parametrize("student", list(WRONG))
def test_wrong_implementation_loses_exactly_its_cells(graded, student):
    nc.check_loses_exactly(graded, student, WRONG[student][1])


@pytest.mark.parametrize("student", list(ALTERNATIVES))
def test_alternative_correct_implementation_gets_full_marks(graded, student):
    nc.check_loses_exactly(graded, student)


def test_always_true_object_fools_no_hidden_test(graded):
    nc.check_loses_exactly(graded, "always_true", ATTACKED)
    message = nc.error_message(graded, "always_true", "test_softmax")
    # the kernel's visible checks believe the object; the judge refuses it where it
    # leaves the sandbox, since it is not numbers
    assert message.startswith("softmax returned an object of type Liar, which is not numbers"), message


def test_naive_log_softmax_fails_only_for_its_minus_infinity(graded):
    message = nc.error_message(graded, "log_of_softmax", "test_log_softmax_stability")
    assert "not numerically stable" in message and "divide by zero" in message


def test_feedback_names_the_problem_and_hides_the_tests(graded):
    html = nc.feedback_html(graded.course, "log_softmax_ignores_axis", ASSIGNMENT)
    assert "log_softmax fails hidden tests:" in html
    assert "axis=0) should be" in html, "the student learns which axis goes wrong"
    for secret in ("BEGIN HIDDEN TESTS", "_hidden_tests_", "want_axis", "Rubric for the instructor"):
        assert secret not in html
