"""Tests of the dead-ReLU experiments of the chapter *ReLU* (actgrad.experiments.relu).

``run`` is the chapter's own code, repeated here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from actgrad.datasets import disc_data
from actgrad.experiments import relu as D
from actgrad.experiments.relu import RunResult, born_dead_fraction, dead_units, init_relu_mlp, summarize
from actgrad.network import MLP, accuracy, train

pytestmark = pytest.mark.unit


def dead_fraction(net: MLP, X) -> float:
    return float(np.concatenate(dead_units(net, X)).mean())


def logits(net: MLP, X) -> np.ndarray:
    return net.forward(X).logits


def train_sgd(net: MLP, X, y, *, lr: float, epochs: int, batch_size: int, rng) -> bool:
    """Train as the chapter does; return whether training diverged."""
    steps = epochs * -(-len(X) // batch_size)
    return train(net, X, y, lr=lr, steps=steps, batch_size=batch_size, rng=rng) is not None


def run(init, lr, seed, X, y, *, sizes=(2, 32, 32, 1), epochs=40, batch_size=32) -> RunResult:
    rng = np.random.default_rng(seed)
    net = init_relu_mlp(sizes, init, rng)
    at_init = dead_units(net, X)
    diverged = train_sgd(net, X, y, lr=lr, epochs=epochs, batch_size=batch_size, rng=rng)
    after = [] if diverged else dead_units(net, X)
    nan = float("nan")
    return RunResult(
        init, lr, seed,
        dead_at_init=float(np.concatenate(at_init).mean()),
        dead_after=nan if diverged else float(np.concatenate(after).mean()),
        dead_per_layer_at_init=tuple(float(d.mean()) for d in at_init),
        dead_per_layer=tuple(float(d.mean()) for d in after),
        accuracy=nan if diverged else accuracy(net, X, y),
        final_loss=nan if diverged else net.loss(X, y),
        diverged=diverged,
    )


def sweep(inits, lrs, seeds, X, y, **kwargs) -> list[RunResult]:
    return [run(init, lr, seed, X, y, **kwargs) for init in inits for lr in lrs for seed in seeds]


def constructed_net() -> MLP:
    """A 1 -> 4 -> 3 -> 1 network whose dead units on X_KNOWN are known by hand.

    Layer 1, inputs x = -1 and x = 2:
      unit 0: z = x           -> -1, 2   alive
      unit 1: z = -x          ->  1, -2  alive
      unit 2: z = -1          -> -1, -1  dead
      unit 3: z = 0 * x + 0   ->  0, 0   dead (output exactly 0, and relu'(0) = 0)
    Layer 2 (inputs: relu of layer 1):
      unit 0: fed by the dead unit 2 only, bias 0 -> z = 0 always       dead
      unit 1: fed by units 0 and 1, bias -5       -> z = 1 - 5, 2 - 5   dead
      unit 2: fed by units 0 and 3, bias 0        -> z = 0, 2           alive
    Unit 3 of layer 1 feeds a live unit, so only the convention relu'(0) = 0
    keeps gradient away from its weights.
    """
    W1 = np.array([[1.0, -1.0, 0.0, 0.0]])
    b1 = np.array([0.0, 0.0, -1.0, 0.0])
    W2 = np.array(
        [
            [0.0, 1.0, 1.0],
            [0.0, 1.0, 0.0],
            [3.0, 0.0, 0.0],
            [0.0, 0.0, 1.0],
        ]
    )
    b2 = np.array([0.0, -5.0, 0.0])
    return MLP([W1, W2, np.ones((3, 1))], [b1, b2, np.zeros(1)], "relu")


X_KNOWN = np.array([[-1.0], [2.0]])


def test_dead_units_of_a_constructed_network() -> None:
    net = constructed_net()
    dead = dead_units(net, X_KNOWN)
    assert [d.tolist() for d in dead] == [[False, False, True, True], [True, True, False]]
    assert dead_fraction(net, X_KNOWN) == pytest.approx(4 / 7)
    # "dead" is about the given inputs: on x = 2 alone unit 1 of layer 1 is dead too
    assert dead_units(net, [[2.0]])[0].tolist() == [False, True, True, True]


def test_dead_units_get_no_gradient_and_stay_dead() -> None:
    net = constructed_net()
    before = net.copy()
    y = np.array([1.0, 0.0])
    diverged = train_sgd(net, X_KNOWN, y, lr=0.5, epochs=3, batch_size=2, rng=np.random.default_rng(0))
    assert not diverged
    # incoming weights and biases of the dead first-layer units never move, even
    # for unit 3, which sits exactly on the kink and feeds a live unit ...
    np.testing.assert_array_equal(net.weights[0][:, 2:], before.weights[0][:, 2:])
    np.testing.assert_array_equal(net.biases[0][2:], before.biases[0][2:])
    # ... while those of the live ones do
    assert not np.array_equal(net.weights[0][:, :2], before.weights[0][:, :2])
    assert dead_units(net, X_KNOWN)[0][2:].all()


def test_backward_pass_matches_central_differences() -> None:
    rng = np.random.default_rng(3)
    X, y = disc_data(20, rng)
    net = init_relu_mlp([2, 5, 4, 1], "he", rng)
    lr = 1e-3
    stepped = net.copy()
    # one full-batch step: the update is exactly -lr * gradient
    train_sgd(stepped, X, y, lr=lr, epochs=1, batch_size=len(X), rng=np.random.default_rng(0))

    def loss(n: MLP) -> float:
        z = logits(n, X)
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    h = 1e-6
    for layer in range(3):
        for params, stepped_params in ((net.weights, stepped.weights), (net.biases, stepped.biases)):
            analytic = (params[layer] - stepped_params[layer]) / lr
            numeric = np.zeros_like(analytic)
            for index in np.ndindex(analytic.shape):
                plus, minus = net.copy(), net.copy()
                target_plus = (plus.weights if params is net.weights else plus.biases)[layer]
                target_minus = (minus.weights if params is net.weights else minus.biases)[layer]
                target_plus[index] += h
                target_minus[index] -= h
                numeric[index] = (loss(plus) - loss(minus)) / (2 * h)
            np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


def test_init_schemes() -> None:
    sizes = [2, 6, 5, 1]
    he = init_relu_mlp(sizes, "he", np.random.default_rng(7))
    large = init_relu_mlp(sizes, "large", np.random.default_rng(7))
    negative = init_relu_mlp(sizes, "negative_bias", np.random.default_rng(7))
    for W_he, W_large, W_neg in zip(he.weights, large.weights, negative.weights, strict=True):
        np.testing.assert_allclose(W_large, D.LARGE_SCALE * W_he)
        np.testing.assert_array_equal(W_neg, W_he)
    assert all((b == 0).all() for b in he.biases + large.biases)
    assert all((b == D.NEGATIVE_BIAS).all() for b in negative.biases[:-1])
    assert (negative.biases[-1] == 0).all()
    # scaling the weights with zero biases keeps every sign: same dead units at initialisation
    X, _ = disc_data(100, np.random.default_rng(1))
    assert [d.tolist() for d in dead_units(he, X)] == [d.tolist() for d in dead_units(large, X)]
    with pytest.raises(ValueError, match="init must be one of"):
        init_relu_mlp(sizes, "xavier", np.random.default_rng(0))
    with pytest.raises(ValueError, match="sizes"):
        init_relu_mlp([2, 1], "he", np.random.default_rng(0))


@pytest.fixture(scope="module")
def chapter_data():
    return disc_data(400, np.random.default_rng(D.DATA_SEED))


def test_runs_are_deterministic_given_the_seed(chapter_data) -> None:
    X, y = chapter_data
    first = run("he", 0.3, 1, X, y, epochs=5)
    assert run("he", 0.3, 1, X, y, epochs=5) == first
    other = run("he", 0.3, 2, X, y, epochs=5)
    assert other != first
    assert 0.0 <= first.dead_after <= 1.0 and len(first.dead_per_layer) == 2
    assert np.mean(first.dead_per_layer) == pytest.approx(first.dead_after)  # two layers of 32
    assert np.mean(first.dead_per_layer_at_init) == pytest.approx(first.dead_at_init)


def test_the_largest_learning_rate_kills_more_units(chapter_data) -> None:
    # On the chapter's fixed seeds: at the largest learning rate far more units
    # die than at a moderate one, for the He and the large initialisation.
    X, y = chapter_data
    for init in ("he", "large"):
        rows = summarize(sweep([init], [0.3, 3.0], [0, 1, 2], X, y))
        moderate, large = rows
        assert moderate.n_diverged == large.n_diverged == 0
        assert large.dead_mean > moderate.dead_mean + 0.1, init
        assert large.dead_min >= moderate.dead_max, init


def test_summarize_statistics_and_divergence() -> None:
    def result(lr, dead, diverged=False, seed=0):
        return RunResult("he", lr, seed, 0.25, dead, (0.25,), (dead,), 0.9, 0.3, diverged)

    nan = float("nan")
    rows = summarize(
        [result(0.1, 0.0), result(0.1, 0.5, seed=1), result(1.0, nan, diverged=True), result(1.0, 0.2)]
    )
    assert [(r.lr, r.n_runs, r.n_diverged) for r in rows] == [(0.1, 2, 0), (1.0, 2, 1)]
    assert rows[0].dead_mean == pytest.approx(0.25) and rows[0].dead_std == pytest.approx(0.25)
    assert (rows[0].dead_min, rows[0].dead_max) == (0.0, 0.5)
    assert rows[1].dead_mean == pytest.approx(0.2) and rows[1].dead_std == 0.0


def test_divergence_is_reported_not_raised() -> None:
    X, y = disc_data(40, np.random.default_rng(0))
    result = run("large", 1e200, 0, X, y, sizes=(2, 4, 1), epochs=3)
    assert result.diverged and math.isnan(result.dead_after)


def test_born_dead_grows_with_depth_and_shrinks_with_width() -> None:
    X = np.random.default_rng(0).standard_normal((100, 2))
    fractions = [born_dead_fraction(depth, 2, X, 400, np.random.default_rng(5)) for depth in (1, 5, 20)]
    # the same seed draws the same first layers, so a deeper network can only add dead layers
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] > 0.5
    wide = born_dead_fraction(20, 16, X, 400, np.random.default_rng(5))
    assert wide < fractions[-1]
    # a single unit with zero bias on inputs that all lie in the first quadrant
    # is dead exactly when both its weights are <= 0: probability 1/4
    quadrant = np.abs(X)
    assert born_dead_fraction(1, 1, quadrant, 4000, np.random.default_rng(0)) == pytest.approx(0.25, abs=0.03)
