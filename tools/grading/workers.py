"""Worker processes that grade in staging copies of the course.

Autograding is one nbgrader call per student (results come back as each is
done); feedback is one nbgrader call per worker over its share of the class,
since most of a feedback call is nbconvert setting up its HTML templates.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps.api import NbGraderAPI

from grading.course import CONFIG, load_course
from grading.gradebook_rows import student_rows

_worker: dict = {}  # this worker process's staging course, set by start_worker


def start_worker(root: str, work: str, db_copy: str) -> None:
    """Make this worker process's staging course: config, source folder and its own gradebook."""
    staging = Path(tempfile.mkdtemp(prefix="worker-", dir=work))
    # the kernels' own chatter on stderr goes to a file, not the instructor's terminal
    os.dup2(os.open(staging / "stderr.txt", os.O_WRONLY | os.O_CREAT | os.O_APPEND), 2)
    config = Path(root, CONFIG).read_text()
    config += ("\n# staging copy made by tools/grade_class.py\n"
               f"c.CourseDirectory.root = {str(staging)!r}\n"
               f"c.CourseDirectory.db_url = {'sqlite:///' + str(staging / 'gradebook.db')!r}\n")
    (staging / CONFIG).write_text(config)
    shutil.copyfile(db_copy, staging / "gradebook.db")
    coursedir, cfg = load_course(staging)
    for folder in (coursedir.source_directory, coursedir.release_directory):
        if not os.path.isabs(folder) and os.path.exists(os.path.join(root, folder)):
            os.symlink(os.path.join(root, folder), staging / folder)
    api = NbGraderAPI(coursedir, config=cfg)
    _worker.update(staging=staging, coursedir=coursedir, api=api)


def _fresh(path: str) -> str:
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def grade_one(assignment: str, student: str, folder: str, notebooks: dict[str, str]) -> dict:
    """Autograde one student in this worker's staging course; return the log and the gradebook rows."""
    coursedir, api = _worker["coursedir"], _worker["api"]
    dest = _fresh(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    for entry in os.scandir(folder):  # timestamp.txt and any data files, but only the chosen notebooks
        if entry.is_file(follow_symlinks=False) and not entry.name.endswith(".ipynb"):
            shutil.copyfile(entry.path, os.path.join(dest, entry.name))
    for name, path in notebooks.items():
        shutil.copyfile(path, os.path.join(dest, f"{name}.ipynb"))
    graded = coursedir.format_path(coursedir.autograded_directory, student, assignment)
    shutil.rmtree(graded, ignore_errors=True)
    result = api.autograde(assignment, student, force=True, create=True)
    with Gradebook(coursedir.db_url) as gb:
        try:
            rows = student_rows(gb, assignment, student)
        except MissingEntry:
            rows = None
    return {"student": student, "success": result["success"], "log": result.get("log", ""),
            "error": result.get("error", ""), "rows": rows,
            "autograded": graded if os.path.isdir(graded) else None}


def feedback_shard(assignment: str, autograded: dict[str, str]) -> dict:
    """Generate the feedback of several students in one nbgrader call in this worker's staging course.

    `autograded` maps each student to their autograded folder in the course.
    """
    coursedir, api = _worker["coursedir"], _worker["api"]
    for step in (coursedir.autograded_directory, coursedir.feedback_directory):
        shutil.rmtree(os.path.join(coursedir.root, step), ignore_errors=True)  # only this share
    for student, folder in autograded.items():
        shutil.copytree(folder, coursedir.format_path(coursedir.autograded_directory, student, assignment))
    result = api.generate_feedback(assignment, None, force=True)
    # Kept apart until the run ends: this worker may take another share while the course copies this one.
    out = tempfile.mkdtemp(prefix="feedback-", dir=_worker["staging"])
    made = {}
    for student in autograded:
        made[student] = os.path.join(out, student)
        path = coursedir.format_path(coursedir.feedback_directory, student, assignment)
        if os.path.isdir(path):
            os.rename(path, made[student])
    return {"success": result["success"], "log": result.get("log", ""), "error": result.get("error", ""),
            "feedback": {student: path if os.path.isdir(path) else None for student, path in made.items()}}


def run_pool(jobs: int, root: Path, work: Path, db_copy: Path, fn, tasks: list[tuple]) -> Iterator:
    """Run ``fn(*task)`` for every task on `jobs` worker processes; iterate over (task, result or exception).

    The workers are forked before this returns, so they start with nbgrader
    already imported; call it while this process holds no open gradebook.
    """
    sys.stdout.flush()  # a forked worker flushes what it inherited when it ends
    sys.stderr.flush()
    pool = futures.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                       initializer=start_worker,
                                       initargs=(str(root), str(work), str(db_copy)))
    pending = {pool.submit(fn, *task): task for task in tasks}  # the first submit forks every worker

    def results() -> Iterator:
        with pool:
            for done in futures.as_completed(pending):
                try:
                    yield pending[done], done.result()
                except Exception as err:  # noqa: BLE001 -- a broken worker is reported per student
                    yield pending[done], err

    return results()


def replace_tree(src: str, dest: str) -> None:
    """Put a copy of the folder `src` at `dest`, replacing what was there, never leaving half a copy."""
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    tmp = dest + ".incoming"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp)
    old = dest + ".outgoing"
    if os.path.exists(dest):
        os.rename(dest, old)
    os.rename(tmp, dest)
    shutil.rmtree(old, ignore_errors=True)
