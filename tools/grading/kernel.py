"""Autograding's kernel, confined: nbgrader's Execute with the kernel in the sandbox and no hidden test in it.

The kernel talks to nbgrader over Unix sockets (ZeroMQ's ``ipc`` transport) in
a folder shared with the sandbox: the sandbox has no network, not even the
machine's loopback. Hidden tests never reach the student's kernel: while it
runs, each test cell holds only its visible part. The hidden part is judged
outside the kernel (``grading.judge``), so nothing the student's code does in
the kernel can see it, print it or change its verdict.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute
from traitlets import Integer

from grading import sandbox

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
SOCKETS_INSIDE = "/run/kernel"


def visible_part(source: str) -> str:
    """A test cell's source without its hidden tests."""
    return HIDDEN.sub("", source)


class SandboxedKernelClient(AsyncKernelClient):
    """A client without the heartbeat channel, whose blocking ping would hang the grader forever on a
    kernel that the student's code has wedged; timeouts and the process itself tell a dead kernel."""

    def start_channels(self, *args: Any, **kwargs: Any) -> None:
        kwargs["hb"] = False
        super().start_channels(*args, **kwargs)


class SandboxedKernelManager(AsyncKernelManager):
    """Starts the kernel inside a sandbox holding a private copy of its working folder."""


    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client_factory = SandboxedKernelClient
        self._sockets = Path(tempfile.mkdtemp(prefix="actgrad-kernel-"))
        os.chmod(self._sockets, 0o755)
        self.transport = "ipc"
        self.ip = str(self._sockets / "k")
        self.connection_file = str(self._sockets / "kernel.json")
        self._sandbox: sandbox.Sandbox | None = None

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        self._sandbox = sandbox.Sandbox(Path(kw.get("cwd") or os.getcwd()))
        # the kernelspec's own interpreter is the course's; the sandbox runs the grading environment's
        launcher = kernel_cmd.index("ipykernel_launcher") if "ipykernel_launcher" in kernel_cmd else 2
        argv = [str(sandbox.grading_python()), "-m", "ipykernel_launcher", *kernel_cmd[launcher + 1 :]]
        if sandbox.unsandboxed():
            kw["env"] = self._sandbox.env()
        kw["cwd"] = self._sandbox.cwd
        return self._sandbox.command(argv, writable=[str(self._sockets)]), kw

    async def _async_interrupt_kernel(self) -> None:
        """SIGINT to the kernel alone: sent to the process group, it would also reach bubblewrap,
        which dies of it and takes the kernel along; sent as a message, it would wait forever on
        a kernel whose sockets the student's code has broken."""
        process = getattr(self.provisioner, "process", None)
        if process is None or process.poll() is not None:
            return
        pid = process.pid
        while children := _children(pid):  # bwrap -> bwrap (the sandbox's init) -> the kernel
            pid = children[0]
        if pid != process.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT)

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        """Kill the sandbox at once: a graceful shutdown request would wait forever on a kernel
        whose sockets the student's code has broken, and the sandbox keeps nothing worth saving."""
        self.shutting_down = True
        self.stop_restarter()
        if self.has_kernel:
            await self._async_kill_kernel()
        await self._async_cleanup_resources(restart=restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart)
        if not restart:
            if self._sandbox is not None:
                self._sandbox.close()
            shutil.rmtree(self._sockets, ignore_errors=True)

    # AsyncKernelManager binds these names to KernelManager's own coroutines: point them at ours.
    interrupt_kernel = _async_interrupt_kernel
    shutdown_kernel = _async_shutdown_kernel
    cleanup_resources = _async_cleanup_resources


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class SubmissionRefused(RuntimeError):
    """A submission that is not graded at all, and why."""


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in the sandbox and only the visible tests in the kernel."""

    max_output_chars = Integer(
        1_000_000, help="Characters of output a cell may keep; the rest is dropped as it arrives."
    ).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        kwargs["kernel_manager_class"] = SandboxedKernelManager
        super().__init__(**kwargs)
        self._kept: dict[int, int] = {}

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> Any:
        """Keep at most `max_output_chars` of a cell's output: a flood never fills the grader's memory."""
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
        kept = self._kept.get(cell_index, 0)
        self._kept[cell_index] = kept + size
        if kept + size <= self.max_output_chars:
            return super().output(outs, msg, display_id, cell_index)
        if kept <= self.max_output_chars:  # the first output over the limit: say so, once
            outs.append(new_output("stream", name="stdout",  # stderr in a test cell fails it
                                   text=f"\n[output cut: more than {self.max_output_chars} characters]\n"))
        return None

    def preprocess(self, nb, resources, *args, **kwargs):  # noqa: ANN001, ANN201, D102
        if sandbox.unsandboxed():
            self.log.warning(sandbox.UNSAFE_NOTE)
        else:
            sandbox.check()
        info = resources.get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        submitted = Path(coursedir.format_path(coursedir.submitted_directory, info.get("student", "."),
                                               info.get("assignment", ".")))
        if submitted.is_dir() and (odd := sandbox.not_plain(submitted)):
            raise SubmissionRefused(f"{submitted} holds {odd[0]}, a link or special file: nothing is graded "
                                    "(links could read the course's files); ask for plain files")
        full = {}
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "### BEGIN HIDDEN TESTS" in cell.source:
                full[index] = cell.source
                cell.source = visible_part(cell.source)
        try:
            return super().preprocess(nb, resources, *args, **kwargs)
        finally:
            for index, source in full.items():
                nb.cells[index].source = source
