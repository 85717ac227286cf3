"""Input conversion shared by every activation."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]


def as_float_array(x: ArrayLike) -> FloatArray:
    """Return ``x`` as a new float64 array (0-d for a scalar), which an activation may write into."""
    return np.array(x, dtype=np.float64, copy=True)
