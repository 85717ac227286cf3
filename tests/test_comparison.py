"""The comparison table of the chapter *Choosing an activation* (actgrad.comparison).

The computed columns are checked where the answer is known exactly, and on
functions built to give the other answer, so that every check can fail.
"""

from __future__ import annotations

import io
import math
from dataclasses import replace
from functools import partial

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import PIL.Image
import pytest

from actgrad.activations import (
    SELU_ALPHA,
    SELU_LAMBDA,
    elu,
    elu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    tanh,
    tanh_grad,
)
from actgrad.comparison import (
    CANDIDATES,
    COLUMNS,
    ComparisonTable,
    by_key,
    compare,
    derivative_limits,
    lambert_w,
    max_derivative,
    normal_moment,
    one_sided_derivatives,
    output_range,
    preserving_gain,
    time_forward,
)
from actgrad.widgets.choosing_an_activation import (
    DPI,
    _background,
    activation_pair_explorer,
    render_background,
    render_pair,
)

pytestmark = pytest.mark.unit

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def rows():
    """Every computed column except the timing, for all ten activations."""
    return {row.candidate.key: row for row in compare(timing_size=None)}


def test_the_ten_activations_of_the_brief_in_order():
    assert [c.key for c in CANDIDATES] == [
        "sigmoid", "tanh", "relu", "leaky_relu", "elu", "selu", "softplus", "silu", "gelu", "mish",
    ]
    with pytest.raises(KeyError, match="no activation 'swish'"):
        by_key("swish")


# --- largest derivative ----------------------------------------------------

def test_max_derivative_sigmoid_quarter_tanh_one(rows):
    assert rows["sigmoid"].max_slope == pytest.approx(0.25, abs=1e-12)
    assert rows["sigmoid"].max_slope_at == 0.0
    assert rows["tanh"].max_slope == pytest.approx(1.0, abs=1e-12)
    assert rows["relu"].max_slope == 1.0
    assert rows["selu"].max_slope == pytest.approx(SELU_LAMBDA * SELU_ALPHA, rel=1e-12)


def test_max_derivative_finds_a_peak_away_from_zero():
    value, where = max_derivative(lambda x: np.exp(-((x - 3.0) ** 2)) * 2.0)
    assert value == pytest.approx(2.0) and where == pytest.approx(3.0, abs=1e-3)


# --- output range ------------------------------------------------------------

def test_relu_range_is_closed_at_zero_and_unbounded_above(rows):
    r = rows["relu"].range
    assert (r.low, r.high, r.low_attained, r.high_attained) == (0.0, math.inf, True, False)
    assert str(r) == "[0, ∞)"


def test_sigmoid_and_tanh_ranges_are_open(rows):
    assert str(rows["sigmoid"].range) == "(0, 1)"
    assert not rows["sigmoid"].range.low_attained and not rows["sigmoid"].range.high_attained
    assert str(rows["tanh"].range) == "(−1, 1)"


def test_leaky_relu_is_unbounded_both_ways_and_silu_has_its_closed_form_minimum(rows):
    assert str(rows["leaky_relu"].range) == "(−∞, ∞)"
    silu_range = rows["silu"].range
    assert silu_range.low_attained
    assert silu_range.low == pytest.approx(-lambert_w(math.exp(-1.0)), abs=1e-6)
    assert str(rows["selu"].range) == "(−1.7581, ∞)"


def test_every_known_exact_range_is_matched(rows):
    known = [row for row in rows.values() if row.range_matches_exact is not None]
    assert len(known) == 8
    assert all(row.range_matches_exact for row in known)
    wrong = replace(rows["relu"].candidate, exact_low=-1.0)
    assert replace(rows["relu"], candidate=wrong).range_matches_exact is False


def test_output_range_distinguishes_attained_approached_and_unbounded():
    bump = output_range(lambda x: x * np.exp(-(x**2)), lambda x: (1 - 2 * x**2) * np.exp(-(x**2)))
    assert bump.low_attained and bump.high_attained
    assert bump.high == pytest.approx(1 / math.sqrt(2 * math.e), abs=1e-6)
    identity = output_range(lambda x: x, np.ones_like)
    assert (identity.low, identity.high) == (-math.inf, math.inf)


# --- zero-centred ------------------------------------------------------------

