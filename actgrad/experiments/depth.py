r"""Experiments of the chapters *Why gradients vanish or explode* and *A depth experiment*.

Everything is plain NumPy, vectorised over the batch and reproducible from
fixed seeds:

* :class:`MLP`: a multilayer perceptron of any depth with one activation in
  every hidden layer and a single linear output unit trained on the binary
  cross-entropy. Its forward and backward passes reuse
  :func:`actgrad.experiments.gradients.dense_forward` and
  :func:`~actgrad.experiments.gradients.dense_backward`, so the factor
  :math:`\varphi'(z)` of every backward step is the one the chapter
  *Learning with gradients* wrote out.
* :func:`make_mlp` draws the weights with one of the schemes of
  :data:`INIT_SCHEMES` (Glorot, He, LeCun, the old uniform heuristic, or
  plain :math:`N(0, 1)`), times a scale factor.
* :func:`depth_profile` measures, at initialisation, the activations of every
  layer (root mean square, histograms) and the gradient norm of every layer's
  weights; :func:`train` runs full-batch gradient descent and records the
  gradient norm of every layer at every step.
* :func:`jacobian_chain` and :func:`recurrence_norms` are the linear-algebra
  experiments of *Why gradients vanish or explode*: a product of layer
  Jacobians against its bound, and a repeated matrix whose spectral radius
  decides whether vectors grow or shrink.

Layer convention (as in :mod:`actgrad.experiments.gradients`): samples are
rows and a layer computes ``z = x @ W.T + b`` with ``W`` of shape
``(d_out, d_in)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations import (
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    selu,
    selu_grad,
    sigmoid,
    sigmoid_grad,
    silu,
    silu_grad,
    tanh,
    tanh_grad,
)
from actgrad.experiments.gradients import (
    dense_backward,
    dense_forward,
    gradient_check,
    identity,
    identity_grad,
)
from actgrad.initializers import glorot_normal, he_normal, lecun_normal

__all__ = [
    "ACTIVATIONS",
    "INIT_SCHEMES",
    "MLP",
    "Trace",
    "TrainHistory",
    "activation_pair",
    "binary_cross_entropy",
    "check_mlp_gradients",
    "depth_profile",
    "histogram_edges",
    "jacobian_chain",
    "layer_factor",
    "make_mlp",
    "make_task",
    "recurrence_norms",
    "scale_to_spectral_radius",
    "signal_propagation",
    "train",
]

Activation = Callable[[ArrayLike], FloatArray]

#: Negative slope of the Leaky ReLU used throughout these experiments.
LEAKY_SLOPE = 0.01

#: Activation name -> (function, derivative). GELU is PyTorch's tanh
#: approximation: the exact one calls ``erfc`` element by element and is
#: too slow for training loops.
ACTIVATIONS: dict[str, tuple[Activation, Activation]] = {
    "linear": (identity, identity_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (
        functools.partial(leaky_relu, alpha=LEAKY_SLOPE),
        functools.partial(leaky_relu_grad, alpha=LEAKY_SLOPE),
    ),
    "elu": (elu, elu_grad),
    "selu": (selu, selu_grad),
    "gelu": (functools.partial(gelu, approximate="tanh"), functools.partial(gelu_grad, approximate="tanh")),
    "silu": (silu, silu_grad),
}

#: Weight initialisation schemes :func:`make_mlp` knows, with the standard
#: deviation each gives a layer with ``n_in`` inputs and ``n_out`` outputs.
INIT_SCHEMES: dict[str, str] = {
    "glorot": "N(0, 2/(n_in + n_out)), Glorot & Bengio (2010)",
    "he": "N(0, 2/n_in), He et al. (2015)",
    "lecun": "N(0, 1/n_in), LeCun et al. (1998)",
    "uniform": "U(-1/sqrt(n_in), 1/sqrt(n_in)), the heuristic Glorot & Bengio started from",
    "normal": "N(0, 1), no scaling with the width",
}


def activation_pair(name: str) -> tuple[Activation, Activation]:
    """Return the activation called ``name`` and its derivative.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.

    Returns
    -------
    tuple of two callables
        The function and its derivative.

    Raises
    ------
    ValueError
        For an unknown name.
    """
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}") from None


def _draw_weights(scheme: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> FloatArray:
    """Draw a ``(fan_out, fan_in)`` weight matrix with the given scheme."""
    if scheme == "glorot":
        w = glorot_normal(fan_in, fan_out, rng)
    elif scheme == "he":
        w = he_normal(fan_in, fan_out, rng)
    elif scheme == "lecun":
        w = lecun_normal(fan_in, fan_out, rng)
    elif scheme == "uniform":
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, size=(fan_in, fan_out))
    elif scheme == "normal":
        w = rng.normal(0.0, 1.0, size=(fan_in, fan_out))
    else:
        raise ValueError(f"unknown initialisation {scheme!r}; expected one of {sorted(INIT_SCHEMES)}")
    return w.T.copy()  # the initialisers return (fan_in, fan_out); layers use (d_out, d_in)


# --------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------


@dataclass
class Trace:
    """What a forward pass keeps for the backward pass.

    Attributes
    ----------
    inputs : list of numpy.ndarray
        The input of every layer: ``inputs[0]`` is the batch, ``inputs[l]``
        for ``l >= 1`` the activations of hidden layer ``l``, shape
        ``(n, width)``. There are ``depth + 1`` entries.
    preactivations : list of numpy.ndarray
        The pre-activation ``z`` of every layer, hidden layers first and the
        output layer last (``depth + 1`` entries).
    logits : numpy.ndarray
        The network's output, shape ``(n,)``.
    """

    inputs: list[FloatArray]
    preactivations: list[FloatArray]
    logits: FloatArray

    @property
    def hidden(self) -> list[FloatArray]:
        """Activations of the hidden layers, first to last."""
        return self.inputs[1:]


def binary_cross_entropy(logits: ArrayLike, y: ArrayLike) -> float:
    r"""Mean binary cross-entropy of labels ``y`` given logits, computed without overflow.

    :math:`\frac1n \sum \bigl(\log(1 + e^{s}) - y s\bigr)`, with
    ``numpy.logaddexp`` for the first term.

    Parameters
    ----------
    logits : array_like
        Scores :math:`s`, shape ``(n,)``.
    y : array_like
        Labels in {0, 1}, shape ``(n,)``.

    Returns
    -------
    float
        The loss.

    Examples
    --------
    >>> round(binary_cross_entropy([0.0, 0.0], [0.0, 1.0]), 6)
    0.693147
    """
    s, y = as_float_array(logits), as_float_array(y)
    return float(np.mean(np.logaddexp(0.0, s) - y * s))


@dataclass
class MLP:
    r"""A multilayer perceptron with one scalar logit, trained on the binary cross-entropy.

    ``weights[l]`` and ``biases[l]`` for ``l < depth`` belong to hidden layer
    ``l + 1``, which computes :math:`a = \varphi(W a_{\text{prev}} + b)`; the
    last entries are the linear output layer.

    Parameters
    ----------
    weights : list of numpy.ndarray
        ``depth + 1`` matrices of shape ``(d_out, d_in)``.
    biases : list of numpy.ndarray
        ``depth + 1`` vectors.
    activation : str
        Name of the hidden activation, a key of :data:`ACTIVATIONS`.
    """

    weights: list[FloatArray]
    biases: list[FloatArray]
    activation: str = "tanh"
    _phi: Activation = field(init=False, repr=False)
    _dphi: Activation = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._phi, self._dphi = activation_pair(self.activation)
        if len(self.weights) != len(self.biases) or len(self.weights) < 2:
            raise ValueError("an MLP needs matching weights and biases for at least one hidden layer")

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.weights) - 1

    def copy(self) -> MLP:
        """Return a copy with its own parameter arrays."""
        return MLP([w.copy() for w in self.weights], [b.copy() for b in self.biases], self.activation)

    def forward(self, X: ArrayLike) -> Trace:
        """Run the network on a batch and keep what the backward pass needs.

        Parameters
        ----------
        X : array_like
            Inputs, shape ``(n, d_in)``.

        Returns
        -------
        Trace
            Layer inputs, pre-activations and logits.
        """
        a = as_float_array(X)
        inputs, preactivations = [a], []
        with np.errstate(over="ignore", invalid="ignore"):
            for W, b in zip(self.weights[:-1], self.biases[:-1], strict=True):
                a, z = dense_forward(a, W, b, self._phi)
                inputs.append(a)
                preactivations.append(z)
            out, z = dense_forward(a, self.weights[-1], self.biases[-1], identity)
        preactivations.append(z)
        return Trace(inputs, preactivations, out[:, 0])

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """Return the mean binary cross-entropy on ``(X, y)``.

        Parameters
        ----------
        X : array_like
            Inputs, ``(n, d_in)``.
        y : array_like
            Labels in {0, 1}, ``(n,)``.

        Returns
        -------
        float
            The loss.
        """
        return binary_cross_entropy(self.forward(X).logits, y)

    def loss_and_grads(
        self, X: ArrayLike, y: ArrayLike
    ) -> tuple[float, list[FloatArray], list[FloatArray], Trace]:
        r"""Forward pass, loss and backward pass.

        The backward pass starts from :math:`\partial L/\partial s =
        (\sigma(s) - y)/n` for the logits :math:`s` and applies
        :func:`~actgrad.experiments.gradients.dense_backward` layer by layer,
        output layer first.

        Parameters
        ----------
        X : array_like
            Inputs, ``(n, d_in)``.
        y : array_like
            Labels in {0, 1}, ``(n,)``.

        Returns
        -------
        loss : float
            Mean binary cross-entropy.
        grad_weights, grad_biases : list of numpy.ndarray
            Gradients of the loss, shaped like ``weights`` and ``biases``.
        trace : Trace
            The forward pass.
        """
        trace = self.forward(X)
        y = as_float_array(y)
        n = y.shape[0]
        loss = binary_cross_entropy(trace.logits, y)
        grad = ((sigmoid(trace.logits) - y) / n)[:, None]
        grad_w: list[FloatArray] = [np.empty(0)] * len(self.weights)
        grad_b: list[FloatArray] = [np.empty(0)] * len(self.weights)
        last = self.depth
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            grad, grad_w[last], grad_b[last] = dense_backward(
                grad, trace.inputs[last], self.weights[last], trace.preactivations[last], identity_grad
            )
            for layer in range(last - 1, -1, -1):
                grad, grad_w[layer], grad_b[layer] = dense_backward(
                    grad, trace.inputs[layer], self.weights[layer], trace.preactivations[layer], self._dphi
                )
        return loss, grad_w, grad_b, trace


def make_mlp(
    depth: int,
    width: int,
    d_in: int,
    activation: str,
    init: str = "glorot",
    scale: float = 1.0,
    *,
    bias_std: float = 0.0,
    seed: int = 0,
) -> MLP:
    """Create an :class:`MLP` with ``depth`` hidden layers of ``width`` units.

    Parameters
    ----------
    depth : int
        Number of hidden layers, at least 1.
    width : int
        Units per hidden layer.
    d_in : int
        Input width.
    activation : str
        Hidden activation, a key of :data:`ACTIVATIONS`.
    init : str, default "glorot"
        Weight scheme, a key of :data:`INIT_SCHEMES`; the output layer uses it too.
    scale : float, default 1
        Factor on every weight (on the standard deviation of the scheme).
    bias_std : float, default 0
        Standard deviation of Gaussian biases (0: biases start at zero).
    seed : int, default 0
        Seed of the :func:`numpy.random.default_rng` generator.

    Returns
    -------
    MLP
        The network.

    Examples
    --------
    >>> net = make_mlp(3, 8, 2, "relu", "he", seed=1)
    >>> [w.shape for w in net.weights]
    [(8, 2), (8, 8), (8, 8), (1, 8)]
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    rng = np.random.default_rng(seed)
    sizes = [d_in] + [width] * depth + [1]
    weights, biases = [], []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        weights.append(scale * _draw_weights(init, fan_in, fan_out, rng))
        biases.append(rng.normal(0.0, bias_std, size=fan_out) if bias_std > 0 else np.zeros(fan_out))
    return MLP(weights, biases, activation)


