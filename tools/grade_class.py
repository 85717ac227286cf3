"""Grade every collected submission of one assignment on every core, then write feedback and grades.csv.

    python tools/grade_class.py 01_sigmoid_tanh            # or: make grade ASSIGNMENT=01_sigmoid_tanh
    python tools/grade_class.py 01_sigmoid_tanh --force    # grade everyone again
    python tools/grade_class.py 01_sigmoid_tanh --feedback-only   # after manual grading

nbgrader does the grading; this is a thin layer over its own API
(`nbgrader.apps.NbGraderAPI.autograde`, one call per student as the formgrader
makes it; `.generate_feedback`, one call per worker for its share of the class;
the export app for the CSV). nbgrader's SQLite gradebook takes one writer at a
time (nbgrader issue #174), so the workers never write to it:

1. the course gradebook is snapshotted (SQLite's backup API);
2. each worker process (forked from this one, so nbgrader is already loaded)
   grades in a staging copy of the course with its own copy of that snapshot,
   one student at a time, and sends back the student's rows;
3. this process alone writes them into the course gradebook through nbgrader's
   `Gradebook` API and moves the autograded notebook into `autograded/`;
4. feedback is made the same way from a snapshot of the merged gradebook (each
   worker makes its share of the class in one call), and nbgrader's export app
   writes the CSV.

The grades are those of a serial ``nbgrader autograde`` run (a test and
``tests/benchmark_grading.py`` compare the two gradebooks row by row). Which
students are graded follows nbgrader too: those not graded yet and those who
submitted again since (``--force``: everyone). So a second run grades nothing
and changes nothing.

What students really submit never stops the class: a notebook that is not JSON,
a missing notebook, a deleted or edited test cell, an endless loop or a kernel
that dies cost that student what nbgrader says (zero where nothing could run)
and get one plain sentence in the log. One thing differs from plain nbgrader on
purpose: a notebook saved under the wrong name (``sigmoid_tanh (1).ipynb``)
that is the only candidate for a missing one is graded as that notebook, where
``nbgrader autograde`` would skip it and score the student 0. Submitted files
are only read, never changed.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from grading import sandbox
from grading.course import UsageError, expected_notebooks, load_course, nbgrader_export, snapshot
from grading.export import waiting_for_hand_grading, waiting_message
from grading.gradebook_rows import record_missing, score_line, write_rows
from grading.submissions import (
    Plan,
    failure_reason,
    fingerprint,
    needs_grading,
    plan_submission,
    released_tests,
    run_messages,
)
from grading.workers import feedback_shard, grade_one, replace_tree, run_pool

WORK = ".grade_class"  # staging copies and what earlier runs could not grade, under the course root
LOGS = "grading_logs"  # one log per assignment, under the course root


class Log:
    """Prints a line and keeps it, with the details, for the log file."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.details: list[str] = []
        self.started = time.time()

    def say(self, line: str) -> None:
        if sandbox.unsandboxed():
            line = f"UNSANDBOXED: {line}"
        print(line, flush=True)
        self.lines.append(line)

    def keep(self, title: str, text: str) -> None:
        if text.strip():
            self.details.append(f"---- {title}\n{text.rstrip()}\n")

    def write(self, path: Path) -> None:
        """Append this run to the log at `path` (earlier runs stay above it)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        with open(path, "a") as handle:
            handle.write(f"==== {started}: {' '.join(sys.argv)}\n" + "\n".join(self.lines) + "\n\n"
                         + "\n".join(self.details) + "\n")


def find_submissions(args: argparse.Namespace, root: Path, coursedir: CourseDirectory) -> list[Path]:
    """The submitted folders of the assignment (only those of ``--student``, if given)."""
    submitted = root / coursedir.submitted_directory
    folders = sorted(p for p in submitted.glob(f"*/{args.assignment}") if p.is_dir())
    if args.student:
        missing = sorted(set(args.student) - {p.parent.name for p in folders})
        if missing:
            raise UsageError(f"no submission of {args.assignment} from {', '.join(missing)} in {submitted}")
        folders = [p for p in folders if p.parent.name in args.student]
    if not folders:
        raise UsageError(f"no submissions of {args.assignment} in {submitted}/<student>/{args.assignment}/ "
                         "(run 'nbgrader collect' or 'nbgrader zip_collect' first)")
    return folders


class Run:
    """One grading run of one assignment: what it did, what it printed, what went wrong."""

    def __init__(self, args: argparse.Namespace, root: Path, course: tuple[CourseDirectory, Config],
                 work: Path) -> None:
        self.args, self.root, self.work = args, root, work
        self.coursedir, self.config = course
        self.assignment = args.assignment
        self.log = Log()
        self.problems: list[str] = []  # students whose submission needs the instructor's eye
        self.not_graded: list[str] = []  # students a worker failed on: run again
        self.state = root / WORK / f"ungradable-{self.assignment}.json"

    def path(self, step: str, student: str) -> str:
        """``<root>/<autograded|feedback|submitted>/<student>/<assignment>``."""
        folder = getattr(self.coursedir, f"{step}_directory")
        return self.coursedir.format_path(folder, student, self.assignment)

    def autograde(self, folders: list[Path], expected: dict[str, set[str]]) -> list[str]:
        """Grade what needs grading on the workers and merge it into the gradebook; the students graded.

        `expected` maps the assignment's notebooks to their graded cells.
        """
        ungradable = json.loads(self.state.read_text()) if self.state.is_file() else {}
        todo = [p for p in folders if not self.args.feedback_only and needs_grading(
            self.coursedir, self.assignment, p.parent.name, self.args.force, ungradable)]
        self.log.say(f"{self.assignment}: {len(folders)} submissions, {len(todo)} to grade "
                     f"({len(folders) - len(todo)} done before), {self.args.jobs} workers")
        for student in sorted({p.parent.name for p in folders} - {p.parent.name for p in todo}):
            if student in ungradable:
                self.log.say(f"  {student}: unchanged since a run that could not grade it -- "
                             f"{ungradable[student]['why']}")
        if not todo:
            return []
        start = time.monotonic()
        release = self.root / self.coursedir.release_directory / self.assignment
        released = released_tests(release, list(expected))
        plans = {p.parent.name: plan_submission(p, expected, released) for p in todo}
        with Gradebook(self.coursedir.db_url) as gb:
            max_points = {c.name: c.max_score for nb in gb.find_assignment(self.assignment).notebooks
                          for c in [*nb.grade_cells, *nb.task_cells]}
            # New students enter the gradebook in the order serial nbgrader adds them,
            # which is the order of grades.csv, not in the order the workers finish.
            known = {s.id for s in gb.students}
            for student in sorted(set(plans) - known):
                gb.add_student(student)
        tasks = [(self.assignment, s, str(plan.folder), {k: str(v) for k, v in plan.notebooks.items()})
                 for s, plan in plans.items()]
        db_copy = snapshot(self.coursedir.db_url, self.work / "gradebook-before.db")
        graded = []
        results = run_pool(self.args.jobs, self.root, self.work, db_copy, grade_one, tasks)
        with Gradebook(self.coursedir.db_url) as gb:
            for task, result in results:
                student, plan = task[1], plans[task[1]]
                if isinstance(result, Exception):
                    self.not_graded.append(student)
                    self.log.say(f"  {student}: NOT GRADED, the grading worker failed ({result!r})")
                    continue
                messages = self.merge(gb, plan, result)
                if result["rows"] is not None:
                    graded.append(student)
                if result["autograded"]:
                    ungradable.pop(student, None)
                else:
                    ungradable[student] = {"fingerprint": fingerprint(plan.folder),
                                           "why": "; ".join(messages)}
                if messages:
                    self.problems.append(student)
                score = score_line(result["rows"], max_points) if result["rows"] else "no gradebook entry"
                self.log.say(f"  {student}: {score}" + ("  -- " + "; ".join(messages) if messages else ""))
        self.state.write_text(json.dumps(ungradable, indent=1, sort_keys=True))
        self.log.say(f"graded {len(graded)} submissions in {time.monotonic() - start:.1f} s")
        return graded

    def merge(self, gb: Gradebook, plan: Plan, result: dict) -> list[str]:
        """Put one worker result into the course: gradebook rows, autograded folder; the messages."""
        student = plan.student
        messages = list(plan.messages)
        self.log.keep(f"{student}: nbgrader autograde", result["log"] + result["error"])
        dest = self.path("autograded", student)
        if result["autograded"]:
            replace_tree(result["autograded"], dest)
            messages.extend(run_messages(dest))
        else:
            shutil.rmtree(dest, ignore_errors=True)  # as nbgrader removes a notebook it failed on
            if plan.notebooks and not any("nothing in it can be graded" in m for m in messages):
                messages.append(failure_reason(result))
        if result["rows"] is None and not plan.notebooks:
            result["rows"] = record_missing(gb, self.coursedir, self.assignment, student)
        elif result["rows"] is not None:
            write_rows(gb, self.assignment, student, result["rows"])
        return messages

    def feedback(self, students: list[str]) -> None:
        """Make the feedback of `students` on the workers, from a snapshot of the merged gradebook.

        Each worker makes its share of the class in one nbgrader call.
        """
        students = [s for s in students if os.path.isdir(self.path("autograded", s))]
        if not students or self.args.no_feedback:
            return
        start = time.monotonic()
        db_copy = snapshot(self.coursedir.db_url, self.work / "gradebook-merged.db")
        shares = [students[i::self.args.jobs] for i in range(min(self.args.jobs, len(students)))]
        tasks = [(self.assignment, {s: self.path("autograded", s) for s in share}) for share in shares]
        made = 0
        for task, result in run_pool(len(tasks), self.root, self.work, db_copy, feedback_shard, tasks):
            share = sorted(task[1])
            if isinstance(result, Exception):
                self.log.keep(f"{', '.join(share)}: generating feedback", repr(result))
                result = {"feedback": dict.fromkeys(share)}
            else:
                self.log.keep(f"{', '.join(share)}: nbgrader generate_feedback",
                              result["log"] + result["error"])
            for student in share:
                if result["feedback"][student] is None:
                    self.log.say(f"  {student}: no feedback could be made (see the log)")
                    self.problems.append(student)
                else:
                    replace_tree(result["feedback"][student], self.path("feedback", student))
                    made += 1
        self.log.say(f"feedback for {made} students in {time.monotonic() - start:.1f} s")

    def run(self) -> int:
        """Grade, give feedback, export; the exit code."""
        expected = expected_notebooks(self.coursedir.db_url, self.assignment)
        folders = find_submissions(self.args, self.root, self.coursedir)
        graded = self.autograde(folders, expected)
        self.feedback([p.parent.name for p in folders] if self.args.feedback_only else graded)
        csv_path = self.root / self.args.csv
        # Right after autograding the written answers are not graded yet: export anyway and say so.
        nbgrader_export(self.coursedir, self.config, csv_path, allow_ungraded=True)
        self.log.say(f"grades of every student exported to {csv_path}")
        with Gradebook(self.coursedir.db_url) as gb:
            waiting = waiting_for_hand_grading(gb, [self.assignment])
        if waiting:
            self.log.say(f"warning: {waiting_message(waiting)}; grade them in the formgrader, then run "
                         f"this again with --feedback-only (or nbgrader export)")
        if self.problems:
            self.log.say(f"{len(set(self.problems))} submissions need a look: "
                         f"{', '.join(sorted(set(self.problems)))}")
        if self.not_graded:
            self.log.say(f"NOT GRADED: {', '.join(self.not_graded)} (run the command again)")
        return 1 if self.not_graded else 0


@contextlib.contextmanager
def only_run(root: Path):
    """Hold the course's grading lock and a fresh staging folder; refuse a second concurrent run."""
    (root / WORK).mkdir(exist_ok=True)
    with open(root / WORK / "lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError("another grading run of this course is still going; "
                             "wait for it to end") from None
        for stale in (root / WORK).glob("run-*"):
            shutil.rmtree(stale, ignore_errors=True)
        work = Path(tempfile.mkdtemp(prefix="run-", dir=root / WORK))
        try:
            yield work
        finally:
            shutil.rmtree(work, ignore_errors=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment", help="assignment name, e.g. 01_sigmoid_tanh")
    # One worker more than there are cores: a worker waiting for its kernel to start leaves a core idle.
    parser.add_argument("--jobs", "-j", type=int, default=(os.cpu_count() or 1) + 1,
                        help="worker processes (default: one more than the cores, %(default)s here)")
    parser.add_argument("--force", action="store_true", help="grade every submission again")
    parser.add_argument("--student", action="append", help="grade only this student (repeatable)")
    parser.add_argument("--feedback-only", action="store_true",
                        help="grade nothing; remake every student's feedback (after manual grading)")
    parser.add_argument("--no-feedback", action="store_true", help="skip the feedback step")
    parser.add_argument("--csv", default="grades.csv", help="where to export grades (default: %(default)s)")
    parser.add_argument("--no-sandbox", action="store_true",
                        help="grade without the bubblewrap sandbox: students' code runs with your rights "
                             "(every log line says so)")
    parser.add_argument("--course", type=Path, default=Path.cwd(),
                        help="the nbgrader course folder (default: the current folder, as for nbgrader)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = args.course.resolve()
    log_path = root / LOGS / f"{args.assignment}.log"
    run = None
    if args.no_sandbox:
        os.environ[sandbox.UNSAFE_VARIABLE] = "1"
    try:
        if sandbox.unsandboxed():
            print(f"warning: {sandbox.UNSAFE_NOTE}", file=sys.stderr)
        else:
            try:
                sandbox.check()
            except sandbox.SandboxUnavailable as err:
                raise UsageError(str(err)) from None
        course = load_course(root)
        with only_run(root) as work:
            run = Run(args, root, course, work)
            code = run.run()
    except UsageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        if run is not None and run.log.lines:
            run.log.write(log_path)
    print(f"log: {log_path}")
    return code


if __name__ == "__main__":
    sys.exit(main())
