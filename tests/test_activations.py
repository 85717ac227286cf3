"""Tests of the reference activations in ``actgrad.activations``.

Every elementwise activation is described once, in ``CASES``: our function
and derivative, PyTorch's function (``torch.nn.functional``, float64, whose
derivative comes from autograd), and an mpmath closed form of the value and
the derivative. The tests are parametrised over that table.

Where PyTorch's own formula loses relative accuracy, the table marks the
region as not trusted and the tests compare with mpmath at 50 digits there
instead. The regions, found by comparing both to mpmath on the whole grid:

* ``sigmoid`` derivative, x > 15: autograd uses s(1 - s), and 1 - s keeps
  only eps / sigma(-x) relative accuracy; from x = 37 on torch returns
  exactly 0 (the true value at 40 is 4.2e-18).
* ``tanh`` derivative, |x| > 8: autograd uses 1 - tanh(x)^2, which cancels
  the same way (9e-9 relative error at x = 10, exactly 0 from x = 19.1 on).
* exact ``gelu``, x < -5: torch forms Phi(x) as (1 + erf(x / sqrt 2)) / 2,
  which cancels (2e-2 relative error at x = -8, exactly 0 from x = -8.5 on,
  although gelu(-30) = -1.5e-196); we use erfc. Same for its derivative.
* tanh ``gelu`` and ``swish`` (our torch reference is x * sigmoid(beta x)):
  1 + tanh(u) cancels for x < -5, and the sigmoid derivative for
  beta x > 15, as above.

Stability runs under ``np.errstate(over="raise", divide="raise",
invalid="raise")`` with every warning an error. Underflow is left to the
default ("ignore"): the exercise contract allows underflow to 0 (e^-1000 is
0 in float64), and a flush-free implementation would have to mask every
``exp`` and would return 0 where PyTorch returns a subnormal.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

import mpmath as mp
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from numpy.testing import assert_allclose, assert_array_equal

import actgrad.activations as A
from actgrad.gradcheck import check_gradient

pytestmark = pytest.mark.unit

MP_DPS = 50
mp.mp.dps = MP_DPS

TORCH_RTOL = 1e-8  # the contract's agreement with PyTorch
MP_RTOL = 1e-13  # agreement with the 50-digit closed forms
ATOL_UNDERFLOW = 1e-300  # only matters where the true value underflows
GRADCHECK_RTOL = 1e-6  # central difference, h = 1e-5; see actgrad.gradcheck

GRID = np.linspace(-50.0, 50.0, 10001)  # step 0.01, includes 0
SPECIAL = np.array(
    [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e-8, -1e-8, 1e-3, -1e-3, 0.5, -0.5]
    + [1.0, -1.0, 2.0, -2.0, 20.0, -20.0, 37.0, -37.0, 40.0, -40.0, 100.0, -100.0]
    + [700.0, -700.0, 745.0, -745.0, 1000.0, -1000.0]
)
POINTS = np.concatenate([GRID, SPECIAL])
# Points for the mpmath comparison: away from kinks and from the roots of the
# derivatives (where any float formula has only absolute accuracy).
MP_POINTS = [-700.0, -50.0, -37.0, -30.0, -20.0, -10.0, -5.0, -2.5, -0.4, -1e-3, -1e-8]
MP_POINTS += [1e-8, 1e-3, 0.4, 1.5, 2.5, 5.0, 10.0, 20.0, 30.0, 37.0, 50.0, 700.0]

SELU_A = mp.mpf(A.SELU_ALPHA)
SELU_L = mp.mpf(A.SELU_LAMBDA)
KAPPA = mp.mpf("0.044715")


def mp_sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def mp_softplus(x):
    return mp.log1p(mp.exp(x))


def mp_u(x):
    """Argument of tanh in the tanh approximation of GELU."""
    return mp.sqrt(2 / mp.pi) * (x + KAPPA * x**3)


def mp_du(x):
    return mp.sqrt(2 / mp.pi) * (1 + 3 * KAPPA * x**2)


def everywhere(x: np.ndarray) -> np.ndarray:
    return np.ones(np.shape(x), dtype=bool)


def torch_elementwise(fn: Callable[[torch.Tensor], torch.Tensor], x: np.ndarray):
    """PyTorch value and autograd derivative of an elementwise ``fn`` at ``x`` (float64)."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = fn(t)
    y.sum().backward()
    return y.detach().numpy(), t.grad.numpy()


@dataclass(frozen=True)
class Case:
    """One elementwise activation, with its references."""

    name: str
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray], np.ndarray]
    torch_f: Callable[[torch.Tensor], torch.Tensor]
    mp_f: Callable
    mp_df: Callable
    kinks: tuple[float, ...] = ()
    torch_value_ok: Callable[[np.ndarray], np.ndarray] = everywhere
    torch_grad_ok: Callable[[np.ndarray], np.ndarray] = everywhere
    mp_rtol: float = MP_RTOL

    def __repr__(self) -> str:
        return self.name


