"""Assignment 4 (softplus, SiLU, GELU) graded by the real nbgrader: fair and sharp.

One temporary course, one `nbgrader autograde` run for all the students below
(module-scoped fixture): the reference solution, the untouched release, wrong
implementations that must each lose exactly the points of the cells they
break, alternative correct implementations that must get every point, and an
always-true object that must not fool the hidden tests. 15 students: about
30 s of CPU time (95 s wall on a busy two-core machine), nearly all of it the
autograde run (one kernel per student).
"""

import pytest

import nbgrader_course as nc

ASSIGNMENT = "04_smooth_activations"
NOTEBOOK = "smooth_activations"
WRITTEN = "written_transformers"
ANSWER = ("ReLU passes no gradient for x < 0, so units can die; GELU and SiLU are smooth and pass a "
          "small gradient there, which trains deep transformers better (BERT, GPT, LLaMA).")

pytestmark = pytest.mark.slow

# student -> (solution cells replaced, test cells that must then score 0). The
# other cells keep the reference solution and must keep their points.
WRONG = {
    # right values, but exp(1000) overflows: only the stability point is lost
    "softplus_naive": ({"softplus": '''
def softplus(x):
    x = np.asarray(x, dtype=float)
    return np.log(1.0 + np.exp(x))
'''}, {"test_softplus_stability"}),
    # right values, but the caller's float array is overwritten: only the input point is lost
    "softplus_in_place": ({"softplus": '''
def softplus(x):
    x = np.asarray(x, dtype=float)
    m = np.maximum(x, 0.0)
    x -= 2.0 * m  # now -|x|
    return m + np.log1p(np.exp(x))
'''}, {"test_softplus_input"}),
    # right values for floats, but the array keeps the input's dtype: for a list of ints an
    # int array (the sigmoid truncated to 0), so only the type point is lost
    "softplus_grad_empty_like": ({"softplus_grad": '''
def softplus_grad(x):
    x = np.asarray(x)
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out
'''}, {"test_softplus_grad_type"}),
    "softplus_grad_returns_softplus": ({"softplus_grad": '''
def softplus_grad(x):
    x = np.asarray(x, dtype=float)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
'''}, {"test_softplus_grad", "test_softplus_grad_stability"}),
    # the classic backprop bug: the derivative fed the activated value
    "softplus_grad_of_output": ({"softplus_grad": '''
def softplus_grad(x):
    y = softplus(x)
    e = np.exp(-np.abs(y))
    return np.where(y >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
'''}, {"test_softplus_grad", "test_softplus_grad_stability"}),
    # right values, but exp(1000) overflows for x = -1000
    "silu_naive": ({"silu": '''
def silu(x):
    x = np.asarray(x, dtype=float)
    return x / (1.0 + np.exp(-x))
'''}, {"test_silu_stability"}),
    # right values in a list: only the type point is lost
    "silu_returns_list": ({"silu": '''
def silu(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return (x * np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))).tolist()
'''}, {"test_silu_type"}),
    # right values, but x * sigma'(x) is computed in the caller's float array: only the
    # input point is lost
    "silu_grad_in_place": ({"silu_grad": '''
def silu_grad(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    x *= s * (1.0 - s)  # x * sigma'(x), in place
    return s + x
'''}, {"test_silu_grad_input"}),
    # product rule with the x * sigma'(x) term forgotten
    "silu_grad_missing_term": ({"silu_grad": '''
def silu_grad(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
'''}, {"test_silu_grad"}),
    # sigma(x) + x * sigma(x): sigma itself taken for its derivative
    "silu_grad_sigma_for_sigma_prime": ({"silu_grad": '''
def silu_grad(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    s = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return s + x * s
'''}, {"test_silu_grad", "test_silu_grad_stability"}),
    "gelu_tanh_constant_typo": ({"gelu": '''
def gelu(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.44715 * x**3)))
    return 0.5 * x * np.vectorize(math.erfc)(-x / np.sqrt(2.0))
'''}, {"test_gelu"}),
    "gelu_ignores_approximate": ({"gelu": '''
def gelu(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    return 0.5 * x * np.vectorize(math.erfc)(-x / np.sqrt(2.0))
'''}, {"test_gelu"}),
    "gelu_erf_without_sqrt2": ({"gelu": '''
def gelu(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x))
'''}, {"test_gelu"}),
    # the sigmoid approximation x * sigma(1.702 x) is a third GELU, not the exact one
    "gelu_sigmoid_approximation": ({"gelu": '''
def gelu(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))
    return 0.5 * x * (1.0 + np.tanh(0.851 * x))
'''}, {"test_gelu"}),
    "gelu_grad_missing_cdf": ({"gelu_grad": '''
def gelu_grad(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        c = np.sqrt(2.0 / np.pi)
        t = np.tanh(c * (x + 0.044715 * x**3))
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3 * 0.044715 * x**2)
    return x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
'''}, {"test_gelu_grad", "test_gelu_grad_stability"}),
    "gelu_grad_ignores_approximate": ({"gelu_grad": '''
def gelu_grad(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    cdf = 0.5 * np.vectorize(math.erfc)(-x / np.sqrt(2.0))
    return cdf + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
'''}, {"test_gelu_grad"}),
    # tanh form: the chain rule's u'(x) forgotten
    "gelu_grad_tanh_missing_chain": ({"gelu_grad": '''
def gelu_grad(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        t = np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3))
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t)
    cdf = 0.5 * np.vectorize(math.erfc)(-x / np.sqrt(2.0))
    return cdf + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
'''}, {"test_gelu_grad"}),
}

