"""Tests of the experiments of the chapter *Why nonlinearity* (actgrad.experiments.why_nonlinearity)."""

from __future__ import annotations

import numpy as np
import pytest

from actgrad.datasets import circles_data, xor_data
from actgrad.experiments.why_nonlinearity import (
    affine_fit_residual,
    best_line_accuracy,
    collapse_linear_stack,
    compare_activations,
    fit_relu_units,
    init_mlp,
    predict_proba,
    stack_forward,
    train_mlp,
)
from actgrad.gradcheck import relative_error
from actgrad.network import MLP

pytestmark = pytest.mark.unit

# ------------------------------------------------------------------ collapse


def random_stack(rng: np.random.Generator, widths: list[int]):
    weights = [rng.normal(size=(a, b)) / np.sqrt(a) for a, b in zip(widths, widths[1:], strict=False)]
    biases = [rng.normal(size=b) for b in widths[1:]]
    return weights, biases


@pytest.mark.parametrize("with_biases", [True, False])
def test_collapsed_matrix_reproduces_the_linear_stack(with_biases: bool) -> None:
    rng = np.random.default_rng(0)
    weights, biases = random_stack(rng, [3, 16, 7, 16, 2])
    biases = biases if with_biases else None
    x = rng.normal(size=(50, 3))
    W, b = collapse_linear_stack(weights, biases)
    assert W.shape == (3, 2) and b.shape == (2,)
    stack = stack_forward(x, weights, biases)
    np.testing.assert_allclose(x @ W + b, stack, rtol=0, atol=1e-12)
    # and it is not trivially so: the stack output is far from zero
    assert np.abs(stack).max() > 0.5
    if not with_biases:
        np.testing.assert_array_equal(b, 0.0)


def test_collapse_by_hand() -> None:
    W, b = collapse_linear_stack([[[2.0, 0.0]], [[1.0], [5.0]]], [[1.0, -1.0], [3.0]])
    # x -> (2x + 1, -1) -> (2x + 1) - 5 + 3 = 2x - 1
    np.testing.assert_allclose(W, [[2.0]])
    np.testing.assert_allclose(b, [-1.0])


def test_collapse_rejects_shapes_that_do_not_chain() -> None:
    with pytest.raises(ValueError, match="layer 0 outputs 3"):
        collapse_linear_stack([np.ones((2, 3)), np.ones((4, 1))])
    with pytest.raises(ValueError, match="no layers"):
        collapse_linear_stack([])
    with pytest.raises(ValueError, match="one bias"):
        collapse_linear_stack([np.ones((2, 3))], [np.ones(2)])


def test_a_nonlinear_stack_is_not_affine_but_a_linear_one_is() -> None:
    rng = np.random.default_rng(1)
    weights, biases = random_stack(rng, [2, 32, 32, 1])
    x = rng.uniform(-3, 3, size=(500, 2))
    assert affine_fit_residual(x, stack_forward(x, weights, biases, "linear")) < 1e-10
    assert affine_fit_residual(x, stack_forward(x, weights, biases, "relu")) > 0.1
    assert affine_fit_residual(x, stack_forward(x, weights, biases, "tanh")) > 0.1


# ------------------------------------------------------------------ data


@pytest.mark.parametrize("generate", [xor_data, circles_data])
def test_data_are_reproducible_balanced_and_well_shaped(generate) -> None:
    X, y = generate(202, np.random.default_rng(5))
    X2, y2 = generate(202, np.random.default_rng(5))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert X.shape == (202, 2) and y.shape == (202,)
    assert set(np.unique(y)) == {0.0, 1.0}
    assert abs(y.mean() - 0.5) < 0.01
    X3, _ = generate(202, np.random.default_rng(6))
    assert not np.array_equal(X, X3)


def test_xor_labels_follow_the_quadrants_and_circles_the_radius() -> None:
    X, y = xor_data(400, np.random.default_rng(0), noise=0.05)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(float))
    X, y = circles_data(400, np.random.default_rng(0), noise=0.0, factor=0.4)
    np.testing.assert_allclose(np.hypot(X[:, 0], X[:, 1]), np.where(y == 1, 0.4, 1.0))


