"""Explorer of the hyperbolic tangent, its slope and where it saturates, next to the sigmoid."""

from __future__ import annotations

import numpy as np

from actgrad.activations.sigmoid import sigmoid, sigmoid_grad
from actgrad.activations.tanh import tanh, tanh_grad
from actgrad.widgets.explorer import (
    Plot,
    Reference,
    function_explorer,
    is_derivative,
    saturated_spans,
    view_control,
)
from actgrad.widgets.precomputed import Control, PrecomputedFigure
from actgrad.widgets.sigmoid import SATURATION_THRESHOLD

__all__ = ["tanh_controls", "tanh_explorer", "tanh_plot"]

# The first options are the state the reader sees first: the plain tanh.
X_LIMITS = (3, 5, 10)
STEEPNESS = (1, 2, 3)


def tanh_controls() -> dict[str, Control]:
    """Input range, steepness k of tanh(kx), view and the sigmoid for comparison: 36 states."""
    return {
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "k": Control.numbers("steepness k", STEEPNESS),
        "view": view_control("tanh(kx)", "slope d/dx tanh(kx)"),
        "compare": Control("sigmoid σ(kx)", [("hidden", False), ("shown", True)]),
    }


def tanh_plot(xlim: float, k: float, view: str, compare: bool) -> Plot:
    r"""tanh(kx) or its slope :math:`k\,\tanh'(kx)`, with σ(kx) (or its slope) dashed if ``compare``."""
    derivative = is_derivative(view)
    x = np.linspace(-xlim, xlim, 801)
    slope = k * tanh_grad(k * x)
    slope_sigmoid = k * sigmoid_grad(k * x)
    saturated = slope < SATURATION_THRESHOLD
    kx = "x" if k == 1 else f"{k:g}x"
    if not derivative:
        y, y_sigmoid = tanh(k * x), sigmoid(k * x)
        ylim, ylabel = (-1.15, 1.15), r"$\tanh(kx)$"
        label, label_sigmoid = f"tanh({kx})", f"σ({kx})"
        title = f"tanh(kx) with k = {k:g}: outputs in (−1, 1), centred on 0"
        shown = f"The S-shaped curve tanh({kx}) rising from −1 to 1 through 0"
        other = f", with the sigmoid σ({kx}) dashed, which runs from 0 to 1"
    else:
        y, y_sigmoid = slope, slope_sigmoid
        ylim, ylabel = (-0.05, 1.05 * max(STEEPNESS)), r"slope $k\,\tanh'(kx)$"
        factor = "" if k == 1 else f"{k:g} "
        label, label_sigmoid = f"{factor}tanh′({kx})", f"{factor}σ′({kx})"
        title = f"slope k tanh′(kx) with k = {k:g}: peak k = {k:g} at x = 0"
        shown = f"The bell-shaped slope {label} peaking at {k:g} at x = 0"
        other = f", with the sigmoid's slope {label_sigmoid} dashed, peaking at only {k / 4:g}"
    share = f"{saturated.mean():.0%} of [−{xlim:g}, {xlim:g}] is saturated for tanh"
    if compare:
        share += f", {np.mean(slope_sigmoid < SATURATION_THRESHOLD):.0%} for σ"
    return Plot(
        x, y, label, ylim=ylim, ylabel=ylabel, derivative=derivative, title=f"{title}\n{share}",
        alt=f"{shown}{other if compare else ''}, on x from −{xlim:g} to {xlim:g}. Grey shading marks where "
            f"the tanh slope is below {SATURATION_THRESHOLD:g}: {share}. Tanh is centred on 0 and its slope "
            "peaks four times higher than the sigmoid's at the same k.",
        references=[Reference(y_sigmoid, label_sigmoid, color="0.35", lw=1.6)] if compare else [],
        shade=saturated_spans(x, saturated), shade_label=f"tanh saturated: slope < {SATURATION_THRESHOLD:g}",
    )


def tanh_explorer() -> PrecomputedFigure:
    """The tanh chapter's explorer: input range, steepness k, view and the sigmoid, 36 pictures."""
    return function_explorer(tanh_plot, tanh_controls())
