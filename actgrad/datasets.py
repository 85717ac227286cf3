r"""The data sets the experiments train on: small, synthetic, drawn from fixed seeds.

Every function returns ``(X, y)`` with samples as rows of ``X``: labels in
{0.0, 1.0} for the binary tasks (:class:`actgrad.network.MLP` with loss
``"bce"``), real targets of shape ``(n, d_out)`` for regression (``"mse"``).
A data set with several classes returns integer labels, for the loss
``"softmax"``: :func:`digits_data`, the one real data set, is such a function.
"""

from __future__ import annotations

import operator

import numpy as np

from actgrad._array import FloatArray

__all__ = [
    "circles_data",
    "digits_data",
    "disc_data",
    "make_regression_data",
    "make_task",
    "regression_data",
    "two_spirals",
    "xor_data",
]


def make_task(n: int = 256, d_in: int = 10, seed: int = 0) -> tuple[FloatArray, FloatArray]:
    r"""Draw Gaussian inputs :math:`x \sim N(0, I)`, labelled 1 where :math:`\sin(2u^\top x) + v^\top x > 0`.

    ``u`` and ``v`` are two fixed random unit vectors: a boundary no straight line follows.
    """
    rng = np.random.default_rng(seed)
    u, v = rng.normal(size=(2, d_in))
    u, v = u / np.linalg.norm(u), v / np.linalg.norm(v)
    X = rng.normal(size=(n, d_in))
    y = (np.sin(2.0 * X @ u) + X @ v > 0).astype(np.float64)
    return X, y


def disc_data(n: int, rng: np.random.Generator, noise: float = 0.3) -> tuple[FloatArray, FloatArray]:
    r"""Draw standard normal points in the plane, class 1 inside a noisy circle.

    A point is class 1 where :math:`\lVert x \rVert + \varepsilon < \sqrt{2\ln 2}`
    with :math:`\varepsilon \sim N(0, \text{noise}^2)`; the radius is the
    median norm, so without noise the classes are equally likely.

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


def _check_n(n: int) -> int:
    if int(n) != n or n < 4:
        raise ValueError(f"n must be an integer of at least 4, not {n!r}")
    return int(n)


def xor_data(n: int, rng: np.random.Generator, noise: float = 0.3) -> tuple[FloatArray, FloatArray]:
    r"""Draw four Gaussian blobs at :math:`(\pm 1, \pm 1)`; class 1 at :math:`(1, -1)` and :math:`(-1, 1)`.

    Each blob gets ``n // 4`` points, give or take one, with standard deviation ``noise``.
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
    """Draw two concentric circles, radii 1 (class 0) and ``factor`` (class 1), with Gaussian ``noise``."""
    n = _check_n(n)
    if not 0 < factor < 1:
        raise ValueError(f"factor must lie strictly between 0 and 1, not {factor!r}")
    inner = rng.permutation(np.arange(n) % 2).astype(bool)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    radius = np.where(inner, factor, 1.0)
    X = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal((n, 2))
    return X, inner.astype(np.float64)


def two_spirals(
    n: int = 400, turns: float = 1.75, noise: float = 0.08, seed: int = 0
) -> tuple[FloatArray, FloatArray]:
    r"""Draw two interleaved spirals of ``turns`` turns filling about :math:`[-1, 1]^2`, half the points each.

    Class 0 follows :math:`r(\cos t, \sin t)` with :math:`r = t/(2\pi\,\text{turns})`,
    class 1 the same curve turned by :math:`\pi`; Gaussian ``noise`` is added.

    >>> X, y = two_spirals(10, seed=1)
    >>> X.shape, float(y.mean())
    ((10, 2), 0.5)
    """
    rng = np.random.default_rng(seed)
    half = n // 2
    t_max = 2.0 * np.pi * turns
    t = rng.uniform(np.pi / 4, t_max, size=half)
    r = t / t_max
    arm = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    X = np.concatenate([arm, -arm]) + rng.normal(0.0, noise, size=(2 * half, 2))
    y = np.concatenate([np.zeros(half), np.ones(half)])
    order = rng.permutation(2 * half)
    return X[order], y[order]


def regression_data(n: int = 256, seed: int = 2013) -> tuple[FloatArray, FloatArray]:
    r"""Draw inputs uniform on :math:`[-2, 2]^2` and targets :math:`\sin(2x_1)\cos(x_2) + x_2^2/2 - 0.6`."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, size=(n, 2))
    y = np.sin(2.0 * x[:, :1]) * np.cos(x[:, 1:]) + 0.5 * x[:, 1:] ** 2 - 0.6
    return x, y


def make_regression_data(
    n: int = 16, d_in: int = 3, d_out: int = 2, seed: int = 1
) -> tuple[FloatArray, FloatArray]:
    """Draw Gaussian inputs ``(n, d_in)`` and smooth targets ``sin(X @ M)`` for a random ``M``."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d_in))
    M = rng.normal(size=(d_in, d_out))
    return X, np.sin(X @ M)


def digits_data(
    test_fraction: float = 0.25, seed: int = 0
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """scikit-learn's 1,797 handwritten digits (8x8 pixels, 0 to 16), split into training and test sets.

    Returns ``(X_train, y_train, X_test, y_test)``: pixels scaled to [0, 1] and
    flattened to 64 features, integer labels 0 to 9 stored as floats. The split
    is stratified by digit and drawn from `seed`; the data ship inside
    scikit-learn, so nothing is downloaded.

    >>> X_train, y_train, X_test, y_test = digits_data()
    >>> X_train.shape, X_test.shape, float(X_train.max()), sorted(set(y_test.tolist())) == list(range(10))
    ((1347, 64), (450, 64), 1.0, True)
    """
    from sklearn.datasets import load_digits

    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must lie strictly between 0 and 1, not {test_fraction!r}")
    X, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for digit in range(10):
        members = rng.permutation(np.flatnonzero(y == digit))
        test[members[: round(test_fraction * len(members))]] = True
    X = X.astype(np.float64) / 16.0
    y = y.astype(np.float64)
    return X[~test], y[~test], X[test], y[test]
