"""One explorer of an activation function and its derivative, for every chapter that shows one.

A chapter's explorer is its controls plus a function that says, for one state,
what to draw: a :class:`Plot` (the curve, grey reference curves, shaded
inputs, the value used at a kink, title and alternative text).
:func:`function_explorer` draws every state the same way, on an 8 x 4 inch
figure with fixed margins, so that all states have the same pixel size, and
hands them to :func:`~actgrad.widgets.precomputed.precomputed_figure`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = ["Kink", "Plot", "Reference", "draw", "function_explorer", "is_derivative", "saturated_spans",
           "view_control"]

VIEWS = ("function", "derivative")


def view_control(function_label: str = "function", derivative_label: str = "derivative") -> Control:
    """The "show" toggle between the function and its derivative, with the chapter's labels."""
    return Control("show", [(function_label, "function"), (derivative_label, "derivative")])


def is_derivative(view: str) -> bool:
    """Whether ``view`` (``"function"`` or ``"derivative"``) asks for the derivative."""
    if view not in VIEWS:
        raise ValueError(f"view must be 'function' or 'derivative', not {view!r}")
    return view == "derivative"


def saturated_spans(x: np.ndarray, mask: np.ndarray) -> list[tuple[float, float]]:
    """The ``(start, end)`` intervals of ``x`` over which ``mask`` is true."""
    spans = []
    edges = np.flatnonzero(np.diff(mask.astype(np.int8))) + 1
    for segment in np.split(np.arange(x.size), edges):
        if mask[segment[0]]:
            spans.append((float(x[segment[0]]), float(x[segment[-1]])))
    return spans


@dataclass(frozen=True)
class Reference:
    """A curve drawn thinner, under the explored one, for comparison (grey and dashed by default)."""

    y: np.ndarray
    label: str
    ls: str = "--"
    color: str = "0.45"
    lw: float = 1.2


@dataclass(frozen=True)
class Kink:
    """Where a derivative jumps: the curve is drawn in two pieces, split at ``x``.

    A filled dot marks the value ``used`` at ``x``, an open circle the ``other``
    one-sided limit (none if ``other`` is None); both only when ``x`` is in range.
    """

    x: float
    used: float
    other: float | None
    used_label: str | None = None
    other_label: str | None = None


@dataclass(frozen=True)
class Plot:
    """What one state of an explorer shows.

    The curve ``y`` over ``x`` is drawn in the function's colour, or the
    derivative's when ``derivative``. Drawing order, which is also the order of
    the legend: ``shade`` (intervals of x, the first labelled ``shade_label``),
    ``under``, ``references``, the curve, the ``kink`` marks, ``over``.
    ``under`` and ``over`` draw anything else into the axes.
    """

    x: np.ndarray
    y: np.ndarray
    label: str
    ylim: tuple[float, float]
    ylabel: str
    title: str
    alt: str
    derivative: bool = False
    references: Sequence[Reference] = ()
    shade: Sequence[tuple[float, float]] = ()
    shade_label: str | None = None
    shade_color: str = "0.85"
    kink: Kink | None = None
    under: Callable[[Axes], object] | None = None
    over: Callable[[Axes], object] | None = None
    title_size: float = 11


def draw(plot: Plot) -> Figure:
    """Draw one state on an 8 x 4 inch figure (640 x 320 pixels at 80 dpi) with fixed margins."""
    fig, ax = plt.subplots(figsize=(8, 4))
    # Fixed margins instead of constrained layout: every state gets the same
    # pixel size and plot area, and rendering takes half the time.
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.13, top=0.86)
    ax.set_ylim(*plot.ylim)
    for i, (a, b) in enumerate(plot.shade):
        ax.axvspan(a, b, color=plot.shade_color, zorder=0, label=plot.shade_label if i == 0 else None)
    if plot.under is not None:
        plot.under(ax)
    for ref in plot.references:
        ax.plot(plot.x, ref.y, color=ref.color, lw=ref.lw, ls=ref.ls, label=ref.label)
    color = DERIVATIVE_COLOR if plot.derivative else FUNCTION_COLOR
    kink = plot.kink
    if kink is None:
        ax.plot(plot.x, plot.y, color=color, lw=2.2, label=plot.label)
    else:
        # Two pieces, so that no vertical line joins the two sides of the jump.
        left = plot.x <= kink.x
        ax.plot(plot.x[left], plot.y[left], color=color, lw=2.2, label=plot.label)
        ax.plot(plot.x[~left], plot.y[~left], color=color, lw=2.2)
        if plot.x[0] <= kink.x <= plot.x[-1]:
            ax.plot([kink.x], [kink.used], "o", color=color, ms=7, label=kink.used_label)
            if kink.other is not None:
                ax.plot([kink.x], [kink.other], "o", mfc="white", mec=color, ms=7, label=kink.other_label)
    if plot.over is not None:
        plot.over(ax)
    ax.set_xlim(plot.x[0], plot.x[-1])
    ax.set_ylabel(plot.ylabel)
    style_axes(ax)
    # Plain text rather than mathtext in the labels that change from state to
    # state: parsing mathtext was a third of the rendering time.
    ax.set_title(plot.title, fontsize=plot.title_size)
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    return set_alt(fig, plot.alt)


def function_explorer(
    plot: Callable[..., Plot], controls: Mapping[str, Control], *, start: Mapping[str, Any] | None = None
) -> PrecomputedFigure:
    """A kernel-free explorer drawing ``plot(**values)`` for every combination of the controls' values.

    ``start`` maps control names to the values the widget opens on (by default
    each control's first option).
    """
    return precomputed_figure(lambda **values: draw(plot(**values)), controls, dpi=80, bbox_inches=None,
                              start=start)
