r"""Measurements of the chapter *A depth experiment*: every hidden layer of a network, at one glance.

:func:`depth_profile` reads activations and gradients of every layer of an
:class:`actgrad.network.MLP` on one batch; the widget of the chapter shows it
for any depth, activation and initialisation.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.network import MLP

__all__ = ["depth_profile", "histogram_edges", "layer_factor"]


def histogram_edges(activation: str, bins: int = 40) -> FloatArray:
    r"""Return ``bins + 1`` histogram edges on [0, 1] (sigmoid), [-1, 1] (tanh) or [0, 4].

    Other activations are binned as :math:`a/\mathrm{rms}(a)`.
    """
    low, high = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(activation, (0.0, 4.0))
    return np.linspace(low, high, bins + 1)


def _rms(values: FloatArray) -> float:
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        scale = float(np.max(np.abs(values))) if values.size else 0.0
        if scale == 0.0 or not np.isfinite(scale):
            return scale
        return scale * float(np.sqrt(np.mean((values / scale) ** 2)))


def depth_profile(net: MLP, X: ArrayLike, y: ArrayLike, bins: int = 40) -> dict[str, FloatArray]:
    r"""Measure every hidden layer of ``net`` on one batch.

    Returns, per hidden layer: ``rms`` of the activations, ``std_z`` of the
    pre-activations, the norms ``grad_w`` and ``grad_b`` of the loss's
    gradients, ``hist`` (``(depth, bins)``, share of activations per bin of
    :func:`histogram_edges`, values outside counted in the end bins); and
    ``edges`` and ``loss``.
    """
    loss, grads, trace = net.loss_and_grads(X, y)
    named = net.by_name(grads)
    grad_w = [named[f"W{layer + 1}"] for layer in range(net.depth)]
    grad_b = [named[f"b{layer + 1}"] for layer in range(net.depth)]
    edges = histogram_edges(net.activation, bins)
    hist = np.zeros((net.depth, bins))
    rms = np.array([_rms(a) for a in trace.hidden])
    for layer, a in enumerate(trace.hidden):
        values = a.ravel()
        if net.activation not in ("sigmoid", "tanh"):
            values = values / rms[layer] if rms[layer] > 0 and np.isfinite(rms[layer]) else values * 0
        index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, bins - 1)
        hist[layer] = np.bincount(index, minlength=bins) / values.size
    with np.errstate(over="ignore", invalid="ignore"):
        std_z = np.array([float(np.std(z)) for z in trace.preactivations[:-1]])
    return {
        "rms": rms,
        "std_z": std_z,
        "grad_w": np.array([_rms(g) * np.sqrt(g.size) for g in grad_w]),
        "grad_b": np.array([_rms(g) * np.sqrt(g.size) for g in grad_b]),
        "hist": hist,
        "edges": edges,
        "loss": np.array(loss),
    }


def layer_factor(norms: ArrayLike) -> float:
    r"""Return the geometric mean :math:`(g_L / g_1)^{1/(L-1)}` of the ratios of neighbouring layers.

    Above 1 when the quantity shrinks toward the first layer.

    >>> layer_factor([1.0, 4.0, 16.0])
    4.0
    """
    g = as_float_array(norms)
    if g.size < 2:
        raise ValueError("need at least two layers")
    return float(np.exp(np.log(g[-1] / g[0]) / (g.size - 1)))
