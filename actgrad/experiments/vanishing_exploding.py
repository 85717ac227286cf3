r"""Experiments of the chapter *Why gradients vanish or explode*: products of Jacobians and of one matrix."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.network import MLP

__all__ = ["jacobian_chain", "recurrence_norms", "scale_to_spectral_radius"]


def jacobian_chain(net: MLP, x: ArrayLike) -> dict[str, FloatArray]:
    r"""Follow the Jacobian :math:`\partial a_\ell / \partial x` of one input ``x`` through the hidden layers.

    Layer :math:`\ell` contributes :math:`J_\ell = \operatorname{diag}(\varphi'(z_\ell))\, W_\ell^\top`.
    Per hidden layer: ``product`` (spectral norm of the chain so far),
    ``weight_norm`` (of :math:`W_\ell`), ``slope_max`` and ``slope_mean`` of
    :math:`\varphi'(z_\ell)`, and ``bound``, the running product of
    :math:`\max\varphi' \cdot \lVert W_\ell\rVert_2` that the chain never exceeds.
    """
    trace = net.forward(as_float_array(x)[None, :])
    chain = np.eye(net.weights[0].shape[0])
    out: dict[str, list[float]] = {k: [] for k in ("product", "weight_norm", "slope_max", "slope_mean")}
    for layer in range(net.depth):
        slopes = net.dphi(layer, trace.normalised[layer][0])
        W = net.weights[layer]
        chain = (slopes[:, None] * W.T) @ chain
        out["product"].append(float(np.linalg.norm(chain, 2)))
        out["weight_norm"].append(float(np.linalg.norm(W, 2)))
        out["slope_max"].append(float(slopes.max()))
        out["slope_mean"].append(float(slopes.mean()))
    result = {k: np.array(v) for k, v in out.items()}
    result["bound"] = np.cumprod(result["slope_max"] * result["weight_norm"])
    return result


def scale_to_spectral_radius(W: ArrayLike, radius: float) -> FloatArray:
    """Return the square matrix ``W`` rescaled to spectral radius ``radius``.

    >>> W = scale_to_spectral_radius([[2.0, 1.0], [0.0, -4.0]], 0.5)
    >>> round(float(np.max(np.abs(np.linalg.eigvals(W)))), 12)
    0.5
    """
    W = as_float_array(W)
    return W * (radius / float(np.max(np.abs(np.linalg.eigvals(W)))))


def recurrence_norms(W: ArrayLike, h0: ArrayLike, steps: int) -> dict[str, FloatArray]:
    r"""Iterate :math:`h_t = W h_{t-1}` ``steps`` times and measure how lengths change.

    ``h`` is :math:`\lVert h_t\rVert / \lVert h_0\rVert`, ``power`` the spectral
    norm of :math:`W^t` (the largest growth of any start vector, and the norm of
    the backward product :math:`(W^\top)^t`); ``radius`` and ``sigma_max`` are
    the spectral radius and the largest singular value of ``W``.
    """
    W, h = as_float_array(W), as_float_array(h0)
    h_norms, powers = [1.0], [1.0]
    start = float(np.linalg.norm(h))
    power = np.eye(W.shape[0])
    for _ in range(steps):
        h = W @ h
        power = W @ power
        h_norms.append(float(np.linalg.norm(h)) / start)
        powers.append(float(np.linalg.norm(power, 2)))
    return {
        "h": np.array(h_norms),
        "power": np.array(powers),
        "radius": np.array(float(np.max(np.abs(np.linalg.eigvals(W))))),
        "sigma_max": np.array(float(np.linalg.norm(W, 2))),
    }
