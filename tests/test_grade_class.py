"""tools/grade_class.py on a synthetic class: the grades of serial nbgrader, every core, nothing lost.

The run's synthetic class (conftest's `serial_class`: one student of every
kind tests/synthetic_class.py makes, right, partly right, wrong, blank and
every kind of broken submission, and a few more) is graded once by plain
serial ``nbgrader autograde``; a copy of the class as submitted is graded here
by ``tools/grade_class.py --jobs 2``, twice. Then:

* every score is the one the generator expected, and the gradebook rows equal
  serial nbgrader's for every student it can grade as submitted, listed in
  grades.csv in the same order;
* each broken submission gets its own plain message, and the others none;
* the second run grades nothing and changes nothing; submitted files are never touched;
* feedback names the failed checks but holds no line of the hidden tests;
* a second run at the same time, an unknown assignment and a missing student are refused clearly.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import html
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import nbgrader_course as nc
from grading.gradebook_rows import class_rows
from synthetic_class import SERIAL_ASSIGNMENT

pytestmark = pytest.mark.slow
ASSIGNMENT, NOTEBOOK = SERIAL_ASSIGNMENT, "relu_family"
GRADE_CLASS = nc.REPO / "tools" / "grade_class.py"
# what the log must say about each kind of broken submission
MESSAGES = {
    "invalid_json": "is not valid JSON",
    "missing_notebook": f"no {NOTEBOOK}.ipynb in the submission",
    "wrong_name": f"graded as {NOTEBOOK}.ipynb (wrong file name)",
    "endless_loop": "stopped by the time limit",
    "kernel_crash": "the kernel died",
    "deleted_test_cell": "was deleted: nbgrader put it back",
    "edited_test_cell": "was edited: nbgrader ran the original",
}


def grade_class(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GRADE_CLASS), ASSIGNMENT, "--course", str(course), *args],
                          env=nc.ENV, capture_output=True, text=True, timeout=900, check=False)


def digest(folder: Path) -> dict[str, str]:
    """File -> sha256 of every file under `folder`."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def mtimes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def read_csv(path: Path) -> dict[str, dict]:
    with open(path, newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def lines_about(output: str, student: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"  {student}: ")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, serial_class) -> SimpleNamespace:
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(serial_class.ungraded, course, dirs_exist_ok=True, symlinks=True)  # tools/ stays a link
    students, serial = serial_class.students, serial_class.serial
    submitted_before = digest(course / "submitted")
    first = grade_class(course, "--jobs", "2")
    after_first = SimpleNamespace(rows=class_rows(nc.db_url(course), ASSIGNMENT),
                                  csv=(course / "grades.csv").read_text(),
                                  autograded=mtimes(course / "autograded"),
                                  feedback=mtimes(course / "feedback"))
    second = grade_class(course, "--jobs", "2")
    return SimpleNamespace(course=course, students=students, first=first, second=second,
                           after_first=after_first, submitted_before=submitted_before,
                           serial=class_rows(nc.db_url(serial), ASSIGNMENT),
                           serial_csv=read_csv(serial / "grades.csv"),
                           scores=nc.scores(course, ASSIGNMENT), rows=read_csv(course / "grades.csv"))


def test_the_run_ends_well_and_grades_every_student(graded) -> None:
    assert graded.first.returncode == 0, graded.first.stdout + graded.first.stderr
    assert f"{len(graded.students)} submissions, {len(graded.students)} to grade" in graded.first.stdout
    assert set(graded.scores) == set(graded.students)


def test_every_score_is_the_expected_one(graded) -> None:
    wrong = {s.id: (s.kind, graded.scores[s.id], s.expected) for s in graded.students.values()
             if graded.scores[s.id] != s.expected}
    assert not wrong


def test_grades_csv_has_every_student_with_the_expected_total(graded) -> None:
    assert set(graded.rows) == set(graded.students)
    for student in graded.students.values():
        assert float(graded.rows[student.id]["score"]) == pytest.approx(student.total), student.kind


def test_grades_csv_lists_students_in_serial_nbgrader_s_order(graded) -> None:
    # (the workers finish in their own order; the gradebook must not take it)
    ours = [s for s in graded.rows if s in graded.serial_csv]
    assert len(ours) >= len(graded.students) - 1  # serial nbgrader leaves out a folder with no notebook
    assert ours == list(graded.serial_csv)


def test_merged_gradebook_equals_serial_nbgrader(graded) -> None:
    comparable = [s.id for s in graded.students.values() if not s.serial_differs]
    assert len(comparable) >= len(graded.students) - 2
    merged = class_rows(nc.db_url(graded.course), ASSIGNMENT)
    assert {s: merged[s] for s in comparable} == {s: graded.serial[s] for s in comparable}


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_a_broken_submission_gets_a_plain_message(graded, kind) -> None:
    (student,) = [s for s in graded.students.values() if s.kind == kind][:1]
    (line,) = lines_about(graded.first.stdout, student.id)
    assert MESSAGES[kind] in line
    (summary,) = [ln for ln in graded.first.stdout.splitlines() if "submissions need a look:" in ln]
    assert student.id in summary.split(": ")[1].split(", ")


