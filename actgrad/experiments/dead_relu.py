r"""Dead ReLU units, measured: the experiments of the chapter *ReLU*.

A hidden ReLU unit is *dead* on a data set when its output is 0 for every
input of the set, that is when its pre-activation :math:`z = \mathbf{w}^\top
\mathbf{a} + b` is :math:`\le 0` for all of them. Its derivative
``relu_grad(z)`` is then 0 everywhere, so no gradient reaches its incoming
weights and bias. A dead unit of the first hidden layer stays dead for good;
one in a later layer may come back if the layers below it change.

Everything here is plain NumPy and deterministic given the seeds:

* :func:`disc_data` draws a two-class problem in the plane (inside or outside
  a noisy circle), with standard normal inputs;
* :func:`init_relu_mlp` initialises a ReLU network with one of three schemes
  (:data:`INITS`): He normal, He normal scaled by :data:`LARGE_SCALE`, and He
  normal with hidden biases :data:`NEGATIVE_BIAS`;
* :func:`dead_units` and :func:`dead_fraction` find the dead units;
* :func:`train_sgd` trains with mini-batch SGD on the binary cross-entropy,
  with the backward pass written out;
* :func:`run` and :func:`sweep` train one network or a grid of them (learning
  rate x initialisation x seed), :func:`summarize` reduces a sweep to means and
  spreads over the seeds;
* :func:`born_dead_fraction` counts randomly initialised deep, narrow networks
  that compute a constant function because a whole layer is dead.

Layers follow the convention of :mod:`actgrad.initializers`: a layer computes
``a @ W + b`` with ``W`` of shape ``(fan_in, fan_out)``.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray
from actgrad.activations import relu, relu_grad, sigmoid
from actgrad.initializers import he_normal

__all__ = [
    "INITS",
    "LARGE_SCALE",
    "NEGATIVE_BIAS",
    "ReluMLP",
    "RunResult",
    "SweepRow",
    "TrainLog",
    "accuracy",
    "born_dead_fraction",
    "dead_fraction",
    "dead_units",
    "disc_data",
    "hidden_preactivations",
    "init_relu_mlp",
    "logits",
    "run",
    "summarize",
    "sweep",
    "train_sgd",
]

#: The initialisation schemes :func:`init_relu_mlp` knows, in display order.
INITS = ("he", "large", "negative_bias")
#: Factor on the He standard deviation of every weight for the ``"large"`` scheme.
LARGE_SCALE = 3.0
#: Bias of every hidden unit for the ``"negative_bias"`` scheme.
NEGATIVE_BIAS = -1.0
#: Seed of the data set the chapter trains on (the run seeds vary only the network).
DATA_SEED = 2010


@dataclass
class ReluMLP:
    """A fully connected network: ReLU hidden layers, one linear output unit.

    Attributes
    ----------
    weights : list of numpy.ndarray
        ``weights[i]`` has shape ``(fan_in, fan_out)`` of layer ``i``; the last
        one has ``fan_out = 1``.
    biases : list of numpy.ndarray
        ``biases[i]`` has shape ``(fan_out,)``.
    """

    weights: list[FloatArray]
    biases: list[FloatArray]

    def __post_init__(self) -> None:
        if len(self.weights) != len(self.biases) or not self.weights:
            raise ValueError("a ReluMLP needs one bias vector per weight matrix, and at least one layer")
        for i, (W, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            if W.ndim != 2 or b.shape != (W.shape[1],):
                raise ValueError(f"layer {i}: weights {W.shape} and biases {b.shape} do not match")
            if i > 0 and W.shape[0] != self.weights[i - 1].shape[1]:
                raise ValueError(f"layer {i} takes {W.shape[0]} inputs, layer {i - 1} gives {W.shape[1]}")
        if self.weights[-1].shape[1] != 1:
            raise ValueError("the output layer must have one unit")

    @property
    def hidden_sizes(self) -> list[int]:
        """Number of units of each hidden layer."""
        return [W.shape[1] for W in self.weights[:-1]]

    def copy(self) -> ReluMLP:
        """Return a deep copy."""
        return ReluMLP([W.copy() for W in self.weights], [b.copy() for b in self.biases])


@dataclass(frozen=True)
class TrainLog:
    """What :func:`train_sgd` reports besides the trained network.

    Attributes
    ----------
    losses : numpy.ndarray
        Mean binary cross-entropy on the whole training set before training
        and after each epoch (length ``epochs + 1``, shorter if it diverged).
    diverged : bool
        Whether a parameter became infinite or NaN (training then stopped).
    """

    losses: FloatArray
    diverged: bool


@dataclass(frozen=True)
class RunResult:
    """One trained network of a sweep.

    Attributes
    ----------
    init : str
        Initialisation scheme, one of :data:`INITS`.
    lr : float
        Learning rate.
    seed : int
        Seed of the initial weights and of the mini-batch order.
    dead_at_init : float
        Fraction of hidden units dead on the training set before training.
    dead_after : float
        The same after training (NaN if training diverged).
    dead_per_layer_at_init : tuple of float
        ``dead_at_init`` for each hidden layer separately.
    dead_per_layer : tuple of float
        ``dead_after`` for each hidden layer separately (empty if training
        diverged).
    accuracy : float
        Training accuracy at the end.
    final_loss : float
        Training loss at the end.
    diverged : bool
        Whether training diverged.
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

    Means and standard deviations are over the runs that did not diverge
    (population standard deviation, ``ddof=0``); they are NaN if every run
    diverged.

    Attributes
    ----------
    init : str
        Initialisation scheme.
    lr : float
        Learning rate.
    n_runs : int
        Number of seeds.
    n_diverged : int
        Runs that diverged.
    dead_at_init : float
        Mean fraction of dead hidden units before training.
    dead_mean, dead_std, dead_min, dead_max : float
        Mean, standard deviation, minimum and maximum of the dead fraction
        after training.
    accuracy_mean : float
        Mean training accuracy at the end.
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


