r"""Experiments of the chapter *Training comparison*: one small network, many activations, several seeds.

* :func:`adam_train` trains an :class:`actgrad.network.MLP` with full-batch
  Adam on :func:`actgrad.datasets.two_spirals` and records the loss and
  accuracy curves (training and test);
* :func:`compare` runs every activation with several seeds and
  :func:`summarise` reduces the runs to mean, spread and final numbers.

Everything is plain NumPy and vectorised over the batch; a run of a few
hundred steps on a few hundred points takes a fraction of a second.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from actgrad._array import FloatArray, as_float_array
from actgrad.datasets import two_spirals
from actgrad.network import MLP, Step, binary_cross_entropy, make_mlp, train

__all__ = [
    "DEFAULT_INIT",
    "Run",
    "adam_train",
    "compare",
    "summarise",
]

#: Initialisation used for each activation: Glorot for the saturating ones,
#: He for the ReLU family and its smooth relatives, LeCun for SELU.
DEFAULT_INIT = {
    "sigmoid": "glorot",
    "tanh": "glorot",
    "relu": "he",
    "leaky_relu": "he",
    "elu": "he",
    "gelu": "he",
    "silu": "he",
    "selu": "lecun",
}


@dataclass
class Run:
    """Curves of one training run (one activation, one seed).

    ``loss`` and ``accuracy`` are on the training set before each step and
    after the last, ``(steps + 1,)``; ``test_loss`` and ``test_accuracy`` are on
    the test set at ``test_steps`` (every ``eval_every`` steps and the last).
    """

    loss: FloatArray
    accuracy: FloatArray
    test_steps: FloatArray
    test_loss: FloatArray
    test_accuracy: FloatArray
    net: MLP | None = None


def adam_train(
    net: MLP,
    X: ArrayLike,
    y: ArrayLike,
    X_test: ArrayLike,
    y_test: ArrayLike,
    *,
    lr: float = 0.01,
    steps: int = 400,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    eval_every: int = 10,
) -> Run:
    r"""Train ``net`` in place with full-batch Adam (Kingma & Ba, 2015); record curves on both sets.

    Each step computes the gradient :math:`g`, updates the moving averages
    :math:`m \leftarrow \beta_1 m + (1-\beta_1) g` and
    :math:`v \leftarrow \beta_2 v + (1-\beta_2) g^2` (``betas`` are
    :math:`\beta_1, \beta_2`), corrects their bias and moves every parameter by
    :math:`-\eta\, \hat m / (\sqrt{\hat v} + \epsilon)`. The test set is
    evaluated, never trained on, every ``eval_every`` steps and after the last.
    """
    y, y_test = as_float_array(y), as_float_array(y_test)
    loss, acc = np.empty(steps + 1), np.empty(steps + 1)
    test_steps = [k for k in range(steps + 1) if k % eval_every == 0 or k == steps]
    test_loss, test_acc = [], []

    def record(s: Step) -> None:
        loss[s.step] = s.loss
        acc[s.step] = float(np.mean((s.trace.logits > 0) == (y > 0.5)))
        if s.step in test_steps:
            test_logits = net.forward(X_test).logits
            test_loss.append(binary_cross_entropy(test_logits, y_test))
            test_acc.append(float(np.mean((test_logits > 0) == (y_test > 0.5))))

    train(net, X, y, lr=lr, steps=steps, optimizer="adam", betas=betas, eps=eps, hooks=[record])
    return Run(loss, acc, np.array(test_steps), np.array(test_loss), np.array(test_acc), net)


def compare(
    activations: Sequence[str],
    seeds: Sequence[int] = (0, 1, 2),
    *,
    depth: int = 2,
    width: int = 32,
    steps: int = 300,
    lr: float = 0.02,
    n_train: int = 300,
    n_test: int = 300,
    data_seed: int = 0,
) -> dict[str, list[Run]]:
    """Train the same architecture with every activation and seed; runs by activation, in ``seeds`` order.

    The data are the same for all runs (:func:`two_spirals`, ``n_train``
    points with ``data_seed`` for training and ``n_test`` with
    ``data_seed + 1`` for testing); the seed changes only the initial weights.
    Each activation gets its initialisation from :data:`DEFAULT_INIT`. The
    network has ``depth`` hidden layers of ``width`` units and is trained by
    ``steps`` Adam steps of size ``lr``.
    """
    X, y = two_spirals(n_train, seed=data_seed)
    X_test, y_test = two_spirals(n_test, seed=data_seed + 1)
    runs: dict[str, list[Run]] = {}
    for name in activations:
        runs[name] = []
        for seed in seeds:
            net = make_mlp(depth, width, 2, name, DEFAULT_INIT.get(name, "glorot"), seed=seed)
            runs[name].append(adam_train(net, X, y, X_test, y_test, lr=lr, steps=steps))
    return runs


def summarise(runs: Sequence[Run], field: str = "loss") -> dict[str, FloatArray]:
    """Reduce runs that differ only in their seed to ``mean``, ``min``, ``max`` and ``final``.

    The first three are curves over the steps. ``field`` is ``"loss"``, ``"accuracy"``, ``"test_loss"`` or
    ``"test_accuracy"`` (the test curves are at ``Run.test_steps``); ``final``
    holds the last value of each run.
    """
    curves = np.array([getattr(run, field) for run in runs])
    return {"mean": curves.mean(axis=0), "min": curves.min(axis=0), "max": curves.max(axis=0),
            "final": curves[:, -1]}
