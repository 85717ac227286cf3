r"""Explorer of Swish :math:`x\,\sigma(\beta x)` and its derivative for a range of :math:`\beta`.

With :math:`u = \beta x`, Swish is :math:`\operatorname{silu}(u)/\beta`, so its
minimum sits at :math:`x^\ast = u^\ast/\beta` with value :math:`(u^\ast + 1)/\beta`,
where :math:`u^\ast` is the minimiser of SiLU, and its derivative is
:math:`\operatorname{silu}'(\beta x)`: the same curve, squeezed horizontally by :math:`\beta`.
"""

from __future__ import annotations

import functools

import numpy as np
from matplotlib.axes import Axes

from actgrad.activations.gelu import gelu, gelu_grad
from actgrad.activations.relu import relu, relu_grad
from actgrad.activations.silu import silu_grad, swish, swish_grad
from actgrad.experiments.smooth_activations import bisect_root
from actgrad.widgets.explorer import Plot, Reference, function_explorer, is_derivative, view_control
from actgrad.widgets.precomputed import Control, PrecomputedFigure

__all__ = [
    "BETAS",
    "START_BETA",
    "X_LIMIT",
    "silu_minimiser",
    "swish_controls",
    "swish_explorer",
    "swish_minimum",
    "swish_plot",
]

#: Values of beta offered by the slider (1.702 is where x σ(βx) best matches GELU).
BETAS = (0.0, 0.25, 0.5, 1.0, 1.5, 1.702, 2.0, 3.0, 5.0, 10.0, 50.0)
#: Beta the explorer shows first: SiLU.
START_BETA = 1.0
#: The explorer plots [-X_LIMIT, X_LIMIT].
X_LIMIT = 4.0


@functools.cache
def silu_minimiser() -> float:
    """Where SiLU is smallest, u* ≈ −1.2785.

    >>> round(silu_minimiser(), 4)
    -1.2785
    """
    return bisect_root(lambda u: float(silu_grad(u)), -3.0, -0.5)


def swish_minimum(beta: float) -> tuple[float, float] | None:
    r"""``(x_min, f_min) = (u*/β, (u* + 1)/β)`` for :math:`x\,\sigma(\beta x)`; None at β = 0 (the line x/2).

    >>> x_min, f_min = swish_minimum(2.0)
    >>> round(x_min, 4), round(f_min, 4)
    (-0.6392, -0.1392)
    """
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got {beta!r}")
    if beta == 0:
        return None
    u = silu_minimiser()
    return u / beta, (u + 1.0) / beta


def swish_controls() -> dict[str, Control]:
    """β and the view: 22 states."""
    return {"beta": Control.numbers("β", BETAS), "view": view_control("x σ(βx)", "derivative")}


def swish_plot(beta: float, view: str) -> Plot:
    """Swish or its derivative, over ReLU, the β = 0 line and GELU in grey; the minimum marked."""
    derivative = is_derivative(view)
    x = np.linspace(-X_LIMIT, X_LIMIT, 1001)
    minimum = swish_minimum(beta)
    over = None
    if not derivative:
        references = [(relu(x), "ReLU (β → ∞)", ":"), (x / 2, "x/2 (β = 0)", "-."), (gelu(x), "GELU", "--")]
        y, ylim, ylabel = swish(x, beta), (-1.2, X_LIMIT + 0.2), r"$x\,\sigma(\beta x)$"
        label = f"x σ({beta:g}x)"
        if minimum is None:
            detail = "no minimum: the line x/2"
        else:
            detail = f"minimum {minimum[1]:.3f} at x = {minimum[0]:.3f}"
            if -X_LIMIT <= minimum[0] <= X_LIMIT:

                def over(ax: Axes) -> None:
                    ax.plot(*minimum, "o", color="k", ms=6, zorder=5, label="minimum")

    else:
        references = [
            (relu_grad(x), "ReLU′", ":"),
            (np.full_like(x, 0.5), "1/2 (β = 0)", "-."),
            (gelu_grad(x), "GELU′", "--"),
        ]
        y, ylim, ylabel = swish_grad(x, beta), (-0.25, 1.3), "derivative"
        label = f"derivative of x σ({beta:g}x)"
        detail = f"smallest slope {y.min():.3f}, largest {y.max():.3f} on this range"
    what = "The slope" if derivative else "The curve"
    summary = detail[0].upper() + detail[1:].replace("-", "−")
    return Plot(
        x, y, label, ylim=ylim, ylabel=ylabel, derivative=derivative,
        title=f"Swish with β = {beta:g}\n{detail}",
        alt=f"{what} of Swish, x σ(βx), with β = {beta:g} on x from −{X_LIMIT:g} to {X_LIMIT:g}, drawn solid "
            "over grey references: the ReLU dotted, the line for β = 0 dash-dotted and GELU dashed. "
            f"{summary}. A larger β brings Swish closer to the ReLU; β = 0 makes it linear.",
        references=[Reference(ref, ref_label, ls=style, color="0.5") for ref, ref_label, style in references],
        over=over,
    )


def swish_explorer() -> PrecomputedFigure:
    """The explorer of the chapter *Modern smooth activations*: β and view, 22 pictures; opens at SiLU."""
    return function_explorer(swish_plot, swish_controls(), start={"beta": START_BETA})
