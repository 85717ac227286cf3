"""Tests of the softmax and Swish explorers (actgrad.widgets.softmax, actgrad.widgets.smooth)."""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib
import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link

from actgrad.activations import silu, softmax, swish, swish_grad
from actgrad.widgets import smooth as smooth_module
from actgrad.widgets import softmax as softmax_module
from actgrad.widgets.precomputed import AltImage, Control, figure_to_png

pytestmark = pytest.mark.unit

matplotlib.use("Agg")


def n_states(controls: dict[str, Control]) -> int:
    return math.prod(len(c.options) for c in controls.values())


def stacks_by_level(box, depth: int) -> list[list[widgets.Stack]]:
    levels: list[list[widgets.Stack]] = [[] for _ in range(depth)]

    def collect(node, level):
        if isinstance(node, widgets.Stack):
            levels[level].append(node)
            for child in node.children:
                collect(child, level + 1)

    collect(box.stack, 0)
    return levels


def image_at(box, key: tuple[int, ...]) -> AltImage:
    node = box.stack
    for i in key:
        node = node.children[i]
    assert isinstance(node, AltImage)
    return node


def check_wiring(box, start: dict[str, int]) -> None:
    """Controls, stacks and jslinks agree; the widget opens at the ``start`` indices."""
    names = list(box.controls)
    levels = stacks_by_level(box, len(names))
    live_links = {
        (id(w.source[0]), w.source[1], id(w.target[0]), w.target[1])
        for w in widgets.widget._instances.values()
        if isinstance(w, Link)
    }
    for name, level_stacks in zip(names, levels, strict=True):
        control = box.control_widgets[name]
        assert control.description == box.controls[name].description  # its label, its accessible name
        assert control.index == start.get(name, 0)
        assert level_stacks and all(s.selected_index == control.index for s in level_stacks)
        assert all(len(s.children) == len(box.controls[name].options) for s in level_stacks)
        for stack in level_stacks:
            assert (id(control), "index", id(stack), "selected_index") in live_links
    assert len(box.links) == sum(len(level) for level in levels)
    pngs = [im.png for im in box.images.values()]
    assert len(set(pngs)) == len(pngs), "every state should be a different picture"
    assert len({im.alt for im in box.images.values()}) == len(pngs), "every state should say what it shows"
    assert len({png[16:24] for png in pngs}) == 1, "every state should have the same pixel size"
    assert not any(isinstance(w, (widgets.Label, widgets.HTMLMath, widgets.Checkbox)) for w in walk(box))


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


# ------------------------------------------------------------------ softmax


def test_softmax_controls_are_small_and_of_the_right_kind():
    controls = softmax_module.softmax_controls()
    assert n_states(controls) <= 60
    assert list(controls) == ["logits", "temperature"]
    assert controls["temperature"].resolved_kind() == "slider"
    assert controls["logits"].resolved_kind() == "toggle"
    assert softmax_module.START_TEMPERATURE in controls["temperature"].values


def test_softmax_explorer_is_linked_and_opens_at_temperature_one(monkeypatch):
    small = {
        "logits": Control("logits z", [(label, label) for label in ("one winner", "near tie")]),
        "temperature": Control.numbers("temperature T", [0.5, 1.0, 10.0]),
    }
    monkeypatch.setattr(softmax_module, "softmax_controls", lambda: small)
    box = softmax_module.softmax_explorer()
    assert len(box.images) == 6
    check_wiring(box, {"temperature": 1})
    assert box.control_widgets["logits"].style.button_width == softmax_module.LOGIT_BUTTON_WIDTH
    expected = figure_to_png(softmax_module.render_softmax("near tie", 10.0), bbox_inches=None)
    assert image_at(box, (1, 2)).png == expected


def test_softmax_summary_limits():
    hot = softmax_module.softmax_summary("one winner", 1e6)
    cold = softmax_module.softmax_summary("one winner", 1e-3)
    assert hot["entropy"] == pytest.approx(math.log(5), rel=1e-6)
    assert hot["max_entropy"] == pytest.approx(math.log(5))
    assert cold["top"] == pytest.approx(1.0) and cold["entropy"] < 1e-12
    z = np.array(softmax_module.LOGIT_VECTORS["close pair"])
    at_one = softmax_module.softmax_summary(tuple(z), 1.0)
    assert at_one["top"] == pytest.approx(float(softmax(z).max()), rel=1e-15)
    with pytest.raises(ValueError, match="temperature"):
        softmax_module.softmax_summary("near tie", 0.0)


def test_select_option_rejects_a_missing_option(monkeypatch):
    small = {"logits": Control("logits z", [("near tie", "near tie")]),
             "temperature": Control.numbers("temperature T", [1.0])}
    monkeypatch.setattr(softmax_module, "softmax_controls", lambda: small)
    box = softmax_module.softmax_explorer()
    with pytest.raises(IndexError):
        softmax_module.select_option(box, "temperature", 1)


# ------------------------------------------------------------------ swish


def test_swish_controls_are_small_and_of_the_right_kind():
    controls = smooth_module.swish_controls()
    assert n_states(controls) <= 60
    assert controls["beta"].resolved_kind() == "slider"
    assert controls["view"].resolved_kind() == "toggle"
    assert 0.0 in controls["beta"].values and smooth_module.START_BETA in controls["beta"].values


def test_swish_explorer_is_linked_and_opens_at_silu(monkeypatch):
    small = dict(smooth_module.swish_controls(), beta=Control.numbers("β", [0.0, 1.0, 10.0]))
    monkeypatch.setattr(smooth_module, "swish_controls", lambda: small)
    box = smooth_module.swish_explorer()
    assert len(box.images) == 6
    check_wiring(box, {"beta": 1})
    expected = figure_to_png(smooth_module.render_swish(10.0, "derivative"), bbox_inches=None)
    assert image_at(box, (2, 1)).png == expected


@pytest.mark.parametrize("beta", [0.5, 1.0, 1.702, 10.0])
def test_swish_minimum_is_a_stationary_point_with_value_x_plus_one_over_beta(beta):
    x_min, f_min = smooth_module.swish_minimum(beta)
    assert abs(float(swish_grad(x_min, beta))) < 1e-12
    assert f_min == pytest.approx(float(swish(x_min, beta)), abs=1e-12)
    assert f_min == pytest.approx(x_min + 1.0 / beta, abs=1e-12)
    grid = np.linspace(-10.0, 10.0, 200_001) / beta
    assert float(swish(grid, beta).min()) >= f_min - 1e-15
    assert float(silu(smooth_module.silu_minimiser())) == pytest.approx(-0.2784645, abs=1e-7)


def test_swish_minimum_rejects_negative_beta_and_has_none_at_zero():
    assert smooth_module.swish_minimum(0.0) is None
    with pytest.raises(ValueError, match="beta"):
        smooth_module.swish_minimum(-1.0)


def test_swish_render_rejects_unknown_view():
    with pytest.raises(ValueError, match="view"):
        smooth_module.render_swish(1.0, "integral")
