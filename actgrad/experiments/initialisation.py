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
    r"""Send a batch forward and a random gradient backward through a deep stack of square layers.

    Every layer computes :math:`z_\ell = W_\ell a_{\ell-1}`, :math:`a_\ell =
    \varphi(z_\ell)` with :math:`W_\ell` drawn by
    :func:`actgrad.initializers.lecun_normal` times ``weight_gain`` (variance
    :math:`g^2/n`) and no biases; the input is standard normal. The backward
    pass starts from a standard normal :math:`\partial L/\partial a_L` and
    applies :math:`g_{\ell-1} = W_\ell^\top (\varphi'(z_\ell) \odot g_\ell)`.

    Parameters
    ----------
    activation, derivative : callable
        :math:`\varphi` and :math:`\varphi'`.
    weight_gain : float
        The gain :math:`g`, e.g. :func:`actgrad.initializers.gain` of an activation.
    depth : int, default 30
        Number of layers.
    width : int, default 256
        Units per layer (and input width).
    n : int, default 128
        Batch size.
    seed : int, default 0
        Seed of the generator (weights, inputs and the starting gradient).

    Returns
    -------
    dict of str to numpy.ndarray
        Per layer, first to last (shape ``(depth,)`` each): ``q`` (mean square
        of the pre-activations :math:`z_\ell`), ``mean`` (mean of the
        activations), ``grad`` (mean square of :math:`\partial L/\partial
        a_{\ell-1}`, the gradient arriving at layer :math:`\ell`'s input).
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
