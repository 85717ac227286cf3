r"""Experiments of the chapter *Leaky ReLU and PReLU*, in plain NumPy.

* **The slope's gradient.** :func:`alpha_gradient` reduces
  :math:`\partial L/\partial y \cdot \min(x, 0)` to the shape of the slope
  (one shared slope, or one per channel), and :func:`check_alpha_gradient`
  compares it with central differences from :mod:`actgrad.gradcheck`.
* **Training.** :func:`train` trains, for each seed, a small regression
  :class:`actgrad.network.MLP` whose hidden units are PReLUs, by mini-batch
  SGD with clipping. A fixed slope of 0 is a ReLU network, a fixed small slope
  a leaky ReLU network, a learned slope a PReLU network.
* **Inactive units.** :func:`inactive_fractions` counts the hidden units whose
  pre-activation is :math:`\le 0` on every training input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.activations import prelu_grad_alpha
from actgrad.datasets import regression_data
from actgrad.gradcheck import numerical_derivative, relative_error
from actgrad.network import MLP, Step, make_mlp
from actgrad.network import train as train_network

__all__ = [
    "AGGRESSIVE",
    "DATA_SEED",
    "GENTLE",
    "Params",
    "Setting",
    "TrainHistory",
    "alpha_gradient",
    "check_alpha_gradient",
    "inactive_fractions",
    "make_net",
    "train",
]

#: Slopes of every seed's network by hidden layer (``a0``, ``a1``), seed first.
Params = dict[str, FloatArray]

#: Seed of the training set; run seeds vary only the networks and the batch order.
DATA_SEED = 2013


@dataclass(frozen=True)
class Setting:
    """A training setting: learning rate of plain SGD, gradient clipping and length in mini-batch steps.

    ``clip`` is the largest global gradient norm per step and per replica, or
    ``None`` for no clipping.
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
    r"""Return :math:`\partial L/\partial\alpha` of a PReLU layer, shaped as ``alpha``.

    ``upstream`` is :math:`\partial L/\partial y` for
    :math:`y = \mathrm{prelu}(x, \alpha)`. Each output element contributes
    :math:`\partial L/\partial y_i \cdot \min(x_i, 0)`; the contributions of
    all elements that share a slope are added up. ``alpha``
    is a scalar shared by every element, or an array that broadcasts against
    ``x`` (e.g. ``(1, channels)`` for one slope per channel of a
    ``(batch, channels)`` input).

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
    r"""Compare the analytic ``grad(alpha)`` with central differences of ``loss(alpha)``.

    Every slope is perturbed on its own: for slope ``k`` the function
    :math:`t \mapsto L(\alpha \text{ with } \alpha_k = t)` is differenced by
    :func:`actgrad.gradcheck.numerical_derivative` with step ``h``. Returns
    ``(analytic, numeric, error)``: both gradients, of the shape of ``alpha``,
    and their largest relative difference
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
# Training PReLU networks, one per seed
# --------------------------------------------------------------------------


def make_net(
    alpha: float, learn_alpha: bool, seed: int, widths: Sequence[int] = (2, 32, 32, 1), shared: bool = False
) -> MLP:
    """He-normal PReLU regression network, slopes ``alpha`` (one per unit, or per layer if ``shared``)."""
    return make_mlp(
        len(widths) - 2, widths[1:-1], widths[0], "prelu", "he", d_out=widths[-1], loss="mse",
        slope=alpha, shared_slope=shared, learn_slopes=learn_alpha, seed=seed,
    )


def inactive_fractions(net: MLP, x: ArrayLike) -> FloatArray:
    r"""Per hidden layer, the share of units whose pre-activation is :math:`\le 0` on every row of ``x``."""
    return np.array([np.mean(np.all(z <= 0.0, axis=0)) for z in net.forward(x).preactivations[:-1]])


@dataclass
class TrainHistory:
    """What :func:`train` records, every ``record_every`` steps, for each seed (replica).

    ``loss`` is ``(records, R)``, ``alphas`` a list of ``{"a0": ..., "a1": ...}``
    with arrays ``(R, 1, units)`` (``(R, 1, 1)`` for shared slopes),
    ``inactive`` ``(records, R, hidden layers)``; ``nets`` are the trained networks.
    """

    nets: list[MLP]
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
    r"""Train one :func:`make_net` per seed by mini-batch SGD and record its progress.

    Seed ``s`` draws the weights from ``default_rng(s)`` and the batch order
    from ``default_rng(s + 1)``. Slopes are trained like the other parameters
    when ``learn_alpha`` (no weight decay on them, as in He et al., 2015).
    """
    x, y = regression_data() if data is None else data
    nets, losses, slopes, inactive = [], [], [], []
    record_steps = [k for k in range(setting.steps + 1) if k % record_every == 0 or k == setting.steps]
    for seed in seeds:
        net = make_net(alpha, learn_alpha, seed, widths, shared)
        loss, slope, off = [], [], []

        def record(s: Step, loss: list = loss, slope: list = slope, off: list = off) -> None:
            if s.step in record_steps:
                loss.append(s.net.loss(x, y))
                slope.append([a.copy() for a in s.net.slopes])
                off.append(inactive_fractions(s.net, x))

        rng = np.random.default_rng(seed + 1)
        train_network(
            net, x, y, lr=setting.lr, steps=setting.steps, batch_size=setting.batch_size, rng=rng,
            clip_norm=setting.clip, hooks=[record],
        )
        for _ in range(len(loss), len(record_steps)):  # a diverged run: NaN from there on
            loss.append(float("nan"))
            slope.append(slope[-1])
            off.append(np.full(net.depth, np.nan))
        nets.append(net)
        losses.append(loss)
        slopes.append(slope)
        inactive.append(off)
    loss_array = np.array(losses).T
    alphas = [
        {f"a{layer}": np.stack([slopes[r][k][layer].reshape(1, -1) for r in range(len(seeds))])
         for layer in range(len(widths) - 2)}
        for k in range(len(record_steps))
    ]
    return TrainHistory(
        nets=nets,
        steps=np.array(record_steps),
        loss=loss_array,
        alphas=alphas,
        inactive=np.array(inactive).transpose(1, 0, 2),
        diverged=~np.all(np.isfinite(loss_array), axis=0),
    )
