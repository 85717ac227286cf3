"""Assignment 5 (finite differences, initialisers, clipping) graded by the real nbgrader.

One temporary course, one `nbgrader autograde` run for all the students below
(module-scoped fixture): the reference solution, the untouched release, wrong
implementations that must each lose exactly the points of the cells they
break, alternative correct implementations (other ways to draw the same
distributions with the given generator) that must get every point, and an
always-true object that must not fool the hidden tests. Each function has a
values cell, a `_type` cell (dtype and shape) and, where it takes arrays, an
`_input` cell (its inputs untouched, its result new); the initialisers have an
`_rng` cell instead. 15 students: about 25 s of CPU time (90 s wall on a busy
two-core machine), nearly all of it the autograde run (one kernel per student).
"""

import pytest

import nbgrader_course as nc

ASSIGNMENT = "05_gradients_in_depth"
NOTEBOOK = "gradients_in_depth"
WRITTEN = "written_vanishing"
ANSWER = ("With the sigmoid the gradient shrinks by about 0.24 per layer (sigma' <= 1/4), 1e-19 over "
          "30 layers; ReLU with Glorot 0.71 per layer, with He about 1, 1.5 x He 1.5 per layer (2e5): "
          "explodes. Clipping caps exploding steps.")

pytestmark = pytest.mark.slow

# student -> (solution cells replaced, test cells that must then score 0). The
# other cells keep the reference solution and must keep their points.
WRONG = {
    "numerical_derivative_forward": ({"numerical_derivative": '''
def numerical_derivative(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    return (np.asarray(f(x + h)) - np.asarray(f(x))) / h
'''}, {"test_numerical_derivative"}),
    "numerical_derivative_ignores_h": ({"numerical_derivative": '''
def numerical_derivative(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    step = 1e-5
    return (np.asarray(f(x + step)) - np.asarray(f(x - step))) / (2 * step)
'''}, {"test_numerical_derivative"}),
    "numerical_derivative_over_h": ({"numerical_derivative": '''
def numerical_derivative(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    return (np.asarray(f(x + h)) - np.asarray(f(x - h))) / h
'''}, {"test_numerical_derivative"}),
    # right values, but x is moved in place (and left moved): only the input cell
    "numerical_derivative_in_place": ({"numerical_derivative": '''
def numerical_derivative(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    x += h
    forward = np.array(f(x), dtype=float)
    x -= 2 * h
    backward = np.array(f(x), dtype=float)
    return (forward - backward) / (2 * h)
'''}, {"test_numerical_derivative_input"}),
    # right values as a (nested) Python list: only the type cell
    "numerical_derivative_returns_list": ({"numerical_derivative": '''
def numerical_derivative(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    return ((np.asarray(f(x + h)) - np.asarray(f(x - h))) / (2 * h)).tolist()
'''}, {"test_numerical_derivative_type"}),
    "glorot_uniform_fan_in_only": ({"glorot_uniform": '''
def glorot_uniform(fan_in, fan_out, rng):
    b = math.sqrt(6.0 / fan_in)
    return rng.uniform(-b, b, size=(fan_in, fan_out))
'''}, {"test_glorot_uniform"}),
    # the right variance, the wrong distribution
    "glorot_uniform_normal_draws": ({"glorot_uniform": '''
def glorot_uniform(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
'''}, {"test_glorot_uniform"}),
    "glorot_uniform_transposed": ({"glorot_uniform": '''
def glorot_uniform(fan_in, fan_out, rng):
    b = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-b, b, size=(fan_out, fan_in))
'''}, {"test_glorot_uniform_type"}),  # the right numbers in the wrong shape
    # the right distribution from numpy's global generator, rng ignored
    "glorot_uniform_global_rng": ({"glorot_uniform": '''
def glorot_uniform(fan_in, fan_out, rng):
    b = math.sqrt(6.0 / (fan_in + fan_out))
    return np.random.uniform(-b, b, size=(fan_in, fan_out))
'''}, {"test_glorot_uniform_rng"}),
    # rng used, but numpy's global generator re-seeded "for reproducibility"
    "glorot_uniform_seeds_global": ({"glorot_uniform": '''
def glorot_uniform(fan_in, fan_out, rng):
    np.random.seed(0)
    b = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-b, b, size=(fan_in, fan_out))
'''}, {"test_glorot_uniform_rng"}),
    "he_normal_variance_1_over_fan_in": ({"he_normal": '''
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(1.0 / fan_in), size=(fan_in, fan_out))
'''}, {"test_he_normal"}),
    # the variance 2 / fan_in passed where numpy wants the standard deviation
    "he_normal_std_2_over_fan_in": ({"he_normal": '''
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, 2.0 / fan_in, size=(fan_in, fan_out))
'''}, {"test_he_normal"}),
    "he_normal_fan_out": ({"he_normal": '''
def he_normal(fan_in, fan_out, rng):
    return rng.normal(0.0, math.sqrt(2.0 / fan_out), size=(fan_in, fan_out))
'''}, {"test_he_normal"}),
    # He's variance, uniform draws
    "he_normal_uniform_draws": ({"he_normal": '''
def he_normal(fan_in, fan_out, rng):
    b = math.sqrt(6.0 / fan_in)
    return rng.uniform(-b, b, size=(fan_in, fan_out))
'''}, {"test_he_normal"}),
    # the same uniform draws beside rebound builtins: in the kernel a sample whose len() is 0
    # would skip the distribution checks, and all() would pass anything; the judge runs
    # them where the notebook's names do not reach, so it loses what it loses alone
    "he_normal_rebinds_builtins": ({"he_normal": '''
len = lambda x: 0  # noqa: E731
all = lambda *args: True  # noqa: E731


def he_normal(fan_in, fan_out, rng):
    b = math.sqrt(6.0 / fan_in)
    return rng.uniform(-b, b, size=(fan_in, fan_out))
'''}, {"test_he_normal"}),
    # a fresh, unseeded generator: right distribution, not reproducible
    "he_normal_fresh_generator": ({"he_normal": '''
def he_normal(fan_in, fan_out, rng):
    return np.random.default_rng().normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
'''}, {"test_he_normal_rng"}),
    "clip_per_array": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    out = []
    for g in grads:
        g = np.asarray(g, dtype=float)
        norm = np.linalg.norm(g)
        out.append(g * min(1.0, max_norm / norm) if norm > 0 else g.copy())
    return out
'''}, {"test_clip_by_global_norm"}),
    "clip_mutates_inputs": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    if norm > max_norm:
        for g in grads:
            g *= max_norm / norm
    return list(grads)
'''}, {"test_clip_by_global_norm_input", "test_clip_by_global_norm_type"}),  # ints cannot be scaled in place
    # max_norm / norm applied even below the limit
    "clip_scales_up": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    scale = max_norm / norm if norm > 0 else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]
