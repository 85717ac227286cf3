"""A late-submission penalty of so many points per started hour, never more than the score.

nbgrader's own `LateSubmissionPlugin` knows only "no penalty" and "zero for any
lateness". `PointsPerLateHour` (``c.AssignLatePenalties.plugin_class`` in
nbgrader_config.py) takes ``points_per_hour`` for every hour or part of an hour
between the assignment's due date (``nbgrader db assignment add NAME
--duedate=...``) and the submission's timestamp (``timestamp.txt``). nbgrader
calls it while autograding, per notebook, with that notebook's score, and
stores the result as ``late_submission_penalty``; the penalty is capped at the
score, so nobody ends below 0.
"""

from __future__ import annotations

import math

from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Float


class PointsPerLateHour(LateSubmissionPlugin):
    """``points_per_hour`` for each started hour late, at most the notebook's score."""

    points_per_hour = Float(1.0, help="Points taken off for every started hour after the due date.",
                            ).tag(config=True)

    def late_submission_penalty(self, student_id: str, score: float, total_seconds_late: float) -> float:  # noqa: D102
        hours = math.ceil(max(total_seconds_late, 0) / 3600)
        penalty = min(hours * self.points_per_hour, max(score or 0.0, 0.0))
        self.log.warning("%s: %d started hours late, %g points off", student_id, hours, penalty)
        return penalty
