"""Explorer of the logistic sigmoid, its slope and where it saturates."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.activations.sigmoid import sigmoid, sigmoid_grad
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = ["SATURATION_THRESHOLD", "render_sigmoid", "sigmoid_controls", "sigmoid_explorer"]

#: Slope below which the explorer marks the sigmoid as saturated.
SATURATION_THRESHOLD = 0.01

X_LIMITS = (2, 4, 6, 10, 20)
STEEPNESS = (0.25, 0.5, 1, 2, 4)


def sigmoid_controls() -> dict[str, Control]:
    r"""Return the explorer's controls: input range, steepness and view.

    Returns
    -------
    dict of str to Control
        ``xlim`` (half-width of the plotted interval), ``k`` (steepness in
        :math:`\sigma(kx)`) and ``view`` (function or derivative): 50 states.
    """
    return {
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "k": Control.numbers("steepness k", STEEPNESS),
        "view": Control("show", [("σ(kx)", "function"), ("slope d/dx σ(kx)", "derivative")]),
    }


def _saturated_spans(x: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """Return the ``(start, end)`` x-intervals over which ``mask`` is true."""
    spans = []
    edges = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    for segment in np.split(np.arange(x.size), edges):
        if mask[segment[0]]:
            spans.append((float(x[segment[0]]), float(x[segment[-1]])))
    return spans


def render_sigmoid(xlim: float, k: float, view: str) -> Figure:
    r"""Draw :math:`\sigma(kx)` or its slope :math:`k\,\sigma'(kx)` on ``[-xlim, xlim]``.

    The region where the slope :math:`k\,\sigma'(kx)` is below
    :data:`SATURATION_THRESHOLD` is shaded; the standard sigmoid (``k = 1``)
    is drawn dashed for comparison.

    Parameters
    ----------
    xlim : float
        Half-width of the plotted interval.
    k : float
        Steepness; the unit computes :math:`\sigma(kx)`.
    view : {"function", "derivative"}
        What to plot.

    Returns
    -------
    matplotlib.figure.Figure
        A 640 x 320 pixel figure at 80 dpi.
    """
    if view not in ("function", "derivative"):
        raise ValueError(f"view must be 'function' or 'derivative', not {view!r}")
    x = np.linspace(-xlim, xlim, 801)
    slope = k * sigmoid_grad(k * x)
    saturated = slope < SATURATION_THRESHOLD

    fig, ax = plt.subplots(figsize=(8, 4))
    # Fixed margins instead of constrained layout: every state gets the same
    # pixel size and plot area, and rendering takes half the time.
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.86)
    if view == "function":
        y, ref = sigmoid(k * x), sigmoid(x)
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel(r"$\sigma(kx)$")
        color, label = FUNCTION_COLOR, f"σ({k:g}x)"
        title = f"σ(kx) = 1/(1 + exp(−kx)) with k = {k:g}"
    else:
        y, ref = slope, sigmoid_grad(x)
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel(r"slope $k\,\sigma'(kx)$")
        color, label = DERIVATIVE_COLOR, f"{k:g} σ′({k:g}x)"
        title = f"slope k σ′(kx) with k = {k:g}: peak k/4 = {k / 4:g} at x = 0"
    for i, (a, b) in enumerate(_saturated_spans(x, saturated)):
        ax.axvspan(
            a,
            b,
            color="0.85",
            zorder=0,
            label=f"saturated: slope < {SATURATION_THRESHOLD:g}" if i == 0 else None,
        )
    if k != 1:
        ax.plot(x, ref, color="0.45", lw=1.2, ls="--", label="k = 1")
    ax.plot(x, y, color=color, lw=2.2, label=label)
    ax.set_xlim(-xlim, xlim)
    style_axes(ax)
    fraction = saturated.mean()
    spans = _saturated_spans(x, saturated)
    if view == "function":
        shown = (f"The S-shaped curve σ({k:g}x) rising from 0 to 1 on x from −{xlim:g} to {xlim:g}"
                 + (", with the standard sigmoid (k = 1) dashed for comparison" if k != 1 else ""))
    else:
        shown = (f"The bell-shaped slope {k:g}·σ′({k:g}x) on x from −{xlim:g} to {xlim:g}, peaking at "
                 f"{k / 4:g} at x = 0")
        shown += ", with the slope of the standard sigmoid dashed" if k != 1 else ""
    if spans:
        edge = float(np.abs(x[saturated]).min())
        where = f"Shaded grey where the slope is below {SATURATION_THRESHOLD:g}: |x| above about {edge:.2g}"
    else:
        where = f"Nowhere on this range is the slope below {SATURATION_THRESHOLD:g}"
    set_alt(fig, f"{shown}. {where}: {fraction:.0%} of the range is saturated, where almost no "
                 "gradient passes back; a larger k makes the curve steeper and the saturated share larger.")
    # Plain text rather than mathtext in the labels that change from state to
    # state: parsing mathtext was a third of the rendering time.
    ax.set_title(f"{title}\n{fraction:.0%} of [−{xlim:g}, {xlim:g}] is saturated", fontsize=11)
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    return fig


def sigmoid_explorer() -> PrecomputedFigure:
    """Return the kernel-free sigmoid explorer widget of the sigmoid chapter.

    Returns
    -------
    PrecomputedFigure
        Controls for the input range, the steepness ``k`` and the view
        (function or slope), switching between 50 precomputed images.
    """
    return precomputed_figure(render_sigmoid, sigmoid_controls(), dpi=80, bbox_inches=None)
