"""``nbgrader`` commands for the tests, each forked from a process that has imported nbgrader once.

``python -m nbgrader ...`` spends about 2 s of CPU importing nbgrader (its
package imports Jupyter Server's handlers) before it does anything, and the
grading tests run about 45 commands. A command run here is still the real one:
nbgrader's own ``__main__`` in a process of its own, with its own working
folder, environment, arguments, output and exit status. Only the import is done
once, in a server that forks a child for each command.

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


def _run_child(request: dict) -> None:
    """In the forked child: become ``python -m nbgrader ARGV`` in ``cwd`` with ``env``; never return."""
    code = 1
    try:
        os.setsid()  # its own process group, which a timeout kills whole
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
            out = os.open(path, os.O_WRONLY | os.O_TRUNC)
            os.dup2(out, fd)
            os.close(out)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.argv = [str(Path(sys.modules["nbgrader"].__file__).with_name("__main__.py")), *request["argv"]]
        sys.path[0] = request["cwd"]  # as `python -m` puts the working folder first
        import runpy

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
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    """The server's loop: one forked child per request line, answered in order."""
    import nbgrader.apps.nbgraderapp  # noqa: F401 -- what `python -m nbgrader` imports first

    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run_child(request)
        print(json.dumps({"pid": pid}), flush=True)
        _, status = os.waitpid(pid, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)


class _Server:
    """The server process of this pytest process, started at its first command."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.pending = b""  # what the server wrote beyond the last answer read

    def start(self) -> subprocess.Popen:
        if self.process is None or self.process.poll() is not None:
            self.process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, bufsize=0, cwd="/")
            self.pending = b""
            atexit.register(self.process.kill)
        return self.process

    def answer(self, process: subprocess.Popen, timeout: float | None) -> dict:
        """The server's next line; TimeoutError if none comes within `timeout` seconds."""
        assert process.stdout is not None
        fd = process.stdout.fileno()
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


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """``python -m nbgrader ARGS`` in `cwd` with `env`, as ``subprocess.run(..., capture_output=True,
    text=True, timeout=timeout)`` would run it; a command over its `timeout` is killed, with its
    processes, and raises ``subprocess.TimeoutExpired``."""
    with _server.lock, tempfile.TemporaryDirectory(prefix="nbgrader-fork-") as folder:
        out, err = Path(folder, "stdout"), Path(folder, "stderr")
        out.touch()
        err.touch()
        process = _server.start()
        assert process.stdin is not None
        request = {"argv": args, "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err)}
        process.stdin.write(json.dumps(request).encode() + b"\n")
        process.stdin.flush()
        pid = _server.answer(process, None)["pid"]
        try:
            returncode = _server.answer(process, timeout)["returncode"]
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            _server.answer(process, None)
            raise subprocess.TimeoutExpired(["nbgrader", *args], timeout,
                                            out.read_text(errors="replace"),
                                            err.read_text(errors="replace")) from None
        command = [sys.executable, "-m", "nbgrader", *args]
        return subprocess.CompletedProcess(command, returncode, out.read_text(errors="replace"),
                                           err.read_text(errors="replace"))


if __name__ == "__main__":
    serve()
