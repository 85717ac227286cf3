"""The rectified linear unit and its derivative."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array


def relu(x: ArrayLike) -> FloatArray:
    r"""Rectified linear unit :math:`\max(x, 0)`, elementwise.

    >>> relu([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 3.0]
    """
    x = as_float_array(x)
    return np.asarray(np.maximum(x, 0.0))  # maximum, unlike where, keeps NaN


def relu_grad(x: ArrayLike) -> FloatArray:
    r"""Return the derivative of :func:`relu`: 1 for ``x > 0``, else 0.

    At the kink ``x = 0`` the derivative does not exist; like PyTorch's
    autograd we return 0 there (the left derivative).

    >>> relu_grad([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 1.0]
    """
    x = as_float_array(x)
    return np.where(x > 0, 1.0, 0.0)
