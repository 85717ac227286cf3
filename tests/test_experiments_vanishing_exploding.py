"""Tests of actgrad.experiments.vanishing_exploding: products of Jacobians and of one matrix."""

from __future__ import annotations

import numpy as np
import pytest

from actgrad.experiments.vanishing_exploding import jacobian_chain, recurrence_norms, scale_to_spectral_radius
from actgrad.network import make_mlp

pytestmark = pytest.mark.unit


def test_jacobian_chain_never_exceeds_its_bound() -> None:
    x = np.random.default_rng(0).normal(size=16)
    for activation, init, scale in [("sigmoid", "glorot", 1.0), ("tanh", "normal", 1.0), ("relu", "he", 2.0)]:
        chain = jacobian_chain(make_mlp(8, 16, 16, activation, init, scale, seed=3), x)
        assert np.all(chain["product"] <= chain["bound"] * (1 + 1e-12))
    sigmoid = jacobian_chain(make_mlp(8, 16, 16, "sigmoid", "glorot", seed=3), x)
    assert np.all(sigmoid["slope_max"] <= 0.25)
    assert sigmoid["product"][-1] < 1e-3


def test_spectral_radius_decides_growth_of_a_recurrence() -> None:
    rng = np.random.default_rng(2013)
    W0, h0 = rng.normal(size=(32, 32)), rng.normal(size=32)
    shrink = recurrence_norms(scale_to_spectral_radius(W0, 0.9), h0, 100)
    grow = recurrence_norms(scale_to_spectral_radius(W0, 1.1), h0, 100)
    assert float(shrink["radius"]) == pytest.approx(0.9)
    assert shrink["power"][-1] < 1e-2 < 1e2 < grow["power"][-1]
    # the largest singular value bounds every power
    for r in (shrink, grow):
        assert np.all(r["power"] <= float(r["sigma_max"]) ** np.arange(101) * (1 + 1e-9))