def _leaky(alpha: float) -> Case:
    return Case(
        f"leaky_relu(alpha={alpha})",
        lambda x: A.leaky_relu(x, alpha=alpha),
        lambda x: A.leaky_relu_grad(x, alpha=alpha),
        lambda t: F.leaky_relu(t, negative_slope=alpha),
        lambda x: x if x > 0 else alpha * x,
        lambda x: mp.mpf(1) if x > 0 else mp.mpf(alpha),
        kinks=(0.0,),
    )


def _elu(alpha: float) -> Case:
    return Case(
        f"elu(alpha={alpha})",
        lambda x: A.elu(x, alpha=alpha),
        lambda x: A.elu_grad(x, alpha=alpha),
        lambda t: F.elu(t, alpha=alpha),
        lambda x: x if x > 0 else alpha * mp.expm1(x),
        lambda x: mp.mpf(1) if x > 0 else alpha * mp.exp(x),
        kinks=(0.0,),
    )


def _swish(beta: float) -> Case:
    return Case(
        f"swish(beta={beta})",
        lambda x: A.swish(x, beta=beta),
        lambda x: A.swish_grad(x, beta=beta),
        lambda t: t * torch.sigmoid(beta * t),
        lambda x: x * mp_sigmoid(beta * x),
        lambda x: mp_sigmoid(beta * x) + beta * x * mp_sigmoid(beta * x) * mp_sigmoid(-beta * x),
        torch_grad_ok=lambda x: beta * x <= 15,
    )


PRELU_ALPHA = 0.25

CASES = [
    Case(
        "sigmoid",
        A.sigmoid,
        A.sigmoid_grad,
        torch.sigmoid,
        mp_sigmoid,
        lambda x: mp_sigmoid(x) * mp_sigmoid(-x),
        torch_grad_ok=lambda x: x <= 15,
    ),
    Case(
        "tanh",
        A.tanh,
        A.tanh_grad,
        torch.tanh,
        mp.tanh,
        lambda x: mp.sech(x) ** 2,
        torch_grad_ok=lambda x: np.abs(x) <= 8,
    ),
    Case(
        "relu",
        A.relu,
        A.relu_grad,
        F.relu,
        lambda x: max(x, mp.mpf(0)),
        lambda x: mp.mpf(1) if x > 0 else mp.mpf(0),
        kinks=(0.0,),
    ),
    _leaky(0.01),
    _leaky(0.2),
    Case(
        f"prelu(alpha={PRELU_ALPHA})",
        lambda x: A.prelu(x, PRELU_ALPHA),
        lambda x: A.prelu_grad(x, PRELU_ALPHA),
        lambda t: F.prelu(t, torch.tensor([PRELU_ALPHA], dtype=torch.float64)),
        lambda x: x if x > 0 else PRELU_ALPHA * x,
        lambda x: mp.mpf(1) if x > 0 else mp.mpf(PRELU_ALPHA),
        kinks=(0.0,),
    ),
    _elu(1.0),
    _elu(0.5),
    _elu(2.0),
    Case(
        "selu",
        A.selu,
        A.selu_grad,
        F.selu,
        lambda x: SELU_L * (x if x > 0 else SELU_A * mp.expm1(x)),
        lambda x: SELU_L * (1 if x > 0 else SELU_A * mp.exp(x)),
        kinks=(0.0,),
    ),
    Case("softplus", A.softplus, A.softplus_grad, F.softplus, mp_softplus, mp_sigmoid),
    Case(
        "silu",
        A.silu,
        A.silu_grad,
        F.silu,
        lambda x: x * mp_sigmoid(x),
        lambda x: mp_sigmoid(x) + x * mp_sigmoid(x) * mp_sigmoid(-x),
    ),
    _swish(1.7),
    _swish(0.5),
    Case(
        "gelu",
        A.gelu,
        A.gelu_grad,
        F.gelu,
        lambda x: x * mp.ncdf(x),
        lambda x: mp.ncdf(x) + x * mp.npdf(x),
        torch_value_ok=lambda x: x >= -5,
        torch_grad_ok=lambda x: x >= -5,
        # Phi(x) has condition number about x^2 for x << 0: rounding x / sqrt(2)
        # alone moves Phi(-36) by 1.4e-13 relatively.
        mp_rtol=1e-12,
    ),
    Case(
        "gelu(approximate='tanh')",
        lambda x: A.gelu(x, approximate="tanh"),
        lambda x: A.gelu_grad(x, approximate="tanh"),
        lambda t: F.gelu(t, approximate="tanh"),
        # = x/2 (1 + tanh u), written as x sigma(2u): 1 + tanh(u) cancels even in
        # mpmath unless it carries about 0.87 |u| digits (4000 at x = -50).
        lambda x: x * mp_sigmoid(2 * mp_u(x)),
        lambda x: mp_sigmoid(2 * mp_u(x)) + x * mp.sech(mp_u(x)) ** 2 * mp_du(x) / 2,
        torch_value_ok=lambda x: x >= -5,
        torch_grad_ok=lambda x: x >= -5,
        # sigma(2u) ~ e^{2u} has condition number |2u| (up to 700 before it
        # underflows): rounding u alone moves it by up to 1.6e-13 relatively.
        mp_rtol=1e-12,
    ),
    Case(
        "mish",
        A.mish,
        A.mish_grad,
        F.mish,
        lambda x: x * mp.tanh(mp_softplus(x)),
        lambda x: mp.tanh(mp_softplus(x)) + x * mp.sech(mp_softplus(x)) ** 2 * mp_sigmoid(x),
    ),
]
CASE_IDS = [c.name for c in CASES]


