r"""Finite-difference gradient checks.

A derivative written by hand is checked against the central difference of
the function itself. The difference quotient has two errors of its own, and
the choice of ``h`` balances them:

* truncation, :math:`h^2 f'''(x) / 6` (about :math:`10^{-11}` for
  ``h = 1e-5`` and :math:`f''' \sim 1`), and
* rounding, about :math:`\varepsilon |f(x)| / h` (:math:`\varepsilon \approx
  2.2 \times 10^{-16}`, so again about :math:`10^{-11}` for :math:`|f| \sim 1`).

A correct derivative therefore agrees with the finite difference to about
:math:`10^{-10}` absolutely, and a relative tolerance of :math:`10^{-6}` is
safe wherever the derivative is not tiny; the ``floor`` of
:func:`relative_error` makes tiny derivatives compare absolutely.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array

_TINY = float(np.finfo(np.float64).tiny)


def numerical_derivative(
    f: Callable[[FloatArray], ArrayLike], x: ArrayLike, h: float = 1e-5
) -> FloatArray:
    r"""Central difference :math:`(f(x + h) - f(x - h)) / (2h)`.

    ``f`` must be elementwise: ``f(x)[i]`` may depend on ``x[i]`` only.

    >>> d = numerical_derivative(lambda t: t**2, [1.0, 3.0])
    >>> [round(float(v), 8) for v in d]
    [2.0, 6.0]
    """
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    x = as_float_array(x)
    forward = as_float_array(f(x + h))
    backward = as_float_array(f(x - h))
    return np.asarray((forward - backward) / (2.0 * h))


def relative_error(a: ArrayLike, b: ArrayLike, floor: float = _TINY) -> float:
    r"""Largest elementwise relative difference between ``a`` and ``b``.

    .. math::

        \max_i \frac{|a_i - b_i|}{\max(|a_i|, |b_i|, \mathrm{floor})}

    The denominator is the larger magnitude, so the error is symmetric in
    ``a`` and ``b`` and at most 2 unless both are below ``floor``. Two zeros
    give 0 rather than 0/0. With the default ``floor`` (the smallest normal
    float, about 2.2e-308) the comparison is relative everywhere; a larger
    ``floor`` turns it into an absolute comparison, scaled by ``1/floor``,
    for values smaller than ``floor``. A NaN in either gives NaN.

    >>> relative_error([1.0, 0.0], [1.25, 0.0])
    0.2
    """
    a = as_float_array(a)
    b = as_float_array(b)
    if not floor > 0:
        raise ValueError(f"floor must be positive, got {floor!r}")
    scale = np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)
    errors = np.abs(a - b) / scale
    return float(np.max(errors)) if errors.size else 0.0


def check_gradient(
    f: Callable[[FloatArray], ArrayLike],
    grad: Callable[[FloatArray], ArrayLike],
    x: ArrayLike,
    h: float = 1e-5,
    rtol: float = 1e-6,
    floor: float = 1e-4,
) -> float:
    r"""Check an analytic derivative ``grad`` of ``f`` against a central difference.

    Compares ``grad(x)`` with :func:`numerical_derivative` ``(f, x, h)``
    elementwise by :func:`relative_error` with the given ``floor``: where both
    are smaller than ``floor`` in magnitude, the test is
    ``|difference| <= rtol * floor`` (1e-10 by default), about the
    finite difference's own error for functions of size 1. Keep ``x`` away
    from kinks, where the central difference straddles two slopes. Returns the
    largest relative error; above ``rtol`` raises an AssertionError naming the
    worst input and both derivatives there.

    >>> import numpy as np
    >>> check_gradient(np.sin, np.cos, np.linspace(-3, 3, 7)) < 1e-9
    True
    """
    x = as_float_array(x)
    analytic = as_float_array(grad(x))
    numeric = numerical_derivative(f, x, h)
    if analytic.shape != numeric.shape:
        raise AssertionError(
            f"grad(x) has shape {analytic.shape} but the finite difference {numeric.shape}"
        )
    if analytic.size == 0:
        return 0.0
    # NaN anywhere (in either derivative) fails the check.
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), floor)
    errors = np.where(np.isnan(analytic - numeric), np.inf, np.abs(analytic - numeric) / scale)
    worst = np.unravel_index(np.argmax(errors), x.shape)
    error = float(errors[worst])
    if error > rtol:
        raise AssertionError(
            f"gradient check failed: relative error {error:.3g} > rtol={rtol:g} "
            f"at x={float(x[worst])!r} (index {tuple(int(i) for i in worst)}): "
            f"grad gives {float(analytic[worst])!r}, "
            f"finite difference gives {float(numeric[worst])!r}"
        )
    return error
