"""Tests of the experiments of the chapter *Leaky ReLU and PReLU* (actgrad.experiments.leaky_relu)."""

from __future__ import annotations

import numpy as np
import pytest

from actgrad.activations import prelu
from actgrad.clipping import clip_by_global_norm
from actgrad.datasets import regression_data
from actgrad.experiments import leaky_relu as px
from actgrad.network import check_gradients, train

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


@pytest.mark.parametrize("shared", [False, True])
def test_network_gradients_match_finite_differences(shared: bool) -> None:
    x, y = regression_data(n=10)
    net = px.make_net(0.25, True, seed=0, widths=(2, 4, 3, 1), shared=shared)
    rng = np.random.default_rng(3)
    for array in net.slopes + net.biases[:-1]:
        array += rng.uniform(-0.3, 0.3, array.shape)
    errors = check_gradients(net, x, y)
    assert set(errors) == {"W1", "b1", "a1", "W2", "b2", "a2", "W3", "b3"}
    assert max(errors.values()) < 1e-6, errors


def test_clipping_of_a_network_gradient_is_clip_by_global_norm() -> None:
    """The training loop clips each seed's gradient by its own global norm."""
    x, y = regression_data(n=32)
    for seed in (0, 1, 2):
        net = px.make_net(0.25, True, seed=seed)
        before = [p.copy() for p in net.params]
        _, grads, _ = net.loss_and_grads(x, y)
        train(net, x, y, lr=1.0, steps=1, clip_norm=1e-3)
        step = [b - p for b, p in zip(before, net.params, strict=True)]
        for got, expected in zip(step, clip_by_global_norm(grads, 1e-3), strict=True):
            np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)


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
    x, y = regression_data()
    for alpha, expect_zero in ((0.0, True), (0.1, False)):
        run = px.train(alpha, False, px.Setting(lr=1.0, clip=1.0, steps=300), seeds=SEEDS)
        inactive, norms = [], []
        for net in run.nets:
            _, grads, trace = net.loss_and_grads(x, y)
            g = net.by_name(grads)
            inactive.append(np.all(trace.preactivations[0] <= 0.0, axis=0))
            norms.append(np.sqrt(np.sum(g["W1"] ** 2, axis=0) + g["b1"] ** 2))
        inactive, norms = np.array(inactive), np.array(norms)
        assert inactive.any(), "the aggressive setting should switch some first-layer units off"
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
    net = px.make_net(0.0, False, seed=0, widths=(2, 3, 1))
    net.biases[0][:] = [-100.0, 0.0, 100.0]
    x, _ = regression_data(n=50)
    np.testing.assert_allclose(px.inactive_fractions(net, x), [1 / 3])
