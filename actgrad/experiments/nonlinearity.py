r"""Experiments of the chapter *Why nonlinearity*, in plain NumPy.

Three experiments, each deterministic given a :class:`numpy.random.Generator`:

* **Collapse.** :func:`collapse_linear_stack` multiplies a stack of linear
  (affine) layers into the single layer that computes the same function, and
  :func:`stack_forward` runs the stack itself, optionally with an activation
  between the layers; :func:`affine_fit_residual` measures how far a function
  is from every affine map.
* **Classification.** :func:`xor_data` and :func:`circles_data` draw two
  classes that no straight line separates; :func:`train_mlp` trains a network
  with one hidden layer by full-batch gradient descent on the binary
  cross-entropy, with the backward pass written out in
  :func:`loss_and_gradients`, and :func:`predict_proba` evaluates it.
* **Approximation.** :func:`fit_relu_units` fits a curve on an interval with a
  sum of ``n`` ReLU units whose kinks sit on a grid.

Layers follow the convention of :mod:`actgrad.initializers`: a batch of inputs
is a ``(n_samples, n_features)`` array ``x`` and a layer computes ``x @ W + b``
with ``W`` of shape ``(fan_in, fan_out)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray
from actgrad.activations import relu, relu_grad, sigmoid, tanh, tanh_grad
from actgrad.initializers import glorot_normal, he_normal

__all__ = [
    "ACTIVATIONS",
    "Comparison",
    "MLPParams",
    "ReluFit",
    "TrainResult",
    "accuracy",
    "affine_fit_residual",
    "best_line_accuracy",
    "circles_data",
    "collapse_linear_stack",
    "compare_activations",
    "fit_relu_units",
    "init_mlp",
    "loss_and_gradients",
    "predict_proba",
    "relu_grid_knots",
    "stack_forward",
    "train_mlp",
    "xor_data",
]

Activation = Literal["linear", "relu", "tanh"]


def _identity(x: ArrayLike) -> FloatArray:
    return np.array(x, dtype=np.float64)


def _ones(x: ArrayLike) -> FloatArray:
    return np.ones_like(np.asarray(x, dtype=np.float64))


#: Hidden-layer activations by name: ``(function, derivative)``.
ACTIVATIONS: dict[str, tuple[Callable[[ArrayLike], FloatArray], Callable[[ArrayLike], FloatArray]]] = {
    "linear": (_identity, _ones),
    "relu": (relu, relu_grad),
    "tanh": (tanh, tanh_grad),
}


def _activation(name: str) -> tuple[Callable[[ArrayLike], FloatArray], Callable[[ArrayLike], FloatArray]]:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, not {name!r}") from None


# --------------------------------------------------------------------------- collapse


def collapse_linear_stack(
    weights: Sequence[ArrayLike], biases: Sequence[ArrayLike] | None = None
) -> tuple[FloatArray, FloatArray]:
    r"""Return the single affine layer equal to a stack of affine layers.

    Layer :math:`i` computes :math:`h \mapsto h W_i + b_i`. Composing them
    gives

    .. math::

        x W_1 W_2 \cdots W_L + (b_1 W_2 \cdots W_L + b_2 W_3 \cdots W_L + \dots + b_L),

    so the stack is the one layer with matrix :math:`W = W_1 W_2 \cdots W_L`
    and bias :math:`b` given by the bracket.

    Parameters
    ----------
    weights : sequence of array_like
        The matrices :math:`W_1, \dots, W_L`, ``W_i`` of shape
        ``(fan_in_i, fan_out_i)`` with ``fan_out_i == fan_in_{i+1}``.
    biases : sequence of array_like, optional
        The bias vectors :math:`b_i` of shape ``(fan_out_i,)``; zeros if omitted.

    Returns
    -------
    W : numpy.ndarray
        Shape ``(fan_in_1, fan_out_L)``.
    b : numpy.ndarray
        Shape ``(fan_out_L,)``.

    Raises
    ------
    ValueError
        If the stack is empty or the shapes do not chain.

    Examples
    --------
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
    """Run a stack of layers, with ``activation`` after every layer but the last.

    Parameters
    ----------
    x : array_like
        Inputs, shape ``(n_samples, fan_in_1)``.
    weights, biases : sequence of array_like
        As in :func:`collapse_linear_stack`.
    activation : {"linear", "relu", "tanh"}, default "linear"
        Applied between the layers.

    Returns
    -------
    numpy.ndarray
        Outputs, shape ``(n_samples, fan_out_L)``.
    """
    act, _ = _activation(activation)
    h = np.asarray(x, dtype=np.float64)
    if biases is None:
        biases = [np.zeros(np.shape(w)[1]) for w in weights]
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = h @ np.asarray(w, dtype=np.float64) + np.asarray(b, dtype=np.float64)
        if i < len(weights) - 1:
            h = act(h)
    return h


