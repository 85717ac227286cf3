"""``nbgrader`` commands for the tests, each forked from a process that has imported nbgrader once.

``python -m nbgrader ...`` spends about 2 s of CPU importing nbgrader (its
package imports Jupyter Server's handlers) before it does anything, and the
grading tests run about 45 commands. A command run here is still the real one:
nbgrader's own ``__main__`` in a process of its own, with its own working
folder, environment, arguments, output and exit status. Only the import is done
once, in a server that forks a child for each command.

What Python reads once, when it starts (``PYTHON*`` variables, locale, time
zone) and what the imported packages read at import (``JUPYTER_*``,
``TRAITLETS_*``) come from the server's environment: a command whose
environment differs there runs as a fresh ``python -m nbgrader`` instead.

Run as a script, this file is that server: it reads one request per line on
stdin (JSON: ``argv``, ``cwd``, ``env`` and the files for the child's
``stdout`` and ``stderr``), and answers each with two lines, the child's pid as
soon as it runs, then its exit status.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

# Variables read when Python starts or when the server imports nbgrader, not later.
READ_AT_START = ("PYTHON", "LANG", "LC_", "TZ", "JUPYTER_", "TRAITLETS_")


def _run_child(request: dict, answers: int) -> None:
    """In the forked child: become ``python -m nbgrader ARGV`` in ``cwd`` with ``env``; never return."""
    code = 1
    try:
        os.close(answers)
        os.setsid()  # its own session: a timeout kills its process group
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            out = os.open(path, os.O_WRONLY | os.O_TRUNC)
            os.dup2(out, fd)
            os.close(out)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        # as a fresh Python opens them for files
        sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = sys.__stderr__ = open(2, "w", buffering=1, encoding="utf-8",  # noqa: SIM115
                                           errors="backslashreplace", closefd=False)
        sys.stdin = sys.__stdin__ = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.path[0] = request["cwd"]  # as `python -m` puts the working folder first
        import runpy

        sys.argv = ["nbgrader", *request["argv"]]  # run_module sets argv[0] to nbgrader's __main__.py
        try:
            runpy.run_module("nbgrader", run_name="__main__", alter_sys=True)
            code = 0
        except SystemExit as stop:
            code = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
            if not isinstance(stop.code, int | None):
                print(stop.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(BaseException):
            atexit._run_exitfuncs()  # what Python runs at its end (logging's shutdown, nbclient's cleanup)
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    """The server's loop: one forked child per request line, answered in order on the original stdout.

    Anything printed to stdout afterwards (by an imported module, say) goes to
    stderr, and cannot break the answers.
    """
    answers = os.dup(1)
    os.dup2(2, 1)
    import nbgrader.apps.nbgraderapp  # noqa: F401 -- what `python -m nbgrader` imports first

    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run_child(request, answers)
        os.write(answers, json.dumps({"pid": pid}).encode() + b"\n")
        _, status = os.waitpid(pid, 0)
        os.write(answers, json.dumps({"returncode": os.waitstatus_to_exitcode(status)}).encode() + b"\n")


class _Server:
    """The server process of this pytest process, started at its first command."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.env: dict[str, str] = {}
        self.pending = b""  # what the server wrote beyond the last answer read

    def start(self, env: dict[str, str]) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, bufsize=0, cwd="/", env=env)
            self.env, self.pending = env, b""
            atexit.register(self.process.kill)
        return self.process

    def fits(self, env: dict[str, str]) -> bool:
        """Whether a command with `env` may run in a child of the server (see READ_AT_START)."""
        keys = {key for key in env.keys() | self.env.keys() if key.startswith(READ_AT_START)}
        return self.process is None or all(env.get(key) == self.env.get(key) for key in keys)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def answer(self, timeout: float | None) -> dict:
        """The server's next line; TimeoutError if none comes within `timeout` seconds."""
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self.pending:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, 4096)
            if not chunk:
                raise RuntimeError("the nbgrader fork server stopped")
            self.pending += chunk
        line, self.pending = self.pending.split(b"\n", 1)
        return json.loads(line)


_server = _Server()


def _kill(pid: int | None) -> None:
    """Kill a forked command and its process group."""
    if pid is not None:
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError):
                kill(pid, signal.SIGKILL)


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """``python -m nbgrader ARGS`` in `cwd` with `env`, as ``subprocess.run(..., capture_output=True,
    text=True, timeout=timeout)`` would run it.

    A command over its `timeout` is killed with its process group (the kernels
    it started have their own, and die with their sandbox) and raises
    ``subprocess.TimeoutExpired``.
    """
    command = [sys.executable, "-m", "nbgrader", *args]
    if not Path(cwd).is_dir():
        raise FileNotFoundError(f"no folder {cwd} to run nbgrader in")
    with _server.lock, tempfile.TemporaryDirectory(prefix="nbgrader-fork-") as folder:
        if not _server.fits(env):
            return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                                  check=False)
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        out.touch()
        err.touch()
        process = _server.start(env)
        pid = None
        try:
            request = {"argv": args, "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
            data = json.dumps(request).encode() + b"\n"
            while data:
                data = data[process.stdin.write(data):]
            pid = _server.answer(None)["pid"]
            returncode = _server.answer(timeout)["returncode"]
        except TimeoutError:
            _kill(pid)
            try:
                _server.answer(30)  # the killed command's exit status
            except Exception:
                _server.stop()
            raise subprocess.TimeoutExpired(command, timeout, out.read_text("utf-8", "replace"),
                                            err.read_text("utf-8", "replace")) from None
        except BaseException:  # the answers may be out of step: the next command starts a new server
            _kill(pid)
            _server.stop()
            raise
        return subprocess.CompletedProcess(command, returncode, out.read_text("utf-8", "replace"),
                                           err.read_text("utf-8", "replace"))


if __name__ == "__main__":
    serve()
