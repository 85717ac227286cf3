"""actgrad.figures: a figure's PNG output carries its alt text, and myst-nb's renderer passes it on."""

from __future__ import annotations

import base64
from importlib.metadata import entry_points

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from docutils import nodes  # noqa: E402
from myst_nb.core.render import MimeData, load_mime_renders  # noqa: E402

from actgrad.figures import AltTextRenderer, figure_output  # noqa: E402

pytestmark = pytest.mark.unit

ALT = "A line rising from 0 to 1 over x from 0 to 1."


def test_the_output_is_a_png_with_the_alt_in_its_metadata_and_as_text() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    data, metadata = figure_output(fig, "A line rising\n   from 0 to 1 over x from 0 to 1.")
    plt.close(fig)
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert metadata["image/png"]["alt"] == ALT and data["text/plain"] == ALT


@pytest.mark.parametrize("alt", ["", "   ", "figure.png", "Figure 1"])
def test_an_alt_that_describes_nothing_is_refused(alt: str) -> None:
    fig = plt.figure()
    with pytest.raises(ValueError, match="alt text"):
        figure_output(fig, alt)
    plt.close(fig)


class FakeRenderer:
    """Stands in for myst-nb's NbElementRenderer: render_image returns an image node."""

    def render_image(self, data: MimeData) -> list[nodes.Element]:
        return [nodes.image(uri="_images/0123456789abcdef0123.png")]

    render_image_inline = render_image


def test_myst_nb_loads_the_plugin_and_it_sets_the_alt_of_the_image_node() -> None:
    assert AltTextRenderer in load_mime_renders(), "the myst_nb.mime_renderers entry point is missing"
    names = [ep.value for ep in entry_points(group="myst_nb.mime_renderers")]
    assert "actgrad.figures:AltTextRenderer" in names
    with_alt = MimeData("image/png", "", output_metadata={"image/png": {"alt": ALT}})
    for inline in (False, True):
        (node,) = AltTextRenderer.handle_mime(FakeRenderer(), with_alt, inline)
        assert node["alt"] == ALT
    # Anything else is left to myst-nb.
    assert AltTextRenderer.handle_mime(FakeRenderer(), MimeData("image/png", ""), False) is None
    text = MimeData("text/plain", ALT, output_metadata={"text/plain": {"alt": ALT}})
    assert AltTextRenderer.handle_mime(FakeRenderer(), text, False) is None