def affine_fit_residual(inputs: ArrayLike, outputs: ArrayLike) -> float:
    """Largest residual of the least-squares affine map from ``inputs`` to ``outputs``.

    Fits ``outputs ≈ inputs @ W + b`` by least squares and returns the largest
    absolute entry of the residual: zero (up to rounding) when the outputs are
    an affine function of the inputs, clearly positive when they are not.

    Parameters
    ----------
    inputs : array_like
        Shape ``(n_samples, n_in)``.
    outputs : array_like
        Shape ``(n_samples, n_out)``.

    Returns
    -------
    float
        ``max |outputs - (inputs @ W + b)|`` for the least-squares ``W, b``.
    """
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(outputs, dtype=np.float64)
    design = np.column_stack([x, np.ones(len(x))])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.max(np.abs(y - design @ coef)))


# --------------------------------------------------------------------------- data


def _check_n(n: int) -> int:
    if int(n) != n or n < 4:
        raise ValueError(f"n must be an integer of at least 4, not {n!r}")
    return int(n)


def xor_data(n: int, rng: np.random.Generator, noise: float = 0.3) -> tuple[FloatArray, FloatArray]:
    r"""Draw the XOR problem: four Gaussian blobs, opposite corners share a class.

    The blobs are centred on :math:`(\pm 1, \pm 1)` with standard deviation
    ``noise`` in each coordinate; the points around :math:`(1, -1)` and
    :math:`(-1, 1)` are class 1, those around :math:`(1, 1)` and
    :math:`(-1, -1)` class 0. The label is the sign of :math:`-x_1 x_2` at the
    blob's centre. The four blobs get ``n // 4`` points each, give or take one.

    Parameters
    ----------
    n : int
        Number of points, at least 4.
    rng : numpy.random.Generator
        Source of randomness.
    noise : float, default 0.3
        Standard deviation of each blob.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, 2)``.
    y : numpy.ndarray
        Shape ``(n,)``, float64 zeros and ones.
    """
    n = _check_n(n)
    blob = rng.permutation(np.arange(n) % 4)
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    X = centres[blob] + noise * rng.standard_normal((n, 2))
    y = (blob >= 2).astype(np.float64)
    return X, y


def circles_data(
    n: int, rng: np.random.Generator, noise: float = 0.1, factor: float = 0.5
) -> tuple[FloatArray, FloatArray]:
    """Draw two concentric circles: the inner one is class 1, the outer class 0.

    Half the points lie on the unit circle, half on the circle of radius
    ``factor``, at uniformly random angles; Gaussian noise of standard
    deviation ``noise`` is added to each coordinate.

    Parameters
    ----------
    n : int
        Number of points, at least 4.
    rng : numpy.random.Generator
        Source of randomness.
    noise : float, default 0.1
        Standard deviation of the noise.
    factor : float, default 0.5
        Radius of the inner circle, between 0 and 1.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, 2)``.
    y : numpy.ndarray
        Shape ``(n,)``, float64 zeros and ones.
    """
    n = _check_n(n)
    if not 0 < factor < 1:
        raise ValueError(f"factor must lie strictly between 0 and 1, not {factor!r}")
    inner = rng.permutation(np.arange(n) % 2).astype(bool)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    radius = np.where(inner, factor, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n, 2))
    return X, inner.astype(np.float64)


