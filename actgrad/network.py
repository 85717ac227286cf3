r"""The one small network every experiment trains: dense layers, an MLP, losses and a training loop.

Samples are rows and a dense layer computes :math:`z = xW + b` with ``W`` of
shape ``(fan_in, fan_out)``, the layout of :mod:`actgrad.initializers`.
Hidden layers share one activation (a key of :data:`ACTIVATIONS`,
``"prelu"`` with one slope per unit or per layer, or ``"maxout"``, the
maximum over groups of ``pieces`` pre-activations); they may normalise their
pre-activations (batch norm) and add their input to their output (residual).
The output layer is linear and :data:`LOSSES` turns its output into a loss.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    log_softmax,
    maxout,
    maxout_grad,
    prelu,
    prelu_grad,
    prelu_grad_alpha,
    relu,
    relu_grad,
    selu,
    selu_grad,
    sigmoid,
    sigmoid_grad,
    silu,
    silu_grad,
    softmax,
    tanh,
    tanh_grad,
)
from actgrad.clipping import clip_by_global_norm
from actgrad.gradcheck import numerical_derivative, relative_error
from actgrad.initializers import glorot_normal, he_normal, lecun_normal

__all__ = [
    "ACTIVATIONS",
    "INIT_SCHEMES",
    "LOSSES",
    "MLP",
    "Step",
    "Trace",
    "accuracy",
    "batchnorm_backward",
    "batchnorm_forward",
    "binary_cross_entropy",
    "check_gradients",
    "dense_backward",
    "dense_forward",
    "draw_weights",
    "gradient_check",
    "identity",
    "identity_grad",
    "make_mlp",
    "mean_squared_error",
    "softmax_cross_entropy",
    "train",
]

Activation = Callable[[ArrayLike], FloatArray]

#: Negative slope of the ``"leaky_relu"`` entry of :data:`ACTIVATIONS`.
LEAKY_SLOPE = 0.01


def identity(z: ArrayLike) -> FloatArray:
    """Return a float64 copy of ``z`` (the output layer's activation)."""
    return np.array(z, dtype=np.float64)


def identity_grad(z: ArrayLike) -> FloatArray:
    """Return ones of the shape of ``z``."""
    return np.ones(np.shape(z))


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

#: Weight schemes of :func:`draw_weights`, with the distribution each draws from.
INIT_SCHEMES: dict[str, str] = {
    "glorot": "N(0, 2/(n_in + n_out)), Glorot & Bengio (2010)",
    "he": "N(0, 2/n_in), He et al. (2015)",
    "lecun": "N(0, 1/n_in), LeCun et al. (1998)",
    "uniform": "U(-1/sqrt(n_in), 1/sqrt(n_in)), the heuristic Glorot & Bengio started from",
    "normal": "N(0, 1), no scaling with the width",
}


def activation_pair(name: str) -> tuple[Activation, Activation]:
    """Return the activation called ``name`` and its derivative (ValueError if unknown)."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}") from None


def draw_weights(scheme: str, fan_in: int, fan_out: int, rng: np.random.Generator) -> FloatArray:
    """Draw a ``(fan_in, fan_out)`` weight matrix with a scheme of :data:`INIT_SCHEMES`."""
    if scheme == "glorot":
        return glorot_normal(fan_in, fan_out, rng)
    if scheme == "he":
        return he_normal(fan_in, fan_out, rng)
    if scheme == "lecun":
        return lecun_normal(fan_in, fan_out, rng)
    if scheme == "uniform":
        bound = 1.0 / np.sqrt(fan_in)
        return rng.uniform(-bound, bound, size=(fan_in, fan_out))
    if scheme == "normal":
        return rng.normal(0.0, 1.0, size=(fan_in, fan_out))
    raise ValueError(f"unknown initialisation {scheme!r}; expected one of {sorted(INIT_SCHEMES)}")


# --------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------


def dense_forward(
    x: ArrayLike, W: ArrayLike, b: ArrayLike, activation: Activation
) -> tuple[FloatArray, FloatArray]:
    r"""Dense layer on a batch: returns :math:`a = \varphi(z)` and :math:`z = xW + b`."""
    z = np.asarray(x, dtype=np.float64) @ np.asarray(W, dtype=np.float64) + np.asarray(b, dtype=np.float64)
    return np.asarray(activation(z), dtype=np.float64), z


def dense_backward(
    grad_a: ArrayLike, x: ArrayLike, W: ArrayLike, z: ArrayLike, derivative: Activation
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""From :math:`\partial L/\partial a` to ``(grad_x, grad_W, grad_b)`` of a dense layer.

    The derivative is taken at the pre-activation ``z`` that
    :func:`dense_forward` returned.
    """
    grad_a, W, x = (np.asarray(v, dtype=np.float64) for v in (grad_a, W, x))
    # phi'(z), at the pre-activation, multiplies the incoming gradient:
    grad_z = grad_a * np.asarray(derivative(z), dtype=np.float64)
    grad_W = x.T @ grad_z  # x^T (dL/dz), summed over the batch
    grad_b = grad_z.sum(axis=0)  # dL/dz, summed over the batch
    grad_x = grad_z @ W.T  # (dL/dz) W^T, one row per sample
    return grad_x, grad_W, grad_b


@dataclass
class BatchNormCache:
    """What :func:`batchnorm_backward` needs from the forward pass."""

    x_hat: FloatArray
    inv_std: FloatArray
    gamma: FloatArray


def batchnorm_forward(
    x: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float = 1e-5
) -> tuple[FloatArray, BatchNormCache]:
    r"""Batch normalisation with batch statistics, column by column: :math:`\gamma \hat x + \beta`.

    >>> y, _ = batchnorm_forward([[1.0], [3.0]], [1.0], [0.0], eps=0.0)
    >>> y.ravel().tolist()
    [-1.0, 1.0]
    """
    x, gamma, beta = as_float_array(x), as_float_array(gamma), as_float_array(beta)
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = (x - mu) * inv_std
    return gamma * x_hat + beta, BatchNormCache(x_hat, inv_std, gamma)


def batchnorm_backward(grad_y: ArrayLike, cache: BatchNormCache) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Backward pass of :func:`batchnorm_forward`: ``(grad_x, grad_gamma, grad_beta)``.

    With :math:`g = \gamma\, \partial L/\partial y`, every :math:`\hat x_i`
    depends on the whole batch through its mean and variance, and

    .. math::

        \frac{\partial L}{\partial x_i} = \frac{1}{n\sqrt{\sigma_B^2+\epsilon}}
        \Bigl(n g_i - \sum_j g_j - \hat x_i \sum_j g_j \hat x_j\Bigr).
    """
    grad_y = as_float_array(grad_y)
    n = grad_y.shape[0]
    x_hat = cache.x_hat
    grad_gamma = np.sum(grad_y * x_hat, axis=0)
    grad_beta = np.sum(grad_y, axis=0)
    g = grad_y * cache.gamma
    grad_x = cache.inv_std / n * (n * g - g.sum(axis=0) - x_hat * np.sum(g * x_hat, axis=0))
    return grad_x, grad_gamma, grad_beta


# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------


def binary_cross_entropy(logits: ArrayLike, y: ArrayLike) -> float:
    r"""Mean binary cross-entropy of labels ``y`` given logits :math:`s`: :math:`\log(1 + e^s) - ys`.

    >>> round(binary_cross_entropy([0.0, 0.0], [0.0, 1.0]), 6)
    0.693147
    """
    s, y = as_float_array(logits), as_float_array(y)
    return float(np.mean(np.logaddexp(0.0, s) - y * s))


def _bce_grad(out: FloatArray, y: FloatArray) -> FloatArray:
    return ((sigmoid(out[:, 0]) - y) / y.shape[0])[:, None]


def softmax_cross_entropy(logits: ArrayLike, labels: ArrayLike) -> float:
    """Mean cross-entropy of integer class ``labels`` given ``(n, classes)`` logits."""
    labels = np.asarray(labels, dtype=np.intp)
    return float(-np.mean(log_softmax(logits, axis=-1)[np.arange(labels.size), labels]))


def _softmax_grad(out: FloatArray, labels: FloatArray) -> FloatArray:
    grad = as_float_array(softmax(out, axis=-1))
    grad[np.arange(out.shape[0]), np.asarray(labels, dtype=np.intp)] -= 1.0
    return grad / out.shape[0]


def mean_squared_error(out: ArrayLike, y: ArrayLike) -> float:
    r"""Half the mean over samples of :math:`\lVert \hat y - y \rVert^2`."""
    out, y = as_float_array(out), as_float_array(y)
    return float(0.5 * np.sum((out - y) ** 2) / out.shape[0])


def _mse_grad(out: FloatArray, y: FloatArray) -> FloatArray:
    return (out - y) / out.shape[0]


#: Loss name -> (loss of the output layer's ``(n, d_out)`` output, its gradient).
#: ``"bce"`` takes one logit and labels in {0, 1}, ``"softmax"`` one logit per
#: class and integer labels, ``"mse"`` targets of the output's shape.
Loss = Callable[[FloatArray, FloatArray], float]
LossGrad = Callable[[FloatArray, FloatArray], FloatArray]

LOSSES: dict[str, tuple[Loss, LossGrad]] = {
    "bce": (lambda out, y: binary_cross_entropy(out[:, 0], y), _bce_grad),
    "softmax": (softmax_cross_entropy, _softmax_grad),
    "mse": (mean_squared_error, _mse_grad),
}


# --------------------------------------------------------------------------
# The network
# --------------------------------------------------------------------------


@dataclass
class Trace:
    """What a forward pass keeps for the backward pass.

    ``inputs[l]`` is the input of layer ``l`` (``inputs[0]`` the batch, then
    every hidden layer's output); ``preactivations`` the :math:`xW + b` of
    every layer, output layer last; ``normalised`` what each hidden
    activation was applied to (the pre-activation, or its batch norm).
    """

    inputs: list[FloatArray]
    preactivations: list[FloatArray]
    normalised: list[FloatArray]
    output: FloatArray
    caches: list[BatchNormCache | None] = field(default_factory=list)

    @property
    def hidden(self) -> list[FloatArray]:
        """Outputs of the hidden layers, first to last."""
        return self.inputs[1:]

    @property
    def logits(self) -> FloatArray:
        """The output of a one-logit network, shape ``(n,)``."""
        return self.output[:, 0]


@dataclass
class MLP:
    r"""A multilayer perceptron: hidden layers :math:`h = \varphi(xW + b)`, a linear output, a loss.

    ``weights[l]`` is ``(fan_in, fan_out)``; the last layer is the output.
    ``activation`` is a key of :data:`ACTIVATIONS` or a pair (function, derivative).
    With ``batchnorm`` the hidden layers normalise :math:`xW` (``gammas``,
    ``betas``) and have no bias; with ``residual`` every hidden layer after the
    first adds its input to its output. ``activation="prelu"`` needs
    ``slopes``, one array per hidden layer (one entry per unit, or one for the
    layer), trained with the rest when ``learn_slopes``. ``activation="maxout"``
    makes every hidden unit the maximum of ``pieces`` consecutive
    pre-activations (Goodfellow et al., 2013): a hidden layer of ``m`` units has
    ``pieces * m`` columns of weights and the next layer takes ``m`` inputs.
    """

    weights: list[FloatArray]
    biases: list[FloatArray]
    activation: str | tuple[Activation, Activation] = "tanh"
    loss_name: str = "bce"
    batchnorm: bool = False
    residual: bool = False
    gammas: list[FloatArray] = field(default_factory=list)
    betas: list[FloatArray] = field(default_factory=list)
    slopes: list[FloatArray] = field(default_factory=list)
    learn_slopes: bool = True
    pieces: int = 1

    def __post_init__(self) -> None:
        if self.pieces < 1 or (self.pieces > 1) != (self.activation == "maxout"):
            raise ValueError(f"pieces={self.pieces}: more than one piece exactly when activation='maxout'")
        if len(self.weights) != len(self.biases) or len(self.weights) < 2:
            raise ValueError("an MLP needs matching weights and biases for at least one hidden layer")
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(f"layer {i}: weights {W.shape} and biases {b.shape} do not match")
            if i < self.depth and W.shape[1] % self.pieces:
                raise ValueError(f"layer {i}: {W.shape[1]} columns are not groups of {self.pieces} pieces")
            if i > 0 and W.shape[0] != self.weights[i - 1].shape[1] // self.pieces:
                raise ValueError(
                    f"layer {i} takes {W.shape[0]} inputs, layer {i - 1} gives"
                    f" {self.weights[i - 1].shape[1] // self.pieces}"
                )
        if self.activation == "prelu":
            if len(self.slopes) != self.depth:
                raise ValueError("a PReLU network needs one slope array per hidden layer")
        elif isinstance(self.activation, str) and self.activation != "maxout":
            activation_pair(self.activation)
        if self.loss_name not in LOSSES:
            raise ValueError(f"unknown loss {self.loss_name!r}; expected one of {sorted(LOSSES)}")
        if self.batchnorm and not (len(self.gammas) == len(self.betas) == self.depth):
            raise ValueError("batch norm needs one gamma and one beta per hidden layer")

    @property
    def depth(self) -> int:
        """Number of hidden layers."""
        return len(self.weights) - 1

    def phi(self, layer: int, v: FloatArray) -> FloatArray:
        """Return hidden layer ``layer``'s activation applied to ``v``."""
        if self.activation == "prelu":
            return as_float_array(prelu(v, self.slopes[layer]))
        if self.activation == "maxout":
            return maxout(v, self.pieces)
        return as_float_array(self._pair[0](v))

    def dphi(self, layer: int, v: FloatArray) -> FloatArray:
        """Return the derivative of hidden layer ``layer``'s activation at ``v`` (maxout: its 0/1 mask)."""
        if self.activation == "prelu":
            return as_float_array(prelu_grad(v, self.slopes[layer]))
        if self.activation == "maxout":
            return maxout_grad(v, self.pieces)
        return as_float_array(self._pair[1](v))

    @property
    def _pair(self) -> tuple[Activation, Activation]:
        return activation_pair(self.activation) if isinstance(self.activation, str) else self.activation

    def _has_bias(self, layer: int) -> bool:
        return not (self.batchnorm and layer < self.depth)

    def named_params(self) -> dict[str, FloatArray]:
        """Return the trained arrays (not copies) by name: ``W1``, ``b1``, ``gamma1``, ``beta1``, ``a1``..."""
        params: dict[str, FloatArray] = {}
        for layer in range(self.depth + 1):
            params[f"W{layer + 1}"] = self.weights[layer]
            if self._has_bias(layer):
                params[f"b{layer + 1}"] = self.biases[layer]
            if layer < self.depth and self.batchnorm:
                params[f"gamma{layer + 1}"] = self.gammas[layer]
                params[f"beta{layer + 1}"] = self.betas[layer]
            if layer < self.depth and self.activation == "prelu" and self.learn_slopes:
                params[f"a{layer + 1}"] = self.slopes[layer]
        return params

    @property
    def params(self) -> list[FloatArray]:
        """The trained arrays, in the order of :meth:`named_params`; gradients come in this order."""
        return list(self.named_params().values())

    def by_name(self, grads: Sequence[FloatArray]) -> dict[str, FloatArray]:
        """Gradients in the order of :attr:`params`, keyed by the names of :meth:`named_params`."""
        return dict(zip(self.named_params(), grads, strict=True))

    def copy(self) -> MLP:
        """Return a copy with its own arrays."""

        def dup(arrays: list[FloatArray]) -> list[FloatArray]:
            return [a.copy() for a in arrays]

        return MLP(
            dup(self.weights), dup(self.biases), self.activation, self.loss_name, self.batchnorm,
            self.residual, dup(self.gammas), dup(self.betas), dup(self.slopes), self.learn_slopes,
            self.pieces,
        )

    def with_params(self, params: Mapping[str, FloatArray]) -> MLP:
        """Return a copy whose arrays are replaced by those in ``params`` (names of :meth:`named_params`)."""
        net = self.copy()
        for name, value in params.items():
            kind = name.rstrip("0123456789")
            lists = {"W": net.weights, "b": net.biases, "gamma": net.gammas, "beta": net.betas}
            lists.get(kind, net.slopes)[int(name[len(kind) :]) - 1] = as_float_array(value)
        return net

    def forward(self, X: ArrayLike) -> Trace:
        """Run the network on a batch ``(n, d_in)`` and keep what the backward pass needs."""
        h = as_float_array(X)
        inputs, pre, normalised, caches = [h], [], [], []
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for layer in range(self.depth):
                z = h @ self.weights[layer]
                if self._has_bias(layer):
                    z = z + self.biases[layer]
                cache = None
                v = z
                if self.batchnorm:
                    v, cache = batchnorm_forward(z, self.gammas[layer], self.betas[layer])
                f = self.phi(layer, v)
                h = h + f if self.residual and layer > 0 else f
                pre.append(z)
                normalised.append(v)
                caches.append(cache)
                inputs.append(h)
            out, z = dense_forward(h, self.weights[-1], self.biases[-1], identity)
        pre.append(z)
        return Trace(inputs, pre, normalised, out, caches)

    def loss(self, X: ArrayLike, y: ArrayLike) -> float:
        """Return the loss on ``(X, y)`` (forward pass only)."""
        return LOSSES[self.loss_name][0](self.forward(X).output, as_float_array(y))

    def loss_and_grads(self, X: ArrayLike, y: ArrayLike) -> tuple[float, list[FloatArray], Trace]:
        """Forward pass, loss and backward pass; the gradients follow :attr:`params`."""
        trace = self.forward(X)
        y = as_float_array(y)
        loss_fn, loss_grad = LOSSES[self.loss_name]
        loss = loss_fn(trace.output, y)
        grads: dict[str, FloatArray] = {}
        last = self.depth
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            grad_h, grads[f"W{last + 1}"], grads[f"b{last + 1}"] = dense_backward(
                loss_grad(trace.output, y), trace.inputs[last], self.weights[last],
                trace.preactivations[last], identity_grad,
            )
            for layer in range(last - 1, -1, -1):
                v = trace.normalised[layer]
                if self.activation == "prelu":
                    g_slope = grad_h * prelu_grad_alpha(v, self.slopes[layer])
                    shared = self.slopes[layer].shape == (1,)  # one slope for the layer, or one per unit
                    grads[f"a{layer + 1}"] = np.array([g_slope.sum()]) if shared else g_slope.sum(axis=0)
                # a maxout unit's gradient goes to each of its pieces; the mask picks the active one
                grad_f = np.repeat(grad_h, self.pieces, axis=1) if self.pieces > 1 else grad_h
                grad_v = grad_f * self.dphi(layer, v)
                cache = trace.caches[layer]
                if cache is not None:
                    grad_v, grads[f"gamma{layer + 1}"], grads[f"beta{layer + 1}"] = batchnorm_backward(
                        grad_v, cache
                    )
                grad_in, grads[f"W{layer + 1}"], grads[f"b{layer + 1}"] = dense_backward(
                    grad_v, trace.inputs[layer], self.weights[layer], trace.preactivations[layer],
                    identity_grad,
                )
                # the skip path passes the gradient through unchanged:
                grad_h = grad_in + grad_h if self.residual and layer > 0 else grad_in
        return loss, [grads[name] for name in self.named_params()], trace


def make_mlp(
    depth: int,
    width: int | Sequence[int],
    d_in: int,
    activation: str,
    init: str = "glorot",
    scale: float = 1.0,
    *,
    d_out: int = 1,
    loss: str = "bce",
    bias_std: float = 0.0,
    hidden_bias: float = 0.0,
    output_init: str | None = None,
    output_scale: float | None = None,
    batchnorm: bool = False,
    residual: bool = False,
    slope: float | None = None,
    shared_slope: bool = False,
    learn_slopes: bool = True,
    pieces: int = 1,
    seed: int | np.random.Generator = 0,
) -> MLP:
    """Draw an :class:`MLP` of ``depth`` hidden layers of ``width`` units (or widths), layer by layer.

    Every layer draws its weights with ``init`` (the output layer with
    ``output_init`` if given), times ``scale`` (``output_scale`` for the
    output), then, if ``bias_std > 0``, Gaussian biases; otherwise hidden
    biases are ``hidden_bias`` and the output bias 0. ``slope`` makes the
    hidden units PReLUs. With ``activation="maxout"`` every hidden unit has
    ``pieces`` columns of weights and biases, each drawn as if the layer had
    ``pieces * width`` units. ``seed`` may be a generator, which is then used on.

    >>> [w.shape for w in make_mlp(3, 8, 2, "relu", "he", seed=1).weights]
    [(2, 8), (8, 8), (8, 8), (8, 1)]
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, got {depth}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    widths = [width] * depth if isinstance(width, int) else [int(w) for w in width]
    if len(widths) != depth:
        raise ValueError(f"{len(widths)} hidden widths for {depth} hidden layers")
    sizes = [d_in, *widths, d_out]
    weights, biases = [], []
    for layer, (fan_in, units) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        output = layer == depth
        fan_out = units if output else units * pieces
        scheme = output_init if output and output_init is not None else init
        factor = output_scale if output and output_scale is not None else scale
        W = draw_weights(scheme, fan_in, fan_out, rng)
        weights.append(W * factor if factor != 1.0 else W)
        if bias_std > 0:
            biases.append(rng.normal(0.0, bias_std, size=fan_out))
        else:
            biases.append(np.full(fan_out, 0.0 if output else float(hidden_bias)))
    slopes = []
    if slope is not None:
        slopes = [np.full(1 if shared_slope else w, float(slope)) for w in widths]
    return MLP(
        weights, biases, "prelu" if slope is not None else activation, loss, batchnorm, residual,
        [np.ones(w * pieces) for w in widths] if batchnorm else [],
        [np.zeros(w * pieces) for w in widths] if batchnorm else [],
        slopes, learn_slopes, pieces,
    )


def accuracy(net: MLP, X: ArrayLike, y: ArrayLike) -> float:
    """Return the share of ``X`` classified as ``y`` (logit > 0, or the largest of several outputs)."""
    out = net.forward(X).output
    if net.loss_name == "softmax":
        return float(np.mean(np.argmax(out, axis=1) == np.asarray(y)))
    return float(np.mean((out[:, 0] > 0) == (np.asarray(y) > 0.5)))


# --------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------


@dataclass
class Step:
    """What the training loop hands to every hook.

    ``step`` updates have been made; ``loss``, ``grads`` and ``trace`` belong
    to the batch ``X``, ``y`` the next update uses (the whole training set
    without ``batch_size``). A hook may replace ``grads`` (a penalty, a
    different clipping); later hooks and the update see the new list.
    """

    step: int
    net: MLP
    X: FloatArray
    y: FloatArray
    loss: float
    grads: list[FloatArray]
    trace: Trace

    @property
    def named_grads(self) -> dict[str, FloatArray]:
        """``grads`` by parameter name (``W1``, ``b1``, ...)."""
        return self.net.by_name(self.grads)


Hook = Callable[[Step], None]


def _batches(n: int, batch_size: int | None, rng: np.random.Generator | None) -> Iterable[np.ndarray | None]:
    """Index arrays of the mini-batches, epoch after epoch (``None`` forever for full batches)."""
    while True:
        if batch_size is None:
            yield None
            continue
        if rng is None:
            raise ValueError("mini-batches need an rng for their order")
        order = rng.permutation(n)
        for start in range(0, n, batch_size):
            yield order[start : start + batch_size]


def train(
    net: MLP,
    X: ArrayLike,
    y: ArrayLike,
    *,
    lr: float,
    steps: int,
    optimizer: str = "sgd",
    batch_size: int | None = None,
    rng: np.random.Generator | None = None,
    clip_norm: float | None = None,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    hooks: Sequence[Hook] = (),
) -> int | None:
    r"""Train ``net`` in place for ``steps`` updates; return the step at which it diverged, or None.

    Every step computes the loss and gradient on a batch (all of ``X``, or
    ``batch_size`` rows in an order ``rng`` draws anew every epoch), stops if
    the loss or the gradient is not finite, calls the ``hooks``, clips the
    gradient to the global norm ``clip_norm`` and updates: SGD
    :math:`\theta \leftarrow \theta - \eta g`, or Adam (Kingma & Ba, 2015).
    The hooks are called once more after the last update, so a hook that
    records every step sees ``steps + 1`` states.
    """
    X, y = as_float_array(X), as_float_array(y)
    if optimizer not in ("sgd", "adam"):
        raise ValueError(f"optimizer must be 'sgd' or 'adam', got {optimizer!r}")
    params = net.params
    m = [np.zeros_like(p) for p in params] if optimizer == "adam" else []
    v = [np.zeros_like(p) for p in params] if optimizer == "adam" else []
    b1, b2 = betas
    batches = iter(_batches(len(X), batch_size, rng))
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            index = next(batches)
            xb, yb = (X, y) if index is None else (X[index], y[index])
            loss, grads, trace = net.loss_and_grads(xb, yb)
            if not (math.isfinite(loss) and all(np.isfinite(g).all() for g in grads)):
                return step
            state = Step(step, net, xb, yb, loss, grads, trace)
            for hook in hooks:
                hook(state)
            if step == steps:
                return None
            grads = state.grads
            if clip_norm is not None:
                grads = clip_by_global_norm(grads, clip_norm)
            if optimizer == "sgd":
                for p, g in zip(params, grads, strict=True):
                    p -= lr * g
                continue
            t = step + 1
            for p, g, m_k, v_k in zip(params, grads, m, v, strict=True):
                m_k *= b1
                m_k += (1 - b1) * g
                v_k *= b2
                v_k += (1 - b2) * g * g
                p -= lr * (m_k / (1 - b1**t)) / (np.sqrt(v_k / (1 - b2**t)) + eps)
    return None


# --------------------------------------------------------------------------
# Gradient checks
# --------------------------------------------------------------------------


def gradient_check(
    loss_fn: Callable[[dict[str, FloatArray]], float],
    params: Mapping[str, ArrayLike],
    grads: Mapping[str, ArrayLike],
    h: float = 1e-5,
) -> dict[str, float]:
    r"""Largest relative error, per parameter array, between ``grads`` and central differences of ``loss_fn``.

    Every entry is moved by :math:`\pm h` on its own
    (:func:`actgrad.gradcheck.numerical_derivative`) and compared by
    :func:`actgrad.gradcheck.relative_error`.

    >>> loss = lambda p: float(np.sum(p["w"] ** 3))
    >>> w = np.array([1.0, -2.0])
    >>> gradient_check(loss, {"w": w}, {"w": 3 * w**2})["w"] < 1e-9
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


def check_gradients(net: MLP, X: ArrayLike, y: ArrayLike, h: float = 1e-5) -> dict[str, float]:
    """:func:`gradient_check` of ``net``'s backward pass on ``(X, y)``, by parameter name."""
    _, grads, _ = net.loss_and_grads(X, y)
    names = list(net.named_params())
    return gradient_check(
        lambda p: net.with_params(p).loss(X, y), net.named_params(), dict(zip(names, grads, strict=True)), h=h
    )
