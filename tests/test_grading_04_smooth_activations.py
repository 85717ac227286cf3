"""Assignment 4 (softplus, SiLU, GELU) graded by the real nbgrader: fair and sharp.

One temporary course, one `nbgrader autograde` run for all the students below
(module-scoped fixture): the reference solution, the untouched release, wrong
implementations that must each lose exactly the points of the cells they
break, alternative correct implementations that must get every point, and an
always-true object that must not fool the hidden tests. 13 students: about
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
    # right values, but the caller's float array is overwritten
    "softplus_in_place": ({"softplus": '''
def softplus(x):
    x = np.asarray(x, dtype=float)
    m = np.maximum(x, 0.0)
    x -= 2.0 * m  # now -|x|
    return m + np.log1p(np.exp(x))
'''}, {"test_softplus"}),
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
    "silu_returns_list": ({"silu": '''
def silu(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return (x * np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))).tolist()
'''}, {"test_silu"}),
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
ATTACKED = {"test_silu", "test_silu_stability"}

# The wrong implementations are graded in groups, one per family and student, so
# that a bug never meets the finite-difference check of its own family's other
# function (a wrong gelu skips that check in test_gelu_grad, for instance).
FAMILIES = {
    "softplus": {"test_softplus", "test_softplus_stability", "test_softplus_grad",
                 "test_softplus_grad_stability"},
    "silu": {"test_silu", "test_silu_stability", "test_silu_grad", "test_silu_grad_stability"},
    "gelu": {"test_gelu", "test_gelu_stability", "test_gelu_grad", "test_gelu_grad_stability"},
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
    assert graded.full == {
        "test_softplus": 3, "test_softplus_stability": 1,
        "test_softplus_grad": 3, "test_softplus_grad_stability": 1,
        "test_silu": 3, "test_silu_stability": 1,
        "test_silu_grad": 3, "test_silu_grad_stability": 1,
        "test_gelu": 4, "test_gelu_stability": 1,
        "test_gelu_grad": 4, "test_gelu_grad_stability": 1,
        WRITTEN: 3,
    }


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


def test_hidden_tests_say_what_is_wrong(graded):
    message = nc.error_message(graded, GROUP_OF["softplus_in_place"], "test_softplus")
    assert message.startswith("softplus fails hidden tests:")
    assert "softplus(a 1-d array) modified its input" in message
    message = nc.error_message(graded, GROUP_OF["silu_returns_list"], "test_silu")
    assert "silu(a 1-d array) should return a float numpy array, not list" in message


def test_feedback_shows_the_visible_message_and_hides_the_tests(graded):
    html = nc.feedback_html(graded.course, GROUP_OF["gelu_ignores_approximate"], ASSIGNMENT)
    assert "gelu(1, approximate=" in html and "should be 0.8411919906082767" in html
    for secret in ("BEGIN HIDDEN TESTS", "_hidden_tests_", "want_tanh = [", "Rubric for the instructor"):
        assert secret not in html