def mp_eval(fn: Callable, x: np.ndarray) -> np.ndarray:
    return np.array([float(fn(mp.mpf(float(v)))) for v in np.ravel(x)])


# --------------------------------------------------------------------- torch


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_match_torch(case: Case) -> None:
    ours = case.f(POINTS)
    theirs, _ = torch_elementwise(case.torch_f, POINTS)
    ok = case.torch_value_ok(POINTS)
    assert_allclose(ours[ok], theirs[ok], rtol=TORCH_RTOL, atol=ATOL_UNDERFLOW)
    if not ok.all():  # where torch's own value is inaccurate: 50-digit reference
        truth = mp_eval(case.mp_f, POINTS[~ok])
        assert_allclose(ours[~ok], truth, rtol=case.mp_rtol, atol=ATOL_UNDERFLOW)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_derivatives_match_torch_autograd(case: Case) -> None:
    """Including PyTorch's choice at the kinks, which are in POINTS."""
    ours = case.df(POINTS)
    _, theirs = torch_elementwise(case.torch_f, POINTS)
    ok = case.torch_grad_ok(POINTS)
    assert_allclose(ours[ok], theirs[ok], rtol=TORCH_RTOL, atol=ATOL_UNDERFLOW)
    if not ok.all():  # where autograd's formula is inaccurate: 50-digit reference
        truth = mp_eval(case.mp_df, POINTS[~ok])
        assert_allclose(ours[~ok], truth, rtol=case.mp_rtol, atol=ATOL_UNDERFLOW)


# ------------------------------------------------------------------- mpmath


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_values_and_derivatives_match_mpmath(case: Case) -> None:
    x = np.array(MP_POINTS)
    assert_allclose(case.f(x), mp_eval(case.mp_f, x), rtol=case.mp_rtol, atol=ATOL_UNDERFLOW)
    assert_allclose(case.df(x), mp_eval(case.mp_df, x), rtol=case.mp_rtol, atol=ATOL_UNDERFLOW)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_mpmath_closed_form_derivatives_are_derivatives(case: Case) -> None:
    """The table's closed-form derivatives agree with mpmath's numerical ``diff``."""
    for x in [-3.3, -1.1, -0.2, 0.3, 1.2, 4.4]:
        x = mp.mpf(x)
        assert mp.almosteq(case.mp_df(x), mp.diff(case.mp_f, x), rel_eps=mp.mpf(10) ** -30)


# --------------------------------------------------------- finite difference


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_derivative_matches_finite_difference(case: Case) -> None:
    x = np.linspace(-50.0, 50.0, 4001)
    for kink in case.kinks:  # the central difference straddles a kink within h
        x = x[np.abs(x - kink) > 1e-3]
    error = check_gradient(case.f, case.df, x, h=1e-5, rtol=GRADCHECK_RTOL)
    assert error <= GRADCHECK_RTOL


# ----------------------------------------------------------------- stability


