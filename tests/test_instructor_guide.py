"""The instructor and student guides, run as written.

Every ``{code-block} bash`` with ``:class: instructor-step`` in
chapters/instructor_guide.md runs, in order, in a temporary copy of the course
with three downloaded submissions: Alice's (the reference solution), Bob's
(the untouched student version, inside a zip archive) and one misnamed file.
Between autograde and feedback the test grades Alice's written answer through
nbgrader's gradebook API, as formgrader would.
"""

from __future__ import annotations

import csv
import re
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from conftest import ROOT, course_env
from nbgrader_course import COURSE_ID, solution_code

pytestmark = pytest.mark.slow
ASSIGNMENT, NOTEBOOK = "01_sigmoid_tanh", "sigmoid_tanh"
STEP = re.compile(r"```\{code-block\} bash\n:class: instructor-step\n(.*?)```", re.DOTALL)
SECRETS = ["BEGIN HIDDEN TESTS", "_hidden_tests_sigmoid", "Rubric for the instructor"]


def guide_steps() -> list[str]:
    steps = STEP.findall((ROOT / "chapters" / "instructor_guide.md").read_text())
    assert len(steps) >= 7, "the guide should show every step of the workflow"
    return [step.strip() for step in steps]


def run(course: Path, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=course, env=course_env(),
                          capture_output=True, text=True, timeout=600, check=False)


