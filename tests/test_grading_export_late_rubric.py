"""The instructor's side of grading beyond the autograder, with real nbgrader on a small course.

One course of assignment 01 with a due date and three students who all hand in
the reference solution: alice on time, bob 2 h 30 min late, carol five days
late. The fixture runs, in order: autograde; ``nbgrader export`` without and
with the override (refused, then a warning); hand grading of the written
answers through nbgrader's gradebook API; export, feedback; a fixed test
(regenerate with ``--force``, autograde and feedback with ``--force``); and
finally ``nbgrader zip_collect`` with the Canvas and Moodle patterns of the
instructor guide. The tests then check what each step left behind.
"""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbgrader.api import Gradebook

import nbgrader_course as nc
from conftest import ROOT

ASSIGNMENT, NOTEBOOK, WRITTEN = "01_sigmoid_tanh", "sigmoid_tanh", "written_saturation"
DUE = "2026-01-15 10:00:00 UTC"
TIMESTAMPS = {"alice": "2026-01-15 09:00:00 UTC", "bob": "2026-01-15 12:30:00 UTC",
              "carol": "2026-01-20 10:00:00 UTC"}
HAND_POINTS = 2.0
FIXED_LINE = "# fixed after submission: the check itself is unchanged"
RUBRIC_HEADING = "Rubric (for the grader, removed from feedback)"
GUIDE = ROOT / "chapters" / "instructor_guide.md"


def guide_regexp(name: str) -> str:
    """The ``named_regexp`` of the guide's code block ``:name: <name>``."""
    block = re.search(r"```\{code-block\} python\n:name: " + re.escape(name) + r"\n(.*?)```",
                      GUIDE.read_text(), re.DOTALL)
    assert block, f"the instructor guide has no python block named {name}"
    namespace: dict = {"c": SimpleNamespace(FileNameCollectorPlugin=SimpleNamespace())}
    exec(block[1], namespace)  # noqa: S102 -- the guide's own config line
    return namespace["c"].FileNameCollectorPlugin.named_regexp


CANVAS = {  # path inside the download -> (student id, notebook) or None (skipped)
    "smithjane_12345_6789012_sigmoid_tanh.ipynb": ("12345", "sigmoid_tanh"),
    "doejohn_LATE_23456_7890123_sigmoid_tanh-1.ipynb": ("23456", "sigmoid_tanh"),
    "obrienmary_34567_8901234_sigmoid_tanh (1).ipynb": ("34567", "sigmoid_tanh (1)"),
    "smithjane_12345_6789012_notes.txt": None,
}
MOODLE = {
    "Jane Smith_45678_assignsubmission_file/sigmoid_tanh.ipynb": ("45678", "sigmoid_tanh"),
    "John Doe_56789_assignsubmission_file_/sigmoid_tanh.ipynb": ("56789", "sigmoid_tanh"),
    "Mary O Brien_67890_assignsubmission_file_sigmoid_tanh.ipynb": ("67890", "sigmoid_tanh"),
    "Jane Smith_45678_assignsubmission_onlinetext/onlinetext.html": None,
}


