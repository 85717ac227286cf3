"""Tests of actgrad.experiments.initialisation: a signal through a deep stack of layers."""

from __future__ import annotations

import numpy as np
import pytest

from actgrad.activations import relu, relu_grad
from actgrad.experiments.initialisation import signal_propagation

pytestmark = pytest.mark.unit


def test_he_gain_keeps_relu_signals_while_gain_one_halves_them_per_layer() -> None:
    kept = signal_propagation(relu, relu_grad, np.sqrt(2.0), depth=20, width=128, n=64, seed=0)
    halved = signal_propagation(relu, relu_grad, 1.0, depth=20, width=128, n=64, seed=0)
    assert kept["q"].shape == kept["grad"].shape == (20,)
    assert 0.3 < kept["q"][-1] / kept["q"][0] < 3.0
    assert halved["q"][-1] / halved["q"][0] < 1e-4  # about 2**-19
    assert halved["grad"][0] < 1e-3 * kept["grad"][0]