def test_tanh_is_zero_centred_sigmoid_is_not(rows):
    assert rows["tanh"].mean == pytest.approx(0.0, abs=1e-12) and rows["tanh"].zero_centred
    assert rows["sigmoid"].mean == pytest.approx(0.5, abs=1e-9) and not rows["sigmoid"].zero_centred
    assert rows["selu"].zero_centred  # SELU's constants make E[selu(z)] = 0
    assert rows["relu"].mean == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-6)


def test_normal_moments_of_relu():
    assert normal_moment(relu, power=2) == pytest.approx(0.5, abs=1e-9)
    assert normal_moment(lambda z: z, power=2) == pytest.approx(1.0, abs=1e-9)


# --- saturation ----------------------------------------------------------------

def test_derivative_limits_and_saturation(rows):
    assert (rows["sigmoid"].slope_left, rows["sigmoid"].slope_right) == (0.0, 0.0)
    assert rows["sigmoid"].saturates == rows["tanh"].saturates == "both sides"
    assert (rows["relu"].slope_left, rows["relu"].slope_right) == (0.0, 1.0)
    assert rows["relu"].saturates == "x → −∞"
    assert rows["leaky_relu"].slope_left == pytest.approx(0.01) and rows["leaky_relu"].saturates == "no"
    assert rows["selu"].slope_right == pytest.approx(SELU_LAMBDA)


def test_a_slope_that_keeps_changing_has_no_limit():
    left, right = derivative_limits(lambda x: np.asarray(x, dtype=float) ** 2)
    assert math.isnan(left) and math.isnan(right)


# --- differentiability at 0 ------------------------------------------------------

def test_elu_with_alpha_one_is_differentiable_at_zero_relu_is_not(rows):
    assert rows["elu"].differentiable_at_zero
    assert not rows["relu"].differentiable_at_zero
    assert (rows["relu"].left_quotient, rows["relu"].right_quotient) == (0.0, 1.0)
    assert not rows["selu"].differentiable_at_zero
    assert rows["gelu"].differentiable_at_zero and rows["sigmoid"].differentiable_at_zero


def test_elu_with_another_alpha_has_a_kink():
    left, right = one_sided_derivatives(partial(elu, alpha=0.5))
    assert left == pytest.approx(0.5, abs=1e-5) and right == 1.0
    elu_half = replace(by_key("elu"), f=partial(elu, alpha=0.5), df=partial(elu_grad, alpha=0.5))
    assert not compare([elu_half], timing_size=None)[0].differentiable_at_zero


# --- initialisation -------------------------------------------------------------

def test_gains(rows):
    assert rows["relu"].candidate.gain == pytest.approx(math.sqrt(2))
    assert rows["relu"].preserving_gain == pytest.approx(math.sqrt(2), rel=1e-9)
    assert rows["selu"].preserving_gain == pytest.approx(1.0, abs=1e-6)
    assert rows["selu"].candidate.init == "LeCun normal"
    assert rows["tanh"].candidate.gain == pytest.approx(5 / 3)
    assert {rows[k].candidate.init for k in ("sigmoid", "tanh")} == {"Glorot/Xavier"}
    assert preserving_gain(lambda z: z) == pytest.approx(1.0, abs=1e-9)


def test_lambert_w():
    assert lambert_w(math.e) == pytest.approx(1.0, abs=1e-14)
    w = lambert_w(math.exp(-1.0))
    assert w * math.exp(w) == pytest.approx(math.exp(-1.0), rel=1e-14)
    assert lambert_w(0.0) == 0.0
    with pytest.raises(ValueError):
        lambert_w(-0.1)


# --- timing and table -------------------------------------------------------------

def test_timing_is_relative_to_relu():
    timed = compare([by_key("relu"), by_key("sigmoid")], timing_size=20_000, repeat=2)
    assert timed[0].relative_cost == 1.0
    assert timed[1].seconds > 0 and timed[1].relative_cost > 0


def test_time_forward_gives_the_shortest_of_the_timed_calls(monkeypatch):
    """A clock that only the function moves: warm-up 5 s (not timed), then calls of 3, 1 and 2 s."""
    import time

    clock, durations, seen = [0.0], iter([5.0, 3.0, 1.0, 2.0]), []

    def f(x):
        seen.append(x)
        clock[0] += next(durations)
        return x

    monkeypatch.setattr(time, "process_time", lambda: clock[0])
    x = np.zeros(3)
    assert time_forward(f, x, repeat=3) == 1.0
    assert len(seen) == 4 and all(arg is x for arg in seen)


