"""The example JupyterHub deployment of ``deploy/jupyterhub/``, loaded and really started.

* The three example configuration files load with traitlets and say what
  ``deploy/jupyterhub/README.md`` says (course id, groups, roles, the
  formgrader service, the exchange), also with their environment overrides.
  This part needs no hub, so a broken file fails in a second.
* A hub is then started from ``deploy/jupyterhub/jupyterhub_config.py`` on free
  loopback ports, in temporary folders, through a small override file that
  swaps the real login and spawner for JupyterHub's test ones
  (``DummyAuthenticator``, ``SimpleLocalProcessSpawner``: every user's server
  runs as the account running the test, with its home in the temp folder).
  The example nbgrader configs are installed where a real machine would have
  them (a ``jupyter --paths`` config folder, the grader account's ``~/.jupyter``).
  The tests check that the hub lists the formgrader service and the course
  groups, that a grader reaches the formgrader through the proxy and a student
  does not, and one assignment's trip through the exchange: a grader releases it
  from the formgrader, one student fetches and submits it from the server the
  hub spawned for them (what the Assignments tab does), a second student does
  the same with the ``nbgrader`` commands, and the instructor's ``nbgrader
  collect`` (the step before ``make grade``) brings both submissions into the
  course's ``submitted/`` folder, where the formgrader sees them.
* The last test stops everything and checks that no process is left.

The hub needs ``node_modules/.bin/configurable-http-proxy`` (``make vendor``).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
import requests
from traitlets.config.loader import PyFileConfigLoader

from conftest import BIN, ROOT
from nbgrader_course import make_course

pytestmark = pytest.mark.slow

DEPLOY = ROOT / "deploy" / "jupyterhub"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE_ID = "activation-gradients"
ASSIGNMENT = "01_sigmoid_tanh"
NOTEBOOK = "sigmoid_tanh.ipynb"
SERVICE = f"/services/{COURSE_ID}"
STARTUP_SECONDS = 120  # how long a start may take on a busy machine before a test fails
OWN_VARIABLES = ("ACTGRAD_", "JUPYTER", "JUPYTERHUB_")  # never inherited from the test's environment


# --- the configuration files, without a hub -------------------------------------------------

def load_config(name: str, **environ: str):
    """Execute one example file the way JupyterHub or nbgrader does, under `environ`."""
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("ACTGRAD_")}
    os.environ.update(environ)
    try:
        return PyFileConfigLoader(name, path=str(DEPLOY)).load_config()
    finally:
        for key in environ:
            del os.environ[key]
        os.environ.update(saved)


def test_the_example_configs_load_and_describe_the_course() -> None:
    config = load_config("jupyterhub_config.py").JupyterHub
    (service,) = config.services
    assert service["name"] == COURSE_ID and service["url"] == "http://127.0.0.1:9999"
    assert Path(service["command"][0]).name == "jupyterhub-singleuser"
    assert service["user"] == f"grader-{COURSE_ID}"
    assert service["timeout"] >= STARTUP_SECONDS, "the hub exits when its formgrader is slow to start"
    default_course = service["cwd"]
    assert default_course == f"/home/grader-{COURSE_ID}/{COURSE_ID}"
    groups = config.load_groups
    graders = set(groups[f"formgrade-{COURSE_ID}"]["users"])
    members = set(groups[f"nbgrader-{COURSE_ID}"]["users"])
    assert graders and graders < members
    roles = {role["name"]: role for role in config.load_roles}
    assert f"access:services!service={COURSE_ID}" in roles[f"formgrade-{COURSE_ID}"]["scopes"]
    assert not any(s.startswith("access:") for s in roles[f"nbgrader-{COURSE_ID}"]["scopes"])
    for role in roles.values():
        assert set(role.get("groups", [])) <= set(groups)
        for scope in role["scopes"]:
            assert scope.split("!")[0] in scope_names(), f"{role['name']}: no such scope {scope}"
    assert (config.authenticator_class, config.spawner_class) == ("pam", "localprocess")
    if PROXY.exists():
        assert load_config("jupyterhub_config.py").ConfigurableHTTPProxy.command == [str(PROXY)]

    moved = load_config("jupyterhub_config.py", ACTGRAD_HUB_STATE_DIR="/tmp/hub-state",
                        ACTGRAD_COURSE_DIR="/tmp/course", ACTGRAD_GRADER_ACCOUNT="",
                        ACTGRAD_FORMGRADER_PORT="12345", ACTGRAD_HUB_BIND_URL="http://127.0.0.1:4567")
    (service,) = moved.JupyterHub.services
    assert (service["url"], service["cwd"], service["user"]) == ("http://127.0.0.1:12345", "/tmp/course", "")
    assert moved.JupyterHub.bind_url == "http://127.0.0.1:4567"
    assert moved.JupyterHub.db_url == "sqlite:////tmp/hub-state/jupyterhub.sqlite"

    everyone = load_config("nbgrader_config.py")
    assert everyone.CourseDirectory.course_id == COURSE_ID
    assert everyone.Exchange.root == "/srv/nbgrader/exchange"
    assert load_config("nbgrader_config.py", ACTGRAD_EXCHANGE_ROOT="/x").Exchange.root == "/x"
    grader = load_config("grader_nbgrader_config.py")
    assert grader.CourseDirectory.root == default_course
    assert load_config("grader_nbgrader_config.py", ACTGRAD_COURSE_DIR="/c").CourseDirectory.root == "/c"


def scope_names() -> set[str]:
    from jupyterhub.scopes import scope_definitions

    return set(scope_definitions)


def test_the_readme_names_every_step_and_file() -> None:
    readme = (DEPLOY / "README.md").read_text()
    for needed in ("jupyterhub_config.py", "nbgrader_config.py", "grader_nbgrader_config.py",
                   "chmod 777", "release_assignment", "fetch_assignment", "nbgrader submit",
                   "nbgrader collect", "make grade ASSIGNMENT=", f"formgrade-{COURSE_ID}",
                   f"nbgrader-{COURSE_ID}"):
        assert needed in readme, needed


# --- a running hub ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


OVERRIDE = '''\
# Written by tests/test_jupyterhub.py: the example deployment with a throw-away
# login and spawner, on the test's own ports and folders.
c = get_config()
load_subconfig({example!r})
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
# What /etc/jupyter and /srv/nbgrader would give every server of a real machine.
shared = {shared!r}
c.Spawner.environment.update(shared)
c.Spawner.args = {server_args!r}
c.Spawner.start_timeout = c.Spawner.http_timeout = {startup}
service = c.JupyterHub.services[0]
service["command"] += {server_args!r}
service["environment"].update(shared, HOME={grader_home!r})
# The test's own client of the hub's REST API.
c.JupyterHub.services.append({{"name": "pytest", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{
    "name": "pytest",
    "services": ["pytest"],
    "scopes": ["admin:users", "tokens", "list:groups", "read:groups", "list:services", "read:services"],
}})
'''


class Hub:
    """A JupyterHub process started from the example config, and what the tests need around it."""

    def __init__(self, tmp: Path, course: Path) -> None:
        self.tmp, self.course = tmp, course
        self.exchange = tmp / "exchange"
        self.etc = tmp / "etc-jupyter"  # stands for /etc/jupyter
        self.homes = tmp / "home"
        self.grader_home = tmp / "grader-home"
        self.state = tmp / "hub-state"
        for folder in (self.exchange, self.etc, self.homes, self.grader_home / ".jupyter", self.state):
            folder.mkdir(parents=True)
        self.exchange.chmod(0o777)
        shutil.copy(DEPLOY / "nbgrader_config.py", self.etc / "nbgrader_config.py")
        shutil.copy(DEPLOY / "grader_nbgrader_config.py",
                    self.grader_home / ".jupyter" / "nbgrader_config.py")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        self.shared = {"JUPYTER_CONFIG_PATH": str(self.etc), "ACTGRAD_EXCHANGE_ROOT": str(self.exchange)}
        root = os.geteuid() == 0  # Jupyter servers refuse root unless told
        override = self.tmp / "jupyterhub_config.py"
        override.write_text(OVERRIDE.format(
            example=str(DEPLOY / "jupyterhub_config.py"), homes=str(self.homes), hub_port=free_port(),
            proxy_api_port=free_port(), shared=self.shared, server_args=["--allow-root"] if root else [],
            grader_home=str(self.grader_home), token=self.token, startup=STARTUP_SECONDS))
        self.environ = self.clean_environ(
            HOME=str(tmp), ACTGRAD_HUB_BIND_URL=self.url, ACTGRAD_HUB_STATE_DIR=str(self.state),
            ACTGRAD_COURSE_DIR=str(course), ACTGRAD_GRADER_ACCOUNT="",
            ACTGRAD_FORMGRADER_PORT=str(free_port()))
        self.log = tmp / "jupyterhub.log"
        self.http = requests.Session()
        self.http.trust_env = False  # never through a proxy of the environment
        self.tokens: dict[str, str] = {}
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [str(BIN / "jupyterhub"), "-f", str(override)], cwd=self.state, env=self.environ,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.processes: set[psutil.Process] = {psutil.Process(self.process.pid)}

    @staticmethod
    def clean_environ(**extra: str) -> dict[str, str]:
        """The test's environment without Jupyter's or the course's variables, plus `extra`."""
        environ = {k: v for k, v in os.environ.items() if not k.startswith(OWN_VARIABLES)}
        environ.update(PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", **extra)
        return environ

    def log_tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])

    def remember_children(self) -> None:
        """Note the proxy, the service and the servers: each runs in a session of its own."""
        for process in list(self.processes):
            try:
                self.processes.update(process.children(recursive=True))
            except psutil.NoSuchProcess:
                pass

    def wait_until(self, what: str, ready, seconds: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"JupyterHub exited while waiting for {what}:\n{self.log_tail()}")
            try:
                if ready():
                    self.remember_children()
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.25)
        pytest.fail(f"no {what} after {seconds} s:\n{self.log_tail()}")

    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        """A request to the hub's REST API (with the test's own token unless another is given)."""
        return self.http.request(method, f"{self.url}/hub/api{path}", timeout=30,
                                 headers={"Authorization": f"token {token or self.token}"}, **kwargs)

    def get(self, path: str, user: str, **kwargs) -> requests.Response:
        """GET `path` through the proxy as `user`."""
        return self.http.get(self.url + path, headers=self.auth(user), **{"timeout": 60, **kwargs})

    def post(self, path: str, user: str, **kwargs) -> requests.Response:
        """POST to `path` through the proxy as `user`."""
        return self.http.post(self.url + path, headers=self.auth(user), **{"timeout": 60, **kwargs})

    def auth(self, user: str) -> dict[str, str]:
        """The header of an API token of `user`, made by the hub with all of that user's permissions."""
        if user not in self.tokens:
            answer = self.api("POST", f"/users/{user}/tokens", json={"note": "tests/test_jupyterhub.py"})
            assert answer.status_code == 201, answer.text
            self.tokens[user] = answer.json()["token"]
        return {"Authorization": f"token {self.tokens[user]}"}

    def start_server(self, user: str) -> None:
        """Start `user`'s own server through the hub, as the hub's home page does."""
        self.auth(user)
        answer = self.api("POST", f"/users/{user}/server", token=self.tokens[user])
        assert answer.status_code in (201, 202), answer.text

        def ready() -> bool:
            model = self.api("GET", f"/users/{user}", token=self.tokens[user]).json()
            return bool(model["servers"].get("", {}).get("ready"))

        self.wait_until(f"{user}'s server", ready)

    def nbgrader(self, *args: str, home: Path) -> subprocess.CompletedProcess:
        """An ``nbgrader`` command run in `home` by the person whose home it is."""
        environ = self.clean_environ(HOME=str(home), **self.shared, ACTGRAD_COURSE_DIR=str(self.course))
        done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=home, env=environ,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done

    def strays(self) -> set[psutil.Process]:
        """Processes working in the test's folders (the servers, the service, the proxy), but not this one."""
        folders = (str(self.tmp), str(self.course))
        found = set()
        for process in psutil.process_iter():
            try:
                if process.pid != os.getpid() and process.cwd().startswith(folders):
                    found.add(process)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                pass
        return found

    def stop(self) -> list[psutil.Process]:
        """Stop the hub and everything it started; return the processes still alive after that.

        The servers, the service and the proxy each run in a session of their own.
        The hub gets SIGTERM first (so it restarts nothing), then each of them
        (Jupyter servers and the proxy stop at once on it); whatever is left after
        that is killed.
        """
        self.remember_children()
        self.http.close()
        if self.process.poll() is None:
            self.process.terminate()
        for process in self.processes | self.strays():
            if process.pid != self.process.pid:
                with contextlib.suppress(psutil.NoSuchProcess):
                    process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        _, alive = psutil.wait_procs(list(self.processes | self.strays()), timeout=5)
        for process in alive:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        psutil.wait_procs(alive, timeout=5)
        return [p for p in self.processes | self.strays() if alive_and_not_zombie(p)]