@pytest.mark.parametrize("generate", [xor_data, circles_data])
def test_no_straight_line_separates_the_classes(generate) -> None:
    X, y = generate(400, np.random.default_rng(3))
    assert best_line_accuracy(X, y) <= 0.78


def test_best_line_accuracy_finds_a_separating_line() -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [3.0, 0.0]])
    assert best_line_accuracy(X, [0, 0, 1, 1]) == 1.0
    assert best_line_accuracy(X, [1, 1, 0, 0]) == 1.0
    assert best_line_accuracy(X, [0, 1, 0, 1]) == 0.75


# ------------------------------------------------------------------ network


@pytest.fixture(scope="module")
def comparisons():
    return compare_activations(np.random.default_rng(0))


@pytest.mark.parametrize("dataset", ["XOR", "circles"])
def test_linear_model_fails_and_one_nonlinear_hidden_layer_succeeds(comparisons, dataset: str) -> None:
    c = comparisons[dataset]
    assert c.results["linear"].accuracy <= 0.75
    assert c.test_accuracy["linear"] <= 0.75
    for act in ("tanh", "relu"):
        assert c.results[act].accuracy >= 0.95, act
        assert c.test_accuracy[act] >= 0.95, act
        losses = c.results[act].losses
        assert losses[-1] < 0.2 * losses[0], act


def test_linear_hidden_layer_is_logistic_regression(comparisons) -> None:
    """With a linear hidden layer the class-1 probability is sigmoid of an affine map."""
    params = comparisons["XOR"].results["linear"].params
    W, b = collapse_linear_stack(params.weights, params.biases)
    x = np.random.default_rng(0).normal(size=(20, 2))
    np.testing.assert_allclose(predict_proba(params, x), 1 / (1 + np.exp(-(x @ W + b)[:, 0])), rtol=1e-12)


def test_training_is_reproducible() -> None:
    X, y = xor_data(40, np.random.default_rng(0))
    a = train_mlp(X, y, 4, "tanh", np.random.default_rng(1), epochs=50)
    b = train_mlp(X, y, 4, "tanh", np.random.default_rng(1), epochs=50)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert a.losses.shape == (51,)
    assert a.losses[-1] < a.losses[0]


def loss_and_gradients(net: MLP, X, y) -> tuple[float, dict[str, np.ndarray]]:
    loss, grads, _ = net.loss_and_grads(X, y)
    return loss, net.by_name(grads)


def numerical_gradients(net: MLP, X, y, h: float = 1e-5) -> dict[str, np.ndarray]:
    grads = {}
    for name, value in net.named_params().items():
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            shifted = net.copy()
            shifted.named_params()[name][index] += h
            up, _ = loss_and_gradients(shifted, X, y)
            shifted.named_params()[name][index] -= 2 * h
            down, _ = loss_and_gradients(shifted, X, y)
            grad[index] = (up - down) / (2 * h)
        grads[name] = grad
    return grads


@pytest.mark.parametrize("activation", ["linear", "tanh", "relu"])
def test_backward_pass_matches_central_differences(activation: str) -> None:
    rng = np.random.default_rng(42)
    X, y = rng.normal(size=(7, 3)), rng.integers(0, 2, 7).astype(float)
    params = init_mlp(3, 4, activation, rng)
    params.biases[0][:] = rng.normal(size=4) * 0.5
    params.biases[1][...] = 0.3
    pre = X @ params.weights[0] + params.biases[0]
    assert np.abs(pre).min() > 1e-3  # no ReLU kink within reach of the finite difference
    _, analytic = loss_and_gradients(params, X, y)
    numeric = numerical_gradients(params, X, y)
    for name in ("W1", "b1", "W2", "b2"):
        assert analytic[name].shape == numeric[name].shape
        error = np.linalg.norm(analytic[name] - numeric[name]) / np.linalg.norm(numeric[name])
        assert error < 1e-6, f"{name}: relative error {error:.1e}"
        assert relative_error(analytic[name], numeric[name], floor=1e-4) < 1e-6, name