def read_csv(path: Path) -> dict[str, dict]:
    with open(path, newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def export(course: Path, *args: str, **env: str) -> SimpleNamespace:
    """``nbgrader export`` into a fresh grades.csv: exit code, output and the rows (None if no file)."""
    csv_path = course / "grades.csv"
    csv_path.unlink(missing_ok=True)
    done = nc.run_nbgrader(course, "export", "--to", "grades.csv", *args, **env)
    return SimpleNamespace(code=done.returncode, log=done.stdout + done.stderr,
                           rows=read_csv(csv_path) if csv_path.exists() else None)


def penalties(course: Path) -> dict[str, dict]:
    """``{student: {penalty, score, manual, needs}}`` of the notebook, from the gradebook."""
    found = {}
    with Gradebook(nc.db_url(course), course_id=nc.COURSE_ID) as gb:
        for student in TIMESTAMPS:
            nb = gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
            grade = gb.find_grade(WRITTEN, NOTEBOOK, ASSIGNMENT, student)
            found[student] = {"penalty": nb.late_submission_penalty, "score": nb.score,
                              "manual": grade.manual_score, "needs": grade.needs_manual_grade}
    return found


def grade_written_answers(course: Path) -> None:
    with Gradebook(nc.db_url(course), course_id=nc.COURSE_ID) as gb:
        for student in TIMESTAMPS:
            gb.find_grade(WRITTEN, NOTEBOOK, ASSIGNMENT, student).manual_score = HAND_POINTS
        gb.db.commit()


def fix_a_test(course: Path) -> None:
    """Change the test cell test_sigmoid of the course's source notebook (a comment line more)."""
    path = course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sigmoid"]
    cell.source = f"{FIXED_LINE}\n{cell.source}"
    nbformat.write(nb, path)


def zip_collect(course: Path, regexp: str, names: list[str], release: Path) -> SimpleNamespace:
    """Put one platform zip with `names` into the archive, run zip_collect; what landed in submitted/."""
    downloaded = course / "downloaded" / ASSIGNMENT
    archive = downloaded / "archive"
    archive.mkdir(parents=True, exist_ok=True)
    for old in downloaded.rglob("*"):
        if old.is_file():
            old.unlink()
    with zipfile.ZipFile(archive / "submissions.zip", "w") as bundle:
        for name in names:
            bundle.writestr(name, release.read_text() if name.endswith(".ipynb") else "notes")
    submitted = course / "submitted"
    before = {p for p in submitted.glob("*/*/*") if p.is_file()}
    done = nc.run_nbgrader(course, "zip_collect", ASSIGNMENT, "--force",
                           f"--FileNameCollectorPlugin.named_regexp={regexp}")
    after = {p for p in submitted.glob("*/*/*") if p.is_file()} - before
    return SimpleNamespace(code=done.returncode, log=done.stdout + done.stderr,
                           files=sorted(str(p.relative_to(submitted)) for p in after))


@pytest.fixture(scope="module")
def flow(tmp_path_factory) -> SimpleNamespace:
    course = nc.make_course(tmp_path_factory, [ASSIGNMENT])
    seen = SimpleNamespace(course=course)
    seen.duedate = nc.run_nbgrader(course, "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}")
    reference = {**nc.solution_code(nc.source_notebook(course, ASSIGNMENT, NOTEBOOK)),
                 WRITTEN: "Flat for large |x|: ten slopes of at most 1/4 multiply to almost nothing."}
    for student, stamp in TIMESTAMPS.items():
        nc.submit(course, student, ASSIGNMENT, NOTEBOOK, reference)
        (course / "submitted" / student / ASSIGNMENT / "timestamp.txt").write_text(stamp)
    nc.autograde(course, ASSIGNMENT)
    seen.after_autograde = penalties(course)
    seen.autograded = nc.autograded_notebook(course, "alice", ASSIGNMENT, NOTEBOOK)
    seen.refused = export(course)
    seen.by_flag = export(course, "--CheckedCsvExport.allow_ungraded=True")
    seen.by_env = export(course, ACTGRAD_EXPORT_UNGRADED="1")
    grade_written_answers(course)
    seen.after_hand = penalties(course)
    seen.graded = export(course)
    nc.nbgrader(course, "generate_feedback", ASSIGNMENT)
    seen.feedback = nc.feedback_html(course, "bob", ASSIGNMENT)
    # a test is fixed after the students submitted: regenerate, regrade, new feedback
    fix_a_test(course)
    seen.regenerate = nc.run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    seen.regrade = nc.run_nbgrader(course, "autograde", ASSIGNMENT, "--force")
    seen.refeedback = nc.run_nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    seen.after_regrade = penalties(course)
    seen.regraded = nc.autograded_notebook(course, "alice", ASSIGNMENT, NOTEBOOK)
    seen.regraded_feedback = nc.feedback_html(course, "alice", ASSIGNMENT)
    seen.after_regrade_export = export(course)
    release = course / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    seen.canvas = zip_collect(course, guide_regexp("zip-collect-canvas"), list(CANVAS), release)
    seen.moodle = zip_collect(course, guide_regexp("zip-collect-moodle"), list(MOODLE), release)
    return seen


def rubric_cells(nb: nbformat.NotebookNode) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if RUBRIC_HEADING in c.source]


