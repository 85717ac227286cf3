"""nbgrader settings of the grader account that runs the formgrader service.

Install it as ``~grader-activation-gradients/.jupyter/nbgrader_config.py``.
It points nbgrader at the instructors' course folder, a clone of the course
repository owned by that account, so that nbgrader commands run from any
folder (``nbgrader collect``, ``make grade``'s autograding) find the gradebook,
``solutions/`` and ``exercises/``. The course's own ``nbgrader_config.py`` at
the root of that folder is read too and adds everything else (the source and
release folders, the timeouts, the feedback without hidden tests).

``ACTGRAD_COURSE_DIR`` moves the course folder; ``jupyterhub_config.py`` passes
its own value to the formgrader service.
"""

import os

c = get_config()  # noqa: F821 -- provided by traitlets when it loads this file

c.CourseDirectory.root = os.environ.get(
    "ACTGRAD_COURSE_DIR", "/home/grader-activation-gradients/activation-gradients")
