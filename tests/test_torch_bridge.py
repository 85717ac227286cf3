"""Tests of ``actgrad.torch_bridge``, the comparison the chapters' *In PyTorch* sections run."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import actgrad.activations as A
from actgrad.torch_bridge import TOLERANCE, compare, float64_grid, mixed_error

pytestmark = pytest.mark.unit


def test_mixed_error_is_absolute_below_one_and_relative_above() -> None:
    assert mixed_error([0.5 + 1e-10], [0.5]) == pytest.approx(1e-10, rel=1e-5)
    assert mixed_error([1000.0 + 1e-7], [1000.0]) == pytest.approx(1e-10, rel=1e-5)
    # A tiny reference with a large relative error is still a small mixed error.
    assert mixed_error([0.0], [1e-18]) == 1e-18


def test_mixed_error_on_infinities_and_shapes() -> None:
    assert mixed_error([math.inf, 1.0], [math.inf, 1.0]) == 0.0
    assert mixed_error([math.inf], [1e308]) == math.inf
    assert mixed_error([-math.inf], [math.inf]) == math.inf
    with pytest.raises(ValueError, match="shapes"):
        mixed_error([1.0, 2.0], [1.0])


def test_grid_has_tails_zero_and_spacing() -> None:
    x = float64_grid()
    assert x.min() == -700.0 and x.max() == 700.0
    assert 0.0 in x and 20.0 in x
    assert np.all(np.diff(x) > 0)


def test_compare_finds_agreement_with_torch() -> None:
    agreement = compare(A.sigmoid, A.sigmoid_grad, torch.sigmoid, float64_grid())
    assert agreement.worst <= TOLERANCE
    assert "derivatives" in str(agreement)


def test_compare_measures_a_wrong_value_and_a_wrong_derivative() -> None:
    x = np.linspace(-3.0, 3.0, 61)
    # tanh against itself shifted by 1e-6: only the values differ.
    shifted = compare(lambda v: A.tanh(v) + 1e-6, A.tanh_grad, torch.tanh, x)
    assert shifted.value_abs == pytest.approx(1e-6, rel=1e-6)
    assert shifted.grad_mixed <= TOLERANCE
    # The derivative of the leaky ReLU with the wrong slope: only derivatives differ.
    wrong_slope = compare(
        A.leaky_relu, lambda v: A.leaky_relu_grad(v, alpha=0.2), F.leaky_relu, x
    )
    assert wrong_slope.value_mixed == 0.0
    assert wrong_slope.grad_abs == pytest.approx(0.19)
    assert wrong_slope.worst == pytest.approx(0.19)


def test_softplus_threshold_is_seen() -> None:
    """PyTorch's default threshold=20 returns x above 20: e^-20 too small, absolutely."""
    x = np.array([19.0, 20.5, 25.0])
    default = compare(A.softplus, A.softplus_grad, F.softplus, x)
    assert default.value_abs == pytest.approx(math.log1p(math.exp(-20.5)), rel=1e-6)
    raised = compare(A.softplus, A.softplus_grad, lambda t: F.softplus(t, threshold=1000.0), x)
    assert raised.worst <= TOLERANCE