def make_task(n: int = 256, d_in: int = 10, seed: int = 0) -> tuple[FloatArray, FloatArray]:
    r"""Return a synthetic binary classification task: Gaussian inputs, nonlinear labels.

    Inputs are :math:`x \sim N(0, I_{d})`; the label is 1 where
    :math:`\sin(2\,u^\top x) + v^\top x > 0` for two fixed random unit
    vectors :math:`u, v`, a boundary no straight line follows.

    Parameters
    ----------
    n : int, default 256
        Number of samples.
    d_in : int, default 10
        Input width.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    X : numpy.ndarray
        Inputs, ``(n, d_in)``.
    y : numpy.ndarray
        Labels in {0.0, 1.0}, ``(n,)``.
    """
    rng = np.random.default_rng(seed)
    u, v = rng.normal(size=(2, d_in))
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    X = rng.normal(size=(n, d_in))
    y = (np.sin(2.0 * X @ u) + X @ v > 0).astype(np.float64)
    return X, y


def check_mlp_gradients(net: MLP, X: ArrayLike, y: ArrayLike, h: float = 1e-5) -> dict[str, float]:
    """Compare the backward pass of ``net`` with central differences of its loss.

    Uses :func:`actgrad.experiments.gradients.gradient_check`; the parameters
    are named ``W1``, ``b1``, ... with the output layer last.

    Parameters
    ----------
    net : MLP
        The network (keep it small: every parameter costs two forward passes).
    X, y : array_like
        Batch and labels.
    h : float, default 1e-5
        Finite-difference step.

    Returns
    -------
    dict of str to float
        Largest relative error within each parameter array.
    """
    _, grad_w, grad_b, _ = net.loss_and_grads(X, y)
    names = [f"{kind}{layer + 1}" for layer in range(net.depth + 1) for kind in ("W", "b")]
    params = {}
    grads = {}
    for layer in range(net.depth + 1):
        params[f"W{layer + 1}"], grads[f"W{layer + 1}"] = net.weights[layer], grad_w[layer]
        params[f"b{layer + 1}"], grads[f"b{layer + 1}"] = net.biases[layer], grad_b[layer]

    def loss(p: dict[str, FloatArray]) -> float:
        probe = MLP(
            [p[f"W{i + 1}"] for i in range(net.depth + 1)],
            [p[f"b{i + 1}"] for i in range(net.depth + 1)],
            net.activation,
        )
        return probe.loss(X, y)

    errors = gradient_check(loss, params, grads, h=h)
    return {name: errors[name] for name in names}