def disc_data(n: int, rng: np.random.Generator, noise: float = 0.3) -> tuple[FloatArray, FloatArray]:
    r"""Draw ``n`` standard normal points in the plane, labelled 1 inside a noisy circle.

    A point is class 1 when :math:`\lVert \mathbf{x} \rVert + \varepsilon <
    \sqrt{2 \ln 2}` with :math:`\varepsilon \sim N(0, \text{noise}^2)`; the
    radius is the median norm of a standard normal point, so without noise the
    classes would be equally likely.

    Parameters
    ----------
    n : int
        Number of points, at least 1.
    rng : numpy.random.Generator
        Source of randomness.
    noise : float, default 0.3
        Standard deviation of the noise on the radius.

    Returns
    -------
    X : numpy.ndarray
        Shape ``(n, 2)``.
    y : numpy.ndarray
        Shape ``(n,)``, float64 zeros and ones.

    Examples
    --------
    >>> X, y = disc_data(5, np.random.default_rng(0))
    >>> X.shape, y.shape
    ((5, 2), (5,))
    """
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    X = rng.standard_normal((n, 2))
    radius = np.linalg.norm(X, axis=1) + noise * rng.standard_normal(n)
    y = (radius < np.sqrt(2.0 * np.log(2.0))).astype(np.float64)
    return X, y


def init_relu_mlp(sizes: Sequence[int], init: str, rng: np.random.Generator) -> ReluMLP:
    """Initialise a ReLU network with layer widths ``sizes``.

    Parameters
    ----------
    sizes : sequence of int
        ``[n_inputs, hidden_1, ..., hidden_k, 1]``, at least one hidden layer.
    init : {"he", "large", "negative_bias"}
        ``"he"``: weights :math:`N(0, 2/n_{in})` (:func:`~actgrad.initializers.he_normal`)
        and zero biases. ``"large"``: the same weights times
        :data:`LARGE_SCALE`, zero biases. ``"negative_bias"``: He weights and
        every hidden bias equal to :data:`NEGATIVE_BIAS` (the output bias is 0).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ReluMLP
        The initial network.

    Examples
    --------
    >>> net = init_relu_mlp([2, 8, 8, 1], "negative_bias", np.random.default_rng(0))
    >>> net.hidden_sizes, float(net.biases[0][0]), float(net.biases[-1][0])
    ([8, 8], -1.0, 0.0)
    """
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    sizes = [operator.index(s) for s in sizes]
    if len(sizes) < 3 or sizes[-1] != 1:
        raise ValueError(
            f"sizes must be [n_inputs, hidden..., 1] with at least one hidden layer, got {sizes}"
        )
    weights, biases = [], []
    n_layers = len(sizes) - 1
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        W = he_normal(fan_in, fan_out, rng)
        b = np.zeros(fan_out)
        if init == "large":
            W *= LARGE_SCALE
        if init == "negative_bias" and i < n_layers - 1:
            b[:] = NEGATIVE_BIAS
        weights.append(W)
        biases.append(b)
    return ReluMLP(weights, biases)


def hidden_preactivations(net: ReluMLP, X: ArrayLike) -> list[FloatArray]:
    """Return the pre-activation of every hidden layer on the inputs ``X``.

    Parameters
    ----------
    net : ReluMLP
        The network.
    X : array_like
        Inputs, shape ``(n_samples, n_inputs)``.

    Returns
    -------
    list of numpy.ndarray
        One ``(n_samples, width)`` array per hidden layer.
    """
    a = np.asarray(X, dtype=np.float64)
    pre = []
    for W, b in zip(net.weights[:-1], net.biases[:-1], strict=True):
        z = a @ W + b
        pre.append(z)
        a = relu(z)
    return pre


