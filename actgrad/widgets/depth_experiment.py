r"""Explorer of a deep network at initialisation: activations and gradients per layer.

The chapter *A depth experiment* shows :func:`depth_explorer`: for a depth, a
hidden activation, an initialisation scheme and a factor on the weights, the
histograms of every hidden layer's activations (the picture of
Glorot & Bengio, 2010) next to the root mean square of the activations and
the norm of the weight gradient, layer by layer. All 108 states are computed
and rendered at build time by :func:`actgrad.widgets.precomputed.precomputed_figure`.
"""

from __future__ import annotations

import functools

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import PowerNorm
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from actgrad.datasets import make_task
from actgrad.experiments.depth_experiment import depth_profile
from actgrad.network import make_mlp
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = [
    "ACTIVATION_OPTIONS",
    "DEPTHS",
    "INIT_OPTIONS",
    "SCALES",
    "WIDTH",
    "depth_controls",
    "depth_explorer",
    "explorer_profile",
    "render_depth",
]

#: Depths (numbers of hidden layers) offered by the slider.
DEPTHS = (5, 10, 20, 50)
#: (label, activation name) pairs.
ACTIVATION_OPTIONS = (("sigmoid", "sigmoid"), ("tanh", "tanh"), ("ReLU", "relu"))
#: (label, initialisation scheme) pairs; see :data:`actgrad.network.INIT_SCHEMES`.
INIT_OPTIONS = (("Glorot", "glorot"), ("He", "he"), ("N(0, 1)", "normal"))
#: Factors on the weights.
SCALES = (0.5, 1.0, 2.0)
#: Units per hidden layer (and input width).
WIDTH = 64
#: Samples in the batch the profile is measured on.
BATCH = 64
#: Seeds of the weights and of the data.
NET_SEED, DATA_SEED = 2010, 5


def depth_controls() -> dict[str, Control]:
    """Return the explorer's controls: depth, activation, initialisation, weight scale."""
    return {
        "depth": Control.numbers("hidden layers", DEPTHS),
        "activation": Control("activation", list(ACTIVATION_OPTIONS)),
        "init": Control("initialisation", list(INIT_OPTIONS)),
        "scale": Control("weights ×", [(f"×{s:g}", s) for s in SCALES], kind="toggle"),
    }


@functools.lru_cache(maxsize=1)
def _data() -> tuple[np.ndarray, np.ndarray]:
    return make_task(BATCH, WIDTH, seed=DATA_SEED)


def explorer_profile(depth: int, activation: str, init: str, scale: float) -> dict[str, np.ndarray]:
    """Measure the explorer's network for one state, as ``depth_experiment.depth_profile`` does."""
    X, y = _data()
    net = make_mlp(depth, WIDTH, WIDTH, activation, init, scale, seed=NET_SEED)
    return depth_profile(net, X, y, bins=32)


def _power_label(value: float, _position: object = None) -> str:
    """Label a power of ten as plain text, e.g. ``1e-5``, ``1``, ``10``."""
    exponent = int(round(np.log10(value)))
    return {0: "1", 1: "10"}.get(exponent, f"1e{exponent}")