def filled(release: nbformat.NotebookNode, code: dict[str, str]) -> nbformat.NotebookNode:
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in code:
            cell.source = code[grade_id]
    return release


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    course = tmp_path_factory.mktemp("guided_course")
    (course / ".venv").symlink_to(ROOT / ".venv")
    (course / "tools").symlink_to(ROOT / "tools")
    (course / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    (course / "solutions").mkdir()
    (course / "solutions" / ASSIGNMENT).symlink_to(ROOT / "solutions" / ASSIGNMENT)
    (course / "students.csv").write_text(
        "id,first_name,last_name,email\nalice,Alice,Liddell,alice@example.org\n"
        "bob,Bob,Dylan,bob@example.org\n")
    steps = guide_steps()
    export, rest = steps[0], steps[1:]
    assert export.startswith("export PATH="), "the guide starts by putting .venv/bin on PATH"
    outputs = {}
    for step in rest:
        if step.startswith("nbgrader zip_collect"):
            make_downloads(course)
        if step.startswith("nbgrader generate_feedback") or step.endswith("--feedback-only"):
            grade_written_answer(course, "alice", 2.0)
        done = run(course, f"{export}\n{step}")
        assert done.returncode == 0, f"guide step failed: {step}\n{done.stdout}\n{done.stderr}"
        outputs[step.split()[1]] = done.stdout + done.stderr
    return {"path": course, "outputs": outputs}


def make_downloads(course: Path) -> None:
    archive = course / "downloaded" / ASSIGNMENT / "archive"
    archive.mkdir(parents=True)
    release = course / "exercises" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    source = nbformat.read(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    code = {**solution_code(source),
            "written_saturation": "Sigmoid flattens for large |x|; ten slopes below 1/4 multiply."}
    nbformat.write(filled(nbformat.read(release, as_version=4), code),
                   archive / f"alice__{NOTEBOOK}.ipynb")
    with zipfile.ZipFile(archive / "bob_upload.zip", "w") as bundle:
        bundle.write(release, f"bob__{NOTEBOOK}.ipynb")
    (archive / "carol-sigmoid.ipynb").write_text(release.read_text())


def grade_written_answer(course: Path, student: str, points: float) -> None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        grade = gb.find_grade("written_saturation", NOTEBOOK, ASSIGNMENT, student)
        grade.manual_score = points
        gb.db.commit()


def test_zip_collect_takes_named_files_and_archives_and_skips_misnamed_ones(course) -> None:
    submitted = course["path"] / "submitted"
    assert (submitted / "alice" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").exists()
    assert (submitted / "bob" / ASSIGNMENT / f"{NOTEBOOK}.ipynb").exists(), "zip not extracted"
    assert sorted(p.name for p in submitted.iterdir()) == ["alice", "bob"]
    assert "carol-sigmoid.ipynb" in course["outputs"]["zip_collect"]


def test_autograde_scores_the_reference_fully_and_the_blank_notebook_zero(course) -> None:
    with Gradebook(f"sqlite:///{course['path'] / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        alice = gb.find_submission(ASSIGNMENT, "alice")
        bob = gb.find_submission(ASSIGNMENT, "bob")
        assert alice.score == alice.max_score > 0, "reference + written answer = full marks"
        assert bob.score == 0


def test_feedback_hides_the_hidden_tests(course) -> None:
    for student in ("alice", "bob"):
        html = (course["path"] / "feedback" / student / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
        leaked = [secret for secret in SECRETS if secret in html]
        assert not leaked, f"{student}'s feedback shows {leaked}"


def test_exported_csv_has_every_student_and_their_score(course) -> None:
    with open(course["path"] / "grades.csv", newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)
                if row["assignment"] == ASSIGNMENT}
    assert set(rows) == {"alice", "bob"}
    assert float(rows["alice"]["score"]) == float(rows["alice"]["max_score"]) > 0
    assert float(rows["bob"]["score"]) == 0.0


def test_formgrader_is_enabled_in_the_course_environment() -> None:
    done = subprocess.run(["jupyter", "server", "extension", "list"], env=course_env(),
                          capture_output=True, text=True, check=False)
    listing = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)
    assert re.search(r"nbgrader\.server_extensions\.formgrader\s+enabled", listing), listing


def test_student_guide_validate_command_tells_right_from_wrong(tmp_path: Path) -> None:
    guide = (ROOT / "chapters" / "student_guide.md").read_text()
    command = re.search(r"^nbgrader validate (\S+)$", guide, re.MULTILINE)
    assert command, "the student guide should show `nbgrader validate <notebook>`"
    # the path as the hub's fetch and the student pack lay it out: <assignment>/<notebook>
    release = ROOT / "exercises" / command[1]
    assert release.exists(), f"the guide's notebook {command[1]} is not in exercises/"
    source = nbformat.read(ROOT / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    code = {**solution_code(source), "written_saturation": "Its slope is tiny for large |x|."}
    done_right = tmp_path / "right.ipynb"
    nbformat.write(filled(nbformat.read(release, as_version=4), code), done_right)
    for path, expected in ((done_right, "Success! Your notebook passes all the tests."),
                           (release, "NotImplementedError")):
        result = subprocess.run(["nbgrader", "validate", str(path)], cwd=tmp_path, env=course_env(),
                                capture_output=True, text=True, timeout=300, check=False)
        assert expected in result.stdout + result.stderr, result.stdout + result.stderr


# -- facts the guides state, pinned to the code and configuration that make them true ------------

def guide_text(name: str) -> str:
    return re.sub(r"\s+", " ", (ROOT / "chapters" / f"{name}.md").read_text())


def course_config():
    from grading.course import load_course

    return load_course(ROOT)[1]


def test_export_section_tells_the_truth_about_grades_csv() -> None:
    text = guide_text("instructor_guide")
    assert "number of cells that still need a human" not in text
    assert "It does not say whether anything is still waiting for you" in text
    config = course_config()
    assert config.ExportApp.plugin_class == "grading.export.CheckedCsvExport"
    from grading.export import OVERRIDE_VARIABLE, CheckedCsvExport

    assert "allow_ungraded" in CheckedCsvExport.class_trait_names()
    assert "--CheckedCsvExport.allow_ungraded=True" in text and f"{OVERRIDE_VARIABLE}=1" in text


def test_late_penalty_rate_in_both_guides_is_the_configured_one() -> None:
    config = course_config()
    assert config.AssignLatePenalties.plugin_class == "grading.late.PointsPerLateHour"
    rate = config.PointsPerLateHour.points_per_hour
    assert rate == 1.0, "both guides say 1 point per started hour: change them with the rate"
    from grading.late import PointsPerLateHour

    plugin = PointsPerLateHour(points_per_hour=rate)
    assert plugin.late_submission_penalty("s", 20.0, 2.5 * 3600) == 3.0  # the guides' example
    assert plugin.late_submission_penalty("s", 2.0, 100 * 3600) == 2.0  # never below zero
    assert "every started hour after the due date costs" in guide_text("instructor_guide")
    student = guide_text("student_guide")
    assert "every started hour after the deadline costs 1 point" in student
    assert "2 hours 30 minutes late costs 3 points" in student


def test_rubric_and_feedback_preprocessors_are_configured() -> None:
    config = course_config()
    assert config.Autograde.autograde_preprocessors[-1] == "grading.rubric.ShowRubrics"
    assert config.GenerateFeedback.preprocessors[0] == "grading.rubric.HideRubrics"
    from grading.rubric import HEADING

    assert f'"{HEADING}"' in guide_text("instructor_guide")


def test_student_guide_prerequisites_link_real_chapters() -> None:
    guide = (ROOT / "chapters" / "student_guide.md").read_text()
    assert "chain rule" in guide
    for doc in re.findall(r"\{doc\}`(\w+)`", guide):
        assert (ROOT / "chapters" / f"{doc}.md").exists(), doc


def test_student_guide_on_a_renamed_notebook_is_what_grading_does(tmp_path: Path) -> None:
    from grading.submissions import plan_submission, released_tests

    guide = guide_text("student_guide")
    assert "`sigmoid_tanh (1).ipynb` is still graded" in guide
    release = ROOT / "exercises" / ASSIGNMENT
    cells = {c.metadata["nbgrader"]["grade_id"]
             for c in nbformat.read(release / f"{NOTEBOOK}.ipynb", as_version=4).cells
             if "nbgrader" in c.metadata}
    expected = {NOTEBOOK: cells}
    alone = tmp_path / "one" / ASSIGNMENT
    alone.mkdir(parents=True)
    (alone / f"{NOTEBOOK} (1).ipynb").write_text((release / f"{NOTEBOOK}.ipynb").read_text())
    plan = plan_submission(alone, expected, released_tests(release, [NOTEBOOK]))
    assert plan.notebooks == {NOTEBOOK: alone / f"{NOTEBOOK} (1).ipynb"}
    assert any("wrong file name" in m for m in plan.messages)
    # two candidates: nothing is guessed, the notebook scores 0 (as the guide says)
    (alone / f"{NOTEBOOK} (2).ipynb").write_text((release / f"{NOTEBOOK}.ipynb").read_text())
    plan = plan_submission(alone, expected, released_tests(release, [NOTEBOOK]))
    assert plan.notebooks == {}
    assert "two copies" in guide


def test_student_guide_says_how_many_hidden_failures_feedback_lists() -> None:
    assert "at most eight lines per test cell" in guide_text("student_guide")
    for path in (ROOT / "solutions").glob("*/*.ipynb"):
        text = path.read_text()
        assert text.count("fails hidden tests") == text.count("_problems[:8]"), path


def test_regrading_section_gives_the_commands() -> None:
    text = guide_text("instructor_guide")
    for command in ("make exercises", "python tools/grade_class.py 01_sigmoid_tanh --force",
                    "nbgrader autograde 01_sigmoid_tanh --force",
                    "nbgrader generate_feedback 01_sigmoid_tanh --force"):
        assert command in text, command
    assert "Your hand grading survives" in text
