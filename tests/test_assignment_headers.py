"""Every assignment says up front how long it takes, how many tasks it has and what it is worth.

The line is written by hand in each source notebook's first cell; these tests hold it to the
notebook's own nbgrader metadata, so it cannot go stale when a task or a point is added.
"""

import re
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((REPO / "solutions").glob("*/*.ipynb"))
HEADER = re.compile(
    r"^\*\*Expected time:\*\* about (?P<minutes>\d+) minutes · "
    r"\*\*Tasks:\*\* (?P<functions>\d+) functions?(?: \(plus (?P<optional>\d+) (?:optional|experiment)\))? "
    r"and (?P<written>\d+) written questions? · "
    r"\*\*Points:\*\* (?P<points>\d+)$",
    re.M,
)


def nbgrader_cells(nb: nbformat.NotebookNode) -> list[dict]:
    return [c.metadata.nbgrader | {"cell_type": c.cell_type} for c in nb.cells if "nbgrader" in c.metadata]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.parent.name)
def test_the_first_cell_states_time_tasks_and_points(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    found = HEADER.findall(nb.cells[0].source)
    assert len(found) == 1, f"{path.name}: no single 'Expected time' line in the first cell"
    header = HEADER.search(nb.cells[0].source)
    cells = nbgrader_cells(nb)
    functions = sum(c["solution"] and c["cell_type"] == "code" for c in cells)
    written = sum(c["solution"] and c["grade"] and c["cell_type"] == "markdown" for c in cells)
    points = sum(c.get("points") or 0 for c in cells if c["grade"])
    assert int(header["functions"]) + int(header["optional"] or 0) == functions
    assert int(header["written"]) == written
    assert int(header["points"]) == points
    assert 30 <= int(header["minutes"]) <= 240


def test_every_assignment_has_a_header() -> None:
    assert len(NOTEBOOKS) >= 5


# The finished stable formulas that the recaps once gave away (issue 12): a recap gives the
# principle and leaves the formula of a graded function to the student.
GIVEN_AWAY = {
    "01_sigmoid_tanh": [r"\frac{e}{1 + e}"],
    "03_softmax": [r"(z_i - m) - \log \sum_j e^{z_j - m}", r"\mathrm{diag}(s) - s\,s^{\mathsf T}",
                   "subtracting the maximum"],
    "04_smooth_activations": [r"\max(x, 0) + \log\bigl(1 + e^{-|x|}\bigr)"],
}


@pytest.mark.parametrize("assignment", sorted(GIVEN_AWAY))
def test_the_recap_gives_hints_not_the_stable_formula(assignment: str) -> None:
    (path,) = (REPO / "exercises" / assignment).glob("*.ipynb")  # what students see
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    for formula in GIVEN_AWAY[assignment]:
        assert formula not in text, f"{assignment} gives away {formula}"
