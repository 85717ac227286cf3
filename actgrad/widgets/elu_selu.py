r"""Explorer of ELU and SELU: the parameter :math:`\alpha`, the input range and the derivative.

The chapter *ELU and SELU* shows :func:`elu_explorer`, a kernel-free widget
(see :mod:`actgrad.widgets.precomputed`) whose every state is rendered when the
page is built. The slider runs through ELU's :math:`\alpha`; its last stop is
SELU, :math:`\lambda\,\mathrm{elu}(x, \alpha)` with the constants of
Klambauer et al. (2017).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.activations import SELU_ALPHA, SELU_LAMBDA, elu, elu_grad, relu, relu_grad, selu, selu_grad
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = ["ALPHAS", "X_LIMITS", "elu_controls", "elu_explorer", "render_elu"]

#: ELU parameters offered before the last stop, ``"selu"``.
ALPHAS = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0)
#: Half-widths of the plotted input interval.
X_LIMITS = (2, 5, 10)


def elu_controls() -> dict[str, Control]:
    r"""Return the explorer's controls: unit, input range and view.

    Returns
    -------
    dict of str to Control
        ``unit`` (ELU's :math:`\alpha`, or ``"selu"``), ``xlim`` (half-width
        of the plotted interval) and ``view`` (function or derivative):
        42 states.
    """
    units = [(f"{a:g}", a) for a in ALPHAS] + [("SELU", "selu")]
    return {
        "unit": Control("ELU's α / SELU", units, kind="slider"),
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "view": Control("show", [("function", "function"), ("derivative", "derivative")]),
    }


def render_elu(unit: float | str, xlim: float, view: str) -> Figure:
    r"""Draw ELU with parameter ``unit`` (or SELU), or its derivative, on ``[-xlim, xlim]``.

    The ReLU is drawn dashed for comparison. In the function view a dotted line
    marks the negative saturation level :math:`-\alpha` (SELU:
    :math:`-\lambda\alpha`); in the derivative view the two one-sided limits
    at 0 are marked, a filled dot for the value used at 0 (the left limit, as
    in PyTorch's autograd) and an open circle for the right limit.

    Parameters
    ----------
    unit : float or "selu"
        ELU's :math:`\alpha`, or ``"selu"``.
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
    if unit == "selu":
        f, df, scale, alpha = selu, selu_grad, SELU_LAMBDA, SELU_ALPHA
        name = f"SELU (λ = {SELU_LAMBDA:.4f}, α = {SELU_ALPHA:.4f})"
    elif isinstance(unit, int | float) and unit > 0:
        alpha, scale = float(unit), 1.0
        name = f"ELU, α = {alpha:g}"

        def f(x: np.ndarray) -> np.ndarray:
            return elu(x, alpha)

        def df(x: np.ndarray) -> np.ndarray:
            return elu_grad(x, alpha)

    else:
        raise ValueError(f"unit must be a positive alpha or 'selu', not {unit!r}")
    x = np.linspace(-xlim, xlim, 801)
    fig, ax = plt.subplots(figsize=(8, 4))
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.86)
    floor = -scale * alpha
    if view == "function":
        ax.plot(x, relu(x), color="0.45", lw=1.2, ls="--", label="ReLU")
        floor_label = f"saturation level {floor:.3g}".replace("-", "−")
        ax.axhline(floor, color=FUNCTION_COLOR, lw=1, ls=":", label=floor_label)
        ax.plot(x, f(x), color=FUNCTION_COLOR, lw=2.2, label=name)
        ax.set_ylim(-3.6, max(3.0, 1.05 * xlim * scale))
        ax.set_ylabel("output")
        reached = float(f(-xlim)) / floor
        title = f"{name}\nat x = −{xlim:g} the output has reached {reached:.1%} of its floor {floor:.3g}"
        title = title.replace("-", "−")
    else:
        ax.plot(x, relu_grad(x), color="0.45", lw=1.2, ls="--", label="ReLU′")
        left, right = x[x <= 0], x[x > 0]
        ax.plot(left, df(left), color=DERIVATIVE_COLOR, lw=2.2, label=f"slope of {name}")
        ax.plot(right, df(right), color=DERIVATIVE_COLOR, lw=2.2)
        at_zero = float(df(0.0))
        ax.plot([0], [at_zero], "o", color=DERIVATIVE_COLOR, ms=7, label="value used at x = 0 (left limit)")
        if not np.isclose(at_zero, scale):
            ax.plot([0], [scale], "o", mfc="white", mec=DERIVATIVE_COLOR, ms=7, label="right limit")
            jump = f"jumps from {at_zero:.3g} to {scale:.3g} at 0"
        else:
            jump = "continuous at 0"
        ax.set_ylim(-0.1, 3.2)
        ax.set_ylabel("slope")
        title = f"derivative of {name}\n{jump}; at x = −{xlim:g} it is {float(df(-xlim)):.2g}"
    ax.set_xlim(-xlim, xlim)
    style_axes(ax)
    ax.set_title(title, fontsize=11)
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    if view == "function":
        text = (f"The curve of {name} on x from −{xlim:g} to {xlim:g}, with the ReLU dashed: a line of slope "
                f"{scale:.3g} for x > 0 and, for x ≤ 0, a smooth curve that bends down towards the dotted "
                f"saturation level {floor:.3g}; at x = −{xlim:g} it has reached {reached:.1%} of that floor. "
                "Negative inputs give negative outputs, which keeps the mean activation near 0.")
    else:
        text = (f"The derivative of {name} on x from −{xlim:g} to {xlim:g}, with the ReLU's step dashed: "
                f"{scale:.3g} for x > 0, and for x ≤ 0 a curve that decays towards 0; it {jump}, and at "
                f"x = −{xlim:g} it is {float(df(-xlim)):.2g}. Unlike the ReLU, negative inputs still pass "
                "some gradient.")
    return set_alt(fig, text.replace("-", "−"))


def elu_explorer() -> PrecomputedFigure:
    """Return the kernel-free ELU/SELU explorer of the chapter *ELU and SELU*.

    Returns
    -------
    PrecomputedFigure
        A slider through ELU's alpha (ending at SELU), one for the input
        range and a toggle between function and derivative, switching between
        42 precomputed images.
    """
    return precomputed_figure(render_elu, elu_controls(), dpi=80, bbox_inches=None)