def written_index(nb: nbformat.NotebookNode) -> int:
    (index,) = [i for i, c in enumerate(nb.cells)
                if c.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN]
    return index


# -- the guide's file-name patterns, on their own (fast) ----------------------------------------

@pytest.mark.unit
@pytest.mark.parametrize(("name", "platform"), [*((n, "canvas") for n in CANVAS),
                                                *((n, "moodle") for n in MOODLE)])
def test_guide_patterns_read_the_platforms_names(name: str, platform: str) -> None:
    expected = (CANVAS if platform == "canvas" else MOODLE)[name]
    regexp = guide_regexp(f"zip-collect-{platform}")
    # nbgrader matches the absolute path of the extracted file, and only notebooks
    found = re.match(regexp, f"/course/downloaded/{ASSIGNMENT}/extracted/submissions/{name}")
    if expected is None:
        assert found is None, f"{platform} pattern should skip {name}"
    else:
        assert found, f"{platform} pattern does not match {name}"
        assert (found["student_id"], found["file_id"].removesuffix(".ipynb")) == expected


@pytest.mark.unit
def test_guide_patterns_are_the_ones_the_guide_explains() -> None:
    text = GUIDE.read_text()
    for example in ("smithjane_12345_6789012_sigmoid_tanh.ipynb",
                    "smithjane_LATE_12345_6789012_sigmoid_tanh-1.ipynb",
                    "Jane Smith_12345_assignsubmission_file/sigmoid_tanh.ipynb",
                    "Jane Smith_12345_assignsubmission_file_sigmoid_tanh.ipynb"):
        assert f"`{example}`" in text, example
        platform = "canvas" if "assignsubmission" not in example else "moodle"
        found = re.match(guide_regexp(f"zip-collect-{platform}"), f"/d/{example}")
        assert found and found["student_id"] == "12345"


# -- export refuses while written answers wait ---------------------------------------------------

@pytest.mark.slow
def test_export_refuses_before_hand_grading_and_names_assignment_and_count(flow) -> None:
    assert flow.refused.code != 0
    assert flow.refused.rows is None, "a refused export must not leave a grades.csv"
    assert f"written answers not graded yet in {ASSIGNMENT} (3 students)" in flow.refused.log
    assert "allow_ungraded=True" in flow.refused.log
    assert "Traceback" not in flow.refused.log


@pytest.mark.slow
@pytest.mark.parametrize("how", ["by_flag", "by_env"])
def test_export_override_warns_and_exports(flow, how: str) -> None:
    result = getattr(flow, how)
    assert result.code == 0, result.log
    assert "WARNING" in result.log and f"not graded yet in {ASSIGNMENT} (3 students)" in result.log
    assert set(result.rows) == set(TIMESTAMPS)


@pytest.mark.slow
def test_export_goes_through_once_written_answers_are_graded(flow) -> None:
    assert flow.graded.code == 0, flow.graded.log
    assert "not graded yet" not in flow.graded.log
    assert all(float(row["raw_score"]) == float(row["max_score"]) for row in flow.graded.rows.values())


# -- due date and late penalty -------------------------------------------------------------------

@pytest.mark.slow
def test_late_penalty_per_started_hour_in_gradebook_and_export(flow) -> None:
    assert flow.duedate.returncode == 0, flow.duedate.stderr
    auto = flow.after_autograde
    assert auto["alice"]["penalty"] in (None, 0)
    assert auto["bob"]["penalty"] == 3.0, "2 h 30 min late: 3 started hours at 1 point"
    rows = flow.graded.rows
    assert rows["bob"]["duedate"].startswith("2026-01-15 10:00:00")
    assert float(rows["bob"]["late_submission_penalty"]) == 3.0
    assert float(rows["bob"]["score"]) == float(rows["bob"]["raw_score"]) - 3.0
    assert float(rows["alice"]["score"]) == float(rows["alice"]["raw_score"])


