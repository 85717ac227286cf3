"""Sphinx extension: a cell's printed output on the site is exactly what the cell printed.

The kernel sends what a cell prints in pieces, as often as every 0.2 s, so
where one piece ends depends on how busy the machine is. myst-nb's
``nb_merge_streams`` joins the pieces of each stream, but strips the end of
every piece and adds a newline: a piece that ends between a printed line and
its newline leaves a blank line on the page, one that ends mid-line breaks the
line. This extension joins the pieces exactly before myst-nb's merge, which
then sees one piece per stream and does the rest as before (one final
newline, carriage returns, stdout before stderr).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from myst_nb.core import render
from nbformat import NotebookNode
from sphinx.application import Sphinx

Merge = Callable[[list[NotebookNode]], list[NotebookNode]]


def join_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    r"""Return ``outputs`` with the pieces of each stream joined, as they came, into its first piece.

    The outputs given are not changed.

    >>> from nbformat.v4 import new_output
    >>> pieces = [new_output("stream", text="2.0  0.152"), new_output("stream", text="\n4.0  0.091\n")]
    >>> [out.text for out in join_streams(pieces)]
    ['2.0  0.152\n4.0  0.091\n']
    """
    joined: list[NotebookNode] = []
    first: dict[str, NotebookNode] = {}
    for output in outputs:
        if output.get("output_type") != "stream":
            joined.append(output)
        elif output["name"] in first:
            first[output["name"]]["text"] += output["text"]
        else:
            first[output["name"]] = NotebookNode(output, text=output["text"])
            joined.append(first[output["name"]])
    return joined


def exact_merge(merge: Merge) -> Merge:
    """``merge`` (myst-nb's), applied to the outputs with their stream pieces joined exactly."""

    def merged(outputs: list[NotebookNode]) -> list[NotebookNode]:
        return merge(join_streams(outputs))

    merged.wrapped = merge  # type: ignore[attr-defined]
    return merged


def setup(app: Sphinx) -> dict[str, Any]:
    """Make myst-nb's stream merge exact (myst-nb 1.x calls ``render.coalesce_streams``)."""
    merge = getattr(render, "coalesce_streams", None)
    if merge is None:
        raise RuntimeError("myst_nb.core.render has no coalesce_streams any more: "
                           "actgrad/sphinx_streams.py needs updating for this myst-nb")
    if not hasattr(merge, "wrapped"):
        render.coalesce_streams = exact_merge(merge)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
