"""Tests of the experiments of the chapter *ELU and SELU* (actgrad.experiments.elu_selu)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actgrad.activations import SELU_ALPHA, SELU_LAMBDA, elu, relu, selu, selu_constants
from actgrad.experiments import elu_selu as sx
from actgrad.gradcheck import numerical_derivative

pytestmark = pytest.mark.unit

# ---------------------------------------------------------------- SELU constants


def test_gaussian_expectation_reproduces_known_moments() -> None:
    assert sx.gaussian_expectation(lambda z: z**2, 0.5, 2.0) == pytest.approx(4.25, rel=1e-14)
    assert sx.gaussian_expectation(np.exp, 0.0, 1.0) == pytest.approx(math.exp(0.5), rel=1e-13)
    assert sx.gaussian_expectation(relu) == pytest.approx(1 / math.sqrt(2 * math.pi), rel=1e-14)
    assert sx.gaussian_expectation(lambda z: np.ones_like(z), 3.0, 0.1) == pytest.approx(1.0, rel=1e-14)
    with pytest.raises(ValueError):
        sx.gaussian_expectation(relu, 0.0, 0.0)


def test_newton_reproduces_the_selu_constants() -> None:
    for start in ((1.0, 1.0), (0.5, 0.5), (3.0, 2.0)):
        last = sx.solve_selu_constants(start)[-1]
        assert abs(last.alpha - SELU_ALPHA) < 1e-10
        assert abs(last.lam - SELU_LAMBDA) < 1e-10
        assert last.residual < 1e-13
    alpha, lam = selu_constants()
    last = sx.solve_selu_constants()[-1]
    assert abs(last.alpha - alpha) < 1e-12 and abs(last.lam - lam) < 1e-12


def test_newton_converges_quadratically_from_one_one() -> None:
    residuals = [s.residual for s in sx.solve_selu_constants((1.0, 1.0))]
    assert residuals[0] > 0.1
    assert len(residuals) <= 8
    # once close, each step roughly squares the residual
    assert residuals[4] < 10 * residuals[3] ** 2


def test_selu_equations_vanish_only_at_the_constants() -> None:
    np.testing.assert_allclose(sx.selu_equations(SELU_ALPHA, SELU_LAMBDA), [0.0, 0.0], atol=1e-14)
    assert np.max(np.abs(sx.selu_equations(1.0, 1.0))) > 0.1
    assert abs(sx.selu_equations(SELU_ALPHA, 1.2)[0]) < 1e-14  # the mean ignores lambda
    assert abs(sx.selu_equations(SELU_ALPHA, 1.2)[1]) > 0.1


def test_selu_jacobian_matches_finite_differences() -> None:
    point = np.array([1.3, 0.9])
    jac = sx.selu_jacobian(*point)
    for j in range(2):
        step = np.zeros(2)
        step[j] = 1e-6
        column = (sx.selu_equations(*(point + step)) - sx.selu_equations(*(point - step))) / 2e-6
        np.testing.assert_allclose(jac[:, j], column, rtol=1e-7)


def test_newton_gives_up_loudly() -> None:
    with pytest.raises(RuntimeError, match="did not converge"):
        sx.solve_selu_constants((1.0, 1.0), max_iter=2)


def test_variance_map_has_an_attracting_fixed_point_at_one() -> None:
    mean, var = sx.selu_variance_map(1.0)
    assert abs(mean) < 1e-14 and abs(var - 1.0) < 1e-13
    slope = float(numerical_derivative(lambda v: sx.selu_variance_map(float(v))[1], 1.0, h=1e-4))
    assert 0.0 < slope < 1.0
    assert sx.selu_variance_map(0.25)[1] > 0.25 and sx.selu_variance_map(4.0)[1] < 4.0
    m_elu, v_elu = sx.activation_moments(elu)
    assert 0.1 < m_elu < 0.2 and v_elu < 1.0


# ---------------------------------------------------------------- deep networks


def test_selu_keeps_the_variance_in_a_band_while_relu_shrinks() -> None:
    selu_stats = sx.layer_statistics("selu", depth=32, width=256, n=512, seed=2017)
    relu_stats = sx.layer_statistics("relu", depth=32, width=256, n=512, seed=2017)
    tanh_stats = sx.layer_statistics("tanh", depth=32, width=256, n=512, seed=2017)
    assert np.all((selu_stats.variance > 0.8) & (selu_stats.variance < 1.2))
    assert np.all(np.abs(selu_stats.mean) < 0.1)
    assert relu_stats.variance[-1] < 1e-6 * relu_stats.variance[0]
    assert np.all(np.diff(relu_stats.variance) < 0)
    assert tanh_stats.variance[-1] < 0.1
    assert abs(selu_stats.input_variance - 1.0) < 0.02


def test_selu_with_he_weights_is_not_self_normalising() -> None:
    he = sx.layer_statistics("selu", depth=16, width=128, n=256, seed=1, init="he")
    assert he.variance[-1] > 5.0


def test_same_seed_same_weights_for_every_activation() -> None:
    a = sx.layer_statistics("selu", depth=3, width=16, n=8, seed=5)
    b = sx.layer_statistics("selu", depth=3, width=16, n=8, seed=5)
    np.testing.assert_array_equal(a.variance, b.variance)
    rng = np.random.default_rng(5)
    h = rng.normal(size=(8, 16))
    w = rng.normal(0.0, 1 / 4, size=(16, 16))  # lecun_normal(16, 16) draws N(0, 1/16)
    assert float(selu(h @ w).mean()) == pytest.approx(a.mean[0], rel=1e-12)
    with pytest.raises(ValueError, match="unknown activation"):
        sx.layer_statistics("swish", depth=1)
    with pytest.raises(ValueError, match="unknown init"):
        sx.layer_statistics("selu", depth=1, init="glorot")
