"""Tests of actgrad.experiments.learning_with_gradients: descent, backpropagation, gradient check."""

from __future__ import annotations

import numpy as np
import pytest

from actgrad.activations import relu, relu_grad, sigmoid, sigmoid_grad, tanh, tanh_grad
from actgrad.datasets import make_regression_data
from actgrad.experiments.learning_with_gradients import (
    Quadratic,
    check_two_layer_net,
    derivative_at_output,
    difference_errors,
    gradient_descent,
    move_onto_kink,
    two_layer_net,
)
from actgrad.network import MLP, check_gradients, dense_backward, dense_forward, gradient_check

pytestmark = pytest.mark.unit

ACTIVATIONS = {
    "tanh": (tanh, tanh_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "relu": (relu, relu_grad),
}
DATA_SEED, NET_SEED = 2, 3  # the seeds the chapter uses


@pytest.fixture(scope="module")
def data():
    return make_regression_data(n=16, d_in=3, d_out=2, seed=DATA_SEED)


def make_net(name: str) -> MLP:
    f, df = ACTIVATIONS[name]
    return two_layer_net(3, 5, 2, f, df, seed=NET_SEED)


# ---------------------------------------------------------------- gradient descent


def test_gradient_descent_returns_the_whole_path() -> None:
    path = gradient_descent(lambda t: 2 * t, [1.0, -2.0], lr=0.25, steps=3)
    assert path.shape == (4, 2)
    np.testing.assert_allclose(path[:, 0], [1.0, 0.5, 0.25, 0.125])
    assert gradient_descent(lambda t: t, [3.0], lr=0.1, steps=0).tolist() == [[3.0]]


def test_quadratic_gradient_and_limit() -> None:
    bowl = Quadratic.rotated((1.0, 10.0), angle_deg=30.0)
    np.testing.assert_allclose(bowl.eigenvalues, [1.0, 10.0])
    assert bowl.critical_lr == pytest.approx(0.2)
    theta = np.array([0.7, -1.3])
    numeric = [(bowl.loss(theta + e) - bowl.loss(theta - e)) / 2e-6 for e in 1e-6 * np.eye(2)]
    np.testing.assert_allclose(bowl.grad(theta), numeric, rtol=1e-7)


@pytest.mark.parametrize("eigenvalues", [(1.0, 10.0), (0.5, 4.0), (2.0, 3.0)])
def test_descent_converges_below_two_over_L_and_diverges_above(eigenvalues) -> None:
    bowl = Quadratic.rotated(eigenvalues, angle_deg=25.0)
    L = bowl.eigenvalues[-1]
    start = np.array([-3.0, 2.0])
    small = gradient_descent(bowl.grad, start, lr=0.5 / L, steps=300)
    assert np.linalg.norm(small[-1]) < 1e-6 * np.linalg.norm(start)
    assert np.all(np.diff(bowl.loss(small)) <= 0)  # a small step never increases the loss
    large = gradient_descent(bowl.grad, start, lr=2.1 / L, steps=300)
    assert np.linalg.norm(large[-1]) > 1e3 * np.linalg.norm(start)
    assert bowl.contraction(0.5 / L) < 1 < bowl.contraction(2.1 / L)


# ---------------------------------------------------------------- backpropagation


def test_dense_backward_multiplies_by_the_derivative_at_the_preactivation() -> None:
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    a, z = dense_forward(x, W, b, tanh)
    np.testing.assert_allclose(z, x @ W + b)
    np.testing.assert_allclose(a, np.tanh(z))
    grad_a = rng.normal(size=(4, 2))
    grad_x, grad_W, grad_b = dense_backward(grad_a, x, W, z, tanh_grad)
    delta = grad_a * tanh_grad(z)
    np.testing.assert_allclose(grad_W, sum(np.outer(x[i], delta[i]) for i in range(4)))
    np.testing.assert_allclose(grad_b, delta.sum(axis=0))
    np.testing.assert_allclose(grad_x, np.stack([W @ delta[i] for i in range(4)]))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_backward_pass_matches_central_differences(name: str, data) -> None:
    X, y = data
    net = make_net(name)
    if name == "relu":  # away from kinks: a step of 1e-5 cannot flip any unit
        assert np.min(np.abs(net.forward(X).preactivations[0])) > 1e-3
    loss, grads, _ = net.loss_and_grads(X, y)
    assert np.isfinite(loss) and len(grads) == len(net.params)
    errors = check_gradients(net, X, y)
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
def test_gradient_check_catches_derivative_at_the_activated_value(name: str, data) -> None:
    X, y = data
    good = make_net(name)
    f, df = ACTIVATIONS[name]
    buggy = MLP(good.weights, good.biases, (f, derivative_at_output(f, df)), "mse")
    _, grads, _ = buggy.loss_and_grads(X, y)
    errors = gradient_check(
        lambda p: good.with_params(p).loss(X, y), good.named_params(), buggy.by_name(grads)
    )
    assert errors["W1"] > 1e-3 and errors["b1"] > 1e-3, errors
    # The output layer does not use phi', so its gradients stay right.
    assert errors["W2"] < 1e-7 and errors["b2"] < 1e-7, errors


def test_gradient_check_does_not_modify_params_and_checks_shapes() -> None:
    params = {"w": np.array([1.0, -2.0])}
    before = params["w"].copy()
    errors = gradient_check(lambda p: float(np.sum(p["w"] ** 3)), params, {"w": 3 * before**2})
    assert errors["w"] < 1e-9
    np.testing.assert_array_equal(params["w"], before)
    with pytest.raises(ValueError, match="shape"):
        gradient_check(lambda p: 0.0, params, {"w": np.zeros(3)})


# ---------------------------------------------------------------- finite differences


def test_central_difference_is_second_order_and_forward_first_order() -> None:
    hs = np.array([1e-2, 1e-3])
    errs = difference_errors(np.tanh, tanh_grad, 0.5, hs)
    forward_slope = np.log10(errs["forward"][0] / errs["forward"][1])
    central_slope = np.log10(errs["central"][0] / errs["central"][1])
    assert forward_slope == pytest.approx(1.0, abs=0.05)
    assert central_slope == pytest.approx(2.0, abs=0.05)
    # Round-off wins for tiny steps: the error grows again.
    tiny = difference_errors(np.tanh, tanh_grad, 0.5, [1e-12])
    assert tiny["central"][0] > 1e3 * difference_errors(np.tanh, tanh_grad, 0.5, [1e-5])["central"][0]


def test_check_two_layer_net_reports_the_bug_only_where_phi_prime_enters(data) -> None:
    X, y = data
    right = check_two_layer_net(sigmoid, sigmoid_grad, X, y, seed=NET_SEED)
    wrong = check_two_layer_net(sigmoid, sigmoid_grad, X, y, seed=NET_SEED, wrong=True)
    assert max(right.values()) < 1e-7
    assert min(wrong["W1"], wrong["b1"]) > 1e-3 > max(wrong["W2"], wrong["b2"])


def test_a_kink_inside_the_step_spoils_the_check_of_a_correct_relu_net(data) -> None:
    X, y = data
    net = make_net("relu")
    near = move_onto_kink(net, X, unit=0, distance=1e-7)
    assert np.min(np.abs(near.forward(X).preactivations[0])) == pytest.approx(1e-7, rel=1e-3)
    np.testing.assert_array_equal(net.weights[0], near.weights[0])  # only b1 moved
    errors = check_gradients(near, X, y)
    assert errors["W1"] > 1e-4


def test_descent_summary_and_one_rendered_state() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from actgrad.widgets.learning_with_gradients import LEARNING_RATES, descent_summary, render_descent

    bowl = Quadratic.rotated()
    assert min(LEARNING_RATES) < bowl.critical_lr < max(LEARNING_RATES)
    assert descent_summary(0.1)["final_distance"] < descent_summary(0.1)["start_distance"]
    assert descent_summary(0.21)["final_distance"] > 10 * descent_summary(0.21)["start_distance"]
    fig = render_descent(0.22)
    assert isinstance(fig, Figure)
    plt.close(fig)