def test_a_sound_submission_gets_no_message(graded) -> None:
    for student in graded.students.values():
        if student.kind in {"correct", "alternative", "partly", "wrong", "blank"}:
            (line,) = lines_about(graded.first.stdout, student.id)
            assert " -- " not in line, line


def test_the_log_file_keeps_the_messages_and_nbgrader_s_own_log(graded) -> None:
    log = (graded.course / "grading_logs" / f"{ASSIGNMENT}.log").read_text()
    kernel_crash = next(s.id for s in graded.students.values() if s.kind == "kernel_crash")
    assert lines_about(graded.first.stdout, kernel_crash)[0] in log
    assert f"---- {kernel_crash}: nbgrader autograde" in log


def test_a_second_run_grades_nothing_and_changes_nothing(graded) -> None:
    assert graded.second.returncode == 0, graded.second.stderr
    assert f"{len(graded.students)} submissions, 0 to grade" in graded.second.stdout
    assert class_rows(nc.db_url(graded.course), ASSIGNMENT) == graded.after_first.rows
    assert (graded.course / "grades.csv").read_text() == graded.after_first.csv
    assert mtimes(graded.course / "autograded") == graded.after_first.autograded
    assert mtimes(graded.course / "feedback") == graded.after_first.feedback
    for kind in ("invalid_json", "kernel_crash"):
        student = next(s.id for s in graded.students.values() if s.kind == kind)
        (line,) = lines_about(graded.second.stdout, student)
        assert "unchanged since a run that could not grade it" in line


def test_submitted_files_are_never_changed(graded) -> None:
    assert digest(graded.course / "submitted") == graded.submitted_before


def test_regrading_one_student_gives_the_same_rows(graded) -> None:
    student = next(s.id for s in graded.students.values() if s.kind == "partly")
    before = class_rows(nc.db_url(graded.course), ASSIGNMENT)
    run = grade_class(graded.course, "--student", student, "--force", "--jobs", "1")
    assert run.returncode == 0, run.stderr
    assert "1 submissions, 1 to grade" in run.stdout
    assert class_rows(nc.db_url(graded.course), ASSIGNMENT) == before


def hidden_test_lines() -> list[str]:
    """Every substantial line of the hidden tests in the instructor's notebook."""
    source = nc.source_notebook(nc.REPO, ASSIGNMENT, NOTEBOOK)
    lines = []
    for cell in source.cells:
        inside = False
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif inside and len(line.strip()) > 12:
                lines.append(line.strip())
    assert len(lines) > 10
    return lines


def test_feedback_hides_every_line_of_the_hidden_tests(graded) -> None:
    secrets = hidden_test_lines()
    pages = sorted((graded.course / "feedback").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}.html"))
    assert len(pages) >= len(graded.students) - 3  # those nbgrader could not run get no feedback
    for page in pages:
        text = page.read_text()
        assert "HIDDEN TESTS" not in text
        leaked = [s for s in secrets if s in text or html.escape(s) in text]
        assert not leaked, (page, leaked[:3])


def test_feedback_says_which_checks_failed_and_why(graded) -> None:
    student = next(s for s in graded.students.values() if s.kind == "partly")
    lost = [cell for cell, points in student.expected.items() if points == 0]
    assert lost
    page = nc.feedback_html(graded.course, student.id, ASSIGNMENT, NOTEBOOK)
    for cell in lost:
        (error,) = nc.cell_errors(graded.course, student.id, ASSIGNMENT, NOTEBOOK, cell)
        assert html.escape(error.evalue[:40]) in page or error.evalue[:40] in page, cell


def test_a_second_run_at_the_same_time_is_refused(graded) -> None:
    lock = graded.course / ".grade_class" / "lock"
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        run = grade_class(graded.course)
    assert run.returncode == 2
    assert "another grading run of this course is still going" in run.stderr


def test_a_student_without_a_submission_is_refused_clearly(graded) -> None:
    run = grade_class(graded.course, "--student", "nobody")
    assert run.returncode == 2
    assert "no submission of 02_relu_family from nobody" in run.stderr


def test_an_unknown_assignment_is_refused_clearly(graded) -> None:
    run = subprocess.run([sys.executable, str(GRADE_CLASS), "99_nothing", "--course", str(graded.course)],
                         env=nc.ENV, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 2
    assert "assignment '99_nothing' is not in the gradebook (known: 02_relu_family)" in run.stderr
