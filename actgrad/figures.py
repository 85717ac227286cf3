"""Static figures with alt text: a chapter's matplotlib figure as an <img> that says what it shows.

A code cell ends with ``show(fig, alt=f"...")`` instead of ``plt.show()``. The
figure becomes the cell's PNG output, made exactly as the inline backend makes
it for ``plt.show()``, with the alt text in the output's metadata,
``{"image/png": {"alt": ...}}``, and as its ``text/plain`` form.

myst-nb 1.4 takes an image's alt only from the cell's metadata (``mystnb:
image: alt:``, a fixed string written before the cell runs) and copies only
``width`` and ``height`` from an output's metadata. :class:`AltTextRenderer`,
registered for myst-nb's ``myst_nb.mime_renderers`` entry point in
pyproject.toml, renders such an output with myst-nb's own image renderer and
adds the alt, so an alt built from computed numbers reaches the page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["AltTextRenderer", "figure_output", "show"]

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/svg+xml"})


def _clean(alt: str) -> str:
    """``alt`` on one line; ValueError for one too short to describe a figure (under four words)."""
    text = " ".join(alt.split())
    if len(text.split()) < 4:
        raise ValueError(f"alt text must say what the figure shows, not {alt!r}")
    return text


def figure_output(fig: Figure, alt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return the display data and metadata that :func:`show` displays for ``fig``.

    In an IPython kernel the PNG comes from the kernel's own figure formatter
    (the bytes ``plt.show()`` would give); elsewhere from IPython's
    ``print_figure`` with the inline backend's ``bbox_inches="tight"``.
    """
    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure

    text = _clean(alt)
    shell = get_ipython()
    data: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    if shell is not None:
        data, metadata = shell.display_formatter.format(fig, include={"image/png"})
    if "image/png" not in data:
        data = {"image/png": print_figure(fig, "png", bbox_inches="tight", base64=True)}
    data = {"image/png": data["image/png"], "text/plain": text}
    metadata = {**metadata, "image/png": {**metadata.get("image/png", {}), "alt": text}}
    return data, metadata


def show(fig: Figure, alt: str) -> None:
    """Display ``fig`` with alt text ``alt`` (whitespace runs become one space), then close it.

    ``alt`` says what the figure shows and what its point is; where the figure
    draws computed numbers, build it from them (an f-string).
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    data, metadata = figure_output(fig, alt)
    display(data, metadata=metadata, raw=True)
    plt.close(fig)


class AltTextRenderer:
    """myst-nb mime renderer plugin: an image output whose metadata holds an ``alt`` gets that alt.

    Every other output is left to myst-nb (``handle_mime`` returns None).
    """

    mime_priority_overrides: ClassVar[list[tuple[str, str, int | None]]] = []

    @staticmethod
    def handle_mime(renderer: Any, data: Any, inline: bool) -> list[Any] | None:
        """Render ``data`` with myst-nb's image renderer and set the alt from its output metadata."""
        if data.mime_type not in IMAGE_TYPES:
            return None
        alt = (data.output_metadata or {}).get(data.mime_type, {}).get("alt")
        if not isinstance(alt, str) or not alt.strip():
            return None
        nodes = renderer.render_image_inline(data) if inline else renderer.render_image(data)
        for node in nodes:
            node["alt"] = alt
        return nodes