# --------------------------------------------------------------------------
# Measurements
# --------------------------------------------------------------------------


def histogram_edges(activation: str, bins: int = 40) -> FloatArray:
    r"""Return bin edges suited to an activation's range (see :func:`depth_profile`).

    Parameters
    ----------
    activation : str
        ``"sigmoid"`` gives [0, 1], ``"tanh"`` [-1, 1]; for any other
        activation the histogram is of :math:`a / \mathrm{rms}(a)`, binned on [0, 4].
    bins : int, default 40
        Number of bins.

    Returns
    -------
    numpy.ndarray
        ``bins + 1`` edges.
    """
    low, high = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}.get(activation, (0.0, 4.0))
    return np.linspace(low, high, bins + 1)


def _rms(values: FloatArray) -> float:
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        scale = float(np.max(np.abs(values))) if values.size else 0.0
        if scale == 0.0 or not np.isfinite(scale):
            return scale
        return scale * float(np.sqrt(np.mean((values / scale) ** 2)))


def depth_profile(net: MLP, X: ArrayLike, y: ArrayLike, bins: int = 40) -> dict[str, FloatArray]:
    r"""Measure every hidden layer of ``net`` on one batch.

    Parameters
    ----------
    net : MLP
        The network.
    X, y : array_like
        Batch and labels.
    bins : int, default 40
        Histogram bins per layer.

    Returns
    -------
    dict of str to numpy.ndarray
        ``rms`` (root mean square of each hidden layer's activations, shape
        ``(depth,)``), ``std_z`` (standard deviation of its pre-activations),
        ``grad_w`` (Frobenius norm of :math:`\partial L/\partial W` of each
        hidden layer), ``grad_b`` (norm of :math:`\partial L/\partial b`),
        ``hist`` (``(depth, bins)``, fraction of activations per bin, see
        :func:`histogram_edges`; outside the range they count in the end
        bins), ``edges`` and ``loss`` (0-d).
    """
    loss, grad_w, grad_b, trace = net.loss_and_grads(X, y)
    edges = histogram_edges(net.activation, bins)
    hist = np.zeros((net.depth, bins))
    rms = np.array([_rms(a) for a in trace.hidden])
    for layer, a in enumerate(trace.hidden):
        values = a.ravel()
        if net.activation not in ("sigmoid", "tanh"):
            values = values / rms[layer] if rms[layer] > 0 and np.isfinite(rms[layer]) else values * 0
        index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, bins - 1)
        hist[layer] = np.bincount(index, minlength=bins) / values.size
    with np.errstate(over="ignore", invalid="ignore"):
        std_z = np.array([float(np.std(z)) for z in trace.preactivations[:-1]])
    return {
        "rms": rms,
        "std_z": std_z,
        "grad_w": np.array([_rms(g) * np.sqrt(g.size) for g in grad_w[:-1]]),
        "grad_b": np.array([_rms(g) * np.sqrt(g.size) for g in grad_b[:-1]]),
        "hist": hist,
        "edges": edges,
        "loss": np.array(loss),
    }


