"""Multiple-choice review quizzes whose feedback needs no kernel.

Each question is an :class:`ipywidgets.RadioButtons` (no option chosen at
first) above an :class:`ipywidgets.Stack` holding one feedback panel per
option. The radio buttons' ``index`` is tied to the Stack's ``selected_index``
with :func:`ipywidgets.jsdlink`, a link that runs in the browser, exactly like
the controls of :mod:`actgrad.widgets.precomputed`: choosing an option shows
its panel on the static site, where the ipywidgets HTML manager rebuilds the
widget from the state saved in the executed notebook, and in JupyterLab alike.

Accessibility: each radio button is a native ``<input type="radio">`` inside
a ``<label>`` with the option's text, so it is named and reached with Tab and
chosen with Space. The Stack renders only the chosen panel, so every choice
inserts a new panel; the panel is a ``role="alert"`` region, which screen
readers announce when it is inserted. Every panel starts with "Correct:" or
"Not quite:", so that the border colour is never the only cue.
"""

from __future__ import annotations

import base64
import html
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt

from actgrad.widgets.precomputed import figure_to_png

__all__ = ["CORRECT", "WRONG", "Option", "Question", "Quiz", "feedback_html", "quiz", "quiz_picture"]

#: The words that open the feedback to a right and to a wrong answer.
CORRECT = "Correct:"
WRONG = "Not quite:"

# Radio buttons of the html-manager are one line high each; long options
# would overlap the next one. These rules (scoped to the quiz) let an option
# wrap, put the button before its text and mark the feedback panel.
_STYLE = """<style>
.actgrad-quiz .widget-radio-box label {
  height: auto; line-height: 1.4; display: flex; align-items: baseline;
  gap: 0.5em; padding: 0.2em 0; white-space: normal;
}
.actgrad-quiz .widget-html-content { line-height: 1.5; }
.actgrad-quiz .widget-radio-box input { float: none; order: -1; height: auto; margin: 0; }
.actgrad-quiz-feedback { border-left: 0.3em solid; padding: 0.2em 0.8em; margin: 0.2em 0 0.8em; }
.actgrad-quiz-feedback.right { border-color: #1a7f37; }
.actgrad-quiz-feedback.wrong { border-color: #c4661f; }
</style>"""


@dataclass(frozen=True)
class Option:
    """One answer to a question: its text, whether it is right, and why (plain text)."""

    text: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class Question:
    """A question (plain text) with its options in display order; exactly one is right."""

    prompt: str
    options: tuple[Option, ...]

    def __post_init__(self) -> None:
        options = tuple(self.options)
        object.__setattr__(self, "options", options)
        if not self.prompt.strip():
            raise ValueError("a question needs a prompt")
        if len(options) < 2:
            raise ValueError(f"{self.prompt[:60]!r}: a question needs at least two options")
        right = sum(option.correct for option in options)
        if right != 1:
            raise ValueError(f"{self.prompt[:60]!r}: {right} right options, exactly one needed")
        texts = [option.text for option in options]
        if len(set(texts)) != len(texts):
            raise ValueError(f"{self.prompt[:60]!r}: options repeat: {texts}")
        for option in options:
            if not option.text.strip() or not option.feedback.strip():
                raise ValueError(f"{self.prompt[:60]!r}: every option needs a text and a feedback")

    @property
    def answer(self) -> int:
        """Index of the right option."""
        return next(i for i, option in enumerate(self.options) if option.correct)


def feedback_html(option: Option) -> str:
    """Return the panel shown when ``option`` is chosen: a verdict word, then the explanation."""
    verdict, kind = (CORRECT, "right") if option.correct else (WRONG, "wrong")
    return (
        f'<div class="actgrad-quiz-feedback {kind}" role="alert" aria-atomic="true">'
        f"<strong>{verdict}</strong> {html.escape(option.feedback)}</div>"
    )