@contextmanager
def _strict():
    """Over/divide/invalid raise, every warning is an error (see the module docstring)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
            yield


WIDE = np.linspace(-1000.0, 1000.0, 20001)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_stable_on_wide_range(case: Case) -> None:
    with _strict():
        values = case.f(WIDE)
        grads = case.df(WIDE)
    assert np.all(np.isfinite(values))
    assert np.all(np.isfinite(grads))


def test_strict_context_catches_overflow() -> None:
    """The stability test would notice a naive formula."""
    with pytest.raises(FloatingPointError), _strict():
        1.0 / (1.0 + np.exp(-WIDE))


# -------------------------------------------------------------------- shapes


def _shape_inputs():
    rng = np.random.default_rng(7)
    return [
        0.7,
        -3,
        [-1.5, 0.0, 2.5],
        [[1.0, -2.0], [3.0, -4.0]],
        np.array(-0.25),
        np.array([0.5, -0.5, 4.0]),
        rng.normal(size=(3, 4)) * 5,
        rng.normal(size=(2, 3, 4)) * 5,
        np.arange(-4, 5),  # integers
        np.array([], dtype=np.float64),
    ]


ELEMENTWISE = [(c.name, c.f) for c in CASES] + [(c.name + " grad", c.df) for c in CASES]


@pytest.mark.parametrize(("name", "fn"), ELEMENTWISE, ids=[n for n, _ in ELEMENTWISE])
def test_shapes_dtype_and_no_mutation(name: str, fn: Callable) -> None:
    for x in _shape_inputs():
        original = np.array(x, copy=True)
        out = fn(x)
        assert isinstance(out, np.ndarray), (name, x)
        assert out.dtype == np.float64, (name, x)
        assert out.shape == np.shape(x), (name, x)
        assert out is not x
        assert_array_equal(np.asarray(x), original)  # input untouched
        if isinstance(x, np.ndarray):
            assert x.dtype == original.dtype
            assert not np.shares_memory(out, x)
        # elementwise: the same numbers as one flat call
        flat = fn(np.asarray(x, dtype=np.float64).ravel())
        assert_array_equal(out.ravel(), flat)


def test_output_never_aliases_a_float64_input() -> None:
    x = np.linspace(-3, 3, 7)
    for _, fn in ELEMENTWISE:
        out = fn(x)
        out[...] = 123.0
        assert x[0] == -3.0


# ------------------------------------------------------------ kinks, torch


KINK_TABLE = [
    # (name, our derivative, torch function, value we expect at 0)
    ("relu", A.relu_grad, F.relu, 0.0),
    ("leaky_relu", A.leaky_relu_grad, F.leaky_relu, 0.01),
    ("leaky_relu(0.2)", lambda x: A.leaky_relu_grad(x, 0.2), lambda t: F.leaky_relu(t, 0.2), 0.2),
    ("elu", A.elu_grad, F.elu, 1.0),
    ("elu(0.5)", lambda x: A.elu_grad(x, 0.5), lambda t: F.elu(t, 0.5), 0.5),
    ("elu(2.0)", lambda x: A.elu_grad(x, 2.0), lambda t: F.elu(t, 2.0), 2.0),
    ("selu", A.selu_grad, F.selu, A.SELU_LAMBDA * A.SELU_ALPHA),
    (
        "prelu(0.25)",
        lambda x: A.prelu_grad(x, 0.25),
        lambda t: F.prelu(t, torch.tensor([0.25], dtype=torch.float64)),
        0.25,
    ),
]


@pytest.mark.parametrize(
    ("name", "ours", "torch_f", "expected"), KINK_TABLE, ids=[k[0] for k in KINK_TABLE]
)
def test_kink_convention_is_torch_autograd(name, ours, torch_f, expected) -> None:
    """At x = 0 (and -0.0) we return the left derivative, like PyTorch's autograd."""
    x = np.array([0.0, -0.0])
    _, torch_grad = torch_elementwise(torch_f, x)
    assert_array_equal(torch_grad, [expected, expected])
    assert_array_equal(ours(x), [expected, expected])


def test_prelu_alpha_gradient_matches_torch() -> None:
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(size=20) * 3, [0.0, -0.0]])
    alpha = rng.uniform(0.05, 0.5, size=x.size)
    # torch's PReLU takes one slope per channel (dim 1): one channel per element
    xt = torch.tensor(x[np.newaxis, :], dtype=torch.float64)
    at = torch.tensor(alpha, dtype=torch.float64, requires_grad=True)
    F.prelu(xt, at).sum().backward()
    assert_allclose(A.prelu_grad_alpha(x, alpha), at.grad.numpy(), rtol=0, atol=0)
    assert_array_equal(A.prelu_grad_alpha(x, alpha), np.minimum(x, 0.0))
    assert_allclose(A.prelu(x, alpha), F.prelu(xt, at).detach().numpy()[0], rtol=1e-15)


def test_prelu_broadcasts_per_channel_slopes() -> None:
    x = np.array([[-1.0, -2.0, 3.0], [4.0, -5.0, -6.0]])
    alpha = np.array([0.1, 0.2, 0.3])
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    at = torch.tensor(alpha, dtype=torch.float64, requires_grad=True)
    y = F.prelu(xt, at)  # channels along dim 1
    y.sum().backward()
    assert_allclose(A.prelu(x, alpha), y.detach().numpy(), rtol=1e-15)
    assert_allclose(A.prelu_grad(x, alpha), xt.grad.numpy(), rtol=1e-15)
    assert_allclose(A.prelu_grad_alpha(x, alpha).sum(axis=0), at.grad.numpy(), rtol=1e-15)
    assert A.prelu_grad_alpha(x, alpha).shape == x.shape


# ------------------------------------------------------- parameters honoured

