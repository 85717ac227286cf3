"""Explorer of the leaky ReLU: its negative slope α, the input range and the derivative."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes

from actgrad.activations import leaky_relu, leaky_relu_grad, relu, relu_grad
from actgrad.widgets.explorer import Kink, Plot, Reference, function_explorer, is_derivative, view_control
from actgrad.widgets.precomputed import Control, PrecomputedFigure

__all__ = ["ALPHAS", "X_LIMITS", "leaky_relu_controls", "leaky_relu_explorer", "leaky_relu_plot"]

#: Negative slopes offered: 0 is the ReLU, 0.01 the common default, 0.25 PReLU's usual start, 1 the identity.
ALPHAS = (0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0)
#: Half-widths of the plotted input interval.
X_LIMITS = (1, 3, 10)


def leaky_relu_controls() -> dict[str, Control]:
    """Negative slope α, input range and view: 42 states."""
    return {
        "alpha": Control.numbers("negative slope α", ALPHAS),
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "view": view_control(),
    }


def _describe(alpha: float) -> str:
    if alpha == 0:
        return "α = 0 is the plain ReLU: no gradient for x ≤ 0"
    if alpha == 1:
        return "α = 1 is the identity: nothing nonlinear is left"
    return f"for x ≤ 0 the unit passes {alpha:.0%} of the gradient"


def leaky_relu_plot(alpha: float, xlim: float, view: str) -> Plot:
    """The leaky ReLU or its derivative, with the ReLU dashed.

    At the kink the derivative marks the value α used at 0 (as PyTorch's
    autograd and ``leaky_relu_grad`` do) and the right-hand limit 1.
    """
    derivative = is_derivative(view)
    x = np.linspace(-xlim, xlim, 801)
    relu_dashed = ", with the plain ReLU dashed for comparison" if alpha != 0 else ""
    if not derivative:
        y_left = float(leaky_relu(-xlim, alpha)) + 0.0  # + 0.0 turns -0.0 into 0.0

        def annotate(ax: Axes) -> None:
            ax.annotate(f"value at x = −{xlim:g}: {y_left:.3g}".replace("-", "−"), (-xlim, y_left),
                        xytext=(0.03, 0.62), textcoords="axes fraction", fontsize=9,
                        arrowprops={"arrowstyle": "->", "color": "0.3"})

        ref, y, label = Reference(relu(x), "ReLU (α = 0)"), leaky_relu(x, alpha), f"leaky ReLU, α = {alpha:g}"
        ylim, ylabel, over, kink = (-1.05 * xlim, 1.05 * xlim), "output", annotate, None
        title = f"leaky ReLU: y = x for x > 0, y = {alpha:g}·x for x ≤ 0"
        shown = (f"The leaky ReLU with α = {alpha:g} on x from −{xlim:g} to {xlim:g}: the line y = x "
                 f"for x > 0 and the line y = {alpha:g}·x below, reaching {y_left:.3g} at x = −{xlim:g}"
                 f"{relu_dashed}")
    else:
        ref, y, label = Reference(relu_grad(x), "ReLU′"), leaky_relu_grad(x, alpha), f"slope, α = {alpha:g}"
        ylim, ylabel, over = (-0.1, 1.15), "slope", None
        kink = Kink(0.0, float(leaky_relu_grad(0.0, alpha)), 1.0 if alpha != 1 else None,
                    used_label="value used at x = 0")
        title = f"derivative: 1 for x > 0, {alpha:g} for x ≤ 0"
        shown = (f"The derivative of the leaky ReLU with α = {alpha:g}: a step from {alpha:g} for x ≤ 0 to 1 "
                 f"for x > 0, a filled dot marking the value {alpha:g} used at x = 0{relu_dashed}")
    return Plot(
        x, y, label, ylim=ylim, ylabel=ylabel, derivative=derivative, title=f"{title}\n{_describe(alpha)}",
        alt=f"{shown}. {_describe(alpha).capitalize()}.".replace("-", "−"),
        references=[ref] if alpha != 0 else [], kink=kink, over=over,
    )


def leaky_relu_explorer() -> PrecomputedFigure:
    """The explorer of the chapter *Leaky ReLU and PReLU*: slope α, input range and view, 42 pictures."""
    return function_explorer(leaky_relu_plot, leaky_relu_controls())
