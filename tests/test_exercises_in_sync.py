"""exercises/ is exactly what `nbgrader generate_assignment` makes of solutions/.

Every test works on a copy of the course in tmp_path and runs the real
tools/exercises.py (hence the real nbgrader) there; nothing is written into the
repository.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENT = "01_sigmoid_tanh"
NOTEBOOK = f"{ASSIGNMENT}/sigmoid_tanh.ipynb"
ENV = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}

pytestmark = pytest.mark.slow


def copy_course(dest: Path) -> Path:
    """The parts of the course tools/exercises.py needs, copied into dest."""
    (dest / "tools").mkdir()
    shutil.copy2(REPO / "tools" / "exercises.py", dest / "tools" / "exercises.py")
    shutil.copy2(REPO / "nbgrader_config.py", dest / "nbgrader_config.py")
    for folder in ("solutions", "exercises"):
        shutil.copytree(REPO / folder, dest / folder, ignore=shutil.ignore_patterns(".*"))
    return dest


def run_tool(course: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, str(course / "tools" / "exercises.py"), *args]
    return subprocess.run(cmd, cwd=course, env=ENV, capture_output=True, text=True, timeout=300)


def edit_cell(path: Path, cell_id: str, old: str, new: str) -> None:
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.id == cell_id]
    assert old in cell.source
    cell.source = cell.source.replace(old, new)
    nbformat.write(nb, path)


def test_committed_exercises_are_regenerated_exactly(tmp_path):
    course = copy_course(tmp_path)
    done = run_tool(course, "check")
    assert done.returncode == 0, done.stdout + done.stderr
    every = sorted(p.name for p in (REPO / "solutions").iterdir() if p.is_dir())
    assert f"exercises/ matches solutions/ ({', '.join(every)})" in done.stdout
    leftovers = sorted(p.name for p in course.iterdir())
    assert leftovers == ["exercises", "nbgrader_config.py", "solutions", "tools"], (
        "check must leave no nbgrader state (gradebook.db, ...) in the course"
    )


def test_changed_solution_is_reported_as_drift_until_generated(tmp_path):
    course = copy_course(tmp_path)
    source = course / "solutions" / NOTEBOOK
    edit_cell(source, "sigmoid-intro", "## 1. The sigmoid", "## 1. The logistic sigmoid")

    done = run_tool(course, "check", ASSIGNMENT)  # one assignment: the whole course is checked above
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"exercises/{NOTEBOOK}: differs from solutions/{NOTEBOOK}" in done.stdout
    assert "python tools/exercises.py generate" in done.stdout

    done = run_tool(course, "generate", ASSIGNMENT)
    assert done.returncode == 0, done.stdout + done.stderr
    release = nbformat.read(course / "exercises" / NOTEBOOK, as_version=4)
    assert any("## 1. The logistic sigmoid" in c.source for c in release.cells)
    assert not (course / "gradebook.db").exists()
    assert run_tool(course, "check", ASSIGNMENT).returncode == 0


def test_hand_edited_or_missing_exercise_is_reported(tmp_path):
    course = copy_course(tmp_path)
    edit_cell(course / "exercises" / NOTEBOOK, "sigmoid", "raise NotImplementedError()", "pass")
    done = run_tool(course, "check", ASSIGNMENT)
    assert done.returncode == 1
    assert f"exercises/{NOTEBOOK}: differs" in done.stdout

    (course / "exercises" / NOTEBOOK).unlink()
    done = run_tool(course, "check", ASSIGNMENT)
    assert done.returncode == 1
    assert f"exercises/{NOTEBOOK}: missing" in done.stdout


@pytest.mark.parametrize("command", ["generate", "check"])
def test_unknown_assignment_is_one_clear_message(tmp_path, command):
    course = copy_course(tmp_path)
    done = run_tool(course, command, ASSIGNMENT, "99_no_such_thing")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "unknown assignment '99_no_such_thing'" in lines[0]
    assert ASSIGNMENT in lines[0]
    assert f"python tools/exercises.py {command}" in lines[0]
    assert not (course / "gradebook.db").exists()


def test_release_hides_solutions_hidden_tests_and_rubric():
    """Read-only look at the committed student version."""
    source = nbformat.read(REPO / "solutions" / NOTEBOOK, as_version=4)
    release = nbformat.read(REPO / "exercises" / NOTEBOOK, as_version=4)
    text = "\n".join(c.source for c in release.cells)
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "_hidden_tests_", "Rubric for the instructor",
                   "np.expm1"):
        assert secret in "\n".join(c.source for c in source.cells)
        assert secret not in text, secret
    assert all(c.get("outputs", []) == [] for c in release.cells)
    assert "actgrad" not in text, "students implement the functions themselves"

    def nbgrader_cells(nb):
        return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}

    cells = nbgrader_cells(release)
    assert list(cells) == list(nbgrader_cells(source))
    for name in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad"):
        stub = cells[name].source
        assert stub.startswith(f"def {name}(x):\n    \"\"\"")
        assert stub.endswith("    # YOUR CODE HERE\n    raise NotImplementedError()")
    assert cells["written_saturation"].source == "YOUR ANSWER HERE"
    points = {k: c.metadata.nbgrader.get("points") for k, c in cells.items() if c.metadata.nbgrader["grade"]}
    properties = {"": 4, "_type": 1, "_input": 1, "_stability": 1}  # each its own points
    assert points == {
        **{f"test_{f}{p}": n for f in ("sigmoid", "sigmoid_grad", "tanh", "tanh_grad")
           for p, n in properties.items()},
        "written_saturation": 2,
    }
