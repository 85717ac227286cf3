r"""Small numerical tools of the chapter *Modern smooth activations*.

* :func:`bisect_root` finds where a continuous scalar function changes sign;
  the chapter applies it to a derivative to locate the minimum of SiLU, GELU
  and Mish (the points where the derivative is zero).
* :func:`largest_gap` measures how far apart two functions are on a grid and
  where, which the chapter uses for the error of GELU's approximations.
* :func:`affine_pieces` evaluates the ``k`` affine pieces of a Maxout unit of
  one input, laid out as :func:`actgrad.activations.maxout` groups them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array

__all__ = ["Gap", "affine_pieces", "bisect_root", "largest_gap"]


def bisect_root(g: Callable[[float], float], lo: float, hi: float, xtol: float = 1e-13) -> float:
    """Return a point within ``xtol`` of a zero of the continuous ``g`` in ``[lo, hi]``, by bisection.

    ``g(lo)`` and ``g(hi)`` must have opposite signs, or one of them be zero;
    an empty bracket or the same sign at both ends is a ValueError.

    >>> round(bisect_root(lambda t: t * t - 2.0, 0.0, 2.0), 10)
    1.4142135624
    """
    lo, hi = float(lo), float(hi)
    if not lo < hi:
        raise ValueError(f"need lo < hi, got lo={lo!r}, hi={hi!r}")
    g_lo, g_hi = float(g(lo)), float(g(hi))
    if g_lo == 0.0:
        return lo
    if g_hi == 0.0:
        return hi
    if math.copysign(1.0, g_lo) == math.copysign(1.0, g_hi):
        raise ValueError(f"g has the same sign at both ends: g({lo})={g_lo!r}, g({hi})={g_hi!r}")
    while hi - lo > xtol:
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):  # the bracket cannot shrink any further in floating point
            break
        g_mid = float(g(mid))
        if g_mid == 0.0:
            return mid
        if math.copysign(1.0, g_mid) == math.copysign(1.0, g_lo):
            lo, g_lo = mid, g_mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


class Gap(NamedTuple):
    """Largest absolute difference ``value`` of two functions on a grid, first reached at ``at``."""

    value: float
    at: float


def largest_gap(
    f: Callable[[FloatArray], ArrayLike], g: Callable[[FloatArray], ArrayLike], x: ArrayLike
) -> Gap:
    """Return the largest ``|f(x) - g(x)|`` over a non-empty 1-D grid ``x`` and where it occurs.

    >>> largest_gap(lambda t: t**2, lambda t: t, [0.0, 0.5, 2.0])
    Gap(value=2.0, at=2.0)
    """
    x = as_float_array(x)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"x must be a non-empty 1-D grid, got shape {x.shape}")
    difference = np.abs(as_float_array(f(x)) - as_float_array(g(x)))
    i = int(np.argmax(difference))
    return Gap(float(difference[i]), float(x[i]))


def affine_pieces(x: ArrayLike, weights: ArrayLike, biases: ArrayLike) -> FloatArray:
    """Pre-activations :math:`w_k x + b_k` of a one-input Maxout unit with ``k`` pieces, on a new last axis.

    ``weights`` and ``biases`` are 1-D of one length ``k``. For ``x`` of shape
    ``S`` the result has shape ``S + (k,)``, so
    ``maxout(z, num_pieces=k)[..., 0]`` is the unit's output.

    >>> affine_pieces([2.0], [1.0, -1.0], [0.0, 0.0]).tolist()
    [[2.0, -2.0]]
    """
    x = as_float_array(x)
    w = as_float_array(weights)
    b = as_float_array(biases)
    if w.ndim != 1 or w.shape != b.shape or w.size == 0:
        raise ValueError(f"weights and biases must be 1-D of one length, got {w.shape} and {b.shape}")
    return x[..., np.newaxis] * w + b