def logits(net: ReluMLP, X: ArrayLike) -> FloatArray:
    """Return the output (a logit) of the network for each input, shape ``(n_samples,)``.

    Parameters
    ----------
    net : ReluMLP
        The network.
    X : array_like
        Inputs, shape ``(n_samples, n_inputs)``.

    Returns
    -------
    numpy.ndarray
        The logits.
    """
    pre = hidden_preactivations(net, X)
    return (relu(pre[-1]) @ net.weights[-1] + net.biases[-1])[:, 0]


def dead_units(net: ReluMLP, X: ArrayLike) -> list[np.ndarray]:
    """Find, per hidden layer, the units whose ReLU output is 0 for every input in ``X``.

    Parameters
    ----------
    net : ReluMLP
        The network.
    X : array_like
        The inputs that define "every input", shape ``(n_samples, n_inputs)``.

    Returns
    -------
    list of numpy.ndarray
        One boolean array of shape ``(width,)`` per hidden layer, True for a
        dead unit. A unit with a NaN output is not counted as dead.

    Examples
    --------
    >>> net = ReluMLP([np.array([[1.0, 0.0]]), np.ones((2, 1))], [np.array([0.0, -1.0]), np.zeros(1)])
    >>> [d.tolist() for d in dead_units(net, [[-1.0], [2.0]])]
    [[False, True]]
    """
    return [np.all(relu(z) == 0.0, axis=0) for z in hidden_preactivations(net, X)]


def dead_fraction(net: ReluMLP, X: ArrayLike) -> float:
    """Return the fraction of all hidden units that are dead on ``X``.

    Parameters
    ----------
    net : ReluMLP
        The network.
    X : array_like
        Inputs, shape ``(n_samples, n_inputs)``.

    Returns
    -------
    float
        Dead units divided by the number of hidden units, in [0, 1].
    """
    dead = np.concatenate(dead_units(net, X))
    return float(dead.mean())


