r"""Experiments of the chapter *Leaky ReLU and PReLU*, in plain NumPy.

* **The slope's gradient.** :func:`alpha_gradient` reduces
  :math:`\partial L/\partial y \cdot \min(x, 0)` to the shape of the slope
  (one shared slope, or one per channel), and :func:`check_alpha_gradient`
  compares it with central differences from :mod:`actgrad.gradcheck`.
* **Training.** :func:`train` trains a small fully connected regression
  network whose hidden units are PReLUs, by mini-batch SGD with the backward
  pass written out (:func:`loss_and_gradients`). A fixed slope of 0 is a ReLU
  network, a fixed small slope a leaky ReLU network, a learned slope a PReLU
  network. Several seeds (*replicas*) train side by side in one batched
  computation; every array carries the replica as its leading axis.
* **Inactive units.** :func:`inactive_fractions` counts the hidden units whose
  pre-activation is :math:`\le 0` on every training input. For a ReLU such a
  unit is dead: ``relu_grad`` is 0 there, so its incoming weights and bias get
  no gradient. A leaky unit in the same state still passes the fraction
  :math:`\alpha` of its gradient.

Layers follow the convention of :mod:`actgrad.initializers`: a layer computes
``h @ W + b`` with ``W`` of shape ``(fan_in, fan_out)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations import prelu, prelu_grad, prelu_grad_alpha
from actgrad.gradcheck import numerical_derivative, relative_error
from actgrad.initializers import he_normal

__all__ = [
    "AGGRESSIVE",
    "DATA_SEED",
    "GENTLE",
    "Params",
    "Setting",
    "TrainHistory",
    "alpha_gradient",
    "check_alpha_gradient",
    "clip_per_replica",
    "forward",
    "inactive_fractions",
    "init_params",
    "loss_and_gradients",
    "regression_data",
    "train",
]

#: Parameter arrays of a batch of networks, by name (``W0``, ``b0``, ``a0``, ``W1``, ...).
Params = dict[str, FloatArray]

#: Seed of the training set; run seeds vary only the networks and the batch order.
DATA_SEED = 2013


@dataclass(frozen=True)
class Setting:
    """A training setting: learning rate, gradient clipping and length.

    Attributes
    ----------
    lr : float
        Learning rate of plain SGD.
    clip : float or None
        Largest global gradient norm per step (per replica); ``None`` for no
        clipping.
    steps : int
        Number of mini-batch steps.
    batch_size : int
        Examples per mini-batch.
    """

    lr: float
    clip: float | None
    steps: int
    batch_size: int = 32


#: A moderate setting in which every activation trains well.
GENTLE = Setting(lr=0.2, clip=1.0, steps=1000)
#: An aggressive setting: every step may have length ``lr * clip = 1``.
AGGRESSIVE = Setting(lr=1.0, clip=1.0, steps=1000)


# --------------------------------------------------------------------------
# The gradient with respect to the slope
# --------------------------------------------------------------------------


def _sum_to_shape(values: FloatArray, shape: tuple[int, ...]) -> FloatArray:
    """Sum ``values`` over the axes along which an array of ``shape`` was broadcast."""
    extra = values.ndim - len(shape)
    if extra < 0:
        raise ValueError(f"cannot reduce shape {values.shape} to the larger shape {shape}")
    summed = values.sum(axis=tuple(range(extra))) if extra else values
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and summed.shape[i] != 1)
    if axes:
        summed = summed.sum(axis=axes, keepdims=True)
    if summed.shape != shape:
        raise ValueError(f"shape {shape} does not broadcast against {values.shape}")
    return np.asarray(summed, dtype=np.float64)


def alpha_gradient(x: ArrayLike, upstream: ArrayLike, alpha: ArrayLike) -> FloatArray:
    r"""Return :math:`\partial L/\partial\alpha` for :math:`y = \mathrm{prelu}(x, \alpha)`.

    Each output element contributes
    :math:`\partial L/\partial y_i \cdot \min(x_i, 0)`; the contributions of
    all elements that share a slope are added up, so the result has the
    shape of ``alpha``.

    Parameters
    ----------
    x : array_like
        The PReLU's input.
    upstream : array_like
        :math:`\partial L/\partial y`, of the shape of ``prelu(x, alpha)``.
    alpha : array_like
        The slope(s): a scalar shared by every element, or an array that
        broadcasts against ``x`` (e.g. shape ``(1, channels)`` for one slope
        per channel of a ``(batch, channels)`` input).

    Returns
    -------
    numpy.ndarray
        Float64 array of the shape of ``alpha``.

    Examples
    --------
    >>> x = [[-2.0, 1.0], [-1.0, -3.0]]
    >>> float(alpha_gradient(x, [[1.0, 1.0], [1.0, 1.0]], 0.25))
    -6.0
    >>> alpha_gradient(x, [[1.0, 1.0], [1.0, 1.0]], [[0.25, 0.25]]).tolist()
    [[-3.0, -3.0]]
    """
    alpha = as_float_array(alpha)
    upstream = as_float_array(upstream)
    contributions = upstream * prelu_grad_alpha(x, alpha)
    return _sum_to_shape(contributions, alpha.shape)


def check_alpha_gradient(
    loss: Callable[[FloatArray], float],
    grad: Callable[[FloatArray], ArrayLike],
    alpha: ArrayLike,
    h: float = 1e-5,
) -> tuple[FloatArray, FloatArray, float]:
    r"""Compare an analytic :math:`\partial L/\partial\alpha` with central differences.

    Every slope is perturbed on its own: for slope ``k`` the function
    :math:`t \mapsto L(\alpha \text{ with } \alpha_k = t)` is differenced by
    :func:`actgrad.gradcheck.numerical_derivative`.

    Parameters
    ----------
    loss : callable
        ``loss(alpha)``, the scalar loss as a function of the slopes.
    grad : callable
        ``grad(alpha)``, the claimed gradient, of the shape of ``alpha``.
    alpha : array_like
        The slopes at which to check.
    h : float, default 1e-5
        Finite-difference step.

    Returns
    -------
    tuple
        ``(analytic, numeric, error)``: both gradients, of the shape of
        ``alpha``, and their largest relative difference
        (:func:`actgrad.gradcheck.relative_error` with a floor of 1e-4).
    """
    alpha = as_float_array(alpha)
    analytic = as_float_array(grad(alpha))
    numeric = np.empty_like(alpha)
    for k in np.ndindex(alpha.shape):

        def loss_along_k(t: FloatArray, k: tuple[int, ...] = k) -> float:
            moved = alpha.copy()
            moved[k] = float(t)
            return loss(moved)

        numeric[k] = float(numerical_derivative(loss_along_k, alpha[k], h=h))
    return analytic, numeric, relative_error(analytic, numeric, floor=1e-4)


# --------------------------------------------------------------------------
# A small regression network with PReLU hidden units
# --------------------------------------------------------------------------


def regression_data(n: int = 256, seed: int = DATA_SEED) -> tuple[FloatArray, FloatArray]:
    r"""Draw a smooth two-input regression problem.

    Inputs are uniform on :math:`[-2, 2]^2`; the target is
    :math:`\sin(2x_1)\cos(x_2) + x_2^2/2 - 0.6`, a bumpy surface with mean
    close to 0.

    Parameters
    ----------
    n : int, default 256
        Number of examples.
    seed : int, default :data:`DATA_SEED`
        Seed of the generator.

    Returns
    -------
    tuple of numpy.ndarray
        Inputs of shape ``(n, 2)`` and targets of shape ``(n, 1)``.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, size=(n, 2))
    y = np.sin(2.0 * x[:, :1]) * np.cos(x[:, 1:]) + 0.5 * x[:, 1:] ** 2 - 0.6
    return x, y


