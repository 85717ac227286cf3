"""Explorer of the logistic sigmoid, its slope and where it saturates."""

from __future__ import annotations

import numpy as np

from actgrad.activations.sigmoid import sigmoid, sigmoid_grad
from actgrad.widgets.explorer import (
    Plot,
    Reference,
    function_explorer,
    is_derivative,
    saturated_spans,
    view_control,
)
from actgrad.widgets.precomputed import Control, PrecomputedFigure

__all__ = ["SATURATION_THRESHOLD", "sigmoid_controls", "sigmoid_explorer", "sigmoid_plot"]

#: Slope below which the sigmoid and tanh explorers mark a unit as saturated.
SATURATION_THRESHOLD = 0.01

X_LIMITS = (2, 4, 6, 10, 20)
STEEPNESS = (0.25, 0.5, 1, 2, 4)


def sigmoid_controls() -> dict[str, Control]:
    """Input range, steepness k of σ(kx) and view: 50 states."""
    return {
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "k": Control.numbers("steepness k", STEEPNESS),
        "view": view_control("σ(kx)", "slope d/dx σ(kx)"),
    }


def sigmoid_plot(xlim: float, k: float, view: str) -> Plot:
    r"""σ(kx) or its slope :math:`k\,\sigma'(kx)`, shaded where the slope is below the threshold."""
    derivative = is_derivative(view)
    x = np.linspace(-xlim, xlim, 801)
    slope = k * sigmoid_grad(k * x)
    saturated = slope < SATURATION_THRESHOLD
    spans = saturated_spans(x, saturated)
    fraction = saturated.mean()
    if not derivative:
        y, ref = sigmoid(k * x), sigmoid(x)
        ylabel, label = r"$\sigma(kx)$", f"σ({k:g}x)"
        title = f"σ(kx) = 1/(1 + exp(−kx)) with k = {k:g}"
        shown = (f"The S-shaped curve σ({k:g}x) rising from 0 to 1 on x from −{xlim:g} to {xlim:g}"
                 + (", with the standard sigmoid (k = 1) dashed for comparison" if k != 1 else ""))
    else:
        y, ref = slope, sigmoid_grad(x)
        ylabel, label = r"slope $k\,\sigma'(kx)$", f"{k:g} σ′({k:g}x)"
        title = f"slope k σ′(kx) with k = {k:g}: peak k/4 = {k / 4:g} at x = 0"
        shown = (f"The bell-shaped slope {k:g}·σ′({k:g}x) on x from −{xlim:g} to {xlim:g}, peaking at "
                 f"{k / 4:g} at x = 0")
        shown += ", with the slope of the standard sigmoid dashed" if k != 1 else ""
    if spans:
        edge = float(np.abs(x[saturated]).min())
        where = f"Shaded grey where the slope is below {SATURATION_THRESHOLD:g}: |x| above about {edge:.2g}"
    else:
        where = f"Nowhere on this range is the slope below {SATURATION_THRESHOLD:g}"
    return Plot(
        x, y, label, ylim=(-0.05, 1.05), ylabel=ylabel, derivative=derivative,
        title=f"{title}\n{fraction:.0%} of [−{xlim:g}, {xlim:g}] is saturated",
        alt=f"{shown}. {where}: {fraction:.0%} of the range is saturated, where almost no gradient passes "
            "back; a larger k makes the curve steeper and the saturated share larger.",
        references=[Reference(ref, "k = 1")] if k != 1 else [],
        shade=spans, shade_label=f"saturated: slope < {SATURATION_THRESHOLD:g}",
    )


def sigmoid_explorer() -> PrecomputedFigure:
    """The sigmoid chapter's explorer: input range, steepness k and view, 50 pictures."""
    return function_explorer(sigmoid_plot, sigmoid_controls())
