"""The nbgrader course folder: its config, its assignments, a snapshot of its gradebook."""

from __future__ import annotations

import copy
import sqlite3
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.apps import ExportApp
from nbgrader.coursedir import CourseDirectory
from nbgrader.utils import capture_log
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

CONFIG = "nbgrader_config.py"


class UsageError(Exception):
    """Something the instructor must fix before grading can start."""


def load_course(root: Path) -> tuple[CourseDirectory, Config]:
    """The course's `CourseDirectory` and config, read from ``root/nbgrader_config.py``."""
    if not (root / CONFIG).is_file():
        raise UsageError(f"no {CONFIG} in {root}: point --course at the nbgrader course folder")
    config = PyFileConfigLoader(CONFIG, path=str(root)).load_config()
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(root)
    return coursedir, config


def expected_notebooks(db_url: str, assignment: str) -> dict[str, set[str]]:
    """``{notebook name: names of its graded and solution cells}`` as recorded by generate_assignment."""
    with Gradebook(db_url) as gb:
        try:
            found = gb.find_assignment(assignment)
        except MissingEntry:
            known = ", ".join(sorted(a.name for a in gb.assignments)) or "none"
            raise UsageError(f"assignment {assignment!r} is not in the gradebook (known: {known}); "
                             f"run 'nbgrader generate_assignment {assignment}' first") from None
        return {nb.name: {c.name for c in [*nb.grade_cells, *nb.solution_cells, *nb.task_cells]}
                for nb in found.notebooks}


def snapshot(db_url: str, dest: Path) -> Path:
    """A consistent copy of the SQLite gradebook at `db_url`, written to `dest`."""
    source = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    target = sqlite3.connect(dest)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()
    return dest


def nbgrader_export(coursedir: CourseDirectory, config: Config, csv_path: Path,
                    allow_ungraded: bool = False) -> None:
    """``nbgrader export --to csv_path``: nbgrader's own export app, run in this process.

    `allow_ungraded` exports even while written answers wait for hand grading
    (the course's exporter, grading.export.CheckedCsvExport, refuses otherwise).
    """
    config = copy.deepcopy(config)
    config.ExportPlugin.to = str(csv_path)
    if allow_ungraded:
        config.CheckedCsvExport.allow_ungraded = True
    result = capture_log(ExportApp(coursedir=coursedir, config=config))
    if not result["success"]:
        raise RuntimeError(f"nbgrader export failed:\n{result.get('log', '')}{result.get('error', '')}")
