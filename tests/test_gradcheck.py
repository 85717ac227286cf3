"""Tests of ``actgrad.gradcheck``: the central difference, the relative error and the check."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from actgrad.gradcheck import check_gradient, numerical_derivative, relative_error

pytestmark = pytest.mark.unit

X = np.linspace(-3.0, 3.0, 61)


def test_numerical_derivative_is_the_central_difference() -> None:
    for h in [1e-5, 1e-3, 0.1]:
        expected = (np.exp(X + h) - np.exp(X - h)) / (2 * h)
        assert_array_equal(numerical_derivative(np.exp, X, h=h), expected)


def test_central_difference_error_is_h_squared() -> None:
    """For x^3 the central difference is exactly 3x^2 + h^2 (up to rounding)."""
    x = np.array([-2.0, 0.0, 1.0, 5.0])
    for h in [0.1, 0.01]:
        assert_allclose(numerical_derivative(lambda t: t**3, x, h=h), 3 * x**2 + h**2,
                        rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    ("f", "df"),
    [(np.sin, np.cos), (np.exp, np.exp), (np.tanh, lambda t: 1 / np.cosh(t) ** 2),
     (lambda t: t**2, lambda t: 2 * t)],
)
def test_numerical_derivative_matches_known_derivatives(f, df) -> None:
    assert_allclose(numerical_derivative(f, X), df(X), rtol=1e-9, atol=1e-10)


def test_numerical_derivative_shapes_and_inputs() -> None:
    grid = X.reshape(61, 1) * np.ones((1, 2))
    for x in [0.3, [0.1, 0.2], grid, grid.reshape(2, 61, 1), np.arange(4)]:
        original = np.array(x, copy=True)
        d = numerical_derivative(np.sin, x)
        assert isinstance(d, np.ndarray)
        assert d.dtype == np.float64
        assert d.shape == np.shape(x)
        assert_array_equal(np.asarray(x), original)
        assert_allclose(d, np.cos(np.asarray(x, dtype=float)), rtol=1e-9)


def test_numerical_derivative_default_step() -> None:
    h = 1e-5
    assert_array_equal(numerical_derivative(np.sin, X), (np.sin(X + h) - np.sin(X - h)) / (2 * h))


@pytest.mark.parametrize("h", [0.0, -1e-5, float("nan"), float("inf")])
def test_numerical_derivative_rejects_bad_step(h) -> None:
    with pytest.raises(ValueError, match="h must be"):
        numerical_derivative(np.sin, X, h=h)


def test_relative_error_definition() -> None:
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error(0.0, 0.0) == 0.0  # not 0/0
    assert relative_error([1.0, 0.0], [1.25, 0.0]) == pytest.approx(0.2, rel=1e-15)
    assert relative_error(1.0, -1.0) == 2.0
    assert relative_error(1e-30, 0.0) == 1.0  # relative even for tiny values
    assert relative_error(1e-30, 0.0, floor=1e-10) == pytest.approx(1e-20)  # floor: absolute
    a, b = np.array([3.0, -1.0, 1e-8]), np.array([3.3, -1.0, 2e-8])
    assert relative_error(a, b) == relative_error(b, a) == pytest.approx(0.5)
    assert relative_error([], []) == 0.0
    assert math.isnan(relative_error([1.0, np.nan], [1.0, 1.0]))
    assert isinstance(relative_error(a, b), float)


def test_relative_error_rejects_non_positive_floor() -> None:
    with pytest.raises(ValueError, match="floor"):
        relative_error(1.0, 1.0, floor=0.0)


def test_check_gradient_accepts_a_correct_derivative() -> None:
    error = check_gradient(np.sin, np.cos, X)
    assert 0.0 <= error < 1e-8
    assert check_gradient(np.sin, np.cos, 0.5) < 1e-8  # scalar input
    assert check_gradient(np.exp, np.exp, X[:60].reshape(3, 4, 5)) < 1e-8  # any shape


def test_check_gradient_returns_the_max_relative_error() -> None:
    error = check_gradient(np.exp, np.exp, X)
    assert error == relative_error(np.exp(X), numerical_derivative(np.exp, X), floor=1e-4)


def test_check_gradient_names_the_worst_input() -> None:
    def wrong(t):
        return np.cos(t) + np.where(t == X[40], 1e-3, 0.0)

    with pytest.raises(AssertionError) as info:
        check_gradient(np.sin, wrong, X)
    message = str(info.value)
    assert repr(float(X[40])) in message
    assert "index (40,)" in message
    assert "rtol" in message


def test_check_gradient_catches_a_classic_mistake() -> None:
    """sigmoid'(x) written as sigmoid(x) * (1 + sigmoid(x)): wrong everywhere."""

    def sigmoid(t):
        return 1 / (1 + np.exp(-t))

    with pytest.raises(AssertionError, match="gradient check failed"):
        check_gradient(sigmoid, lambda t: sigmoid(t) * (1 + sigmoid(t)), X)


def test_check_gradient_rtol_and_floor() -> None:
    def slightly_off(t):
        return np.cos(t) * (1 + 1e-5)

    with pytest.raises(AssertionError):
        check_gradient(np.sin, slightly_off, X)  # 1e-5 > rtol 1e-6
    assert check_gradient(np.sin, slightly_off, X, rtol=1e-4) < 1e-4
    # a tiny derivative: sigmoid at 30 is 1 - 9e-14, its derivative 9.4e-14,
    # and the finite difference is rounding noise of size eps / h ~ 1e-11
    x = np.array([30.0])

    def sig(t):
        return 1 / (1 + np.exp(-t))

    def dsig(t):
        return np.exp(-t) / (1 + np.exp(-t)) ** 2

    assert check_gradient(sig, dsig, x) <= 1e-6  # absolute below the floor
    with pytest.raises(AssertionError):
        check_gradient(sig, dsig, x, floor=1e-300)  # purely relative: noise dominates


def test_check_gradient_fails_on_nan_and_shape_mismatch() -> None:
    with pytest.raises(AssertionError, match="nan"):
        check_gradient(np.sin, lambda t: np.where(t > 1, np.nan, np.cos(t)), X)
    with pytest.raises(AssertionError, match="shape"):
        check_gradient(np.sin, lambda t: np.cos(t)[:-1], X)


def test_check_gradient_does_not_mutate_input() -> None:
    x = X.copy()
    check_gradient(np.sin, np.cos, x)
    assert_array_equal(x, X)
