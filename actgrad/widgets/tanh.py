"""Explorer of the hyperbolic tangent, its slope and where it saturates, next to the sigmoid."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.activations.sigmoid import sigmoid, sigmoid_grad
from actgrad.activations.tanh import tanh, tanh_grad
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt
from actgrad.widgets.sigmoid import SATURATION_THRESHOLD, _saturated_spans

__all__ = ["render_tanh", "tanh_controls", "tanh_explorer"]

# The first options are the state the reader sees first: the plain tanh.
X_LIMITS = (3, 5, 10)
STEEPNESS = (1, 2, 3)
SIGMOID_COLOR = "0.35"


def tanh_controls() -> dict[str, Control]:
    r"""Return the explorer's controls: input range, steepness, view and comparison.

    Returns
    -------
    dict of str to Control
        ``xlim`` (half-width of the plotted interval), ``k`` (steepness in
        :math:`\tanh(kx)`), ``view`` (function or slope) and ``compare``
        (whether to draw :math:`\sigma(kx)` as well): 3 x 3 x 2 x 2 = 36 states.
    """
    return {
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "k": Control.numbers("steepness k", STEEPNESS),
        "view": Control("show", [("tanh(kx)", "function"), ("slope d/dx tanh(kx)", "derivative")]),
        "compare": Control("sigmoid σ(kx)", [("hidden", False), ("shown", True)]),
    }


def render_tanh(xlim: float, k: float, view: str, compare: bool) -> Figure:
    r"""Draw :math:`\tanh(kx)` or its slope :math:`k\,\tanh'(kx)` on ``[-xlim, xlim]``.

    Inputs where the slope is below the sigmoid chapter's
    ``SATURATION_THRESHOLD`` (0.01) are shaded. With ``compare`` the sigmoid
    :math:`\sigma(kx)` (or its slope :math:`k\,\sigma'(kx)`) is drawn dashed,
    and the title gives the saturated share of the interval for both.

    Parameters
    ----------
    xlim : float
        Half-width of the plotted interval.
    k : float
        Steepness; the unit computes :math:`\tanh(kx)`.
    view : {"function", "derivative"}
        What to plot.
    compare : bool
        Whether to add the sigmoid.

    Returns
    -------
    matplotlib.figure.Figure
        A 640 x 320 pixel figure at 80 dpi.
    """
    if view not in ("function", "derivative"):
        raise ValueError(f"view must be 'function' or 'derivative', not {view!r}")
    x = np.linspace(-xlim, xlim, 801)
    slope = k * tanh_grad(k * x)
    slope_sigmoid = k * sigmoid_grad(k * x)
    saturated = slope < SATURATION_THRESHOLD

    kx = "x" if k == 1 else f"{k:g}x"
    fig, ax = plt.subplots(figsize=(8, 4))
    # Fixed margins: every state has the same pixel size and plot area.
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.86)
    if view == "function":
        y, y_sigmoid = tanh(k * x), sigmoid(k * x)
        ax.set_ylim(-1.15, 1.15)
        ax.set_ylabel(r"$\tanh(kx)$")
        color, label, label_sigmoid = FUNCTION_COLOR, f"tanh({kx})", f"σ({kx})"
        title = f"tanh(kx) with k = {k:g}: outputs in (−1, 1), centred on 0"
    else:
        y, y_sigmoid = slope, slope_sigmoid
        ax.set_ylim(-0.05, 1.05 * max(STEEPNESS))
        ax.set_ylabel(r"slope $k\,\tanh'(kx)$")
        factor = "" if k == 1 else f"{k:g} "
        color = DERIVATIVE_COLOR
        label, label_sigmoid = f"{factor}tanh′({kx})", f"{factor}σ′({kx})"
        title = f"slope k tanh′(kx) with k = {k:g}: peak k = {k:g} at x = 0"
    for i, (a, b) in enumerate(_saturated_spans(x, saturated)):
        ax.axvspan(
            a,
            b,
            color="0.85",
            zorder=0,
            label=f"tanh saturated: slope < {SATURATION_THRESHOLD:g}" if i == 0 else None,
        )
    if compare:
        ax.plot(x, y_sigmoid, color=SIGMOID_COLOR, lw=1.6, ls="--", label=label_sigmoid)
    ax.plot(x, y, color=color, lw=2.2, label=label)
    ax.set_xlim(-xlim, xlim)
    style_axes(ax)
    # Plain text, not mathtext, in the labels that change from state to state
    # (parsing mathtext is slow).
    share = f"{saturated.mean():.0%} of [−{xlim:g}, {xlim:g}] is saturated for tanh"
    if compare:
        share += f", {np.mean(slope_sigmoid < SATURATION_THRESHOLD):.0%} for σ"
    ax.set_title(f"{title}\n{share}", fontsize=11)
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    if view == "function":
        shown = f"The S-shaped curve tanh({kx}) rising from −1 to 1 through 0"
        other = f", with the sigmoid σ({kx}) dashed, which runs from 0 to 1" if compare else ""
    else:
        shown = f"The bell-shaped slope {label} peaking at {k:g} at x = 0"
        other = f", with the sigmoid's slope {label_sigmoid} dashed, peaking at only {k / 4:g}"
        other = other if compare else ""
    return set_alt(fig, f"{shown}{other}, on x from −{xlim:g} to {xlim:g}. Grey shading marks where the "
                        f"tanh slope is below {SATURATION_THRESHOLD:g}: {share}. Tanh is centred on 0 "
                        "and its slope peaks four times higher than the sigmoid's at the same k.")


def tanh_explorer() -> PrecomputedFigure:
    """Return the kernel-free tanh explorer widget of the tanh chapter.

    Returns
    -------
    PrecomputedFigure
        Controls for the input range, the steepness ``k``, the view (function
        or slope) and the sigmoid comparison, switching between 36
        precomputed images.
    """
    return precomputed_figure(render_tanh, tanh_controls(), dpi=80, bbox_inches=None)
