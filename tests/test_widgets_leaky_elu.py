"""Tests of the kernel-free explorers of the chapters *Leaky ReLU and PReLU* and *ELU and SELU*."""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link

from actgrad.widgets import elu_selu as elu_module
from actgrad.widgets import leaky_relu as leaky_module
from actgrad.widgets.precomputed import Control, figure_to_png

pytestmark = pytest.mark.unit

matplotlib.use("Agg")

EXPLORERS = {
    "leaky": (leaky_module, "leaky_relu_controls", "leaky_relu_explorer"),
    "elu": (elu_module, "elu_controls", "elu_explorer"),
}


def _n_states(controls) -> int:
    return math.prod(len(c.options) for c in controls.values())


@pytest.mark.parametrize("name", EXPLORERS)
def test_controls_are_small_and_of_the_right_kind(name) -> None:
    module, controls_name, _ = EXPLORERS[name]
    controls = getattr(module, controls_name)()
    assert list(controls)[1:] == ["xlim", "view"]
    assert _n_states(controls) == 42
    first = next(iter(controls.values()))
    assert first.resolved_kind() == "slider"
    assert controls["xlim"].resolved_kind() == "slider"
    assert controls["view"].resolved_kind() == "toggle"
    assert controls["view"].values == ["function", "derivative"]
    for control in controls.values():
        # the visible description is the control's own (its accessible name)
        assert control.make_widget().description == control.description


def _small(module, controls_name, first_values):
    """The module's controls cut down to two values of the first control and one input range."""
    controls = getattr(module, controls_name)()
    first_name = next(iter(controls))
    first = controls[first_name]
    kept = [option for option in first.options if option[1] in first_values]
    return {
        first_name: Control(first.description, kept, kind="slider"),
        "xlim": Control.numbers("input range ±", [controls["xlim"].values[1]]),
        "view": controls["view"],
    }


@pytest.mark.parametrize(
    ("name", "first_values"), [("leaky", (0.0, 0.25)), ("elu", (1.0, "selu"))]
)
def test_explorer_renders_every_state_and_links_every_stack(monkeypatch, name, first_values) -> None:
    module, controls_name, explorer_name = EXPLORERS[name]
    small = _small(module, controls_name, first_values)
    monkeypatch.setattr(module, controls_name, lambda: small)
    explorer = getattr(module, explorer_name)()

    assert len(explorer.images) == 2 * 1 * 2
    pngs = [im.png for im in explorer.images.values()]
    assert len(set(pngs)) == 4, "every state should be a different picture"
    assert len({im.alt for im in explorer.images.values()}) == 4, "every state should say what it shows"
    assert len({png[16:24] for png in pngs}) == 1, "every state should have the same pixel size"

    # one link per Stack: 1 at the top, 2 below it, 2 x 1 at the bottom
    assert len(explorer.links) == 1 + 2 + 2
    assert all(isinstance(link, Link) for link in explorer.links)
    controls = list(explorer.control_widgets.values())
    stacks_by_level: list[list[widgets.Stack]] = [[], [], []]

    def collect(node, level):
        if isinstance(node, widgets.Stack):
            stacks_by_level[level].append(node)
            for child in node.children:
                collect(child, level + 1)

    collect(explorer.stack, 0)
    pairs = {
        (id(link.source[0]), link.source[1], id(link.target[0]), link.target[1]) for link in explorer.links
    }
    for control, stacks in zip(controls, stacks_by_level, strict=True):
        for stack in stacks:
            assert (id(control), "index", id(stack), "selected_index") in pairs
    assert [w.description for w in controls] == [c.description for c in explorer.controls.values()]
    assert plt.get_fignums() == []


def test_leaky_render_draws_the_requested_slope() -> None:
    fig = leaky_module.render_leaky_relu(0.25, 3, "function")
    line = next(li for li in fig.axes[0].get_lines() if "α = 0.25" in li.get_label())
    x, y = line.get_data()
    np.testing.assert_allclose(y, np.where(x > 0, x, 0.25 * x))
    plt.close(fig)
    fig = leaky_module.render_leaky_relu(0.25, 3, "derivative")
    dots = [li for li in fig.axes[0].get_lines() if li.get_label() == "value used at x = 0"]
    assert dots and float(dots[0].get_ydata()[0]) == 0.25  # the kink convention
    plt.close(fig)
    with pytest.raises(ValueError, match="view"):
        leaky_module.render_leaky_relu(0.1, 3, "integral")


def test_elu_render_marks_the_jump_and_selu() -> None:
    fig = elu_module.render_elu(0.5, 5, "derivative")
    assert "jumps from 0.5 to 1" in fig.axes[0].get_title()
    plt.close(fig)
    fig = elu_module.render_elu(1.0, 5, "derivative")
    assert "continuous at 0" in fig.axes[0].get_title()
    plt.close(fig)
    fig = elu_module.render_elu("selu", 5, "function")
    assert "SELU" in fig.axes[0].get_title()
    floor = [li for li in fig.axes[0].get_lines() if li.get_label().startswith("saturation level")]
    assert floor and float(floor[0].get_ydata()[0]) == pytest.approx(-1.7581, abs=1e-4)
    assert figure_to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="unit"):
        elu_module.render_elu(-1.0, 5, "function")
    with pytest.raises(ValueError, match="view"):
        elu_module.render_elu(1.0, 5, "slope")
