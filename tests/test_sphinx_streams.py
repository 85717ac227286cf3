"""actgrad.sphinx_streams: printed output reaches the page exactly as printed, however it was cut."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
import yaml
from myst_nb.core import render
from nbformat.v4 import new_output

from actgrad import sphinx_streams

from conftest import ROOT

pytestmark = pytest.mark.unit

# How the kernel cut a table the tanh chapter prints, in one build under load.
TANH_TABLE = [
    "   s   mean tanh'(sz)\n 0.5            0.827\n",
    " 1.0            0.606\n",
    " 2.0            0.365",
    "\n 4.0            0.195\n 8.0            0.099\n",
]


# myst-nb's own merge, whether or not a test has already wrapped it
MYST_MERGE = getattr(render.coalesce_streams, "wrapped", render.coalesce_streams)
EXACT_MERGE = sphinx_streams.exact_merge(MYST_MERGE)


def stdout(*pieces: str) -> list:
    return [new_output("stream", name="stdout", text=piece) for piece in pieces]


def merged_text(outputs: list) -> list[str]:
    return [out["text"] for out in EXACT_MERGE(outputs)]


def test_a_piece_cut_before_a_newline_leaves_no_blank_line() -> None:
    assert merged_text(stdout(*TANH_TABLE)) == ["".join(TANH_TABLE)]


def test_myst_nb_alone_would_leave_one() -> None:
    """Why the extension exists; when this fails, myst-nb merges exactly and the extension can go."""
    (out,) = MYST_MERGE(stdout(*TANH_TABLE))
    assert "0.365\n\n 4.0" in out["text"]


def test_a_piece_cut_mid_line_keeps_the_line_whole() -> None:
    assert merged_text(stdout("loss 0.3", "15 after 400 steps\n")) == ["loss 0.315 after 400 steps\n"]


def test_other_outputs_keep_their_place_and_stdout_comes_before_stderr() -> None:
    figure = new_output("display_data", data={"text/plain": "<Figure>"})
    outputs = [new_output("stream", name="stderr", text="warned\n"), *stdout("a"), figure, *stdout("b\n")]
    before = copy.deepcopy(outputs)
    result = EXACT_MERGE(outputs)
    assert [(out["output_type"], out.get("name"), out.get("text")) for out in result] == [
        ("stream", "stdout", "ab\n"), ("stream", "stderr", "warned\n"), ("display_data", None, None)]
    assert outputs == before, "the notebook's own outputs must not change"


def test_setup_wraps_myst_nb_s_merge_once() -> None:
    sphinx_streams.setup(None)
    wrapped = render.coalesce_streams
    sphinx_streams.setup(None)
    assert render.coalesce_streams is wrapped and hasattr(wrapped, "wrapped")


def test_the_renderer_merges_exactly_after_setup() -> None:
    """myst-nb's renderer itself, on a cell printed in pieces, as Sphinx calls it."""
    sphinx_streams.setup(None)
    client = SimpleNamespace(code_cell_outputs=lambda index: (1, stdout(*TANH_TABLE)))
    renderer = SimpleNamespace(nb_client=client,
                               get_cell_level_config=lambda name, metadata, line: name == "merge_streams")
    token = SimpleNamespace(meta={"index": 0, "metadata": {}}, map=None)
    _, outputs = render.MditRenderMixin._get_nb_code_cell_outputs(renderer, token)
    assert [out["text"] for out in outputs] == ["".join(TANH_TABLE)]


def test_the_book_loads_the_extension() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    assert "actgrad.sphinx_streams" in config["sphinx"]["config"]["extensions"]
