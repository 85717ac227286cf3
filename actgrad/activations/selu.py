"""The scaled exponential linear unit (SELU), its derivative and constants."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray
from actgrad.activations.elu import elu, elu_grad

#: SELU's :math:`\alpha_{01}` (Klambauer et al., 2017), as used by PyTorch.
SELU_ALPHA = 1.6732632423543772
#: SELU's scale :math:`\lambda_{01}` (Klambauer et al., 2017), as used by PyTorch.
SELU_LAMBDA = 1.0507009873554805


def selu_constants() -> tuple[float, float]:
    r"""Derive SELU's :math:`(\alpha_{01}, \lambda_{01})` from their closed form.

    Klambauer et al. (2017, "Self-Normalizing Neural Networks") choose
    :math:`\alpha` and :math:`\lambda` so that, for a standard normal input,
    :math:`\lambda\,\mathrm{elu}(z, \alpha)` again has mean 0 and variance 1. The
    results equal :data:`SELU_ALPHA` and :data:`SELU_LAMBDA` to a few units in
    the last place (the subtraction in :math:`\alpha_{01}`'s denominator loses
    about two bits):

    .. math::

        \alpha_{01} = -\frac{\sqrt{2/\pi}}
                            {\operatorname{erfc}(1/\sqrt{2})\,e^{1/2} - 1},

        \lambda_{01} = \bigl(1 - \operatorname{erfc}(1/\sqrt{2})\sqrt{e}\bigr)
            \sqrt{2\pi}\,
            \bigl(2\operatorname{erfc}(\sqrt{2})\,e^{2}
            + \pi \operatorname{erfc}(1/\sqrt{2})^{2} e
            - 2(2 + \pi)\operatorname{erfc}(1/\sqrt{2})\sqrt{e}
            + \pi + 2\bigr)^{-1/2}.

    >>> alpha, lam = selu_constants()
    >>> round(alpha, 12), round(lam, 12)
    (1.673263242354, 1.050700987355)
    """
    c = math.erfc(1.0 / math.sqrt(2.0))  # 2 P(Z > 1) for a standard normal Z
    sqrt_e = math.exp(0.5)
    alpha = -math.sqrt(2.0 / math.pi) / (c * sqrt_e - 1.0)
    denominator = (
        2.0 * math.erfc(math.sqrt(2.0)) * math.e**2
        + math.pi * c**2 * math.e
        - 2.0 * (2.0 + math.pi) * c * sqrt_e
        + math.pi
        + 2.0
    )
    scale = (1.0 - c * sqrt_e) * math.sqrt(2.0 * math.pi) / math.sqrt(denominator)
    return alpha, scale


def selu(x: ArrayLike) -> FloatArray:
    r"""SELU: :math:`\lambda\,\mathrm{elu}(x, \alpha)` with the self-normalising constants.

    It saturates at :math:`-\lambda\alpha \approx -1.7581`.

    >>> round(float(selu(1.0)), 6)
    1.050701
    """
    return np.asarray(SELU_LAMBDA * elu(x, SELU_ALPHA))


def selu_grad(x: ArrayLike) -> FloatArray:
    r"""Return the derivative of :func:`selu`.

    It is :math:`\lambda` for ``x > 0`` and :math:`\lambda\alpha e^{x}` otherwise;
    at ``x = 0`` we return :math:`\lambda\alpha \approx 1.7581` (the left
    derivative), as PyTorch's autograd does; the right derivative is
    :math:`\lambda \approx 1.0507`.

    >>> round(float(selu_grad(1.0)), 6)
    1.050701
    """
    return np.asarray(SELU_LAMBDA * elu_grad(x, SELU_ALPHA))
