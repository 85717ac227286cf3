r"""Experiments of the chapter *Exploding gradients and their cures*.

Plain NumPy, reproducible from fixed seeds:

* :func:`clip_by_value` (entrywise) next to
  :func:`actgrad.clipping.clip_by_global_norm`, and :func:`train_mlp`, full-batch
  gradient descent on an :class:`actgrad.experiments.depth.MLP` with optional
  clipping and L1/L2 penalties, which stops cleanly when a run diverges;
* :func:`batchnorm_forward` and :func:`batchnorm_backward`, batch
  normalisation written out;
* :class:`DeepNet`, a deep network whose hidden layers can use batch
  normalisation and/or residual (skip) connections, with its backward pass,
  and :func:`gradient_profile`, the gradient norm of every layer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations import sigmoid
from actgrad.clipping import clip_by_global_norm, global_norm
from actgrad.experiments.depth import MLP, Activation, activation_pair, binary_cross_entropy
from actgrad.experiments.gradients import (
    dense_backward,
    dense_forward,
    gradient_check,
    identity,
    identity_grad,
)
from actgrad.initializers import glorot_normal, he_normal

__all__ = [
    "BatchNormCache",
    "DeepNet",
    "History",
    "batchnorm_backward",
    "batchnorm_forward",
    "check_deepnet_gradients",
    "clip_by_value",
    "gradient_profile",
    "make_deepnet",
    "train_deepnet",
    "train_mlp",
]


# --------------------------------------------------------------------------
# Clipping and regularised training
# --------------------------------------------------------------------------


def clip_by_value(grads: Sequence[ArrayLike], limit: float) -> list[FloatArray]:
    """Clip every entry of every gradient to ``[-limit, limit]``.

    Unlike :func:`actgrad.clipping.clip_by_global_norm` this changes the
    direction of the gradient whenever some entries are clipped and others are
    not.

    Parameters
    ----------
    grads : sequence of array_like
        Gradients of any shapes; not modified.
    limit : float
        Largest magnitude allowed, positive.

    Returns
    -------
    list of numpy.ndarray
        New float64 arrays.

    Raises
    ------
    ValueError
        If ``limit`` is not positive.

    Examples
    --------
    >>> [g.tolist() for g in clip_by_value([[0.5, -3.0]], 1.0)]
    [[0.5, -1.0]]
    """
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit!r}")
    return [np.clip(as_float_array(g), -limit, limit) for g in grads]


@dataclass
class History:
    """Per-step record of :func:`train_mlp`; entries after a divergence are NaN.

    Attributes
    ----------
    loss : numpy.ndarray
        Data loss (binary cross-entropy, without the penalty) before each step,
        ``(steps + 1,)``.
    accuracy : numpy.ndarray
        Training accuracy before each step, ``(steps + 1,)``.
    grad_norm : numpy.ndarray
        Global norm of the gradient before clipping, ``(steps,)``.
    weight_norm : numpy.ndarray
        Global norm of all weight matrices before each step, ``(steps + 1,)``.
    diverged_at : int or None
        First step at which the loss or the gradient was not finite.
    """

    loss: FloatArray
    accuracy: FloatArray
    grad_norm: FloatArray
    weight_norm: FloatArray
    diverged_at: int | None


def train_mlp(
    net: MLP,
    X: ArrayLike,
    y: ArrayLike,
    lr: float,
    steps: int,
    *,
    clip_norm: float | None = None,
    clip_value: float | None = None,
    l1: float = 0.0,
    l2: float = 0.0,
) -> History:
    r"""Train ``net`` in place by full-batch gradient descent, with optional clipping and penalties.

    The objective is :math:`L + \lambda_1 \sum |W| + \tfrac{\lambda_2}{2} \sum W^2`
    over the weight matrices (not the biases); its gradient is clipped, if
    asked, after the penalties are added. A run whose loss or gradient stops
    being finite ends there and its history is padded with NaN.

    Parameters
    ----------
    net : MLP
        The network; its parameters are updated.
    X, y : array_like
        Training inputs and labels.
    lr : float
        Learning rate.
    steps : int
        Number of updates.
    clip_norm : float, optional
        Clip the global norm of the gradient to this value.
    clip_value : float, optional
        Clip every entry of the gradient to ``[-clip_value, clip_value]``.
    l1, l2 : float, default 0
        Penalty weights :math:`\lambda_1, \lambda_2`.

    Returns
    -------
    History
        Loss, accuracy, gradient norm and weight norm per step.
    """
    y = as_float_array(y)
    nan = np.full(steps + 1, np.nan)
    loss, acc, weight_norm, grad_norm = nan.copy(), nan.copy(), nan.copy(), np.full(steps, np.nan)
    diverged_at = None
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(steps + 1):
            value, gw, gb, trace = net.loss_and_grads(X, y)
            grads = [g + l1 * np.sign(w) + l2 * w for g, w in zip(gw, net.weights, strict=True)] + gb
            norm = global_norm(grads)
            if not (np.isfinite(value) and np.isfinite(norm)):
                diverged_at = step
                break
            loss[step] = value
            acc[step] = float(np.mean((trace.logits > 0) == (y > 0.5)))
            weight_norm[step] = global_norm(net.weights)
            if step == steps:
                break
            grad_norm[step] = norm
            if clip_norm is not None:
                grads = clip_by_global_norm(grads, clip_norm)
            if clip_value is not None:
                grads = clip_by_value(grads, clip_value)
            for param, g in zip(net.weights + net.biases, grads, strict=True):
                param -= lr * g
    return History(loss, acc, grad_norm, weight_norm, diverged_at)


# --------------------------------------------------------------------------
# Batch normalisation
# --------------------------------------------------------------------------


@dataclass
class BatchNormCache:
    r"""What :func:`batchnorm_backward` needs from the forward pass.

    Attributes
    ----------
    x_hat : numpy.ndarray
        Normalised inputs, ``(n, d)``.
    inv_std : numpy.ndarray
        :math:`1/\sqrt{\sigma_B^2 + \epsilon}` per feature, ``(d,)``.
    gamma : numpy.ndarray
        Scale used, ``(d,)``.
    """

    x_hat: FloatArray
    inv_std: FloatArray
    gamma: FloatArray


def batchnorm_forward(
    x: ArrayLike, gamma: ArrayLike, beta: ArrayLike, eps: float = 1e-5
) -> tuple[FloatArray, BatchNormCache]:
    r"""Batch normalisation in training mode (batch statistics).

    .. math::

        \mu_B = \frac1n \sum_i x_i, \quad
        \sigma_B^2 = \frac1n \sum_i (x_i - \mu_B)^2, \quad
        \hat x_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \quad
        y_i = \gamma \hat x_i + \beta ,

    feature by feature (columns).

    Parameters
    ----------
    x : array_like
        Batch, ``(n, d)``.
    gamma, beta : array_like
        Scale and shift, ``(d,)``.
    eps : float, default 1e-5
        Added to the variance.

    Returns
    -------
    y : numpy.ndarray
        Output, ``(n, d)``.
    cache : BatchNormCache
        For the backward pass.

    Examples
    --------
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


