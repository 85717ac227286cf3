r"""Measure ten activations side by side: the table of the chapter *Choosing an activation*.

Every number in the table is computed here from the reference activations of
:mod:`actgrad.activations`; nothing is typed in by hand except the closed-form
bounds that the computed ranges are checked against and the initialisation
each activation's paper recommends. For one :class:`Candidate` the properties
are:

* **output range**: the extremes of :math:`\varphi` on the grid
  :math:`[-16, 16]`; a side is unbounded when the slope at the edge of the grid
  has not tended to zero (:func:`output_range`);
* **mean under a standard normal input**:
  :math:`\mathbb{E}[\varphi(z)]` for :math:`z \sim \mathcal{N}(0, 1)`, by the
  trapezoidal rule against the normal density (:func:`normal_moment`);
* **slope far out**: :math:`\varphi'(\pm 40)`, after checking that the slope has
  stopped changing between :math:`\pm 20` and :math:`\pm 40`
  (:func:`derivative_limits`); a side *saturates* when that limit is 0;
* **largest slope**: the maximum of :math:`\varphi'` on a grid over
  :math:`[-40, 40]` that contains 0 (:func:`max_derivative`);
* **differentiable at 0**: whether the one-sided difference quotients
  :math:`(\varphi(h) - \varphi(0))/h` and :math:`(\varphi(0) - \varphi(-h))/h`
  agree (:func:`one_sided_derivatives`);
* **cost**: the best of several timings of the forward function on
  :math:`10^6` float64 numbers, relative to ReLU (:func:`time_forward`); a
  property of this machine and of actgrad's NumPy code, not of the function;
* **initialisation**: the gain :func:`actgrad.initializers.gain` returns, and
  the gain that keeps the second moment of the pre-activations at 1 from layer
  to layer, :math:`1/\sqrt{\mathbb{E}[\varphi(z)^2]}` (:func:`preserving_gain`).

:func:`compare` collects these into one :class:`Row` per activation and
:class:`ComparisonTable` shows the rows as an HTML table in a notebook.
"""

from __future__ import annotations

import html
import math
import time
import timeit
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from actgrad.activations import (
    SELU_ALPHA,
    SELU_LAMBDA,
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    leaky_relu,
    leaky_relu_grad,
    mish,
    mish_grad,
    relu,
    relu_grad,
    selu,
    selu_grad,
    sigmoid,
    sigmoid_grad,
    silu,
    silu_grad,
    softplus,
    softplus_grad,
    tanh,
    tanh_grad,
)
from actgrad.initializers import gain

__all__ = [
    "CANDIDATES",
    "COLUMNS",
    "Candidate",
    "ComparisonTable",
    "Range",
    "Row",
    "by_key",
    "compare",
    "derivative_limits",
    "lambert_w",
    "max_derivative",
    "normal_moment",
    "one_sided_derivatives",
    "output_range",
    "preserving_gain",
    "time_forward",
]

Function = Callable[[np.ndarray], ArrayLike]

#: Below this magnitude a slope counts as zero (a saturated side, a flat edge).
ZERO_SLOPE = 1e-6
#: One-sided difference quotients closer than this count as equal.
KINK_TOLERANCE = 1e-4
#: A mean under a standard normal input smaller than this counts as zero-centred.
CENTRED_TOLERANCE = 0.01


def lambert_w(y: float, iterations: int = 50) -> float:
    r"""Return the principal branch :math:`W(y)` of the Lambert W function, for :math:`y \ge 0`.

    :math:`W(y)` solves :math:`w e^{w} = y`; Newton's method from
    :math:`w = \ln(1 + y)` converges in a handful of steps for :math:`y \ge 0`.

    >>> round(lambert_w(math.e), 12)
    1.0
    """
    if y < 0:
        raise ValueError(f"lambert_w is implemented for y >= 0 only, got {y!r}")
    w = math.log1p(y)
    for _ in range(iterations):
        step = (w * math.exp(w) - y) / (math.exp(w) * (w + 1.0))
        w -= step
        if abs(step) <= 1e-16 * max(1.0, abs(w)):
            break
    return w


