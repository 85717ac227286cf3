r"""Explorer of Swish :math:`x\,\sigma(\beta x)` and its derivative for a range of :math:`\beta`.

The chapter *Modern smooth activations* shows :func:`swish_explorer`: a
:math:`\beta` slider and a function/derivative toggle. Every state draws ReLU
(the limit :math:`\beta \to \infty`), the line :math:`x/2` (:math:`\beta = 0`)
and the exact GELU for comparison, and marks the minimum of the curve.

With :math:`u = \beta x`, Swish is :math:`\operatorname{silu}(u)/\beta`, so its
minimum sits at :math:`x^\ast = u^\ast/\beta` with value :math:`(u^\ast + 1)/\beta`,
where :math:`u^\ast` is the minimiser of SiLU (:func:`silu_minimiser`), and
its derivative is :math:`\operatorname{silu}'(\beta x)`: the same curve,
squeezed horizontally by :math:`\beta`.
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.activations.gelu import gelu, gelu_grad
from actgrad.activations.relu import relu, relu_grad
from actgrad.activations.silu import silu_grad, swish, swish_grad
from actgrad.experiments.smooth_activations import bisect_root
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt
from actgrad.widgets.softmax import select_option

__all__ = [
    "BETAS",
    "START_BETA",
    "X_LIMIT",
    "render_swish",
    "silu_minimiser",
    "swish_controls",
    "swish_explorer",
    "swish_minimum",
]

#: Values of beta offered by the slider (1.702 is where x σ(βx) best matches GELU).
BETAS = (0.0, 0.25, 0.5, 1.0, 1.5, 1.702, 2.0, 3.0, 5.0, 10.0, 50.0)
#: Beta the explorer shows first: SiLU.
START_BETA = 1.0
#: The explorer plots [-X_LIMIT, X_LIMIT].
X_LIMIT = 4.0


@functools.cache
def silu_minimiser() -> float:
    r"""Return :math:`u^\ast \approx -1.2785`, where SiLU is smallest (its derivative is zero).

    Returns
    -------
    float
        The root of :func:`~actgrad.activations.silu_grad` in :math:`[-3, -0.5]`.

    Examples
    --------
    >>> round(silu_minimiser(), 4)
    -1.2785
    """
    return bisect_root(lambda u: float(silu_grad(u)), -3.0, -0.5)


def swish_minimum(beta: float) -> tuple[float, float] | None:
    r"""Return the location and value of the minimum of :math:`x\,\sigma(\beta x)`.

    Parameters
    ----------
    beta : float
        Non-negative sharpness.

    Returns
    -------
    tuple of float or None
        ``(x_min, f_min) = (u*/beta, (u* + 1)/beta)``, or ``None`` for
        ``beta = 0``, where Swish is the line ``x/2`` without a minimum.

    Examples
    --------
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
    """Return the explorer's controls: beta and the view.

    Returns
    -------
    dict of str to Control
        ``beta`` (a slider over :data:`BETAS`) and ``view`` (function or
        derivative, toggle buttons): 22 states.
    """
    return {
        "beta": Control.numbers("β", BETAS),
        "view": Control("show", [("x σ(βx)", "function"), ("derivative", "derivative")]),
    }


def render_swish(beta: float, view: str) -> Figure:
    r"""Draw :math:`x\,\sigma(\beta x)` or its derivative on ``[-X_LIMIT, X_LIMIT]``.

    Parameters
    ----------
    beta : float
        Non-negative sharpness.
    view : {"function", "derivative"}
        What to plot.

    Returns
    -------
    matplotlib.figure.Figure
        A 640 x 320 pixel figure at 80 dpi.
    """
    if view not in ("function", "derivative"):
        raise ValueError(f"view must be 'function' or 'derivative', not {view!r}")
    x = np.linspace(-X_LIMIT, X_LIMIT, 1001)
    minimum = swish_minimum(beta)

    fig, ax = plt.subplots(figsize=(8, 4))
    # Fixed margins: every state has the same pixel size and plot area.
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.86)
    if view == "function":
        references = [(relu(x), "ReLU (β → ∞)", ":"), (x / 2, "x/2 (β = 0)", "-."), (gelu(x), "GELU", "--")]
        y, color = swish(x, beta), FUNCTION_COLOR
        ax.set_ylim(-1.2, X_LIMIT + 0.2)
        ax.set_ylabel(r"$x\,\sigma(\beta x)$")
        label = f"x σ({beta:g}x)"
        if minimum is None:
            detail = "no minimum: the line x/2"
        else:
            detail = f"minimum {minimum[1]:.3f} at x = {minimum[0]:.3f}"
    else:
        references = [
            (relu_grad(x), "ReLU′", ":"),
            (np.full_like(x, 0.5), "1/2 (β = 0)", "-."),
            (gelu_grad(x), "GELU′", "--"),
        ]
        y, color = swish_grad(x, beta), DERIVATIVE_COLOR
        ax.set_ylim(-0.25, 1.3)
        ax.set_ylabel("derivative")
        label = f"derivative of x σ({beta:g}x)"
        detail = f"smallest slope {y.min():.3f}, largest {y.max():.3f} on this range"
    for ref, ref_label, style in references:
        ax.plot(x, ref, color="0.5", lw=1.2, ls=style, label=ref_label)
    ax.plot(x, y, color=color, lw=2.2, label=label)
    if view == "function" and minimum is not None and -X_LIMIT <= minimum[0] <= X_LIMIT:
        ax.plot(*minimum, "o", color="k", ms=6, zorder=5, label="minimum")
    ax.set_xlim(-X_LIMIT, X_LIMIT)
    style_axes(ax)
    # Plain text rather than mathtext in labels that change from state to state (faster).
    ax.set_title(f"Swish with β = {beta:g}\n{detail}", fontsize=11)
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    what = "The curve" if view == "function" else "The slope"
    summary = detail[0].upper() + detail[1:].replace("-", "−")
    return set_alt(fig, f"{what} of Swish, x σ(βx), with β = {beta:g} on x from −{X_LIMIT:g} to "
                        f"{X_LIMIT:g}, drawn solid over grey references: the ReLU dotted, the line for β = 0 "
                        f"dash-dotted and GELU dashed. {summary}. A larger β brings Swish closer to the "
                        "ReLU; β = 0 makes it linear.")


def swish_explorer() -> PrecomputedFigure:
    """Return the kernel-free Swish explorer widget of the smooth-activations chapter.

    Returns
    -------
    PrecomputedFigure
        A beta slider and a function/derivative toggle switching between 22
        precomputed images; it opens at :data:`START_BETA` (SiLU).
    """
    box = precomputed_figure(render_swish, swish_controls(), dpi=80, bbox_inches=None)
    select_option(box, "beta", box.controls["beta"].values.index(START_BETA))
    return box
