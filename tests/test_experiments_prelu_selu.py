"""Tests of the experiments of the chapters *Leaky ReLU and PReLU* and *ELU and SELU*."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actgrad.activations import SELU_ALPHA, SELU_LAMBDA, elu, prelu, relu, selu, selu_constants
from actgrad.clipping import clip_by_global_norm
from actgrad.experiments import prelu as px
from actgrad.experiments import selu as sx
from actgrad.gradcheck import numerical_derivative

pytestmark = pytest.mark.unit

SEEDS = range(6)  # the seeds the PReLU chapter uses
SHORT = px.Setting(lr=0.2, clip=1.0, steps=150)


# ---------------------------------------------------------------- dL/dalpha


@pytest.fixture(scope="module")
def layer_problem():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(12, 5))
    V = rng.normal(size=(5, 3))
    T = rng.normal(size=(12, 3))

    def loss(alpha):
        return 0.5 * float(np.sum((prelu(X, alpha) @ V - T) ** 2))

    def grad(alpha):
        return px.alpha_gradient(X, (prelu(X, alpha) @ V - T) @ V.T, alpha)

    return X, loss, grad


def test_alpha_gradient_matches_finite_differences_per_channel_and_shared(layer_problem) -> None:
    X, loss, grad = layer_problem
    alpha = np.array([[0.25, -0.3, 0.8, 0.01, 1.5]])
    analytic, numeric, error = px.check_alpha_gradient(loss, grad, alpha)
    assert analytic.shape == numeric.shape == (1, 5)
    assert error < 1e-7
    assert np.max(np.abs(analytic)) > 0.1  # not trivially zero
    _, _, shared_error = px.check_alpha_gradient(loss, grad, 0.25)
    assert shared_error < 1e-7
    # the shared gradient is the sum of the per-channel ones at equal slopes
    assert float(grad(0.25)) == pytest.approx(float(grad(np.full((1, 5), 0.25)).sum()), rel=1e-12)


def test_a_wrong_slope_gradient_is_caught(layer_problem) -> None:
    X, loss, _ = layer_problem
    rng = np.random.default_rng(7)  # the fixture's V and T, drawn again
    rng.normal(size=(12, 5))
    V, T = rng.normal(size=(5, 3)), rng.normal(size=(12, 3))

    def wrong(alpha):  # a typical slip: max(x, 0) instead of min(x, 0)
        upstream = (prelu(X, alpha) @ V - T) @ V.T
        return np.sum(upstream * np.maximum(X, 0.0), axis=0, keepdims=True)

    _, _, error = px.check_alpha_gradient(loss, wrong, np.full((1, 5), 0.25))
    assert error > 0.1


def test_alpha_gradient_reduces_to_the_shape_of_alpha() -> None:
    x = np.array([[-2.0, 1.0, -1.0], [-3.0, -0.5, 2.0]])
    g = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 1.0]])
    per_channel = px.alpha_gradient(x, g, np.full((1, 3), 0.1))
    np.testing.assert_allclose(per_channel, [[-2.0 - 1.5, 0.5, -3.0]])
    assert float(px.alpha_gradient(x, g, 0.1)) == pytest.approx(per_channel.sum())
    per_row = px.alpha_gradient(x, g, np.full((2, 1), 0.1))
    np.testing.assert_allclose(per_row, [[-5.0], [-1.0]])
    with pytest.raises(ValueError):
        px.alpha_gradient(x, g, np.full((1, 2), 0.1))


def test_network_gradients_match_finite_differences() -> None:
    x, y = px.regression_data(n=10)
    params = px.init_params((2, 4, 3, 1), 0.25, seeds=[0, 1])
    rng = np.random.default_rng(3)
    for name in ("a0", "a1", "b0", "b1"):
        params[name] = params[name] + rng.uniform(-0.3, 0.3, params[name].shape)
    _, grads = px.loss_and_gradients(params, x, y)
    assert set(grads) == set(params)
    for name, value in params.items():
        numeric = np.empty_like(value)
        for k in np.ndindex(value.shape):

            def along(t, name=name, k=k, value=value):
                moved = dict(params)
                moved[name] = value.copy()
                moved[name][k] = float(t)
                return float(px.loss_and_gradients(moved, x, y)[0].sum())

            numeric[k] = float(numerical_derivative(along, value[k]))
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9, err_msg=name)


def test_clip_per_replica_is_clip_by_global_norm_for_each_replica() -> None:
    rng = np.random.default_rng(0)
    grads = {"W": rng.normal(size=(3, 4, 2)), "b": rng.normal(size=(3, 1, 2)) * [[[0.01]], [[1]], [[5]]]}
    grads["W"][0] *= 0.01  # replica 0 is within the limit
    clipped = px.clip_per_replica(grads, 1.0)
    for r in range(3):
        expected = clip_by_global_norm([grads["W"][r], grads["b"][r]], 1.0)
        np.testing.assert_allclose(clipped["W"][r], expected[0], rtol=1e-12)
        np.testing.assert_allclose(clipped["b"][r], expected[1], rtol=1e-12)
    np.testing.assert_array_equal(clipped["W"][0], grads["W"][0])


# ---------------------------------------------------------------- training


def test_prelu_slopes_move_and_fixed_slopes_do_not() -> None:
    learned = px.train(0.25, True, SHORT, seeds=[0, 1])
    fixed = px.train(0.1, False, SHORT, seeds=[0, 1])
    for name in ("a0", "a1"):
        assert learned.alphas[0][name].shape == (2, 1, 32)
        np.testing.assert_array_equal(learned.alphas[0][name], 0.25)
        assert np.mean(np.abs(learned.alphas[-1][name] - 0.25)) > 0.02
        np.testing.assert_array_equal(fixed.alphas[-1][name], 0.1)
    assert learned.loss[-1].max() < learned.loss[0].min()  # it learns
    shared = px.train(0.25, True, SHORT, seeds=[0], shared=True)
    assert shared.alphas[-1]["a0"].shape == (1, 1, 1)


def test_training_is_reproducible_and_replicas_are_independent() -> None:
    both = px.train(0.0, False, SHORT, seeds=[3, 4])
    again = px.train(0.0, False, SHORT, seeds=[3, 4])
    alone = px.train(0.0, False, SHORT, seeds=[4])
    np.testing.assert_array_equal(both.loss, again.loss)
    np.testing.assert_allclose(both.loss[:, 1], alone.loss[:, 0], rtol=1e-12)
    assert both.loss.shape == (len(both.steps), 2)
    assert both.steps[0] == 0 and both.steps[-1] == SHORT.steps


def test_dead_relu_units_get_no_gradient_and_leaky_ones_do() -> None:
    x, y = px.regression_data()
    for alpha, expect_zero in ((0.0, True), (0.1, False)):
        run = px.train(alpha, False, px.Setting(lr=1.0, clip=1.0, steps=300), seeds=SEEDS)
        _, grads = px.loss_and_gradients(run.params, x, y)
        _, cache = px.forward(run.params, x)
        inactive = np.all(cache[0][1] <= 0.0, axis=1)
        assert inactive.any(), "the aggressive setting should switch some first-layer units off"
        norms = np.sqrt(np.sum(grads["W0"] ** 2, axis=1) + grads["b0"][:, 0, :] ** 2)
        if expect_zero:
            assert np.all(norms[inactive] == 0.0)
        else:
            assert np.all(norms[inactive] > 0.0)


def test_aggressive_setting_leaves_more_relu_units_off_than_prelu_units() -> None:
    seeds = SEEDS[:3]  # half of the chapter's seeds keeps the test fast
    relu_run = px.train(0.0, False, px.AGGRESSIVE, seeds)
    prelu_run = px.train(0.25, True, px.AGGRESSIVE, seeds)
    assert not relu_run.diverged.any() and not prelu_run.diverged.any()
    relu_off = relu_run.inactive[-1].mean()
    prelu_off = prelu_run.inactive[-1].mean()
    assert relu_off > 0.1
    assert relu_off > 2 * prelu_off


def test_inactive_fractions_count_units_off_on_every_input() -> None:
    params = px.init_params((2, 3, 1), 0.0, seeds=[0])
    params["b0"][0, 0, :] = [-100.0, 0.0, 100.0]
    x, _ = px.regression_data(n=50)
    np.testing.assert_allclose(px.inactive_fractions(params, x), [[1 / 3]])


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