def init_params(
    widths: Sequence[int], alpha: float, seeds: Sequence[int], shared: bool = False
) -> Params:
    r"""Initialise one network per seed: He-normal weights, zero biases, slopes ``alpha``.

    Parameters
    ----------
    widths : sequence of int
        Layer widths from input to output, e.g. ``(2, 32, 32, 1)``.
    alpha : float
        Initial slope of every hidden PReLU.
    seeds : sequence of int
        One seed per replica; ``numpy.random.default_rng(seed)`` draws that
        replica's weights layer by layer.
    shared : bool, default False
        One slope per hidden layer (shape ``(R, 1, 1)``) instead of one per
        hidden unit (shape ``(R, 1, width)``).

    Returns
    -------
    Params
        ``W{i}`` of shape ``(R, fan_in, fan_out)``, ``b{i}`` of shape
        ``(R, 1, fan_out)`` for every layer, and ``a{i}`` for every hidden
        layer, where ``R = len(seeds)``.
    """
    if len(widths) < 3:
        raise ValueError(f"need at least one hidden layer, got widths {tuple(widths)}")
    rngs = [np.random.default_rng(seed) for seed in seeds]
    params: Params = {}
    n_layers = len(widths) - 1
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        params[f"W{i}"] = np.stack([he_normal(fan_in, fan_out, rng) for rng in rngs])
        params[f"b{i}"] = np.zeros((len(rngs), 1, fan_out))
        if i < n_layers - 1:
            params[f"a{i}"] = np.full((len(rngs), 1, 1 if shared else fan_out), float(alpha))
    return params


