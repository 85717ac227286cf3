"""Tests of actgrad.experiments.depth and the depth explorer widget (actgrad.widgets.depth)."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link

from actgrad.experiments import depth as dx
from actgrad.widgets import depth as wd
from actgrad.widgets.precomputed import AltImage, figure_to_png, set_alt

pytestmark = pytest.mark.unit

matplotlib.use("Agg")


# ---------------------------------------------------------------- the network


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "elu", "gelu", "selu"])
def test_backward_pass_matches_finite_differences(activation: str) -> None:
    X, y = dx.make_task(n=8, d_in=3, seed=1)
    net = dx.make_mlp(3, 4, 3, activation, "glorot", bias_std=0.1, seed=2)
    errors = dx.check_mlp_gradients(net, X, y)
    assert set(errors) == {f"{k}{i}" for i in range(1, 5) for k in "Wb"}
    # sigmoid gradients of the lowest layers are ~1e-5, where the central
    # difference itself has a relative error of ~1e-6
    assert max(errors.values()) < 1e-5, errors


def test_a_wrong_backward_pass_is_caught() -> None:
    X, y = dx.make_task(n=8, d_in=3, seed=1)
    net = dx.make_mlp(2, 4, 3, "tanh", "glorot", bias_std=0.1, seed=2)
    net._dphi = lambda z: 1.0 - np.tanh(z)  # not the derivative of tanh
    assert max(dx.check_mlp_gradients(net, X, y).values()) > 1e-2


def test_shapes_and_initialisation_scales() -> None:
    net = dx.make_mlp(4, 300, 200, "relu", "he", seed=0)
    assert [w.shape for w in net.weights] == [(300, 200), (300, 300), (300, 300), (300, 300), (1, 300)]
    assert net.weights[1].std() == pytest.approx(np.sqrt(2 / 300), rel=0.02)
    glorot = dx.make_mlp(1, 300, 100, "tanh", "glorot", scale=2.0, seed=0)
    assert glorot.weights[0].std() == pytest.approx(2 * np.sqrt(2 / 400), rel=0.02)
    assert dx.make_mlp(1, 300, 300, "tanh", "normal", seed=0).weights[0].std() == pytest.approx(1, rel=0.02)
    with pytest.raises(ValueError, match="unknown initialisation"):
        dx.make_mlp(2, 4, 3, "tanh", "xavier")
    with pytest.raises(ValueError, match="unknown activation"):
        dx.make_mlp(2, 4, 3, "swoosh")


def test_training_lowers_the_loss() -> None:
    X, y = dx.make_task(n=128, d_in=5, seed=0)
    net = dx.make_mlp(2, 16, 5, "tanh", "glorot", seed=0)
    history = dx.train(net, X, y, lr=0.5, steps=100)
    assert history.loss[-1] < 0.8 * history.loss[0]
    assert history.grad_b.shape == (100, 2)


# ---------------------------------------------------------------- the shapes of the known results


def test_sigmoid_gradients_shrink_toward_the_input_by_more_than_2_per_layer() -> None:
    """Nielsen's network: 4 hidden layers of 30 sigmoid units, N(0, 1/n) weights, N(0, 1) biases."""
    X, y = dx.make_task(n=256, d_in=10, seed=0)
    factors = []
    for seed in range(5):
        net = dx.make_mlp(4, 30, 10, "sigmoid", "lecun", bias_std=1.0, seed=seed)
        grad_b = dx.depth_profile(net, X, y)["grad_b"]
        assert np.all(np.diff(grad_b) > 0), grad_b  # every layer gets less than the one above
        factors.append(dx.layer_factor(grad_b))
    assert min(factors) > 2.5, factors
    assert 3.5 < np.exp(np.mean(np.log(factors))) < 6, factors


def test_relu_with_he_keeps_its_variance_while_n01_explodes_and_small_weights_die() -> None:
    X, _ = dx.make_task(n=128, d_in=256, seed=1)

    def mean_squares(init: str, scale: float) -> np.ndarray:
        net = dx.make_mlp(50, 256, 256, "relu", init, scale, seed=0)
        return np.array([np.mean(a**2) for a in net.forward(X).hidden])

    he = mean_squares("he", 1.0)
    assert he.shape == (50,)
    assert np.all((he > 0.2) & (he < 5.0)), he.round(2)
    exploding = mean_squares("normal", 1.0)
    assert exploding[-1] > 1e80 and np.all(np.diff(np.log(exploding)) > 0)
    dying = mean_squares("he", 0.5)
    assert dying[-1] < 1e-25


def test_jacobian_chain_never_exceeds_its_bound() -> None:
    x = np.random.default_rng(0).normal(size=16)
    for activation, init, scale in [("sigmoid", "glorot", 1.0), ("tanh", "normal", 1.0), ("relu", "he", 2.0)]:
        chain = dx.jacobian_chain(dx.make_mlp(8, 16, 16, activation, init, scale, seed=3), x)
        assert np.all(chain["product"] <= chain["bound"] * (1 + 1e-12))
    sigmoid = dx.jacobian_chain(dx.make_mlp(8, 16, 16, "sigmoid", "glorot", seed=3), x)
    assert np.all(sigmoid["slope_max"] <= 0.25)
    assert sigmoid["product"][-1] < 1e-3


def test_spectral_radius_decides_growth_of_a_recurrence() -> None:
    rng = np.random.default_rng(2013)
    W0, h0 = rng.normal(size=(32, 32)), rng.normal(size=32)
    shrink = dx.recurrence_norms(dx.scale_to_spectral_radius(W0, 0.9), h0, 100)
    grow = dx.recurrence_norms(dx.scale_to_spectral_radius(W0, 1.1), h0, 100)
    assert float(shrink["radius"]) == pytest.approx(0.9)
    assert shrink["power"][-1] < 1e-2 < 1e2 < grow["power"][-1]
    # the largest singular value bounds every power
    for r in (shrink, grow):
        assert np.all(r["power"] <= float(r["sigma_max"]) ** np.arange(101) * (1 + 1e-9))


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
