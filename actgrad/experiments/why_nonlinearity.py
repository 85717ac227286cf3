r"""Experiments of the chapter *Why nonlinearity*, in plain NumPy.

Three experiments, each deterministic given a :class:`numpy.random.Generator`:

* **Collapse.** :func:`collapse_linear_stack` multiplies a stack of linear
  (affine) layers into the single layer that computes the same function, and
  :func:`stack_forward` runs the stack itself, optionally with an activation
  between the layers; :func:`affine_fit_residual` measures how far a function
  is from every affine map.
* **Classification.** On two classes that no straight line separates
  (:func:`actgrad.datasets.xor_data`, :func:`~actgrad.datasets.circles_data`),
  :func:`train_mlp` trains an :class:`actgrad.network.MLP` with one hidden
  layer by full-batch gradient descent on the binary cross-entropy.
* **Approximation.** :func:`fit_relu_units` fits a curve on an interval with a
  sum of ``n`` ReLU units whose kinks sit on a grid.

Layers follow the convention of :mod:`actgrad.initializers`: a batch of inputs
is a ``(n_samples, n_features)`` array ``x`` and a layer computes ``x @ W + b``
with ``W`` of shape ``(fan_in, fan_out)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations import relu, sigmoid
from actgrad.datasets import circles_data, xor_data
from actgrad.network import ACTIVATIONS, MLP, Step, accuracy, make_mlp, train

__all__ = [
    "Comparison",
    "HIDDEN",
    "ReluFit",
    "TrainResult",
    "affine_fit_residual",
    "best_line_accuracy",
    "collapse_linear_stack",
    "compare_activations",
    "fit_relu_units",
    "init_mlp",
    "predict_proba",
    "relu_grid_knots",
    "stack_forward",
    "train_mlp",
]

Activation = Literal["linear", "relu", "tanh"]

#: The hidden activations the chapter compares.
HIDDEN = ("linear", "relu", "tanh")


def _activation(name: str) -> Callable[[ArrayLike], FloatArray]:
    if name not in HIDDEN:
        raise ValueError(f"activation must be one of {sorted(HIDDEN)}, not {name!r}")
    return ACTIVATIONS[name][0]


# --------------------------------------------------------------------------- collapse


def collapse_linear_stack(
    weights: Sequence[ArrayLike], biases: Sequence[ArrayLike] | None = None
) -> tuple[FloatArray, FloatArray]:
    r"""Return the single affine layer ``(W, b)`` equal to a stack of affine layers.

    Layer :math:`i` computes :math:`h \mapsto h W_i + b_i`, ``W_i`` of shape
    ``(fan_in_i, fan_out_i)`` and ``b_i`` of shape ``(fan_out_i,)`` (zeros if
    ``biases`` is omitted). Composing them gives

    .. math::

        x W_1 W_2 \cdots W_L + (b_1 W_2 \cdots W_L + b_2 W_3 \cdots W_L + \dots + b_L),

    so the stack is the one layer with matrix :math:`W = W_1 W_2 \cdots W_L`
    and bias :math:`b` given by the bracket. An empty stack, or shapes that do
    not chain, is a ValueError.

    >>> W, b = collapse_linear_stack([[[2.0]], [[3.0]]], [[1.0], [1.0]])
    >>> float(W[0, 0]), float(b[0])
    (6.0, 4.0)
    """
    mats = [np.asarray(w, dtype=np.float64) for w in weights]
    if not mats:
        raise ValueError("the stack has no layers")
    if any(m.ndim != 2 for m in mats):
        raise ValueError("every weight matrix must be two-dimensional")
    for i, (a, b) in enumerate(zip(mats, mats[1:], strict=False)):
        if a.shape[1] != b.shape[0]:
            raise ValueError(f"layer {i} outputs {a.shape[1]} values but layer {i + 1} takes {b.shape[0]}")
    if biases is None:
        vecs = [np.zeros(m.shape[1]) for m in mats]
    else:
        vecs = [np.asarray(v, dtype=np.float64) for v in biases]
        if len(vecs) != len(mats) or any(v.shape != (m.shape[1],) for v, m in zip(vecs, mats, strict=False)):
            raise ValueError("there must be one bias of shape (fan_out,) per layer")
    W = mats[0]
    b = vecs[0]
    for m, v in zip(mats[1:], vecs[1:], strict=True):
        W = W @ m
        b = b @ m + v
    return W, b


def stack_forward(
    x: ArrayLike,
    weights: Sequence[ArrayLike],
    biases: Sequence[ArrayLike] | None = None,
    activation: Activation = "linear",
) -> FloatArray:
    """Run a stack of layers on ``x``, with ``activation`` after every layer but the last.

    Weights and biases are laid out as in :func:`collapse_linear_stack`; ``x``
    is ``(n_samples, fan_in_1)`` and the result ``(n_samples, fan_out_L)``.
    """
    act = _activation(activation)
    h = np.asarray(x, dtype=np.float64)
    if biases is None:
        biases = [np.zeros(np.shape(w)[1]) for w in weights]
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = h @ np.asarray(w, dtype=np.float64) + np.asarray(b, dtype=np.float64)
        if i < len(weights) - 1:
            h = act(h)
    return h


def affine_fit_residual(inputs: ArrayLike, outputs: ArrayLike) -> float:
    """Return the largest absolute residual of the least-squares fit ``outputs ≈ inputs @ W + b``.

    Inputs are ``(n_samples, n_in)``, outputs ``(n_samples, n_out)``. The
    residual is zero (up to rounding) when the outputs are an affine function
    of the inputs, clearly positive when they are not.
    """
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(outputs, dtype=np.float64)
    design = np.column_stack([x, np.ones(len(x))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.max(np.abs(y - design @ coef)))


# --------------------------------------------------------------------------- data


def best_line_accuracy(X: ArrayLike, y: ArrayLike, n_angles: int = 720) -> float:
    r"""Highest accuracy of any straight line on 2-D ``X`` and 0/1 labels ``y``, by exhaustive search.

    A line classifier predicts class 1 when :math:`x_1\cos\theta + x_2\sin\theta > t`.
    For each of ``n_angles`` directions :math:`\theta` evenly spaced on
    :math:`[0, 2\pi)` (720 is a step of half a degree) every threshold :math:`t`
    between two projected points (and beyond all of them) is tried, so the
    result, in [0.5, 1], is the best accuracy that any line reaches up to the
    angular resolution. No training is involved: it bounds what a linear model
    such as logistic regression can do on ``(X, y)``.
    """
    X = np.asarray(X, dtype=np.float64)
    positive = np.asarray(y) > 0.5
    theta = 2.0 * np.pi * np.arange(n_angles) / n_angles
    projections = X @ np.stack([np.cos(theta), np.sin(theta)])  # (n_samples, n_angles)
    order = np.argsort(projections, axis=0)
    sorted_positive = positive[order]  # labels in increasing order of projection
    # Threshold after the first k points: those k are predicted 0, the rest 1.
    zeros_below = np.cumsum(~sorted_positive, axis=0)
    ones_above = positive.sum() - np.cumsum(sorted_positive, axis=0)
    correct = np.vstack([np.full((1, n_angles), positive.sum()), zeros_below + ones_above])
    return float(correct.max() / len(positive))


# --------------------------------------------------------------------------- network

@dataclass
class TrainResult:
    """What :func:`train_mlp` returns.

    ``params`` is the trained network, ``losses`` the loss before each step
    and after the last, ``accuracy`` the final training accuracy.
    """

    params: MLP
    losses: FloatArray
    accuracy: float


def init_mlp(n_features: int, hidden: int, activation: Activation, rng: np.random.Generator) -> MLP:
    """Draw one hidden layer (He-normal for ReLU, else Glorot-normal), a Glorot output unit, zero biases."""
    if activation not in HIDDEN:
        raise ValueError(f"activation must be one of {sorted(HIDDEN)}, not {activation!r}")
    init = "he" if activation == "relu" else "glorot"
    return make_mlp(1, hidden, n_features, activation, init, output_init="glorot", seed=rng)


def predict_proba(net: MLP, X: ArrayLike) -> FloatArray:
    """Return the network's probability of class 1 for each row of ``X``."""
    return sigmoid(net.forward(X).logits)


