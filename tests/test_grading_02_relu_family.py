"""Assignment 2 (ReLU, Leaky ReLU, ELU) graded by the real nbgrader: fair and sharp.

One temporary course, one `nbgrader autograde` run for all the students below
(module-scoped fixture): the reference solution, the untouched release, wrong
implementations that must each lose exactly the points of the cells they
break (several wrong functions of different families share one submission, and
one kernel), alternative correct implementations that must get every point, and
an always-true object that must not fool the hidden tests.
"""

import pytest

import nbgrader_course as nc

ASSIGNMENT = "02_relu_family"
NOTEBOOK = "relu_family"
WRITTEN = "written_dead_relu"
ANSWER = ("A dead ReLU unit has a negative pre-activation for every input, so relu_grad is 0 and its "
          "weights never change again; Leaky ReLU and ELU keep a non-zero slope for x < 0.")

pytestmark = pytest.mark.slow

# student -> (solution cells replaced, test cells that must then score 0). The
# other cells keep the reference solution and must keep their points.
WRONG = {
    # values right, but the caller's float array is overwritten
    "relu_in_place": ({"relu": '''
def relu(x):
    x = np.asarray(x, dtype=float)
    x[x < 0] = 0.0
    return x
'''}, {"test_relu_input"}),
    # values right, but ints in, ints out
    "relu_int_output": ({"relu": '''
def relu(x):
    return np.maximum(np.asarray(x), 0)
'''}, {"test_relu_type"}),
    # the right numbers, flattened: the values cell compares shapes too
    "relu_flattens": ({"relu": '''
def relu(x):
    return np.maximum(np.ravel(np.asarray(x, dtype=float)), 0.0)
'''}, {"test_relu", "test_relu_type"}),
    "relu_grad_one_at_kink": ({"relu_grad": '''
def relu_grad(x):
    return np.where(np.asarray(x, dtype=float) >= 0, 1.0, 0.0)
'''}, {"test_relu_grad"}),
    # values right (True is 1), but a bool array
    "relu_grad_bool": ({"relu_grad": '''
def relu_grad(x):
    return np.asarray(x, dtype=float) > 0
'''}, {"test_relu_grad_type"}),
    "relu_grad_sign": ({"relu_grad": '''
def relu_grad(x):
    return np.sign(np.asarray(x, dtype=float))
'''}, {"test_relu_grad"}),
    # values right, but a (nested) list, not an array
    "leaky_returns_list": ({"leaky_relu": '''
def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * x).tolist()
'''}, {"test_leaky_relu_type"}),
    "leaky_ignores_alpha": ({"leaky_relu": '''
def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, 0.01 * x)
'''}, {"test_leaky_relu"}),
    # max(x, alpha * x) is leaky ReLU only for alpha <= 1: caught by the hidden alpha = 2
    "leaky_max_trick": ({"leaky_relu": '''
def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, alpha * x)
'''}, {"test_leaky_relu"}),
    "leaky_grad_swapped": ({"leaky_relu_grad": '''
def leaky_relu_grad(x, alpha=0.01):
    return np.where(np.asarray(x, dtype=float) > 0, alpha, 1.0)
'''}, {"test_leaky_relu_grad"}),
    "leaky_grad_one_at_kink": ({"leaky_relu_grad": '''
def leaky_relu_grad(x, alpha=0.01):
    return np.where(np.asarray(x, dtype=float) >= 0, 1.0, alpha)
'''}, {"test_leaky_relu_grad"}),
    "leaky_grad_ignores_alpha": ({"leaky_relu_grad": '''
def leaky_relu_grad(x, alpha=0.01):
    return np.where(np.asarray(x, dtype=float) > 0, 1.0, 0.01)
'''}, {"test_leaky_relu_grad"}),
    "elu_alpha_outside": ({"elu": '''
def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0.0)) - 1.0)
'''}, {"test_elu"}),
    # the classic: np.where evaluates exp(x) for x = 1000 too
    "elu_naive": ({"elu": '''
def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * (np.exp(x) - 1.0))
'''}, {"test_elu_stability"}),
    "elu_in_place": ({"elu": '''
def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    negative = x <= 0
    x[negative] = alpha * np.expm1(x[negative])
    return x
'''}, {"test_elu_input"}),
    # the classic backprop bug: the derivative fed the activated value
    "elu_grad_of_output": ({"elu_grad": '''
def elu_grad(x, alpha=1.0):
    y = elu(x, alpha)
    return np.where(y > 0, 1.0, alpha * np.exp(np.minimum(y, 0.0)))
'''}, {"test_elu_grad"}),
    "elu_grad_naive": ({"elu_grad": '''
def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha * np.exp(x))
'''}, {"test_elu_grad_stability"}),
    "elu_grad_one_at_kink": ({"elu_grad": '''
def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))
'''}, {"test_elu_grad"}),
    "elu_grad_ignores_alpha": ({"elu_grad": '''
def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0)))
'''}, {"test_elu_grad"}),
    # values right, but written into the caller's float array
    "elu_grad_in_place": ({"elu_grad": '''
def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    negative = x <= 0
    x[negative] = alpha * np.exp(x[negative])
    x[~negative] = 1.0
    return x
'''}, {"test_elu_grad_input"}),
}

