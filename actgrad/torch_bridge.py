"""The course's activations next to PyTorch's: values and autograd derivatives in float64.

The chapters' sections *In PyTorch* call the torch function themselves and
hand it to :func:`compare`, which measures how far it is from the course's
function and derivative. Agreement is judged by a mixed criterion,
:func:`mixed_error`: the difference counts absolutely where the reference is
smaller than 1 in size and relatively where it is larger. A purely relative
test would fail in the saturated tails, where PyTorch's derivative formulas
(``s(1 - s)`` for the sigmoid, ``1 - t**2`` for tanh) round a value of about
1e-18 to 0, and a purely absolute one would be too strict for values of 700.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array

#: The agreement the chapters assert: mixed error at most 1e-12.
TOLERANCE = 1e-12


def float64_grid() -> FloatArray:
    """-30 to 30 in steps of 0.01 (0 included), and the tails ±100 and ±700."""
    steps = np.arange(-3000, 3001) / 100.0
    return np.concatenate([[-700.0, -100.0], steps, [100.0, 700.0]])


def _max_abs(a: FloatArray, b: FloatArray) -> float:
    """Largest ``|a - b|``, with equal entries (infinities included) counting 0."""
    return float(np.max(np.abs(np.where(a == b, 0.0, a - b)), initial=0.0))


def mixed_error(ours: ArrayLike, reference: ArrayLike) -> float:
    """Largest ``|ours - reference| / max(1, |reference|)``; infinite if they disagree on inf or nan."""
    a, b = as_float_array(ours), as_float_array(reference)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} and {b.shape}")
    if not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return float("inf")
    finite = np.isfinite(b)
    if not np.array_equal(a[~finite], b[~finite], equal_nan=True):
        return float("inf")
    a, b = a[finite], b[finite]
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


@dataclass(frozen=True)
class Agreement:
    """How far PyTorch's values and autograd derivatives are from the course's."""

    value_abs: float
    value_mixed: float
    grad_abs: float
    grad_mixed: float

    @property
    def worst(self) -> float:
        """The larger of the two mixed errors: what the chapters compare with :data:`TOLERANCE`."""
        return max(self.value_mixed, self.grad_mixed)

    def __str__(self) -> str:
        return (
            f"values:      largest |difference| {self.value_abs:.1e}, mixed error {self.value_mixed:.1e}\n"
            f"derivatives: largest |difference| {self.grad_abs:.1e}, mixed error {self.grad_mixed:.1e}"
        )


def compare(
    course_f: Callable[[FloatArray], ArrayLike],
    course_df: Callable[[FloatArray], ArrayLike],
    torch_f: Callable[[torch.Tensor], torch.Tensor],
    x: ArrayLike,
) -> Agreement:
    """Compare ``torch_f`` and its autograd derivative with ``course_f`` and ``course_df`` at ``x``.

    ``torch_f`` must be elementwise, so that the gradient of the sum of its
    outputs is its derivative at every point. The course's values are the
    reference of the relative part of :func:`mixed_error`.
    """
    x = as_float_array(x)
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = torch_f(t)
    (dy,) = torch.autograd.grad(y.sum(), t)
    theirs, their_grad = y.detach().numpy(), dy.numpy()
    ours, our_grad = as_float_array(course_f(x)), as_float_array(course_df(x))
    return Agreement(
        value_abs=_max_abs(theirs, ours),
        value_mixed=mixed_error(theirs, ours),
        grad_abs=_max_abs(their_grad, our_grad),
        grad_mixed=mixed_error(their_grad, our_grad),
    )
