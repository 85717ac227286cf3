"""Input conversion shared by every activation."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def as_float_array(x: ArrayLike) -> FloatArray:
    """Return ``x`` as a new float64 array, never a view of the caller's data.

    Parameters
    ----------
    x : array_like
        A Python float, a (nested) list or a NumPy array of any shape.

    Returns
    -------
    numpy.ndarray
        A float64 copy with the shape of ``x`` (0-d for a scalar), so an
        activation may write into it without touching its input.
    """
    return np.array(x, dtype=np.float64, copy=True)