def best_line_accuracy(X: ArrayLike, y: ArrayLike, n_angles: int = 720) -> float:
    r"""Highest accuracy of any straight-line classifier found by exhaustive search.

    A line classifier predicts class 1 when :math:`x_1\cos\theta + x_2\sin\theta > t`.
    For each of ``n_angles`` directions :math:`\theta` evenly spaced on
    :math:`[0, 2\pi)` every threshold :math:`t` between two projected points
    (and beyond all of them) is tried, so the result is the best accuracy that
    any line reaches, up to the angular resolution. No training is involved:
    it bounds what a linear model such as logistic regression can do on
    ``(X, y)``.

    Parameters
    ----------
    X : array_like
        Two-dimensional inputs, shape ``(n_samples, 2)``.
    y : array_like
        Labels 0 or 1, shape ``(n_samples,)``.
    n_angles : int, default 720
        Number of directions tried (720 is a step of half a degree).

    Returns
    -------
    float
        The best accuracy in [0.5, 1].
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
class MLPParams:
    """Parameters of a network with one hidden layer and one sigmoid output.

    The network computes ``p = sigmoid(act(X @ W1 + b1) @ W2 + b2)``.

    Attributes
    ----------
    W1 : numpy.ndarray
        Hidden weights, shape ``(n_features, hidden)``.
    b1 : numpy.ndarray
        Hidden biases, shape ``(hidden,)``.
    W2 : numpy.ndarray
        Output weights, shape ``(hidden,)``.
    b2 : numpy.ndarray
        Output bias, shape ``()``.
    activation : {"linear", "relu", "tanh"}
        Hidden-layer activation.
    """

    W1: FloatArray
    b1: FloatArray
    W2: FloatArray
    b2: FloatArray
    activation: Activation

    def arrays(self) -> dict[str, FloatArray]:
        """Return the trainable arrays by name (the arrays themselves, not copies)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "activation"}

    def copy(self) -> MLPParams:
        """Return a deep copy."""
        return MLPParams(**{k: v.copy() for k, v in self.arrays().items()}, activation=self.activation)


@dataclass
class TrainResult:
    """What :func:`train_mlp` returns.

    Attributes
    ----------
    params : MLPParams
        The trained parameters.
    losses : numpy.ndarray
        Mean binary cross-entropy before each update, shape ``(epochs,)``,
        then once more after the last update (length ``epochs + 1``).
    accuracy : float
        Fraction of training points classified correctly at the end.
    """

    params: MLPParams
    losses: FloatArray
    accuracy: float


def init_mlp(n_features: int, hidden: int, activation: Activation, rng: np.random.Generator) -> MLPParams:
    """Draw initial parameters: He-normal weights for ReLU, Glorot-normal otherwise, zero biases.

    Parameters
    ----------
    n_features : int
        Number of inputs.
    hidden : int
        Number of hidden units, at least 1.
    activation : {"linear", "relu", "tanh"}
        Hidden-layer activation.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    MLPParams
        The initial parameters.
    """
    _activation(activation)
    init = he_normal if activation == "relu" else glorot_normal
    return MLPParams(
        W1=init(n_features, hidden, rng),
        b1=np.zeros(hidden),
        W2=glorot_normal(hidden, 1, rng).ravel(),
        b2=np.zeros(()),
        activation=activation,
    )