# Wrong implementations kept out of WRONG, so that tests/synthetic_class.py draws the same class
# as before they were added.
WRONG_SINCE_THE_JUDGE = {
    # right on small inputs; on the stability check's large one it returns zeros and rewrites
    # its input to match them, which a check that rereads its input after the call would accept
    "elu_rewrites_its_input": ({"elu": '''
def elu(x, alpha=1.0):
    if isinstance(x, np.ndarray) and x.size > 1000:
        x[:] = -1.0
        return np.zeros(x.shape)
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))
'''}, {"test_elu_stability"}),
}
WRONG_ALL = {**WRONG, **WRONG_SINCE_THE_JUDGE}

# Three more correct ways to write each function: every one gets full marks.
ALTERNATIVES = {
    "alt_masks_and_products": {
        "relu": '''
def relu(x):
    x = np.asarray(x, dtype=float)
    return x * (x > 0)
''',
        "relu_grad": '''
def relu_grad(x):
    return (np.asarray(x) > 0).astype(float)
''',
        "leaky_relu": '''
def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + alpha * np.minimum(x, 0.0)
''',
        "leaky_relu_grad": '''
def leaky_relu_grad(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return (x > 0) + alpha * (x <= 0)
''',
        "elu": '''
def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + alpha * np.expm1(np.minimum(x, 0.0))
''',
        # PyTorch's own formula: elu'(x) = elu(x) + alpha for x <= 0
        "elu_grad": '''
def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, elu(x, alpha) + alpha)
''',
    },
    "alt_library_helpers": {
        "relu": '''
def relu(x):
    return np.clip(np.asarray(x, dtype=float), 0.0, None)
''',
        "relu_grad": '''
def relu_grad(x):
    return np.heaviside(np.asarray(x, dtype=float), 0.0)
''',
        "leaky_relu": '''
def leaky_relu(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return x * np.where(x > 0, 1.0, alpha)
''',
        "leaky_relu_grad": '''
def leaky_relu_grad(x, alpha=0.01):
    x = np.asarray(x, dtype=float)
    return np.piecewise(x, [x > 0], [1.0, alpha])
''',
        "elu": '''
def elu(x, alpha=1.0):
    out = np.array(x, dtype=float)  # a copy: the caller's array stays as it was
    negative = out <= 0
    out[negative] = alpha * np.expm1(out[negative])
    return out
''',
        "elu_grad": '''
def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    out = np.ones_like(x)
    negative = x <= 0
    out[negative] = alpha * np.exp(x[negative])
    return out
''',
    },
    "alt_where_sign_vectorize": {
        "relu": '''
def relu(x):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, 0.0)
''',
        "relu_grad": '''
def relu_grad(x):
    return np.sign(np.maximum(np.asarray(x, dtype=float), 0.0))
''',
        "leaky_relu": '''
def leaky_relu(x, alpha=0.01):
    return np.vectorize(lambda v: v if v > 0 else alpha * v, otypes=[float])(x)
''',
        "leaky_relu_grad": '''
def leaky_relu_grad(x, alpha=0.01):
    return np.vectorize(lambda v: 1.0 if v > 0 else alpha, otypes=[float])(x)
''',
        "elu": '''
def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0.0)) - 1.0))
''',
        "elu_grad": '''
def elu_grad(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    return np.exp(np.minimum(x, 0.0)) * np.where(x > 0, 1.0, alpha)
''',
    },
}