@dataclass(frozen=True)
class Candidate:
    r"""One activation of the comparison, with what is known about it in closed form.

    ``exact_low`` and ``exact_high`` are the infimum and supremum where known
    in closed form (``±inf`` for an unbounded side, ``None`` where only a
    numerical value exists); ``init`` is the initialisation the literature
    recommends, ``init_source`` where that comes from; ``gain_name`` and
    ``gain_param`` are passed to :func:`actgrad.initializers.gain`.
    """

    key: str
    label: str
    f: Function
    df: Function
    exact_low: float | None
    exact_high: float | None
    exact_range: str
    init: str
    init_source: str
    gain_name: str
    gain_param: float | None = None

    @property
    def gain(self) -> float:
        """The gain :func:`actgrad.initializers.gain` recommends for this activation."""
        return gain(self.gain_name, self.gain_param)


_W = lambert_w(math.exp(-1.0))  # SiLU's minimum is -W(1/e)

# The gains 1 (sigmoid) and 5/3 (tanh) are PyTorch's calculate_gain values; Glorot &
# Bengio (2010) derived their variance 2/(n_in + n_out) for a slope of 1 at the origin.
_TORCH_GAIN = "PyTorch's calculate_gain"
_HE = "He et al. (2015)"
_HE_BY_ANALOGY = "ReLU's, by analogy"

#: The ten activations of the comparison, with their default parameters
#: (Leaky ReLU slope 0.01, ELU alpha 1).
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("sigmoid", "sigmoid", sigmoid, sigmoid_grad, 0.0, 1.0, "(0, 1)",
              "Glorot/Xavier", _TORCH_GAIN, "sigmoid"),
    Candidate("tanh", "tanh", tanh, tanh_grad, -1.0, 1.0, "(−1, 1)",
              "Glorot/Xavier", _TORCH_GAIN, "tanh"),
    Candidate("relu", "ReLU", relu, relu_grad, 0.0, math.inf, "[0, ∞)",
              "He/Kaiming", _HE, "relu"),
    Candidate("leaky_relu", "Leaky ReLU", leaky_relu, leaky_relu_grad, -math.inf, math.inf,
              "(−∞, ∞)", "He/Kaiming", _HE, "leaky_relu", 0.01),
    Candidate("elu", "ELU", elu, elu_grad, -1.0, math.inf, "(−α, ∞)",
              "He/Kaiming", _HE_BY_ANALOGY, "relu"),
    Candidate("selu", "SELU", selu, selu_grad, -SELU_LAMBDA * SELU_ALPHA, math.inf, "(−λα, ∞)",
              "LeCun normal", "Klambauer et al. (2017)", "selu"),
    Candidate("softplus", "softplus", softplus, softplus_grad, 0.0, math.inf, "(0, ∞)",
              "He/Kaiming", _HE_BY_ANALOGY, "relu"),
    Candidate("silu", "SiLU", silu, silu_grad, -_W, math.inf, "[−W(1/e), ∞)",
              "He/Kaiming", _HE_BY_ANALOGY, "relu"),
    Candidate("gelu", "GELU", gelu, gelu_grad, None, math.inf, "[min, ∞), no closed form",
              "He/Kaiming", _HE_BY_ANALOGY, "relu"),
    Candidate("mish", "Mish", mish, mish_grad, None, math.inf, "[min, ∞), no closed form",
              "He/Kaiming", _HE_BY_ANALOGY, "relu"),
)


def by_key(key: str) -> Candidate:
    """Return the candidate called ``key`` (e.g. ``"gelu"``)."""
    for candidate in CANDIDATES:
        if candidate.key == key:
            return candidate
    raise KeyError(f"no activation {key!r}; expected one of {[c.key for c in CANDIDATES]}")


@dataclass(frozen=True)
class Range:
    """The computed range of an activation.

    A bound is attained (a closed bracket) or only approached as ``x`` goes to
    minus or plus infinity (an open one); an unbounded side is ``±inf``.
    """

    low: float
    high: float
    low_attained: bool
    high_attained: bool

    def __str__(self) -> str:
        """Return the range in interval notation with 4 decimals, e.g. ``[0, ∞)``."""
        left = "[" if self.low_attained else "("
        right = "]" if self.high_attained else ")"
        return f"{left}{_number(self.low)}, {_number(self.high)}{right}"


def _number(value: float, digits: int = 4) -> str:
    """Format ``value`` with ``digits`` decimals, trailing zeros dropped, ∞ and a real minus sign."""
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace("-", "−")