def layer_factor(norms: ArrayLike) -> float:
    r"""Average factor by which a per-layer quantity grows from the first layer to the last.

    The geometric mean :math:`(g_L / g_1)^{1/(L-1)}` of the ratios of
    neighbouring layers; a gradient that shrinks toward the input has a factor
    above 1 (it grows from layer 1 to layer :math:`L`).

    Parameters
    ----------
    norms : array_like
        One positive value per layer, first layer first.

    Returns
    -------
    float
        The factor.

    Examples
    --------
    >>> layer_factor([1.0, 4.0, 16.0])
    4.0
    """
    g = as_float_array(norms)
    if g.size < 2:
        raise ValueError("need at least two layers")
    return float(np.exp(np.log(g[-1] / g[0]) / (g.size - 1)))


@dataclass
class TrainHistory:
    """Per-step record of :func:`train`.

    Attributes
    ----------
    loss : numpy.ndarray
        Loss before each step, shape ``(steps + 1,)`` (the last entry is after training).
    accuracy : numpy.ndarray
        Training accuracy before each step, same shape.
    grad_b : numpy.ndarray
        Norm of each hidden layer's bias gradient before each step, ``(steps, depth)``.
    grad_w : numpy.ndarray
        Same for the weight gradients.
    """

    loss: FloatArray
    accuracy: FloatArray
    grad_b: FloatArray
    grad_w: FloatArray