def _n_layers(params: Params) -> int:
    return sum(1 for name in params if name.startswith("W"))


def forward(params: Params, x: ArrayLike) -> tuple[FloatArray, list[tuple[FloatArray, FloatArray]]]:
    """Run every replica on its inputs.

    Parameters
    ----------
    params : Params
        Parameters from :func:`init_params`.
    x : array_like
        Inputs of shape ``(R, batch, fan_in)``, or ``(batch, fan_in)`` for the
        same inputs in every replica.

    Returns
    -------
    tuple
        The outputs ``(R, batch, 1)`` and, per layer, the pair (layer input,
        pre-activation) that the backward pass needs.
    """
    h = as_float_array(x)
    cache = []
    n_layers = _n_layers(params)
    for i in range(n_layers):
        z = h @ params[f"W{i}"] + params[f"b{i}"]
        cache.append((h, z))
        h = prelu(z, params[f"a{i}"]) if i < n_layers - 1 else z
    return h, cache


def loss_and_gradients(params: Params, x: ArrayLike, y: ArrayLike) -> tuple[FloatArray, Params]:
    r"""Mean squared error of every replica and its gradient with respect to every parameter.

    The loss of a replica is :math:`\frac{1}{2n}\sum_i \lVert f(x_i) - y_i \rVert^2`.
    Backward through a PReLU layer with output :math:`y = \mathrm{prelu}(z, \alpha)`
    and incoming gradient :math:`g = \partial L/\partial y`:
    :math:`\partial L/\partial\alpha` is :func:`alpha_gradient` ``(z, g, alpha)``
    and :math:`\partial L/\partial z = g \cdot` ``prelu_grad(z, alpha)``.

    Parameters
    ----------
    params : Params
        Parameters from :func:`init_params`.
    x : array_like
        Inputs, ``(R, batch, fan_in)`` or ``(batch, fan_in)``.
    y : array_like
        Targets, ``(R, batch, 1)`` or ``(batch, 1)``.

    Returns
    -------
    tuple
        The loss of each replica, shape ``(R,)``, and the gradients, of the
        shapes of ``params``.
    """
    out, cache = forward(params, x)
    residual = out - as_float_array(y)
    batch = residual.shape[-2]
    losses = 0.5 * np.sum(residual**2, axis=(-2, -1)) / batch
    g = residual / batch
    grads: Params = {}
    n_layers = _n_layers(params)
    for i in reversed(range(n_layers)):
        h, z = cache[i]
        if i < n_layers - 1:
            alpha = params[f"a{i}"]
            grads[f"a{i}"] = alpha_gradient(z, g, alpha)
            g = g * prelu_grad(z, alpha)
        grads[f"W{i}"] = _sum_to_shape(np.swapaxes(h, -1, -2) @ g, params[f"W{i}"].shape)
        grads[f"b{i}"] = _sum_to_shape(g, params[f"b{i}"].shape)
        if i > 0:
            g = g @ np.swapaxes(params[f"W{i}"], -1, -2)
    return losses, grads


def clip_per_replica(grads: Params, max_norm: float) -> Params:
    r"""Scale each replica's gradients so that their global norm is at most ``max_norm``.

    The rule of :func:`actgrad.clipping.clip_by_global_norm`, applied to every
    replica (leading axis) separately.

    Parameters
    ----------
    grads : Params
        Gradients with the replica as leading axis.
    max_norm : float
        Largest global norm, positive.

    Returns
    -------
    Params
        New arrays; a replica whose norm is within the limit is unchanged.
    """
    squares = sum(np.sum(g.reshape(len(g), -1) ** 2, axis=1) for g in grads.values())
    norms = np.sqrt(squares)
    factor = np.where(norms > max_norm, max_norm / np.maximum(norms, 1e-300), 1.0)
    return {name: g * factor.reshape((-1,) + (1,) * (g.ndim - 1)) for name, g in grads.items()}