def _positive(values: np.ndarray) -> np.ndarray:
    """Values where positive and finite, NaN elsewhere (log axes)."""
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def render_depth(depth: int, activation: str, init: str, scale: float) -> Figure:
    """Draw the activation histograms and per-layer norms of one state (see :func:`depth_controls`)."""
    p = explorer_profile(depth, activation, init, scale)
    edges = p["edges"]
    layers = np.arange(1, depth + 1)

    fig, (ax_h, ax_n) = plt.subplots(1, 2, figsize=(9, 3.3))
    fig.subplots_adjust(left=0.075, right=0.985, bottom=0.15, top=0.86, wspace=0.25)
    # Rendering time goes mostly into text, so the texts are few and short:
    # titles are plain figure texts (set_title would measure the ticks to
    # place them), tick labels avoid mathtext, and ticks are sparse.
    ax_h.imshow(
        p["hist"].T,
        origin="lower",
        aspect="auto",
        cmap="Blues",
        norm=PowerNorm(0.5, vmin=0.0, vmax=0.25),
        extent=(0.5, depth + 0.5, edges[0], edges[-1]),
        interpolation="nearest",
    )
    ax_h.set_yticks([edges[0], (edges[0] + edges[-1]) / 2, edges[-1]])
    ax_h.set_ylabel("a / RMS of layer" if activation == "relu" else f"{activation}(z)")
    ax_h.set_xlabel("hidden layer")

    grad = _positive(p["grad_w"])
    rms = _positive(p["rms"])
    ax_n.semilogy(layers, rms, "o-", ms=3, color=FUNCTION_COLOR)
    ax_n.semilogy(layers, grad, "s-", ms=3, color=DERIVATIVE_COLOR)
    ax_n.set_xlim(0.5, depth + 0.5)
    finite = np.concatenate([rms[np.isfinite(rms)], grad[np.isfinite(grad)]])
    if finite.size:
        low, high = float(finite.min()), float(finite.max())
        ax_n.set_ylim(min(low / 3, 1e-3), max(high * 3, 10.0))
    ax_n.yaxis.set_major_locator(LogLocator(base=10.0, numticks=5))
    ax_n.yaxis.set_minor_locator(NullLocator())
    ax_n.yaxis.set_major_formatter(FuncFormatter(_power_label))
    ax_n.set_xlabel("hidden layer")
    ax_n.grid(True, which="major", lw=0.5, alpha=0.5)
    for ax in (ax_h, ax_n):
        ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))

    if np.isfinite(grad[0]) and np.isfinite(grad[-1]):
        ratio = f"‖∂L/∂W‖ of layer 1 / layer {depth} = {grad[0] / grad[-1]:.1e}"
    else:
        ratio = "the gradient underflows to 0"
    act_label = dict((v, k) for k, v in ACTIVATION_OPTIONS)[activation]
    init_label = dict((v, k) for k, v in INIT_OPTIONS)[init]
    fig.text(
        0.5,
        0.99,
        f"{act_label}, {depth} layers, {init_label} × {scale:g}: loss {float(p['loss']):.3g}, {ratio}",
        ha="center",
        va="top",
        fontsize=11,
    )
    fig.text(0.075, 0.875, "activation histogram per layer", va="bottom", fontsize=10)
    # Coloured headings instead of a legend, which took a tenth of the drawing time.
    fig.text(0.57, 0.875, "● RMS of activations", color=FUNCTION_COLOR, va="bottom", fontsize=10)
    fig.text(0.985, 0.875, "■ ‖∂L/∂W‖ per layer", color=DERIVATIVE_COLOR, va="bottom", ha="right",
             fontsize=10)
    if np.isfinite(rms[-1]):
        last = (f"the RMS of the activations goes from {rms[0]:.2g} in layer 1 "
                f"to {rms[-1]:.2g} in layer {depth}")
    else:
        last = f"the activations of layer {depth} are all 0"
    return set_alt(fig, f"Two panels for a {depth}-layer {act_label} network with {init_label} "
                        f"initialisation and weights × {scale:g}, loss {float(p['loss']):.3g}. Left: a "
                        "histogram of each hidden layer's activations, one column per layer, darker where "
                        "more units fall. Right, on a log scale against the layer: the RMS of the "
                        "activations (circles, solid line) and the norm of the weight gradient (squares); "
                        f"{last}, and {ratio}. A scheme that suits the activation keeps both curves flat; "
                        "otherwise the signal or the gradient vanishes or explodes with depth.")


def depth_explorer() -> PrecomputedFigure:
    """Return the kernel-free depth explorer of the chapter *A depth experiment*."""
    return precomputed_figure(render_depth, depth_controls(), dpi=80, bbox_inches=None)
