"""Figures whose every state is rendered in advance and switched in the browser.

A chapter's widget must work on the static site, where no Python kernel runs.
:func:`precomputed_figure` therefore renders each combination of the control
values once, at build time, into a PNG, and puts the PNGs into nested
:class:`ipywidgets.Stack` containers. Each state carries an alternative text, written by the render
function beside the drawing (:func:`set_alt`) so that the numbers it states
are the ones drawn; the picture is shown as an ``<img alt=...>`` in an
:class:`ipywidgets.HTML` widget, because :class:`ipywidgets.Image` cannot
carry an ``alt`` attribute. Each control's ``index`` is tied to the
``selected_index`` of every Stack at its nesting level with
:func:`ipywidgets.jslink`, a link that lives entirely in the browser: moving a
control switches the image without a round trip to Python. The widget state
stored in the executed notebook (controls, stacks, pictures and links) is all the
ipywidgets HTML manager needs to rebuild the widget on the static page, and in
JupyterLab the same widget responds instantly because nothing is recomputed.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import math
import numbers
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import ipywidgets as widgets
import matplotlib.pyplot as plt
import PIL.Image
from matplotlib.figure import Figure

__all__ = [
    "MAX_STATES",
    "AltImage",
    "Control",
    "PrecomputedFigure",
    "RenderedStates",
    "figure_alt",
    "figure_to_png",
    "precomputed_figure",
    "render_states",
    "select_option",
    "set_alt",
]

#: Default limit on the number of states (combinations of control values).
MAX_STATES = 400

Kind = Literal["auto", "slider", "toggle", "dropdown"]

#: Width of the column holding the controls' descriptions.
DESCRIPTION_WIDTH = "9em"
_ALT_ATTRIBUTE = "_actgrad_alt"


def set_alt(fig: Figure, alt: str) -> Figure:
    """Attach the alternative text of ``fig`` (what it shows and what it is for); return ``fig``.

    Render functions call this beside the drawing, with the numbers they drew.
    """
    text = " ".join(alt.split())
    if not text:
        raise ValueError("an alternative text must not be empty")
    setattr(fig, _ALT_ATTRIBUTE, text)
    return fig


def figure_alt(fig: Figure) -> str | None:
    """Return the alternative text :func:`set_alt` attached to ``fig``, or None."""
    return getattr(fig, _ALT_ATTRIBUTE, None)


@dataclass(frozen=True)
class Control:
    """One control of a precomputed figure: its visible description and its options.

    ``options`` are ``(label, value)`` pairs in display order: the reader sees
    the label, the render function gets the value. ``kind="auto"`` makes a
    slider when every value is a real number (booleans excluded), toggle
    buttons for up to five other options and a dropdown beyond that.
    """

    description: str
    options: Sequence[tuple[str, Any]]
    kind: Kind = "auto"

    def __post_init__(self) -> None:
        options = tuple(tuple(option) for option in self.options)
        if not options:
            raise ValueError(f"control {self.description!r} has no options")
        if any(len(option) != 2 or not isinstance(option[0], str) for option in options):
            raise ValueError(
                f"control {self.description!r}: every option must be a (label, value) pair with a str label"
            )
        labels = [label for label, _ in options]
        if len(set(labels)) != len(labels):
            raise ValueError(f"control {self.description!r} has repeated labels: {labels}")
        if self.kind not in ("auto", "slider", "toggle", "dropdown"):
            raise ValueError(f"control {self.description!r}: unknown kind {self.kind!r}")
        object.__setattr__(self, "options", options)

    @classmethod
    def numbers(
        cls, description: str, values: Sequence[float], fmt: str = "{:g}", kind: Kind = "auto"
    ) -> Control:
        """A control whose labels are the ``values`` formatted with ``fmt``."""
        return cls(description, [(fmt.format(v), v) for v in values], kind)

    @property
    def labels(self) -> list[str]:
        """Option labels in display order."""
        return [label for label, _ in self.options]

    @property
    def values(self) -> list[Any]:
        """Option values in display order."""
        return [value for _, value in self.options]

    def resolved_kind(self) -> Kind:
        """The widget kind ``"auto"`` stands for (or the explicit one)."""
        if self.kind != "auto":
            return self.kind
        numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in self.values)
        if numeric and len(self.options) > 1:
            return "slider"
        return "toggle" if len(self.options) <= 5 else "dropdown"

    def make_widget(self) -> widgets.SelectionSlider | widgets.ToggleButtons | widgets.Dropdown:
        """A new selection widget for this control, at its first option."""
        # The description is the widget's own: the html-manager renders it as
        # the control's <label> (bound with ``for`` to a dropdown's <select>;
        # assets/widgets-a11y.js names sliders and button groups by it), so
        # the accessible name is the visible text. No tooltip: a title that
        # differs from the label would be a second, competing name.
        common = {
            "options": list(self.options),
            "index": 0,
            "description": self.description,
            "style": {"description_width": DESCRIPTION_WIDTH},
        }
        kind = self.resolved_kind()
        if kind == "slider":
            return widgets.SelectionSlider(
                continuous_update=True, layout=widgets.Layout(width="420px"), **common
            )
        if kind == "toggle":
            # Unlike the other two, the html-manager lays toggle buttons out as
            # blocks: the description would sit on a line of its own.
            row = widgets.Layout(display="flex", align_items="center")
            return widgets.ToggleButtons(layout=row, **common)
        return widgets.Dropdown(**common)


ControlsLike = Mapping[str, Control | Sequence[tuple[str, Any]]]


class RenderedStates(NamedTuple):
    """Every state of a precomputed figure, in row-major order of the controls.

    A key holds each control's option index; ``seconds`` is the wall-clock time
    to render and encode the state.
    """

    keys: list[tuple[int, ...]]
    pngs: list[bytes]
    seconds: list[float]
    alts: list[str]


def _normalise(controls: ControlsLike) -> dict[str, Control]:
    if not controls:
        raise ValueError("a precomputed figure needs at least one control")
    result: dict[str, Control] = {}
    for name, control in controls.items():
        if not name.isidentifier():
            raise ValueError(f"control name {name!r} is not a valid keyword argument name")
        result[name] = control if isinstance(control, Control) else Control(name, control)
    return result


def _check_size(controls: Mapping[str, Control], max_states: int) -> int:
    sizes = [len(c.options) for c in controls.values()]
    n_states = math.prod(sizes)
    if n_states > max_states:
        detail = " x ".join(f"{n} ({name})" for name, n in zip(controls, sizes, strict=True))
        raise ValueError(
            f"{n_states} states ({detail}) exceed the limit of {max_states}: every "
            "combination is rendered to a PNG stored in the page; offer fewer options "
            "or raise max_states deliberately"
        )
    return n_states


def figure_to_png(
    fig: Figure,
    *,
    dpi: float = 80,
    bbox_inches: str | None = "tight",
    colors: int | None = 256,
) -> bytes:
    """Encode ``fig`` as PNG bytes that are identical from run to run, then close it.

    ``colors`` reduces the image to a palette of at most that many colours (no
    dithering, transparency flattened onto white), which makes a line plot
    about three times smaller with no visible change; ``None`` keeps
    matplotlib's full-colour PNG. No metadata names the software.
    """
    buffer = io.BytesIO()
    try:
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches=bbox_inches, metadata={"Software": None})
    finally:
        plt.close(fig)
    if colors is None:
        return buffer.getvalue()
    if not 2 <= colors <= 256:
        raise ValueError(f"colors must be between 2 and 256 or None, got {colors!r}")
    buffer.seek(0)
    with PIL.Image.open(buffer) as image:
        rgba = image.convert("RGBA")
    white = PIL.Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = PIL.Image.alpha_composite(white, rgba).convert("RGB")
    palette = rgb.quantize(colors=colors, method=PIL.Image.Quantize.FASTOCTREE, dither=PIL.Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="png")
    return out.getvalue()


def render_states(
    render: Callable[..., Figure],
    controls: ControlsLike,
    *,
    dpi: float = 80,
    bbox_inches: str | None = "tight",
    colors: int | None = 256,
    max_states: int = MAX_STATES,
    alt: Callable[..., str] | None = None,
) -> RenderedStates:
    """Render every combination of control values to a PNG.

    ``render(**values)`` gets one keyword argument per control (the option's
    value) and returns a new Figure carrying its alternative text
    (:func:`set_alt`), unless ``alt(**values)`` supplies it. A bare sequence of
    ``(label, value)`` pairs is a control described by its name. Too many
    states (over ``max_states``) are refused before anything is rendered.
    """
    normalised = _normalise(controls)
    _check_size(normalised, max_states)
    names = list(normalised)
    keys: list[tuple[int, ...]] = []
    pngs: list[bytes] = []
    seconds: list[float] = []
    alts: list[str] = []
    ranges = [range(len(c.options)) for c in normalised.values()]
    for key in itertools.product(*ranges):
        values = {name: normalised[name].options[i][1] for name, i in zip(names, key, strict=True)}
        start = time.perf_counter()
        fig = render(**values)
        if not isinstance(fig, Figure):
            raise TypeError(f"render(**{values!r}) returned {type(fig).__name__}, not a Figure")
        text = alt(**values) if alt is not None else figure_alt(fig)
        if not text or not text.strip():
            plt.close(fig)
            raise ValueError(
                f"render(**{values!r}) gave no alternative text: call set_alt(fig, text) in the "
                "render function (or pass alt=), saying what the picture shows and its point"
            )
        png = figure_to_png(fig, dpi=dpi, bbox_inches=bbox_inches, colors=colors)
        seconds.append(time.perf_counter() - start)
        keys.append(key)
        pngs.append(png)
        alts.append(" ".join(text.split()))
    return RenderedStates(keys, pngs, seconds, alts)


class AltImage(widgets.HTML):
    """A PNG shown as ``<img class="widget-image" alt=...>`` through a data: address.

    :class:`ipywidgets.Image` renders an ``<img>`` without ``alt``; this HTML
    widget carries the picture and its text in one element. ``png`` and
    ``alt`` are kept on the Python side for inspection (not synced).
    """

    def __init__(self, png: bytes, alt: str, **kwargs: Any) -> None:
        encoded = base64.b64encode(png).decode("ascii")
        value = (
            f'<img class="widget-image" src="data:image/png;base64,{encoded}" '
            f'alt="{html.escape(alt, quote=True)}" style="max-width: 100%; height: auto">'
        )
        super().__init__(value=value, **kwargs)
        self.png = png
        self.alt = alt


class PrecomputedFigure(widgets.VBox):
    """The widget :func:`precomputed_figure` returns: control rows above an image stack.

    Python-side references for inspection and benchmarks (not synced):
    ``controls`` (name to :class:`Control`, in nesting order), ``control_widgets``
    (name to selection widget), ``stack`` (the outermost Stack), ``images``
    (key of option indices to :class:`AltImage`), ``links`` (every jslink from a
    control's ``index`` to a Stack's ``selected_index``) and ``states``.
    """

    @property
    def compute_seconds(self) -> list[float]:
        """Render time of each state, in the order of ``states.keys``."""
        return list(self.states.seconds)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """Add the picture of the state the controls are set to, as ``image/png``.

        A front end that cannot draw the widget (the PDF's LaTeX builder, a
        viewer without a widget manager) shows this picture instead.
        """
        data = super()._repr_mimebundle_(**kwargs)
        key = tuple(control.index for control in self.control_widgets.values())
        data["image/png"] = base64.b64encode(self.images[key].png).decode("ascii")
        return data


def _build_stack(
    level: int,
    prefix: tuple[int, ...],
    sizes: list[int],
    images: dict[tuple[int, ...], AltImage],
    stacks_by_level: list[list[widgets.Stack]],
) -> widgets.Stack:
    children: list[widgets.Widget] = []
    for i in range(sizes[level]):
        key = (*prefix, i)
        if level == len(sizes) - 1:
            children.append(images[key])
        else:
            children.append(_build_stack(level + 1, key, sizes, images, stacks_by_level))
    stack = widgets.Stack(children=children, selected_index=0)
    stacks_by_level[level].append(stack)
    return stack


def precomputed_figure(
    render: Callable[..., Figure],
    controls: ControlsLike,
    *,
    dpi: float = 80,
    bbox_inches: str | None = "tight",
    colors: int | None = 256,
    max_states: int = MAX_STATES,
    alt: Callable[..., str] | None = None,
    start: Mapping[str, Any] | None = None,
) -> PrecomputedFigure:
    """Render every state of a figure and wire controls to it in the browser.

    Arguments as for :func:`render_states`; ``bbox_inches=None`` with fixed
    margins gives every state the same pixel size. The result is a VBox of one
    selection widget per control above nested Stacks of :class:`AltImage`:
    control ``j``'s ``index`` is jslinked to the ``selected_index`` of every
    Stack at depth ``j``, so the switching needs no kernel. ``start`` maps
    control names to the option values the widget opens on (by default the
    first ones).

    >>> import matplotlib.pyplot as plt
    >>> def render(a):
    ...     fig, ax = plt.subplots(figsize=(4, 2))
    ...     ax.plot([0, 1], [0, a])
    ...     return set_alt(fig, f"A line rising from 0 to {a}.")
    >>> w = precomputed_figure(render, {"a": Control.numbers("slope", [1, 2])})
    >>> len(w.images), len(w.links)
    (2, 1)
    """
    normalised = _normalise(controls)
    states = render_states(
        render,
        normalised,
        dpi=dpi,
        bbox_inches=bbox_inches,
        colors=colors,
        max_states=max_states,
        alt=alt,
    )
    images = {
        key: AltImage(png, text)
        for key, png, text in zip(states.keys, states.pngs, states.alts, strict=True)
    }
    sizes = [len(c.options) for c in normalised.values()]
    stacks_by_level: list[list[widgets.Stack]] = [[] for _ in sizes]
    stack = _build_stack(0, (), sizes, images, stacks_by_level)
    control_widgets = {name: control.make_widget() for name, control in normalised.items()}
    links = [
        widgets.jslink((control_widget, "index"), (level_stack, "selected_index"))
        for control_widget, level_stacks in zip(control_widgets.values(), stacks_by_level, strict=True)
        for level_stack in level_stacks
    ]
    box = PrecomputedFigure(children=[*control_widgets.values(), stack])
    box.controls = normalised
    box.control_widgets = control_widgets
    box.stack = stack
    box.images = images
    box.links = links
    box.states = states
    for name, value in (start or {}).items():
        select_option(box, name, normalised[name].values.index(value))
    return box


def select_option(box: PrecomputedFigure, name: str, index: int) -> None:
    """Show option ``index`` of control ``name``.

    Sets the control's ``index`` and the ``selected_index`` of every Stack at
    its nesting level, so that the stored widget state is consistent before
    any jslink runs in the browser.
    """
    names = list(box.controls)
    level = names.index(name)
    if not 0 <= index < len(box.controls[name].options):
        raise IndexError(f"control {name!r} has no option {index}")
    box.control_widgets[name].index = index
    stacks = [box.stack]
    for _ in range(level):
        stacks = [child for stack in stacks for child in stack.children]
    for stack in stacks:
        stack.selected_index = index