def _bce(z: FloatArray, y: FloatArray) -> float:
    """Mean binary cross-entropy of ``sigmoid(z)`` against ``y``, computed stably."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


def accuracy(net: ReluMLP, X: ArrayLike, y: ArrayLike) -> float:
    """Return the fraction of inputs whose predicted class (logit > 0) equals the label.

    Parameters
    ----------
    net : ReluMLP
        The network.
    X : array_like
        Inputs, shape ``(n_samples, n_inputs)``.
    y : array_like
        Labels 0 or 1, shape ``(n_samples,)``.

    Returns
    -------
    float
        Accuracy in [0, 1].
    """
    return float(np.mean((logits(net, X) > 0) == (np.asarray(y) > 0.5)))


def _finite(net: ReluMLP) -> bool:
    return all(np.isfinite(p).all() for p in (*net.weights, *net.biases))


def train_sgd(
    net: ReluMLP,
    X: ArrayLike,
    y: ArrayLike,
    *,
    lr: float,
    epochs: int,
    batch_size: int,
    rng: np.random.Generator,
) -> TrainLog:
    r"""Train ``net`` in place by mini-batch SGD on the binary cross-entropy.

    Each epoch visits the training set in a new random order (drawn from
    ``rng``) in batches of ``batch_size``. The gradient of the mean loss with
    respect to the output logit is :math:`(\sigma(z) - y) / n_{batch}`; it is
    passed back layer by layer, multiplied by ``relu_grad`` of each hidden
    pre-activation (0 at :math:`z \le 0`).

    Parameters
    ----------
    net : ReluMLP
        The network; its arrays are updated in place.
    X : array_like
        Inputs, shape ``(n_samples, n_inputs)``.
    y : array_like
        Labels 0 or 1, shape ``(n_samples,)``.
    lr : float
        Learning rate, positive.
    epochs : int
        Number of passes over the data.
    batch_size : int
        Mini-batch size.
    rng : numpy.random.Generator
        Source of the mini-batch order.

    Returns
    -------
    TrainLog
        Loss per epoch and whether training diverged.
    """
    if not lr > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(X)
    losses = [_bce(logits(net, X), y)]
    diverged = False
    n_layers = len(net.weights)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch_size):
                batch = order[start : start + batch_size]
                xb, yb = X[batch], y[batch]
                pre = hidden_preactivations(net, xb)
                inputs = [xb, *(relu(z) for z in pre)]
                z_out = (inputs[-1] @ net.weights[-1] + net.biases[-1])[:, 0]
                delta = ((sigmoid(z_out) - yb) / len(batch))[:, None]
                for i in range(n_layers - 1, -1, -1):
                    grad_W = inputs[i].T @ delta
                    grad_b = delta.sum(axis=0)
                    if i > 0:
                        delta = (delta @ net.weights[i].T) * relu_grad(pre[i - 1])
                    net.weights[i] -= lr * grad_W
                    net.biases[i] -= lr * grad_b
            if not _finite(net):
                diverged = True
                break
            losses.append(_bce(logits(net, X), y))
    return TrainLog(np.array(losses), diverged)


def run(
    init: str,
    lr: float,
    seed: int,
    X: ArrayLike,
    y: ArrayLike,
    *,
    sizes: Sequence[int] = (2, 32, 32, 1),
    epochs: int = 40,
    batch_size: int = 32,
) -> RunResult:
    """Initialise a network with ``seed``, train it and measure its dead units.

    The generator ``numpy.random.default_rng(seed)`` draws the initial weights
    and then the mini-batch order, so equal arguments give equal results.

    Parameters
    ----------
    init : {"he", "large", "negative_bias"}
        Initialisation scheme, see :func:`init_relu_mlp`.
    lr : float
        Learning rate.
    seed : int
        Seed of this run.
    X, y : array_like
        Training inputs ``(n_samples, sizes[0])`` and labels ``(n_samples,)``.
    sizes : sequence of int, default (2, 32, 32, 1)
        Layer widths.
    epochs : int, default 40
        Passes over the data.
    batch_size : int, default 32
        Mini-batch size.

    Returns
    -------
    RunResult
        Dead fractions before and after training, accuracy and loss.
    """
    rng = np.random.default_rng(seed)
    net = init_relu_mlp(sizes, init, rng)
    dead_at_init = dead_fraction(net, X)
    per_layer_at_init = tuple(float(d.mean()) for d in dead_units(net, X))
    log = train_sgd(net, X, y, lr=lr, epochs=epochs, batch_size=batch_size, rng=rng)
    if log.diverged:
        nan = float("nan")
        return RunResult(init, float(lr), seed, dead_at_init, nan, per_layer_at_init, (), nan, nan, True)
    per_layer = tuple(float(d.mean()) for d in dead_units(net, X))
    return RunResult(
        init=init,
        lr=float(lr),
        seed=seed,
        dead_at_init=dead_at_init,
        dead_after=dead_fraction(net, X),
        dead_per_layer_at_init=per_layer_at_init,
        dead_per_layer=per_layer,
        accuracy=accuracy(net, X, y),
        final_loss=float(log.losses[-1]),
        diverged=False,
    )


def sweep(
    inits: Sequence[str],
    lrs: Sequence[float],
    seeds: Sequence[int],
    X: ArrayLike,
    y: ArrayLike,
    **kwargs: object,
) -> list[RunResult]:
    """Run :func:`run` for every initialisation, learning rate and seed.

    Parameters
    ----------
    inits : sequence of str
        Initialisation schemes.
    lrs : sequence of float
        Learning rates.
    seeds : sequence of int
        Seeds; every (init, lr) pair is trained once per seed.
    X, y : array_like
        Training data.
    **kwargs
        Passed on to :func:`run` (``sizes``, ``epochs``, ``batch_size``).

    Returns
    -------
    list of RunResult
        In the order init, then learning rate, then seed.
    """
    return [run(init, lr, seed, X, y, **kwargs) for init in inits for lr in lrs for seed in seeds]


def summarize(results: Sequence[RunResult]) -> list[SweepRow]:
    """Reduce the runs of a sweep to one row per (initialisation, learning rate).

    Parameters
    ----------
    results : sequence of RunResult
        Runs, for instance from :func:`sweep`.

    Returns
    -------
    list of SweepRow
        Rows in the order in which each pair first appears in ``results``.
    """
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
    """Return the fraction of freshly initialised ReLU networks with a whole hidden layer dead.

    Each network has ``depth`` hidden layers of ``width`` units, He-normal
    weights and zero biases. If every unit of some hidden layer outputs 0 on
    every input of ``X``, the layers above see only zeros and the network
    computes a constant: it is "born dead" (Lu et al., 2019) and no gradient
    reaches any layer below the dead one.

    Parameters
    ----------
    depth : int
        Number of hidden layers, at least 1.
    width : int
        Units per hidden layer, at least 1.
    X : array_like
        Inputs, shape ``(n_samples, n_inputs)``.
    n_networks : int
        Number of networks to draw (all handled in one batched computation).
    rng : numpy.random.Generator
        Source of the weights.

    Returns
    -------
    float
        Fraction of the networks that are born dead.

    Examples
    --------
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