def train(net: MLP, X: ArrayLike, y: ArrayLike, lr: float, steps: int) -> TrainHistory:
    r"""Train ``net`` in place by full-batch gradient descent, recording every layer's gradient.

    Parameters
    ----------
    net : MLP
        The network; its parameters are updated.
    X, y : array_like
        Training inputs and labels.
    lr : float
        Learning rate :math:`\eta` of :math:`\theta \leftarrow \theta - \eta\nabla L`.
    steps : int
        Number of updates.

    Returns
    -------
    TrainHistory
        Loss, accuracy and per-layer gradient norms.
    """
    y = as_float_array(y)
    loss = np.empty(steps + 1)
    acc = np.empty(steps + 1)
    grad_b = np.empty((steps, net.depth))
    grad_w = np.empty((steps, net.depth))
    for step in range(steps + 1):
        value, gw, gb, trace = net.loss_and_grads(X, y)
        loss[step] = value
        acc[step] = float(np.mean((trace.logits > 0) == (y > 0.5)))
        if step == steps:
            break
        grad_w[step] = [np.linalg.norm(g) for g in gw[:-1]]
        grad_b[step] = [np.linalg.norm(g) for g in gb[:-1]]
        for param, g in zip(net.weights + net.biases, gw + gb, strict=True):
            param -= lr * g
    return TrainHistory(loss, acc, grad_b, grad_w)


