"""Example JupyterHub configuration for the course "activation-gradients" on one server.

What it sets up (the layout of nbgrader's "Using nbgrader with JupyterHub"):

* every student, teaching assistant and instructor logs in to the hub and gets
  a JupyterLab server of their own;
* the instructors' course folder (a clone of this repository) is served by one
  extra Jupyter server, run by the hub as a managed *service* named after the
  course, under a dedicated grader account; the formgrader lives there and the
  members of the group ``formgrade-activation-gradients`` may open it at
  ``/services/activation-gradients/``;
* assignments travel through nbgrader's exchange, a folder on this machine that
  every server can reach (``c.Exchange.root`` in ``nbgrader_config.py`` beside
  this file).

Start it as root, from the folder that should hold the hub's state::

    jupyterhub -f /path/to/deploy/jupyterhub/jupyterhub_config.py

Paths and ports come from environment variables with the defaults below, so a
deployment (or a test) can move them without editing this file:

``ACTGRAD_HUB_BIND_URL``   where the hub is reached (default ``http://:8000``, every interface)
``ACTGRAD_HUB_STATE_DIR``  its database, cookie secret and proxy pid file (default ``/srv/jupyterhub``)
``ACTGRAD_COURSE_DIR``     the instructors' course folder (default
                           ``/home/grader-activation-gradients/activation-gradients``)
``ACTGRAD_GRADER_ACCOUNT`` the Unix account that runs the formgrader service
                           (default ``grader-activation-gradients``; empty: the hub's own account)
``ACTGRAD_FORMGRADER_PORT`` the loopback port of the formgrader service (default 9999)

Everything else (the people, the login method, the spawner) is edited below.
``tests/test_jupyterhub.py`` starts the hub from this file with a throw-away
login and spawner (``DummyAuthenticator``, ``SimpleLocalProcessSpawner``) that
must never be used for a real class.
"""

import os
import sys
from pathlib import Path

c = get_config()  # noqa: F821 -- provided by traitlets when it loads this file

COURSE_ID = "activation-gradients"
env = os.environ.get

STATE_DIR = Path(env("ACTGRAD_HUB_STATE_DIR", "/srv/jupyterhub"))
COURSE_DIR = env("ACTGRAD_COURSE_DIR", f"/home/grader-{COURSE_ID}/{COURSE_ID}")
GRADER_ACCOUNT = env("ACTGRAD_GRADER_ACCOUNT", f"grader-{COURSE_ID}")
FORMGRADER_PORT = int(env("ACTGRAD_FORMGRADER_PORT", "9999"))

# --- the people ------------------------------------------------------------------------------
# Hub user names. With the PAM login below each one must also be a Unix account
# on this machine (`useradd -m NAME`), because each student's server runs as
# that account and nbgrader's exchange relies on Unix file permissions to keep
# one student's submission away from another.
INSTRUCTORS = ["instructor1"]
TEACHING_ASSISTANTS = ["ta1"]
STUDENTS = ["student1", "student2"]
GRADERS = INSTRUCTORS + TEACHING_ASSISTANTS

c.Authenticator.allowed_users = set(GRADERS + STUDENTS)
# Admins may add users, start and stop servers from the hub's admin page.
c.Authenticator.admin_users = set(INSTRUCTORS)

# Group names follow nbgrader's convention: "formgrade-<course>" may open the
# formgrader, "nbgrader-<course>" takes part in the course.
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE_ID}": {"users": GRADERS},
    f"nbgrader-{COURSE_ID}": {"users": GRADERS + STUDENTS},
}