def _side(f: Function, df: Function, x: np.ndarray, values: np.ndarray, lowest: bool,
          flat_width: float) -> tuple[float, bool]:
    """Return the extreme of one side and whether it is attained; see :func:`output_range`."""
    index = int(np.argmin(values) if lowest else np.argmax(values))
    extreme = float(values[index])
    if 0 < index < len(x) - 1:
        return extreme, True  # an interior extreme is a value of the function
    edge = float(x[index])
    slope = float(np.asarray(df(edge)))
    if abs(slope) > ZERO_SLOPE:
        return (-math.inf if lowest else math.inf), False
    inner = x[np.abs(x - edge) <= flat_width]
    if slope == 0.0 and np.all(np.asarray(f(inner)) == extreme):
        return extreme, True  # flat near the edge, as ReLU for x <= 0
    return extreme, False  # still creeping towards a limit it never reaches


def output_range(f: Function, df: Function, half_width: float = 16.0, n: int = 32_001) -> Range:
    r"""Compute the range of an activation on the grid ``linspace(-half_width, half_width, n)``.

    An extreme in the interior of the grid is attained. An extreme at an edge
    of the grid is

    * unbounded (``±inf``) if :math:`|\varphi'|` at that edge exceeds
      :data:`ZERO_SLOPE`: the function is still rising or falling at a rate
      that does not vanish;
    * attained if the slope there is exactly 0 and the function is constant
      over the last unit of the grid (ReLU's flat half);
    * otherwise the limit the function approaches without reaching it, with
      its value at the edge as the estimate.

    The half-width 16 is wide enough for every limit of :data:`CANDIDATES` to be
    reached to far better than 4 decimals (:math:`e^{-16} \approx 10^{-7}`),
    yet small enough that :math:`\tanh(16)` is not yet rounded to 1 in double
    precision, as :math:`\tanh(20)` is (which would make the bound look
    attained).

    >>> str(output_range(relu, relu_grad))
    '[0, ∞)'
    >>> str(output_range(sigmoid, sigmoid_grad))
    '(0, 1)'
    """
    x = np.linspace(-half_width, half_width, n)
    values = np.asarray(f(x), dtype=np.float64)
    low, low_attained = _side(f, df, x, values, lowest=True, flat_width=1.0)
    high, high_attained = _side(f, df, x, values, lowest=False, flat_width=1.0)
    return Range(low, high, low_attained, high_attained)


def normal_moment(f: Function, power: int = 1, half_width: float = 12.0, n: int = 24_001) -> float:
    r"""Return :math:`\mathbb{E}[\varphi(z)^{p}]` for :math:`z \sim \mathcal{N}(0, 1)`.

    The trapezoidal rule on ``linspace(-half_width, half_width, n)`` against the
    normal density; beyond :math:`|z| = 12` the density is below
    :math:`10^{-31}`, and the grid spacing :math:`10^{-3}` makes the error of
    the rule (also at ReLU's kink, a grid point) far smaller than the 4
    decimals shown.

    >>> round(normal_moment(relu, power=2), 6)
    0.5
    """
    z = np.linspace(-half_width, half_width, n)
    density = np.exp(-0.5 * z**2) / math.sqrt(2.0 * math.pi)
    values = np.asarray(f(z), dtype=np.float64) ** power
    return float(np.trapezoid(values * density, z))


def preserving_gain(f: Function) -> float:
    r"""Return :math:`1/\sqrt{\mathbb{E}[\varphi(z)^2]}`, the gain that keeps the second moment at 1.

    A layer :math:`z' = \sum_{i=1}^{n} w_i \varphi(z_i)` with independent,
    zero-mean weights of variance :math:`g^2/n` has
    :math:`\mathbb{E}[z'^2] = g^2\, \mathbb{E}[\varphi(z)^2]`; with
    :math:`z \sim \mathcal{N}(0, 1)` this is 1 exactly for the returned
    :math:`g`. For ReLU it is :math:`\sqrt{2}`, the He gain.
    """
    return 1.0 / math.sqrt(normal_moment(f, power=2))


def derivative_limits(df: Function, near: float = 20.0, far: float = 40.0) -> tuple[float, float]:
    r"""Return the limits of :math:`\varphi'(x)` as :math:`x \to -\infty` and :math:`x \to +\infty`.

    Each limit is estimated by :math:`\varphi'(\pm\,\text{far})` and accepted
    only if it differs from :math:`\varphi'(\pm\,\text{near})` by less than
    :data:`ZERO_SLOPE`; a slope that keeps changing gives ``nan`` (no limit
    found). Limits smaller in magnitude than :data:`ZERO_SLOPE` are returned as 0.

    >>> derivative_limits(relu_grad)
    (0.0, 1.0)
    """
    limits = []
    for sign in (-1.0, 1.0):
        at_near = float(np.asarray(df(sign * near)))
        at_far = float(np.asarray(df(sign * far)))
        if abs(at_far - at_near) >= ZERO_SLOPE:
            limits.append(math.nan)
        elif abs(at_far) < ZERO_SLOPE:
            limits.append(0.0)
        else:
            limits.append(at_far)
    return limits[0], limits[1]


