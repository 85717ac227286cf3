"""SiLU (sigmoid-weighted linear unit) and Swish, with their derivatives."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations.sigmoid import sigmoid


def silu(x: ArrayLike) -> FloatArray:
    r"""SiLU :math:`x\,\sigma(x)`, i.e. Swish with :math:`\beta = 1`; its minimum is -0.2785 at -1.2785.

    >>> float(silu(0.0))
    0.0
    """
    x = as_float_array(x)
    return np.asarray(x * sigmoid(x))


def silu_grad(x: ArrayLike) -> FloatArray:
    r"""Return the derivative :math:`\sigma(x)\,\bigl(1 + x\,\sigma(-x)\bigr)` of :func:`silu`.

    Uses :math:`\sigma(-x)` rather than :math:`1 - \sigma(x)`, which rounds to
    0 for large ``x``.

    >>> float(silu_grad(0.0))
    0.5
    """
    x = as_float_array(x)
    return np.asarray(sigmoid(x) * (1.0 + x * sigmoid(-x)))


def swish(x: ArrayLike, beta: float = 1.0) -> FloatArray:
    r"""Swish :math:`x\,\sigma(\beta x)` (Ramachandran et al., 2017), ``beta`` the sharpness of the gate.

    :math:`\beta = 1` gives :func:`silu`, :math:`\beta = 0` the line
    :math:`x/2`, and :math:`\beta \to \infty` approaches ReLU.

    >>> float(swish(2.0, beta=0.0))
    1.0
    """
    x = as_float_array(x)
    return np.asarray(x * sigmoid(beta * x))


def swish_grad(x: ArrayLike, beta: float = 1.0) -> FloatArray:
    r"""Return the derivative of :func:`swish`.

    It is :math:`\sigma(\beta x)\,\bigl(1 + \beta x\,\sigma(-\beta x)\bigr)`.

    >>> float(swish_grad(2.0, beta=0.0))
    0.5
    """
    x = as_float_array(x)
    bx = beta * x
    return np.asarray(sigmoid(bx) * (1.0 + bx * sigmoid(-bx)))
