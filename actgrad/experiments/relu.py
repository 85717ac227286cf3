r"""Dead ReLU units, measured: what the chapter *ReLU* shares with its tests and the digits chapter.

A hidden ReLU unit is *dead* on a data set when its output is 0 for every
input of the set; no gradient then reaches its incoming weights and bias.
The chapter counts the dead units (:func:`dead_units`, used by the digits
chapter too) of networks made by :func:`init_relu_mlp` before and after
training and keeps each run in a :class:`RunResult`; :func:`summarize`
reduces the runs to means and spreads over the seeds, and
:func:`born_dead_fraction` counts deep, narrow networks born with a whole
layer dead.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from actgrad.activations import relu
from actgrad.network import MLP, make_mlp

__all__ = [
    "DATA_SEED",
    "INITS",
    "LARGE_SCALE",
    "NEGATIVE_BIAS",
    "RunResult",
    "SweepRow",
    "born_dead_fraction",
    "dead_units",
    "init_relu_mlp",
    "summarize",
]

#: The initialisation schemes :func:`init_relu_mlp` knows, in display order.
INITS = ("he", "large", "negative_bias")
#: Factor on the He standard deviation of every weight for the ``"large"`` scheme.
LARGE_SCALE = 3.0
#: Bias of every hidden unit for the ``"negative_bias"`` scheme.
NEGATIVE_BIAS = -1.0
#: Seed of the data set the chapter trains on (the run seeds vary only the network).
DATA_SEED = 2010


def dead_units(net: MLP, X: ArrayLike) -> list[np.ndarray]:
    """Per hidden layer, True for every unit whose output is 0 on all rows of X."""
    return [np.all(h == 0.0, axis=0) for h in net.forward(X).hidden]


@dataclass(frozen=True)
class RunResult:
    """One trained network of a sweep.

    ``init`` is one of :data:`INITS`; ``seed`` draws the initial weights and the
    mini-batch order. ``dead_at_init`` and ``dead_after`` are the fractions of
    hidden units dead on the training set before and after training (the latter
    NaN if training diverged), and ``dead_per_layer_at_init`` and
    ``dead_per_layer`` the same for each hidden layer (the latter empty if
    training diverged). ``accuracy`` and ``final_loss`` are on the training set
    at the end.
    """

    init: str
    lr: float
    seed: int
    dead_at_init: float
    dead_after: float
    dead_per_layer_at_init: tuple[float, ...]
    dead_per_layer: tuple[float, ...]
    accuracy: float
    final_loss: float
    diverged: bool


@dataclass(frozen=True)
class SweepRow:
    """Statistics over the seeds of one (initialisation, learning rate) pair.

    ``n_runs`` counts the seeds and ``n_diverged`` the runs that diverged;
    ``dead_at_init`` is the mean over all runs. The other fields describe the
    dead fraction after training and the final training accuracy over the runs
    that did not diverge (population standard deviation, ``ddof=0``); they are
    NaN if every run diverged.
    """

    init: str
    lr: float
    n_runs: int
    n_diverged: int
    dead_at_init: float
    dead_mean: float
    dead_std: float
    dead_min: float
    dead_max: float
    accuracy_mean: float


def init_relu_mlp(sizes: Sequence[int], init: str, rng: np.random.Generator) -> MLP:
    """Draw a ReLU network of layer widths ``sizes``, ``[n_inputs, hidden..., 1]``, from ``rng``.

    ``"he"``: He-normal weights, zero biases; ``"large"``: the same weights
    times :data:`LARGE_SCALE`; ``"negative_bias"``: He weights and every
    hidden bias :data:`NEGATIVE_BIAS`.

    >>> net = init_relu_mlp([2, 8, 8, 1], "negative_bias", np.random.default_rng(0))
    >>> [W.shape[1] for W in net.weights], float(net.biases[0][0]), float(net.biases[-1][0])
    ([8, 8, 1], -1.0, 0.0)
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    sizes = [operator.index(s) for s in sizes]
    if len(sizes) < 3 or sizes[-1] != 1:
        raise ValueError(
            f"sizes must be [n_inputs, hidden..., 1] with at least one hidden layer, got {sizes}"
        )
    return make_mlp(
        len(sizes) - 2, sizes[1:-1], sizes[0], "relu", "he",
        scale=LARGE_SCALE if init == "large" else 1.0,
        hidden_bias=NEGATIVE_BIAS if init == "negative_bias" else 0.0,
        seed=rng,
    )


def summarize(results: Sequence[RunResult]) -> list[SweepRow]:
    """Reduce a sweep's runs to one row per (initialisation, learning rate), in order of first appearance."""
    groups: dict[tuple[str, float], list[RunResult]] = {}
    for r in results:
        groups.setdefault((r.init, r.lr), []).append(r)
    rows = []
    for (init, lr), runs in groups.items():
        ok = [r for r in runs if not r.diverged]
        dead = np.array([r.dead_after for r in ok])
        acc = np.array([r.accuracy for r in ok])
        nan = float("nan")
        rows.append(
            SweepRow(
                init=init,
                lr=lr,
                n_runs=len(runs),
                n_diverged=len(runs) - len(ok),
                dead_at_init=float(np.mean([r.dead_at_init for r in runs])),
                dead_mean=float(dead.mean()) if ok else nan,
                dead_std=float(dead.std()) if ok else nan,
                dead_min=float(dead.min()) if ok else nan,
                dead_max=float(dead.max()) if ok else nan,
                accuracy_mean=float(acc.mean()) if ok else nan,
            )
        )
    return rows


def born_dead_fraction(
    depth: int,
    width: int,
    X: ArrayLike,
    n_networks: int,
    rng: np.random.Generator,
) -> float:
    """Return the fraction of ``n_networks`` fresh ReLU networks with a whole hidden layer dead on ``X``.

    Each network has ``depth`` hidden layers of ``width`` units, He-normal
    weights drawn from ``rng`` and zero biases; all networks are handled in one
    batched computation. If every unit of some hidden layer outputs 0 on every
    input of ``X``, the layers above see only zeros and the network computes a
    constant: it is "born dead" (Lu et al., 2019) and no gradient reaches any
    layer below the dead one.

    >>> X = np.random.default_rng(0).standard_normal((50, 2))
    >>> born_dead_fraction(1, 4, X, 100, np.random.default_rng(1))
    0.0
    """
    X = np.asarray(X, dtype=np.float64)
    a = np.broadcast_to(X, (n_networks, *X.shape))
    collapsed = np.zeros(n_networks, dtype=bool)
    fan_in = X.shape[1]
    for _ in range(depth):
        W = rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(n_networks, fan_in, width))
        a = relu(a @ W)
        collapsed |= np.all(a == 0.0, axis=(1, 2))
        fan_in = width
    return float(collapsed.mean())
