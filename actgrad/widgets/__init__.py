"""Widgets that work without a kernel: every state is rendered in advance.

:mod:`actgrad.widgets.precomputed` is the mechanism, :mod:`actgrad.widgets.explorer`
the function-and-derivative explorer the activation chapters share; each
chapter's explorer is in the module named after it.
"""

from actgrad.widgets.precomputed import (
    MAX_STATES,
    AltImage,
    Control,
    PrecomputedFigure,
    RenderedStates,
    figure_alt,
    figure_to_png,
    precomputed_figure,
    render_states,
    select_option,
    set_alt,
)

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
    "sigmoid_explorer",
]


def __getattr__(name: str) -> object:
    """Import the sigmoid explorer lazily, so that importing the mechanism stays cheap."""
    if name == "sigmoid_explorer":
        from actgrad.widgets.sigmoid import sigmoid_explorer

        return sigmoid_explorer
    raise AttributeError(f"module 'actgrad.widgets' has no attribute {name!r}")
