"""Widgets that work without a kernel: every state is rendered in advance.

See :mod:`actgrad.widgets.precomputed` for the mechanism and
:mod:`actgrad.widgets.sigmoid` for the sigmoid chapter's explorer.
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
    "set_alt",
    "sigmoid_explorer",
]


def __getattr__(name: str) -> object:
    """Import chapter explorers lazily, so that importing the mechanism stays cheap."""
    if name == "sigmoid_explorer":
        from actgrad.widgets.sigmoid import sigmoid_explorer

        return sigmoid_explorer
    raise AttributeError(f"module 'actgrad.widgets' has no attribute {name!r}")
