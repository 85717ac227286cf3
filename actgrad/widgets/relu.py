"""Explorer of a ReLU unit with a bias: where its gradient is zero, and for how many inputs."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.activations.gelu import normal_cdf
from actgrad.activations.relu import relu, relu_grad
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR, OKABE_ITO, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = ["relu_controls", "relu_explorer", "render_relu"]

# The first options are the state the reader sees first: a bias of -2 with the
# bend inside the plotted range.
X_LIMITS = (3, 5, 10)
BIASES = (-2, -1, 0, 1, 2)
DENSITY_COLOR = OKABE_ITO["bluish green"]


def _num(value: float) -> str:
    """Format a number with a typographic minus sign."""
    return f"{value:g}".replace("-", "−")


def relu_controls() -> dict[str, Control]:
    r"""Return the explorer's controls: input range, bias and view.

    Returns
    -------
    dict of str to Control
        ``xlim`` (half-width of the plotted interval), ``b`` (the bias in
        :math:`\mathrm{relu}(x + b)`) and ``view`` (function or derivative):
        3 x 5 x 2 = 30 states.
    """
    return {
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "b": Control.numbers("bias b", BIASES),
        "view": Control("show", [("relu(x + b)", "function"), ("derivative", "derivative")]),
    }


def render_relu(xlim: float, b: float, view: str) -> Figure:
    r"""Draw :math:`\mathrm{relu}(x + b)` or its derivative on ``[-xlim, xlim]``.

    The inputs with :math:`x + b \le 0`, where the derivative is 0 (with the
    convention :math:`\mathrm{relu}'(0) = 0`), are shaded. The standard normal density of
    the input :math:`x` is drawn along the bottom (scaled), its part over the
    shaded inputs in grey, and the title gives that part's area
    :math:`\Phi(-b)`: the probability that such an input gets no gradient.

    Parameters
    ----------
    xlim : float
        Half-width of the plotted interval.
    b : float
        Bias added before the ReLU.
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
    kink = -b

    fig, ax = plt.subplots(figsize=(8, 4))
    # Fixed margins: every state has the same pixel size and plot area.
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.86)
    if view == "function":
        y_low, y_high = -0.1 * (xlim + 2), 1.05 * (xlim + 2)
    else:
        y_low, y_high = -0.1, 1.9  # room for the legend above the line at 1
    ax.set_ylim(y_low, y_high)

    if kink > -xlim:
        ax.axvspan(-xlim, min(kink, xlim), color="0.9", zorder=0, label="zero gradient: x + b ≤ 0")
    # The input density, scaled so that its peak reaches 40% of the plot height
    # (a second y axis would double the rendering time of every state).
    density = np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)
    density *= 0.4 * (y_high - y_low) / density.max()
    dead = x + b <= 0
    ax.fill_between(
        x,
        y_low,
        y_low + density,
        where=~dead,
        color=DENSITY_COLOR,
        alpha=0.25,
        lw=0,
        label="density of the input x ~ N(0, 1)",
    )
    ax.fill_between(
        x,
        y_low,
        y_low + density,
        where=dead,
        facecolor="0.6",
        edgecolor="0.3",
        hatch="///",
        lw=0,
        label="inputs that get no gradient",
    )
    if view == "function":
        ax.plot(
            x, relu(x + b), color=FUNCTION_COLOR, lw=2.2, label=f"relu(x {'−' if b < 0 else '+'} {abs(b):g})"
        )
        ax.set_ylabel(r"$\mathrm{relu}(x + b)$")
        title = f"relu(x + b) = max(0, x + b) with b = {_num(b)}"
    else:
        grad = relu_grad(x + b)
        # Draw the two flat pieces separately so that no vertical line joins them.
        left, right = x <= kink, x > kink
        ax.plot(x[left], grad[left], color=DERIVATIVE_COLOR, lw=2.2, label="relu′(x + b)")
        ax.plot(x[right], grad[right], color=DERIVATIVE_COLOR, lw=2.2)
        if -xlim <= kink <= xlim:
            ax.plot([kink], [0.0], "o", color=DERIVATIVE_COLOR, ms=7)
            ax.plot([kink], [1.0], "o", mfc="white", mec=DERIVATIVE_COLOR, ms=7)
        ax.set_ylabel(r"$\mathrm{relu}'(x + b)$")
        title = (
            f"derivative of relu(x + b), b = {_num(b)}: 0 for x ≤ {_num(kink)}, 1 above"
            " (filled dot: the value at the kink)"
        )
    ax.set_xlim(-xlim, xlim)
    style_axes(ax)
    share = float(normal_cdf(-b))
    ax.set_title(
        f"{title}\nan input x ~ N(0, 1) gets zero gradient with probability Φ(−b) = {share:.1%}", fontsize=10
    )
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    if view == "function":
        shown = (f"The ReLU curve relu(x + b) with b = {_num(b)}: flat at 0 up to x = {_num(kink)}, "
                 "then a line of slope 1")
    else:
        shown = f"The derivative of relu(x + b) with b = {_num(b)}: 0 up to x = {_num(kink)}, 1 above"
    return set_alt(fig, f"{shown}, on x from −{xlim:g} to {xlim:g}. The inputs with x + b ≤ 0 are shaded; "
                        "along the bottom, the bell of the input density N(0, 1) is hatched grey over them. "
                        f"An input gets zero gradient with probability Φ(−b) = {share:.1%}: a more negative "
                        "bias leaves more inputs without any gradient.")


def relu_explorer() -> PrecomputedFigure:
    """Return the kernel-free ReLU explorer widget of the ReLU chapter.

    Returns
    -------
    PrecomputedFigure
        Controls for the input range, the bias ``b`` and the view (function
        or derivative), switching between 30 precomputed images.
    """
    return precomputed_figure(render_relu, relu_controls(), dpi=80, bbox_inches=None)
