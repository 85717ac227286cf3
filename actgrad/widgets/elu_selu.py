r"""Explorer of ELU and SELU: the parameter α, the input range and the derivative.

The slider runs through ELU's α; its last stop is SELU,
:math:`\lambda\,\mathrm{elu}(x, \alpha)` with the constants of Klambauer et al. (2017).
"""

from __future__ import annotations

import numpy as np

from actgrad.activations import SELU_ALPHA, SELU_LAMBDA, elu, elu_grad, relu, relu_grad, selu, selu_grad
from actgrad.plotting import FUNCTION_COLOR
from actgrad.widgets.explorer import Kink, Plot, Reference, function_explorer, is_derivative, view_control
from actgrad.widgets.precomputed import Control, PrecomputedFigure

__all__ = ["ALPHAS", "X_LIMITS", "elu_controls", "elu_explorer", "elu_plot"]

#: ELU parameters offered before the last stop, ``"selu"``.
ALPHAS = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0)
#: Half-widths of the plotted input interval.
X_LIMITS = (2, 5, 10)


def elu_controls() -> dict[str, Control]:
    """The unit (ELU's α, or ``"selu"``), input range and view: 42 states."""
    units = [(f"{a:g}", a) for a in ALPHAS] + [("SELU", "selu")]
    return {
        "unit": Control("ELU's α / SELU", units, kind="slider"),
        "xlim": Control.numbers("input range ±", X_LIMITS),
        "view": view_control(),
    }


def elu_plot(unit: float | str, xlim: float, view: str) -> Plot:
    r"""ELU with :math:`\alpha` = ``unit`` (or SELU), or its derivative, with the ReLU dashed.

    The function view marks the floor :math:`-\alpha` (SELU: :math:`-\lambda\alpha`)
    dotted; the derivative view marks the value used at 0 (the left limit, as
    in PyTorch's autograd) and the right limit.
    """
    derivative = is_derivative(view)
    if unit == "selu":
        scale, alpha = SELU_LAMBDA, SELU_ALPHA
        name = f"SELU (λ = {SELU_LAMBDA:.4f}, α = {SELU_ALPHA:.4f})"
        f, df = selu, selu_grad
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
    floor = -scale * alpha
    if not derivative:
        floor_line = Reference(np.full_like(x, floor), f"saturation level {floor:.3g}".replace("-", "−"),
                               ls=":", color=FUNCTION_COLOR, lw=1)
        references, y, label = [Reference(relu(x), "ReLU"), floor_line], f(x), name
        ylim, ylabel, kink = (-3.6, max(3.0, 1.05 * xlim * scale)), "output", None
        reached = float(f(-xlim)) / floor
        title = f"{name}\nat x = −{xlim:g} the output has reached {reached:.1%} of its floor {floor:.3g}"
        title = title.replace("-", "−")
        text = (f"The curve of {name} on x from −{xlim:g} to {xlim:g}, with the ReLU dashed: a line of slope "
                f"{scale:.3g} for x > 0 and, for x ≤ 0, a smooth curve that bends down towards the dotted "
                f"saturation level {floor:.3g}; at x = −{xlim:g} it has reached {reached:.1%} of that floor. "
                "Negative inputs give negative outputs, which keeps the mean activation near 0.")
    else:
        references, y, label = [Reference(relu_grad(x), "ReLU′")], df(x), f"slope of {name}"
        at_zero = float(df(0.0))
        continuous = np.isclose(at_zero, scale)
        jump = "continuous at 0" if continuous else f"jumps from {at_zero:.3g} to {scale:.3g} at 0"
        kink = Kink(0.0, at_zero, None if continuous else scale,
                    used_label="value used at x = 0 (left limit)", other_label="right limit")
        ylim, ylabel = (-0.1, 3.2), "slope"
        title = f"derivative of {name}\n{jump}; at x = −{xlim:g} it is {float(df(-xlim)):.2g}"
        text = (f"The derivative of {name} on x from −{xlim:g} to {xlim:g}, with the ReLU's step dashed: "
                f"{scale:.3g} for x > 0, and for x ≤ 0 a curve that decays towards 0; it {jump}, and at "
                f"x = −{xlim:g} it is {float(df(-xlim)):.2g}. Unlike the ReLU, negative inputs still pass "
                "some gradient.")
    return Plot(x, y, label, ylim=ylim, ylabel=ylabel, derivative=derivative, title=title,
                alt=text.replace("-", "−"), references=references, kink=kink)


def elu_explorer() -> PrecomputedFigure:
    """The explorer of the chapter *ELU and SELU*: α (ending at SELU), input range and view, 42 pictures."""
    return function_explorer(elu_plot, elu_controls())
