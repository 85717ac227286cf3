r"""The experiment of the chapter *Initialisation*: a signal sent forward and back through a deep stack."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.initializers import lecun_normal

__all__ = ["signal_propagation"]

Activation = Callable[[ArrayLike], FloatArray]


def signal_propagation(
    activation: Activation,
    derivative: Activation,
    weight_gain: float,
    depth: int = 30,
    width: int = 256,
    n: int = 128,
    seed: int = 0,
) -> dict[str, FloatArray]:
    r"""Send a batch forward and a random gradient backward through ``depth`` square layers without biases.

    Weights are :func:`actgrad.initializers.lecun_normal` times ``weight_gain``
    (variance :math:`g^2/n`); the input and the gradient at the top are
    standard normal. Per layer, first to last: ``q``, the mean square of
    :math:`z_\ell`; ``mean``, the mean activation; ``grad``, the mean square of
    the gradient arriving at the layer's input.
    """
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, width))
    weights = [weight_gain * lecun_normal(width, width, rng) for _ in range(depth)]
    q, mean, zs = [], [], []
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for W in weights:
            z = a @ W
            a = as_float_array(activation(z))
            zs.append(z)
            q.append(float(np.mean(z**2)))
            mean.append(float(np.mean(a)))
        g = rng.normal(size=(n, width))
        grads = [0.0] * depth
        for layer in range(depth - 1, -1, -1):
            g = (g * as_float_array(derivative(zs[layer]))) @ weights[layer].T
            grads[layer] = float(np.mean(g**2))
    return {"q": np.array(q), "mean": np.array(mean), "grad": np.array(grads)}