def train_mlp(
    X: ArrayLike,
    y: ArrayLike,
    hidden: int,
    activation: Activation,
    rng: np.random.Generator,
    epochs: int = 2000,
    lr: float = 0.5,
) -> TrainResult:
    """Train a fresh :func:`init_mlp` network by ``epochs`` full-batch gradient steps on the cross-entropy.

    With ``"linear"`` the network is an affine map followed by a sigmoid,
    logistic regression, whatever ``hidden`` is.
    """
    X, y = as_float_array(X), as_float_array(y)
    net = init_mlp(X.shape[1], hidden, activation, rng)
    losses = np.empty(epochs + 1)

    def record(s: Step) -> None:
        losses[s.step] = s.loss

    train(net, X, y, lr=lr, steps=epochs, hooks=[record])
    return TrainResult(params=net, losses=losses, accuracy=accuracy(net, X, y))


@dataclass
class Comparison:
    """One data set and the networks :func:`compare_activations` trained on it.

    ``X`` is ``(n, 2)`` and ``y`` ``(n,)``; ``X_test`` and ``y_test`` are a
    fresh sample from the same distribution. ``results`` and ``test_accuracy``
    are keyed by the hidden-layer activation.
    """

    X: FloatArray
    y: FloatArray
    X_test: FloatArray
    y_test: FloatArray
    results: dict[str, TrainResult]
    test_accuracy: dict[str, float]


