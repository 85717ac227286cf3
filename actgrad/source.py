"""A function's code as a chapter shows it, when the function itself lives in the package."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Callable

__all__ = ["source_without_docstring"]


def source_without_docstring(func: Callable[..., object]) -> str:
    """Return the dedented source of ``func`` without its docstring, comments kept, for display."""
    lines, _ = inspect.getsourcelines(func)
    source = textwrap.dedent("".join(lines))
    node = ast.parse(source).body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        raise TypeError(f"{func!r} is not a function")
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        kept = source.splitlines()
        doc = body[0]
        del kept[doc.lineno - 1 : doc.end_lineno]
        return "\n".join(kept) + "\n"
    return source
