"""Softmax, log-softmax and the softmax Jacobian."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array


def softmax(z: ArrayLike, axis: int = -1) -> FloatArray:
    r"""Softmax :math:`s_i = e^{z_i} / \sum_j e^{z_j}` along ``axis``.

    The maximum along ``axis`` is subtracted first: softmax does not change
    when a constant is added to every :math:`z_j`, and after the shift every
    exponent is at most 0 and the largest is exactly 0, so ``exp`` cannot
    overflow and the denominator is at least 1.

    >>> softmax([0.0, 0.0]).tolist()
    [0.5, 0.5]
    >>> softmax([[1000.0, 1000.0]], axis=1).tolist()
    [[0.5, 0.5]]
    """
    z = as_float_array(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z: ArrayLike, axis: int = -1) -> FloatArray:
    r"""Logarithm of :func:`softmax`, :math:`z_i - \log\sum_j e^{z_j}`, along ``axis``.

    Computed with the same shift by the maximum (the log-sum-exp trick), so
    it stays finite where ``softmax`` underflows to 0 and its log would be
    :math:`-\infty`. After the shift the sum of exponentials is
    :math:`1 + r`, with :math:`r` the sum over all entries but one maximal
    one; taking ``log1p(r)`` rather than ``log(1 + r)`` keeps full relative
    accuracy for a dominant class, whose log-probability is about
    :math:`-r`.

    >>> log_softmax([0.0, -1000.0]).tolist()
    [0.0, -1000.0]
    """
    z = as_float_array(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    e = np.exp(shifted)
    # drop one maximal entry, whose exponential is exactly 1: log(sum e) = log1p(rest)
    np.put_along_axis(e, np.argmax(shifted, axis=axis, keepdims=True), 0.0, axis=axis)
    return shifted - np.log1p(np.sum(e, axis=axis, keepdims=True))


def softmax_jacobian(z: ArrayLike) -> FloatArray:
    r"""Jacobian :math:`J_{ij} = \partial s_i / \partial z_j = s_i(\delta_{ij} - s_j)` of softmax (1-D ``z``).

    In matrix form :math:`J = \operatorname{diag}(s) - s s^{\mathsf T}`: it is
    symmetric, and its rows (and columns) sum to 0 because adding a constant
    to ``z`` leaves ``s`` unchanged. The diagonal :math:`s_i(1 - s_i)` uses
    :math:`1 - s_i = \sum_{j \ne i} s_j`, which keeps its relative accuracy
    when :math:`s_i` is close to 1 (where :math:`s_i - s_i^2` cancels).

    >>> softmax_jacobian([0.0, 0.0]).tolist()
    [[0.25, -0.25], [-0.25, 0.25]]
    """
    z = as_float_array(z)
    if z.ndim != 1:
        raise ValueError(f"softmax_jacobian needs a 1-D z, got shape {z.shape}")
    s = softmax(z)
    jacobian = -np.outer(s, s)
    others = np.where(np.eye(z.size, dtype=bool), 0.0, s).sum(axis=1)  # 1 - s_i
    np.fill_diagonal(jacobian, s * others)
    return jacobian
