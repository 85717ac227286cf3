"""tests/synthetic_class.py: every expected score checked against the real serial nbgrader.

The run's synthetic class of assignment 2 (conftest's `serial_class`: one
student of every kind, and a few more), graded by ONE plain ``nbgrader
autograde`` run; every grade of every student must then be the one the
generator announced. The two kinds that tools/grade_class.py grades differently
on purpose (``serial_differs``) are checked against what plain nbgrader does
with them instead:

* wrong_name (``relu_family (1).ipynb``): nbgrader skips the unknown notebook,
  finds no notebook left and fails the student: the gradebook has the
  submission with every grade None (total 0);
* missing_notebook (no .ipynb at all): nbgrader never gets to the student, who
  has no gradebook entry at all (and no row in ``nbgrader export``).

The fast tests check the default mix and the determinism of `make_class` on
the committed release, without grading.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

import nbgrader_course as nc
from synthetic_class import (
    KINDS,
    MODULES,
    SERIAL_ASSIGNMENT,
    SERIAL_KINDS,
    full_points,
    make_class,
    serial_scores,
)

pytestmark = pytest.mark.slow
ASSIGNMENT, NOTEBOOK, WRITTEN = SERIAL_ASSIGNMENT, "relu_family", "written_dead_relu"
UNGRADABLE = {"invalid_json", "kernel_crash", "wrong_name"}  # nbgrader names them and exits with 1


@pytest.fixture(scope="module")
def graded(serial_class) -> SimpleNamespace:
    course = serial_class.serial
    return SimpleNamespace(course=course, students=serial_class.students, log=serial_class.log,
                           returncode=serial_class.returncode,
                           grades=nc.grades(course, ASSIGNMENT), scores=nc.scores(course, ASSIGNMENT))


def of_kind(graded, kind: str) -> list:
    return [s for s in graded.students.values() if s.kind == kind]


def test_the_class_has_one_student_of_every_kind(graded) -> None:
    assert [s.kind for s in graded.students.values()] == list(SERIAL_KINDS)
    full = full_points(graded.course, ASSIGNMENT)
    functions = ("relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "elu", "elu_grad")
    properties = {"": 3, "_type": 1, "_input": 1}  # each property its own points
    assert full == {**{f"test_{f}{p}": n for f in functions for p, n in properties.items()},
                    "test_elu_stability": 1, "test_elu_grad_stability": 1, WRITTEN: 2}
    for student in graded.students.values():
        assert set(student.expected) == set(full), student.kind


def test_every_score_is_the_expected_one(graded) -> None:
    comparable = [s for s in graded.students.values() if not s.serial_differs]
    wrong = {s.id: (s.kind, s.detail, graded.scores.get(s.id), s.expected)
             for s in comparable if graded.scores.get(s.id) != s.expected}
    assert not wrong


def test_plain_nbgrader_fails_a_wrongly_named_notebook_and_skips_a_missing_one(graded) -> None:
    (misnamed,) = of_kind(graded, "wrong_name")
    (missing,) = of_kind(graded, "missing_notebook")
    differing = {s.kind for s in graded.students.values() if s.serial_differs}
    assert differing == {"wrong_name", "missing_notebook"}
    assert graded.scores[misnamed.id] == dict.fromkeys(misnamed.expected) == serial_scores(misnamed)
    folder = graded.course / "submitted" / misnamed.id / ASSIGNMENT
    assert f"Skipping unknown notebook: {folder}" in graded.log
    assert missing.id not in graded.scores and serial_scores(missing) is None
    # what the wrapper will give them instead
    full = full_points(graded.course, ASSIGNMENT)
    assert misnamed.expected == {**full, WRITTEN: None}
    assert missing.expected == dict.fromkeys(full, 0.0) and missing.total == 0


def test_the_expected_scores_are_not_trivial(graded) -> None:
    full = full_points(graded.course, ASSIGNMENT)
    autograded = sum(full.values()) - full[WRITTEN]
    totals = {s.kind: s.total for s in graded.students.values()}
    for kind in ("correct", "alternative", "extra_cells", "wrong_name", "huge_output"):
        assert totals[kind] == autograded, kind
    for kind in ("blank", "invalid_json", "missing_notebook", "kernel_crash"):
        assert totals[kind] == 0, kind
    for kind in ("partly", "wrong", "cleared_outputs", "edited_test_cell", "endless_loop"):
        assert 0 < totals[kind] < autograded, kind
    wrong = of_kind(graded, "wrong")[0]
    assert wrong.detail.count(",") >= 2, "assignment 2 combines three wrong implementations"


def test_written_answers_wait_for_a_human_and_a_blank_one_scores_zero(graded) -> None:
    for student in graded.students.values():
        if student.kind not in UNGRADABLE | {"blank", "missing_notebook"}:
            written = graded.grades[student.id][WRITTEN]
            assert (written.auto, written.manual) == (None, True), student.kind
    (blank,) = of_kind(graded, "blank")
    assert {(g.auto, g.manual) for g in graded.grades[blank.id].values()} == {(0, False)}, (
        "an unchanged answer cell scores 0 by itself, and needs no human")


def test_a_notebook_nbgrader_could_not_grade_has_every_grade_empty_and_flagged(graded) -> None:
    for student in graded.students.values():
        if student.kind in UNGRADABLE:  # Grade.needs_manual_grade defaults to True
            assert {(g.auto, g.manual) for g in graded.grades[student.id].values()} == {(None, True)}


def test_autograde_names_the_notebooks_it_could_not_grade(graded) -> None:
    assert graded.returncode == 1
    failed = set(re.findall(r"There was an error processing assignment '[^']+' for student '([^']+)'",
                            graded.log))
    assert failed == {s.id for s in graded.students.values() if s.kind in UNGRADABLE}
    for student in graded.students.values():
        autograded = graded.course / "autograded" / student.id / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        assert autograded.exists() == (student.kind not in UNGRADABLE | {"missing_notebook"}), student.kind


def test_the_endless_loop_was_stopped_by_the_time_limit(graded) -> None:
    (student,) = of_kind(graded, "endless_loop")
    lost = [cell for cell, points in student.expected.items() if points == 0]
    assert lost
    for cell in lost:
        errors = nc.cell_errors(graded.course, student.id, ASSIGNMENT, NOTEBOOK, cell)
        assert "CellTimeoutError" in [e.ename for e in errors], cell


# ---------------------------------------------------------------- fast: no grading


def release_only(root: Path, assignment: str) -> Path:
    """A course folder with just the committed source and release of `assignment` (enough for make_class)."""
    for folder in ("solutions", "exercises"):
        shutil.copytree(nc.REPO / folder / assignment, root / folder / assignment)
    return root


def submitted_files(course: Path) -> dict[str, bytes]:
    return {str(p.relative_to(course)): p.read_bytes() for p in sorted((course / "submitted").rglob("*"))
            if p.is_file()}


def test_the_default_mix_of_200_has_every_kind_and_few_broken_ones(tmp_path) -> None:
    course = release_only(tmp_path, ASSIGNMENT)
    students = make_class(course, ASSIGNMENT, 200, seed=2026)
    assert len(students) == 200 and all(key == s.id for key, s in students.items())
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", s) and "__" not in s for s in students)
    assert {p.name for p in (course / "submitted").iterdir()} == set(students)
    counts = {kind: sum(s.kind == kind for s in students.values()) for kind in KINDS}
    assert all(counts.values()), counts
    assert counts["endless_loop"] <= 2
    assert all(counts[kind] <= 3 for kind in KINDS[5:]), counts
    assert counts["correct"] + counts["alternative"] + counts["partly"] > 100, counts


def test_the_same_seed_gives_the_same_class(tmp_path) -> None:
    made = [make_class(release_only(tmp_path / name, ASSIGNMENT), ASSIGNMENT, 40, seed=seed)
            for name, seed in (("a", 5), ("b", 5), ("c", 6))]
    assert made[0] == made[1]
    assert submitted_files(tmp_path / "a") == submitted_files(tmp_path / "b")
    assert made[0] != made[2]


@pytest.mark.parametrize("assignment", sorted(MODULES))
def test_every_kind_can_be_made_for_every_assignment(tmp_path, assignment) -> None:
    students = make_class(release_only(tmp_path, assignment), assignment, 2 * len(KINDS), kinds=KINDS)
    assert [s.kind for s in students.values()] == [*KINDS, *KINDS]
    full = full_points(tmp_path, assignment)
    for student in students.values():
        assert set(student.expected) == set(full)
        assert all(v in (None, 0, full[k]) for k, v in student.expected.items()), student.detail
