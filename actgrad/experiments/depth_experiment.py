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
    r"""Return bin edges suited to an activation's range (see :func:`depth_profile`).

    Parameters
    ----------
    activation : str
        ``"sigmoid"`` gives [0, 1], ``"tanh"`` [-1, 1]; for any other
        activation the histogram is of :math:`a / \mathrm{rms}(a)`, binned on [0, 4].
    bins : int, default 40
        Number of bins.

    Returns
    -------
    numpy.ndarray
        ``bins + 1`` edges.
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

    Parameters
    ----------
    net : MLP
        The network.
    X, y : array_like
        Batch and labels.
    bins : int, default 40
        Histogram bins per layer.

    Returns
    -------
    dict of str to numpy.ndarray
        ``rms`` (root mean square of each hidden layer's activations, shape
        ``(depth,)``), ``std_z`` (standard deviation of its pre-activations),
        ``grad_w`` (Frobenius norm of :math:`\partial L/\partial W` of each
        hidden layer), ``grad_b`` (norm of :math:`\partial L/\partial b`),
        ``hist`` (``(depth, bins)``, fraction of activations per bin, see
        :func:`histogram_edges`; outside the range they count in the end
        bins), ``edges`` and ``loss`` (0-d).
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
    r"""Average factor by which a per-layer quantity grows from the first layer to the last.

    The geometric mean :math:`(g_L / g_1)^{1/(L-1)}` of the ratios of
    neighbouring layers; a gradient that shrinks toward the input has a factor
    above 1 (it grows from layer 1 to layer :math:`L`).

    Parameters
    ----------
    norms : array_like
        One positive value per layer, first layer first.

    Returns
    -------
    float
        The factor.

    Examples
    --------
    >>> layer_factor([1.0, 4.0, 16.0])
    4.0
    """
    g = as_float_array(norms)
    if g.size < 2:
        raise ValueError("need at least two layers")
    return float(np.exp(np.log(g[-1] / g[0]) / (g.size - 1)))
