"""Tests of actgrad.plotting."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from actgrad.plotting import plot_function_and_derivative

pytestmark = pytest.mark.unit

matplotlib.use("Agg")


def cube(x):
    return x**3


def cube_grad(x):
    return 3 * x**2


def _curve(ax, label):
    lines = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(lines) == 1, [line.get_label() for line in ax.get_lines()]
    return lines[0]


def test_two_axes_with_function_and_derivative():
    x = np.linspace(-2, 2, 41)
    fig = plot_function_and_derivative(cube, cube_grad, x, title="cubes", name="g")
    try:
        assert isinstance(fig, Figure)
        ax_f, ax_df = fig.axes
        # side by side: same row, left then right
        pos_f, pos_df = ax_f.get_position(), ax_df.get_position()
        assert pos_f.x1 <= pos_df.x0
        assert pos_f.y0 == pytest.approx(pos_df.y0)

        f_line = _curve(ax_f, "$g(x)$")
        df_line = _curve(ax_df, "$g'(x)$")
        np.testing.assert_allclose(f_line.get_xdata(), x)
        np.testing.assert_allclose(f_line.get_ydata(), x**3)
        np.testing.assert_allclose(df_line.get_xdata(), x)
        np.testing.assert_allclose(df_line.get_ydata(), 3 * x**2)
        # the curves are not swapped
        assert not np.allclose(f_line.get_ydata(), df_line.get_ydata())

        for ax in (ax_f, ax_df):
            assert ax.get_xlabel() == "$x$"
            assert any(gl.get_visible() for gl in ax.xaxis.get_gridlines())
            zero = [line for line in ax.get_lines() if line.get_gid() == "zero-line"]
            assert len(zero) == 2
        assert ax_f.get_ylabel() == "$g(x)$"
        assert ax_df.get_ylabel() == "$g'(x)$"
        assert fig._suptitle.get_text() == "cubes"
        assert ax_f.get_xlim() == (-2.0, 2.0)
    finally:
        plt.close(fig)


def test_draws_into_given_axes():
    fig, axes = plt.subplots(2, 2)
    try:
        x = np.linspace(0, 1, 5)
        out = plot_function_and_derivative(np.sin, np.cos, x, ax_pair=(axes[1, 0], axes[1, 1]))
        assert out is fig
        np.testing.assert_allclose(_curve(axes[1, 1], "$f'(x)$").get_ydata(), np.cos(x))
        assert axes[0, 0].get_lines() == []
    finally:
        plt.close(fig)