def max_derivative(df: Function, half_width: float = 40.0, n: int = 160_001) -> tuple[float, float]:
    """Return the largest value of the derivative on a grid and where it is first reached.

    The grid has an odd number of points, so that 0 is one of them.

    >>> max_derivative(sigmoid_grad)
    (0.25, 0.0)
    """
    x = np.linspace(-half_width, half_width, n)
    slopes = np.asarray(df(x), dtype=np.float64)
    index = int(np.argmax(slopes))
    return float(slopes[index]), float(x[index])


def one_sided_derivatives(f: Function, x0: float = 0.0, h: float = 1e-6) -> tuple[float, float]:
    r"""Return the left and right difference quotients of ``f`` at ``x0``.

    :math:`(f(x_0) - f(x_0 - h))/h` and :math:`(f(x_0 + h) - f(x_0))/h`. For a
    function differentiable at :math:`x_0` both tend to :math:`f'(x_0)`, with
    errors of order :math:`h\,|f''|`; at a kink they tend to the two different
    one-sided derivatives.

    >>> one_sided_derivatives(relu)
    (0.0, 1.0)
    """
    at = float(np.asarray(f(x0)))
    left = (at - float(np.asarray(f(x0 - h)))) / h
    right = (float(np.asarray(f(x0 + h))) - at) / h
    return left, right


def time_forward(f: Function, x: np.ndarray, repeat: int = 5) -> float:
    """Return the shortest of ``repeat`` timings of ``f(x)``, in seconds of CPU time.

    The clock is :func:`time.process_time`, the processor time of this
    process, so that waiting for a core other programs occupy is not counted;
    the minimum is the timing least disturbed by whatever remains (caches
    shared with other programs, for instance).
    """
    f(x)  # warm up: first touches of the output memory, lazy imports
    return min(timeit.repeat(lambda: f(x), number=1, repeat=repeat, timer=time.process_time))


@dataclass(frozen=True)
class Row:
    """The computed properties of one activation.

    ``mean`` is :math:`E[φ(z)]` for :math:`z ∼ N(0, 1)`; ``slope_left`` and
    ``slope_right`` are the limits of the derivative as ``x`` goes to minus and
    plus infinity; ``max_slope`` is reached first at ``max_slope_at``;
    ``left_quotient`` and ``right_quotient`` are the one-sided difference
    quotients at 0; ``seconds`` is one forward call on the timing input and
    ``relative_cost`` that divided by ReLU's (both ``None`` if not timed).
    """

    candidate: Candidate
    range: Range
    mean: float
    slope_left: float
    slope_right: float
    max_slope: float
    max_slope_at: float
    left_quotient: float
    right_quotient: float
    preserving_gain: float
    seconds: float | None = None
    relative_cost: float | None = None

    @property
    def zero_centred(self) -> bool:
        """Whether the mean under a standard normal input is below :data:`CENTRED_TOLERANCE`."""
        return abs(self.mean) < CENTRED_TOLERANCE

    @property
    def differentiable_at_zero(self) -> bool:
        """Whether the one-sided quotients at 0 agree to :data:`KINK_TOLERANCE`."""
        return abs(self.right_quotient - self.left_quotient) < KINK_TOLERANCE

    @property
    def saturates(self) -> str:
        """Which sides have a vanishing slope: ``"both"``, ``"x → −∞"``, ``"x → +∞"`` or ``"no"``."""
        left, right = self.slope_left == 0.0, self.slope_right == 0.0
        if left and right:
            return "both sides"
        if left:
            return "x → −∞"
        if right:
            return "x → +∞"
        return "no"

    @property
    def range_matches_exact(self) -> bool | None:
        """Whether the computed bounds agree with the closed-form ones to 4 decimals (``None``: unknown)."""
        c = self.candidate
        if c.exact_low is None or c.exact_high is None:
            return None
        return all(
            (math.isinf(exact) and computed == exact) or abs(computed - exact) < 5e-5
            for computed, exact in ((self.range.low, c.exact_low), (self.range.high, c.exact_high))
        )