def test_untimed_rows_say_so(rows):
    assert rows["relu"].seconds is None and rows["relu"].relative_cost is None
    assert COLUMNS["cost"][1](rows["relu"]) == "not timed"


def test_table_shows_every_row_and_column(rows):
    table = ComparisonTable(list(rows.values()))
    html_text = table._repr_html_()
    assert html_text.count("<tr>") == 11  # header and ten activations
    assert html_text.count("<th ") == len(COLUMNS)
    assert "Leaky ReLU" in html_text and "[0, ∞)" in html_text
    lines = str(table).splitlines()
    assert len(lines) == 12 and lines[2].startswith("sigmoid")
    with pytest.raises(ValueError, match="unknown columns"):
        ComparisonTable(list(rows.values()), ["activation", "colour"])


def test_reference_derivatives_agree_with_the_functions():
    """The table reads slopes from the *_grad functions; they must be the derivatives."""
    x = np.linspace(-5, 5, 101) + 0.005  # avoid the kink at 0
    for f, df in ((sigmoid, sigmoid_grad), (tanh, tanh_grad), (relu, relu_grad)):
        h = 1e-6
        assert np.allclose((f(x + h) - f(x - h)) / (2 * h), df(x), atol=1e-6)


# --- widget -------------------------------------------------------------------------

def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


@pytest.fixture(scope="module")
def explorer():
    return activation_pair_explorer(keys=("relu", "gelu", "sigmoid"))


def test_explorer_offers_every_pair(explorer):
    first, second = explorer.control_widgets["first"], explorer.control_widgets["second"]
    assert isinstance(first, widgets.Dropdown) and isinstance(second, widgets.Dropdown)
    assert [v for _, v in first.options] == ["relu", "gelu", "sigmoid"]
    assert [v for _, v in second.options] == ["gelu", "sigmoid", "relu"]  # opens on two different ones
    assert len(explorer.images) == 9 and len(explorer.links) == 1 + 3  # one link per stack
    # one picture per pair; (relu, relu) and the like draw a single curve
    assert len({im.png for im in explorer.images.values()}) == 9
    assert len({im.alt for im in explorer.images.values()}) == 9


def test_explorer_avoids_widgets_that_break_the_static_page(explorer):
    tree = list(_walk(explorer))
    assert not any(isinstance(w, widgets.Label | widgets.HTMLMath | widgets.Checkbox) for w in tree)
    # each dropdown is labelled by its own description (its accessible name)
    assert [w.description for w in explorer.control_widgets.values()] == ["first (solid)", "second (dashed)"]


def test_pictures_share_size_and_background(explorer):
    pictures = [np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB")) for png in explorer.states.pngs]
    assert {p.shape for p in pictures} == {(272, 640, 3)}
    # the bottom rows (x tick labels and axis label) come from the shared background;
    # only the per-picture palette of 256 colours may shift a colour slightly
    bottoms = [p[-30:].astype(int) for p in pictures]
    assert max(np.abs(b - bottoms[0]).mean() for b in bottoms) < 1.0


def test_curves_land_inside_the_panels():
    """A constant 0 must be drawn on the background's zero line of both panels."""
    fig = render_background()
    fig.canvas.draw()
    zero_rows = [ax.transData.transform((0.0, 0.0))[1] for ax in fig.axes]
    plt.close(fig)
    pixels, panels = _background()
    for (box, (y_low, y_high)), row in zip(panels, zero_rows, strict=True):
        fy = box.y0 + (0.0 - y_low) / (y_high - y_low) * box.height
        assert fy * pixels.shape[0] == pytest.approx(row, abs=0.01)


def test_render_functions_return_figures():
    for fig in (render_background(), render_pair("mish", "selu"), render_pair("tanh", "tanh")):
        assert fig.get_size_inches().tolist() == [8.0, 3.4] and fig.dpi == DPI
        plt.close(fig)
    assert len(render_pair("tanh", "tanh").legends[0].get_texts()) == 1