@pytest.mark.slow
def test_late_penalty_never_makes_a_score_negative(flow) -> None:
    carol = flow.after_autograde["carol"]
    assert carol["penalty"] == carol["score"] > 0, "120 hours late: the penalty is capped at the score"
    row = flow.graded.rows["carol"]
    # the written answer graded later adds its points; the penalty stays
    assert float(row["late_submission_penalty"]) == carol["penalty"]
    assert float(row["score"]) == HAND_POINTS >= 0


# -- the rubric: in the autograded notebook, not in the feedback ---------------------------------

@pytest.mark.slow
def test_autograded_notebook_has_the_rubric_right_after_the_written_answer(flow) -> None:
    nb = flow.autograded
    assert rubric_cells(nb) == [written_index(nb) + 1]
    cell = nb.cells[written_index(nb) + 1]
    assert cell.cell_type == "markdown" and "nbgrader" not in cell.metadata, "not a graded cell"
    source = nc.source_notebook(flow.course, ASSIGNMENT, NOTEBOOK)
    (answer,) = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade_id") == WRITTEN]
    rubric = answer.source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].strip()
    assert rubric and rubric in cell.source
    nbformat.validate(nb)


@pytest.mark.slow
def test_feedback_shows_no_rubric(flow) -> None:
    for html in (flow.feedback, flow.regraded_feedback):
        assert "Rubric" not in html and "removed from feedback" not in html
        assert "1 point: saturation" not in html


# -- grading again after a fixed test ------------------------------------------------------------

@pytest.mark.slow
def test_regrading_after_a_fixed_test_keeps_hand_grades_and_penalties(flow) -> None:
    for step in ("regenerate", "regrade", "refeedback"):
        done = getattr(flow, step)
        assert done.returncode == 0, f"{step}:\n{done.stdout}\n{done.stderr}"
    (cell,) = [c for c in flow.regraded.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "test_sigmoid"]
    assert cell.source.startswith(FIXED_LINE), "autograde ran the fixed test"
    for student in TIMESTAMPS:
        after = flow.after_regrade[student]
        assert after["manual"] == HAND_POINTS, f"{student}'s hand grade was lost"
        assert after["needs"], "nbgrader flags hand-graded answers for review after a regrade"
    assert flow.after_regrade["bob"]["penalty"] == flow.after_hand["bob"]["penalty"] == 3.0
    # the penalty is computed again from the score, which now includes the hand grade: still capped
    carol = flow.after_regrade["carol"]
    assert carol["penalty"] == carol["score"] == flow.after_hand["carol"]["score"]
    assert float(flow.after_regrade_export.rows["carol"]["score"]) == 0.0
    assert rubric_cells(flow.regraded) == [written_index(flow.regraded) + 1], "one rubric, not two"
    assert flow.after_regrade_export.code == 0, "answers with a manual score are not ungraded"


# -- zip_collect with the guide's patterns -------------------------------------------------------

@pytest.mark.slow
def test_zip_collect_with_the_canvas_pattern(flow) -> None:
    assert flow.canvas.code == 0, flow.canvas.log
    assert flow.canvas.files == [f"12345/{ASSIGNMENT}/sigmoid_tanh.ipynb",
                                 f"23456/{ASSIGNMENT}/sigmoid_tanh.ipynb",
                                 f"34567/{ASSIGNMENT}/sigmoid_tanh (1).ipynb"]
    # a name the student changed is kept, with a warning; grade_class grades it as sigmoid_tanh
    assert "Invalid submission notebook name 'sigmoid_tanh (1).ipynb'" in flow.canvas.log


@pytest.mark.slow
def test_zip_collect_with_the_moodle_pattern(flow) -> None:
    assert flow.moodle.code == 0, flow.moodle.log
    assert flow.moodle.files == [f"{sid}/{ASSIGNMENT}/sigmoid_tanh.ipynb"
                                 for sid in ("45678", "56789", "67890")]