# Three more correct ways to write each function: every one gets full marks.
ALTERNATIVES = {
    # identities: logaddexp, sigma(x) = (1 + tanh(x/2)) / 2, and 1 + erf with np.vectorize
    "alt_numpy_identities": {
        "softplus": '''
def softplus(x):
    return np.logaddexp(0.0, np.asarray(x, dtype=float))
''',
        "softplus_grad": '''
def softplus_grad(x):
    x = np.asarray(x, dtype=float)
    return 0.5 * (1.0 + np.tanh(0.5 * x))
''',
        "silu": '''
def silu(x):
    x = np.asarray(x, dtype=float)
    return 0.5 * x * (1.0 + np.tanh(0.5 * x))
''',
        "silu_grad": '''
def silu_grad(x):
    x = np.asarray(x, dtype=float)
    s = 0.5 * (1.0 + np.tanh(0.5 * x))
    return s + x * s * (1.0 - s)
''',
        "gelu": '''
def gelu(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)))
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / np.sqrt(2.0)))
''',
        "gelu_grad": '''
def gelu_grad(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        c = np.sqrt(2.0 / np.pi)
        t = np.tanh(c * (x + 0.044715 * x**3))
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t**2) * c * (1.0 + 0.134145 * x**2)
    erf = np.vectorize(math.erf)
    return 0.5 * (1.0 + erf(x / np.sqrt(2.0))) + x * np.exp(-0.5 * x**2) / np.sqrt(2.0 * np.pi)
''',
    },
    # one number at a time with the math module, a helper shared by the cells
    "alt_python_math": {
        "softplus": '''
def each(f, x):
    """Apply f to every entry of x; an array of x's shape."""
    arr = np.asarray(x, dtype=float)
    return np.array([f(v) for v in arr.ravel().tolist()], dtype=float).reshape(arr.shape)


def softplus(x):
    return each(lambda v: max(v, 0.0) + math.log1p(math.exp(-abs(v))), x)
''',
        "softplus_grad": '''
def sig(v):
    return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))


def softplus_grad(x):
    return each(sig, x)
''',
        "silu": '''
def silu(x):
    return each(lambda v: v * sig(v), x)
''',
        "silu_grad": '''
def silu_grad(x):
    return each(lambda v: sig(v) * (1.0 + v * sig(-v)), x)
''',
        "gelu": '''
def gelu(x, approximate="none"):
    if approximate == "none":
        return each(lambda v: v * 0.5 * math.erfc(-v / math.sqrt(2.0)), x)
    if approximate == "tanh":
        c = math.sqrt(2.0 / math.pi)
        return each(lambda v: 0.5 * v * (1.0 + math.tanh(c * (v + 0.044715 * v**3))), x)
    raise ValueError(f"unknown approximate={approximate!r}")
''',
        "gelu_grad": '''
def gelu_grad(x, approximate="none"):
    if approximate == "none":
        def d(v):
            return 0.5 * math.erfc(-v / math.sqrt(2.0)) + v * math.exp(-v * v / 2) / math.sqrt(2 * math.pi)
    elif approximate == "tanh":
        def d(v):
            c = math.sqrt(2.0 / math.pi)
            t = math.tanh(c * (v + 0.044715 * v**3))
            return 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * c * (1.0 + 3 * 0.044715 * v * v)
    else:
        raise ValueError(f"unknown approximate={approximate!r}")
    return each(d, x)
''',
    },
    # masks on a copy, sigma(x) = exp(-logaddexp(0, -x)), tanh form as x * sigma(2u)
    "alt_masks_and_logaddexp": {
        "softplus": '''
def softplus(x):
    x = np.array(x, dtype=float)  # a copy
    out = np.empty_like(x)
    pos = x > 0
    out[pos] = x[pos] + np.log1p(np.exp(-x[pos]))
    out[~pos] = np.log1p(np.exp(x[~pos]))
    return out
''',
        "softplus_grad": '''
def softplus_grad(x):
    return np.exp(-np.logaddexp(0.0, -np.asarray(x, dtype=float)))
''',
        "silu": '''
def silu(x):
    x = np.asarray(x, dtype=float)
    return x * np.exp(-np.logaddexp(0.0, -x))
''',
        "silu_grad": '''
def silu_grad(x):
    x = np.asarray(x, dtype=float)
    s, s_minus = np.exp(-np.logaddexp(0.0, -x)), np.exp(-np.logaddexp(0.0, x))
    return s * (1.0 + x * s_minus)
''',
        "gelu": '''
def gelu(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        u = np.sqrt(2.0 / np.pi) * (x + 0.044715 * x**3)
        return x * np.exp(-np.logaddexp(0.0, -2.0 * u))
    erf = np.array([math.erf(v / math.sqrt(2.0)) for v in x.ravel()]).reshape(x.shape)
    return 0.5 * x * (1.0 + erf)
''',
        "gelu_grad": '''
def gelu_grad(x, approximate="none"):
    x = np.asarray(x, dtype=float)
    if approximate == "tanh":
        c = np.sqrt(2.0 / np.pi)
        u = c * (x + 0.044715 * x**3)
        s, s_minus = np.exp(-np.logaddexp(0.0, -2.0 * u)), np.exp(-np.logaddexp(0.0, 2.0 * u))
        return s + 2.0 * x * s * s_minus * c * (1.0 + 0.134145 * x**2)
    erf = np.array([math.erf(v / math.sqrt(2.0)) for v in x.ravel()]).reshape(x.shape)
    return 0.5 * (1.0 + erf) + x * np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
''',
    },
    # PyTorch's own softplus, one number at a time: linear above its threshold of 20, and
    # its derivative 1 there. x = 20 lies on the finite-difference grid, so the central
    # difference straddles the threshold: a jump of log1p(e^20) - 20 = 2.06e-9 in f, which
    # is 1e-10 of f (well inside the value check) but 1e-4 in the difference quotient.
    "alt_pytorch_threshold": {
        "softplus": '''
def softplus(x):
    arr = np.asarray(x, dtype=float)
    flat = [v if v > 20.0 else math.log1p(math.exp(v)) for v in arr.ravel().tolist()]
    return np.array(flat, dtype=float).reshape(arr.shape)
''',
        "softplus_grad": '''
def softplus_grad(x):
    arr = np.asarray(x, dtype=float)

    def sig(v):
        return 1.0 / (1.0 + math.exp(-v)) if v >= 0 else math.exp(v) / (1.0 + math.exp(v))

    flat = [1.0 if v > 20.0 else sig(v) for v in arr.ravel().tolist()]
    return np.array(flat, dtype=float).reshape(arr.shape)
''',
    },
    # thresholds with np.where, made stable by clamping what exp sees: x itself from 20 on
    # (>=, so f(20) is 20 and the jump sits below it), e^x below -20 (the other end)
    "alt_where_thresholds": {
        "softplus": '''
def softplus(x):
    x = np.asarray(x, dtype=float)
    middle = np.log1p(np.exp(np.clip(x, -20.0, 20.0)))
    return np.where(x >= 20.0, x, np.where(x < -20.0, np.exp(np.minimum(x, 0.0)), middle))
''',
        "softplus_grad": '''
def softplus_grad(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 20.0, 1.0, np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))
''',
    },
}