def _logits(params: MLPParams, X: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    act, _ = _activation(params.activation)
    pre = X @ params.W1 + params.b1
    h = act(pre)
    return pre, h, h @ params.W2 + params.b2


def predict_proba(params: MLPParams, X: ArrayLike) -> FloatArray:
    """Return the network's probability of class 1 for each row of ``X``.

    Parameters
    ----------
    params : MLPParams
        Network parameters.
    X : array_like
        Inputs, shape ``(n_samples, n_features)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples,)``, values in [0, 1].
    """
    *_, z = _logits(params, np.asarray(X, dtype=np.float64))
    return sigmoid(z)


def accuracy(params: MLPParams, X: ArrayLike, y: ArrayLike) -> float:
    """Fraction of points whose predicted class (probability above 1/2) equals ``y``.

    Parameters
    ----------
    params : MLPParams
        Network parameters.
    X : array_like
        Inputs, shape ``(n_samples, n_features)``.
    y : array_like
        Labels 0 or 1, shape ``(n_samples,)``.

    Returns
    -------
    float
        Accuracy in [0, 1].
    """
    predicted = predict_proba(params, X) > 0.5
    return float(np.mean(predicted == (np.asarray(y) > 0.5)))


def loss_and_gradients(params: MLPParams, X: ArrayLike, y: ArrayLike) -> tuple[float, dict[str, FloatArray]]:
    r"""Mean binary cross-entropy and its gradient with respect to every parameter.

    With :math:`a = XW_1 + b_1`, :math:`h = \phi(a)`, :math:`z = hW_2 + b_2`
    and :math:`p = \sigma(z)`, the loss over :math:`n` points is

    .. math::

        L = \frac{1}{n}\sum_i \bigl[-y_i \log p_i - (1 - y_i)\log(1 - p_i)\bigr]
          = \frac{1}{n}\sum_i \bigl[\log(1 + e^{z_i}) - y_i z_i\bigr],

    computed in the second form, which never takes the log of 0. The
    backward pass applies the chain rule one layer at a time:

    .. math::

        \frac{\partial L}{\partial z} = \frac{p - y}{n},\quad
        \frac{\partial L}{\partial W_2} = h^\top \frac{\partial L}{\partial z},\quad
        \frac{\partial L}{\partial a}
            = \Bigl(\frac{\partial L}{\partial z} W_2^\top\Bigr) \odot \phi'(a),\quad
        \frac{\partial L}{\partial W_1} = X^\top \frac{\partial L}{\partial a},

    and the bias gradients are the column sums of :math:`\partial L/\partial z`
    and :math:`\partial L/\partial a`.

    Parameters
    ----------
    params : MLPParams
        Network parameters.
    X : array_like
        Inputs, shape ``(n_samples, n_features)``.
    y : array_like
        Labels 0 or 1, shape ``(n_samples,)``.

    Returns
    -------
    loss : float
        The mean binary cross-entropy.
    grads : dict of str to numpy.ndarray
        ``"W1"``, ``"b1"``, ``"W2"``, ``"b2"``, each shaped like its parameter.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    _, dact = _activation(params.activation)
    pre, h, z = _logits(params, X)
    n = len(y)
    loss = float(np.mean(np.logaddexp(0.0, z) - y * z))
    dz = (sigmoid(z) - y) / n
    dpre = np.outer(dz, params.W2) * dact(pre)
    grads = {
        "W1": X.T @ dpre,
        "b1": dpre.sum(axis=0),
        "W2": h.T @ dz,
        "b2": np.asarray(dz.sum()),
    }
    return loss, grads


def train_mlp(
    X: ArrayLike,
    y: ArrayLike,
    hidden: int,
    activation: Activation,
    rng: np.random.Generator,
    epochs: int = 2000,
    lr: float = 0.5,
) -> TrainResult:
    """Train a one-hidden-layer network by full-batch gradient descent.

    The output is one sigmoid unit and the loss the mean binary cross-entropy
    (:func:`loss_and_gradients`). Every epoch takes one step
    ``param -= lr * gradient`` using all the points.

    Parameters
    ----------
    X : array_like
        Inputs, shape ``(n_samples, n_features)``.
    y : array_like
        Labels 0 or 1, shape ``(n_samples,)``.
    hidden : int
        Number of hidden units.
    activation : {"linear", "relu", "tanh"}
        Hidden-layer activation. With ``"linear"`` the whole network is an
        affine map followed by a sigmoid, i.e. logistic regression, whatever
        ``hidden`` is: its decision boundary is a straight line.
    rng : numpy.random.Generator
        Source of the initial weights (:func:`init_mlp`).
    epochs : int, default 2000
        Number of gradient steps.
    lr : float, default 0.5
        Learning rate.

    Returns
    -------
    TrainResult
        Trained parameters, loss history and training accuracy.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    params = init_mlp(X.shape[1], hidden, activation, rng)
    arrays = params.arrays()
    losses = np.empty(epochs + 1)
    for epoch in range(epochs):
        losses[epoch], grads = loss_and_gradients(params, X, y)
        for name, value in arrays.items():
            value -= lr * grads[name]
    losses[epochs], _ = loss_and_gradients(params, X, y)
    return TrainResult(params=params, losses=losses, accuracy=accuracy(params, X, y))


@dataclass
class Comparison:
    """One data set and the networks :func:`compare_activations` trained on it.

    Attributes
    ----------
    X, y : numpy.ndarray
        Training inputs ``(n, 2)`` and labels ``(n,)``.
    X_test, y_test : numpy.ndarray
        A fresh sample from the same distribution, for the test accuracy.
    results : dict of str to TrainResult
        The trained network of each hidden-layer activation.
    test_accuracy : dict of str to float
        Accuracy of each network on the test sample.
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

    For each data set (:func:`xor_data`, :func:`circles_data` with their
    default noise) a training and a test sample are drawn; then, for each
    activation, a network with ``hidden`` units is trained by
    :func:`train_mlp`. Every network starts from its own draw of ``rng``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the data and of the initial weights; a fixed seed makes the
        whole comparison reproducible.
    n, n_test : int, default 400 and 1000
        Sizes of the training and test samples.
    hidden : int, default 8
        Hidden units of every network.
    activations : sequence of {"linear", "relu", "tanh"}
        Hidden-layer activations to compare.
    epochs : int, default 2000
        Gradient steps of each training run.
    lr : float, default 0.5
        Learning rate.

    Returns
    -------
    dict of str to Comparison
        ``"XOR"`` and ``"circles"``.
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

    The fitted function is ``bias + sum_k weights[k] * relu(x - knots[k])``.

    Attributes
    ----------
    x : numpy.ndarray
        The points the curve was fitted on.
    target : numpy.ndarray
        ``f(x)``.
    fitted : numpy.ndarray
        The fitted function at ``x``.
    knots : numpy.ndarray
        Kink of each unit, shape ``(n_units,)``.
    weights : numpy.ndarray
        Output weight of each unit, shape ``(n_units,)``.
    bias : float
        Output bias.
    max_error : float
        ``max |fitted - target|`` over ``x``.
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
    """Return ``n_units`` kinks evenly spaced over ``[start, stop)``, the first at ``start``.

    Parameters
    ----------
    n_units : int
        Number of units, at least 1.
    start, stop : float
        The interval.

    Returns
    -------
    numpy.ndarray
        ``start + (stop - start) * k / n_units`` for ``k = 0, ..., n_units - 1``.
    """
    if int(n_units) != n_units or n_units < 1:
        raise ValueError(f"n_units must be a positive integer, not {n_units!r}")
    return start + (stop - start) * np.arange(n_units) / n_units


def fit_relu_units(
    f: Callable[[FloatArray], ArrayLike],
    n_units: int,
    x: ArrayLike,
    knots: ArrayLike | None = None,
) -> ReluFit:
    r"""Fit ``f`` on the points ``x`` with a hidden layer of ``n_units`` ReLU units.

    The network is :math:`\hat f(x) = c + \sum_{k=1}^{n} v_k\,\mathrm{relu}(x - t_k)`:
    unit :math:`k` has input weight 1 and bias :math:`-t_k`, so it is zero left
    of its kink :math:`t_k` and a ramp of slope 1 right of it. Training such a
    network by gradient descent would move the kinks too; here they are
    *fixed* on an even grid over the interval (:func:`relu_grid_knots`, the
    first kink at the left end so that one unit supplies a plain slope), and
    only the output layer is learnt. The output is linear in
    :math:`(c, v_1, \dots, v_n)`, so the best output layer in the
    least-squares sense is the solution of one linear least-squares problem,
    solved exactly by :func:`numpy.linalg.lstsq` -- no iterations, no
    learning rate.

    The result is a continuous piecewise-linear curve that may bend only at
    the kinks. For a smooth ``f`` on an interval of length :math:`\ell`, the
    straight-line pieces of width :math:`\ell / n` leave an error that shrinks
    roughly like :math:`1/n^2`.

    Parameters
    ----------
    f : callable
        The curve to fit, evaluated on the array ``x``.
    n_units : int
        Number of ReLU units (ignored if ``knots`` is given).
    x : array_like
        One-dimensional fitting points; the error is measured on the same points.
    knots : array_like, optional
        Kinks to use instead of the even grid.

    Returns
    -------
    ReluFit
        The fitted curve on ``x``, the units and the largest absolute error.

    Examples
    --------
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
