"""Tests of the kernel-free widget mechanism (actgrad.widgets.precomputed)."""

from __future__ import annotations

import base64
import html
import itertools

import ipywidgets as widgets
import matplotlib
import matplotlib.pyplot as plt
import pytest
from ipywidgets.widgets.widget_link import DirectionalLink, Link

from actgrad.widgets import (
    AltImage,
    Control,
    figure_to_png,
    precomputed_figure,
    render_states,
    select_option,
    set_alt,
)

pytestmark = pytest.mark.unit

matplotlib.use("Agg")

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def render(a: float, b: float, style: str):
    """Tiny, cheap figure whose pixels depend on every argument."""
    fig, ax = plt.subplots(figsize=(1.2, 0.8))
    ax.plot([0, 1], [a, b], ls=style, color="k")
    ax.set_ylim(-3, 3)
    ax.set_axis_off()
    return set_alt(fig, f"A line from {a} to {b}, drawn {style}.")


CONTROLS = {
    "a": Control.numbers("a", [-2, 0, 2]),
    "b": Control.numbers("b", [-1, 1]),
    "style": Control("line", [("solid", "-"), ("dashed", "--")]),
}
SIZES = [3, 2, 2]


@pytest.fixture(scope="module")
def fig_widget():
    return precomputed_figure(render, CONTROLS, dpi=40)


def _direct_png(**values) -> bytes:
    return figure_to_png(render(**values), dpi=40)


def _image_at(widget, key: tuple[int, ...]) -> AltImage:
    node = widget.stack
    for i in key:
        assert isinstance(node, widgets.Stack)
        node = node.children[i]
    assert isinstance(node, AltImage)
    return node


def _synced_png_and_alt(image: widgets.HTML) -> tuple[bytes, str]:
    """The PNG and the alt text of the <img> in the synced HTML value (what the browser gets)."""
    value = image.get_state()["value"]
    prefix = '<img class="widget-image" src="data:image/png;base64,'
    assert value.startswith(prefix), value[:80]
    encoded, rest = value[len(prefix):].split('"', 1)
    assert rest.startswith(' alt="'), rest[:80]
    return base64.b64decode(encoded), html.unescape(rest[len(' alt="'):].split('"', 1)[0])


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_one_image_per_state(fig_widget):
    images = [w for w in _walk(fig_widget) if isinstance(w, AltImage)]
    assert not any(isinstance(w, widgets.Image) for w in _walk(fig_widget))  # it cannot carry alt
    assert len(images) == 3 * 2 * 2
    assert len({id(im) for im in images}) == 12
    synced = [_synced_png_and_alt(im) for im in images]
    pairs = zip(synced, images, strict=True)
    assert all(png.startswith(PNG_MAGIC) and png == im.png for (png, _), im in pairs)
    # every state is a distinct picture with its own alt text, the render function's
    assert len({png for png, _ in synced}) == 12
    assert [alt for _, alt in synced] == [im.alt for im in images]
    assert len({alt for _, alt in synced}) == 12
    assert fig_widget.images[(2, 0, 1)].alt == "A line from 2 to -1, drawn --."


def test_controls_are_real_widgets_of_the_right_kind(fig_widget):
    a, b, style = (fig_widget.control_widgets[n] for n in ("a", "b", "style"))
    assert isinstance(a, widgets.SelectionSlider)
    assert isinstance(b, widgets.SelectionSlider)
    assert isinstance(style, widgets.ToggleButtons)
    assert list(a.options) == [("-2", -2), ("0", 0), ("2", 2)]
    assert a.index == 0 and a.value == -2 and style.value == "-"
    assert list(fig_widget.children[:3]) == [a, b, style]
    # the visible description is the control's own label (its accessible name), with no
    # competing tooltip
    assert [w.description for w in (a, b, style)] == ["a", "b", "line"]
    assert all(not w.tooltip for w in (a, b, style))
    assert isinstance(fig_widget.children[3], widgets.Stack)


def test_every_stack_is_jslinked_to_the_control_of_its_level(fig_widget):
    stacks_by_level: list[list[widgets.Stack]] = [[] for _ in SIZES]

    def collect(node, level):
        if isinstance(node, widgets.Stack):
            stacks_by_level[level].append(node)
            assert node.selected_index == 0
            assert len(node.children) == SIZES[level]
            for child in node.children:
                collect(child, level + 1)

    collect(fig_widget.stack, 0)
    assert [len(s) for s in stacks_by_level] == [1, 3, 6]

    # Look the links up in ipywidgets' registry of live widgets, not only in
    # the attribute the function returns, so a link that was created but not
    # recorded (or recorded but not created) is caught.
    registry = widgets.widget._instances.values()
    links = [w for w in registry if isinstance(w, Link)]
    assert all(isinstance(link, Link) for link in fig_widget.links)
    assert not any(isinstance(link, DirectionalLink) for link in fig_widget.links)
    pairs = {(id(link.source[0]), link.source[1], id(link.target[0]), link.target[1]) for link in links}
    for control, level_stacks in zip(fig_widget.control_widgets.values(), stacks_by_level, strict=True):
        for stack in level_stacks:
            assert (id(control), "index", id(stack), "selected_index") in pairs
    assert len(fig_widget.links) == 1 + 3 + 6


