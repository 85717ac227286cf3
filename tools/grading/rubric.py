"""The rubric of each written answer beside it in the formgrader, and never in a student's feedback.

The rubric of a written answer is the text between ``### BEGIN SOLUTION`` and
``### END SOLUTION`` of its markdown cell in the source notebook (solutions/);
nbgrader removes it from the student version, so the formgrader, which shows
the autograded notebook, would not show it either.

`ShowRubrics`, the last of ``c.Autograde.autograde_preprocessors``, reads the
source notebook of the assignment and puts a markdown cell headed
"Rubric (for the grader, removed from feedback)" right after each written answer
of the autograded notebook. The cell has no nbgrader metadata, so nbgrader
neither grades it nor checks it; it is marked in its own metadata instead.
`HideRubrics`, the first of ``c.GenerateFeedback.preprocessors``, takes every
such cell out again before the feedback is made.
"""

from __future__ import annotations

import os

import nbformat
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import NbGraderPreprocessor

HEADING = "Rubric (for the grader, removed from feedback)"
MARK = "actgrad_rubric"  # cell metadata key: the grade_id of the answer the rubric belongs to
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


def rubric_text(source: str) -> str:
    """The text between the solution delimiters of a written answer's source (all of it without them)."""
    lines = source.splitlines()
    if BEGIN in (stripped := [ln.strip() for ln in lines]) and END in stripped:
        lines = lines[stripped.index(BEGIN) + 1:stripped.index(END)]
    return "\n".join(lines).strip()


def written_rubrics(source_nb: nbformat.NotebookNode) -> dict[str, str]:
    """``{grade_id: rubric}`` of every hand-graded markdown answer of a source notebook."""
    rubrics = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("grade") and meta.get("solution"):
            rubrics[meta["grade_id"]] = rubric_text(cell.source)
    return rubrics


def rubric_cell(grade_id: str, rubric: str, with_id: bool = True) -> nbformat.NotebookNode:
    """The markdown cell that shows `rubric` to the grader (`with_id`: give it a cell id, nbformat >= 4.5)."""
    text = (f"**{HEADING}** -- answer `{grade_id}`. Not graded, not shown to the student.\n\n"
            f"{rubric}")
    cell = nbformat.v4.new_markdown_cell(text, metadata={MARK: grade_id})
    if not with_id:
        cell.pop("id", None)
    return cell


def is_rubric_cell(cell: nbformat.NotebookNode) -> bool:
    """Whether `cell` is one that `ShowRubrics` added."""
    return MARK in cell.get("metadata", {})


class ShowRubrics(NbGraderPreprocessor):
    """Autograde: a rubric cell after each written answer, from the course's source notebook."""

    def preprocess(self, nb, resources):  # noqa: D102
        info = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        path = os.path.join(coursedir.format_path(coursedir.source_directory, ".", info["assignment"]),
                            f"{info['notebook']}.ipynb")
        if not os.path.isfile(path):
            self.log.warning("No source notebook %s: the formgrader will show no rubric", path)
            return nb, resources
        rubrics = written_rubrics(nbformat.read(path, as_version=4))
        cells = []
        for cell in nb.cells:
            if is_rubric_cell(cell):
                continue  # one rubric per answer, however often the notebook is graded
            cells.append(cell)
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in rubrics and rubrics[grade_id]:
                with_id = (nb.nbformat, nb.nbformat_minor) >= (4, 5)
                cells.append(rubric_cell(grade_id, rubrics[grade_id], with_id))
        nb.cells = cells
        return nb, resources


class HideRubrics(NbGraderPreprocessor):
    """Feedback: drop the cells `ShowRubrics` added."""

    def preprocess(self, nb, resources):  # noqa: D102
        nb.cells = [cell for cell in nb.cells if not is_rubric_cell(cell)]
        return nb, resources
