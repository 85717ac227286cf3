"""Explorer of a ReLU unit with a bias: where its gradient is zero, and for how many inputs."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from actgrad.activations.gelu import normal_cdf
from actgrad.activations.relu import relu, relu_grad
from actgrad.plotting import OKABE_ITO
from actgrad.widgets.explorer import Kink, Plot, function_explorer, is_derivative, view_control
from actgrad.widgets.precomputed import Control, PrecomputedFigure

__all__ = ["relu_controls", "relu_explorer", "relu_plot"]

# The first options are the state the reader sees first: a bias of -2 with the
# bend inside the plotted range.
X_LIMITS = (3, 5, 10)
BIASES = (-2, -1, 0, 1, 2)
DENSITY_COLOR = OKABE_ITO["bluish green"]


def _num(value: float) -> str:
    """``value`` with a typographic minus sign."""
    return f"{value:g}".replace("-", "−")


def relu_controls() -> dict[str, Control]:
    """Input range, bias b of relu(x + b) and view: 30 states."""
    return {
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "b": Control.numbers("bias b", BIASES),
        "view": view_control("relu(x + b)", "derivative"),
    }


def relu_plot(xlim: float, b: float, view: str) -> Plot:
    r"""relu(x + b) or its derivative, over the density of x ~ N(0, 1).

    The inputs with :math:`x + b \le 0`, which get no gradient, are shaded, and
    so is the part of the density over them, whose area :math:`\Phi(-b)` the
    title gives.
    """
    derivative = is_derivative(view)
    x = np.linspace(-xlim, xlim, 801)
    kink = -b
    ylim = (-0.1, 1.9) if derivative else (-0.1 * (xlim + 2), 1.05 * (xlim + 2))  # room for the legend

    def density(ax: Axes) -> None:
        # Scaled so that its peak reaches 40% of the plot height (a second y
        # axis would double the rendering time of every state).
        y_low, y_high = ylim
        curve = np.exp(-0.5 * x**2) / np.sqrt(2 * np.pi)
        curve *= 0.4 * (y_high - y_low) / curve.max()
        dead = x + b <= 0
        ax.fill_between(x, y_low, y_low + curve, where=~dead, color=DENSITY_COLOR, alpha=0.25, lw=0,
                        label="density of the input x ~ N(0, 1)")
        ax.fill_between(x, y_low, y_low + curve, where=dead, facecolor="0.6", edgecolor="0.3", hatch="///",
                        lw=0, label="inputs that get no gradient")

    if not derivative:
        y, ylabel = relu(x + b), r"$\mathrm{relu}(x + b)$"
        label = f"relu(x {'−' if b < 0 else '+'} {abs(b):g})"
        title = f"relu(x + b) = max(0, x + b) with b = {_num(b)}"
        shown = (f"The ReLU curve relu(x + b) with b = {_num(b)}: flat at 0 up to x = {_num(kink)}, "
                 "then a line of slope 1")
    else:
        y, label, ylabel = relu_grad(x + b), "relu′(x + b)", r"$\mathrm{relu}'(x + b)$"
        title = (f"derivative of relu(x + b), b = {_num(b)}: 0 for x ≤ {_num(kink)}, 1 above"
                 " (filled dot: the value at the kink)")
        shown = f"The derivative of relu(x + b) with b = {_num(b)}: 0 up to x = {_num(kink)}, 1 above"
    share = float(normal_cdf(-b))
    return Plot(
        x, y, label, ylim=ylim, ylabel=ylabel, derivative=derivative, title_size=10,
        title=f"{title}\nan input x ~ N(0, 1) gets zero gradient with probability Φ(−b) = {share:.1%}",
        alt=f"{shown}, on x from −{xlim:g} to {xlim:g}. The inputs with x + b ≤ 0 are shaded; along the "
            "bottom, the bell of the input density N(0, 1) is hatched grey over them. An input gets zero "
            f"gradient with probability Φ(−b) = {share:.1%}: a more negative bias leaves more inputs "
            "without any gradient.",
        shade=[(-xlim, min(kink, xlim))] if kink > -xlim else [], shade_label="zero gradient: x + b ≤ 0",
        shade_color="0.9", under=density,
        kink=Kink(kink, 0.0, 1.0) if derivative else None,
    )


def relu_explorer() -> PrecomputedFigure:
    """The ReLU chapter's explorer: input range, bias b and view, 30 pictures."""
    return function_explorer(relu_plot, relu_controls())
