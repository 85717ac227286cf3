"""Figures and the kernel-free widget of the chapter *Why nonlinearity*.

:func:`plot_decision_boundaries` draws the classifiers trained by
:func:`actgrad.experiments.why_nonlinearity.compare_activations`;
:func:`render_relu_fit` draws one fit of :func:`~actgrad.experiments.why_nonlinearity.fit_relu_units`
and :func:`relu_fit_explorer` puts every such picture behind a slider for the
number of units.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from actgrad.experiments.why_nonlinearity import Comparison, fit_relu_units, predict_proba
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR, OKABE_ITO, style_axes
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = [
    "RELU_FIT_UNITS",
    "plot_decision_boundaries",
    "relu_fit_controls",
    "relu_fit_explorer",
    "render_relu_fit",
]

#: Numbers of ReLU units the explorer offers.
RELU_FIT_UNITS = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64)

#: The explorer's default problem: the sine on one period.
FIT_INTERVAL = (-np.pi, np.pi)

_CLASS_COLORS = (OKABE_ITO["blue"], OKABE_ITO["vermillion"])  # class 0 blue, class 1 vermillion
_CLASS_MARKERS = ("o", "^")  # and circles and triangles, for readers who cannot tell the colours apart
_ACTIVATION_TITLES = {
    "linear": "linear hidden layer",
    "tanh": "tanh hidden layer",
    "relu": "ReLU hidden layer",
}


def plot_decision_boundaries(
    comparisons: Mapping[str, Comparison],
    activations: Sequence[str] | None = None,
    resolution: int = 200,
) -> Figure:
    """Draw each trained network's decision regions (of ``compare_activations``) over its training data.

    One row per data set, one column per hidden activation. The background
    shows the predicted probability of class 1 (blue for 0, red for 1), the
    black curve is the decision boundary (probability 1/2), and the dots are
    the training points coloured by their true class. Each title gives the
    training accuracy.
    """
    first = next(iter(comparisons.values()))
    activations = list(first.results) if activations is None else list(activations)
    n_rows, n_cols = len(comparisons), len(activations)
    fig, axes = plt.subplots(
        n_rows, n_cols, figsize=(3.1 * n_cols, 3.1 * n_rows), layout="constrained", squeeze=False
    )
    background = ListedColormap(plt.get_cmap("RdBu_r")(np.linspace(0.25, 0.75, 256)))
    for row, (name, comparison) in zip(axes, comparisons.items(), strict=True):
        X, y = comparison.X, comparison.y
        lo, hi = X.min(axis=0) - 0.4, X.max(axis=0) + 0.4
        g1, g2 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
        grid = np.column_stack([g1.ravel(), g2.ravel()])
        for ax, act in zip(row, activations, strict=True):
            result = comparison.results[act]
            p = predict_proba(result.params, grid).reshape(g1.shape)
            ax.contourf(g1, g2, p, levels=np.linspace(0, 1, 11), cmap=background, alpha=0.8)
            ax.contour(g1, g2, p, levels=[0.5], colors="k", linewidths=1.5)
            for label, (color, marker) in enumerate(zip(_CLASS_COLORS, _CLASS_MARKERS, strict=True)):
                mask = y == label
                ax.scatter(X[mask, 0], X[mask, 1], s=12, color=color, marker=marker, edgecolor="white",
                           linewidth=0.3)
            ax.set_title(f"{name}, {_ACTIVATION_TITLES.get(act, act)}\naccuracy {result.accuracy:.1%}",
                         fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_aspect("equal")
    return fig


def relu_fit_controls(units: Sequence[int] = RELU_FIT_UNITS) -> dict[str, Control]:
    """Return the explorer's one control: the number of ReLU units."""
    return {"n_units": Control.numbers("ReLU units N", list(units), kind="slider")}


def render_relu_fit(
    n_units: int,
    f: Callable[[np.ndarray], np.ndarray] = np.sin,
    interval: tuple[float, float] = FIT_INTERVAL,
    name: str = r"\sin x",
) -> Figure:
    r"""Draw the fit of ``f`` by ``n_units`` ReLU units and its error.

    Top: the target, the fitted sum of units and the kinks (triangles on the
    axis), over the fitting interval and a margin on each side (shaded), where
    nothing was fitted and the sum simply continues in a straight line.
    Bottom: the error ``fit - f`` on the fitting interval, with the largest
    error in the title. ``name`` is the target in LaTeX, for the legend.
    """
    a, b = interval
    x = np.linspace(a, b, 1001)
    fit = fit_relu_units(f, n_units, x)
    margin = 0.35 * (b - a)
    x_wide = np.linspace(a - margin, b + margin, 1401)

    fig, (ax, ax_err) = plt.subplots(
        2, 1, figsize=(8, 5), gridspec_kw={"height_ratios": [2.2, 1]}, sharex=True
    )
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.1, top=0.9, hspace=0.32)
    for lo, hi in ((a - margin, a), (b, b + margin)):
        ax.axvspan(lo, hi, color="0.9", zorder=0)
        ax_err.axvspan(lo, hi, color="0.9", zorder=0)
    ax.plot(x_wide, f(x_wide), color="0.35", lw=1.5, ls="--", label=f"target ${name}$")
    ax.plot(x_wide, fit(x_wide), color=FUNCTION_COLOR, lw=2.2, label=f"sum of {n_units} ReLU units")
    ax.plot(fit.knots, np.full(fit.knots.shape, -1.55), ls="none", marker="^", ms=6,
            color=DERIVATIVE_COLOR, label="kinks")
    ax.set_ylim(-1.7, 1.7)
    ax.set_xlim(a - margin, b + margin)
    style_axes(ax, xlabel="")
    ax.legend(loc="upper left", fontsize=9, framealpha=0.9)
    ax.set_title(f"{n_units} ReLU unit{'s' if n_units != 1 else ''}, kinks on an even grid, "
                 "output layer by least squares\n(grey: outside the fitted interval)", fontsize=11)

    ax_err.plot(x, fit.fitted - fit.target, color=DERIVATIVE_COLOR, lw=1.5)
    ax_err.axhline(0.0, color="0.4", lw=0.8)
    limit = 1.15 * fit.max_error
    ax_err.set_ylim(-limit, limit)
    ax_err.grid(True, linewidth=0.5, alpha=0.5)
    ax_err.set_xlabel("$x$")
    ax_err.set_ylabel("fit − target")
    ax_err.set_title(f"largest error on the interval: {fit.max_error:.2g}", fontsize=10)
    units = f"{n_units} ReLU unit{'s' if n_units != 1 else ''}"
    target = name.replace("\\", "").strip()
    interval_text = f"from {a:.3g} to {b:.3g}".replace("-", "−")
    return set_alt(fig, f"Top: the target curve {target} (dashed) and its fit by a sum of {units} (solid), "
                        f"a broken line whose {len(fit.knots)} kinks are marked by triangles, on the "
                        f"interval {interval_text} and grey margins beyond it, where the fit goes on "
                        "straight. Bottom: the error of the fit on the interval, largest "
                        f"{fit.max_error:.2g}. More units give more kinks and a closer fit.")


def relu_fit_explorer(units: Sequence[int] = RELU_FIT_UNITS) -> PrecomputedFigure:
    """Return the kernel-free widget: a slider for the number of ReLU units fitting a sine."""
    return precomputed_figure(render_relu_fit, relu_fit_controls(units), dpi=80, bbox_inches=None)