X_PARAM = np.linspace(-5, 5, 101)
NEG, POS = X_PARAM < 0, X_PARAM > 0


@pytest.mark.parametrize(
    ("fn", "a", "b", "ratio_neg"),
    [
        (A.leaky_relu, 0.01, 0.3, 30.0),
        (A.leaky_relu_grad, 0.01, 0.3, 30.0),
        (A.elu, 1.0, 0.25, 0.25),
        (A.elu_grad, 1.0, 0.25, 0.25),
        (A.prelu, 0.05, 0.2, 4.0),
        (A.prelu_grad, 0.05, 0.2, 4.0),
    ],
)
def test_alpha_scales_only_the_negative_side(fn, a, b, ratio_neg) -> None:
    out_a, out_b = fn(X_PARAM, a), fn(X_PARAM, b)
    assert_array_equal(out_a[POS], out_b[POS])
    assert_allclose(out_b[NEG], ratio_neg * out_a[NEG], rtol=1e-14)
    assert np.all(out_a[NEG] != out_b[NEG])


def test_alpha_keyword_names() -> None:
    assert_array_equal(A.leaky_relu(X_PARAM, alpha=0.2), A.leaky_relu(X_PARAM, 0.2))
    assert_array_equal(A.leaky_relu(X_PARAM), A.leaky_relu(X_PARAM, 0.01))
    assert_array_equal(A.elu(X_PARAM), A.elu(X_PARAM, alpha=1.0))
    assert_array_equal(A.elu_grad(X_PARAM), A.elu_grad(X_PARAM, alpha=1.0))


def test_swish_beta() -> None:
    assert_array_equal(A.swish(X_PARAM), A.silu(X_PARAM))
    assert_array_equal(A.swish_grad(X_PARAM), A.silu_grad(X_PARAM))
    assert_allclose(A.swish(X_PARAM, beta=0.0), X_PARAM / 2, rtol=1e-15)
    assert_allclose(A.swish_grad(X_PARAM, beta=0.0), 0.5, rtol=1e-15)
    # a sharp gate approaches ReLU
    assert_allclose(A.swish(X_PARAM, beta=1e3), A.relu(X_PARAM), atol=1e-3)
    assert not np.allclose(A.swish(X_PARAM, beta=2.0), A.swish(X_PARAM, beta=1.0))


def test_gelu_approximate_selects_formula() -> None:
    exact, approx = A.gelu(X_PARAM), A.gelu(X_PARAM, approximate="tanh")
    assert_array_equal(exact, A.gelu(X_PARAM, approximate="none"))
    gap = np.max(np.abs(exact - approx))
    assert 1e-4 < gap < 1e-3  # close, but not the same function
    grad_gap = np.max(np.abs(A.gelu_grad(X_PARAM) - A.gelu_grad(X_PARAM, approximate="tanh")))
    assert 1e-4 < grad_gap < 1e-2


@pytest.mark.parametrize("fn", [A.gelu, A.gelu_grad])
@pytest.mark.parametrize("bad", ["exact", "Tanh", "", None, 1])
def test_gelu_rejects_unknown_approximate(fn, bad) -> None:
    with pytest.raises(ValueError, match="'none' or 'tanh'"):
        fn(X_PARAM, approximate=bad)


def test_gelu_is_fast_enough() -> None:
    """The exact GELU loops over math.erfc; 1e5 elements must stay well under a second."""
    x = np.linspace(-10, 10, 100_000)
    start = time.perf_counter()
    A.gelu(x)
    A.gelu_grad(x)
    assert time.perf_counter() - start < 0.5


# -------------------------------------------------------- closed-form facts


def test_sigmoid_facts() -> None:
    x = np.linspace(-10, 10, 2001)
    assert float(A.sigmoid(0.0)) == 0.5
    assert float(A.sigmoid_grad(0.0)) == 0.25
    assert np.max(A.sigmoid_grad(x)) == 0.25  # the maximum, at 0
    assert np.all(A.sigmoid_grad(x[x != 0]) < 0.25)
    assert_allclose(A.sigmoid(-x), 1 - A.sigmoid(x), atol=1e-16)
    assert_allclose(A.sigmoid_grad(x), A.sigmoid(x) * A.sigmoid(-x), rtol=1e-15)


def test_tanh_facts() -> None:
    x = np.linspace(-20, 20, 4001)
    assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, rtol=0, atol=4e-16)
    assert float(A.tanh_grad(0.0)) == 1.0
    assert np.all(A.tanh_grad(x[x != 0]) < 1.0)
    assert_allclose(A.tanh_grad(x), 4 * A.sigmoid_grad(2 * x), rtol=1e-15)
    assert_allclose(A.tanh_grad(x[np.abs(x) < 5]), 1 - np.tanh(x[np.abs(x) < 5]) ** 2, rtol=1e-11)


