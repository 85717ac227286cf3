"""Maxout: the maximum over groups of consecutive units, and its gradient."""

from __future__ import annotations

import operator

import numpy as np
from numpy.lib.array_utils import normalize_axis_index
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array


def _grouped(z: ArrayLike, num_pieces: int, axis: int) -> tuple[FloatArray, int]:
    """Return ``z`` with ``axis`` moved last and split into ``(groups, num_pieces)``."""
    z = as_float_array(z)
    if z.ndim == 0:
        raise ValueError("maxout needs an array with at least one dimension")
    try:
        k = operator.index(num_pieces)
    except TypeError:
        raise TypeError(f"num_pieces must be an integer, got {num_pieces!r}") from None
    if k < 1:
        raise ValueError(f"num_pieces must be at least 1, got {k}")
    axis = normalize_axis_index(axis, z.ndim)
    n = z.shape[axis]
    if n % k != 0:
        raise ValueError(
            f"maxout: axis {axis} has length {n}, which is not divisible by num_pieces={k}"
        )
    moved = np.moveaxis(z, axis, -1)
    return moved.reshape(*moved.shape[:-1], n // k, k), axis


def maxout(z: ArrayLike, num_pieces: int, axis: int = -1) -> FloatArray:
    r"""Maxout (Goodfellow et al., 2013): the max over groups of ``num_pieces`` units.

    Along ``axis``, units ``0 .. k-1`` form the first group, ``k .. 2k-1`` the
    second, and so on (``k = num_pieces``); each group is replaced by its
    maximum, so that axis shrinks by a factor ``k``, which must divide its length.

    >>> maxout([1.0, 5.0, -2.0, -3.0], num_pieces=2).tolist()
    [5.0, -2.0]
    """
    grouped, axis = _grouped(z, num_pieces, axis)
    return np.moveaxis(grouped.max(axis=-1), -1, axis)


def maxout_grad(z: ArrayLike, num_pieces: int, axis: int = -1) -> FloatArray:
    r"""Return the derivative of :func:`maxout` for each input: a 0/1 mask.

    The mask is 1 at the unit that attains its group's maximum and 0
    elsewhere, so the upstream gradient flows to one unit per group. On ties
    the first maximum wins, like ``numpy.argmax`` and ``torch.max(dim=...)``.

    >>> maxout_grad([1.0, 5.0, -2.0, -2.0], num_pieces=2).tolist()
    [0.0, 1.0, 1.0, 0.0]
    """
    grouped, axis = _grouped(z, num_pieces, axis)
    mask = np.zeros_like(grouped)
    np.put_along_axis(mask, np.argmax(grouped, axis=-1)[..., np.newaxis], 1.0, axis=-1)
    return np.moveaxis(mask.reshape(*mask.shape[:-2], -1), -1, axis)
