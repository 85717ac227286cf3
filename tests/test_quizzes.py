"""The end-of-part review quizzes: sound questions, and instant feedback in the browser with no kernel.

The first half checks the questions of :mod:`actgrad.widgets.reviews` and the
widget :func:`actgrad.widgets.quiz.quiz` builds from them: exactly one right
option per question, a feedback for every option that opens with the right
verdict, and radio buttons tied to their feedback Stack by a link that runs in
the browser. It also checks that every part of ``_toc.yml`` with chapters to
review ends with a chapter that shows its quiz.

The second half (marker ``browser``) opens each quiz page of the built site in
Chromium. From the widget state saved in the page it knows every question's
options and feedback; it answers one question right and another wrong with
the mouse, and one with the keyboard alone (Tab to the option, Space), and
checks that the feedback shown is the chosen option's, with its verdict in
words and in an alert region, and that the page logs no error.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import ipywidgets as widgets
import numpy as np
import pytest
import yaml
from bs4 import BeautifulSoup
from ipywidgets.widgets.widget_link import DirectionalLink

from actgrad.widgets import reviews
from actgrad.widgets.quiz import CORRECT, WRONG, Option, Question, quiz

from conftest import POLL_MS, ROOT

if TYPE_CHECKING:
    from course_in_lab import LabRun
    from test_jupyterlab import LabSession

#: Part caption of _toc.yml -> the function building its quiz; parts not listed have nothing to review.
QUIZZES = {
    "Foundations": "foundations_review",
    "Activation functions": "activations_review",
    "Gradients in depth": "gradients_review",
    "Putting it together": "choosing_review",
}
#: Parts of _toc.yml that are about using the course, not its subject.
NO_REVIEW = {"Using the course"}
#: What the gradients quiz is given in the unit tests: test accuracies over three seeds.
ACCURACY = {"sigmoid": [0.55, 0.56, 0.55], "tanh": [0.6, 0.92, 0.7], "relu": [0.95, 0.97, 0.96],
            "leaky_relu": [0.96, 0.97, 0.98], "selu": [0.8, 0.86, 0.9]}


def all_question_sets() -> dict[str, list[Question]]:
    return {
        "foundations": reviews.foundations_questions(),
        "activations": reviews.activations_questions(),
        "gradients": reviews.gradients_questions(ACCURACY),
        "choosing": reviews.choosing_questions(),
    }


# --- the questions --------------------------------------------------------------------------

@pytest.mark.unit
@pytest.mark.parametrize("name", ["foundations", "activations", "gradients", "choosing"])
def test_every_question_has_one_right_answer_and_feedback_for_every_option(name: str) -> None:
    questions = all_question_sets()[name]
    assert 4 <= len(questions) <= 6
    for question in questions:
        assert sum(option.correct for option in question.options) == 1, question.prompt
        assert len(question.options) >= 3, question.prompt
        texts = [option.text for option in question.options]
        assert len(set(texts)) == len(texts), question.prompt
        for option in question.options:
            assert len(option.feedback.split()) >= 8, (question.prompt, option.text)
            assert "nan" not in option.feedback.split() and "inf" not in option.feedback.split()


@pytest.mark.unit
def test_the_right_answers_are_not_always_in_the_same_place() -> None:
    for name, questions in all_question_sets().items():
        assert len({question.answer for question in questions}) >= 2, name


@pytest.mark.unit
def test_the_measured_question_names_the_activation_with_the_widest_spread() -> None:
    question = reviews.gradients_questions(ACCURACY)[-1]
    assert question.options[question.answer].text == "tanh"
    assert "32.0 percentage points" in question.options[question.answer].feedback
    swapped = dict(ACCURACY, selu=[0.5, 0.6, 0.95])
    question = reviews.gradients_questions(swapped)[-1]
    assert question.options[question.answer].text == "SELU"
    with pytest.raises(ValueError, match="widest spread"):
        reviews.gradients_questions(dict(ACCURACY, selu=[0.6, 0.92, 0.7]))


@pytest.mark.unit
@pytest.mark.parametrize("options", [
    (Option("a", False, "no"), Option("b", False, "no")),
    (Option("a", True, "yes"), Option("b", True, "yes")),
    (Option("a", True, "yes"), Option("b", False, " ")),
    (Option("a", True, "yes"), Option("a", False, "no")),
    (Option("a", True, "yes"),),
], ids=["no right option", "two right options", "empty feedback", "repeated option", "one option"])
def test_a_malformed_question_is_refused(options) -> None:
    with pytest.raises(ValueError):
        Question("What?", options)


# --- the widget -------------------------------------------------------------------------------

def _text(fragment: str) -> str:
    return " ".join(BeautifulSoup(fragment, "html.parser").get_text().split())


@pytest.mark.unit
def test_the_widget_links_each_question_to_its_feedback_in_the_browser() -> None:
    questions = reviews.foundations_questions()
    w = quiz("Review", questions)
    assert len(w.radios) == len(w.stacks) == len(w.links) == len(questions)
    for question, radio, stack, link in zip(questions, w.radios, w.stacks, w.links, strict=True):
        assert isinstance(radio, widgets.RadioButtons) and radio.index is None
        assert stack.selected_index is None
        assert isinstance(link, DirectionalLink)
        assert link.source == (radio, "index") and link.target == (stack, "selected_index")
        assert list(radio.options) == [option.text for option in question.options]
        for option, panel in zip(question.options, stack.children, strict=True):
            assert 'role="alert"' in panel.value
            verdict = CORRECT if option.correct else WRONG
            assert _text(panel.value) == f"{verdict} {option.feedback}"


@pytest.mark.unit
def test_without_a_widget_view_the_quiz_is_a_picture_and_a_text() -> None:
    w = reviews.choosing_review()
    data = w._repr_mimebundle_()
    data = data[0] if isinstance(data, tuple) else data
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG") and png == w.png
    assert "application/vnd.jupyter.widget-view+json" in data
    text = data["text/plain"]
    for number, question in enumerate(w.questions, start=1):
        assert f"{number}. " in text
        assert f"{number}. ({'abcdefgh'[question.answer]})" in text


@pytest.mark.unit
def test_every_part_with_chapters_to_review_ends_with_its_quiz() -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    captions = [part["caption"] for part in toc["parts"]]
    assert set(captions) == set(QUIZZES) | NO_REVIEW, captions
    for part in toc["parts"]:
        if part["caption"] in NO_REVIEW:
            continue
        last = ROOT / f"{part['chapters'][-1]['file']}.md"
        text = last.read_text(encoding="utf-8")
        function = QUIZZES[part["caption"]]
        assert re.search(r"^## Review quiz$", text, flags=re.M), f"{last.name}: no 'Review quiz' section"
        assert f"from actgrad.widgets.reviews import {function}" in text and f"{function}(" in text, (
            f"{last.name} (last chapter of {part['caption']!r}) does not show {function}()")


# --- in Chromium, on the static site ----------------------------------------------------------

def quiz_pages() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    return [f"{part['chapters'][-1]['file']}.html" for part in toc["parts"] if part["caption"] in QUIZZES]


def saved_quizzes(page_html: str) -> list[list[tuple[list[str], list[str]]]]:
    """Every quiz of a page, from its saved widget state: per question, option labels and feedback texts."""
    document = BeautifulSoup(page_html, "html.parser")
    models = json.loads(document.find("script", type="application/vnd.jupyter.widget-state+json")
                        .get_text())["state"]

    def model(ref: str) -> dict:
        return models[ref.removeprefix("IPY_MODEL_")]

    found = []
    for view in document.find_all("script", type="application/vnd.jupyter.widget-view+json"):
        box = models[json.loads(view.get_text())["model_id"]]
        if "actgrad-quiz" not in box["state"].get("_dom_classes", []):
            continue
        children = [model(ref) for ref in box["state"]["children"]]
        questions = []
        for radio, stack in zip(children[2::3], children[3::3], strict=True):
            assert radio["model_name"] == "RadioButtonsModel" and stack["model_name"] == "StackModel"
            panels = [_text(model(ref)["state"]["value"]) for ref in stack["state"]["children"]]
            questions.append((radio["state"]["_options_labels"], panels))
        found.append(questions)
    return found


SHOWN_FEEDBACK_JS = """stack => [...stack.querySelectorAll('.actgrad-quiz-feedback')]
    .filter(el => el.getBoundingClientRect().height > 0)
    .map(el => ({text: el.innerText.replace(/\\s+/g, ' ').trim(), role: el.getAttribute('role')}))"""


def shown_feedback(stack) -> list[dict]:
    return stack.evaluate(SHOWN_FEEDBACK_JS)


def wait_for_feedback(page, stack, text: str) -> None:
    page.wait_for_function(f"([stack, text]) => ({SHOWN_FEEDBACK_JS})(stack).some(f => f.text === text)",
                           arg=[stack.element_handle(), text], timeout=10_000, polling=POLL_MS)


@pytest.mark.browser
def test_each_quiz_gives_the_chosen_options_feedback_without_a_kernel(built_book: Path, site_url: str,
                                                                       chromium) -> None:
    from test_browser import open_page, wait_for_widgets

    for name in quiz_pages():
        saved = saved_quizzes((built_book / name).read_text(encoding="utf-8"))
        assert len(saved) == 1, f"{name}: {len(saved)} quizzes in the saved widget state"
        questions = saved[0]
        assert 4 <= len(questions) <= 6
        for labels, panels in questions:
            verdicts = [panel.split(":")[0] + ":" for panel in panels]
            assert len(labels) == len(panels) and verdicts.count(CORRECT) == 1, (name, labels, verdicts)
            assert set(verdicts) <= {CORRECT, WRONG}, (name, verdicts)
        page, record = open_page(chromium, f"{site_url}/{name}")
        try:
            wait_for_widgets(page)
            root = page.locator(".actgrad-quiz")
            assert root.count() == 1, f"{name}: the quiz did not render"
            radios, stacks = root.locator(".actgrad-quiz-options"), root.locator(".actgrad-quiz-stack")
            assert radios.count() == stacks.count() == len(questions)
            for stack in (stacks.nth(i) for i in range(len(questions))):
                assert shown_feedback(stack) == [], f"{name}: feedback shown before any answer"

            # The mouse: question 1 answered right, question 2 wrong, then question 1 changed to wrong.
            labels, panels = questions[0]
            right = next(i for i, p in enumerate(panels) if p.startswith(CORRECT))
            radios.nth(0).get_by_text(labels[right], exact=True).click()
            wait_for_feedback(page, stacks.nth(0), panels[right])
            assert shown_feedback(stacks.nth(0)) == [{"text": panels[right], "role": "alert"}]
            labels2, panels2 = questions[1]
            wrong = next(i for i, p in enumerate(panels2) if p.startswith(WRONG))
            radios.nth(1).get_by_text(labels2[wrong], exact=True).click()
            wait_for_feedback(page, stacks.nth(1), panels2[wrong])
            assert shown_feedback(stacks.nth(1)) == [{"text": panels2[wrong], "role": "alert"}]
            assert shown_feedback(stacks.nth(0)) == [{"text": panels[right], "role": "alert"}]
            other = (right + 1) % len(labels)
            radios.nth(0).get_by_text(labels[other], exact=True).click()
            wait_for_feedback(page, stacks.nth(0), panels[other])
            assert shown_feedback(stacks.nth(0)) == [{"text": panels[other], "role": "alert"}]
            assert panels[other].startswith(WRONG)

            # The keyboard alone: Tab from before the last question's options to its right one, Space.
            last = len(questions) - 1
            labels, panels = questions[last]
            right = next(i for i, p in enumerate(panels) if p.startswith(CORRECT))
            radios.nth(last).evaluate("el => { const s = document.createElement('span'); s.tabIndex = -1;"
                                      " el.before(s); s.focus(); }")
            for _ in range(right + 1):
                page.keyboard.press("Tab")
            focused = page.evaluate("() => [document.activeElement.type,"
                                    " document.activeElement.closest('label').textContent]")
            assert focused == ["radio", labels[right]], (name, focused)
            page.keyboard.press("Space")
            wait_for_feedback(page, stacks.nth(last), panels[right])
            assert shown_feedback(stacks.nth(last)) == [{"text": panels[right], "role": "alert"}]
            assert not record["errors"], f"{name}: console errors: {record['errors']}"
        finally:
            page.close()


# --- in JupyterLab, with a kernel ---------------------------------------------------------------

@pytest.mark.browser
def test_a_quiz_gives_its_feedback_in_jupyterlab(lab_course: LabRun) -> None:
    """The Foundations quiz, run in its chapter opened through jupytext: one answer right, one wrong."""
    problems = lab_course.stopped("start", "quiz") + lab_course.page_problems()
    assert not problems, "\n".join(problems)
    assert lab_course.exit_code == 0


def answer_quiz_in_lab(session: LabSession) -> None:
    """In the shared lab page (tests/course_in_lab.py), run the Foundations quiz's chapter and answer it."""
    from test_jupyterlab import error_outputs

    chapter = "chapters/learning_with_gradients.md"
    questions = reviews.foundations_questions()
    state = session.run(chapter, factory="Jupytext Notebook")
    assert not error_outputs(state), error_outputs(state)
    root = session.page.locator(f"#{state['id']} .actgrad-quiz")
    assert root.count() == 1, "the quiz is not shown after Run All"
    root.scroll_into_view_if_needed()
    radios, stacks = root.locator(".actgrad-quiz-options"), root.locator(".actgrad-quiz-stack")
    assert radios.count() == len(questions)
    for number, pick in ((0, questions[0].answer), (1, (questions[1].answer + 1) % 3)):
        option = questions[number].options[pick]
        radios.nth(number).get_by_text(option.text, exact=True).click()
        expected = f"{CORRECT if option.correct else WRONG} {option.feedback}"
        wait_for_feedback(session.page, stacks.nth(number), expected)
        assert shown_feedback(stacks.nth(number)) == [{"text": expected, "role": "alert"}]


@pytest.mark.unit
def test_the_runs_explorer_shows_each_activations_seeds() -> None:
    from actgrad.experiments.training_comparison import Run

    steps = np.arange(0, 301, 50)

    def run(final: float, start: float) -> Run:
        return Run(loss=np.geomspace(0.7, start, 301), accuracy=np.linspace(0.5, final, 301),
                   test_steps=steps, test_loss=np.geomspace(0.7, start, len(steps)),
                   test_accuracy=np.linspace(0.5, final, len(steps)))

    runs = {"tanh": [run(0.6, 0.5), run(0.9, 0.2), run(0.7, 0.4)], "relu": [run(0.95, 0.05)] * 3}
    w = reviews.training_runs_explorer(runs)
    assert len(w.images) == 2 and len(w.links) == 1
    assert "tanh" in w.images[(0,)].alt and "seed 1 90.0%" in w.images[(0,)].alt
    assert "spread 30.0 percentage points" in w.images[(0,)].alt
    assert "ReLU" in w.images[(1,)].alt and w.images[(0,)].png != w.images[(1,)].png
