"""Tests of actgrad.experiments.depth_experiment and its explorer widget, actgrad.widgets.depth_experiment."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link

from actgrad.datasets import make_task
from actgrad.experiments import depth_experiment
from actgrad.network import make_mlp
from actgrad.widgets import depth_experiment as wd
from actgrad.widgets.precomputed import AltImage, figure_to_png, set_alt

pytestmark = pytest.mark.unit

matplotlib.use("Agg")


# ---------------------------------------------------------------- the shapes of the known results


def test_sigmoid_gradients_shrink_toward_the_input_by_more_than_2_per_layer() -> None:
    """Nielsen's network: 4 hidden layers of 30 sigmoid units, N(0, 1/n) weights, N(0, 1) biases."""
    X, y = make_task(n=256, d_in=10, seed=0)
    factors = []
    for seed in range(5):
        net = make_mlp(4, 30, 10, "sigmoid", "lecun", bias_std=1.0, seed=seed)
        grad_b = depth_experiment.depth_profile(net, X, y)["grad_b"]
        assert np.all(np.diff(grad_b) > 0), grad_b  # every layer gets less than the one above
        factors.append(depth_experiment.layer_factor(grad_b))
    assert min(factors) > 2.5, factors
    assert 3.5 < np.exp(np.mean(np.log(factors))) < 6, factors


def test_relu_with_he_keeps_its_variance_while_n01_explodes_and_small_weights_die() -> None:
    X, _ = make_task(n=128, d_in=256, seed=1)

    def mean_squares(init: str, scale: float) -> np.ndarray:
        net = make_mlp(50, 256, 256, "relu", init, scale, seed=0)
        return np.array([np.mean(a**2) for a in net.forward(X).hidden])

    he = mean_squares("he", 1.0)
    assert he.shape == (50,)
    assert np.all((he > 0.2) & (he < 5.0)), he.round(2)
    exploding = mean_squares("normal", 1.0)
    assert exploding[-1] > 1e80 and np.all(np.diff(np.log(exploding)) > 0)
    dying = mean_squares("he", 0.5)
    assert dying[-1] < 1e-25


# ---------------------------------------------------------------- the widget


def test_controls_give_108_states() -> None:
    controls = wd.depth_controls()
    assert list(controls) == ["depth", "activation", "init", "scale"]
    assert [len(c.options) for c in controls.values()] == [4, 3, 3, 3]


def test_render_depth_gives_different_pictures_for_different_states() -> None:
    pngs = {
        args: figure_to_png(wd.render_depth(*args), bbox_inches=None)
        for args in [(5, "sigmoid", "glorot", 1.0), (5, "relu", "he", 1.0), (10, "relu", "he", 1.0)]
    }
    assert len(set(pngs.values())) == 3
    fig = wd.render_depth(5, "tanh", "normal", 2.0)
    assert len(fig.axes) == 2
    plt.close(fig)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_explorer_has_one_image_per_state_and_jslinks(monkeypatch) -> None:
    def cheap(depth, activation, init, scale):  # the real render is tested above
        fig, ax = plt.subplots(figsize=(0.5, 0.3))
        ax.text(0, 0, f"{depth}{activation}{init}{scale}")
        ax.set_axis_off()
        return set_alt(fig, f"state {depth} {activation} {init} {scale}")

    monkeypatch.setattr(wd, "render_depth", cheap)
    explorer = wd.depth_explorer()
    images = [w for w in _walk(explorer) if isinstance(w, AltImage)]
    assert len(images) == len(explorer.images) == 108
    # one link per Stack: 1 + 4 + 12 + 36 Stacks on the four levels
    assert len(explorer.links) == 53
    assert all(isinstance(link, Link) for link in explorer.links)
    assert {link.source[1] for link in explorer.links} == {"index"}
    assert {link.target[1] for link in explorer.links} == {"selected_index"}
    forbidden = (widgets.Label, widgets.HTMLMath, widgets.Checkbox)
    assert not any(isinstance(w, forbidden) for w in _walk(explorer))
    # each control is labelled by its own description (its accessible name)
    assert [w.description for w in explorer.control_widgets.values()] == [
        c.description for c in wd.depth_controls().values()]
