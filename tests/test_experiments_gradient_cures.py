"""Tests of what the chapter *Gradient cures* uses: clipping, penalties, batch norm, residual connections.

The chapter writes its training step itself (``run``, repeated here) on
:func:`actgrad.network.train`; clipping comes from :mod:`actgrad.clipping`,
batch norm and residual connections from :class:`actgrad.network.MLP`.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from actgrad.clipping import clip_by_global_norm, clip_by_value, global_norm
from actgrad.datasets import make_task
from actgrad.network import MLP, batchnorm_backward, batchnorm_forward, check_gradients, make_mlp, train


def run(net: MLP, X, y, lr: float, steps: int, clip_norm=None, clip_value=None, l1=0.0, l2=0.0):
    """The chapter's training run: penalties, records, clipping, in one hook."""
    record = {key: np.full(steps + 1, np.nan) for key in ("loss", "accuracy", "grad_norm", "weight_norm")}

    def step(s):
        s.grads = [g + l1 * np.sign(p) + l2 * p if p.ndim == 2 else g
                   for p, g in zip(s.net.params, s.grads, strict=True)]
        record["loss"][s.step] = s.loss
        record["accuracy"][s.step] = np.mean((s.trace.logits > 0) == (y > 0.5))
        record["grad_norm"][s.step] = global_norm(s.grads)
        record["weight_norm"][s.step] = global_norm(s.net.weights)
        if clip_norm is not None:
            s.grads = clip_by_global_norm(s.grads, clip_norm)
        if clip_value is not None:
            s.grads = clip_by_value(s.grads, clip_value)

    diverged_at = train(net, X, y, lr=lr, steps=steps, hooks=[step])
    record["grad_norm"] = record["grad_norm"][:steps]
    return SimpleNamespace(**record, diverged_at=diverged_at)


def make_deepnet(depth, width, d_in, activation, *, scale=1.0, seed=0, **architecture) -> MLP:
    return make_mlp(depth, width, d_in, activation, scale=scale, output_scale=1.0, seed=seed, **architecture)


def gradient_profile(net: MLP, X, y) -> np.ndarray:
    _, grads, _ = net.loss_and_grads(X, y)
    named = net.by_name(grads)
    return np.array([np.linalg.norm(named[f"W{layer}"]) for layer in range(1, net.depth + 1)])

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def task():
    return make_task(n=256, d_in=10, seed=0)


# ---------------------------------------------------------------- clipping


@pytest.mark.parametrize("seed", range(20))
def test_clipping_never_increases_a_norm(seed: int) -> None:
    rng = np.random.default_rng(seed)
    grads = [rng.standard_cauchy(size=(7, 3)) * 10.0 ** rng.integers(-3, 4), rng.normal(size=5)]
    norm = global_norm(grads)
    limit = float(rng.uniform(0.01, 2.0))
    for clipped in (clip_by_global_norm(grads, limit), clip_by_value(grads, limit)):
        assert global_norm(clipped) <= norm * (1 + 1e-12)
        for before, after in zip(grads, clipped, strict=True):
            assert np.all(np.abs(after) <= np.abs(before) + 1e-15)  # entrywise, too
    assert global_norm(clip_by_global_norm(grads, limit)) <= limit * (1 + 1e-12)
    assert np.max(np.abs(np.concatenate([g.ravel() for g in clip_by_value(grads, limit)]))) <= limit


def test_clip_by_value_does_not_modify_its_input_and_rejects_bad_limits() -> None:
    g = np.array([3.0, -0.5])
    assert clip_by_value([g], 1.0)[0].tolist() == [1.0, -0.5]
    assert g.tolist() == [3.0, -0.5]
    with pytest.raises(ValueError):
        clip_by_value([g], 0.0)


