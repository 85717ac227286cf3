"""Leaky ReLU and the parametric ReLU (PReLU), with their derivatives."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array


def leaky_relu(x: ArrayLike, alpha: float = 0.01) -> FloatArray:
    r"""Leaky ReLU: ``x`` for ``x > 0``, ``alpha * x`` otherwise.

    Parameters
    ----------
    x : array_like
        Input of any shape.
    alpha : float, optional
        Slope for negative inputs (PyTorch's ``negative_slope``), 0.01 by
        default.

    Returns
    -------
    numpy.ndarray
        Float64 array of the shape of ``x``.

    Examples
    --------
    >>> leaky_relu([-2.0, 3.0], alpha=0.1).tolist()
    [-0.2, 3.0]
    """
    x = as_float_array(x)
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x: ArrayLike, alpha: float = 0.01) -> FloatArray:
    r"""Return the derivative of :func:`leaky_relu`: 1 for ``x > 0``, ``alpha`` otherwise.

    At the kink ``x = 0`` we return ``alpha``, as PyTorch's autograd does.

    Parameters
    ----------
    x : array_like
        Input of any shape.
    alpha : float, optional
        Slope for negative inputs, 0.01 by default.

    Returns
    -------
    numpy.ndarray
        Float64 array of the shape of ``x``.

    Examples
    --------
    >>> leaky_relu_grad([-2.0, 0.0, 3.0], alpha=0.1).tolist()
    [0.1, 0.1, 1.0]
    """
    x = as_float_array(x)
    return np.where(x > 0, 1.0, alpha)


def prelu(x: ArrayLike, alpha: ArrayLike) -> FloatArray:
    r"""Parametric ReLU: leaky ReLU whose slope ``alpha`` is learned.

    Parameters
    ----------
    x : array_like
        Input of any shape.
    alpha : array_like
        The slope for negative inputs: a scalar shared by all elements, or an
        array broadcastable against ``x`` (for instance one slope per
        channel).

    Returns
    -------
    numpy.ndarray
        Float64 array of the broadcast shape of ``x`` and ``alpha`` (the
        shape of ``x`` for a scalar ``alpha``).

    Examples
    --------
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

    Parameters
    ----------
    x : array_like
        Input of any shape.
    alpha : array_like
        Slope(s), a scalar or an array broadcastable against ``x``.

    Returns
    -------
    numpy.ndarray
        Float64 array of the broadcast shape of ``x`` and ``alpha``.

    Examples
    --------
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
    :math:`\partial L / \partial y \cdot \min(x, 0)` over those elements.

    Parameters
    ----------
    x : array_like
        Input of any shape.
    alpha : array_like
        Slope(s), a scalar or an array broadcastable against ``x``; the value
        does not enter the derivative, only the shape of the result.

    Returns
    -------
    numpy.ndarray
        Float64 array of the broadcast shape of ``x`` and ``alpha``.

    Examples
    --------
    >>> prelu_grad_alpha([-2.0, 0.0, 3.0], alpha=0.25).tolist()
    [-2.0, 0.0, 0.0]
    """
    x = as_float_array(x)
    alpha = as_float_array(alpha)
    shape = np.broadcast_shapes(x.shape, alpha.shape)
    return np.array(np.broadcast_to(np.minimum(x, 0.0), shape), dtype=np.float64)
