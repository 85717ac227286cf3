"""The exponential linear unit (ELU) and its derivative."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array


def elu(x: ArrayLike, alpha: float = 1.0) -> FloatArray:
    r"""ELU: ``x`` for ``x > 0``, :math:`\alpha (e^{x} - 1)` otherwise, saturating at :math:`-\alpha`.

    The negative branch uses ``expm1``, accurate for small ``|x|``, and is
    evaluated at :math:`\min(x, 0)` so that ``exp`` never overflows on the
    branch ``numpy.where`` throws away.

    >>> float(elu(0.0))
    0.0
    """
    x = as_float_array(x)
    negative = alpha * np.expm1(np.minimum(x, 0.0))
    return np.where(x > 0, x, negative)


def elu_grad(x: ArrayLike, alpha: float = 1.0) -> FloatArray:
    r"""Return the derivative of :func:`elu`: 1 for ``x > 0``, else :math:`\alpha e^{x}`.

    At ``x = 0`` we return ``alpha`` (the left derivative), as PyTorch's
    autograd does; for ``alpha = 1`` both one-sided derivatives are 1.

    >>> float(elu_grad(0.0, alpha=0.5))
    0.5
    """
    x = as_float_array(x)
    negative = alpha * np.exp(np.minimum(x, 0.0))
    return np.where(x > 0, 1.0, negative)
