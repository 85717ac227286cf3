r"""Experiments of the chapter *Learning with gradients*.

Three pieces, all in plain NumPy and all reproducible from fixed seeds:

* :func:`gradient_descent` and :class:`Quadratic`: the update
  :math:`\theta \leftarrow \theta - \eta \nabla L(\theta)` on a quadratic bowl,
  where the learning rates that converge are known exactly
  (:math:`0 < \eta < 2 / \lambda_{\max}`);
* :func:`dense_forward`, :func:`dense_backward` and :class:`TwoLayerNet`: the
  forward and backward pass of a network with one hidden layer, written out so
  that the factor :math:`\varphi'(z)` of every backward step is visible;
* :func:`gradient_check` and :func:`difference_errors`: central differences
  against the analytic gradient, built on :mod:`actgrad.gradcheck`.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.gradcheck import numerical_derivative, relative_error

__all__ = [
    "Params",
    "Quadratic",
    "TwoLayerNet",
    "check_two_layer_net",
    "dense_backward",
    "dense_forward",
    "derivative_at_output",
    "difference_errors",
    "forward_difference",
    "gradient_check",
    "gradient_descent",
    "identity",
    "identity_grad",
    "make_regression_data",
    "move_onto_kink",
    "source_without_docstring",
]

#: Parameter arrays of a network, by name.
Params = dict[str, FloatArray]
Activation = Callable[[ArrayLike], FloatArray]


# --------------------------------------------------------------------------
# Gradient descent on a quadratic bowl
# --------------------------------------------------------------------------


def gradient_descent(
    grad: Callable[[FloatArray], ArrayLike], theta0: ArrayLike, lr: float, steps: int
) -> FloatArray:
    r"""Run plain gradient descent and return every iterate.

    Applies :math:`\theta_{k+1} = \theta_k - \eta \nabla L(\theta_k)` ``steps``
    times. Iterates that overflow are kept as ``inf``/``nan``, so a diverging
    run can be recognised from its path.

    Parameters
    ----------
    grad : callable
        The gradient :math:`\nabla L`, taking and returning an array of the
        shape of ``theta0``.
    theta0 : array_like
        Starting point.
    lr : float
        Learning rate :math:`\eta`.
    steps : int
        Number of updates, at least 0.

    Returns
    -------
    numpy.ndarray
        Float64 array of shape ``(steps + 1, *theta0.shape)``: the path,
        starting with ``theta0``.

    Examples
    --------
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

    Parameters
    ----------
    hessian : numpy.ndarray
        Symmetric positive definite matrix :math:`A`, shape ``(d, d)``.
    minimum : numpy.ndarray
        The minimiser :math:`\theta^*`, shape ``(d,)``.
    """

    hessian: FloatArray
    minimum: FloatArray

    @classmethod
    def rotated(
        cls, eigenvalues: tuple[float, float] = (1.0, 10.0), angle_deg: float = 30.0
    ) -> Quadratic:
        """Build a 2-D bowl with the given curvatures along axes rotated by ``angle_deg``.

        Parameters
        ----------
        eigenvalues : tuple of two float, default (1, 10)
            Curvatures (Hessian eigenvalues) along the two principal axes.
        angle_deg : float, default 30
            Angle of the first principal axis from the horizontal, in degrees.

        Returns
        -------
        Quadratic
            A bowl with its minimum at the origin.
        """
        t = np.deg2rad(angle_deg)
        rotation = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
        hessian = rotation @ np.diag(np.asarray(eigenvalues, dtype=np.float64)) @ rotation.T
        return cls(hessian=(hessian + hessian.T) / 2, minimum=np.zeros(2))

    def loss(self, theta: ArrayLike) -> FloatArray:
        """Return the loss at ``theta``; the last axis holds the coordinates.

        Parameters
        ----------
        theta : array_like
            Points of shape ``(..., d)``.

        Returns
        -------
        numpy.ndarray
            Loss values of shape ``(...)``.
        """
        delta = as_float_array(theta) - self.minimum
        return np.asarray(0.5 * np.einsum("...i,ij,...j->...", delta, self.hessian, delta))

    def grad(self, theta: ArrayLike) -> FloatArray:
        r"""Return the gradient :math:`A(\theta - \theta^*)`.

        Parameters
        ----------
        theta : array_like
            Points of shape ``(..., d)``.

        Returns
        -------
        numpy.ndarray
            Gradients of the shape of ``theta``.
        """
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

        Parameters
        ----------
        lr : float
            Learning rate :math:`\eta`.

        Returns
        -------
        float
            Below 1 exactly when gradient descent converges from every start.
        """
        return float(np.max(np.abs(1.0 - lr * self.eigenvalues)))


