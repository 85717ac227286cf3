"""The Gaussian error linear unit (GELU), exact and tanh-approximated."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations.sigmoid import sigmoid

_APPROXIMATIONS = ("none", "tanh")
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_KAPPA = 0.044715  # cubic coefficient of the tanh approximation
_INV_SQRT_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)

# math.erfc is the C library's erfc (accurate to an ulp or so) but takes one
# float at a time; vectorize loops over it in C-called Python: about 0.2 s per
# million elements, fast enough for a course.
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _check_approximate(approximate: str) -> None:
    if approximate not in _APPROXIMATIONS:
        raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")


def normal_cdf(x: ArrayLike) -> FloatArray:
    r"""Return the standard normal CDF :math:`\Phi(x) = \tfrac12 \operatorname{erfc}(-x/\sqrt2)`.

    Written with ``erfc`` rather than :math:`\tfrac12(1 + \operatorname{erf}(x/\sqrt2))`,
    which cancels to 0 for ``x`` below about -8 although :math:`\Phi(x)` is
    still far above the smallest float.

    >>> float(normal_cdf(0.0))
    0.5
    """
    x = as_float_array(x)
    return np.asarray(0.5 * _erfc(-x * _INV_SQRT_2))


def gelu(x: ArrayLike, approximate: str = "none") -> FloatArray:
    r"""GELU :math:`x\,\Phi(x)`, or its tanh approximation; the exact one has its minimum -0.1700 at -0.7518.

    ``approximate="tanh"`` gives
    :math:`\tfrac12 x \bigl(1 + \tanh(u)\bigr)` with
    :math:`u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)`, as in PyTorch. We evaluate
    it as the equal :math:`x\,\sigma(2u)`, since :math:`1 + \tanh u` cancels
    to 0 (and loses all relative accuracy) for ``x`` below about -5.

    >>> round(float(gelu(1.0)), 6)
    0.841345
    >>> round(float(gelu(1.0, approximate="tanh")), 6)
    0.841192
    """
    _check_approximate(approximate)
    x = as_float_array(x)
    if approximate == "tanh":
        u = _SQRT_2_OVER_PI * (x + _KAPPA * x**3)
        return np.asarray(x * sigmoid(2.0 * u))
    return np.asarray(x * normal_cdf(x))


def gelu_grad(x: ArrayLike, approximate: str = "none") -> FloatArray:
    r"""Return the derivative of :func:`gelu` (``approximate`` as there: ``"none"`` or ``"tanh"``).

    Exact: :math:`\Phi(x) + x\,\varphi(x)` with the normal density
    :math:`\varphi(x) = e^{-x^2/2} / \sqrt{2\pi}`.
    Tanh form: with :math:`s = \sigma(2u)`,
    :math:`s + 2x\,u'(x)\,s\,\sigma(-2u)`, where
    :math:`u'(x) = \sqrt{2/\pi}\,(1 + 3 \cdot 0.044715\,x^2)`.

    >>> float(gelu_grad(0.0))
    0.5
    """
    _check_approximate(approximate)
    x = as_float_array(x)
    if approximate == "tanh":
        u = _SQRT_2_OVER_PI * (x + _KAPPA * x**3)
        du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _KAPPA * x**2)
        s = sigmoid(2.0 * u)
        return np.asarray(s + 2.0 * x * du * s * sigmoid(-2.0 * u))
    density = np.exp(-0.5 * x**2) * _INV_SQRT_2PI
    return np.asarray(normal_cdf(x) + x * density)
