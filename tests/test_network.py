"""Tests of actgrad.network: layers, losses, the MLP and its training loop."""

from __future__ import annotations

import numpy as np
import pytest

from actgrad.clipping import clip_by_global_norm
from actgrad.datasets import make_task, two_spirals
from actgrad.network import (
    MLP,
    Step,
    accuracy,
    check_gradients,
    make_mlp,
    softmax_cross_entropy,
    train,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "elu", "gelu", "selu"])
def test_backward_pass_matches_finite_differences(activation: str) -> None:
    X, y = make_task(n=8, d_in=3, seed=1)
    net = make_mlp(3, 4, 3, activation, "glorot", bias_std=0.1, seed=2)
    errors = check_gradients(net, X, y)
    assert set(errors) == {f"{k}{i}" for i in range(1, 5) for k in "Wb"}
    # sigmoid gradients of the lowest layers are ~1e-5, where the central
    # difference itself has a relative error of ~1e-6
    assert max(errors.values()) < 1e-5, errors


def test_a_wrong_backward_pass_is_caught() -> None:
    X, y = make_task(n=8, d_in=3, seed=1)
    net = make_mlp(2, 4, 3, "tanh", "glorot", bias_std=0.1, seed=2)
    net.activation = (np.tanh, lambda z: 1.0 - np.tanh(z))  # not the derivative of tanh
    assert max(check_gradients(net, X, y).values()) > 1e-2


def test_shapes_and_initialisation_scales() -> None:
    net = make_mlp(4, 300, 200, "relu", "he", seed=0)
    assert [w.shape for w in net.weights] == [(200, 300), (300, 300), (300, 300), (300, 300), (300, 1)]
    assert net.weights[1].std() == pytest.approx(np.sqrt(2 / 300), rel=0.02)
    glorot = make_mlp(1, 300, 100, "tanh", "glorot", scale=2.0, seed=0)
    assert glorot.weights[0].std() == pytest.approx(2 * np.sqrt(2 / 400), rel=0.02)
    assert make_mlp(1, 300, 300, "tanh", "normal", seed=0).weights[0].std() == pytest.approx(1, rel=0.02)
    with pytest.raises(ValueError, match="unknown initialisation"):
        make_mlp(2, 4, 3, "tanh", "xavier")
    with pytest.raises(ValueError, match="unknown activation"):
        make_mlp(2, 4, 3, "swoosh")


def test_training_lowers_the_loss() -> None:
    X, y = make_task(n=128, d_in=5, seed=0)
    net = make_mlp(2, 16, 5, "tanh", "glorot", seed=0)
    loss, grad_b = [], []

    def record(s: Step) -> None:
        loss.append(s.loss)
        grad_b.append([np.linalg.norm(s.named_grads[f"b{layer}"]) for layer in (1, 2)])

    assert train(net, X, y, lr=0.5, steps=100, hooks=[record]) is None
    assert loss[-1] < 0.8 * loss[0]
    assert np.array(grad_b[:-1]).shape == (100, 2)




@pytest.mark.parametrize("loss", ["softmax", "mse"])
def test_other_losses_match_finite_differences(loss: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 4))
    y = rng.integers(0, 3, size=9) if loss == "softmax" else rng.normal(size=(9, 3))
    net = make_mlp(2, 5, 4, "tanh", d_out=3, loss=loss, bias_std=0.1, seed=1)
    assert max(check_gradients(net, X, y).values()) < 1e-6


def test_softmax_cross_entropy_of_uniform_logits_is_log_of_the_classes() -> None:
    assert softmax_cross_entropy(np.zeros((4, 10)), [0, 3, 9, 2]) == pytest.approx(np.log(10))


def test_every_hook_sees_steps_plus_one_states_and_may_change_the_gradient() -> None:
    X, y = make_task(n=64, d_in=4, seed=0)
    seen = []
    net = make_mlp(1, 8, 4, "relu", "he", seed=0)
    before = [p.copy() for p in net.params]

    def freeze(s: Step) -> None:
        seen.append(s.step)
        s.grads = [np.zeros_like(g) for g in s.grads]

    assert train(net, X, y, lr=1.0, steps=5, hooks=[freeze]) is None
    assert seen == [0, 1, 2, 3, 4, 5]
    for a, b in zip(before, net.params, strict=True):
        np.testing.assert_array_equal(a, b)