def batchnorm_backward(
    grad_y: ArrayLike, cache: BatchNormCache
) -> tuple[FloatArray, FloatArray, FloatArray]:
    r"""Backward pass of :func:`batchnorm_forward`.

    With :math:`g = \partial L/\partial \hat x = \gamma\, \partial L/\partial y`,
    every :math:`\hat x_i` depends on every :math:`x_j` through
    :math:`\mu_B` and :math:`\sigma_B`, and the chain rule collapses to

    .. math::

        \frac{\partial L}{\partial x_i} = \frac{1}{n\sqrt{\sigma_B^2+\epsilon}}
        \Bigl(n g_i - \sum_j g_j - \hat x_i \sum_j g_j \hat x_j\Bigr),

    with :math:`\partial L/\partial\gamma = \sum_i \partial L/\partial y_i\,\hat x_i`
    and :math:`\partial L/\partial\beta = \sum_i \partial L/\partial y_i`.

    Parameters
    ----------
    grad_y : array_like
        :math:`\partial L/\partial y`, ``(n, d)``.
    cache : BatchNormCache
        From the forward pass.

    Returns
    -------
    grad_x, grad_gamma, grad_beta : numpy.ndarray
        Shapes ``(n, d)``, ``(d,)``, ``(d,)``.
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
# A deep network with optional batch normalisation and skip connections
# --------------------------------------------------------------------------


@dataclass
class DeepNet:
    r"""A deep network of equal-width hidden layers, optionally with batch norm and skips.

    Hidden layer :math:`\ell` computes :math:`u_\ell = W_\ell h_{\ell-1} + b_\ell`,
    optionally :math:`u_\ell \leftarrow \operatorname{BN}(u_\ell)`, then
    :math:`f_\ell = \varphi(u_\ell)`, and

    * plain: :math:`h_\ell = f_\ell`;
    * residual (every layer after the first, whose input width differs):
      :math:`h_\ell = h_{\ell-1} + f_\ell`, so the layer's Jacobian is
      :math:`I + \partial f_\ell / \partial h_{\ell-1}`.

    A linear output unit gives one logit; the loss is the binary cross-entropy.

    Parameters
    ----------
    params : dict of str to numpy.ndarray
        ``W1``, ``b1`` (without batch norm) or ``gamma1``, ``beta1`` (with it),
        ..., and the output layer's ``W_out``, ``b_out``. Batch norm subtracts
        the batch mean, which would cancel any bias before it, so its layers
        have none; ``beta`` takes its place.
    depth : int
        Number of hidden layers.
    activation : str
        Hidden activation.
    batchnorm : bool
        Whether hidden layers normalise their pre-activations.
    residual : bool
        Whether hidden layers 2..depth add their input to their output.
    """

    params: dict[str, FloatArray]
    depth: int
    activation: str
    batchnorm: bool = False
    residual: bool = False
    _phi: Activation = field(init=False, repr=False)
    _dphi: Activation = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._phi, self._dphi = activation_pair(self.activation)

    def loss_and_grads(
        self, X: ArrayLike, y: ArrayLike, params: dict[str, FloatArray] | None = None
    ) -> tuple[float, dict[str, FloatArray]]:
        """Forward pass, loss and backward pass.

        Parameters
        ----------
        X, y : array_like
            Batch ``(n, d_in)`` and labels ``(n,)``.
        params : dict, optional
            Parameters to use instead of ``self.params``.

        Returns
        -------
        loss : float
            Mean binary cross-entropy.
        grads : dict of str to numpy.ndarray
            Same keys and shapes as the parameters.
        """
        p = self.params if params is None else params
        h = as_float_array(X)
        y = as_float_array(y)
        caches = []
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            for layer in range(1, self.depth + 1):
                bias = p.get(f"b{layer}", np.zeros(p[f"W{layer}"].shape[0]))
                _, u = dense_forward(h, p[f"W{layer}"], bias, identity)
                bn = None
                v = u
                if self.batchnorm:
                    v, bn = batchnorm_forward(u, p[f"gamma{layer}"], p[f"beta{layer}"])
                f = as_float_array(self._phi(v))
                skip = self.residual and layer > 1
                caches.append((h, u, v, bn, skip))
                h = h + f if skip else f
            out, z_out = dense_forward(h, p["W_out"], p["b_out"], identity)
            logits = out[:, 0]
            loss = binary_cross_entropy(logits, y)
            grads: dict[str, FloatArray] = {}
            grad = ((sigmoid(logits) - y) / y.shape[0])[:, None]
            grad_h, grads["W_out"], grads["b_out"] = dense_backward(grad, h, p["W_out"], z_out, identity_grad)
            for layer in range(self.depth, 0, -1):
                h_in, u, v, bn, skip = caches[layer - 1]
                grad_v = grad_h * as_float_array(self._dphi(v))
                if bn is not None:
                    grad_u, grads[f"gamma{layer}"], grads[f"beta{layer}"] = batchnorm_backward(grad_v, bn)
                else:
                    grad_u = grad_v
                grad_in, grads[f"W{layer}"], grads[f"b{layer}"] = dense_backward(
                    grad_u, h_in, p[f"W{layer}"], u, identity_grad
                )
                grad_h = grad_in + grad_h if skip else grad_in  # the identity path adds the gradient as is
        return loss, {name: grads[name] for name in p}


def make_deepnet(
    depth: int,
    width: int,
    d_in: int,
    activation: str,
    *,
    init: str = "glorot",
    scale: float = 1.0,
    batchnorm: bool = False,
    residual: bool = False,
    seed: int = 0,
) -> DeepNet:
    """Create a :class:`DeepNet` with Glorot or He normal weights and zero biases (or BN shifts).

    Parameters
    ----------
    depth, width, d_in : int
        Hidden layers, their width, input width.
    activation : str
        Hidden activation.
    init : {"glorot", "he"}, default "glorot"
        Weight scheme; the same seed draws the same weights for every variant.
    scale : float, default 1
        Factor on the weights of the hidden layers.
    batchnorm, residual : bool, default False
        Architecture options; batch norm starts with ``gamma = 1``, ``beta = 0``
        and replaces the hidden layers' biases.
    seed : int, default 0
        Seed of the generator.

    Returns
    -------
    DeepNet
        The network.

    Examples
    --------
    >>> net = make_deepnet(3, 4, 2, "tanh", batchnorm=True)
    >>> sorted(net.params)[:5]
    ['W1', 'W2', 'W3', 'W_out', 'b_out']
    """
    draw = {"glorot": glorot_normal, "he": he_normal}[init]
    rng = np.random.default_rng(seed)
    params: dict[str, FloatArray] = {}
    fan_in = d_in
    for layer in range(1, depth + 1):
        params[f"W{layer}"] = scale * draw(fan_in, width, rng).T
        if batchnorm:  # a bias before batch norm is cancelled by the mean: beta replaces it
            params[f"gamma{layer}"] = np.ones(width)
            params[f"beta{layer}"] = np.zeros(width)
        else:
            params[f"b{layer}"] = np.zeros(width)
        fan_in = width
    params["W_out"] = glorot_normal(width, 1, rng).T
    params["b_out"] = np.zeros(1)
    return DeepNet(params, depth, activation, batchnorm, residual)


def check_deepnet_gradients(net: DeepNet, X: ArrayLike, y: ArrayLike) -> dict[str, float]:
    """Compare the backward pass of a :class:`DeepNet` with central differences.

    Parameters
    ----------
    net : DeepNet
        A small network.
    X, y : array_like
        Batch and labels.

    Returns
    -------
    dict of str to float
        Largest relative error per parameter array.
    """
    _, grads = net.loss_and_grads(X, y)
    return gradient_check(lambda p: net.loss_and_grads(X, y, p)[0], net.params, grads)


def gradient_profile(net: DeepNet, X: ArrayLike, y: ArrayLike) -> FloatArray:
    r"""Return :math:`\lVert \partial L/\partial W_\ell \rVert` for every hidden layer, first to last.

    Parameters
    ----------
    net : DeepNet
        The network.
    X, y : array_like
        Batch and labels.

    Returns
    -------
    numpy.ndarray
        Shape ``(depth,)``.
    """
    _, grads = net.loss_and_grads(X, y)
    return np.array([np.linalg.norm(grads[f"W{layer}"]) for layer in range(1, net.depth + 1)])


def train_deepnet(net: DeepNet, X: ArrayLike, y: ArrayLike, lr: float, steps: int) -> FloatArray:
    """Train a :class:`DeepNet` in place by full-batch gradient descent.

    Parameters
    ----------
    net : DeepNet
        The network; its parameters are updated.
    X, y : array_like
        Training inputs and labels.
    lr : float
        Learning rate.
    steps : int
        Number of updates.

    Returns
    -------
    numpy.ndarray
        The loss before each step and after the last, ``(steps + 1,)``; NaN
        from the first non-finite loss on.
    """
    losses = np.full(steps + 1, np.nan)
    for step in range(steps + 1):
        loss, grads = net.loss_and_grads(X, y)
        if not np.isfinite(loss):
            break
        losses[step] = loss
        if step < steps:
            for name, g in grads.items():
                net.params[name] -= lr * g
    return losses
