"""Mish, x tanh(softplus(x)), and its derivative."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations.sigmoid import sigmoid


def _tanh_sech2_softplus(x: FloatArray) -> tuple[FloatArray, FloatArray]:
    r"""Return :math:`\tanh s` and :math:`\operatorname{sech}^2 s` for ``s = softplus(x)``.

    With :math:`w = e^{s} = 1 + e^{x}`: :math:`\tanh s = (w^2 - 1)/(w^2 + 1)`
    and :math:`\operatorname{sech}^2 s = 4w^2/(w^2 + 1)^2`. For ``x <= 0``,
    with :math:`e = e^{x}`, :math:`w^2 - 1 = e(e + 2)`. For ``x > 0`` we divide
    numerator and denominator by :math:`e^{2x}` and write :math:`e = e^{-x}`,
    so :math:`w e^{-x} = 1 + e` and :math:`(w^2 - 1)e^{-2x} = 1 + 2e`. Thus
    ``exp`` is only taken of non-positive numbers and no result cancels.
    """
    e = np.exp(-np.abs(x))  # e^{x} for x <= 0, e^{-x} for x > 0
    w2 = (1.0 + e) ** 2
    # x <= 0
    tanh_neg = e * (e + 2.0) / (w2 + 1.0)
    sech2_neg = 4.0 * w2 / (w2 + 1.0) ** 2
    # x > 0
    tanh_pos = (1.0 + 2.0 * e) / (w2 + e**2)
    sech2_pos = 4.0 * w2 * e**2 / (w2 + e**2) ** 2
    positive = x > 0
    return np.where(positive, tanh_pos, tanh_neg), np.where(positive, sech2_pos, sech2_neg)


def mish(x: ArrayLike) -> FloatArray:
    r"""Mish :math:`x \tanh(\log(1 + e^{x}))` (Misra, 2019), with its minimum -0.3088 at -1.1924.

    >>> float(mish(0.0))
    0.0
    """
    x = as_float_array(x)
    t, _ = _tanh_sech2_softplus(x)
    return np.asarray(x * t)


def mish_grad(x: ArrayLike) -> FloatArray:
    r"""Return the derivative of :func:`mish`.

    It is :math:`\tanh(s) + x\,\operatorname{sech}^2(s)\,\sigma(x)`, where
    :math:`s = \mathrm{softplus}(x)` has derivative :math:`\sigma(x)`.

    >>> round(float(mish_grad(0.0)), 12)
    0.6
    """
    x = as_float_array(x)
    t, sech2 = _tanh_sech2_softplus(x)
    return np.asarray(t + x * sech2 * sigmoid(x))
