r"""Weight initialisers: Glorot (Xavier), He (Kaiming) and LeCun.

Each returns a ``(fan_in, fan_out)`` float64 array, the weight matrix ``W`` of
a dense layer computing ``x @ W``, drawn with the ``numpy.random.Generator``
passed in, so a fixed seed gives the same weights (a seed, ``None`` or a
legacy ``RandomState`` is refused, and so is a fan that is not an integer of
at least 1). The variance is chosen so
that signals (Glorot: signals and gradients) keep their scale from layer to
layer:

* :func:`glorot_uniform`: :math:`U(-b, b)` with :math:`b = \sqrt{6/(n_{in}+n_{out})}`,
  variance :math:`2/(n_{in}+n_{out})`;
* :func:`glorot_normal`: :math:`N(0, 2/(n_{in}+n_{out}))`;
* :func:`he_uniform`: :math:`U(-b, b)` with :math:`b = \sqrt{6/n_{in}}`, variance
  :math:`2/n_{in}`;
* :func:`he_normal`: :math:`N(0, 2/n_{in})`;
* :func:`lecun_normal`: :math:`N(0, 1/n_{in})`.

:func:`gain` gives the factor by which an activation asks to scale the
standard deviation of a variance-1 / fan-in initialisation.
"""

from __future__ import annotations

import math
import operator

import numpy as np

from actgrad._array import FloatArray


def _check(fan_in: int, fan_out: int, rng: np.random.Generator) -> tuple[int, int]:
    """Validate the fans and the generator; return the fans as ints."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            "rng must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)), "
            f"got {type(rng).__name__}"
        )
    fans = []
    for name, fan in (("fan_in", fan_in), ("fan_out", fan_out)):
        if isinstance(fan, bool):
            raise TypeError(f"{name} must be an integer, got {fan!r}")
        try:
            fan = operator.index(fan)
        except TypeError:
            raise TypeError(f"{name} must be an integer, got {fan!r}") from None
        if fan < 1:
            raise ValueError(f"{name} must be at least 1, got {fan}")
        fans.append(fan)
    return fans[0], fans[1]


def glorot_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> FloatArray:
    r"""Glorot (Xavier) uniform initialisation (Glorot & Bengio, 2010).

    Draws from :math:`U(-b, b)` with :math:`b = \sqrt{6 / (n_{in} + n_{out})}`,
    which has variance :math:`b^2/3 = 2 / (n_{in} + n_{out})`.

    >>> w = glorot_uniform(3, 5, np.random.default_rng(0))
    >>> w.shape, bool(np.all(np.abs(w) <= np.sqrt(6 / 8)))
    ((3, 5), True)
    """
    fan_in, fan_out = _check(fan_in, fan_out, rng)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def glorot_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> FloatArray:
    r"""Glorot (Xavier) normal initialisation: :math:`N(0, 2 / (n_{in} + n_{out}))`."""
    fan_in, fan_out = _check(fan_in, fan_out, rng)
    return rng.normal(0.0, math.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> FloatArray:
    r"""He (Kaiming) uniform initialisation: :math:`U(-b, b)`, :math:`b = \sqrt{6 / n_{in}}`.

    The variance is :math:`b^2/3 = 2 / n_{in}`, as for :func:`he_normal`.
    """
    fan_in, fan_out = _check(fan_in, fan_out, rng)
    bound = math.sqrt(6.0 / fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> FloatArray:
    r"""He (Kaiming) normal initialisation (He et al., 2015): :math:`N(0, 2 / n_{in})`.

    The factor 2 makes up for ReLU zeroing half of its inputs, so that the
    second moment of the pre-activations is the same in every layer.

    >>> he_normal(4, 2, np.random.default_rng(0)).shape
    (4, 2)
    """
    fan_in, fan_out = _check(fan_in, fan_out, rng)
    return rng.normal(0.0, math.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


def lecun_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> FloatArray:
    r"""LeCun normal initialisation: :math:`N(0, 1 / n_{in})`.

    The initialisation that keeps SELU networks self-normalising
    (Klambauer et al., 2017).
    """
    fan_in, fan_out = _check(fan_in, fan_out, rng)
    return rng.normal(0.0, math.sqrt(1.0 / fan_in), size=(fan_in, fan_out))


def gain(name: str, param: float | None = None) -> float:
    r"""Return the recommended gain (factor on the weights' standard deviation).

    ==================  ==========================================================
    ``name``            gain
    ==================  ==========================================================
    ``"linear"``        1
    ``"sigmoid"``       1
    ``"tanh"``          5/3
    ``"relu"``          :math:`\sqrt{2}`
    ``"leaky_relu"``    :math:`\sqrt{2 / (1 + a^2)}`, ``a = param`` (0.01 if ``None``)
    ``"selu"``          1
    ==================  ==========================================================

    These are PyTorch's ``torch.nn.init.calculate_gain`` values except for
    SELU. PyTorch returns 3/4 for ``"selu"``, a value its documentation says
    "sacrifices the normalisation effect for more stable gradient flow in
    rectangular layers", and tells users who want self-normalising networks
    to pass ``"linear"`` instead. We return 1, the LeCun normal
    initialisation (variance :math:`1/n_{in}`): SELU's constants are derived
    (:func:`actgrad.activations.selu_constants`) so that mean 0 and variance
    1 is a stable fixed point of the layer map exactly when the weights have
    :math:`\sum_j w_j^2 = 1` on average, and a gain of 3/4 would scale that
    by 9/16 and move the activations away from unit variance.

    >>> gain("tanh")
    1.6666666666666667
    >>> round(gain("leaky_relu", 0.2), 6)
    1.38675
    """
    if name in ("linear", "sigmoid", "selu"):
        return 1.0
    if name == "tanh":
        return 5.0 / 3.0
    if name == "relu":
        return math.sqrt(2.0)
    if name == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    raise ValueError(
        "gain: unknown activation "
        f"{name!r}; expected one of 'linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'"
    )