# --------------------------------------------------------------------------
# One dense layer, forward and backward
# --------------------------------------------------------------------------


def dense_forward(
    x: ArrayLike, W: ArrayLike, b: ArrayLike, activation: Activation
) -> tuple[FloatArray, FloatArray]:
    r"""Forward pass of a dense layer on a batch: :math:`z = W x + b`, :math:`a = \varphi(z)`.

    Samples are rows, so the batch form is ``z = x @ W.T + b``.

    Parameters
    ----------
    x : array_like
        Inputs, shape ``(n, d_in)``.
    W : array_like
        Weights, shape ``(d_out, d_in)``.
    b : array_like
        Biases, shape ``(d_out,)``.
    activation : callable
        Elementwise :math:`\varphi`, e.g. :func:`actgrad.activations.tanh`.

    Returns
    -------
    a : numpy.ndarray
        Activations :math:`\varphi(z)`, shape ``(n, d_out)``.
    z : numpy.ndarray
        Pre-activations, shape ``(n, d_out)``; the backward pass needs them.
    """
    z = as_float_array(x) @ as_float_array(W).T + as_float_array(b)
    return as_float_array(activation(z)), z


def dense_backward(
    grad_a: ArrayLike,
    x: ArrayLike,
    W: ArrayLike,
    z: ArrayLike,
    derivative: Activation,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Backward pass of a dense layer: from :math:`\partial L/\partial a` to the layer's gradients.

    With :math:`\delta = \partial L/\partial z = \partial L/\partial a \odot
    \varphi'(z)` (the derivative taken at the *pre-activation* ``z``):
    :math:`\partial L/\partial W = \delta x^\top`, :math:`\partial L/\partial b
    = \delta` and :math:`\partial L/\partial x = W^\top \delta`, each summed
    over the batch for the parameters.

    Parameters
    ----------
    grad_a : array_like
        Gradient of the loss with respect to the layer's output, ``(n, d_out)``.
    x : array_like
        The layer's input in the forward pass, ``(n, d_in)``.
    W : array_like
        Weights, ``(d_out, d_in)``.
    z : array_like
        Pre-activations saved by :func:`dense_forward`, ``(n, d_out)``.
    derivative : callable
        Elementwise :math:`\varphi'`, evaluated at ``z``.

    Returns
    -------
    grad_x : numpy.ndarray
        :math:`\partial L/\partial x`, shape ``(n, d_in)``.
    grad_W : numpy.ndarray
        :math:`\partial L/\partial W`, shape ``(d_out, d_in)``.
    grad_b : numpy.ndarray
        :math:`\partial L/\partial b`, shape ``(d_out,)``.
    """
    grad_a, W = as_float_array(grad_a), as_float_array(W)
    x = as_float_array(x)
    # phi'(z), at the pre-activation, multiplies the incoming gradient:
    grad_z = grad_a * as_float_array(derivative(z))
    grad_W = grad_z.T @ x  # (dL/dz) x^T, summed over the batch
    grad_b = grad_z.sum(axis=0)  # dL/dz, summed over the batch
    grad_x = grad_z @ W  # W^T (dL/dz), one row per sample
    return grad_x, grad_W, grad_b


def identity(z: ArrayLike) -> FloatArray:
    """Return ``z`` unchanged (the output layer's activation).

    Parameters
    ----------
    z : array_like
        Any array.

    Returns
    -------
    numpy.ndarray
        A float64 copy of ``z``.
    """
    return as_float_array(z)


def identity_grad(z: ArrayLike) -> FloatArray:
    """Return ones of the shape of ``z`` (derivative of :func:`identity`).

    Parameters
    ----------
    z : array_like
        Any array.

    Returns
    -------
    numpy.ndarray
        Float64 ones.
    """
    return np.ones_like(as_float_array(z))


def derivative_at_output(activation: Activation, derivative: Activation) -> Activation:
    r"""Return a *wrong* derivative that evaluates :math:`\varphi'` at :math:`\varphi(z)`.

    A classic backpropagation bug: passing the stored activation
    :math:`a = \varphi(z)` where the pre-activation :math:`z` belongs. The
    chapter uses it to show that :func:`gradient_check` catches it.

    Parameters
    ----------
    activation, derivative : callable
        The activation :math:`\varphi` and its correct derivative.

    Returns
    -------
    callable
        ``z -> derivative(activation(z))``.
    """

    def wrong(z: ArrayLike) -> FloatArray:
        return derivative(activation(z))

    return wrong


@dataclass
class TwoLayerNet:
    r"""A network with one hidden layer and a linear output, trained on squared error.

    .. math::

        h = \varphi(W_1 x + b_1), \qquad \hat y = W_2 h + b_2, \qquad
        L = \frac{1}{2n} \sum_{\text{samples}} \lVert \hat y - y \rVert^2 .

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        ``W1`` ``(hidden, d_in)``, ``b1`` ``(hidden,)``, ``W2`` ``(d_out, hidden)``,
        ``b2`` ``(d_out,)``.
    activation : callable
        Hidden activation :math:`\varphi`.
    derivative : callable
        Its derivative :math:`\varphi'`, which the backward pass evaluates at
        the hidden pre-activation.
    """

    params: Params
    activation: Activation
    derivative: Activation

    @classmethod
    def initialise(
        cls,
        d_in: int,
        hidden: int,
        d_out: int,
        activation: Activation,
        derivative: Activation,
        seed: int = 0,
    ) -> TwoLayerNet:
        r"""Create a network with Gaussian weights of variance :math:`1/\text{fan-in}`.

        Parameters
        ----------
        d_in, hidden, d_out : int
            Layer widths.
        activation, derivative : callable
            Hidden activation and its derivative.
        seed : int, default 0
            Seed of the :func:`numpy.random.default_rng` generator.

        Returns
        -------
        TwoLayerNet
            The network; biases are drawn too (small), so no unit starts exactly
            at a kink.
        """
        rng = np.random.default_rng(seed)
        params = {
            "W1": rng.normal(0.0, 1.0 / np.sqrt(d_in), size=(hidden, d_in)),
            "b1": rng.normal(0.0, 0.1, size=hidden),
            "W2": rng.normal(0.0, 1.0 / np.sqrt(hidden), size=(d_out, hidden)),
            "b2": rng.normal(0.0, 0.1, size=d_out),
        }
        return cls(params, activation, derivative)

    def hidden_preactivation(
        self, X: ArrayLike, params: Mapping[str, FloatArray] | None = None
    ) -> FloatArray:
        """Return the hidden pre-activations :math:`W_1 x + b_1` for every sample.

        Parameters
        ----------
        X : array_like
            Inputs, ``(n, d_in)``.
        params : mapping, optional
            Parameters to use instead of ``self.params``.

        Returns
        -------
        numpy.ndarray
            Shape ``(n, hidden)``.
        """
        p = self.params if params is None else params
        return dense_forward(X, p["W1"], p["b1"], identity)[1]

    def loss(
        self, X: ArrayLike, y: ArrayLike, params: Mapping[str, FloatArray] | None = None
    ) -> float:
        """Return the mean squared-error loss (forward pass only).

        Parameters
        ----------
        X : array_like
            Inputs, ``(n, d_in)``.
        y : array_like
            Targets, ``(n, d_out)``.
        params : mapping, optional
            Parameters to use instead of ``self.params``.

        Returns
        -------
        float
            :math:`L`.
        """
        return self.loss_and_grads(X, y, params, backward=False)[0]

    def loss_and_grads(
        self,
        X: ArrayLike,
        y: ArrayLike,
        params: Mapping[str, FloatArray] | None = None,
        *,
        backward: bool = True,
    ) -> tuple[float, Params]:
        """Forward pass, loss, and (by default) the backward pass.

        Parameters
        ----------
        X : array_like
            Inputs, ``(n, d_in)``.
        y : array_like
            Targets, ``(n, d_out)``.
        params : mapping, optional
            Parameters to use instead of ``self.params``.
        backward : bool, default True
            Whether to compute the gradients.

        Returns
        -------
        loss : float
            The mean squared-error loss.
        grads : dict of str to numpy.ndarray
            Gradient of the loss with respect to every parameter, same keys and
            shapes as ``params`` (empty when ``backward`` is false).
        """
        p = self.params if params is None else params
        X, y = as_float_array(X), as_float_array(y)
        n = X.shape[0]
        h, z1 = dense_forward(X, p["W1"], p["b1"], self.activation)
        y_hat, z2 = dense_forward(h, p["W2"], p["b2"], identity)
        loss = float(0.5 * np.sum((y_hat - y) ** 2) / n)
        if not backward:
            return loss, {}
        grad_y_hat = (y_hat - y) / n
        grad_h, grad_W2, grad_b2 = dense_backward(grad_y_hat, h, p["W2"], z2, identity_grad)
        # Into the hidden layer: the incoming gradient is multiplied by phi'(z1).
        _, grad_W1, grad_b1 = dense_backward(grad_h, X, p["W1"], z1, self.derivative)
        return loss, {"W1": grad_W1, "b1": grad_b1, "W2": grad_W2, "b2": grad_b2}


def move_onto_kink(
    net: TwoLayerNet, X: ArrayLike, unit: int = 0, distance: float = 1e-7
) -> TwoLayerNet:
    """Return a copy of ``net`` with one hidden unit's bias shifted next to a kink.

    The bias of hidden unit ``unit`` is lowered so that its smallest positive
    pre-activation over the batch becomes ``distance``: for a ReLU network,
    a finite-difference step larger than ``distance`` then crosses the kink.

    Parameters
    ----------
    net : TwoLayerNet
        The network; not modified.
    X : array_like
        The batch, ``(n, d_in)``.
    unit : int, default 0
        Hidden unit to move.
    distance : float, default 1e-7
        Distance of the nearest pre-activation from zero after the shift.

    Returns
    -------
    TwoLayerNet
        A network with copied parameters and the same activation.

    Raises
    ------
    ValueError
        If the unit has no positive pre-activation on ``X``.
    """
    z = net.hidden_preactivation(X)[:, unit]
    if not np.any(z > 0):
        raise ValueError(f"hidden unit {unit} has no positive pre-activation on this batch")
    params = {name: value.copy() for name, value in net.params.items()}
    params["b1"][unit] -= np.min(z[z > 0]) - distance
    return TwoLayerNet(params, net.activation, net.derivative)


def make_regression_data(
    n: int = 16, d_in: int = 3, d_out: int = 2, seed: int = 1
) -> tuple[FloatArray, FloatArray]:
    """Return a small smooth regression problem: Gaussian inputs, targets ``sin(X @ M)``.

    Parameters
    ----------
    n : int, default 16
        Number of samples.
    d_in, d_out : int, default 3 and 2
        Input and output widths.
    seed : int, default 1
        Seed of the :func:`numpy.random.default_rng` generator.

    Returns
    -------
    X : numpy.ndarray
        Inputs, ``(n, d_in)``.
    y : numpy.ndarray
        Targets, ``(n, d_out)``.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d_in))
    M = rng.normal(size=(d_in, d_out))
    return X, np.sin(X @ M)


