"""Softplus, a smooth ReLU, and its derivative."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations.sigmoid import sigmoid


def softplus(x: ArrayLike) -> FloatArray:
    r"""Softplus :math:`\log(1 + e^{x})`, elementwise.

    Computed as :math:`\max(x, 0) + \operatorname{log1p}(e^{-|x|})`, which
    never overflows and stays accurate both for large ``x`` (where the naive
    form overflows) and very negative ``x`` (where it would round
    :math:`1 + e^{x}` to 1 and return 0).

    PyTorch's ``softplus`` returns ``x`` itself above its ``threshold=20``;
    the two differ there by less than :math:`e^{-20} \approx 2\times10^{-9}`
    absolutely, about :math:`10^{-10}` relatively.

    >>> round(float(softplus(0.0)), 12)
    0.69314718056
    """
    x = as_float_array(x)
    return np.asarray(np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))))


def softplus_grad(x: ArrayLike) -> FloatArray:
    r"""Return the derivative of :func:`softplus`, the logistic sigmoid :math:`\sigma(x)`.

    >>> float(softplus_grad(0.0))
    0.5
    """
    return sigmoid(x)