def _golden_section_minimum(f, lo: float, hi: float, tol: float = 1e-10) -> float:
    invphi = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - invphi * (b - a), a + invphi * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - invphi * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + invphi * (b - a)
            fd = f(d)
    return (a + b) / 2


def test_gelu_minimum() -> None:
    x_min = _golden_section_minimum(lambda t: float(A.gelu(t)), -2.0, 0.0)
    # the golden-section search only sees values, so it finds the minimum to
    # about sqrt(eps) ~ 1e-8
    assert abs(x_min - (-0.7518)) < 1e-4
    assert abs(float(A.gelu(x_min)) - (-0.1700)) < 1e-4
    grid = np.linspace(-2, 0, 200_001)
    assert abs(grid[np.argmin(A.gelu(grid))] - x_min) < 2e-5
    # the 50-digit root of the exact derivative
    root = mp.findroot(lambda t: mp.ncdf(t) + t * mp.npdf(t), -0.75)
    assert abs(x_min - float(root)) < 1e-7
    assert abs(float(A.gelu_grad(float(root)))) < 1e-15
    assert_allclose(float(A.gelu(x_min)), float(root * mp.ncdf(root)), rtol=1e-13)


def test_selu_constants_from_closed_form() -> None:
    alpha, scale = A.selu_constants()
    assert abs(alpha / A.SELU_ALPHA - 1) < 1e-15
    assert abs(scale / A.SELU_LAMBDA - 1) < 1e-15
    # the same closed form at 50 digits rounds to exactly the constants
    c = mp.erfc(1 / mp.sqrt(2))
    e = mp.e
    alpha_mp = -mp.sqrt(2 / mp.pi) / (c * mp.sqrt(e) - 1)
    scale_mp = (
        (1 - c * mp.sqrt(e))
        * mp.sqrt(2 * mp.pi)
        / mp.sqrt(
            2 * mp.erfc(mp.sqrt(2)) * e**2
            + mp.pi * c**2 * e
            - 2 * (2 + mp.pi) * c * mp.sqrt(e)
            + mp.pi
            + 2
        )
    )
    assert float(alpha_mp) == A.SELU_ALPHA
    assert float(scale_mp) == A.SELU_LAMBDA
    # and PyTorch uses them
    t = torch.tensor([1.0, -1000.0], dtype=torch.float64)
    assert F.selu(t).tolist() == [A.SELU_LAMBDA, -A.SELU_LAMBDA * A.SELU_ALPHA]


def test_selu_maps_standard_normal_to_mean_0_variance_1() -> None:
    """The fixed point the constants are chosen for: E[selu(Z)] = 0, E[selu(Z)^2] = 1."""

    def selu_mp(z):
        return SELU_L * (z if z > 0 else SELU_A * mp.expm1(z))

    mean = mp.quad(lambda z: selu_mp(z) * mp.npdf(z), [-mp.inf, 0, mp.inf])
    second = mp.quad(lambda z: selu_mp(z) ** 2 * mp.npdf(z), [-mp.inf, 0, mp.inf])
    # exact up to the rounding of the constants to doubles
    assert abs(mean) < 1e-15
    assert abs(second - 1) < 1e-15


def test_other_landmarks() -> None:
    assert float(A.softplus(0.0)) == pytest.approx(math.log(2), rel=1e-15)
    assert float(A.mish_grad(0.0)) == pytest.approx(0.6, rel=1e-15)
    assert float(A.silu_grad(0.0)) == 0.5
    assert float(A.gelu_grad(0.0)) == 0.5
    assert float(A.gelu_grad(0.0, approximate="tanh")) == 0.5
    assert_allclose(A.softplus(WIDE[WIDE > 40]), WIDE[WIDE > 40], rtol=1e-15)
    assert_allclose(A.softplus(-40.0), math.exp(-40.0), rtol=1e-15)


# ------------------------------------------------------------------ softmax

RNG = np.random.default_rng(2024)
Z3 = RNG.normal(size=(3, 4, 5)) * 30


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2])
def test_softmax_and_log_softmax_match_torch(axis: int) -> None:
    zt = torch.tensor(Z3, dtype=torch.float64)
    assert_allclose(A.softmax(Z3, axis=axis), F.softmax(zt, dim=axis).numpy(), rtol=1e-12,
                    atol=ATOL_UNDERFLOW)
    assert_allclose(A.log_softmax(Z3, axis=axis), F.log_softmax(zt, dim=axis).numpy(),
                    rtol=1e-12, atol=1e-14)
    assert_allclose(np.sum(A.softmax(Z3, axis=axis), axis=axis), 1.0, rtol=0, atol=1e-15)


def test_softmax_default_axis_is_last_and_axis_matters() -> None:
    assert_array_equal(A.softmax(Z3), A.softmax(Z3, axis=-1))
    assert_array_equal(A.log_softmax(Z3), A.log_softmax(Z3, axis=2))
    assert not np.allclose(A.softmax(Z3, axis=0), A.softmax(Z3, axis=2))