def compare_activations(
    rng: np.random.Generator,
    n: int = 400,
    n_test: int = 1000,
    hidden: int = 8,
    activations: Sequence[Activation] = ("linear", "tanh", "relu"),
    epochs: int = 2000,
    lr: float = 0.5,
) -> dict[str, Comparison]:
    """Train the same network with each hidden activation on XOR and on two circles.

    For each data set, keyed ``"XOR"`` and ``"circles"`` (:func:`xor_data`,
    :func:`circles_data` with their default noise), a training sample of ``n``
    and a test sample of ``n_test`` points are drawn; then, for each
    activation, a network with ``hidden`` units is trained by
    :func:`train_mlp`. ``rng`` draws the data and, for each network in turn,
    its initial weights, so a fixed seed makes the whole comparison
    reproducible.
    """
    comparisons = {}
    for name, generate in (("XOR", xor_data), ("circles", circles_data)):
        X, y = generate(n, rng)
        X_test, y_test = generate(n_test, rng)
        results = {act: train_mlp(X, y, hidden, act, rng, epochs=epochs, lr=lr) for act in activations}
        test_accuracy = {act: accuracy(r.params, X_test, y_test) for act, r in results.items()}
        comparisons[name] = Comparison(X, y, X_test, y_test, results, test_accuracy)
    return comparisons


# --------------------------------------------------------------------------- approximation


@dataclass
class ReluFit:
    """A sum of ReLU units fitted to a curve by :func:`fit_relu_units`.

    The fitted function is ``bias + sum_k weights[k] * relu(x - knots[k])``;
    ``target`` is ``f(x)`` and ``fitted`` this sum on the fitting points ``x``,
    ``max_error`` the largest ``|fitted - target|`` there.
    """

    x: FloatArray
    target: FloatArray
    fitted: FloatArray
    knots: FloatArray
    weights: FloatArray
    bias: float
    max_error: float

    def __call__(self, x: ArrayLike) -> FloatArray:
        """Evaluate the fitted sum of units at ``x``."""
        x = np.asarray(x, dtype=np.float64)
        return self.bias + relu(x[..., None] - self.knots) @ self.weights

    def units(self, x: ArrayLike) -> FloatArray:
        """Return each unit's term ``weights[k] * relu(x - knots[k])``, shape ``(len(x), n_units)``."""
        x = np.asarray(x, dtype=np.float64)
        return relu(x[:, None] - self.knots) * self.weights


def relu_grid_knots(n_units: int, start: float, stop: float) -> FloatArray:
    """Return ``start + (stop - start) * k / n_units`` for ``k = 0, ..., n_units - 1``, ``n_units >= 1``."""
    if int(n_units) != n_units or n_units < 1:
        raise ValueError(f"n_units must be a positive integer, not {n_units!r}")
    return start + (stop - start) * np.arange(n_units) / n_units


def fit_relu_units(
    f: Callable[[FloatArray], ArrayLike],
    n_units: int,
    x: ArrayLike,
    knots: ArrayLike | None = None,
) -> ReluFit:
    r"""Fit ``f`` on the 1-D points ``x`` with ``n_units`` ReLU units; the error is measured on ``x``.

    The network is :math:`\hat f(x) = c + \sum_{k=1}^{n} v_k\,\mathrm{relu}(x - t_k)`:
    unit :math:`k` has input weight 1 and bias :math:`-t_k`, so it is zero left
    of its kink :math:`t_k` and a ramp of slope 1 right of it. Training such a
    network by gradient descent would move the kinks too; here they are
    *fixed*, either the given ``knots`` (then ``n_units`` is ignored) or an even
    grid over the interval (:func:`relu_grid_knots`, the first kink at the left
    end so that one unit supplies a plain slope), and only the output layer is
    learnt. The output is linear in :math:`(c, v_1, \dots, v_n)`, so the best
    output layer in the least-squares sense is the solution of one linear
    least-squares problem, solved exactly by :func:`numpy.linalg.lstsq` -- no
    iterations, no learning rate.

    The result is a continuous piecewise-linear curve that may bend only at
    the kinks. For a smooth ``f`` on an interval of length :math:`\ell`, the
    straight-line pieces of width :math:`\ell / n` leave an error that shrinks
    roughly like :math:`1/n^2`.

    >>> x = np.linspace(-1.0, 1.0, 201)
    >>> fit_relu_units(np.abs, 2, x).max_error < 1e-12  # |x| is two ramps
    True
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size < 2:
        raise ValueError("x must be a one-dimensional array of at least two points")
    t = relu_grid_knots(n_units, float(x.min()), float(x.max())) if knots is None else (
        np.asarray(knots, dtype=np.float64).ravel()
    )
    target = np.asarray(f(x), dtype=np.float64)
    design = np.column_stack([np.ones_like(x), relu(x[:, None] - t)])
    coef, *_ = np.linalg.lstsq(design, target, rcond=None)
    fitted = design @ coef
    return ReluFit(
        x=x,
        target=target,
        fitted=fitted,
        knots=t,
        weights=coef[1:],
        bias=float(coef[0]),
        max_error=float(np.max(np.abs(fitted - target))),
    )