def alive_and_not_zombie(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    if not PROXY.exists():
        pytest.fail("configurable-http-proxy is missing from node_modules/: "
                    "run `make vendor` (make test does).")
    course = make_course(tmp_path_factory, [ASSIGNMENT])  # a course copy after generate_assignment
    hub = Hub(tmp_path_factory.mktemp("jupyterhub"), course)
    try:
        hub.wait_until("hub API", lambda: hub.http.get(f"{hub.url}/hub/api/", timeout=5).ok)
        hub.wait_until("formgrader behind the proxy",
                       lambda: hub.get(f"{SERVICE}/api/status", "instructor1", timeout=5).ok)
        yield hub
    finally:
        hub.stop()


def test_the_hub_lists_the_formgrader_service_and_the_course_groups(hub: Hub) -> None:
    services = hub.api("GET", "/services").json()
    assert services[COURSE_ID]["prefix"] == f"{SERVICE}/"
    assert services[COURSE_ID]["pid"], "the hub runs the formgrader as a managed service"
    groups = {g["name"]: set(g["users"]) for g in hub.api("GET", "/groups").json()}
    assert groups[f"formgrade-{COURSE_ID}"] == {"instructor1", "ta1"}
    assert groups[f"nbgrader-{COURSE_ID}"] == {"instructor1", "ta1", "student1", "student2"}


def test_graders_reach_the_formgrader_through_the_proxy_and_students_do_not(hub: Hub) -> None:
    assignments = hub.get(f"{SERVICE}/formgrader/api/assignments", "ta1")
    assert assignments.status_code == 200, assignments.text
    # The service serves the course folder: it sees the gradebook that generate_assignment filled.
    (assignment,) = assignments.json()
    assert (assignment["name"], assignment["status"]) == (ASSIGNMENT, "draft")
    assert hub.get(f"{SERVICE}/formgrader/api/assignments", "student1").status_code == 403
    anonymous = hub.http.get(f"{hub.url}{SERVICE}/formgrader/api/assignments", timeout=30,
                             allow_redirects=False)
    assert anonymous.status_code in (302, 403)


def test_an_assignment_goes_round_the_exchange(hub: Hub) -> None:
    outbound = hub.exchange / COURSE_ID / "outbound" / ASSIGNMENT / NOTEBOOK
    form = {"course_id": COURSE_ID, "assignment_id": ASSIGNMENT}

    # A grader releases it from the formgrader.
    released = hub.post(f"{SERVICE}/formgrader/api/assignment/{ASSIGNMENT}/release", "ta1")
    assert released.status_code == 200 and released.json()["success"], released.text
    assert outbound.is_file()

    # student1 fetches and submits it from their own server, as the Assignments tab does. All
    # users share one Unix account here, so their server is told its student id; on a real
    # machine nbgrader takes it from the Unix account.
    student1 = hub.homes / "student1"
    (student1 / ".jupyter").mkdir(parents=True)
    (student1 / ".jupyter" / "nbgrader_config.py").write_text('c.CourseDirectory.student_id = "student1"\n')
    hub.start_server("student1")
    listed = hub.get("/user/student1/assignments", "student1", params={"course_id": COURSE_ID}).json()
    assert [a["status"] for a in listed["value"]] == ["released"], listed
    for action in ("fetch", "submit"):
        done = hub.post(f"/user/student1/assignments/{action}", "student1", data=form)
        assert done.status_code == 200 and done.json()["success"], done.text
    assert (student1 / ASSIGNMENT / NOTEBOOK).is_file()

    # student2 does the same with the nbgrader commands.
    student2 = hub.homes / "student2"
    student2.mkdir()
    hub.nbgrader("fetch_assignment", ASSIGNMENT, home=student2)
    hub.nbgrader("submit", ASSIGNMENT, "--CourseDirectory.student_id=student2", home=student2)
    inbound = sorted(p.name.split("+")[0] for p in (hub.exchange / COURSE_ID / "inbound").iterdir())
    assert inbound == ["student1", "student2"]

    # The instructor collects from the grader account's home: its nbgrader_config.py finds the course.
    collected = hub.nbgrader("collect", ASSIGNMENT, home=hub.grader_home)
    assert "Collecting submission: student2" in collected.stdout + collected.stderr
    for student in ("student1", "student2"):
        assert (hub.course / "submitted" / student / ASSIGNMENT / NOTEBOOK).is_file()
    submissions = hub.get(f"{SERVICE}/formgrader/api/submissions/{ASSIGNMENT}", "instructor1").json()
    assert {s["student"] for s in submissions} == {"student1", "student2"}


def test_the_hub_stops_without_leaving_a_process(hub: Hub) -> None:
    hub.remember_children()
    assert len(hub.processes) >= 4, "hub, proxy, formgrader service and a student's server"
    assert hub.stop() == []
    assert hub.process.returncode is not None