class Quiz(widgets.VBox):
    """The widget :func:`quiz` returns.

    Besides the VBox children it keeps, for tests and inspection (not synced):
    ``questions`` (the :class:`Question` objects), ``radios`` (one
    RadioButtons per question), ``stacks`` (the feedback Stacks) and
    ``links`` (the jsdlinks between them) and ``png`` (the picture of :func:`quiz_picture`).
    """

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        """Add a picture and a plain text of the quiz for front ends that cannot draw widgets.

        The PDF's LaTeX builder has no widget view: it shows the picture
        (:func:`quiz_picture`: the questions, no option chosen, and the answer key).
        """
        data = super()._repr_mimebundle_(**kwargs)
        data["image/png"] = base64.b64encode(self.png).decode("ascii")
        data["text/plain"] = self.as_text()
        return data

    def as_text(self, width: int = 78) -> str:
        """Return the questions with lettered options, then the right letters with their explanations."""
        lines: list[str] = []

        def add(text: str, indent: str = "", first: str = "") -> None:
            lines.extend(textwrap.wrap(text, width, initial_indent=first or indent, subsequent_indent=indent))

        for number, question in enumerate(self.questions, start=1):
            add(question.prompt, "   ", f"{number}. ")
            for letter, option in zip("abcdefgh", question.options, strict=False):
                add(option.text, "       ", f"   ({letter}) ")
            lines.append("")
        lines.append("Answers")
        for number, question in enumerate(self.questions, start=1):
            right = question.options[question.answer]
            add(f"{right.feedback}", "   ", f"{number}. ({'abcdefgh'[question.answer]}) ")
        return "\n".join(lines)


def quiz_picture(title: str, questions: Sequence[Question], width: int = 92) -> bytes:
    """Draw the quiz as it opens (no option chosen), with the answer key at the bottom; return a PNG."""
    lines: list[tuple[str, str]] = [(title, "bold"), ("", "normal")]
    for number, question in enumerate(questions, start=1):
        wrapped = textwrap.wrap(f"{number}. {question.prompt}", width, subsequent_indent="    ")
        lines += [(line, "bold") for line in wrapped]
        for option in question.options:
            wrapped = textwrap.wrap(f"\u25cb  {option.text}", width, initial_indent="    ",
                                    subsequent_indent="       ")
            lines += [(line, "normal") for line in wrapped]
        lines.append(("", "normal"))
    key = ", ".join(f"{n} ({'abcdefgh'[q.answer]})" for n, q in enumerate(questions, start=1))
    lines.append((f"Answer key (options counted a, b, c, ... from the top): {key}", "normal"))
    step = 0.2
    fig = plt.figure(figsize=(8, step * (len(lines) + 1)))
    for row, (text, weight) in enumerate(lines):
        fig.text(0.01, 1 - step * (row + 1) / fig.get_figheight(), text, fontsize=9.5,
                 fontweight=weight, va="baseline", parse_math=False)
    return figure_to_png(fig, dpi=110, bbox_inches=None)


def quiz(title: str, questions: Sequence[Question]) -> Quiz:
    """Build a quiz: ``title`` above the questions, each with its radio buttons and feedback.

    Parameters
    ----------
    title : str
        Plain text shown above the first question.
    questions : sequence of Question
        The questions, in order.

    Returns
    -------
    Quiz
        A VBox with, per question, an HTML prompt, a RadioButtons with no
        option chosen and a Stack of feedback panels, the radio buttons'
        ``index`` jsdlinked to the Stack's ``selected_index``.

    Examples
    --------
    >>> q = Question("1 + 1?", (Option("2", True, "One and one make two."),
    ...                         Option("3", False, "That is one too many.")))
    >>> w = quiz("Arithmetic", [q])
    >>> len(w.radios), w.radios[0].index is None
    (1, True)
    """
    questions = list(questions)
    if not questions:
        raise ValueError("a quiz needs at least one question")
    children: list[widgets.Widget] = [
        widgets.HTML(f'{_STYLE}<p class="actgrad-quiz-title"><strong>{html.escape(title)}</strong></p>')
    ]
    radios, stacks, links = [], [], []
    total = len(questions)
    for number, question in enumerate(questions, start=1):
        prompt = widgets.HTML(
            f'<p class="actgrad-quiz-prompt"><strong>Question {number} of {total}.</strong> '
            f"{html.escape(question.prompt)}</p>"
        )
        radio = widgets.RadioButtons(
            options=[option.text for option in question.options],
            index=None,
            layout=widgets.Layout(width="auto"),
        )
        panels = [widgets.HTML(feedback_html(option)) for option in question.options]
        stack = widgets.Stack(children=panels, selected_index=None)
        radio.add_class("actgrad-quiz-options")
        stack.add_class("actgrad-quiz-stack")
        links.append(widgets.jsdlink((radio, "index"), (stack, "selected_index")))
        children += [prompt, radio, stack]
        radios.append(radio)
        stacks.append(stack)
    box = Quiz(children=children)
    box.add_class("actgrad-quiz")
    box.questions = questions
    box.radios = radios
    box.stacks = stacks
    box.links = links
    box.png = quiz_picture(title, questions)
    return box
