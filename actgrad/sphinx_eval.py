"""Sphinx extension: the ``{eval}`` role of the chapters, shown from glued values.

jupyterlab-myst shows ``{eval}`expression``` by evaluating the expression in
the kernel; myst-nb's own ``{eval}`` needs a live kernel while Sphinx reads
the page, which the cached execution of this book does not have. This role
takes the two forms the chapters use and shows the value the executed chapter
glued (:func:`actgrad.glue.glue`), exactly as ``{glue:text}`` would:

* ``{eval}`glued.name``` is ``{glue:text}`name```;
* ``{eval}`f"{glued.name:spec}"``` is ``{glue:text}`name:spec```.

Any other expression is a build warning (and so fails the build).
"""

from __future__ import annotations

import ast
from typing import Any

from docutils import nodes
from myst_nb.ext.glue.roles import PasteTextRole
from myst_nb.ext.glue.utils import glue_warning
from sphinx.application import Sphinx

from actgrad.glue import NAMESPACE


def glue_key(expression: str) -> str | None:
    """Return the ``{glue:text}`` content equal to ``expression``, or None if it has neither form.

    >>> glue_key('f"{glued.dead_share:.1%}"'), glue_key("glued.plateau_start"), glue_key("x")
    ('dead_share:.1%', 'plateau_start', None)
    """
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError:
        return None
    if glued_name(tree):
        return glued_name(tree)
    if not (isinstance(tree, ast.JoinedStr) and len(tree.values) == 1):
        return None
    field = tree.values[0]
    if not (isinstance(field, ast.FormattedValue) and glued_name(field.value)
            and field.conversion == -1 and field.format_spec is not None):
        return None
    spec = field.format_spec.values
    if len(spec) != 1 or not isinstance(spec[0], ast.Constant):
        return None
    return f"{glued_name(field.value)}:{spec[0].value}"


def glued_name(node: ast.expr) -> str | None:
    """Return ``name`` if ``node`` is ``glued.name``, else None."""
    if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id == NAMESPACE):
        return node.attr
    return None


class EvalGluedRole(PasteTextRole):
    """``{eval}`` for a name or a one-field f-string of a glued name."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        """Show the glued value as ``{glue:text}`` does, or warn about another expression."""
        key = glue_key(self.text)
        if key is None:
            return [], [glue_warning(
                f"{{eval}}`{self.text}`: the site shows only `glued.name` or `f\"{{glued.name:spec}}\"` "
                "of a value glued with actgrad.glue.glue", self.document, self.line)]
        self.text = key
        return super().run()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the role in place of myst-nb's ``{eval}`` (load this extension after myst_nb)."""
    app.add_role("eval", EvalGluedRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