@pytest.mark.parametrize("shift", [1000.0, -1000.0, 123.456, -1e-3])
def test_softmax_invariant_to_a_constant(shift: float) -> None:
    z = Z3 / 10
    # adding 1000 rounds z by up to 1.1e-13, which moves s by as much relatively
    assert_allclose(A.softmax(z + shift), A.softmax(z), rtol=1e-12)
    assert_allclose(A.log_softmax(z + shift), A.log_softmax(z), rtol=1e-11, atol=1e-12)


def test_log_softmax_is_log_of_softmax() -> None:
    z = Z3 * 10  # spread enough for some probabilities to underflow
    s = A.softmax(z, axis=1)
    log_s = A.log_softmax(z, axis=1)
    defined = s > 1e-300
    assert not defined.all()
    # log(s) has absolute error eps where s is close to 1, hence the atol
    assert_allclose(log_s[defined], np.log(s[defined]), rtol=1e-13, atol=1e-15)
    assert np.all(np.isfinite(log_s))
    assert np.all(log_s[~defined] < -690)


def test_sigmoid_is_two_class_softmax() -> None:
    x = np.linspace(-50, 50, 1001)
    pair = np.stack([x, np.zeros_like(x)], axis=-1)
    assert_allclose(A.softmax(pair)[:, 0], A.sigmoid(x), rtol=1e-15, atol=ATOL_UNDERFLOW)
    assert_allclose(A.log_softmax(pair)[:, 0], -A.softplus(-x), rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize(
    "z", [[0.3, -1.2, 2.0, 0.0], [5.0], [1.0, 1.0, 1.0], list(np.random.default_rng(1).normal(size=7))]
)
def test_softmax_jacobian(z) -> None:
    z = np.array(z)
    s = A.softmax(z)
    jac = A.softmax_jacobian(z)
    assert jac.shape == (z.size, z.size)
    assert_allclose(jac, np.diag(s) - np.outer(s, s), rtol=1e-14, atol=1e-16)
    assert_allclose(jac, jac.T, rtol=0, atol=1e-16)
    assert_allclose(jac.sum(axis=1), 0.0, atol=1e-15)
    # central differences, column j = d s / d z_j
    h = 1e-6
    fd = np.empty_like(jac)
    for j in range(z.size):
        e = np.zeros_like(z)
        e[j] = h
        fd[:, j] = (A.softmax(z + e) - A.softmax(z - e)) / (2 * h)
    assert_allclose(jac, fd, rtol=1e-6, atol=1e-9)
    # and PyTorch's autograd Jacobian
    tj = torch.autograd.functional.jacobian(
        lambda t: F.softmax(t, dim=0), torch.tensor(z, dtype=torch.float64)
    )
    assert_allclose(jac, tj.numpy(), rtol=1e-8, atol=1e-16)


def test_softmax_jacobian_diagonal_keeps_relative_accuracy() -> None:
    """s_i (1 - s_i) for s_i close to 1, against 50 digits."""
    z = np.array([30.0, 0.0, -5.0])
    mz = [mp.mpf(v) for v in z]
    total = sum(mp.exp(v) for v in mz)
    s = [mp.exp(v) / total for v in mz]
    expected = np.array(
        [[float((1 if i == j else 0) * s[i] - s[i] * s[j]) for j in range(3)] for i in range(3)]
    )
    assert_allclose(A.softmax_jacobian(z), expected, rtol=1e-13)


@pytest.mark.parametrize("z", [0.5, [[1.0, 2.0]], np.zeros((2, 2, 2))])
def test_softmax_jacobian_needs_1d(z) -> None:
    with pytest.raises(ValueError, match="1-D"):
        A.softmax_jacobian(z)


SOFTMAX_EXTREMES = [
    [1000.0, -1000.0, 0.0, 1000.0],
    [-1000.0] * 5,
    [1000.0] * 3,
    [1000.0, -1000.0],
    list(np.random.default_rng(5).choice([-1000.0, 1000.0], size=50)),
]


@pytest.mark.parametrize("z", SOFTMAX_EXTREMES)
def test_softmax_stable_on_extremes(z) -> None:
    z = np.array(z)
    with _strict():
        s = A.softmax(z)
        log_s = A.log_softmax(z)
        jac = A.softmax_jacobian(z)
        s2 = A.softmax(np.stack([z, -z]), axis=1)
    for out in (s, log_s, jac, s2):
        assert np.all(np.isfinite(out))
    assert_allclose(s.sum(), 1.0, rtol=1e-15)
    top = z == z.max()
    assert_allclose(s[top], 1 / top.sum(), rtol=1e-15)
    assert_allclose(log_s[top], -math.log(top.sum()), atol=1e-15)


@pytest.mark.parametrize("fn", [A.softmax, A.log_softmax])
def test_softmax_shapes_and_no_mutation(fn) -> None:
    for z in [[1.0, 2.0], [[1, 2, 3], [4, 5, 6]], Z3.copy(), np.arange(6)]:
        original = np.array(z, copy=True)
        out = fn(z)
        assert isinstance(out, np.ndarray)
        assert out.dtype == np.float64
        assert out.shape == np.shape(z)
        assert out is not z
        assert_array_equal(np.asarray(z), original)


# ------------------------------------------------------------------- maxout


def _torch_maxout(z: np.ndarray, k: int, axis: int):
    """Value and autograd mask of maxout in torch: ``max(dim)`` over groups of k."""
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    moved = t.movedim(axis, -1)
    grouped = moved.reshape(*moved.shape[:-1], moved.shape[-1] // k, k)
    value = grouped.max(dim=-1).values  # torch.max(dim) takes the first max on ties
    value.sum().backward()
    return value.movedim(-1, axis).detach().numpy(), t.grad.numpy()


@pytest.mark.parametrize(
    ("shape", "k", "axis"),
    [((12,), 3, -1), ((4, 12), 4, -1), ((6, 5), 2, 0), ((2, 6, 3), 3, 1), ((2, 3, 8), 1, 2)],
)
def test_maxout_matches_torch(shape, k, axis) -> None:
    rng = np.random.default_rng(11)
    z = rng.normal(size=shape)
    z[..., 0] = np.round(z[..., 0])  # and some ties
    z = np.round(z * 2) / 2
    value, mask = _torch_maxout(z, k, axis)
    out = A.maxout(z, k, axis=axis)
    expected_shape = list(shape)
    expected_shape[axis] //= k
    assert out.shape == tuple(expected_shape)
    assert_array_equal(out, value)
    grad = A.maxout_grad(z, k, axis=axis)
    assert grad.shape == z.shape
    assert grad.dtype == np.float64
    assert_array_equal(grad, mask)
    # exactly one 1 per group
    assert_array_equal(A.maxout(grad, k, axis=axis), 1.0)
    assert grad.sum() == out.size


def test_maxout_ties_take_the_first_maximum() -> None:
    z = np.array([1.0, 1.0, 0.0, 2.0, 2.0, 2.0])
    assert_array_equal(A.maxout(z, 3), [1.0, 2.0])
    assert_array_equal(A.maxout_grad(z, 3), [1, 0, 0, 1, 0, 0])
    assert_array_equal(A.maxout_grad(z, 2), [1, 0, 0, 1, 1, 0])


def test_maxout_default_axis_and_identity() -> None:
    z = np.arange(12.0).reshape(3, 4)
    assert_array_equal(A.maxout(z, 2), A.maxout(z, 2, axis=1))
    assert_array_equal(A.maxout(z, 2), z[:, 1::2])
    assert_array_equal(A.maxout(z, 3, axis=0), z[2:3])
    assert_array_equal(A.maxout(z, 1), z)
    assert_array_equal(A.maxout_grad(z, 1), np.ones_like(z))


@pytest.mark.parametrize(
    ("z", "k", "axis", "error", "match"),
    [
        (np.zeros(10), 3, -1, ValueError, "not divisible"),
        (np.zeros((4, 6)), 4, -1, ValueError, "not divisible"),
        (np.zeros((4, 6)), 3, 0, ValueError, "not divisible"),
        (np.zeros(6), 0, -1, ValueError, "at least 1"),
        (np.zeros(6), 2.0, -1, TypeError, "integer"),
        (1.0, 1, -1, ValueError, "dimension"),
    ],
)
@pytest.mark.parametrize("fn", [A.maxout, A.maxout_grad])
def test_maxout_errors(fn, z, k, axis, error, match) -> None:
    with pytest.raises(error, match=match):
        fn(z, k, axis=axis)


@pytest.mark.parametrize("fn", [A.maxout, A.maxout_grad])
def test_maxout_input_untouched_and_lists(fn) -> None:
    z = np.array([[3.0, -1.0, 2.0, 8.0]])
    original = z.copy()
    out = fn(z, 2)
    assert out is not z
    assert_array_equal(z, original)
    assert_array_equal(fn([[3, -1, 2, 8]], 2), out)  # int lists work
    with _strict():
        assert np.all(np.isfinite(fn(np.array([1000.0, -1000.0, -1000.0, 1000.0]), 2)))


def test_all_public_names_exported() -> None:
    for name in A.__all__:
        assert hasattr(A, name)
    contract = """sigmoid sigmoid_grad tanh tanh_grad relu relu_grad leaky_relu leaky_relu_grad
        elu elu_grad softplus softplus_grad silu silu_grad gelu gelu_grad softmax log_softmax
        softmax_jacobian""".split()
    assert set(contract) <= set(A.__all__)