'''}, {"test_clip_by_global_norm"}),
    # the sum of the arrays' norms is not their global L2 norm
    "clip_sum_of_norms": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = sum(float(np.linalg.norm(g)) for g in grads)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]
'''}, {"test_clip_by_global_norm"}),
    # the square of each array's sum, not the sum of its squares: right for the visible
    # one-number arrays, wrong for the hidden ones
    "clip_square_of_sums": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(g)) ** 2 for g in grads))
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]
'''}, {"test_clip_by_global_norm"}),
    # within the limit: a new list, but of the caller's own float arrays (np.asarray copies
    # only what is not float already): the right values and dtypes, the caller's memory
    "clip_returns_input_arrays": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    if norm <= max_norm:
        return [np.asarray(g, dtype=float) for g in grads]
    return [np.asarray(g, dtype=float) * (max_norm / norm) for g in grads]
'''}, {"test_clip_by_global_norm_input"}),
    # within the limit: new array objects, but views of the caller's arrays
    "clip_returns_views": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    if norm <= max_norm:
        return [np.asarray(g, dtype=float).reshape(np.shape(g)) for g in grads]
    return [np.asarray(g, dtype=float) * (max_norm / norm) for g in grads]
'''}, {"test_clip_by_global_norm_input"}),
    # within the limit: copies that keep an integer dtype
    "clip_keeps_int_dtype": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    if norm <= max_norm:
        return [np.array(g) for g in grads]
    return [np.asarray(g, dtype=float) * (max_norm / norm) for g in grads]
'''}, {"test_clip_by_global_norm_type"}),
    "clip_returns_same_list": ({"clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    norm = math.sqrt(sum(float(np.sum(np.square(g))) for g in grads))
    if norm <= max_norm:
        return grads
    return [np.asarray(g, dtype=float) * (max_norm / norm) for g in grads]
'''}, {"test_clip_by_global_norm_input", "test_clip_by_global_norm_type"}),  # int arrays stay int
}

# Three more correct ways to write each function: every one gets full marks.
ALTERNATIVES = {
    # one point at a time; b * (2u - 1) from rng.random; s * standard normal; one long vector
    "alt_loops_and_scaled_draws": {
        "numerical_derivative": '''
def numerical_derivative(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        out[idx] = (f(x[idx] + h) - f(x[idx] - h)) / (2 * h)
    return out
''',
        "glorot_uniform": '''
def glorot_uniform(fan_in, fan_out, rng):
    b = np.sqrt(6.0 / (fan_in + fan_out))
    return b * (2.0 * rng.random((fan_in, fan_out)) - 1.0)
''',
        "he_normal": '''
def he_normal(fan_in, fan_out, rng):
    return math.sqrt(2.0 / fan_in) * rng.standard_normal((fan_in, fan_out))
''',
        "clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    flat = np.concatenate([np.ravel(g) for g in grads])
    norm = np.linalg.norm(flat)
    scale = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return [np.asarray(g, dtype=float) * scale for g in grads]
''',
    },
    # np.vectorize; keyword arguments of the Generator; PyTorch's clip_coef with its 1e-6
    "alt_vectorize_and_keywords": {
        "numerical_derivative": '''
def numerical_derivative(f, x, h=1e-5):
    def one(v):
        return (f(v + h) - f(v - h)) / (2.0 * h)

    return np.vectorize(one, otypes=[float])(x)
''',
        "glorot_uniform": '''
def glorot_uniform(fan_in, fan_out, rng):
    limit = math.sqrt(3.0) * math.sqrt(2.0 / (fan_in + fan_out))  # sqrt(3) standard deviations
    return rng.uniform(low=-limit, high=limit, size=(fan_in, fan_out))
''',
        "he_normal": '''
def he_normal(fan_in, fan_out, rng):
    return rng.normal(loc=0.0, scale=np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
''',
        "clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    total = math.sqrt(math.fsum(float(np.sum(np.square(g))) for g in grads))
    clip_coef = min(1.0, max_norm / (total + 1e-6))
    return [np.multiply(g, clip_coef, dtype=float) for g in grads]
''',
    },
    # shifted copies; u * 2b - b; Box-Muller from uniform draws; loops with np.vdot
    "alt_copies_and_box_muller": {
        "numerical_derivative": '''
def numerical_derivative(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    plus, minus = x.copy(), x.copy()
    plus += h
    minus -= h
    return (np.asarray(f(plus), dtype=float) - np.asarray(f(minus), dtype=float)) / (h + h)
''',
        "glorot_uniform": '''
def glorot_uniform(fan_in, fan_out, rng):
    b = (6.0 / (fan_in + fan_out)) ** 0.5
    return rng.random(size=(fan_in, fan_out)) * 2.0 * b - b
''',
        "he_normal": '''
def he_normal(fan_in, fan_out, rng):
    u1 = 1.0 - rng.random((fan_in, fan_out))  # in (0, 1]
    u2 = rng.random((fan_in, fan_out))
    z = np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
    return np.sqrt(2.0 / fan_in) * z
''',
        "clip_by_global_norm": '''
def clip_by_global_norm(grads, max_norm):
    squares = 0.0
    for g in grads:
        squares += float(np.vdot(g, g))
    norm = squares**0.5
    factor = max_norm / norm if norm > max_norm else 1.0
    result = []
    for g in grads:
        result.append(np.array(g, dtype=float) * factor)
    return result
''',
    },
}

# he_normal returns zeros that claim the right statistics (np.std, np.var and
# np.mean call these methods) and win every comparison: the visible checks pass.
ALWAYS_TRUE = '''
class AlwaysRight(np.ndarray):
    """Zeros that report the statistics asked for and win every comparison."""

    def std(self, *args, **kwargs):
        return self.claimed_std

    def var(self, *args, **kwargs):
        return self.claimed_std**2

    def mean(self, *args, **kwargs):
        return 0.0

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    __ne__ = __lt__ = __le__ = __gt__ = __ge__ = __eq__

    def __bool__(self):
        return True


def he_normal(fan_in, fan_out, rng):
    w = np.zeros((fan_in, fan_out)).view(AlwaysRight)
    w.claimed_std = math.sqrt(2.0 / fan_in)
    return w
'''
ATTACKED = {"test_he_normal", "test_he_normal_rng"}

# The wrong implementations are graded in groups, at most one per function and
# student (the functions' test cells are independent of each other).
FAMILIES = {
    "numerical_derivative": {"test_numerical_derivative", "test_numerical_derivative_type",
                             "test_numerical_derivative_input"},
    "glorot_uniform": {"test_glorot_uniform", "test_glorot_uniform_type", "test_glorot_uniform_rng"},
    "he_normal": {"test_he_normal", "test_he_normal_type", "test_he_normal_rng"},
    "clip": {"test_clip_by_global_norm", "test_clip_by_global_norm_type", "test_clip_by_global_norm_input"},
}

# student -> the wrong implementations in it, name -> student, student -> its cells
GROUPS, GROUP_OF, GROUPED_ANSWERS = nc.group_by_family(WRONG, FAMILIES)

STUDENTS = ["reference", "untouched", "always_true", *GROUPS, *ALTERNATIVES]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return nc.grade_class(tmp_path_factory, ASSIGNMENT, NOTEBOOK, written={WRITTEN: ANSWER},
                          students={"always_true": {"he_normal": ALWAYS_TRUE},
                                    **GROUPED_ANSWERS, **ALTERNATIVES},
                          feedback_for=[GROUP_OF["clip_square_of_sums"]])


def test_every_student_was_graded_in_one_run(graded):
    assert set(graded.scores) == set(STUDENTS)
    assert len(WRONG) >= 10
    print(f"{len(STUDENTS)} students generated, autograded and read back in {graded.seconds:.0f} s")


def test_points_layout(graded):
    assert graded.full == {
        "test_numerical_derivative": 5, "test_numerical_derivative_type": 1,
        "test_numerical_derivative_input": 1,
        "test_glorot_uniform": 3, "test_glorot_uniform_type": 1, "test_glorot_uniform_rng": 2,
        "test_he_normal": 3, "test_he_normal_type": 1, "test_he_normal_rng": 2,
        "test_clip_by_global_norm": 5, "test_clip_by_global_norm_type": 1,
        "test_clip_by_global_norm_input": 1,
        WRITTEN: 4,
    }
    assert sum(graded.full.values()) == 30


def test_reference_solution_gets_every_autograded_point(graded):
    nc.check_reference(graded)


def test_reference_experiment_runs_under_grading(graded):
    nb = nc.autograded_notebook(graded.course, "reference", ASSIGNMENT, NOTEBOOK)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "experiment"]
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    assert "sigmoid, Glorot: input / output  1.50e-19, per layer  0.236" in text, text
    assert "ReLU, He: input / output  1.35e+00, per layer  1.010" in text, text


def test_untouched_release_scores_zero_and_is_graded(graded):
    nc.check_untouched(graded, "test_clip_by_global_norm")


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
    # In the kernel np.std asks the object itself, which claims the right value; what leaves
    # the judge's sandbox is only the array's numbers, zeros, and the visible check sees them.
    message = nc.error_message(graded, "always_true", "test_he_normal")
    assert message.startswith("the standard deviation should be about sqrt(2 / fan_in)"), message
    assert message.endswith("got 0.0000"), message
    message = nc.error_message(graded, "always_true", "test_he_normal_rng")
    assert "generators with different seeds gave the same weights" in message


@pytest.mark.parametrize("name, grade_id, words", [
    ("glorot_uniform_seeds_global", "test_glorot_uniform_rng", "changed numpy's global random state"),
    ("he_normal_uniform_draws", "test_he_normal", "of the entries lie within +-1 standard deviations"),
    ("he_normal_rebinds_builtins", "test_he_normal", "of the entries lie within +-1 standard deviations"),
    ("clip_square_of_sums", "test_clip_by_global_norm", "global norm 13, max_norm=6.5: array 0 should be"),
])
def test_hidden_tests_say_what_is_wrong(graded, name, grade_id, words):
    message = nc.error_message(graded, GROUP_OF[name], grade_id)
    assert "fails hidden tests:" in message and words in message, message


# The type and input cells are visible: their own message, from the student's kernel.
@pytest.mark.parametrize("name, grade_id, words", [
    ("numerical_derivative_in_place", "test_numerical_derivative_input", "modified its input x"),
    ("numerical_derivative_returns_list", "test_numerical_derivative_type",
     "numerical_derivative(np.sin, a nested list) should return a NumPy array, not list"),
    ("glorot_uniform_transposed", "test_glorot_uniform_type",
     "glorot_uniform(3, 5, rng) should have shape (3, 5), got (5, 3)"),
    ("clip_keeps_int_dtype", "test_clip_by_global_norm_type",
     "for integer arrays, not clipped: array 0 should hold floats, not int64"),
    ("clip_returns_same_list", "test_clip_by_global_norm_input",
     "at the limit: clip_by_global_norm returned the list it was given; return a new list"),
    ("clip_returns_input_arrays", "test_clip_by_global_norm_input",
     "at the limit: array 0 of the result is input array 0 itself"),
    ("clip_returns_views", "test_clip_by_global_norm_input",
     "at the limit: array 0 of the result shares memory with input array 0 (a view)"),
])
def test_visible_checks_say_what_is_wrong(graded, name, grade_id, words):
    message = nc.error_message(graded, GROUP_OF[name], grade_id)
    assert words in message, message


def test_feedback_names_the_problem_and_hides_the_tests(graded):
    html = nc.feedback_html(graded.course, GROUP_OF["clip_square_of_sums"], ASSIGNMENT)
    assert "clip_by_global_norm fails hidden tests:" in html
    assert "global norm 13, max_norm=6.5: array 0 should be [1.5, 2.0], got" in html
    for secret in ("BEGIN HIDDEN TESTS", "_hidden_tests_", "def draw(", "Rubric for the instructor"):
        assert secret not in html
