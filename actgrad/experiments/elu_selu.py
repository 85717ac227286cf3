r"""Experiments of the chapter *ELU and SELU*, in plain NumPy.

* **Gaussian moments by quadrature.** :func:`gaussian_expectation` computes
  :math:`\mathbb{E}[g(z)]` for a normal :math:`z` with Gauss–Legendre
  quadrature on both sides of the kink at 0, accurate to about
  :math:`10^{-15}` for the activations of the course.
* **SELU's constants.** :func:`selu_equations` states the two fixed-point
  conditions of Klambauer et al. (2017): for a standard normal input,
  :math:`\lambda\,\mathrm{elu}(z, \alpha)` has mean 0 and second moment 1.
  :func:`solve_selu_constants` solves them by Newton's method, with the
  Jacobian also computed by quadrature, from any reasonable starting point;
  no closed form is used.
* **The variance map.** :func:`selu_variance_map` sends the variance of a
  zero-mean normal pre-activation to the variance of the SELU output; its
  fixed point 1 is attracting.
* **Deep networks.** :func:`layer_statistics` pushes a batch through a deep
  fully connected network with LeCun-normal weights and records the mean and
  variance of every layer's outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray
from actgrad.activations import elu, selu
from actgrad.initializers import he_normal, lecun_normal
from actgrad.network import activation_pair

__all__ = [
    "LayerStatistics",
    "NewtonStep",
    "activation_moments",
    "compare_layer_statistics",
    "gaussian_expectation",
    "layer_statistics",
    "selu_equations",
    "selu_jacobian",
    "selu_variance_map",
    "solve_selu_constants",
]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(96)
_WIDTH = 12.0  # standard deviations on either side; the normal density is 5e-32 there


def gaussian_expectation(
    g: Callable[[FloatArray], ArrayLike], mean: float = 0.0, std: float = 1.0
) -> float:
    r"""Return :math:`\mathbb{E}[g(z)]` for :math:`z \sim \mathcal{N}(\text{mean}, \text{std}^2)`, std > 0.

    The integral of the vectorised ``g`` against the normal density over
    :math:`[\text{mean} - 12\,\text{std}, \text{mean} + 12\,\text{std}]` is split
    at 0, where the activations of the course have their kink, and each piece
    is integrated by 96-point Gauss–Legendre quadrature. For a function that
    is smooth on both sides of 0 and grows at most exponentially the result
    is accurate to a few units in the last place.

    >>> round(gaussian_expectation(lambda z: z**2, mean=1.0, std=2.0), 12)
    5.0
    """
    if not std > 0:
        raise ValueError(f"std must be positive, got {std!r}")
    lo, hi = mean - _WIDTH * std, mean + _WIDTH * std
    pieces = [(lo, 0.0), (0.0, hi)] if lo < 0.0 < hi else [(lo, hi)]
    total = 0.0
    for a, b in pieces:
        z = 0.5 * (b - a) * _NODES + 0.5 * (a + b)
        density = np.exp(-0.5 * ((z - mean) / std) ** 2) / (std * np.sqrt(2.0 * np.pi))
        values = np.asarray(g(z), dtype=np.float64)
        total += 0.5 * (b - a) * float(np.sum(_WEIGHTS * density * values))
    return total


def activation_moments(
    f: Callable[[FloatArray], ArrayLike], mean: float = 0.0, std: float = 1.0
) -> tuple[float, float]:
    r"""Mean and variance of :math:`f(z)` for :math:`z \sim \mathcal{N}(\text{mean}, \text{std}^2)`.

    >>> m, v = activation_moments(lambda z: np.maximum(z, 0.0))
    >>> round(m, 6), round(v, 6)  # 1/sqrt(2 pi) and 1/2 - 1/(2 pi)
    (0.398942, 0.340845)
    """
    first = gaussian_expectation(f, mean, std)
    second = gaussian_expectation(lambda z: np.asarray(f(z)) ** 2, mean, std)
    return first, second - first**2


def _elu_alpha_derivative(z: FloatArray) -> FloatArray:
    r"""Return :math:`\partial\,\mathrm{elu}(z, \alpha)/\partial\alpha`, independent of :math:`\alpha`.

    It is :math:`e^{z} - 1` for :math:`z \le 0` and 0 otherwise, that is
    ``min(elu(z, 1), 0)``.
    """
    return np.minimum(elu(z, 1.0), 0.0)


def selu_equations(alpha: float, lam: float) -> FloatArray:
    r"""Return the two residuals of SELU's fixed-point conditions for a standard normal input.

    .. math::

        F(\alpha, \lambda) = \begin{pmatrix}
            \mathbb{E}[\lambda\,\mathrm{elu}(z, \alpha)] \\
            \mathbb{E}[(\lambda\,\mathrm{elu}(z, \alpha))^2] - 1
        \end{pmatrix},
        \qquad z \sim \mathcal{N}(0, 1).

    Both are 0 exactly when a zero-mean, unit-variance pre-activation gives a
    zero-mean, unit-variance output.
    """
    first = gaussian_expectation(lambda z: lam * elu(z, alpha))
    second = gaussian_expectation(lambda z: (lam * elu(z, alpha)) ** 2)
    return np.array([first, second - 1.0])


def selu_jacobian(alpha: float, lam: float) -> FloatArray:
    r"""Return the 2 x 2 Jacobian of :func:`selu_equations` with respect to :math:`(\alpha, \lambda)`.

    With :math:`e = \mathrm{elu}(z, \alpha)` and
    :math:`e_\alpha = \partial e/\partial\alpha = \min(e^{z} - 1, 0)`:

    .. math::

        J = \begin{pmatrix}
            \lambda\,\mathbb{E}[e_\alpha] & \mathbb{E}[e] \\
            2\lambda^2\,\mathbb{E}[e\,e_\alpha] & 2\lambda\,\mathbb{E}[e^2]
        \end{pmatrix}.
    """
    e_mean = gaussian_expectation(lambda z: elu(z, alpha))
    e_square = gaussian_expectation(lambda z: elu(z, alpha) ** 2)
    ea_mean = gaussian_expectation(_elu_alpha_derivative)
    e_ea = gaussian_expectation(lambda z: elu(z, alpha) * _elu_alpha_derivative(z))
    return np.array([[lam * ea_mean, e_mean], [2.0 * lam**2 * e_ea, 2.0 * lam * e_square]])


@dataclass(frozen=True)
class NewtonStep:
    """One iterate of :func:`solve_selu_constants` with its largest absolute residual."""

    alpha: float
    lam: float
    residual: float


def solve_selu_constants(
    start: tuple[float, float] = (1.0, 1.0), tol: float = 1e-14, max_iter: int = 50
) -> list[NewtonStep]:
    r"""Solve SELU's fixed-point conditions by Newton's method from ``start`` :math:`= (\alpha, \lambda)`.

    Iterates :math:`(\alpha, \lambda) \leftarrow (\alpha, \lambda) - J^{-1} F`
    with :func:`selu_equations` and :func:`selu_jacobian` until the largest
    residual is below ``tol``, then takes one more step. Returns every iterate,
    ``start`` first and the solution last; RuntimeError if ``max_iter`` steps do
    not converge.

    >>> last = solve_selu_constants()[-1]
    >>> round(last.alpha, 10), round(last.lam, 10)
    (1.6732632424, 1.0507009874)
    """
    point = np.array(start, dtype=np.float64)
    residual = selu_equations(*point)
    steps = [NewtonStep(float(point[0]), float(point[1]), float(np.max(np.abs(residual))))]
    converged = False
    for _ in range(max_iter):
        point = point - np.linalg.solve(selu_jacobian(*point), residual)
        residual = selu_equations(*point)
        steps.append(NewtonStep(float(point[0]), float(point[1]), float(np.max(np.abs(residual)))))
        if converged:
            return steps
        converged = steps[-1].residual < tol
    raise RuntimeError(f"Newton's method did not converge in {max_iter} steps from {start}")


def selu_variance_map(variance: float) -> tuple[float, float]:
    r"""Mean and variance of :math:`\mathrm{selu}(z)` for :math:`z \sim \mathcal{N}(0, \nu)`, :math:`\nu > 0`.

    In a wide layer with weights whose sum is 0 and squares sum to 1 per unit
    (the setting of Klambauer et al., 2017), the pre-activation of a unit is
    approximately :math:`\mathcal{N}(0, \nu)` when its inputs have variance
    :math:`\nu`, so this map sends one layer's variance to the next one's.

    >>> m, v = selu_variance_map(1.0)
    >>> abs(m) < 1e-14, abs(v - 1.0) < 1e-14
    (True, True)
    """
    return activation_moments(selu, 0.0, float(np.sqrt(variance)))


@dataclass
class LayerStatistics:
    """Per-layer statistics of a deep network, from :func:`layer_statistics`.

    ``mean`` and ``variance`` are taken over all units and examples of each
    layer's output, shape ``(depth,)``; ``input_mean`` and ``input_variance``
    are the same for the network's input.
    """

    name: str
    mean: FloatArray
    variance: FloatArray
    input_mean: float
    input_variance: float


def layer_statistics(
    name: str,
    depth: int = 64,
    width: int = 256,
    n: int = 1000,
    seed: int = 0,
    input_mean: float = 0.0,
    input_std: float = 1.0,
    init: str = "lecun",
) -> LayerStatistics:
    r"""Push a normal ``(n, width)`` batch through ``depth`` layers of activation ``name``; record each.

    Layer :math:`\ell` computes :math:`h_\ell = \phi(h_{\ell-1} W_\ell)` with no
    bias and square weights drawn by :func:`~actgrad.initializers.lecun_normal`
    (variance :math:`1/\text{width}`) or, with ``init="he"``, by
    :func:`~actgrad.initializers.he_normal` (variance :math:`2/\text{width}`);
    any other ``init`` is a ValueError. The input has i.i.d. normal entries of
    mean ``input_mean`` and standard deviation ``input_std``. One generator,
    ``default_rng(seed)``, draws the input and then the weights layer by layer,
    so the same seed gives the same weights for every activation.
    """
    f = activation_pair(name)[0]
    initializers = {"lecun": lecun_normal, "he": he_normal}
    if init not in initializers:
        raise ValueError(f"unknown init {init!r}; expected 'lecun' or 'he'")
    draw = initializers[init]
    rng = np.random.default_rng(seed)
    h = rng.normal(input_mean, input_std, size=(n, width))
    stats = LayerStatistics(name, np.empty(depth), np.empty(depth), float(h.mean()), float(h.var()))
    for layer in range(depth):
        h = f(h @ draw(width, width, rng))
        stats.mean[layer] = h.mean()
        stats.variance[layer] = h.var()
    return stats


def compare_layer_statistics(
    names: Sequence[str], depth: int = 64, width: int = 256, n: int = 1000, seed: int = 0
) -> dict[str, LayerStatistics]:
    """Run :func:`layer_statistics` for each activation in ``names`` with the same seed; results by name."""
    return {name: layer_statistics(name, depth, width, n, seed) for name in names}