def compare(
    candidates: Sequence[Candidate] = CANDIDATES,
    *,
    timing_size: int | None = 1_000_000,
    repeat: int = 5,
    seed: int = 2024,
) -> list[Row]:
    """Compute every column of the comparison for each candidate, one :class:`Row` each.

    ReLU is timed as the reference even if it is not among the candidates; the
    timing input is ``timing_size`` standard normal numbers drawn with
    ``seed``, and ``timing_size=None`` skips the timing.
    """
    reference = None
    x = None
    if timing_size is not None:
        x = np.random.default_rng(seed).normal(size=timing_size)
        reference = time_forward(relu, x, repeat)
    rows = []
    for c in candidates:
        slope_left, slope_right = derivative_limits(c.df)
        max_slope, max_slope_at = max_derivative(c.df)
        left_q, right_q = one_sided_derivatives(c.f)
        seconds = relative = None
        if x is not None and reference is not None:
            seconds = reference if c.key == "relu" else time_forward(c.f, x, repeat)
            relative = seconds / reference
        rows.append(Row(
            candidate=c,
            range=output_range(c.f, c.df),
            mean=normal_moment(c.f),
            slope_left=slope_left,
            slope_right=slope_right,
            max_slope=max_slope,
            max_slope_at=max_slope_at,
            left_quotient=left_q,
            right_quotient=right_q,
            preserving_gain=preserving_gain(c.f),
            seconds=seconds,
            relative_cost=relative,
        ))
    return rows


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _cost(row: Row) -> str:
    return "not timed" if row.relative_cost is None else f"{row.relative_cost:.1f}×"


#: The columns :class:`ComparisonTable` can show: header and cell text of a row.
COLUMNS: dict[str, tuple[str, Callable[[Row], str]]] = {
    "activation": ("activation", lambda r: r.candidate.label),
    "range": ("range (computed)", lambda r: str(r.range)),
    "exact_range": ("range (exact)", lambda r: r.candidate.exact_range),
    "mean": ("E[φ(z)], z ∼ N(0, 1)", lambda r: _number(r.mean)),
    "zero_centred": ("zero-centred", lambda r: _yes_no(r.zero_centred)),
    "slopes": ("φ′(−∞), φ′(+∞)", lambda r: f"{_number(r.slope_left)}, {_number(r.slope_right)}"),
    "saturates": ("saturates", lambda r: r.saturates),
    "max_slope": ("max φ′", lambda r: _number(r.max_slope)),
    "differentiable": (
        "differentiable at 0 (left, right quotient)",
        lambda r: f"{_yes_no(r.differentiable_at_zero)} "
        f"({_number(r.left_quotient)}, {_number(r.right_quotient)})",
    ),
    "cost": ("time vs ReLU", _cost),
    "init": ("initialisation", lambda r: r.candidate.init),
    "gain": ("gain", lambda r: _number(r.candidate.gain, 3)),
    "preserving_gain": ("1/√E[φ(z)²]", lambda r: _number(r.preserving_gain, 3)),
    "source": ("recommended by", lambda r: r.candidate.init_source),
}


@dataclass
class ComparisonTable:
    """Rows of :func:`compare` shown as a table: HTML in a notebook, plain text elsewhere."""

    rows: list[Row]
    columns: Sequence[str] = field(default_factory=lambda: list(COLUMNS))

    def __post_init__(self) -> None:
        unknown = [c for c in self.columns if c not in COLUMNS]
        if unknown:
            raise ValueError(f"unknown columns {unknown}; choose from {list(COLUMNS)}")

    def cells(self) -> list[list[str]]:
        """Return the header row followed by one list of cell texts per row."""
        header = [COLUMNS[c][0] for c in self.columns]
        return [header] + [[COLUMNS[c][1](row) for c in self.columns] for row in self.rows]

    def _repr_html_(self) -> str:
        header, *body = self.cells()
        head = "".join(f'<th style="white-space:normal">{html.escape(h)}</th>' for h in header)
        lines = [
            "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in cells) + "</tr>"
            for cells in body
        ]
        return (
            '<div class="actgrad-comparison" style="overflow-x:auto">'
            '<table class="table" style="font-size:0.85em;white-space:nowrap">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table></div>"
        )

    def __str__(self) -> str:
        """Return the table as aligned plain text."""
        table = self.cells()
        widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
        text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
                for line in table]
        text.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(text)

    def __repr__(self) -> str:
        """Return the plain-text table (what a terminal shows)."""
        return str(self)
