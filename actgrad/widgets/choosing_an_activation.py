"""Overlay two activations, and their derivatives, chosen from the chapter's ten.

The widget of the chapter *Choosing an activation*: two dropdowns pick the
activations; the figure shows both functions on the left and both
derivatives on the right, on fixed axes so that switching keeps the scale.
It is a :func:`actgrad.widgets.precomputed.precomputed_figure` like every
widget of the course, so it works on the static site without a kernel.

Ten activations give 100 pictures. To keep rendering them cheap, the parts
that never change (axes, grid, ticks, titles) are drawn once into a pixel
buffer; each state's figure shows that buffer with
:meth:`~matplotlib.figure.Figure.figimage` and draws only the curves, the
legend and the title on top, the curves mapped by hand onto the pixels of
the two panels.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox, TransformedBbox

from actgrad.comparison import CANDIDATES, by_key
from actgrad.plotting import OKABE_ITO, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = [
    "DPI",
    "X_LIMIT",
    "activation_pair_explorer",
    "pair_controls",
    "render_background",
    "render_pair",
]

#: The figure shows ``[-X_LIMIT, X_LIMIT]``.
X_LIMIT = 4.0
#: Resolution of the pictures: 8 x 3.4 inches become 640 x 272 pixels.
DPI = 80
_SIZE = (8.0, 3.4)
_FUNCTION_YLIM = (-2.0, 4.0)
_SLOPE_YLIM = (-0.2, 1.9)
_FUNCTION_TICKS = (-2.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0)
_SLOPE_TICKS = (0.0, 0.5, 1.0, 1.5)
_X_TICKS = (-4.0, -2.0, 0.0, 2.0, 4.0)
_STYLES = ((OKABE_ITO["blue"], "-"), (OKABE_ITO["orange"], "--"))  # first solid, second dashed


def _figure() -> tuple[Figure, Axes, Axes]:
    """Return an empty figure whose two panels sit at fixed pixel positions."""
    fig, (ax_f, ax_df) = plt.subplots(1, 2, figsize=_SIZE, dpi=DPI)
    # Fixed margins (no constrained layout): the curves must land on exactly
    # the pixels of the background drawn separately.
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.15, top=0.8, wspace=0.2)
    for ax, ylim in ((ax_f, _FUNCTION_YLIM), (ax_df, _SLOPE_YLIM)):
        ax.set(xlim=(-X_LIMIT, X_LIMIT), ylim=ylim)
    return fig, ax_f, ax_df


def _ticks(values: Sequence[float]) -> list[str]:
    return [f"{v:g}".replace("-", "\N{MINUS SIGN}") for v in values]


def render_background() -> Figure:
    """Draw what every state shares: axes, grid, ticks and panel titles."""
    fig, ax_f, ax_df = _figure()
    for ax, yticks in ((ax_f, _FUNCTION_TICKS), (ax_df, _SLOPE_TICKS)):
        style_axes(ax, xlabel="x")
        ax.set_xticks(_X_TICKS, _ticks(_X_TICKS))
        ax.set_yticks(yticks, _ticks(yticks))
    ax_f.set_title("function φ(x)", fontsize=11)
    ax_df.set_title("derivative φ′(x)", fontsize=11)
    return fig


@cache
def _background() -> tuple[np.ndarray, tuple[tuple[Bbox, tuple[float, float]], ...]]:
    """Return the background as an RGBA array, and each panel's place and y-limits.

    Drawn once per process.
    """
    fig = render_background()
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba()).copy()
    pixels.setflags(write=False)
    panels = tuple((ax.get_position(), ax.get_ylim()) for ax in fig.axes)
    plt.close(fig)
    return pixels, panels


def render_pair(first: str, second: str) -> Figure:
    """Draw two activations (left) and their derivatives (right) over the shared background.

    The curves are drawn straight into figure coordinates, clipped to the
    panels of :func:`render_background`: creating no axes at all is what makes
    100 pictures cheap. ``first`` is drawn solid, ``second`` dashed (one curve
    if they are equal). Save it with ``dpi=DPI`` and ``bbox_inches=None`` so that
    the background stays aligned.
    """
    pixels, panels = _background()
    fig = Figure(figsize=_SIZE, dpi=DPI)
    fig.figimage(pixels, 0, 0, origin="upper", zorder=0)
    x = np.linspace(-X_LIMIT, X_LIMIT, 801)
    pair = [first] if first == second else [first, second]
    handles = []
    for key, (color, style) in zip(pair, _STYLES, strict=False):
        c = by_key(key)
        for (box, (y_low, y_high)), y in zip(panels, (c.f(x), c.df(x)), strict=True):
            fx = box.x0 + (x + X_LIMIT) / (2 * X_LIMIT) * box.width
            fy = box.y0 + (np.asarray(y) - y_low) / (y_high - y_low) * box.height
            line = Line2D(fx, fy, color=color, ls=style, lw=2.2, label=c.label,
                          transform=fig.transFigure)
            line.set_clip_box(TransformedBbox(box, fig.transFigure))
            fig.add_artist(line)
        handles.append(line)
    left = panels[0][0]
    fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(left.x0 + 0.005, left.y1 - 0.01),
               fontsize=9, framealpha=0.9)
    names = " (solid) and ".join(by_key(k).label for k in pair) + (" (dashed)" if len(pair) == 2 else "")
    fig.suptitle(names, fontsize=12, y=0.97)
    return set_alt(fig, _pair_alt(pair))


def _pair_alt(pair: Sequence[str]) -> str:
    """Say what :func:`render_pair` draws for ``pair``: the curves and a few values of each."""
    points = (-X_LIMIT, -1.0, 0.0, 1.0, X_LIMIT)
    parts = []
    for key, style in zip(pair, ("solid", "dashed"), strict=False):
        c = by_key(key)
        values = ", ".join(f"{c.f(np.float64(p)).item():.2g}" for p in points)
        slopes = ", ".join(f"{c.df(np.float64(p)).item():.2g}" for p in points)
        parts.append(f"{c.label} ({style}) takes the values {values} and has the slopes {slopes}")
    where = ", ".join(f"{p:g}" for p in points)
    text = (f"Two panels on x from −{X_LIMIT:g} to {X_LIMIT:g}: the function on the left, its derivative "
            f"on the right. At x = {where}, " + "; ".join(parts) + ". Where the slope is near 0 little "
            "gradient passes back.")
    return text.replace("-", "−")


def pair_controls(keys: Sequence[str] | None = None) -> dict[str, Control]:
    """Return the two dropdowns, the second listing ``keys`` from the second on (two functions at first)."""
    candidates = CANDIDATES if keys is None else tuple(by_key(k) for k in keys)
    options = [(c.label, c.key) for c in candidates]
    return {
        "first": Control("first (solid)", options, kind="dropdown"),
        "second": Control("second (dashed)", options[1:] + options[:1], kind="dropdown"),
    }


def activation_pair_explorer(keys: Sequence[str] | None = None) -> PrecomputedFigure:
    """Return the kernel-free widget that overlays two activations and their derivatives."""
    return precomputed_figure(render_pair, pair_controls(keys), dpi=DPI, bbox_inches=None)
