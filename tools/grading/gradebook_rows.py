"""One student's rows in an nbgrader gradebook, as plain data: read, written, compared.

The fields are read off nbgrader's own SQLAlchemy tables, so a column that a
later nbgrader adds is carried through the merge too: every stored column but
the keys that tie the rows together (which the receiving gradebook sets).
"""

from __future__ import annotations

import warnings

from nbgrader.api import Comment, Grade, Gradebook, Student, SubmittedAssignment, SubmittedNotebook
from nbgrader.coursedir import CourseDirectory
from sqlalchemy.exc import SAWarning


def data_columns(model: type) -> tuple[str, ...]:
    """The stored columns of an nbgrader model that are neither its primary nor a foreign key."""
    return tuple(c.name for c in model.__table__.columns if not c.primary_key and not c.foreign_keys)


STUDENT_FIELDS = data_columns(Student)
SUBMISSION_FIELDS = data_columns(SubmittedAssignment)
NOTEBOOK_FIELDS = data_columns(SubmittedNotebook)
GRADE_FIELDS = data_columns(Grade)
COMMENT_FIELDS = data_columns(Comment)


def fields(row: object, names: tuple[str, ...]) -> dict:
    return {k: getattr(row, k) for k in names}


def student_rows(gb: Gradebook, assignment: str, student: str) -> dict:
    """Everything autograde records about one student's submission, as plain data."""
    sub = gb.find_submission(assignment, student)
    return {
        "student": fields(gb.find_student(student), STUDENT_FIELDS),
        "submission": fields(sub, SUBMISSION_FIELDS),
        "notebooks": {nb.name: {
            **fields(nb, NOTEBOOK_FIELDS),
            "grades": {g.name: fields(g, GRADE_FIELDS) for g in nb.grades},
            "comments": {c.name: fields(c, COMMENT_FIELDS) for c in nb.comments},
        } for nb in sub.notebooks},
    }


def class_rows(db_url: str, assignment: str) -> dict[str, dict]:
    """`student_rows` of every student with a submission of `assignment`."""
    with Gradebook(db_url) as gb:
        return {s.student.id: student_rows(gb, assignment, s.student.id)
                for s in gb.assignment_submissions(assignment)}


def create_submission(gb: Gradebook, assignment: str, student: str, **fields):
    """``gb.update_or_create_submission`` without the autoflush warning nbgrader's code always raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SAWarning)
        return gb.update_or_create_submission(assignment, student, **fields)


def write_rows(gb: Gradebook, assignment: str, student: str, rows: dict) -> None:
    """Make the course gradebook hold exactly `rows` (from `student_rows`) for `student`."""
    gb.update_or_create_student(student, **rows["student"])
    create_submission(gb, assignment, student, **rows["submission"])
    for name, notebook in rows["notebooks"].items():
        nb = gb.find_submission_notebook(name, assignment, student)
        for key in NOTEBOOK_FIELDS:
            setattr(nb, key, notebook[key])
        for kind, items, names in (("grades", nb.grades, GRADE_FIELDS),
                                   ("comments", nb.comments, COMMENT_FIELDS)):
            for item in items:
                for key in names:
                    setattr(item, key, notebook[kind][item.name][key])
    gb.db.commit()


def score_line(rows: dict, max_points: dict[str, float]) -> str:
    """``7 / 10`` (and how many answers wait for a human) for one student's rows.

    `max_points` maps each graded cell to its points.
    """
    grades = [g for nb in rows["notebooks"].values() for g in nb["grades"].values()]
    got = sum(g["manual_score"] if g["manual_score"] is not None else g["auto_score"] or 0 for g in grades)
    out_of = sum(max_points.get(name, 0) for nb in rows["notebooks"].values() for name in nb["grades"])
    if all(g["auto_score"] is None and g["manual_score"] is None for g in grades):
        return f"{got:g} / {out_of:g} (nothing could be graded)"
    waiting = sum(1 for g in grades if g["needs_manual_grade"])
    return f"{got:g} / {out_of:g}" + (f" (+ {waiting} to grade by hand)" if waiting else "")


def record_missing(gb: Gradebook, coursedir: CourseDirectory, assignment: str, student: str) -> dict:
    """Record a submission without any notebook as nbgrader records a missing notebook: every cell 0.

    (``nbgrader autograde`` stops before touching the gradebook when a student's
    folder holds no notebook at all, so the student would be missing from grades.csv.)
    """
    folder = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    gb.update_or_create_student(student)
    timestamp = coursedir.get_existing_timestamp(folder)
    submission = create_submission(gb, assignment, student, timestamp=timestamp)
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            grade.auto_score, grade.needs_manual_grade = 0, False
    gb.db.commit()
    return student_rows(gb, assignment, student)