def signal_propagation(
    activation: Activation,
    derivative: Activation,
    weight_gain: float,
    depth: int = 30,
    width: int = 256,
    n: int = 128,
    seed: int = 0,
) -> dict[str, FloatArray]:
    r"""Send a batch forward and a random gradient backward through a deep stack of square layers.

    Every layer computes :math:`z_\ell = W_\ell a_{\ell-1}`, :math:`a_\ell =
    \varphi(z_\ell)` with :math:`W_\ell` drawn by
    :func:`actgrad.initializers.lecun_normal` times ``weight_gain`` (variance
    :math:`g^2/n`) and no biases; the input is standard normal. The backward
    pass starts from a standard normal :math:`\partial L/\partial a_L` and
    applies :math:`g_{\ell-1} = W_\ell^\top (\varphi'(z_\ell) \odot g_\ell)`.

    Parameters
    ----------
    activation, derivative : callable
        :math:`\varphi` and :math:`\varphi'`.
    weight_gain : float
        The gain :math:`g`, e.g. :func:`actgrad.initializers.gain` of an activation.
    depth : int, default 30
        Number of layers.
    width : int, default 256
        Units per layer (and input width).
    n : int, default 128
        Batch size.
    seed : int, default 0
        Seed of the generator (weights, inputs and the starting gradient).

    Returns
    -------
    dict of str to numpy.ndarray
        Per layer, first to last (shape ``(depth,)`` each): ``q`` (mean square
        of the pre-activations :math:`z_\ell`), ``mean`` (mean of the
        activations), ``grad`` (mean square of :math:`\partial L/\partial
        a_{\ell-1}`, the gradient arriving at layer :math:`\ell`'s input).
    """
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(n, width))
    weights = [weight_gain * lecun_normal(width, width, rng) for _ in range(depth)]
    q, mean, zs = [], [], []
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        for W in weights:
            z = a @ W
            a = as_float_array(activation(z))
            zs.append(z)
            q.append(float(np.mean(z**2)))
            mean.append(float(np.mean(a)))
        g = rng.normal(size=(n, width))
        grads = [0.0] * depth
        for layer in range(depth - 1, -1, -1):
            g = (g * as_float_array(derivative(zs[layer]))) @ weights[layer].T
            grads[layer] = float(np.mean(g**2))
    return {"q": np.array(q), "mean": np.array(mean), "grad": np.array(grads)}


# --------------------------------------------------------------------------
# Products of Jacobians
# --------------------------------------------------------------------------


