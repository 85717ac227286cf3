"""Leaky ReLU and the parametric ReLU (PReLU), with their derivatives."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array


def leaky_relu(x: ArrayLike, alpha: float = 0.01) -> FloatArray:
    r"""Leaky ReLU: ``x`` for ``x > 0``, ``alpha * x`` otherwise (``alpha`` is PyTorch's ``negative_slope``).

    >>> leaky_relu([-2.0, 3.0], alpha=0.1).tolist()
    [-0.2, 3.0]
    """
    x = as_float_array(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x: ArrayLike, alpha: float = 0.01) -> FloatArray:
    r"""Return the derivative of :func:`leaky_relu`: 1 for ``x > 0``, ``alpha`` otherwise.

    At the kink ``x = 0`` we return ``alpha``, as PyTorch's autograd does.

    >>> leaky_relu_grad([-2.0, 0.0, 3.0], alpha=0.1).tolist()
    [0.1, 0.1, 1.0]
    """
    x = as_float_array(x)
    return np.where(x > 0, 1.0, alpha)


def prelu(x: ArrayLike, alpha: ArrayLike) -> FloatArray:
    r"""Parametric ReLU: leaky ReLU whose slope ``alpha`` is learned.

    ``alpha`` is a scalar shared by all elements or an array broadcast against
    ``x`` (one slope per channel, say); the result has the broadcast shape.

    >>> prelu([-2.0, 3.0], alpha=0.25).tolist()
    [-0.5, 3.0]
    """
    x = as_float_array(x)
    alpha = as_float_array(alpha)
    return np.where(x > 0, x, alpha * x)


def prelu_grad(x: ArrayLike, alpha: ArrayLike) -> FloatArray:
    r"""Return the derivative of :func:`prelu` with respect to ``x``.

    1 for ``x > 0``, ``alpha`` otherwise (``alpha`` at the kink, as in
    PyTorch).

    >>> prelu_grad([-2.0, 0.0, 3.0], alpha=0.25).tolist()
    [0.25, 0.25, 1.0]
    """
    x = as_float_array(x)
    alpha = as_float_array(alpha)
    return np.where(x > 0, 1.0, alpha)


def prelu_grad_alpha(x: ArrayLike, alpha: ArrayLike) -> FloatArray:
    r"""Return the derivative of :func:`prelu` with respect to ``alpha``, per element.

    :math:`\partial\,\mathrm{prelu}(x, \alpha) / \partial \alpha = \min(x, 0)`:
    the slope only sees negative inputs. For a slope shared by many elements,
    the gradient of a loss :math:`L` is the sum of
    :math:`\partial L / \partial y \cdot \min(x, 0)` over those elements. The value of
    ``alpha`` does not enter, only its shape (the result's is the broadcast shape).

    >>> prelu_grad_alpha([-2.0, 0.0, 3.0], alpha=0.25).tolist()
    [-2.0, 0.0, 0.0]
    """
    x = as_float_array(x)
    alpha = as_float_array(alpha)
    shape = np.broadcast_shapes(x.shape, alpha.shape)
    return np.array(np.broadcast_to(np.minimum(x, 0.0), shape), dtype=np.float64)
