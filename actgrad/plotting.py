"""Plots shared by the activation chapters."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

__all__ = ["DERIVATIVE_COLOR", "FUNCTION_COLOR", "OKABE_ITO", "plot_function_and_derivative", "style_axes"]

#: The colour-blind-safe palette of Okabe & Ito (2008), by name. Colour is never
#: the only cue in the course's figures: line styles, markers or labels say the same.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
#: Colour of a function's curve; its derivative's curve is drawn in DERIVATIVE_COLOR
#: and, where both share axes, dashed (see :func:`plot_function_and_derivative`).
FUNCTION_COLOR = OKABE_ITO["blue"]
DERIVATIVE_COLOR = OKABE_ITO["vermillion"]


def style_axes(ax: Axes, *, xlabel: str = "$x$", ylabel: str | None = None) -> None:
    """Add gridlines, thin zero lines and axis labels to ``ax``."""
    ax.grid(True, linewidth=0.5, alpha=0.5)
    ax.axhline(0.0, color="0.4", linewidth=0.8, zorder=1, gid="zero-line")
    ax.axvline(0.0, color="0.4", linewidth=0.8, zorder=1, gid="zero-line")
    ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)


def plot_function_and_derivative(
    f: Callable[[np.ndarray], ArrayLike],
    df: Callable[[np.ndarray], ArrayLike],
    x: ArrayLike,
    *,
    title: str | None = None,
    name: str = "f",
    ax_pair: tuple[Axes, Axes] | None = None,
) -> Figure:
    r"""Plot an activation next to its derivative on two side-by-side axes (or into ``ax_pair``).

    ``name`` is the function's symbol as LaTeX without dollars (``r"\sigma"``):
    the curves are labelled ``$name(x)$`` (left, solid) and ``$name'(x)$``
    (right, dashed), so that they differ by more than colour.
    """
    x = np.asarray(x, dtype=np.float64)
    if ax_pair is None:
        fig, (ax_f, ax_df) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
    else:
        ax_f, ax_df = ax_pair
        fig = ax_f.get_figure()
    f_label = f"${name}(x)$"
    df_label = f"${name}'(x)$"
    ax_f.plot(x, np.asarray(f(x), dtype=np.float64), color=FUNCTION_COLOR, lw=2, label=f_label)
    ax_df.plot(x, np.asarray(df(x), dtype=np.float64), color=DERIVATIVE_COLOR, lw=2, ls="--", label=df_label)
    style_axes(ax_f, ylabel=f_label)
    style_axes(ax_df, ylabel=df_label)
    ax_f.set_title("function")
    ax_df.set_title("derivative")
    ax_f.set_xlim(x[0], x[-1])
    ax_df.set_xlim(x[0], x[-1])
    if title is not None:
        fig.suptitle(title)
    return fig
