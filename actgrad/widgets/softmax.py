r"""Explorer of softmax with a temperature: bars of :math:`\operatorname{softmax}(z / T)` for a few logits.

Not a function-and-derivative explorer (:mod:`actgrad.widgets.explorer`): a
bar chart per state, on :func:`~actgrad.widgets.precomputed.precomputed_figure`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.activations.softmax import log_softmax, softmax
from actgrad.plotting import FUNCTION_COLOR
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, select_option, set_alt

__all__ = [
    "LOGIT_BUTTON_WIDTH",
    "LOGIT_VECTORS",
    "START_TEMPERATURE",
    "TEMPERATURES",
    "render_softmax",
    "select_option",
    "softmax_controls",
    "softmax_explorer",
    "softmax_summary",
]

#: Logit vectors offered by the explorer, by label (five classes each).
LOGIT_VECTORS: dict[str, tuple[float, ...]] = {
    "one winner": (4.0, 1.5, 1.0, 0.0, -1.0),
    "close pair": (2.0, 1.8, 0.0, -0.5, -1.0),
    "near tie": (0.3, 0.2, 0.1, 0.0, -0.1),
    "spread out": (6.0, 4.0, 2.0, 0.0, -2.0),  # 20 x "near tie"
}
#: Temperatures offered by the slider.
TEMPERATURES = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 10.0, 100.0)
#: Width of each logit-vector button.
LOGIT_BUTTON_WIDTH = "7.5em"
#: Temperature the explorer shows first: plain softmax.
START_TEMPERATURE = 1.0


def softmax_controls() -> dict[str, Control]:
    """The logit vector (toggle buttons) and the temperature (a slider): 32 states."""
    return {
        "logits": Control("logits z", [(label, label) for label in LOGIT_VECTORS]),
        "temperature": Control.numbers("temperature T", TEMPERATURES),
    }


def softmax_summary(logits: str | tuple[float, ...], temperature: float) -> dict[str, float]:
    r"""``top`` (largest probability), ``entropy`` (nats), ``max_entropy`` (:math:`\ln n`) of softmax(z / T).

    ``logits`` is a label of :data:`LOGIT_VECTORS` or the logits themselves.

    >>> summary = softmax_summary((0.0, 0.0), 1.0)
    >>> summary["top"], round(summary["entropy"], 6)
    (0.5, 0.693147)
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    z = np.asarray(LOGIT_VECTORS[logits] if isinstance(logits, str) else logits, dtype=np.float64)
    p = softmax(z / temperature)
    log_p = log_softmax(z / temperature)
    return {
        "top": float(p.max()),
        "entropy": float(-np.sum(p * log_p)),
        "max_entropy": float(np.log(z.size)),
    }


def render_softmax(logits: str, temperature: float) -> Figure:
    """The bars of softmax(z / T) for the logit vector labelled ``logits``, against the uniform 1/n."""
    z = np.asarray(LOGIT_VECTORS[logits], dtype=np.float64)
    p = softmax(z / temperature)
    summary = softmax_summary(logits, temperature)
    n = z.size

    fig, ax = plt.subplots(figsize=(8, 4))
    # Fixed margins: every state has the same pixel size and plot area.
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.17, top=0.86)
    positions = np.arange(n)
    ax.bar(positions, p, width=0.6, color=FUNCTION_COLOR, zorder=2)
    ax.axhline(1.0 / n, color="0.35", ls="--", lw=1.2, zorder=3, label=f"uniform 1/{n}")
    for i, value in enumerate(p):
        ax.annotate(f"{value:.3f}", (i, value), xytext=(0, 3), textcoords="offset points",
                    ha="center", va="bottom", fontsize=10)
    ax.set_xticks(positions, [f"class {i + 1}\nz = {v:g}" for i, v in enumerate(z)])
    ax.set_xlim(-0.6, n - 0.4)
    ax.set_ylim(0.0, 1.12)
    ax.set_ylabel("probability $s_i$")
    ax.grid(True, axis="y", linewidth=0.5, alpha=0.5, zorder=0)
    ax.legend(loc="upper right", fontsize=9, framealpha=0.9)
    # Plain text rather than mathtext in labels that change from state to state (faster).
    ax.set_title(
        f"softmax(z / T) with T = {temperature:g}\n"
        f"largest probability {summary['top']:.3f}, entropy {summary['entropy']:.3f} nats"
        f" (uniform: {summary['max_entropy']:.3f})",
        fontsize=11,
    )
    bars = ", ".join(f"class {i + 1} (z = {v:g}): {value:.3f}".replace("-", "−")
                     for i, (v, value) in enumerate(zip(z, p, strict=True)))
    return set_alt(fig, f"Bar chart of softmax(z / T) for the {logits} logits at temperature "
                        f"T = {temperature:g}: "
                        f"{bars}, against a dashed line at the uniform 1/{n}. Largest probability "
                        f"{summary['top']:.3f}, entropy {summary['entropy']:.3f} nats of at most "
                        f"{summary['max_entropy']:.3f}: a low temperature sharpens the distribution, a high "
                        "one flattens it towards uniform.")


def softmax_explorer() -> PrecomputedFigure:
    """The softmax chapter's explorer: logit vector and temperature, 32 bar charts; opens at T = 1."""
    box = precomputed_figure(render_softmax, softmax_controls(), dpi=80, bbox_inches=None,
                             start={"temperature": START_TEMPERATURE})
    # Narrower buttons than ipywidgets' default, so the four fit on one line.
    box.control_widgets["logits"].style.button_width = LOGIT_BUTTON_WIDTH
    return box
