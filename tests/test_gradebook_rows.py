"""tools/grading/gradebook_rows.py carries every column of nbgrader's gradebook.

The columns are read from the gradebook file's own schema (SQLite's table_info),
not from the module under test: a column that a later nbgrader adds to a table
must appear in a student's rows and survive the copy into another gradebook.
"""

from __future__ import annotations

import datetime
import shutil
import sqlite3
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from grading.gradebook_rows import create_submission, student_rows, write_rows

pytestmark = pytest.mark.unit
ASSIGNMENT, NOTEBOOK = "ps1", "problem"
# table -> where its columns sit in a student's rows
TABLES = {"student": "student", "submitted_assignment": "submission", "submitted_notebook": "notebook",
          "grade": "grade", "comment": "comment"}


def make_gradebook(path: Path) -> Gradebook:
    """A gradebook with one assignment: a graded code cell and a written answer."""
    gb = Gradebook(f"sqlite:///{path}")
    gb.add_assignment(ASSIGNMENT)
    gb.add_notebook(NOTEBOOK, ASSIGNMENT)
    gb.add_grade_cell("test_f", NOTEBOOK, ASSIGNMENT, max_score=2, cell_type="code")
    gb.add_grade_cell("written", NOTEBOOK, ASSIGNMENT, max_score=3, cell_type="markdown")
    gb.add_solution_cell("written", NOTEBOOK, ASSIGNMENT)
    gb.add_solution_cell("f", NOTEBOOK, ASSIGNMENT)
    return gb


def data_columns(db: Path) -> dict[str, set[str]]:
    """Per table, the columns SQLite stores that are neither a primary nor a foreign key."""
    with sqlite3.connect(db) as con:
        found = {}
        for table in TABLES:
            keys = {row[3] for row in con.execute(f"PRAGMA foreign_key_list({table})")}
            found[table] = {name for _, name, _, _, _, pk in con.execute(f"PRAGMA table_info({table})")
                            if not pk and name not in keys}
    return found


def unusual(value: object, column: str) -> object:
    """A value for `column` that no default or autograde would put there."""
    if isinstance(value, bool) or value is None and column in ("flagged", "needs_manual_grade"):
        return not value
    if isinstance(value, datetime.datetime) or column == "timestamp":
        return datetime.datetime(2026, 2, 3, 4, 5, 6)
    if isinstance(value, datetime.timedelta) or column == "extension":
        return datetime.timedelta(hours=7)
    if isinstance(value, float | int) or column.endswith(("score", "credit", "penalty")):
        return 1.25
    return f"{column} of the test"


def fill_every_column(gb: Gradebook, columns: dict[str, set[str]], student: str) -> None:
    """Give every data column of `student`'s rows an unusual value."""
    gb.add_student(student)
    sub = create_submission(gb, ASSIGNMENT, student)
    rows = [("student", gb.find_student(student)), ("submitted_assignment", sub)]
    for nb in sub.notebooks:
        rows += [("submitted_notebook", nb), *(("grade", g) for g in nb.grades),
                 *(("comment", c) for c in nb.comments)]
    for table, row in rows:
        for column in columns[table]:
            setattr(row, column, unusual(getattr(row, column), column))
    gb.db.commit()


def carried(rows: dict) -> dict[str, set[str]]:
    """Per table, the columns a student's rows carry."""
    (notebook,) = rows["notebooks"].values()
    return {"student": set(rows["student"]), "submitted_assignment": set(rows["submission"]),
            "submitted_notebook": set(notebook) - {"grades", "comments"},
            "grade": {k for g in notebook["grades"].values() for k in g},
            "comment": {k for c in notebook["comments"].values() for k in c}}


@pytest.fixture(scope="module")
def graded_rows(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict[str, set[str]], Path]:
    """A student's rows with every column set, nbgrader's columns, and an empty copy of the gradebook."""
    folder = tmp_path_factory.mktemp("gradebooks")
    source, target = folder / "worker.db", folder / "course.db"
    with make_gradebook(source) as gb:
        shutil.copy(source, target)  # creating a gradebook runs alembic: do it once
        columns = data_columns(source)
        fill_every_column(gb, columns, "ada")
        rows = student_rows(gb, ASSIGNMENT, "ada")
    return rows, columns, target


def test_the_rows_carry_every_column_of_the_gradebook(graded_rows) -> None:
    rows, columns, _ = graded_rows
    assert columns["grade"] >= {"auto_score", "manual_score", "extra_credit", "needs_manual_grade"}
    assert carried(rows) == columns


def test_every_column_survives_the_copy_into_another_gradebook(graded_rows) -> None:
    rows, columns, target = graded_rows
    with Gradebook(f"sqlite:///{target}") as gb:
        gb.add_student("ada")
        write_rows(gb, ASSIGNMENT, "ada", rows)
    with Gradebook(f"sqlite:///{target}") as gb:
        copied = student_rows(gb, ASSIGNMENT, "ada")
    assert copied == rows
    (notebook,) = copied["notebooks"].values()
    assert copied["submission"]["extension"] == datetime.timedelta(hours=7)
    assert notebook["flagged"] is True and notebook["grades"]["test_f"]["extra_credit"] == 1.25
    assert notebook["comments"]["f"]["manual_comment"] == "manual_comment of the test"
