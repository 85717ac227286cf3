"""Tests of the numerical tools of *Modern smooth activations* (actgrad.experiments.smooth_activations)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from actgrad.activations import gelu, gelu_grad, maxout, maxout_grad, mish, mish_grad, relu
from actgrad.experiments.smooth_activations import Gap, affine_pieces, bisect_root, largest_gap

pytestmark = pytest.mark.unit


def test_bisect_root_finds_known_roots():
    assert bisect_root(math.cos, 0.0, 3.0) == pytest.approx(math.pi / 2, abs=1e-12)
    assert bisect_root(lambda t: t**3 - 8.0, -10.0, 10.0) == pytest.approx(2.0, abs=1e-12)
    # decreasing function: the sign change goes the other way
    assert bisect_root(lambda t: 1.0 - t, 0.0, 5.0) == pytest.approx(1.0, abs=1e-12)


def test_bisect_root_returns_exact_zero_ends_and_refuses_bad_brackets():
    assert bisect_root(lambda t: t, 0.0, 1.0) == 0.0
    assert bisect_root(lambda t: t - 1.0, 0.0, 1.0) == 1.0
    with pytest.raises(ValueError, match="same sign"):
        bisect_root(lambda t: t * t + 1.0, -1.0, 1.0)
    with pytest.raises(ValueError, match="lo < hi"):
        bisect_root(math.sin, 1.0, 1.0)


def test_bisect_root_locates_the_minima_of_gelu_and_mish():
    x_gelu = bisect_root(lambda t: float(gelu_grad(t)), -2.0, -0.1)
    x_mish = bisect_root(lambda t: float(mish_grad(t)), -3.0, -0.1)
    assert x_gelu == pytest.approx(-0.7518, abs=1e-4)
    assert float(gelu(x_gelu)) == pytest.approx(-0.16997, abs=1e-5)
    assert x_mish == pytest.approx(-1.1924, abs=1e-4)
    assert float(mish(x_mish)) == pytest.approx(-0.30884, abs=1e-5)


def test_largest_gap_reports_value_and_location():
    gap = largest_gap(np.sin, lambda t: np.zeros_like(t), np.linspace(0.0, np.pi, 101))
    assert isinstance(gap, Gap)
    assert gap.value == pytest.approx(1.0) and gap.at == pytest.approx(np.pi / 2)
    # the tanh approximation of GELU is off by less than 5e-4 everywhere
    tanh_gap = largest_gap(lambda t: gelu(t, approximate="tanh"), gelu, np.linspace(-8, 8, 1601))
    assert 4e-4 < tanh_gap.value < 5e-4 and 2.5 < abs(tanh_gap.at) < 2.9
    with pytest.raises(ValueError, match="1-D"):
        largest_gap(np.sin, np.cos, [])


def test_affine_pieces_let_maxout_build_relu_and_abs():
    x = np.linspace(-3.0, 3.0, 61)
    relu_pieces = affine_pieces(x, [1.0, 0.0], [0.0, 0.0])
    abs_pieces = affine_pieces(x, [1.0, -1.0], [0.0, 0.0])
    assert relu_pieces.shape == (61, 2)
    np.testing.assert_array_equal(maxout(relu_pieces, 2)[:, 0], relu(x))
    np.testing.assert_array_equal(maxout(abs_pieces, 2)[:, 0], np.abs(x))
    mask = maxout_grad(abs_pieces, 2)
    np.testing.assert_array_equal(mask[x > 0], [[1.0, 0.0]] * int(np.sum(x > 0)))
    np.testing.assert_array_equal(mask[x < 0], [[0.0, 1.0]] * int(np.sum(x < 0)))
    with pytest.raises(ValueError, match="1-D"):
        affine_pieces(x, [1.0, 2.0], [0.0])
