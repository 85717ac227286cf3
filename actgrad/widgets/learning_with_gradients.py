r"""Gradient descent on a quadratic bowl, with a learning-rate slider.

The chapter *Learning with gradients* shows :func:`learning_rate_explorer`: the
path of :math:`\theta \leftarrow \theta - \eta \nabla L(\theta)` on the bowl of
:meth:`actgrad.experiments.learning_with_gradients.Quadratic.rotated` next to the loss per
step, for learning rates on both sides of the stability limit
:math:`2 / \lambda_{\max}`.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.experiments.learning_with_gradients import Quadratic, gradient_descent
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt

__all__ = [
    "LEARNING_RATES",
    "START",
    "STEPS",
    "descent_summary",
    "learning_rate_controls",
    "learning_rate_explorer",
    "render_descent",
]

#: Learning rates offered by the slider; the bowl's limit 2/λ_max is 0.2.
LEARNING_RATES = (0.005, 0.01, 0.02, 0.05, 0.1, 0.15, 0.18, 0.19, 0.2, 0.205, 0.21, 0.22)
#: Starting point of every run.
START = (-3.5, 2.5)
#: Number of updates per run.
STEPS = 40
_VIEW = 4.2  # half-width of the contour plot


def descent_summary(
    lr: float, bowl: Quadratic | None = None, steps: int = STEPS
) -> dict[str, float]:
    r"""Run gradient descent from :data:`START` on ``bowl`` (by default :meth:`Quadratic.rotated`).

    The summary: ``lr``, ``contraction`` (the worst per-step factor
    :math:`\max_i |1 - \eta\lambda_i|`), ``start_distance`` and
    ``final_distance`` to the minimum, and ``final_loss``.
    """
    bowl = Quadratic.rotated() if bowl is None else bowl
    path = gradient_descent(bowl.grad, START, lr, steps)
    return {
        "lr": lr,
        "contraction": bowl.contraction(lr),
        "start_distance": float(np.linalg.norm(path[0] - bowl.minimum)),
        "final_distance": float(np.linalg.norm(path[-1] - bowl.minimum)),
        "final_loss": float(bowl.loss(path[-1])),
    }


def learning_rate_controls() -> dict[str, Control]:
    """Return the explorer's single control, a learning-rate slider."""
    return {"lr": Control.numbers("learning rate η", LEARNING_RATES)}


def render_descent(lr: float) -> Figure:
    r"""Draw the gradient-descent path for learning rate ``lr`` and its loss per step."""
    bowl = Quadratic.rotated()
    path = gradient_descent(bowl.grad, START, lr, STEPS)
    losses = bowl.loss(path)
    summary = descent_summary(lr, bowl)

    fig, (ax_path, ax_loss) = plt.subplots(
        1, 2, figsize=(9, 3.75), gridspec_kw={"width_ratios": [1, 1.25]}
    )
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.8, wspace=0.28)

    grid = np.linspace(-_VIEW, _VIEW, 161)
    t1, t2 = np.meshgrid(grid, grid)
    surface = bowl.loss(np.stack([t1, t2], axis=-1))
    ax_path.contour(t1, t2, surface, levels=np.geomspace(0.05, 80, 12), colors="0.72", linewidths=0.8)
    ax_path.plot(path[:, 0], path[:, 1], "-o", color=FUNCTION_COLOR, ms=3, lw=1.1)
    ax_path.plot(*START, "s", color=DERIVATIVE_COLOR, ms=7, label="start")
    ax_path.plot(*bowl.minimum, "*", color="k", ms=13, label="minimum")
    ax_path.set(xlim=(-_VIEW, _VIEW), ylim=(-_VIEW, _VIEW), aspect="equal")
    ax_path.set_xlabel(r"$\theta_1$")
    ax_path.set_ylabel(r"$\theta_2$")
    ax_path.legend(loc="lower right", fontsize=8, framealpha=0.9)
    ax_path.set_title("path on the loss contours", fontsize=10)

    steps = np.arange(STEPS + 1)
    with np.errstate(invalid="ignore"):
        ax_loss.semilogy(steps, np.where(losses > 0, losses, np.nan), "-o", color=FUNCTION_COLOR, ms=3)
    ax_loss.axhline(losses[0], color="0.5", ls=":", lw=1, label="starting loss")
    ax_loss.set(xlim=(0, STEPS), ylim=(1e-8, 1e6))
    ax_loss.set_xlabel("step $k$")
    ax_loss.set_ylabel(r"$L(\theta_k)$")
    ax_loss.grid(True, which="major", lw=0.5, alpha=0.5)
    ax_loss.legend(loc="upper right", fontsize=8)
    ax_loss.set_title("loss per step (log scale)", fontsize=10)

    factor = summary["contraction"]
    if np.isclose(factor, 1.0):
        verdict = "on the edge: the steep direction flips sign forever without shrinking"
    elif factor < 1:
        verdict = f"converges: distance to minimum × {factor:.3f} per step (worst direction)"
    else:
        verdict = f"diverges: distance × {factor:.3f} per step along the steep direction"
    fig.suptitle(
        rf"$\eta = {lr:g}$  (limit $2/\lambda_{{\max}} = {bowl.critical_lr:g}$),  "
        rf"after {STEPS} steps $\|\theta - \theta^*\| = {summary['final_distance']:.3g}$"
        f"\n{verdict}",
        fontsize=11,
    )
    return set_alt(fig, f"Gradient descent with learning rate η = {lr:g} on a tilted quadratic bowl whose "
                        f"stability limit is 2/λmax = {bowl.critical_lr:g}. Left: the path of {STEPS} steps, "
                        "dots joined by a line, from the square start towards the star at the minimum, over "
                        "grey loss contours. Right: the loss per step on a log scale, with the starting loss "
                        f"dotted. After {STEPS} steps the distance to the minimum is "
                        f"{summary['final_distance']:.3g}, the loss {summary['final_loss']:.3g}; the run "
                        f"{verdict}. Below the limit the path settles; above it, it zigzags outwards.")


def learning_rate_explorer() -> PrecomputedFigure:
    """Return the kernel-free learning-rate widget of the chapter *Learning with gradients*."""
    return precomputed_figure(render_descent, learning_rate_controls(), dpi=80, bbox_inches=None)