def jacobian_chain(net: MLP, x: ArrayLike) -> dict[str, FloatArray]:
    r"""Follow the Jacobian :math:`\partial a_\ell / \partial x` of one input through the hidden layers.

    Layer :math:`\ell` contributes :math:`J_\ell = \operatorname{diag}(\varphi'(z_\ell))\, W_\ell`
    and the chain is :math:`J_\ell J_{\ell-1} \cdots J_1`.

    Parameters
    ----------
    net : MLP
        The network (its output layer is ignored).
    x : array_like
        One input, shape ``(d_in,)``.

    Returns
    -------
    dict of str to numpy.ndarray
        Per hidden layer ``l`` (shape ``(depth,)`` each): ``product`` (spectral
        norm of the chain up to layer ``l``), ``weight_norm`` (spectral norm
        of :math:`W_\ell`), ``slope_max`` (largest :math:`\varphi'(z_\ell)`),
        ``slope_mean`` (mean :math:`\varphi'(z_\ell)`) and ``bound`` (the
        running product of :math:`\max\varphi' \cdot \lVert W_\ell\rVert_2`, which
        the chain's norm can never exceed).
    """
    trace = net.forward(as_float_array(x)[None, :])
    chain = np.eye(net.weights[0].shape[1])
    out: dict[str, list[float]] = {k: [] for k in ("product", "weight_norm", "slope_max", "slope_mean")}
    for layer in range(net.depth):
        slopes = as_float_array(net._dphi(trace.preactivations[layer][0]))
        W = net.weights[layer]
        chain = (slopes[:, None] * W) @ chain
        out["product"].append(float(np.linalg.norm(chain, 2)))
        out["weight_norm"].append(float(np.linalg.norm(W, 2)))
        out["slope_max"].append(float(slopes.max()))
        out["slope_mean"].append(float(slopes.mean()))
    result = {k: np.array(v) for k, v in out.items()}
    result["bound"] = np.cumprod(result["slope_max"] * result["weight_norm"])
    return result


def scale_to_spectral_radius(W: ArrayLike, radius: float) -> FloatArray:
    """Return ``W`` rescaled so that its largest eigenvalue magnitude is ``radius``.

    Parameters
    ----------
    W : array_like
        Square matrix.
    radius : float
        Wanted spectral radius.

    Returns
    -------
    numpy.ndarray
        The rescaled matrix.

    Examples
    --------
    >>> W = scale_to_spectral_radius([[2.0, 1.0], [0.0, -4.0]], 0.5)
    >>> round(float(np.max(np.abs(np.linalg.eigvals(W)))), 12)
    0.5
    """
    W = as_float_array(W)
    return W * (radius / float(np.max(np.abs(np.linalg.eigvals(W)))))


def recurrence_norms(W: ArrayLike, h0: ArrayLike, steps: int) -> dict[str, FloatArray]:
    r"""Iterate :math:`h_t = W h_{t-1}` and measure how lengths change.

    Parameters
    ----------
    W : array_like
        Square matrix.
    h0 : array_like
        Start vector.
    steps : int
        Number of steps.

    Returns
    -------
    dict of str to numpy.ndarray
        ``h`` (:math:`\lVert h_t\rVert / \lVert h_0\rVert`), ``power`` (spectral
        norm of :math:`W^t`, the largest growth any start vector can see, which
        is also the norm of the backward product :math:`(W^\top)^t`), each of
        shape ``(steps + 1,)``; ``radius`` and ``sigma_max`` (0-d: spectral
        radius and largest singular value of ``W``).
    """
    W, h = as_float_array(W), as_float_array(h0)
    h_norms, powers = [1.0], [1.0]
    start = float(np.linalg.norm(h))
    power = np.eye(W.shape[0])
    for _ in range(steps):
        h = W @ h
        power = W @ power
        h_norms.append(float(np.linalg.norm(h)) / start)
        powers.append(float(np.linalg.norm(power, 2)))
    return {
        "h": np.array(h_norms),
        "power": np.array(powers),
        "radius": np.array(float(np.max(np.abs(np.linalg.eigvals(W))))),
        "sigma_max": np.array(float(np.linalg.norm(W, 2))),
    }
