"""``nbgrader export`` that will not quietly score unmarked written answers 0.

nbgrader's CSV exporter adds up whatever the gradebook holds. A written answer
nobody has graded yet has no score at all, and the CSV counts it as 0 without a
word. `CheckedCsvExport` (set as ``c.ExportApp.plugin_class`` in
nbgrader_config.py) first counts, per assignment, the students who have such an
answer; if there are any it stops with one message naming them, unless the
instructor asks for the export anyway (``--CheckedCsvExport.allow_ungraded=True``
or ``ACTGRAD_EXPORT_UNGRADED=1``), in which case it warns and writes the CSV.

A written answer counts as waiting when nbgrader says it needs a human
(``Grade.needs_manual_grade``) and it has no manual score. A regrade
(``nbgrader autograde --force``) flags answers that were already graded for
review again but keeps their manual scores, which the CSV counts: those are
not waiting.
"""

from __future__ import annotations

import os
from collections import Counter

from nbgrader.api import Assignment, Grade, Gradebook, SubmittedAssignment, SubmittedNotebook
from nbgrader.plugins import CsvExportPlugin
from traitlets import Bool, default

OVERRIDE_VARIABLE = "ACTGRAD_EXPORT_UNGRADED"


def waiting_for_hand_grading(gradebook: Gradebook, assignments: list[str] = ()) -> dict[str, int]:
    """``{assignment: number of students with a written answer nobody has graded}`` (only nonzero counts).

    With `assignments`, only those are looked at.
    """
    query = (gradebook.db.query(Assignment.name, SubmittedAssignment.student_id)
             .join(SubmittedAssignment, SubmittedAssignment.assignment_id == Assignment.id)
             .join(SubmittedNotebook, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
             .join(Grade, Grade.notebook_id == SubmittedNotebook.id)
             .filter(Grade.needs_manual_grade.is_(True), Grade.manual_score.is_(None))
             .distinct())
    if assignments:
        query = query.filter(Assignment.name.in_(list(assignments)))
    return dict(sorted(Counter(name for name, _ in query).items()))


def waiting_message(waiting: dict[str, int]) -> str:
    """One sentence: which assignments have how many students whose written answers wait for a human."""
    parts = [f"{name} ({count} student{'s' if count != 1 else ''})" for name, count in waiting.items()]
    return ("written answers not graded yet in " + ", ".join(parts)
            + "; in grades.csv they would count 0 points")


class CheckedCsvExport(CsvExportPlugin):
    """nbgrader's CSV export, refused while written answers still wait for hand grading."""

    allow_ungraded = Bool(
        help="Export even while written answers are ungraded (they count 0); "
             f"the environment variable {OVERRIDE_VARIABLE}=1 does the same.",
    ).tag(config=True)

    @default("allow_ungraded")
    def _allow_ungraded_default(self) -> bool:
        return os.environ.get(OVERRIDE_VARIABLE, "").strip().lower() in {"1", "true", "yes"}

    def export(self, gradebook: Gradebook) -> None:  # noqa: D102
        wanted = [str(a) for a in self.assignment]
        known = {a.name for a in gradebook.assignments}
        waiting = waiting_for_hand_grading(gradebook, [a for a in wanted if a in known] if wanted else ())
        if waiting and not self.allow_ungraded:
            message = (f"nbgrader export refused: {waiting_message(waiting)}. Grade them in the "
                       "formgrader (Manual grading) and export again, or export anyway with "
                       f"--CheckedCsvExport.allow_ungraded=True (or {OVERRIDE_VARIABLE}=1).")
            self.log.error(message)
            raise SystemExit(1)
        if waiting:
            self.log.warning("Exporting anyway: %s.", waiting_message(waiting))
        super().export(gradebook)

