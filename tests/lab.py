"""Start JupyterLab on a throw-away copy of the course, offline, on loopback.

:func:`running_lab` is a context manager used by tests/course_in_lab.py:

* the course's ``chapters/``, ``exercises/`` and nbgrader configuration are copied into a temp folder,
  which is the server's root: nothing the notebooks or the server write (saved
  notebooks, checkpoints, kernel files) reaches the working tree;
* configuration, runtime files, lab settings and workspaces, and IPython's
  history live in the temp folder too (``JUPYTER_CONFIG_DIR``,
  ``JUPYTER_RUNTIME_DIR``, ``IPYTHONDIR``). ``JUPYTER_DATA_DIR`` is left alone:
  it is where the environment's lab extensions and kernel spec are found;
* the server listens on a free port of 127.0.0.1 with a random token and is
  told not to contact other hosts (no news, no update check, read-only
  extension manager, no browser);
* the server is stopped with ``POST /api/shutdown`` on the way out, and killed
  if it does not exit, whatever happened in between.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conftest import BIN, ROOT, course_env

#: What is copied into the server's root folder (as ``make lab`` shows the course).
COURSE_FILES = ("chapters", "exercises", "nbgrader_config.py")

#: Lab settings for the temp user-settings folder: no announcements, no update
#: check, and every cell in the page (no virtual scrolling) so that the tests
#: can read every cell's prompt and outputs.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab: its address, token, root folder and process."""

    url: str
    token: str
    root: Path
    process: subprocess.Popen
    log: Path
    exit_code: int | None = field(default=None)

    def api(self, method: str, path: str, timeout: float = 10) -> bytes:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback)
            return response.read()

    def page_url(self, path: str) -> str:
        return f"{self.url}{path}{'&' if '?' in path else '?'}token={self.token}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def shutdown(self, timeout: float = 30) -> int:
        """Ask the server to stop (it stops its kernels) and wait for the process to exit."""
        if self.process.poll() is None:
            try:
                self.api("POST", "/api/shutdown", timeout=10)
            except (urllib.error.URLError, OSError):
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.terminate()
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=10)
        self.exit_code = self.process.returncode
        return self.exit_code


def _wait_until_ready(lab: Lab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {lab.process.returncode}:\n"
                               f"{lab.log_text()[-3000:]}")
        try:
            json.loads(lab.api("GET", "/api/status", timeout=5))
            return
        except (urllib.error.URLError, OSError, ValueError):
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab was not ready after {timeout:.0f} s:\n{lab.log_text()[-3000:]}")


def copy_course(destination: Path) -> Path:
    """Copy the folders a student opens in JupyterLab into ``destination``."""
    destination.mkdir(parents=True)
    for name in COURSE_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, destination / name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            shutil.copy2(ROOT / name, destination / name)
    return destination


@contextmanager
def running_lab(tmp: Path, *, startup_timeout: float = 90) -> Iterator[Lab]:
    """Run JupyterLab on a copy of the course below ``tmp``; always stop it on exit."""
    root = copy_course(tmp / "course")
    config, runtime, ipython = tmp / "config", tmp / "runtime", tmp / "ipython"
    for folder in (config, runtime, ipython):
        folder.mkdir()
    for name, values in LAB_SETTINGS.items():
        target = config / "lab" / "user-settings" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))
    port, token = free_port(), secrets.token_hex(16)
    server_config = {
        "ServerApp": {"ip": "127.0.0.1", "port": port, "port_retries": 0, "open_browser": False,
                      "root_dir": str(root),
                      "allow_root": True},
        "IdentityProvider": {"token": token},
        "LabApp": {"news_url": None, "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
                   "extension_manager": "readonly", "expose_app_in_browser": True},
    }
    (config / "jupyter_server_config.json").write_text(json.dumps(server_config, indent=1))
    env = course_env(JUPYTER_CONFIG_DIR=str(config), JUPYTER_RUNTIME_DIR=str(runtime),
                     IPYTHONDIR=str(ipython))
    log = tmp / "jupyterlab.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([str(BIN / "jupyter"), "lab", "--no-browser"], cwd=root, env=env,
                                   stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT)
    lab = Lab(f"http://127.0.0.1:{port}", token, root, process, log)
    try:
        _wait_until_ready(lab, startup_timeout)
        yield lab
    finally:
        lab.shutdown()
