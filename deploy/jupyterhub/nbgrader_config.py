"""nbgrader settings shared by every server of the hub: students', graders' and the formgrader's.

Install it where every Jupyter server on the machine reads it, e.g.
``/etc/jupyter/nbgrader_config.py`` (``jupyter --paths`` lists the places).
It names the one course of the hub and the exchange folder through which
assignments are released, fetched, submitted and collected. The exchange
folder must exist on a disk every server sees, with mode 777
(``mkdir -p /srv/nbgrader/exchange && chmod 777 /srv/nbgrader/exchange``;
``nbgrader release_assignment`` resets any other mode). nbgrader itself makes
the course's ``outbound/`` (readable by all) and ``inbound/`` (writable but not
listable by students) inside it.

``ACTGRAD_EXCHANGE_ROOT`` moves the exchange (``tests/test_jupyterhub.py`` uses
a temporary folder).
"""

import os

c = get_config()  # noqa: F821 -- provided by traitlets when it loads this file

c.CourseDirectory.course_id = "activation-gradients"
c.Exchange.root = os.environ.get("ACTGRAD_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
