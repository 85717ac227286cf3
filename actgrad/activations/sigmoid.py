"""The logistic sigmoid and its derivative."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array


def sigmoid(x: ArrayLike) -> FloatArray:
    r"""Logistic function :math:`\sigma(x) = 1 / (1 + e^{-x})`, elementwise.

    Stable for any finite input: ``exp`` is only ever taken of a non-positive
    number, using :math:`\sigma(x) = e^{x} / (1 + e^{x})` for ``x < 0``.

    >>> float(sigmoid(0.0))
    0.5
    """
    x = as_float_array(x)
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(x: ArrayLike) -> FloatArray:
    r"""Return the derivative :math:`\sigma'(x) = \sigma(x)\,\sigma(-x)`, at most 1/4.

    ``x`` is the pre-activation, not :math:`\sigma(x)`.

    Computed as :math:`e^{-|x|} / (1 + e^{-|x|})^2`, which equals
    :math:`\sigma(x)\sigma(-x)` and keeps full relative accuracy everywhere.
    The textbook :math:`\sigma(x)(1 - \sigma(x))` loses every significant digit
    of the small factor once :math:`\sigma(x)` rounds to 1 (``x`` above about
    37); PyTorch's autograd uses that form, so it returns 0 there.

    >>> float(sigmoid_grad(0.0))
    0.25
    """
    x = as_float_array(x)
    e = np.exp(-np.abs(x))
    return np.asarray(e / (1.0 + e) ** 2)
