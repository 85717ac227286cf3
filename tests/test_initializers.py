"""Tests of ``actgrad.initializers``.

The statistical checks draw n = 400 * 300 = 120 000 weights with a fixed seed
and allow 5 standard errors of each estimator, computed from n: they are
deterministic (fixed seed) and would still pass for about 999 999 seeds in a
million.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from actgrad import initializers as inits

pytestmark = pytest.mark.unit

FAN_IN, FAN_OUT = 400, 300
N = FAN_IN * FAN_OUT
Z = 5.0  # standard errors allowed

# (initialiser, "uniform" or "normal", variance as a function of the fans)
TABLE = [
    (inits.glorot_uniform, "uniform", lambda i, o: 2 / (i + o)),
    (inits.glorot_normal, "normal", lambda i, o: 2 / (i + o)),
    (inits.he_uniform, "uniform", lambda i, o: 2 / i),
    (inits.he_normal, "normal", lambda i, o: 2 / i),
    (inits.lecun_normal, "normal", lambda i, o: 1 / i),
]
IDS = [fn.__name__ for fn, _, _ in TABLE]


@pytest.mark.parametrize(("init", "kind", "variance"), TABLE, ids=IDS)
def test_shape_and_dtype(init, kind, variance) -> None:
    for fan_in, fan_out in [(1, 1), (3, 5), (7, 2)]:
        w = init(fan_in, fan_out, np.random.default_rng(0))
        assert isinstance(w, np.ndarray)
        assert w.shape == (fan_in, fan_out)
        assert w.dtype == np.float64


@pytest.mark.parametrize(("init", "kind", "variance"), TABLE, ids=IDS)
def test_empirical_moments(init, kind, variance) -> None:
    w = init(FAN_IN, FAN_OUT, np.random.default_rng(12345)).ravel()
    var = variance(FAN_IN, FAN_OUT)
    sd = math.sqrt(var)
    # mean: standard error sd / sqrt(n)
    assert abs(w.mean()) < Z * sd / math.sqrt(N)
    # variance (mean known to be 0): standard error sqrt((mu4 - var^2) / n)
    mu4 = 9 / 5 * var**2 if kind == "uniform" else 3 * var**2
    assert abs(np.mean(w**2) - var) < Z * math.sqrt((mu4 - var**2) / N)
    # shape of the distribution: share within one standard deviation
    p = math.erf(1 / math.sqrt(2)) if kind == "normal" else 1 / math.sqrt(3)
    share = np.mean(np.abs(w) < sd)
    assert abs(share - p) < Z * math.sqrt(p * (1 - p) / N)


@pytest.mark.parametrize(
    ("init", "bound"),
    [(inits.glorot_uniform, math.sqrt(6 / (FAN_IN + FAN_OUT))), (inits.he_uniform, math.sqrt(6 / FAN_IN))],
)
def test_uniform_bounds(init, bound) -> None:
    w = init(FAN_IN, FAN_OUT, np.random.default_rng(99))
    assert np.all(np.abs(w) <= bound)
    # the extremes come close to the bounds: P(max < b (1 - t)) = (1 - t/2)^n
    t = 40 / N  # probability e^-20
    assert w.max() > bound * (1 - t)
    assert w.min() < -bound * (1 - t)


def test_normal_tails_are_not_truncated() -> None:
    w = inits.he_normal(FAN_IN, FAN_OUT, np.random.default_rng(5))
    sd = math.sqrt(2 / FAN_IN)
    # about 0.27% of 120 000 (324) beyond 3 sd; a bounded draw would have none
    assert np.sum(np.abs(w) > 3 * sd) > 200


def test_contract_draws() -> None:
    """glorot_uniform and he_normal are exactly the contract's one draw from rng."""
    b = math.sqrt(6 / (3 + 5))
    expected = np.random.default_rng(0).uniform(-b, b, size=(3, 5))
    assert_array_equal(inits.glorot_uniform(3, 5, np.random.default_rng(0)), expected)
    expected = np.random.default_rng(0).normal(0.0, math.sqrt(2 / 4), size=(4, 6))
    assert_array_equal(inits.he_normal(4, 6, np.random.default_rng(0)), expected)


@pytest.mark.parametrize(("init", "kind", "variance"), TABLE, ids=IDS)
def test_reproducible_with_a_seed(init, kind, variance) -> None:
    a = init(20, 30, np.random.default_rng(42))
    b = init(20, 30, np.random.default_rng(42))
    assert_array_equal(a, b)
    assert not np.array_equal(a, init(20, 30, np.random.default_rng(43)))
    rng = np.random.default_rng(42)
    first, second = init(20, 30, rng), init(20, 30, rng)
    assert not np.array_equal(first, second)  # the generator's state advances


@pytest.mark.parametrize(("init", "kind", "variance"), TABLE, ids=IDS)
@pytest.mark.parametrize(
    "bad_rng", [None, 0, np.random.RandomState(0), np.random, "seed"],
    ids=["None", "0", "RandomState", "np.random", "'seed'"],  # the same on every xdist worker
)
def test_rejects_anything_but_a_generator(init, kind, variance, bad_rng) -> None:
    with pytest.raises(TypeError, match="Generator"):
        init(3, 4, bad_rng)


@pytest.mark.parametrize(("init", "kind", "variance"), TABLE, ids=IDS)
def test_rejects_bad_fans(init, kind, variance) -> None:
    rng = np.random.default_rng(0)
    for fans in [(0, 3), (3, 0), (-1, 3)]:
        with pytest.raises(ValueError, match="at least 1"):
            init(*fans, rng)
    for fans in [(2.5, 3), (3, "4"), (True, 3)]:
        with pytest.raises(TypeError, match="integer"):
            init(*fans, rng)
    assert init(np.int64(3), 4, rng).shape == (3, 4)


@pytest.mark.parametrize(
    ("name", "param"),
    [("linear", None), ("sigmoid", None), ("tanh", None), ("relu", None), ("leaky_relu", None),
     ("leaky_relu", 0.2), ("leaky_relu", 0.0)],
)
def test_gain_matches_torch(name, param) -> None:
    expected = torch.nn.init.calculate_gain(name, param)
    assert inits.gain(name, param) == pytest.approx(expected, rel=1e-15)


def test_gain_values() -> None:
    assert inits.gain("tanh") == 5 / 3
    assert inits.gain("relu") == math.sqrt(2)
    assert inits.gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04), rel=1e-15)
    assert inits.gain("leaky_relu", 1.0) == pytest.approx(1.0, rel=1e-15)  # slope 1: linear


def test_selu_gain_is_one_not_torchs_three_quarters() -> None:
    assert inits.gain("selu") == 1.0
    assert torch.nn.init.calculate_gain("selu") == 0.75  # PyTorch's documented choice
    assert "3/4" in inits.gain.__doc__


def test_gain_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown activation"):
        inits.gain("swish")


def test_he_normal_is_the_relu_gain() -> None:
    """He normal = gain('relu') times LeCun normal."""
    w_he = inits.he_normal(FAN_IN, FAN_OUT, np.random.default_rng(1))
    w_lecun = inits.lecun_normal(FAN_IN, FAN_OUT, np.random.default_rng(1))
    np.testing.assert_allclose(w_he, inits.gain("relu") * w_lecun, rtol=1e-14)
