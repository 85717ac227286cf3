"""nbgrader configuration of the course; the course root is the folder of this file.

`solutions/` holds the instructor's source notebooks and `exercises/` the
student versions that `python tools/exercises.py generate` makes from them.
Grading runs (`nbgrader autograde` etc.) leave gradebook.db, submitted/,
autograded/ and feedback/ here too; .gitignore keeps them out of git.
"""

import os
import sys

from nbgrader.preprocessors import ClearHiddenTests, GetGrades

c = get_config()  # noqa: F821 -- provided by traitlets when it loads this file

ROOT = os.path.dirname(os.path.abspath(__file__))  # so a copy of the course works from its own folder

c.CourseDirectory.root = ROOT
TOOLS = os.path.join(ROOT, "tools")  # the grading sandbox and judge, tools/grading/
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)
c.CourseDirectory.course_id = "activation-gradients"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "gradebook.db")

# What a student sees in place of a solution region.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# `nbgrader zip_collect`: submissions downloaded from a learning platform are
# put in downloaded/<assignment>/archive/ (as .ipynb files or .zip archives)
# named <student_id>__<notebook>.ipynb, e.g. alice__sigmoid_tanh.ipynb. The
# instructor guide (chapters/instructor_guide.md) has tested patterns for the
# names Canvas and Moodle give their downloads.
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[A-Za-z0-9_.-]+?)__(?P<file_id>\w+\.ipynb)$"

# Seconds a cell may run while validating or autograding; the kernel is then
# interrupted, the cell scores 0 and grading goes on with the next cell.
c.Execute.timeout = 60

# A test cell a student deleted is put back (with a comment saying so) and run,
# so that deleting a failing check earns nothing and costs a right answer nothing.
c.OverwriteCells.add_missing_cells = True


# Autograding, however it is started (`make grade`, `nbgrader autograde`, the
# formgrader's button): the student's kernel runs in a bubblewrap sandbox with
# only the visible checks, and every test cell is judged again, hidden tests
# included, outside the kernel (tools/grading/kernel.py, judge.py). Without
# bubblewrap grading stops and says how to fix it; ACTGRAD_GRADE_WITHOUT_SANDBOX=1
# grades without the sandbox, and every log line says so.
c.Autograde.autograde_preprocessors = [
    "grading.kernel.SandboxedExecute",
    "grading.judge.JudgeHiddenTests",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
    "grading.rubric.ShowRubrics",
]
c.JudgeHiddenTests.timeout = c.Execute.timeout

# What a student prints is cut: to a million characters per cell as it arrives (so a flood
# never fills the grader's memory), then to 1000 lines per output in the graded notebook
# and its feedback.
c.SandboxedExecute.max_output_chars = 1_000_000
c.LimitOutput.max_lines = 1000


class HideHiddenTests(ClearHiddenTests):
    """Feedback: drop hidden-test code, and the tracebacks that would quote it.

    nbgrader puts the hidden tests back before autograding and by default shows
    them in the feedback (nbgrader issues #917, #1363). A failing cell keeps
    only its last line, e.g. ``AssertionError: sigmoid fails hidden tests: ...``.
    """

    def preprocess_cell(self, cell, resources, index):  # noqa: D102
        had_hidden = self.begin_test_delimeter in cell.source
        cell, resources = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []) if had_hidden else []:
            if output.output_type == "error":
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


# The autograded notebook, which the formgrader shows, carries each written answer's
# rubric (from solutions/) in a cell right after the answer (ShowRubrics, the last
# autograde step); feedback drops those cells again, so students never see a rubric
# (tools/grading/rubric.py).
c.GenerateFeedback.preprocessors = [
    "grading.rubric.HideRubrics",
    HideHiddenTests,
    GetGrades,
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Late submissions: with a due date (`nbgrader db assignment add NAME --duedate=...`)
# every started hour between it and a submission's timestamp.txt costs
# points_per_hour, never more than the notebook scored (tools/grading/late.py).
# Without a due date, or a submission without timestamp.txt, nothing is taken off.
c.AssignLatePenalties.plugin_class = "grading.late.PointsPerLateHour"
c.PointsPerLateHour.points_per_hour = 1.0

# `nbgrader export` refuses while written answers wait for hand grading (they
# would count 0 in the CSV) and names the assignments and how many students wait;
# --CheckedCsvExport.allow_ungraded=True or ACTGRAD_EXPORT_UNGRADED=1 exports
# anyway, with a warning (tools/grading/export.py). tools/grade_class.py exports
# right after autograding on purpose, with that warning.
c.ExportApp.plugin_class = "grading.export.CheckedCsvExport"
