"""The end-of-part review quizzes of the book, one function per part of ``_toc.yml``.

Every number a question or a feedback states is computed here, when the
chapter that shows the quiz is executed: from the course's reference
activations, from a seeded sample, or, for the gradients part, from the
training runs the chapter has just measured (passed in by the chapter).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from actgrad.activations import (
    elu_grad,
    gelu,
    gelu_grad,
    leaky_relu_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softplus,
    softplus_grad,
    tanh_grad,
)
from actgrad.clipping import clip_by_global_norm
from actgrad.experiments.training_comparison import Run
from actgrad.widgets.precomputed import Control, PrecomputedFigure, precomputed_figure, set_alt
from actgrad.widgets.quiz import Option, Question, Quiz, quiz

__all__ = [
    "activations_questions",
    "activations_review",
    "choosing_questions",
    "choosing_review",
    "foundations_questions",
    "foundations_review",
    "gradients_questions",
    "gradients_review",
    "training_runs_explorer",
]


def _f(x: float) -> float:
    return float(np.asarray(x))


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _n(x: float, fmt: str = "g") -> str:
    """``x`` formatted with ``fmt``, with a true minus sign; powers of ten as 2.5 × 10⁻⁷."""
    text = format(x, fmt)
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
        text = power if mantissa in ("1", "1.0") else f"{mantissa} × {power}"
    return text.replace("-", "−")


def _arranged(questions: list[Question], positions: Sequence[int | None]) -> list[Question]:
    """Rotate each question's options so that its right one is at ``positions[i]``.

    Rotating keeps the options' order otherwise and spreads the right answers
    over the positions; ``None`` keeps a question as written (numbers in
    increasing order, say).
    """
    arranged = []
    for question, position in zip(questions, positions, strict=True):
        if position is None:
            arranged.append(question)
            continue
        n = len(question.options)
        shift = (question.answer - position) % n
        options = question.options[shift:] + question.options[:shift]
        arranged.append(Question(question.prompt, options))
    return arranged


# --- Foundations: why_nonlinearity, learning_with_gradients ------------------------------------

def foundations_questions() -> list[Question]:
    """Questions on the chapters of the part *Foundations*."""
    questions = [
        Question(
            "Two dense layers are stacked with no activation between them. What can the stack compute?",
            (
                Option("Exactly what one dense (affine) layer can compute", True,
                       "An affine map of an affine map is affine: the two weight matrices multiply "
                       "into one, and the first bias, pushed through the second matrix, adds to the "
                       "second bias. Depth without a nonlinearity adds parameters, not power."),
                Option("XOR, if the hidden layer is wide enough", False,
                       "Width does not help: however wide the hidden layer, the stack collapses to one "
                       "affine map, and no affine map followed by a threshold separates XOR's classes."),
                Option("A quadratic function of the input", False,
                       "A product of the input with itself never appears: each layer only multiplies by "
                       "constants and adds constants, so the result stays affine in the input."),
            ),
        ),
    ]

    eigen = (1.0, 10.0)
    rates = (0.05, 0.15, 0.25)

    def factors(eta: float) -> str:
        return " and ".join(f"|1 − {eta:g}·{lam:g}| = {abs(1 - eta * lam):.2f}" for lam in eigen)

    diverging = [eta for eta in rates if max(abs(1 - eta * lam) for lam in eigen) >= 1]
    assert diverging == [0.25], diverging
    limit = 2 / max(eigen)
    questions.append(Question(
        f"Gradient descent minimises a quadratic loss whose Hessian has the eigenvalues {eigen[0]:g} and "
        f"{eigen[1]:g}. Which learning rate η makes it diverge from almost every starting point?",
        tuple(
            Option(f"η = {eta:g}", eta in diverging,
                   f"Each step multiplies the error along an eigenvector by 1 − ηλ; here {factors(eta)}. "
                   + (f"A factor above 1 makes that component grow: η must stay below 2/λ_max = "
                      f"{limit:g}." if eta in diverging else
                      f"Both factors are below 1, so the error shrinks along both directions; only rates "
                      f"from 2/λ_max = {limit:g} upwards diverge."))
            for eta in rates
        ),
    ))

    slope = 3.0
    exact = _f(slope * sigmoid_grad(0.0))
    h = 1e-5
    numeric = _f((sigmoid(slope * h) - sigmoid(-slope * h)) / (2 * h))
    assert abs(exact - numeric) < 1e-9
    questions.append(Question(
        f"What is the derivative of σ({slope:g}x) at x = 0, where σ is the logistic sigmoid?",
        (
            Option(f"{_f(sigmoid_grad(0.0)):g}", False,
                   f"That is σ′(0) alone. The chain rule multiplies it by the inner derivative, "
                   f"{slope:g}, the slope of {slope:g}x."),
            Option(f"{exact:g}", True,
                   f"The chain rule gives {slope:g}·σ′({slope:g}·0) = {slope:g}·{_f(sigmoid_grad(0.0)):g} = "
                   f"{exact:g}; a central difference with h = {_n(h)} gives {numeric:.6f}."),
            Option(f"{slope:g}", False,
                   f"That is the inner derivative alone; it must be multiplied by the sigmoid's slope "
                   f"at 0, σ′(0) = {_f(sigmoid_grad(0.0)):g}."),
        ),
    ))

    x0, h1 = 0.5, 1e-2
    exact_t = _f(tanh_grad(x0))

    def central(step: float) -> float:
        return abs((np.tanh(x0 + step) - np.tanh(x0 - step)) / (2 * step) - exact_t)

    def forward(step: float) -> float:
        return abs((np.tanh(x0 + step) - np.tanh(x0)) / step - exact_t)

    ratio_c = central(h1) / central(h1 / 2)
    ratio_f = forward(h1) / forward(h1 / 2)
    assert 3.9 < ratio_c < 4.1 and 1.9 < ratio_f < 2.1, (ratio_c, ratio_f)
    measured = (f"For tanh at x = {x0:g}, halving h from {h1:g} divides the central difference's error by "
                f"{ratio_c:.2f} and the forward difference's by {ratio_f:.2f}.")
    questions.append(Question(
        "The step h of a central difference, (f(x + h) − f(x − h)) / 2h, is halved, and h is still far "
        "above the rounding limit. By about what factor does the error fall?",
        (
            Option("About 2", False,
                   "That is the forward difference, whose error falls in proportion to h. In the central "
                   "difference the terms in h cancel. " + measured),
            Option("About 4", True,
                   "The central difference's truncation error is about h²·f‴(x)/6, so half the step "
                   "gives a quarter of the error. " + measured),
            Option("It does not change", False,
                   "The truncation error depends on h; it stops falling only when h is so small that "
                   "rounding error dominates, which the question rules out. " + measured),
        ),
    ))

    z, step = 1e-6, 1e-5
    kink = _f((relu(z + step) - relu(z - step)) / (2 * step))
    questions.append(Question(
        f"A gradient check of a ReLU network gives a large relative error for one weight, although the "
        f"backward pass is correct. One hidden pre-activation is {_n(z)} and the step is h = {_n(step)}. "
        "What explains the error?",
        (
            Option("The finite difference straddles the kink at 0", True,
                   f"Between z − h and z + h the ReLU changes slope, so the quotient is a mixture of the "
                   f"slopes 0 and 1: here (relu(z + h) − relu(z − h)) / 2h = {kink:.2f}, while relu′(z) = "
                   f"{_f(relu_grad(z)):g}. Check at a point where no pre-activation is within h of 0."),
            Option("The backward pass must be wrong after all", False,
                   "The analytic gradient is right here: at a positive pre-activation the ReLU's slope "
                   "is 1. The finite difference is what is off, because its two evaluations lie on both "
                   "sides of the kink."),
            Option("h is too small for float64", False,
                   f"Rounding matters only for much smaller steps: at h = {_n(step)} the rounding error "
                   "of a central difference of a loss near 1 is around 10⁻¹¹, far too small to explain "
                   "a large error."),
        ),
    ))
    return _arranged(questions, (2, None, None, None, 0))


def foundations_review() -> Quiz:
    """Build the review quiz of the part *Foundations*."""
    return quiz("Review: Foundations", foundations_questions())


# --- Activation functions: sigmoid ... smooth_activations -----------------------------------------

def activations_questions() -> list[Question]:
    """Questions on the chapters of the part *Activation functions*."""
    grid = np.linspace(-8, 8, 16001)
    slopes = sigmoid_grad(grid)
    top, at = float(slopes.max()), float(grid[slopes.argmax()])
    assert at == 0.0 and abs(top - 0.25) < 1e-15
    questions = [Question(
        "What is the largest value the logistic sigmoid's derivative σ′(x) takes, and where?",
        (
            Option("1/4, at x = 0", True,
                   "σ′(x) = σ(x)(1 − σ(x)) is largest where σ(x) = 1/2, at x = 0, and there it is "
                   "1/2 · 1/2 = 1/4. Every sigmoid layer therefore multiplies a gradient by at most 1/4."),
            Option("1/2, at x = 0", False,
                   "1/2 is the sigmoid's value at 0, σ(0), not its slope. The slope there is "
                   f"σ(0)(1 − σ(0)) = {top:g}."),
            Option("1, at x = 0", False,
                   f"Slope 1 at 0 belongs to tanh. The sigmoid is a flattened, shifted tanh: "
                   f"σ(x) = (1 + tanh(x/2))/2, which halves the slope twice, to {top:g}."),
        ),
    )]

    x = 5.0
    derivs = {"sigmoid": _f(sigmoid_grad(x)), "tanh": _f(tanh_grad(x)),
              "ReLU": _f(relu_grad(x)), "GELU": _f(gelu_grad(x))}
    flattest = min(derivs, key=derivs.get)
    why = {
        "sigmoid": "σ′(x) = σ(x)(1 − σ(x)) decays like e^(−x)",
        "tanh": "tanh′(x) = 1 − tanh²(x) decays like 4e^(−2x), twice as fast in the exponent as the "
                "sigmoid's",
        "ReLU": "The ReLU's slope is exactly 1 for every positive input: it never saturates on that side",
        "GELU": "GELU approaches the identity for large positive inputs, so its slope approaches 1",
    }
    listing = ", ".join(f"{name} {_n(value, '.2g')}" for name, value in derivs.items())
    questions.append(Question(
        f"Which of these activations has the smallest derivative at x = {x:g}, that is, saturates most?",
        tuple(
            Option(name, name == flattest,
                   f"{why[name]}. At x = {x:g}: {listing}."
                   + ("" if name == flattest else f" The smallest is {flattest}'s."))
            for name in derivs
        ),
    ))

    negative = -np.linspace(0.01, 10, 1000)
    assert np.all(relu_grad(negative) == 0.0)
    alpha = 0.01
    questions.append(Question(
        "A ReLU unit is dead: its pre-activation is negative for every input of the training set. What "
        "gradient do the unit's own incoming weights and bias receive?",
        (
            Option("Exactly zero, for every example", True,
                   "relu′(z) = 0 for every z < 0, so the backpropagated signal is multiplied by 0 before "
                   "it reaches the unit's weights. Gradient descent cannot revive the unit through them; "
                   "only changes in the layers below could lift its pre-activations above 0."),
            Option("Small but not zero, so the unit recovers slowly", False,
                   f"That describes a Leaky ReLU, whose slope for negative inputs is its α "
                   f"(leaky_relu′(−3) = {_f(leaky_relu_grad(-3.0, alpha)):g} with α = {alpha:g}). The plain "
                   "ReLU's slope there is exactly 0."),
            Option("It is undefined, because the ReLU has a kink", False,
                   "The kink is only at z = 0 exactly. For negative pre-activations the derivative is "
                   "defined and equals 0."),
        ),
    ))

    logits = np.array([2.0, 1.0, -0.5])
    shift, scale = 100.0, 3.0
    p = softmax(logits)
    change = float(np.max(np.abs(softmax(logits + shift) - p)))
    sharpened = softmax(scale * logits)
    assert change < 1e-12
    questions.append(Question(
        f"The same constant, {shift:g}, is added to every logit before a softmax. What happens to the "
        "output probabilities?",
        (
            Option("Nothing: they are unchanged", True,
                   f"Adding c multiplies every exponential by e^c, and the normalisation divides it out. "
                   f"For the logits ({', '.join(_n(v) for v in logits)}) "
                   + (f"the largest change is {_n(change, '.1g')}, rounding only. " if change else
                      "not one probability changes. ")
                   + "This is what lets a stable softmax subtract the largest logit first."),
            Option(f"Each is multiplied by e^{shift:g}", False,
                   "Every exponential is multiplied by e^c, but so is their sum, and the ratio stays the "
                   "same; probabilities must still add up to 1."),
            Option("The largest probability moves closer to 1", False,
                   f"That happens when the logits are multiplied by a factor above 1 (a temperature "
                   f"below 1): ×{scale:g} raises the largest from {p[0]:.2f} to {sharpened[0]:.2f}. "
                   "Adding a constant changes nothing."),
        ),
    ))

    wide = np.linspace(-10, 10, 20001)
    g = gelu(wide)
    lowest, where = float(g.min()), float(wide[g.argmin()])
    assert lowest < -0.16 and -0.8 < where < -0.7
    least = {"ELU": float(elu_grad(wide).min()), "Leaky ReLU": float(leaky_relu_grad(wide, alpha).min()),
             "softplus": float(softplus_grad(wide).min())}
    assert all(v > 0 for v in least.values())
    rising = {
        "ELU": f"its slope is 1 for x > 0 and α·e^x > 0 for x < 0 "
               f"(at least {_n(least['ELU'], '.1g')} on [−10, 10])",
        "Leaky ReLU": f"its slope is 1 or α = {alpha:g}, never negative",
        "softplus": f"its slope is σ(x), always positive "
                    f"(at least {_n(least['softplus'], '.1g')} on [−10, 10])",
    }
    questions.append(Question(
        "Which of these activations is not monotonic?",
        (
            Option("GELU", True,
                   f"GELU(x) = x·Φ(x) falls to a minimum of {_n(lowest, '.3f')} at x ≈ {_n(where, '.2f')} "
                   "and rises after it. Activations need not be monotonic to "
                   "train well."),
            *(Option(name, False, f"{name} is increasing everywhere: {text}. The non-monotonic one is "
                     f"GELU, with a dip to {_n(lowest, '.3f')} at x ≈ {_n(where, '.2f')}.")
              for name, text in rising.items()),
        ),
    ))
    return _arranged(questions, (None, None, 2, 1, 3))


def activations_review() -> Quiz:
    """Build the review quiz of the part *Activation functions*."""
    return quiz("Review: Activation functions", activations_questions())


# --- Gradients in depth: vanishing_exploding ... training_comparison -------------------------------

#: How the activations of the training comparison are named in the quiz and the explorer.
_LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU",
           "elu": "ELU", "gelu": "GELU", "selu": "SELU"}


def training_runs_explorer(runs: Mapping[str, Sequence[Run]]) -> PrecomputedFigure:
    """Each seed's training loss and test accuracy, one activation at a time (chosen in a dropdown).

    ``runs`` maps an activation to its runs, one per seed, as
    :func:`actgrad.experiments.training_comparison.compare` returns them. Every state
    uses the same axes, so switching activations compares them directly.
    """
    names = list(runs)
    lowest = min(float(np.min(run.loss)) for name in names for run in runs[name])
    highest = max(float(np.max(run.loss)) for name in names for run in runs[name])
    styles = ("-", "--", ":")

    def render(name: str) -> Figure:
        fig, (ax_loss, ax_test) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
        finals = []
        for seed, run in enumerate(runs[name]):
            style = styles[seed % len(styles)]
            ax_loss.plot(run.loss, style, color=f"C{seed}", lw=1.6, label=f"seed {seed}")
            ax_test.plot(run.test_steps, run.test_accuracy, style, color=f"C{seed}", lw=1.6,
                         label=f"seed {seed}: {run.test_accuracy[-1]:.1%}")
            finals.append(float(run.test_accuracy[-1]))
        ax_loss.set(xlabel="Adam step", ylabel="training loss", yscale="log",
                    ylim=(lowest * 0.8, highest * 1.25), title=f"{_LABELS.get(name, name)}: training loss")
        ax_test.set(xlabel="Adam step", ylabel="test accuracy", ylim=(0.3, 1.0),
                    title=f"{_LABELS.get(name, name)}: test accuracy")
        for ax in (ax_loss, ax_test):
            ax.grid(True, lw=0.4, alpha=0.5)
            ax.legend(fontsize=8, loc="lower left" if ax is ax_loss else "lower right")
        losses = ", ".join(f"seed {i} {run.loss[-1]:.3f}" for i, run in enumerate(runs[name]))
        accuracies = ", ".join(f"seed {i} {a:.1%}" for i, a in enumerate(finals))
        return set_alt(fig, (
            f"Two panels for {_LABELS.get(name, name)}, one line per seed over {len(runs[name][0].loss) - 1}"
            f" Adam steps: the training loss on a log scale (final: {losses}) and the test accuracy"
            f" (final: {accuracies}; spread {100 * (max(finals) - min(finals)):.1f} percentage points)."))

    control = Control("activation", [(_LABELS.get(name, name), name) for name in names], kind="dropdown")
    return precomputed_figure(render, {"name": control})


def gradients_questions(test_accuracy: Mapping[str, Sequence[float]]) -> list[Question]:
    """Questions on the part *Gradients in depth*.

    ``test_accuracy`` maps each activation of the training comparison to its
    final test accuracy per seed, as measured by the chapter.
    """
    layers = 10
    bound = 0.25**layers
    questions = [Question(
        f"A scalar signal passes through {layers} sigmoid layers, each with weight 1. By at most what "
        "factor is the gradient multiplied on its way back from the output to the input?",
        (
            Option(_n(bound, ".1e"), True,
                   f"The chain rule multiplies one factor per layer, each σ′ ≤ 1/4: (1/4)^{layers} = "
                   f"{_n(bound, '.1e')}. This is the vanishing gradient."),
            Option("0.25", False,
                   f"That is the bound for one layer. The chain rule multiplies the {layers} factors: "
                   f"(1/4)^{layers} = {_n(bound, '.1e')}."),
            Option(f"{0.25 * layers:g}", False,
                   f"The layers' factors multiply, they do not add: (1/4)^{layers} = {_n(bound, '.1e')}, "
                   f"not {layers} × 1/4."),
        ),
    )]

    rng = np.random.default_rng(2010)
    z = rng.normal(size=1_000_000)
    kept = float(np.mean(relu(z) ** 2) / np.mean(z**2))
    questions.append(Question(
        "He initialisation for ReLU layers uses the weight variance 2/n_in, twice LeCun's 1/n_in: a "
        "gain of √2. What does the extra factor 2 make up for?",
        (
            Option("ReLU sets the negative half of its inputs to 0", True,
                   f"For a symmetric pre-activation, E[relu(z)²] = E[z²]/2: a sample of a million "
                   f"standard normal values keeps {kept:.3f} of the mean square. Doubling the weights' "
                   "variance restores it, so the signal keeps its size from layer to layer."),
            Option("ReLU's slope of 1 is too small", False,
                   "A slope of 1 passes positive inputs unchanged; it loses nothing. The loss comes from "
                   f"the inputs below zero, set to 0: only {kept:.3f} of the mean square is kept."),
            Option("Averaging the fan-in and the fan-out", False,
                   "That is Glorot's scale, 2/(n_in + n_out), a compromise between the forward condition "
                   "1/n_in and the backward one 1/n_out, derived for units with slope 1 at 0. He's 2 "
                   f"comes from ReLU keeping {kept:.3f} of the mean square."),
        ),
    ))

    n_in = 256
    x = rng.normal(size=(2000, n_in))
    variances = {}
    for label, var in (("1/256", 1 / n_in), ("1", 1.0), ("2/256", 2 / n_in)):
        w = rng.normal(scale=np.sqrt(var), size=(n_in, 256))
        variances[label] = float(np.var(x @ w))
    questions.append(Question(
        f"A linear layer has {n_in} inputs of variance 1, and its weights are drawn independently with "
        "mean 0. Which weight variance keeps the outputs at variance 1?",
        (
            Option("1/256", True,
                   f"Each output sums {n_in} products of variance 1 × 1/{n_in}, which gives 1. Measured on "
                   f"a seeded sample: {variances['1/256']:.3f}."),
            Option("1", False,
                   f"Then the {n_in} terms add up to variance {n_in}: measured {variances['1']:.0f}. "
                   "Layer after layer the signal would explode."),
            Option("2/256", False,
                   f"That is He's variance for ReLU layers, which lose half the mean square. A linear "
                   f"layer loses nothing, so this doubles the variance: measured {variances['2/256']:.3f}."),
        ),
    ))

    grad = [np.array([3.0, 4.0])]
    clipped = clip_by_global_norm(grad, 1.0)[0]
    by_value = np.clip(grad[0], -1.0, 1.0)
    cos = float(by_value @ grad[0] / (np.linalg.norm(by_value) * np.linalg.norm(grad[0])))
    questions.append(Question(
        "A gradient (3, 4) is clipped by its global norm with the threshold 1. What is the result?",
        (
            Option(f"({clipped[0]:g}, {clipped[1]:g})", True,
                   f"The norm is {np.linalg.norm(grad[0]):g}, above 1, so the whole vector is scaled by "
                   f"1/{np.linalg.norm(grad[0]):g}: the direction is kept, the length becomes 1."),
            Option("(1, 1)", False,
                   f"That is clipping each entry by value at 1. It changes the direction: the cosine "
                   f"between (1, 1) and (3, 4) is {cos:.3f}, and its length is {np.sqrt(2):.3f}, not 1."),
            Option("(3, 4)", False,
                   f"Only a gradient whose norm is at most 1 passes unchanged; this one has norm "
                   f"{np.linalg.norm(grad[0]):g}."),
        ),
    ))

    spreads = {name: float(np.max(v) - np.min(v)) for name, v in test_accuracy.items()}
    widest = max(spreads, key=spreads.get)
    if sorted(spreads.values())[-2] == spreads[widest]:
        raise ValueError(f"two activations share the widest spread: {spreads}")
    shown = [name for name in test_accuracy if name in ("sigmoid", "tanh", "relu", "selu") or name == widest]

    labels = _LABELS

    def described(name: str) -> str:
        v = test_accuracy[name]
        return (f"{labels.get(name, name)}: test accuracy from {min(v):.1%} to {max(v):.1%} over the "
                f"{len(v)} seeds, a spread of {100 * spreads[name]:.1f} percentage points")

    questions.append(Question(
        "In the training comparison of this chapter, which activation's test accuracy depended most on "
        "the seed?",
        tuple(
            Option(labels.get(name, name), name == widest,
                   f"{described(name)}"
                   + (", the widest of all. A single run could have given a very different verdict."
                      if name == widest else f". The widest spread: {described(widest)}."))
            for name in shown
        ),
    ))
    return _arranged(questions, (None, 2, 1, 2, None))


def gradients_review(test_accuracy: Mapping[str, Sequence[float]]) -> Quiz:
    """Build the review quiz of the part *Gradients in depth* (see :func:`gradients_questions`)."""
    return quiz("Review: Gradients in depth", gradients_questions(test_accuracy))


# --- Putting it together: choosing_an_activation ---------------------------------------------------

def choosing_questions() -> list[Question]:
    """Questions on the part *Putting it together*."""
    one = float(softmax(np.array([-3.7]))[0])
    questions = [Question(
        "A network predicts tomorrow's temperature in degrees Celsius, which can be negative. Which "
        "activation belongs on its output unit?",
        (
            Option("None (the identity)", True,
                   "A real-valued target needs an output that can take any real value; with the "
                   "squared error, the gradient with respect to the output is proportional to the "
                   "prediction minus the target."),
            Option("ReLU", False,
                   "A ReLU output cannot be negative, so every frost would be predicted as 0 °C, and "
                   "while the score is negative the output's gradient is 0: the network cannot learn "
                   "its way out."),
            Option("Softmax", False,
                   f"Softmax over a single unit is always 1 (for the score −3.7 it gives {one:g}): it "
                   "turns scores into probabilities that share a total of 1, nothing else."),
        ),
    )]

    both = np.array([3.0, 3.0])
    questions.append(Question(
        "Each photo may show a cat, a dog, both or neither. What should the two output units use?",
        (
            Option("An independent sigmoid per label", True,
                   f"Each label gets its own probability, with no constraint between them: two scores of "
                   f"3 give {_f(sigmoid(3.0)):.2f} for both the cat and the dog."),
            Option("A softmax over the two units", False,
                   f"Softmax makes the labels compete for a total of 1: two scores of 3 give "
                   f"{softmax(both)[0]:.2f} each, so a photo with both animals can never get a high "
                   "probability for both."),
            Option("ReLU", False,
                   "A ReLU output is not a probability: it is unbounded above, and the binary "
                   "cross-entropy needs a number between 0 and 1."),
        ),
    ))

    grid = np.linspace(-12, 12, 240001)
    density = np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi)
    means = {name: float(np.trapezoid(f(grid) * density, grid))
             for name, f in (("tanh", np.tanh), ("ReLU", relu), ("sigmoid", sigmoid), ("softplus", softplus))}
    assert abs(means["tanh"]) < 1e-12 and abs(means["ReLU"] - 1 / np.sqrt(2 * np.pi)) < 1e-9
    centred = min(means, key=lambda n: abs(means[n]))
    reason = {
        "tanh": "tanh is odd, tanh(−z) = −tanh(z), so for a symmetric input the positive and negative "
                "outputs cancel",
        "ReLU": "ReLU outputs are never negative",
        "sigmoid": "sigmoid outputs lie between 0 and 1, centred on σ(0) = 1/2",
        "softplus": "softplus outputs are always positive",
    }
    listing = ", ".join(f"{n} {m:.3f}" for n, m in means.items())
    questions.append(Question(
        "The pre-activations of a layer are standard normal. Which activation gives outputs with mean 0?",
        tuple(
            Option(name, name == centred,
                   f"{reason[name]}. Mean outputs, computed by integration: {listing}.")
            for name in means
        ),
    ))

    big = 50.0
    questions.append(Question(
        "A network outputs a positive scale from a raw score. Why is softplus often safer there than exp?",
        (
            Option("Softplus's slope never exceeds 1", True,
                   f"Softplus grows at most linearly, with slope σ(z) < 1, so one large score produces an "
                   f"ordinary update. At a score of {big:g}, exp and its slope are "
                   f"{_n(np.exp(big), '.1e')}."),
            Option("Softplus is exactly 0 for negative scores", False,
                   f"Softplus is positive everywhere (softplus(−5) = {_f(softplus(-5.0)):.4f}); it is "
                   "ReLU that is exactly 0 there. A scale must be positive, so that would not help anyway."),
            Option("Exp can produce negative values", False,
                   "Exp is positive for every score. Its problem is the other end: it grows, and passes "
                   f"gradients, exponentially ({_n(np.exp(big), '.1e')} at a score of {big:g})."),
        ),
    ))

    score = -6.0
    p = _f(sigmoid(score))
    bce = p - 1.0
    squared = (p - 1.0) * _f(sigmoid_grad(score))
    questions.append(Question(
        f"A sigmoid output with the binary cross-entropy gets the score {_n(score)} for an example whose "
        "target is 1: confidently wrong. What is the gradient of the loss with respect to the score?",
        (
            Option(f"{_n(bce, '.4f')}, the prediction minus the target", True,
                   f"For the sigmoid with the binary cross-entropy the derivative is σ(z) − y = "
                   f"{p:.4f} − 1 = {_n(bce, '.4f')}: a confident mistake gets a large gradient, and "
                   "is corrected."),
            Option(f"{_n(squared, '.4f')}, because the sigmoid saturates", False,
                   f"That is what the squared error on the probability would give, (σ(z) − y)·σ′(z), with "
                   f"σ′({_n(score)}) = {_f(sigmoid_grad(score)):.4f}. The cross-entropy's logarithm cancels "
                   "that factor."),
            Option("0, because the output is already saturated", False,
                   f"Saturation shrinks σ′, but the cross-entropy divides it out: the gradient is "
                   f"σ(z) − y = {_n(bce, '.4f')}."),
        ),
    ))
    return _arranged(questions, (2, 1, 3, 1, None))


def choosing_review() -> Quiz:
    """Build the review quiz of the part *Putting it together*."""
    return quiz("Review: Putting it together", choosing_questions())
