"""Tests of the function-and-derivative explorer (actgrad.widgets.explorer) and the chapters' explorers.

The chapters' explorers: sigmoid, tanh, relu, leaky_relu, elu_selu, smooth
(Swish) and softmax (a bar chart on the same mechanism) in actgrad.widgets.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets.widgets.widget_link import Link

from actgrad.activations import silu, softmax, swish, swish_grad
from actgrad.plotting import DERIVATIVE_COLOR, FUNCTION_COLOR
from actgrad.widgets import elu_selu as elu_module
from actgrad.widgets import leaky_relu as leaky_module
from actgrad.widgets import relu as relu_module
from actgrad.widgets import sigmoid as sigmoid_module
from actgrad.widgets import smooth_activations as smooth_module
from actgrad.widgets import softmax as softmax_module
from actgrad.widgets import tanh as tanh_module
from actgrad.widgets.explorer import (
    Kink,
    Plot,
    Reference,
    draw,
    function_explorer,
    is_derivative,
    saturated_spans,
    view_control,
)
from actgrad.widgets.precomputed import AltImage, Control, figure_alt, figure_to_png, select_option

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


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def check_explorer(box, controls: dict[str, Control], start: dict[str, int] | None = None) -> None:
    """Controls, stacks, jslinks and pictures agree; the widget opens at the ``start`` indices."""
    start = start or {}
    names = list(controls)
    sizes = [len(c.options) for c in controls.values()]
    assert list(box.controls) == names
    assert len(box.images) == math.prod(sizes)
    # every state is a different picture, with its own alt text, of the same pixel size
    pngs = [im.png for im in box.images.values()]
    assert len(set(pngs)) == len(pngs), "every state should be a different picture"
    assert len({im.alt for im in box.images.values()}) == len(pngs), "every state should say what it shows"
    assert len({png[16:24] for png in pngs}) == 1, "every state should have the same pixel size"
    # one jslink per Stack, from the control of its level to its selected_index, also in
    # ipywidgets' registry of live widgets
    levels = stacks_by_level(box, len(names))
    assert [len(level) for level in levels] == [math.prod(sizes[:i]) for i in range(len(sizes))]
    assert len(box.links) == sum(len(level) for level in levels)
    assert all(isinstance(link, Link) for link in box.links)
    for link in box.links:
        assert link.source[1] == "index" and link.target[1] == "selected_index"
        assert link.source[0] in box.control_widgets.values()
    recorded = {(id(w.source[0]), w.source[1], id(w.target[0]), w.target[1]) for w in box.links}
    live = {
        (id(w.source[0]), w.source[1], id(w.target[0]), w.target[1])
        for w in widgets.widget._instances.values()
        if isinstance(w, Link)
    }
    for name, level_stacks in zip(names, levels, strict=True):
        control = box.control_widgets[name]
        # each control's description is its own label (its accessible name)
        assert control.description == controls[name].description == box.controls[name].description
        assert control.index == start.get(name, 0)
        assert level_stacks and all(s.selected_index == control.index for s in level_stacks)
        assert all(len(s.children) == len(controls[name].options) for s in level_stacks)
        for stack in level_stacks:
            assert (id(control), "index", id(stack), "selected_index") in recorded & live
    assert [w.description for w in box.control_widgets.values()] == [c.description for c in controls.values()]
    assert not any(isinstance(w, widgets.Label | widgets.HTMLMath | widgets.Checkbox) for w in walk(box))
    assert plt.get_fignums() == []


# ------------------------------------------------------------------ the explorer itself


def test_view_control_and_is_derivative():
    control = view_control("σ(kx)", "slope")
    assert control.description == "show"
    assert control.options == (("σ(kx)", "function"), ("slope", "derivative"))
    assert control.resolved_kind() == "toggle"
    assert view_control().labels == ["function", "derivative"]
    assert is_derivative("derivative") and not is_derivative("function")
    with pytest.raises(ValueError, match="view"):
        is_derivative("integral")


def test_saturated_spans_are_the_runs_of_the_mask():
    x = np.arange(10.0)
    mask = np.array([1, 1, 0, 0, 1, 0, 0, 0, 1, 1], dtype=bool)
    assert saturated_spans(x, mask) == [(0.0, 1.0), (4.0, 4.0), (8.0, 9.0)]
    assert saturated_spans(x, np.zeros(10, dtype=bool)) == []


def test_draw_follows_the_plot_in_order_and_colour():
    x = np.linspace(-2, 2, 41)
    calls = []
    plot = Plot(
        x, np.where(x > 0, 1.0, 0.25), "step", ylim=(-0.1, 1.5), ylabel="slope", title="a step",
        alt="A step from 0.25 to 1 at x = 0.", derivative=True,
        references=[Reference(np.zeros_like(x), "zero", ls=":")],
        shade=[(-2.0, -1.0), (1.5, 2.0)], shade_label="shaded",
        kink=Kink(0.0, 0.25, 1.0, used_label="used", other_label="other"),
        under=lambda ax: calls.append("under"), over=lambda ax: calls.append("over"),
    )
    fig = draw(plot)
    ax = fig.axes[0]
    assert calls == ["under", "over"]
    assert figure_alt(fig) == "A step from 0.25 to 1 at x = 0."
    assert ax.get_title() == "a step" and ax.get_ylabel() == "slope"
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-0.1, 1.5)
    # legend order = drawing order: first shaded band, reference, curve, the two kink marks
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["shaded", "zero", "step", "used", "other"]
    curves = [li for li in ax.get_lines() if li.get_color() == DERIVATIVE_COLOR and li.get_linewidth() == 2.2]
    left, right = curves
    assert left.get_xdata().max() <= 0 < right.get_xdata().min()  # no vertical line joins the jump
    assert len(left.get_xdata()) + len(right.get_xdata()) == 41
    dots = [li for li in ax.get_lines() if li.get_marker() == "o"]
    assert [float(d.get_ydata()[0]) for d in dots] == [0.25, 1.0]
    assert dots[1].get_markerfacecolor() == "white"
    plt.close(fig)
    # a kink outside the range is split but not marked; a function is drawn in the function colour
    outside = Kink(5.0, 0.0, 1.0)
    fig = draw(Plot(x, x, "line", ylim=(-2, 2), ylabel="y", title="t", alt="A line.", kink=outside))
    lines = fig.axes[0].get_lines()
    assert not [li for li in lines if li.get_marker() == "o"]
    assert any(li.get_color() == FUNCTION_COLOR for li in lines)
    plt.close(fig)


def test_function_explorer_opens_at_start_and_draws_every_state():
    def plot(a: float, view: str) -> Plot:
        x = np.linspace(-1, 1, 21)
        y = a * x if not is_derivative(view) else np.full_like(x, a)
        return Plot(x, y, f"slope {a}", ylim=(-3, 3), ylabel="y", title=f"{a} {view}", alt=f"{view} of {a}x.")

    controls = {"a": Control.numbers("slope a", [1, 2, 3]), "view": view_control()}
    box = function_explorer(plot, controls, start={"a": 2})
    check_explorer(box, controls, {"a": 1})
    assert image_at(box, (2, 1)).alt == "derivative of 3x."
    assert image_at(box, (0, 0)).png == figure_to_png(draw(plot(1, "function")), bbox_inches=None)


# ------------------------------------------------------------------ sigmoid


def test_sigmoid_explorer_is_small_and_linked(monkeypatch):
    controls = sigmoid_module.sigmoid_controls()
    assert n_states(controls) == 50 <= 60
    assert controls["view"].resolved_kind() == "toggle"
    assert controls["k"].resolved_kind() == "slider"

    # Build with only two x ranges to keep the test fast.
    small = dict(controls, xlim=Control.numbers("input range ±", [5, 10]))
    monkeypatch.setattr(sigmoid_module, "sigmoid_controls", lambda: small)
    explorer = sigmoid_module.sigmoid_explorer()
    assert len(explorer.images) == 2 * len(controls["k"].options) * 2
    check_explorer(explorer, small)


def test_sigmoid_plot_rejects_unknown_view_and_reports_the_saturated_share():
    with pytest.raises(ValueError, match="view"):
        sigmoid_module.sigmoid_plot(5, 1, "integral")
    # sigma'(x) < 0.01 for |x| > 4.59: 54% of [-10, 10]
    plot = sigmoid_module.sigmoid_plot(10, 1, "derivative")
    assert "54% of [−10, 10] is saturated" in plot.title and "peak k/4 = 0.25" in plot.title
    assert "|x| above about 4.6" in plot.alt and plot.references == []
    assert sigmoid_module.sigmoid_plot(10, 2, "function").references[0].label == "k = 1"


# ------------------------------------------------------------------ tanh


def test_tanh_explorer_size_and_kinds() -> None:
    controls = tanh_module.tanh_controls()
    assert n_states(controls) == 36
    assert controls["xlim"].resolved_kind() == "slider"
    assert controls["k"].resolved_kind() == "slider"
    assert controls["view"].resolved_kind() == "toggle"
    assert controls["compare"].resolved_kind() == "toggle"


def test_tanh_explorer_is_linked(monkeypatch) -> None:
    full = tanh_module.tanh_controls()
    # One range and two steepnesses keep the test fast; the wiring is the same.
    small = dict(full, xlim=Control.numbers("input range ±", [5]), k=Control.numbers("k", [1, 2]))
    monkeypatch.setattr(tanh_module, "tanh_controls", lambda: small)
    check_explorer(tanh_module.tanh_explorer(), small)


def test_tanh_plot_rejects_unknown_views_and_draws_the_comparison() -> None:
    with pytest.raises(ValueError, match="view"):
        tanh_module.tanh_plot(3, 1, "integral", False)
    plt.close("all")
    function = figure_to_png(draw(tanh_module.tanh_plot(3, 1, "function", True)), dpi=30)
    compared = figure_to_png(draw(tanh_module.tanh_plot(3, 1, "function", False)), dpi=30)
    assert function != compared
    assert plt.get_fignums() == []


def test_tanh_title_reports_the_computed_shares() -> None:
    fig = draw(tanh_module.tanh_plot(10, 1, "derivative", True))
    title = fig.axes[0].get_title()
    plt.close(fig)
    # tanh'(x) < 0.01 for |x| > 2.99 and sigma'(x) < 0.01 for |x| > 4.59:
    # 70% and 54% of [-10, 10]
    assert "70% of [−10, 10] is saturated for tanh, 54% for σ" in title


# ------------------------------------------------------------------ relu


def test_relu_explorer_size_and_kinds() -> None:
    controls = relu_module.relu_controls()
    assert n_states(controls) == 30
    assert controls["b"].resolved_kind() == "slider"
    assert controls["view"].resolved_kind() == "toggle"
    assert 0 in controls["b"].values and min(controls["b"].values) < 0 < max(controls["b"].values)


def test_relu_explorer_is_linked(monkeypatch) -> None:
    full = relu_module.relu_controls()
    small = dict(full, xlim=Control.numbers("input range ±", [2]), b=Control.numbers("bias b", [-1, 0, 1]))
    monkeypatch.setattr(relu_module, "relu_controls", lambda: small)
    check_explorer(relu_module.relu_explorer(), small)


def test_relu_plot_rejects_unknown_views_and_reports_the_dead_share() -> None:
    with pytest.raises(ValueError, match="view"):
        relu_module.relu_plot(3, 0, "integral")
    fig = draw(relu_module.relu_plot(2, 0, "derivative"))
    assert "50.0%" in fig.axes[0].get_title()
    plt.close(fig)
    # Phi(1) = 84.1%: with b = -1 most inputs get no gradient
    plot = relu_module.relu_plot(3, -1, "derivative")
    assert "Φ(−b) = 84.1%" in plot.alt and plot.kink == Kink(1, 0.0, 1.0)
    assert plot.shade == [(-3, 1)]


# ------------------------------------------------------------------ leaky ReLU and ELU/SELU

EXPLORERS = {
    "leaky": (leaky_module, "leaky_relu_controls", "leaky_relu_explorer"),
    "elu": (elu_module, "elu_controls", "elu_explorer"),
}


@pytest.mark.parametrize("name", EXPLORERS)
def test_controls_are_small_and_of_the_right_kind(name) -> None:
    module, controls_name, _ = EXPLORERS[name]
    controls = getattr(module, controls_name)()
    assert list(controls)[1:] == ["xlim", "view"]
    assert n_states(controls) == 42
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
    # one link per Stack: 1 at the top, 2 below it, 2 x 1 at the bottom
    assert len(explorer.links) == 1 + 2 + 2
    check_explorer(explorer, small)


def test_leaky_plot_draws_the_requested_slope() -> None:
    fig = draw(leaky_module.leaky_relu_plot(0.25, 3, "function"))
    line = next(li for li in fig.axes[0].get_lines() if "α = 0.25" in li.get_label())
    x, y = line.get_data()
    np.testing.assert_allclose(y, np.where(x > 0, x, 0.25 * x))
    plt.close(fig)
    fig = draw(leaky_module.leaky_relu_plot(0.25, 3, "derivative"))
    dots = [li for li in fig.axes[0].get_lines() if li.get_label() == "value used at x = 0"]
    assert dots and float(dots[0].get_ydata()[0]) == 0.25  # the kink convention
    plt.close(fig)
    with pytest.raises(ValueError, match="view"):
        leaky_module.leaky_relu_plot(0.1, 3, "integral")
    # at alpha = 1 nothing jumps: no open circle
    assert leaky_module.leaky_relu_plot(1.0, 3, "derivative").kink.other is None


def test_elu_plot_marks_the_jump_and_selu() -> None:
    fig = draw(elu_module.elu_plot(0.5, 5, "derivative"))
    assert "jumps from 0.5 to 1" in fig.axes[0].get_title()
    plt.close(fig)
    fig = draw(elu_module.elu_plot(1.0, 5, "derivative"))
    assert "continuous at 0" in fig.axes[0].get_title()
    plt.close(fig)
    fig = draw(elu_module.elu_plot("selu", 5, "function"))
    assert "SELU" in fig.axes[0].get_title()
    floor = [li for li in fig.axes[0].get_lines() if li.get_label().startswith("saturation level")]
    assert floor and float(floor[0].get_ydata()[0]) == pytest.approx(-1.7581, abs=1e-4)
    assert figure_to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="unit"):
        elu_module.elu_plot(-1.0, 5, "function")
    with pytest.raises(ValueError, match="view"):
        elu_module.elu_plot(1.0, 5, "slope")


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
    check_explorer(box, small, {"temperature": 1})
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
        select_option(box, "temperature", 1)
    assert softmax_module.select_option is select_option  # still importable where it was


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
    check_explorer(box, small, {"beta": 1})
    expected = figure_to_png(draw(smooth_module.swish_plot(10.0, "derivative")), bbox_inches=None)
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


def test_swish_plot_rejects_unknown_view_and_marks_the_minimum():
    with pytest.raises(ValueError, match="view"):
        smooth_module.swish_plot(1.0, "integral")
    fig = draw(smooth_module.swish_plot(1.0, "function"))
    (dot,) = [li for li in fig.axes[0].get_lines() if li.get_label() == "minimum"]
    assert float(dot.get_xdata()[0]) == pytest.approx(smooth_module.silu_minimiser())
    plt.close(fig)
    assert smooth_module.swish_plot(0.0, "function").over is None  # the line x/2 has no minimum