# --------------------------------------------------------------------------
# Finite differences and the gradient check
# --------------------------------------------------------------------------


def forward_difference(
    f: Callable[[FloatArray], ArrayLike], x: ArrayLike, h: float = 1e-5
) -> FloatArray:
    r"""One-sided difference :math:`(f(x + h) - f(x)) / h`, elementwise.

    Its truncation error is :math:`h f''(x) / 2`, first order in ``h``,
    against second order for the central difference of
    :func:`actgrad.gradcheck.numerical_derivative`.

    Parameters
    ----------
    f : callable
        Elementwise function.
    x : array_like
        Points of any shape.
    h : float, default 1e-5
        Step, positive.

    Returns
    -------
    numpy.ndarray
        The estimate of :math:`f'(x)`, shape of ``x``.
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
    """Absolute error of the forward and the central difference at ``x`` for every step.

    Parameters
    ----------
    f, derivative : callable
        A function and its exact derivative.
    x : float
        The point.
    steps : array_like
        Step sizes ``h``, positive.

    Returns
    -------
    dict of str to numpy.ndarray
        ``"h"``, ``"forward"`` and ``"central"``, each of the length of ``steps``.
    """
    hs = as_float_array(steps).ravel()
    exact = float(as_float_array(derivative(x)))
    forward = np.array([abs(float(forward_difference(f, x, h)) - exact) for h in hs])
    central = np.array([abs(float(numerical_derivative(f, x, h)) - exact) for h in hs])
    return {"h": hs, "forward": forward, "central": central}


def gradient_check(
    loss_fn: Callable[[Params], float],
    params: Mapping[str, ArrayLike],
    grads: Mapping[str, ArrayLike],
    h: float = 1e-5,
) -> dict[str, float]:
    r"""Compare every analytic gradient entry with a central difference of the loss.

    For each entry :math:`\theta_i` of each parameter array, the loss is
    evaluated with :math:`\theta_i \pm h` (all else fixed) through
    :func:`actgrad.gradcheck.numerical_derivative`, and the result is compared
    with the analytic entry by :func:`actgrad.gradcheck.relative_error`,
    :math:`|g - \hat g| / \max(|g|, |\hat g|)`.

    Parameters
    ----------
    loss_fn : callable
        Maps a dict of parameter arrays (the keys of ``params``) to the scalar loss.
    params : mapping of str to array_like
        Point at which to check; not modified.
    grads : mapping of str to array_like
        The analytic gradients, same keys and shapes as ``params``.
    h : float, default 1e-5
        Finite-difference step.

    Returns
    -------
    dict of str to float
        The largest relative error within each parameter array.

    Examples
    --------
    >>> import numpy as np
    >>> loss = lambda p: float(np.sum(p["w"] ** 3))
    >>> w = np.array([1.0, -2.0])
    >>> errors = gradient_check(loss, {"w": w}, {"w": 3 * w**2})
    >>> errors["w"] < 1e-9
    True
    """
    base = {name: as_float_array(value) for name, value in params.items()}
    errors: dict[str, float] = {}
    for name, value in base.items():
        analytic = as_float_array(grads[name])
        if analytic.shape != value.shape:
            raise ValueError(f"grads[{name!r}] has shape {analytic.shape}, params {value.shape}")
        numeric = np.empty_like(value)
        for index in np.ndindex(value.shape):

            def loss_along(t: FloatArray, name: str = name, index: tuple[int, ...] = index) -> float:
                trial = dict(base)
                trial[name] = base[name].copy()
                trial[name][index] = float(t)
                return loss_fn(trial)

            numeric[index] = numerical_derivative(loss_along, value[index], h)
        errors[name] = relative_error(analytic, numeric)
    return errors


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
    r"""Gradient-check a freshly initialised :class:`TwoLayerNet` on ``(X, y)``.

    Parameters
    ----------
    activation, derivative : callable
        Hidden activation and its derivative.
    X, y : array_like
        Inputs ``(n, d_in)`` and targets ``(n, d_out)``.
    hidden : int, default 5
        Width of the hidden layer.
    seed : int, default 3
        Seed of the weights (see :meth:`TwoLayerNet.initialise`).
    wrong : bool, default False
        Use the buggy backward pass of :func:`derivative_at_output`, which
        evaluates :math:`\varphi'` at :math:`\varphi(z)`; the loss is unchanged.
    h : float, default 1e-5
        Finite-difference step.

    Returns
    -------
    dict of str to float
        Largest relative error per parameter array, as :func:`gradient_check`.
    """
    X, y = as_float_array(X), as_float_array(y)
    net = TwoLayerNet.initialise(X.shape[1], hidden, y.shape[1], activation, derivative, seed=seed)
    if wrong:
        net.derivative = derivative_at_output(activation, derivative)
    _, grads = net.loss_and_grads(X, y)
    return gradient_check(lambda p: net.loss(X, y, p), net.params, grads, h=h)


def source_without_docstring(func: Callable[..., object]) -> str:
    """Return the source of ``func`` with its docstring removed, for display.

    Parameters
    ----------
    func : callable
        A function defined in a source file.

    Returns
    -------
    str
        The signature and body, comments kept, dedented.
    """
    lines, _ = inspect.getsourcelines(func)
    source = textwrap.dedent("".join(lines))
    node = ast.parse(source).body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        raise TypeError(f"{func!r} is not a function")
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        kept = source.splitlines()
        doc = body[0]
        del kept[doc.lineno - 1 : doc.end_lineno]
        return "\n".join(kept) + "\n"
    return source
