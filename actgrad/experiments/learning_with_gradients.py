r"""Experiments of the chapter *Learning with gradients*.

Three pieces, all in plain NumPy and all reproducible from fixed seeds:

* :func:`gradient_descent` and :class:`Quadratic`: the update
  :math:`\theta \leftarrow \theta - \eta \nabla L(\theta)` on a quadratic bowl,
  where the learning rates that converge are known exactly
  (:math:`0 < \eta < 2 / \lambda_{\max}`);
* :func:`two_layer_net`: an :class:`actgrad.network.MLP` with one hidden
  layer, whose backward pass (:func:`actgrad.network.dense_backward`) shows
  the factor :math:`\varphi'(z)` of every step;
* :func:`check_two_layer_net` and :func:`difference_errors`: central
  differences against the analytic gradient (:func:`actgrad.network.gradient_check`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.gradcheck import numerical_derivative
from actgrad.network import MLP, check_gradients, gradient_check

__all__ = [
    "Quadratic",
    "check_two_layer_net",
    "derivative_at_output",
    "difference_errors",
    "forward_difference",
    "gradient_descent",
    "move_onto_kink",
    "two_layer_net",
]
Activation = Callable[[ArrayLike], FloatArray]


# --------------------------------------------------------------------------
# Gradient descent on a quadratic bowl
# --------------------------------------------------------------------------


def gradient_descent(
    grad: Callable[[FloatArray], ArrayLike], theta0: ArrayLike, lr: float, steps: int
) -> FloatArray:
    r"""Run plain gradient descent; return the path ``(steps + 1, *theta0.shape)``, ``theta0`` first.

    Applies :math:`\theta_{k+1} = \theta_k - \eta \nabla L(\theta_k)` ``steps``
    times (at least 0), with ``grad`` taking and returning an array of the
    shape of ``theta0``. Iterates that overflow are kept as ``inf``/``nan``, so
    a diverging run can be recognised from its path.

    >>> path = gradient_descent(lambda t: 2 * t, [1.0], lr=0.25, steps=3)
    >>> path[:, 0].tolist()
    [1.0, 0.5, 0.25, 0.125]
    """
    if steps < 0:
        raise ValueError(f"steps must be non-negative, got {steps}")
    theta = as_float_array(theta0)
    path = np.empty((steps + 1, *theta.shape))
    path[0] = theta
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            theta = theta - lr * as_float_array(grad(theta))
            path[k + 1] = theta
    return path


@dataclass(frozen=True)
class Quadratic:
    r"""The quadratic bowl :math:`L(\theta) = \tfrac12 (\theta - \theta^*)^\top A (\theta - \theta^*)`.

    ``hessian`` is the symmetric positive definite :math:`A`, ``(d, d)``;
    ``minimum`` the minimiser :math:`\theta^*`, ``(d,)``.
    """

    hessian: FloatArray
    minimum: FloatArray

    @classmethod
    def rotated(
        cls, eigenvalues: tuple[float, float] = (1.0, 10.0), angle_deg: float = 30.0
    ) -> Quadratic:
        """Build a 2-D bowl, minimum at the origin, with curvatures ``eigenvalues`` along rotated axes.

        The first principal axis makes the angle ``angle_deg`` (in degrees) with
        the horizontal.
        """
        t = np.deg2rad(angle_deg)
        rotation = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        hessian = rotation @ np.diag(np.asarray(eigenvalues, dtype=np.float64)) @ rotation.T
        return cls(hessian=(hessian + hessian.T) / 2, minimum=np.zeros(2))

    def loss(self, theta: ArrayLike) -> FloatArray:
        """Return the loss at points ``theta`` of shape ``(..., d)``, as an array of shape ``(...)``."""
        delta = as_float_array(theta) - self.minimum
        return np.asarray(0.5 * np.einsum("...i,ij,...j->...", delta, self.hessian, delta))

    def grad(self, theta: ArrayLike) -> FloatArray:
        r"""Return the gradient :math:`A(\theta - \theta^*)` at points of shape ``(..., d)``."""
        return np.asarray((as_float_array(theta) - self.minimum) @ self.hessian.T)

    @property
    def eigenvalues(self) -> FloatArray:
        """Curvatures along the principal axes, ascending."""
        return np.linalg.eigvalsh(self.hessian)

    @property
    def critical_lr(self) -> float:
        r"""Largest learning rate that still converges, :math:`2 / \lambda_{\max}` (exclusive)."""
        return float(2.0 / self.eigenvalues[-1])

    def contraction(self, lr: float) -> float:
        r"""Worst per-step factor :math:`\max_i |1 - \eta \lambda_i|` on the distance to the minimum.

        Below 1 exactly when gradient descent with learning rate ``lr`` converges
        from every start.
        """
        return float(np.max(np.abs(1.0 - lr * self.eigenvalues)))


# --------------------------------------------------------------------------
# A network with one hidden layer
# --------------------------------------------------------------------------


def two_layer_net(
    d_in: int, hidden: int, d_out: int, activation: Activation, derivative: Activation, seed: int = 0
) -> MLP:
    r"""Draw one hidden layer :math:`\varphi(xW_1 + b_1)`, a linear output and the squared error.

    Weights are :math:`N(0, 1/\text{fan-in})`, biases :math:`N(0, 0.1^2)`, so
    that no unit starts exactly at a kink.
    """
    rng = np.random.default_rng(seed)
    # drawn as (fan_out, fan_in) and transposed: the draws of the chapter's first edition
    W1 = rng.normal(0.0, 1.0 / np.sqrt(d_in), size=(hidden, d_in)).T
    b1 = rng.normal(0.0, 0.1, size=hidden)
    W2 = rng.normal(0.0, 1.0 / np.sqrt(hidden), size=(d_out, hidden)).T
    b2 = rng.normal(0.0, 0.1, size=d_out)
    return MLP([W1, W2], [b1, b2], (activation, derivative), loss_name="mse")


def derivative_at_output(activation: Activation, derivative: Activation) -> Activation:
    r"""Return a *wrong* derivative: :math:`\varphi'` evaluated at :math:`\varphi(z)` instead of :math:`z`.

    The classic bug of passing the stored activation where the pre-activation
    belongs; the chapter shows that the gradient check catches it.
    """

    def wrong(z: ArrayLike) -> FloatArray:
        return derivative(activation(z))

    return wrong


def move_onto_kink(net: MLP, X: ArrayLike, unit: int = 0, distance: float = 1e-7) -> MLP:
    """Return a copy of ``net`` with the smallest positive pre-activation of ``unit`` at ``distance``.

    For a ReLU network a finite-difference step larger than ``distance`` then
    crosses the kink. ValueError if the unit is never positive on ``X``.
    """
    z = net.forward(X).preactivations[0][:, unit]
    if not np.any(z > 0):
        raise ValueError(f"hidden unit {unit} has no positive pre-activation on this batch")
    moved = net.copy()
    moved.biases[0][unit] -= np.min(z[z > 0]) - distance
    return moved


# --------------------------------------------------------------------------
# Finite differences and the gradient check
# --------------------------------------------------------------------------


def forward_difference(
    f: Callable[[FloatArray], ArrayLike], x: ArrayLike, h: float = 1e-5
) -> FloatArray:
    """One-sided difference :math:`(f(x + h) - f(x)) / h`, elementwise, for a positive finite ``h``.

    Its truncation error is :math:`h f''(x) / 2`, first order in ``h``,
    against second order for the central difference of
    :func:`actgrad.gradcheck.numerical_derivative`.
    """
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    x = as_float_array(x)
    return np.asarray((as_float_array(f(x + h)) - as_float_array(f(x))) / h)


def difference_errors(
    f: Callable[[FloatArray], ArrayLike],
    derivative: Callable[[FloatArray], ArrayLike],
    x: float,
    steps: ArrayLike,
) -> dict[str, FloatArray]:
    """Absolute errors of the forward and the central difference at ``x``, for each positive step.

    ``derivative`` is the exact derivative of ``f``. The result holds ``"h"``,
    ``"forward"`` and ``"central"``, each of the length of ``steps``.
    """
    hs = as_float_array(steps).ravel()
    exact = float(as_float_array(derivative(x)))
    forward = np.array([abs(float(forward_difference(f, x, h)) - exact) for h in hs])
    central = np.array([abs(float(numerical_derivative(f, x, h)) - exact) for h in hs])
    return {"h": hs, "forward": forward, "central": central}


def check_two_layer_net(
    activation: Activation,
    derivative: Activation,
    X: ArrayLike,
    y: ArrayLike,
    *,
    hidden: int = 5,
    seed: int = 3,
    wrong: bool = False,
    h: float = 1e-5,
) -> dict[str, float]:
    """Gradient-check a fresh :func:`two_layer_net`; ``wrong`` plants :func:`derivative_at_output`.

    The loss is the same either way; only the backward pass changes.
    """
    X, y = as_float_array(X), as_float_array(y)
    net = two_layer_net(X.shape[1], hidden, y.shape[1], activation, derivative, seed=seed)
    if not wrong:
        return check_gradients(net, X, y, h=h)
    wrong_pair = (activation, derivative_at_output(activation, derivative))
    buggy = MLP(net.weights, net.biases, wrong_pair, "mse")
    _, grads, _ = buggy.loss_and_grads(X, y)
    def loss(p: dict[str, FloatArray]) -> float:
        return net.with_params(p).loss(X, y)

    return gradient_check(loss, net.named_params(), net.by_name(grads), h=h)