# elu returns an object that equals, undercuts and exceeds everything; it is
# honest about scalars (so the visible checks pass) and lies in arrays.
ALWAYS_TRUE = nc.LIAR + '''

def elu(x, alpha=1.0):
    x = np.asarray(x, dtype=float)
    honest = float(np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))) if x.ndim == 0 else 0.0
    return Liar(x.shape, honest)
'''
# the object is no float array (type) and cannot leave the sandbox (the judge fails every call)
ATTACKED = {"test_elu", "test_elu_type", "test_elu_input", "test_elu_stability"}

# The wrong implementations are graded in groups, one per family and student: no
# function calls another family's, nor does any hidden test (test_elu_grad's
# finite-difference check calls elu, of its own family).
FAMILIES = {
    family: {f"test_{name}{prop}" for name in (function, f"{function}_grad") for prop in properties}
    for family, function, properties in (("relu", "relu", ("", "_type", "_input")),
                                         ("leaky", "leaky_relu", ("", "_type", "_input")),
                                         ("elu", "elu", ("", "_type", "_input", "_stability")))
}
# student -> the wrong implementations in it, name -> student, student -> its cells
GROUPS, GROUP_OF, GROUPED_ANSWERS = nc.group_by_family(WRONG_ALL, FAMILIES)

STUDENTS = ["reference", "untouched", "always_true", *GROUPS, *ALTERNATIVES]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return nc.grade_class(tmp_path_factory, ASSIGNMENT, NOTEBOOK, written={WRITTEN: ANSWER},
                          students={"always_true": {"elu": ALWAYS_TRUE}, **GROUPED_ANSWERS, **ALTERNATIVES},
                          feedback_for=[GROUP_OF["leaky_max_trick"]])


def test_every_student_was_graded(graded):
    assert set(graded.scores) == set(STUDENTS)
    assert len(WRONG) >= 10
    assert set().union(*FAMILIES.values()) == {k for k in graded.full if k.startswith("test_")}


def test_points_layout(graded):
    values = {"test_relu": 3, "test_relu_grad": 3, "test_leaky_relu": 3, "test_leaky_relu_grad": 3,
              "test_elu": 3, "test_elu_grad": 3}
    properties = {f"{cell}_{p}": 1 for cell in values for p in ("type", "input")}
    stability = {"test_elu_stability": 1, "test_elu_grad_stability": 1}
    assert graded.full == {**values, **properties, **stability, WRITTEN: 2}
    assert sum(graded.full.values()) == 34  # the Points of the notebook's first cell


def test_reference_solution_gets_every_autograded_point(graded):
    nc.check_reference(graded)


def test_untouched_release_scores_zero_and_is_graded(graded):
    nc.check_untouched(graded, "test_elu_stability")


@pytest.mark.parametrize("name", list(WRONG_ALL))
def test_wrong_implementation_loses_exactly_its_cells(graded, name):
    cells = FAMILIES[nc.family_of(name, FAMILIES)]
    nc.check_family_loses_exactly(graded, GROUP_OF[name], cells, WRONG_ALL[name][1])


@pytest.mark.parametrize("student", list(GROUPS))
def test_group_of_wrong_implementations_loses_nothing_else(graded, student):
    nc.check_loses_exactly(graded, student, set().union(*(WRONG_ALL[name][1] for name in GROUPS[student])))


@pytest.mark.parametrize("student", list(ALTERNATIVES))
def test_alternative_correct_implementation_gets_full_marks(graded, student):
    nc.check_loses_exactly(graded, student)


def test_always_true_object_fools_no_hidden_test(graded):
    nc.check_loses_exactly(graded, "always_true", ATTACKED)
    message = nc.error_message(graded, "always_true", "test_elu")
    # the kernel's visible checks believe the object; the judge refuses it where it
    # leaves the sandbox, since it is not numbers
    assert message.startswith("elu returned an object of type Liar, which is not numbers"), message


def test_naive_elu_fails_only_for_its_overflow(graded):
    message = nc.error_message(graded, GROUP_OF["elu_naive"], "test_elu_stability")
    assert "not numerically stable" in message and "overflow" in message


def test_feedback_names_the_problem_and_hides_the_tests(graded):
    html = nc.feedback_html(graded.course, GROUP_OF["leaky_max_trick"], ASSIGNMENT)
    assert "leaky_relu fails hidden tests:" in html
    assert "alpha=2.0) should be" in html, "the student learns which alpha goes wrong"
    for secret in ("BEGIN HIDDEN TESTS", "_hidden_tests_", "want = {", "Rubric for the instructor"):
        assert secret not in html
