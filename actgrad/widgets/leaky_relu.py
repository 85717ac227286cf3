r"""Explorer of the leaky ReLU: its negative slope :math:`\alpha`, input range and derivative.

The chapter *Leaky ReLU and PReLU* shows :func:`leaky_relu_explorer`, a
kernel-free widget (see :mod:`actgrad.widgets.precomputed`) whose every state
is rendered when the page is built.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.activations import leaky_relu, leaky_relu_grad, relu, relu_grad
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = ["ALPHAS", "X_LIMITS", "leaky_relu_controls", "leaky_relu_explorer", "render_leaky_relu"]

#: Negative slopes offered: 0 is the ReLU, 0.01 the common default, 0.25 PReLU's usual start, 1 the identity.
ALPHAS = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0)
#: Half-widths of the plotted input interval.
X_LIMITS = (1, 3, 10)


def leaky_relu_controls() -> dict[str, Control]:
    r"""Return the explorer's controls: slope, input range and view.

    Returns
    -------
    dict of str to Control
        ``alpha`` (slope for :math:`x \le 0`), ``xlim`` (half-width of the
        plotted interval) and ``view`` (function or derivative): 42 states.
    """
    return {
        "alpha": Control.numbers("negative slope α", ALPHAS),
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "view": Control("show", [("function", "function"), ("derivative", "derivative")]),
    }


def _describe(alpha: float) -> str:
    if alpha == 0:
        return "α = 0 is the plain ReLU: no gradient for x ≤ 0"
    if alpha == 1:
        return "α = 1 is the identity: nothing nonlinear is left"
    return f"for x ≤ 0 the unit passes {alpha:.0%} of the gradient"


def render_leaky_relu(alpha: float, xlim: float, view: str) -> Figure:
    r"""Draw the leaky ReLU with slope ``alpha``, or its derivative, on ``[-xlim, xlim]``.

    The ReLU is drawn dashed for comparison. In the derivative view the value
    at the kink is marked: a filled dot at :math:`\alpha` (the convention of
    PyTorch's autograd and of ``leaky_relu_grad``) and an open circle at the
    right-hand limit 1.

    Parameters
    ----------
    alpha : float
        Slope for :math:`x \le 0`.
    xlim : float
        Half-width of the plotted interval.
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
    fig, ax = plt.subplots(figsize=(8, 4))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.86)
    if view == "function":
        if alpha != 0:
            ax.plot(x, relu(x), color="0.45", lw=1.2, ls="--", label="ReLU (α = 0)")
        ax.plot(x, leaky_relu(x, alpha), color=FUNCTION_COLOR, lw=2.2, label=f"leaky ReLU, α = {alpha:g}")
        ax.set_ylim(-1.05 * xlim, 1.05 * xlim)
        ax.set_ylabel("output")
        y_left = float(leaky_relu(-xlim, alpha)) + 0.0  # + 0.0 turns -0.0 into 0.0
        ax.annotate(
            f"value at x = −{xlim:g}: {y_left:.3g}".replace("-", "−"),
            (-xlim, y_left),
            xytext=(0.03, 0.62),
            textcoords="axes fraction",
            fontsize=9,
            arrowprops={"arrowstyle": "->", "color": "0.3"},
        )
        title = f"leaky ReLU: y = x for x > 0, y = {alpha:g}·x for x ≤ 0"
    else:
        if alpha != 0:
            ax.plot(x, relu_grad(x), color="0.45", lw=1.2, ls="--", label="ReLU′")
        left, right = x[x <= 0], x[x > 0]
        slope_label = f"slope, α = {alpha:g}"
        ax.plot(left, leaky_relu_grad(left, alpha), color=DERIVATIVE_COLOR, lw=2.2, label=slope_label)
        ax.plot(right, leaky_relu_grad(right, alpha), color=DERIVATIVE_COLOR, lw=2.2)
        ax.plot([0], [float(leaky_relu_grad(0.0, alpha))], "o", color=DERIVATIVE_COLOR, ms=7,
                label="value used at x = 0")
        if alpha != 1:
            ax.plot([0], [1.0], "o", mfc="white", mec=DERIVATIVE_COLOR, ms=7)
        ax.set_ylim(-0.1, 1.15)
        ax.set_ylabel("slope")
        title = f"derivative: 1 for x > 0, {alpha:g} for x ≤ 0"
    ax.set_xlim(-xlim, xlim)
    style_axes(ax)
    ax.set_title(f"{title}\n{_describe(alpha)}", fontsize=11)
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    relu_dashed = ", with the plain ReLU dashed for comparison" if alpha != 0 else ""
    if view == "function":
        shown = (f"The leaky ReLU with α = {alpha:g} on x from −{xlim:g} to {xlim:g}: the line y = x "
                 f"for x > 0 and the line y = {alpha:g}·x below, reaching {y_left:.3g} at x = −{xlim:g}"
                 f"{relu_dashed}")
    else:
        shown = (f"The derivative of the leaky ReLU with α = {alpha:g}: a step from {alpha:g} for x ≤ 0 to 1 "
                 f"for x > 0, a filled dot marking the value {alpha:g} used at x = 0{relu_dashed}")
    return set_alt(fig, f"{shown}. {_describe(alpha).capitalize()}.".replace("-", "−"))


def leaky_relu_explorer() -> PrecomputedFigure:
    """Return the kernel-free leaky ReLU explorer of the chapter *Leaky ReLU and PReLU*.

    Returns
    -------
    PrecomputedFigure
        A slider for the slope, one for the input range and a toggle between
        function and derivative, switching between 42 precomputed images.
    """
    return precomputed_figure(render_leaky_relu, leaky_relu_controls(), dpi=80, bbox_inches=None)