# silu returns an object that equals, undercuts and exceeds everything; it is
# honest about scalars (so the visible checks pass) and lies in arrays.
ALWAYS_TRUE = '''
class Liar:
    """Equal to, smaller and greater than anything; arithmetic gives itself."""

    def __init__(self, x=0.0):
        self.x = np.asarray(x, dtype=float)
        self.shape, self.ndim, self.dtype = self.x.shape, self.x.ndim, np.dtype(float)

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
        x = float(self.x) if self.x.ndim == 0 else 0.0
        return x / (1.0 + math.exp(-x))

    def __array__(self, dtype=None, copy=None):
        cells = np.empty(self.shape, dtype=object)
        for i in range(cells.size):
            cells.flat[i] = Liar()
        return cells

    def __abs__(self):
        return self

    def _same(self, *args):
        return self

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _same
    __truediv__ = __rtruediv__ = __neg__ = __getitem__ = _same


def silu(x):
    return Liar(x)
'''
ATTACKED = {"test_silu", "test_silu_type", "test_silu_input", "test_silu_stability"}

# The wrong implementations are graded in groups, one per family and student, so
# that a bug never meets the finite-difference check of its own family's other
# function (a wrong gelu skips that check in test_gelu_grad, for instance).
PROPERTIES = ("", "_type", "_input", "_stability")
FAMILIES = {
    family: {f"test_{name}{prop}" for name in (family, f"{family}_grad") for prop in PROPERTIES}
    for family in ("softplus", "silu", "gelu")
}

