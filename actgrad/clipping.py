"""Gradient clipping by the global L2 norm."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array


def global_norm(grads: Sequence[ArrayLike]) -> float:
    r"""Global L2 norm :math:`\sqrt{\sum_k \lVert g_k \rVert_2^2}` of a list of arrays.

    The norm of all entries of all arrays taken together, as if they were
    concatenated into one vector. Every array is first divided by the largest
    magnitude present, so squaring cannot overflow (or underflow) even for
    gradients near the float limits. An empty list has norm 0; an ``inf`` or
    ``nan`` entry makes the norm ``inf`` or ``nan``.

    >>> global_norm([[3.0], [[4.0]]])
    5.0
    """
    arrays = [np.asarray(g, dtype=np.float64) for g in grads]
    largest = max((float(np.abs(g).max()) for g in arrays if g.size), default=0.0)
    if largest == 0.0 or not math.isfinite(largest):
        return largest
    total = math.fsum(float(((g / largest) ** 2).sum()) for g in arrays)
    return largest * math.sqrt(total)


def clip_by_global_norm(grads: Sequence[ArrayLike], max_norm: float) -> list[FloatArray]:
    r"""Scale a list of gradients together so that their global norm is at most ``max_norm``.

    Every array is multiplied by the same factor
    :math:`\min(1, \text{max\_norm} / \lVert g \rVert)`, where
    :math:`\lVert g \rVert` is :func:`global_norm` of the whole list: the
    direction of the full gradient is kept, only its length is capped
    (clipping each array by its own norm would change the direction). The
    result is new arrays, also below the limit; a gradient holding ``inf`` or
    ``nan`` is refused, since its norm and so the factor would be meaningless.

    >>> [g.tolist() for g in clip_by_global_norm([[6.0], [8.0]], max_norm=5.0)]
    [[3.0], [4.0]]
    """
    max_norm = float(max_norm)
    if not (math.isfinite(max_norm) and max_norm > 0):
        raise ValueError(f"max_norm must be positive and finite, got {max_norm!r}")
    arrays = [as_float_array(g) for g in grads]
    norm = global_norm(arrays)
    if not math.isfinite(norm):
        raise ValueError(f"the global norm of the gradients is {norm}; cannot clip")
    if norm <= max_norm:
        return arrays
    scale = max_norm / norm
    for g in arrays:  # our own copies: scale in place
        g *= scale
    return arrays


def clip_by_value(grads: Sequence[ArrayLike], limit: float) -> list[FloatArray]:
    """Clip every entry of every gradient to ``[-limit, limit]`` (new arrays).

    Unlike :func:`clip_by_global_norm`, this turns the gradient whenever some
    entries are clipped and others are not.

    >>> [g.tolist() for g in clip_by_value([[0.5, -3.0]], 1.0)]
    [[0.5, -1.0]]
    """
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit!r}")
    return [np.clip(as_float_array(g), -limit, limit) for g in grads]