c.JupyterHub.load_roles = [
    {
        # Graders may open the formgrader service and find it in the hub's service list.
        "name": f"formgrade-{COURSE_ID}",
        "groups": [f"formgrade-{COURSE_ID}"],
        "scopes": [
            f"access:services!service={COURSE_ID}",
            "list:services",
            f"read:services!service={COURSE_ID}",
        ],
    },
    {
        # Course members may see that the course's service exists (nbgrader's
        # course list looks for it), but not open it.
        "name": f"nbgrader-{COURSE_ID}",
        "groups": [f"nbgrader-{COURSE_ID}"],
        "scopes": ["list:services", f"read:services!service={COURSE_ID}"],
    },
    {
        # The token of each user's own server: JupyterHub's default scopes plus
        # the service scopes nbgrader's course list uses. The hub grants a server
        # only what its owner has, so a student's server never gets `access:services`.
        "name": "server",
        "scopes": [
            "users:activity!user",
            "access:servers!user",
            "list:services",
            f"read:services!service={COURSE_ID}",
            f"access:services!service={COURSE_ID}",
        ],
    },
]

# --- the formgrader, a service run by the hub ---------------------------------------------------
# The service's name must be the course id: nbgrader's course list looks for
# the formgrader at /services/<course id>/.
BIN = Path(sys.executable).parent  # the environment JupyterHub runs in
c.JupyterHub.services = [
    {
        "name": COURSE_ID,
        "url": f"http://127.0.0.1:{FORMGRADER_PORT}",
        "command": [str(BIN / "jupyterhub-singleuser")],
        "user": GRADER_ACCOUNT,
        "cwd": COURSE_DIR,
        "environment": {
            "JUPYTERHUB_DEFAULT_URL": "/lab",
            # nbgrader runs `alembic` from PATH; the course tools need the environment's bin/.
            "PATH": f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
            "ACTGRAD_COURSE_DIR": COURSE_DIR,
        },
        "oauth_no_confirm": True,
        # The server imports JupyterLab and nbgrader before it answers. On a busy
        # machine that can take longer than JupyterHub's default of 30 s, and the
        # hub exits when its managed service does not answer in time.
        "timeout": 120,
    },
]

# --- login and servers ---------------------------------------------------------------------------
# One machine, one Unix account per person: PAM checks the machine's own
# passwords and LocalProcessSpawner starts each server as its owner's account.
# Both are JupyterHub's defaults, written out here so that they are easy to change.
c.JupyterHub.authenticator_class = "pam"
c.JupyterHub.spawner_class = "localprocess"
# Create the Unix account of an allowed user that has none yet (needs root and `useradd`):
# c.LocalAuthenticator.create_system_users = True
#
# Log in with the university's accounts instead (pip install oauthenticator), e.g.:
# c.JupyterHub.authenticator_class = "generic-oauth"
# c.GenericOAuthenticator.client_id = "..."
# c.GenericOAuthenticator.client_secret = "..."
# c.GenericOAuthenticator.oauth_callback_url = "https://hub.example.org/hub/oauth_callback"
# OAuth users still need Unix accounts with LocalProcessSpawner (create_system_users above).
#
# Servers in containers (pip install dockerspawner) need the exchange folder
# mounted into every container, and the containers' users must keep distinct
# Unix ids, or the exchange cannot tell students apart:
# c.JupyterHub.spawner_class = "docker"
# c.DockerSpawner.volumes = {"/srv/nbgrader/exchange": "/srv/nbgrader/exchange"}

# Each server runs JupyterLab from the course environment (which has nbgrader).
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.environment = {"PATH": f"{BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin"}

# --- the hub itself ------------------------------------------------------------------------------
c.JupyterHub.bind_url = env("ACTGRAD_HUB_BIND_URL", "http://:8000")
c.JupyterHub.db_url = f"sqlite:///{STATE_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE_DIR / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(STATE_DIR / "jupyterhub-proxy.pid")
# The proxy comes from npm: the course's `make vendor` installs it into the clone's
# node_modules/; elsewhere `npm install -g configurable-http-proxy` puts it on PATH.
_local_proxy = Path(__file__).resolve().parent.parent.parent / "node_modules/.bin/configurable-http-proxy"
if _local_proxy.exists():
    c.ConfigurableHTTPProxy.command = [str(_local_proxy)]
# On the open internet put the hub behind HTTPS, either here or in a reverse proxy:
# c.JupyterHub.ssl_cert = "/etc/letsencrypt/live/hub.example.org/fullchain.pem"
# c.JupyterHub.ssl_key = "/etc/letsencrypt/live/hub.example.org/privkey.pem"