def test_a_wrong_backward_pass_would_be_caught() -> None:
    """The gradient check is sensitive: a gradient off by a factor 1.001 fails it."""
    rng = np.random.default_rng(7)
    X, y = rng.normal(size=(5, 2)), np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    params = init_mlp(2, 3, "tanh", rng)
    _, analytic = loss_and_gradients(params, X, y)
    numeric = numerical_gradients(params, X, y)
    error = np.linalg.norm(1.001 * analytic["W1"] - numeric["W1"]) / np.linalg.norm(numeric["W1"])
    assert error > 1e-6


def test_loss_is_finite_for_huge_logits() -> None:
    params = MLP([np.eye(2), np.array([[1e4], [0.0]])], [np.zeros(2), np.zeros(1)], "linear")
    X, y = np.array([[1.0, 0.0], [-1.0, 0.0]]), np.array([0.0, 1.0])
    loss, grads = loss_and_gradients(params, X, y)
    assert loss == pytest.approx(1e4)
    assert all(np.isfinite(g).all() for g in grads.values())


def test_unknown_activation_is_rejected() -> None:
    with pytest.raises(ValueError, match="activation must be one of"):
        init_mlp(2, 3, "sigmoid", np.random.default_rng(0))


# ------------------------------------------------------------------ approximation


def test_relu_fit_error_decreases_with_more_units() -> None:
    x = np.linspace(-np.pi, np.pi, 1001)
    errors = [fit_relu_units(np.sin, n, x).max_error for n in (2, 8, 32)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.01
    assert errors[1] / errors[2] > 8  # about 1/n^2: 16 for a fourfold n


def test_relu_fit_is_the_sum_of_its_units() -> None:
    x = np.linspace(-np.pi, np.pi, 301)
    fit = fit_relu_units(np.sin, 6, x)
    assert fit.knots.shape == fit.weights.shape == (6,)
    np.testing.assert_allclose(fit.knots, -np.pi + 2 * np.pi * np.arange(6) / 6)
    np.testing.assert_allclose(fit(x), fit.fitted, atol=1e-12)
    np.testing.assert_allclose(fit.bias + fit.units(x).sum(axis=1), fit.fitted, atol=1e-12)
    assert fit.max_error == pytest.approx(np.abs(fit.fitted - np.sin(x)).max())


def test_relu_fit_is_exact_for_piecewise_linear_targets() -> None:
    x = np.linspace(-2.0, 2.0, 401)

    def target(t):
        return 0.5 + np.abs(t) - 2 * np.maximum(t - 1.0, 0.0)

    fit = fit_relu_units(target, 4, x)  # kinks at -2, -1, 0, 1
    assert fit.max_error < 1e-10


# ------------------------------------------------------------------ figures and widget


def test_relu_fit_explorer_has_one_picture_per_slider_position() -> None:
    import ipywidgets as widgets
    import matplotlib

    matplotlib.use("Agg")
    from actgrad.widgets.why_nonlinearity import relu_fit_explorer

    explorer = relu_fit_explorer(units=(1, 4, 16))
    slider = explorer.control_widgets["n_units"]
    assert isinstance(slider, widgets.SelectionSlider)
    assert [label for label, _ in slider.options] == ["1", "4", "16"]
    assert len(explorer.images) == 3
    pngs = [image.png for image in explorer.images.values()]
    assert all("ReLU unit" in image.alt for image in explorer.images.values())
    assert len(set(pngs)) == 3 and all(png.startswith(b"\x89PNG") for png in pngs)


def test_decision_boundary_figure_has_a_panel_per_dataset_and_activation(comparisons) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from actgrad.widgets.why_nonlinearity import plot_decision_boundaries

    fig = plot_decision_boundaries(comparisons, resolution=30)
    try:
        titles = [ax.get_title() for ax in fig.axes]
        assert len(titles) == 6
        assert titles[0].startswith("XOR, linear") and titles[-1].startswith("circles, ReLU")
        accuracy = comparisons["circles"].results["relu"].accuracy
        assert f"accuracy {accuracy:.1%}" in titles[-1]
    finally:
        plt.close(fig)