def test_the_chapter_run_diverges_and_the_clipped_one_converges(task) -> None:
    X, y = task
    plain = run(make_mlp(8, 32, 10, "relu", "he", seed=0), X, y, 1.0, 60)
    assert plain.diverged_at is not None and plain.diverged_at < 20
    assert np.isnan(plain.loss[-1])
    clipped = run(make_mlp(8, 32, 10, "relu", "he", seed=0), X, y, 1.0, 60, clip_norm=1.0)
    assert clipped.diverged_at is None
    assert clipped.loss[-1] < 0.3 * clipped.loss[0]


def test_l2_and_l1_shrink_the_weights(task) -> None:
    X, y = task
    norms = {}
    for label, penalty in {"none": {}, "l2": {"l2": 1e-2}, "l1": {"l1": 1e-3}}.items():
        h = run(make_mlp(3, 16, 10, "relu", "he", seed=0), X, y, 0.3, 60, **penalty)
        norms[label] = h.weight_norm[-1]
    assert norms["l2"] < norms["none"] and norms["l1"] < norms["none"]


# ---------------------------------------------------------------- batch normalisation


def test_batchnorm_forward_normalises_each_feature() -> None:
    x = np.random.default_rng(0).normal(3.0, 5.0, size=(64, 4))
    out, cache = batchnorm_forward(x, np.full(4, 2.0), np.full(4, -1.0))
    np.testing.assert_allclose(out.mean(axis=0), -1.0, atol=1e-12)
    np.testing.assert_allclose(out.std(axis=0), 2.0, rtol=1e-5)
    np.testing.assert_allclose(cache.x_hat.std(axis=0), 1.0, rtol=1e-5)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batchnorm_backward_matches_finite_differences(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(1.0, 2.0, size=(6, 3))
    gamma, beta = rng.normal(size=3), rng.normal(size=3)
    upstream = rng.normal(size=(6, 3))

    def loss(x_, gamma_, beta_):
        return float(np.sum(upstream * batchnorm_forward(x_, gamma_, beta_)[0]))

    _, cache = batchnorm_forward(x, gamma, beta)
    grads = batchnorm_backward(upstream, cache)
    h = 1e-6
    for which, (array, analytic) in enumerate(zip((x, gamma, beta), grads, strict=True)):
        numeric = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            step = np.zeros_like(array)
            step[index] = h
            args_plus = [x, gamma, beta]
            args_minus = [x, gamma, beta]
            args_plus[which] = array + step
            args_minus[which] = array - step
            numeric[index] = (loss(*args_plus) - loss(*args_minus)) / (2 * h)
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("batchnorm", [False, True])
@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
def test_deepnet_backward_matches_finite_differences(
    batchnorm: bool, residual: bool, activation: str
) -> None:
    X, y = make_task(n=8, d_in=3, seed=1)
    net = make_deepnet(3, 4, 3, activation, batchnorm=batchnorm, residual=residual, seed=2)
    errors = check_gradients(net, X, y)
    assert max(errors.values()) < 1e-5, errors
    assert ("gamma1" in errors) == batchnorm and ("b1" in errors) != batchnorm


def test_batchnorm_restores_gradient_flow_in_a_deep_sigmoid_net(task) -> None:
    X, y = task
    plain = gradient_profile(make_deepnet(20, 64, 10, "sigmoid", seed=0), X, y)
    normed = gradient_profile(make_deepnet(20, 64, 10, "sigmoid", batchnorm=True, seed=0), X, y)
    assert plain[0] / plain[-1] < 1e-8
    assert 0.1 < normed[0] / normed[-1] < 10


# ---------------------------------------------------------------- residual connections


@pytest.mark.parametrize(("activation", "scale"), [("sigmoid", 1.0), ("tanh", 0.5), ("tanh", 1.0)])
def test_residual_first_layer_gradient_is_larger_than_plain(task, activation: str, scale: float) -> None:
    X, y = task
    plain = gradient_profile(make_deepnet(20, 64, 10, activation, scale=scale, seed=0), X, y)
    skip = gradient_profile(
        make_deepnet(20, 64, 10, activation, scale=scale, residual=True, seed=0), X, y
    )
    assert skip[0] > plain[0]
    if activation == "sigmoid":
        assert skip[0] > 1e6 * plain[0]