def test_one_clipped_sgd_step_is_clip_by_global_norm() -> None:
    X, y = make_task(n=64, d_in=4, seed=0)
    net = make_mlp(2, 8, 4, "relu", "he", seed=0)
    before = [p.copy() for p in net.params]
    _, grads, _ = net.loss_and_grads(X, y)
    train(net, X, y, lr=0.1, steps=1, clip_norm=1e-2)
    for b, p, g in zip(before, net.params, clip_by_global_norm(grads, 1e-2), strict=True):
        np.testing.assert_allclose(b - p, 0.1 * g, rtol=1e-8, atol=1e-16)


def test_minibatches_follow_the_rng_and_adam_fits_the_spirals() -> None:
    X, y = two_spirals(200, seed=0)
    runs = []
    for _ in range(2):
        net = make_mlp(2, 32, 2, "relu", "he", seed=0)
        train(net, X, y, lr=0.02, steps=400, optimizer="adam", batch_size=50, rng=np.random.default_rng(1))
        runs.append(net)
    np.testing.assert_array_equal(runs[0].weights[0], runs[1].weights[0])
    assert accuracy(runs[0], X, y) > 0.8


def test_divergence_stops_training_and_reports_the_step() -> None:
    X, y = make_task(n=64, d_in=4, seed=0)
    net = make_mlp(2, 8, 4, "relu", "he", seed=0)
    step = train(net, X, y, lr=1e200, steps=10)
    assert step is not None and 0 < step <= 10


def test_mlp_rejects_inconsistent_layers() -> None:
    with pytest.raises(ValueError, match="do not match"):
        MLP([np.ones((2, 3)), np.ones((3, 1))], [np.ones(2), np.ones(1)])
    with pytest.raises(ValueError, match="unknown loss"):
        make_mlp(1, 3, 2, "tanh", loss="hinge")


@pytest.mark.parametrize("pieces", [2, 3])
def test_maxout_network_matches_finite_differences(pieces: int) -> None:
    X, y = make_task(n=8, d_in=3, seed=1)
    net = make_mlp(2, 4, 3, "maxout", "he", bias_std=0.1, pieces=pieces, seed=2)
    assert [w.shape for w in net.weights] == [(3, 4 * pieces), (4, 4 * pieces), (4, 1)]
    assert net.forward(X).hidden[0].shape == (8, 4)
    errors = check_gradients(net, X, y)
    assert max(errors.values()) < 1e-6, errors


def test_maxout_with_a_zero_piece_is_a_relu_network() -> None:
    X, y = make_task(n=16, d_in=3, seed=0)
    relu_net = make_mlp(2, 5, 3, "relu", "he", bias_std=0.1, seed=3)
    # every unit's pieces are (its ReLU pre-activation, 0): columns 0, 2, 4, ... carry the weights
    weights, biases = [], []
    for W, b in zip(relu_net.weights[:-1], relu_net.biases[:-1], strict=True):
        W2, b2 = np.zeros((W.shape[0], 2 * W.shape[1])), np.zeros(2 * b.size)
        W2[:, ::2], b2[::2] = W, b
        weights.append(W2)
        biases.append(b2)
    maxout_net = MLP([*weights, relu_net.weights[-1]], [*biases, relu_net.biases[-1]], "maxout", pieces=2)
    loss_relu, grads_relu, _ = relu_net.loss_and_grads(X, y)
    loss_maxout, grads_maxout, _ = maxout_net.loss_and_grads(X, y)
    assert loss_maxout == pytest.approx(loss_relu, rel=1e-12)
    named = maxout_net.by_name(grads_maxout)
    for name, g in relu_net.by_name(grads_relu).items():
        live = named[name] if name in ("W3", "b3") else named[name][..., ::2]
        np.testing.assert_allclose(live, g, rtol=1e-12, atol=1e-15)


def test_maxout_needs_groups_of_pieces() -> None:
    with pytest.raises(ValueError, match="not groups of 2 pieces"):
        MLP([np.ones((2, 3)), np.ones((1, 1))], [np.ones(3), np.ones(1)], "maxout", pieces=2)
    with pytest.raises(ValueError, match="exactly when activation='maxout'"):
        make_mlp(1, 3, 2, "relu", pieces=2)
    with pytest.raises(ValueError, match="takes 4 inputs, layer 0 gives 2"):
        MLP([np.ones((2, 4)), np.ones((4, 1))], [np.ones(4), np.ones(1)], "maxout", pieces=2)


def test_residual_maxout_network_matches_finite_differences() -> None:
    X, y = make_task(n=8, d_in=3, seed=1)
    net = make_mlp(3, 4, 3, "maxout", "he", bias_std=0.1, pieces=2, residual=True, seed=4)
    assert max(check_gradients(net, X, y).values()) < 1e-6
