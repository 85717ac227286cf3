"""Tests of the tanh and ReLU explorers (actgrad.widgets.tanh, actgrad.widgets.relu)."""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import pytest
from ipywidgets.widgets.widget_link import Link

from actgrad.widgets import Control, figure_to_png
from actgrad.widgets import relu as relu_module
from actgrad.widgets import tanh as tanh_module

pytestmark = pytest.mark.unit

matplotlib.use("Agg")


def n_states(controls: dict[str, Control]) -> int:
    return math.prod(len(c.options) for c in controls.values())


def stacks_per_level(explorer) -> list[int]:
    counts: list[int] = []

    def walk(node, level):
        if isinstance(node, widgets.Stack):
            if len(counts) <= level:
                counts.append(0)
            counts[level] += 1
            for child in node.children:
                walk(child, level + 1)

    walk(explorer.stack, 0)
    return counts


def check_explorer(explorer, controls: dict[str, Control]) -> None:
    sizes = [len(c.options) for c in controls.values()]
    assert len(explorer.images) == math.prod(sizes)
    # every state is a different picture of the same pixel size
    pngs = [im.png for im in explorer.images.values()]
    assert len(set(pngs)) == len(pngs)
    assert len({im.alt for im in explorer.images.values()}) == len(pngs)
    assert len({png[16:24] for png in pngs}) == 1
    # one jslink per Stack, from the control of its level to its selected_index
    per_level = stacks_per_level(explorer)
    assert per_level == [math.prod(sizes[:i]) for i in range(len(sizes))]
    assert len(explorer.links) == sum(per_level)
    assert all(isinstance(link, Link) for link in explorer.links)
    for link in explorer.links:
        assert link.source[1] == "index" and link.target[1] == "selected_index"
        assert link.source[0] in explorer.control_widgets.values()
    # each control's description is its own label (its accessible name)
    for name, widget in explorer.control_widgets.items():
        assert widget.description == controls[name].description
        assert not isinstance(widget, widgets.Checkbox | widgets.Label | widgets.HTMLMath)


def test_tanh_explorer_size_and_kinds() -> None:
    controls = tanh_module.tanh_controls()
    assert n_states(controls) == 36
    assert controls["xlim"].resolved_kind() == "slider"
    assert controls["k"].resolved_kind() == "slider"
    assert controls["view"].resolved_kind() == "toggle"
    assert controls["compare"].resolved_kind() == "toggle"


def test_relu_explorer_size_and_kinds() -> None:
    controls = relu_module.relu_controls()
    assert n_states(controls) == 30
    assert controls["b"].resolved_kind() == "slider"
    assert controls["view"].resolved_kind() == "toggle"
    assert 0 in controls["b"].values and min(controls["b"].values) < 0 < max(controls["b"].values)


def test_tanh_explorer_is_linked(monkeypatch) -> None:
    full = tanh_module.tanh_controls()
    # One range and two steepnesses keep the test fast; the wiring is the same.
    small = dict(full, xlim=Control.numbers("input range ±", [5]), k=Control.numbers("k", [1, 2]))
    monkeypatch.setattr(tanh_module, "tanh_controls", lambda: small)
    check_explorer(tanh_module.tanh_explorer(), small)


def test_relu_explorer_is_linked(monkeypatch) -> None:
    full = relu_module.relu_controls()
    small = dict(full, xlim=Control.numbers("input range ±", [2]), b=Control.numbers("bias b", [-1, 0, 1]))
    monkeypatch.setattr(relu_module, "relu_controls", lambda: small)
    check_explorer(relu_module.relu_explorer(), small)


def test_renders_reject_unknown_views_and_close_figures() -> None:
    with pytest.raises(ValueError, match="view"):
        tanh_module.render_tanh(3, 1, "integral", False)
    with pytest.raises(ValueError, match="view"):
        relu_module.render_relu(3, 0, "integral")
    plt.close("all")
    function = figure_to_png(tanh_module.render_tanh(3, 1, "function", True), dpi=30)
    compared = figure_to_png(tanh_module.render_tanh(3, 1, "function", False), dpi=30)
    assert function != compared
    assert plt.get_fignums() == []


def test_render_titles_report_the_computed_shares() -> None:
    fig = relu_module.render_relu(2, 0, "derivative")
    assert "50.0%" in fig.axes[0].get_title()
    plt.close(fig)
    fig = tanh_module.render_tanh(10, 1, "derivative", True)
    title = fig.axes[0].get_title()
    plt.close(fig)
    # tanh'(x) < 0.01 for |x| > 2.99 and sigma'(x) < 0.01 for |x| > 4.59:
    # 70% and 54% of [-10, 10]
    assert "70% of [−10, 10] is saturated for tanh, 54% for σ" in title