def test_links_and_images_survive_in_the_stored_widget_state(fig_widget):
    # The static page only sees what get_state() serialises.
    link_states = [link.get_state() for link in fig_widget.links]
    assert all(s["_model_name"] == "LinkModel" for s in link_states)
    source_ids = {s["source"][0] for s in link_states}
    expected = {f"IPY_MODEL_{w.model_id}" for w in fig_widget.control_widgets.values()}
    assert source_ids == expected


def test_option_indices_select_the_matching_png(fig_widget):
    names = list(CONTROLS)
    for key in itertools.product(*(range(n) for n in SIZES)):
        values = {n: CONTROLS[n].options[i][1] for n, i in zip(names, key, strict=True)}
        assert _synced_png_and_alt(_image_at(fig_widget, key))[0] == _direct_png(**values), key
        assert fig_widget.images[key] is _image_at(fig_widget, key)


def test_rendering_is_deterministic():
    first = render_states(render, CONTROLS, dpi=40)
    second = render_states(render, CONTROLS, dpi=40)
    assert first.pngs == second.pngs
    assert first.keys == list(itertools.product(range(3), range(2), range(2)))
    assert b"Software" not in first.pngs[0]


def test_compute_times_are_recorded(fig_widget):
    seconds = fig_widget.compute_seconds
    assert len(seconds) == 12
    assert all(s > 0 for s in seconds)
    assert fig_widget.states.keys[5] == (1, 0, 1)


def test_blow_up_is_refused_before_rendering():
    calls = []

    def counting_render(**values):
        calls.append(values)
        return render(0, 0, "-")

    many = {
        "p": Control.numbers("p", range(10)),
        "q": Control.numbers("q", range(10)),
        "r": Control.numbers("r", range(5)),
    }
    with pytest.raises(ValueError, match=r"500 states .* exceed the limit of 400"):
        precomputed_figure(counting_render, many)
    assert calls == []
    with pytest.raises(ValueError, match="exceed the limit of 4"):
        render_states(counting_render, CONTROLS, max_states=4)
    assert calls == []


def test_plain_option_lists_and_malformed_controls():
    states = render_states(lambda a: render(a, 0, "-"), {"a": [("low", -1), ("high", 1)]}, dpi=30)
    assert len(states.pngs) == 2
    with pytest.raises(ValueError, match="repeated labels"):
        Control("x", [("same", 1), ("same", 2)])
    with pytest.raises(ValueError, match="no options"):
        Control("x", [])
    with pytest.raises(ValueError, match="not a valid keyword"):
        render_states(render, {"not valid": [("a", 1)]})
    with pytest.raises(TypeError, match="not a Figure"):
        render_states(lambda a: None, {"a": [("one", 1)]})


def test_every_state_needs_an_alt_text():
    def silent(a):
        fig, _ = plt.subplots(figsize=(1, 1))
        return fig  # no set_alt

    with pytest.raises(ValueError, match="no alternative text"):
        render_states(silent, {"a": [("one", 1)]})
    with pytest.raises(ValueError, match="must not be empty"):
        set_alt(plt.figure(), "  ")
    plt.close("all")
    states = render_states(silent, {"a": [("one", 1), ("two", 2)]}, alt=lambda a: f"state {a}")
    assert states.alts == ["state 1", "state 2"]


def test_palette_and_full_colour_pngs_are_deterministic():
    import io

    import PIL.Image

    full = [figure_to_png(render(1, -1, "--"), dpi=40, colors=None) for _ in range(2)]
    small = [figure_to_png(render(1, -1, "--"), dpi=40, colors=16) for _ in range(2)]
    assert full[0] == full[1] and small[0] == small[1]
    assert b"Software" not in full[0] and b"matplotlib" not in full[0].lower()
    with PIL.Image.open(io.BytesIO(full[0])) as im_full, PIL.Image.open(io.BytesIO(small[0])) as im:
        assert im_full.mode == "RGBA" and im.mode == "P"
        assert im.size == im_full.size
        assert len(im.getcolors()) <= 16
    with pytest.raises(ValueError, match="colors"):
        figure_to_png(render(0, 0, "-"), colors=1)
    assert plt.get_fignums() == [], "figure_to_png must close the figures it encodes"


def test_start_opens_every_stack_of_a_level_at_the_chosen_option():
    box = precomputed_figure(render, CONTROLS, dpi=40, start={"b": 1, "style": "--"})
    assert [w.index for w in box.control_widgets.values()] == [0, 1, 1]
    assert box.stack.selected_index == 0
    level_1 = list(box.stack.children)
    level_2 = [child for stack in level_1 for child in stack.children]
    assert len(level_1) == 3 and all(stack.selected_index == 1 for stack in level_1)
    assert len(level_2) == 6 and all(stack.selected_index == 1 for stack in level_2)
    # the picture a viewer without widgets gets is the state the controls show
    bundle = box._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]) == box.images[(0, 1, 1)].png
    select_option(box, "a", 2)
    assert box.control_widgets["a"].index == 2 and box.stack.selected_index == 2
    with pytest.raises(IndexError, match="no option 3"):
        select_option(box, "a", 3)
    with pytest.raises(ValueError):
        precomputed_figure(render, CONTROLS, dpi=40, start={"b": 5})