# student -> the wrong implementations in it, name -> student, student -> its cells
GROUPS, GROUP_OF, GROUPED_ANSWERS = nc.group_by_family(WRONG, FAMILIES)

STUDENTS = ["reference", "untouched", "always_true", *GROUPS, *ALTERNATIVES]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return nc.grade_class(tmp_path_factory, ASSIGNMENT, NOTEBOOK, written={WRITTEN: ANSWER},
                          students={"always_true": {"silu": ALWAYS_TRUE}, **GROUPED_ANSWERS, **ALTERNATIVES},
                          feedback_for=[GROUP_OF["gelu_ignores_approximate"]])


def test_every_student_was_graded_in_one_run(graded):
    assert set(graded.scores) == set(STUDENTS)
    assert len(WRONG) >= 10
    print(f"{len(STUDENTS)} students generated, autograded and read back in {graded.seconds:.0f} s")


def test_points_layout(graded):
    values = {"softplus": 3, "softplus_grad": 3, "silu": 3, "silu_grad": 3, "gelu": 4, "gelu_grad": 4}
    expected = {}
    for name, points in values.items():  # in the order of the notebook
        expected |= {f"test_{name}": points, f"test_{name}_type": 1, f"test_{name}_input": 1,
                     f"test_{name}_stability": 1}
    assert graded.full == {**expected, WRITTEN: 3}
    assert sum(graded.full.values()) == 41


def test_reference_solution_gets_every_autograded_point(graded):
    nc.check_reference(graded)


def test_untouched_release_scores_zero_and_is_graded(graded):
    nc.check_untouched(graded, "test_gelu_grad_stability")


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_implementation_loses_exactly_its_cells(graded, name):
    cells = FAMILIES[nc.family_of(name, FAMILIES)]
    nc.check_family_loses_exactly(graded, GROUP_OF[name], cells, WRONG[name][1])


@pytest.mark.parametrize("student", list(GROUPS))
def test_group_of_wrong_implementations_loses_nothing_else(graded, student):
    nc.check_loses_exactly(graded, student, set().union(*(WRONG[name][1] for name in GROUPS[student])))


@pytest.mark.parametrize("student", list(ALTERNATIVES))
def test_alternative_correct_implementation_gets_full_marks(graded, student):
    nc.check_loses_exactly(graded, student)


def test_always_true_object_fools_no_hidden_test(graded):
    nc.check_loses_exactly(graded, "always_true", ATTACKED)
    # the kernel's visible checks believe the object; the judge refuses it where it leaves
    # the sandbox, since it is not numbers
    message = nc.error_message(graded, "always_true", "test_silu")
    assert message.startswith("silu returned an object of type Liar, which is not numbers"), message


@pytest.mark.parametrize("name, grade_id", [("softplus_naive", "test_softplus_stability"),
                                            ("silu_naive", "test_silu_stability")])
def test_naive_formula_fails_only_for_its_overflow(graded, name, grade_id):
    message = nc.error_message(graded, GROUP_OF[name], grade_id)
    assert "not numerically stable" in message and "overflow" in message


def test_property_cells_say_what_is_wrong(graded):
    message = nc.error_message(graded, GROUP_OF["softplus_in_place"], "test_softplus_input")
    assert message.startswith("softplus(a 1-d array) modified its input"), message
    assert "softplus(a list)" not in message  # np.asarray copies a list
    message = nc.error_message(graded, GROUP_OF["silu_grad_in_place"], "test_silu_grad_input")
    assert message.startswith("silu_grad(a 1-d array) modified its input"), message
    message = nc.error_message(graded, GROUP_OF["silu_returns_list"], "test_silu_type")
    assert "silu(a 1-d array) should return a float numpy array, not list" in message
    message = nc.error_message(graded, GROUP_OF["softplus_grad_empty_like"], "test_softplus_grad_type")
    assert message.startswith("softplus_grad(a list of ints) should return a float numpy array, "
                              "not one of dtype int64"), message
    assert "convert the input to floats first" in message


def test_feedback_shows_the_visible_message_and_hides_the_tests(graded):
    html = nc.feedback_html(graded.course, GROUP_OF["gelu_ignores_approximate"], ASSIGNMENT)
    assert "gelu(1, approximate=" in html and "should be 0.8411919906082767" in html
    for secret in ("BEGIN HIDDEN TESTS", "_hidden_tests_", "want_tanh = [", "Rubric for the instructor"):
        assert secret not in html