def inactive_fractions(params: Params, x: ArrayLike) -> FloatArray:
    r"""Fraction of hidden units that are :math:`\le 0` on every input, per replica and layer.

    Parameters
    ----------
    params : Params
        Parameters from :func:`init_params`.
    x : array_like
        The inputs to test, ``(n, fan_in)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(R, hidden layers)``.
    """
    _, cache = forward(params, x)
    hidden = [z for _, z in cache[:-1]]
    return np.stack([np.mean(np.all(z <= 0.0, axis=1), axis=-1) for z in hidden], axis=1)


@dataclass
class TrainHistory:
    """What :func:`train` records.

    Attributes
    ----------
    params : Params
        The trained parameters.
    steps : numpy.ndarray
        Step numbers of the records (0 is before training).
    loss : numpy.ndarray
        Full-data loss of each replica at each record, shape ``(records, R)``.
    alphas : list of dict
        Copies of the slope arrays at each record.
    inactive : numpy.ndarray
        :func:`inactive_fractions` at each record, shape ``(records, R, hidden layers)``.
    diverged : numpy.ndarray
        Per replica, whether its loss became non-finite.
    """

    params: Params
    steps: FloatArray
    loss: FloatArray
    alphas: list[Params]
    inactive: FloatArray
    diverged: np.ndarray


def train(
    alpha: float,
    learn_alpha: bool,
    setting: Setting,
    seeds: Sequence[int],
    *,
    widths: Sequence[int] = (2, 32, 32, 1),
    shared: bool = False,
    record_every: int = 50,
    data: tuple[FloatArray, FloatArray] | None = None,
) -> TrainHistory:
    r"""Train one network per seed by mini-batch SGD and record its progress.

    Replica ``r`` draws its weights from ``default_rng(seeds[r])`` and its
    batch order (a new permutation of the data every epoch) from
    ``default_rng(seeds[r] + 1)``. The slopes are updated like every other
    parameter when ``learn_alpha`` is true (no weight decay on them, as in
    He et al., 2015) and stay at ``alpha`` otherwise.

    Parameters
    ----------
    alpha : float
        Initial slope: 0 gives ReLU units, 0.01 the usual leaky ReLU, 0.25 the
        initial value He et al. (2015) use for PReLU.
    learn_alpha : bool
        Whether the slopes are trained.
    setting : Setting
        Learning rate, clipping, number of steps and batch size.
    seeds : sequence of int
        One seed per replica.
    widths : sequence of int, default (2, 32, 32, 1)
        Layer widths.
    shared : bool, default False
        One slope per layer instead of one per unit.
    record_every : int, default 50
        Record every this many steps (and at step 0 and at the end).
    data : tuple of numpy.ndarray, optional
        ``(x, y)``; :func:`regression_data` by default.

    Returns
    -------
    TrainHistory
        The trained parameters and the records.
    """
    x, y = regression_data() if data is None else data
    n = len(x)
    params = init_params(widths, alpha, seeds, shared=shared)
    orders = []
    for seed in seeds:
        rng = np.random.default_rng(seed + 1)
        epochs = -(-setting.steps * setting.batch_size // n)
        orders.append(np.concatenate([rng.permutation(n) for _ in range(epochs)]))
    batches = np.stack(orders)[:, : setting.steps * setting.batch_size]
    batches = batches.reshape(len(seeds), setting.steps, setting.batch_size)

    records: dict[str, list] = {"steps": [], "loss": [], "alphas": [], "inactive": []}

    def record(step: int) -> None:
        records["steps"].append(step)
        records["loss"].append(loss_and_gradients(params, x, y)[0])
        records["alphas"].append({k: v.copy() for k, v in params.items() if k.startswith("a")})
        records["inactive"].append(inactive_fractions(params, x))

    with np.errstate(over="ignore", invalid="ignore"):
        record(0)
        for step in range(setting.steps):
            idx = batches[:, step]
            _, grads = loss_and_gradients(params, x[idx], y[idx])
            if not learn_alpha:
                grads = {k: g for k, g in grads.items() if not k.startswith("a")}
            if setting.clip is not None:
                grads = clip_per_replica(grads, setting.clip)
            for name, g in grads.items():
                params[name] = params[name] - setting.lr * g
            if (step + 1) % record_every == 0 or step + 1 == setting.steps:
                record(step + 1)
    loss = np.array(records["loss"])
    return TrainHistory(
        params=params,
        steps=np.array(records["steps"]),
        loss=loss,
        alphas=records["alphas"],
        inactive=np.array(records["inactive"]),
        diverged=~np.all(np.isfinite(loss), axis=0),
    )
