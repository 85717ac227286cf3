"""actgrad.source: the code a chapter prints for a function kept in the package."""

from __future__ import annotations

import pytest

from actgrad.experiments.relu import dead_units
from actgrad.network import dense_backward
from actgrad.source import source_without_docstring

pytestmark = pytest.mark.unit


def test_a_multi_line_docstring_goes_and_the_code_and_comments_stay() -> None:
    source = source_without_docstring(dense_backward)
    assert source.startswith("def dense_backward(")
    assert "derivative(z)" in source and "# phi'(z)" in source and '"""' not in source


def test_a_one_line_docstring_goes() -> None:
    assert source_without_docstring(dead_units) == (
        "def dead_units(net: MLP, X: ArrayLike) -> list[np.ndarray]:\n"
        "    return [np.all(h == 0.0, axis=0) for h in net.forward(X).hidden]\n"
    )


def test_a_function_without_docstring_is_shown_whole() -> None:
    def add(a, b):
        return a + b  # the sum

    assert source_without_docstring(add) == "def add(a, b):\n    return a + b  # the sum\n"


class Shown:
    """Not a function."""


def test_a_class_is_refused() -> None:
    with pytest.raises(TypeError, match="is not a function"):
        source_without_docstring(Shown)
