"""The OS sandbox that every graded notebook's code runs in: Debian's bubblewrap.

Inside a sandbox a program sees

* a read-only Python environment with only what the exercises import
  (``.venv-grading``, made from ``requirements-exercises.lock``: NumPy,
  matplotlib, the IPython kernel), the interpreter's standard library and
  ``/usr``; not ``actgrad``, torch, nbgrader or any file of the course;
* a private, writable copy of one submission folder without its notebooks
  (its working directory, ``/submission``) and an empty ``/tmp``;
* no network, no other process of the machine, no home directory;

and it runs under limits on memory, CPU time, file size and the number of
processes. Every process it starts ends when it ends (its own PID namespace).

Grading without the sandbox takes an explicit ``ACTGRAD_GRADE_WITHOUT_SANDBOX=1``
(``tools/grade_class.py --no-sandbox``); every log line then says so.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GRADING_ENV = ROOT / ".venv-grading"
BWRAP = os.environ.get("ACTGRAD_BWRAP", "/usr/bin/bwrap")  # another path only to test the message
UNSAFE_VARIABLE = "ACTGRAD_GRADE_WITHOUT_SANDBOX"
UNSAFE_NOTE = "UNSANDBOXED (ACTGRAD_GRADE_WITHOUT_SANDBOX=1): student code runs with your rights"
INSIDE = "/submission"  # the private copy of the submission folder, as the sandbox sees it
MPL_INSIDE = "/var/matplotlib"  # matplotlib's config and font cache, writable, per sandbox
PIDS_CGROUP = Path("/sys/fs/cgroup/pids")  # cgroup v1 pids controller, where the machine has one

# Limits of one sandbox (a kernel, or the judge's worker).
MEMORY_BYTES = 4 << 30  # address space
CPU_SECONDS = 900
FILE_BYTES = 64 << 20  # largest file it may write
OPEN_FILES = 256
PROCESSES = 64  # processes and threads together (where the pids cgroup is writable)
TMP_BYTES = 256 << 20


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot start here; the message says how to fix it."""


def unsandboxed() -> bool:
    """Whether the instructor asked, explicitly, to grade without the sandbox."""
    return os.environ.get(UNSAFE_VARIABLE) == "1"


def grading_python() -> Path:
    return GRADING_ENV / "bin" / "python"


@functools.cache
def _base_prefix() -> str:
    """The standard library's installation, which the grading environment's venv points to."""
    out = subprocess.run(
        [str(grading_python()), "-I", "-c", "import sys; print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


@functools.cache
def check() -> None:
    """Raise SandboxUnavailable, with the fix, unless a sandbox can start on this machine."""
    fix_env = "run 'make env' (it creates .venv-grading from requirements-exercises.lock)"
    if not os.path.exists(BWRAP):
        raise SandboxUnavailable(
            f"grading runs every notebook in a bubblewrap sandbox, and {BWRAP} is missing: "
            "run 'make system' (or 'sudo apt-get install bubblewrap'). To grade without the sandbox, "
            f"at your own risk, set {UNSAFE_VARIABLE}=1 (make grade: GRADE_ARGS=--no-sandbox)."
        )
    if not grading_python().exists():
        raise SandboxUnavailable(f"the grading environment {GRADING_ENV} is missing: {fix_env}")
    probe = subprocess.run(
        [*_bwrap_args(None, None), str(grading_python()), "-I", "-c", "import numpy, matplotlib, ipykernel"],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        raise SandboxUnavailable(
            "the bubblewrap sandbox could not start a Python with NumPy in it "
            f"(bwrap said: {probe.stderr.strip()[-300:] or probe.returncode}). bubblewrap needs user "
            "and network namespaces: on Debian, 'sysctl -w kernel.unprivileged_userns_clone=1' "
            "and a non-zero user.max_user_namespaces; in a container, run it with namespaces allowed. "
            f"To grade without the sandbox, at your own risk, set {UNSAFE_VARIABLE}=1."
        )


def _bwrap_args(private: Path | None, mpl: Path | None) -> list[str]:
    """bubblewrap's options for a sandbox whose writable parts are `private` and `mpl`."""
    base = _base_prefix()
    args = [
        BWRAP,
        "--unshare-all",
        "--die-with-parent",
        "--uid",
        "1000",
        "--gid",
        "1000",
        "--ro-bind",
        "/usr",
        "/usr",
        "--tmpfs",
        "/usr/local",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/sbin",
        "/sbin",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--ro-bind-try",
        "/etc/ld.so.cache",
        "/etc/ld.so.cache",
        "--ro-bind-try",
        "/etc/localtime",
        "/etc/localtime",
        "--ro-bind-try",
        "/etc/fonts",
        "/etc/fonts",
        "--ro-bind",
        base,
        base,
        # the interpreter's own site-packages is not the grading environment's: hide it
        "--tmpfs",
        f"{base}/lib/python3.{_minor()}/site-packages",
        "--ro-bind",
        str(GRADING_ENV),
        str(GRADING_ENV),
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--size",
        str(TMP_BYTES),
        "--tmpfs",
        "/tmp",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--setenv",
        "OPENBLAS_NUM_THREADS",
        "1",
        "--setenv",
        "OMP_NUM_THREADS",
        "1",
        "--setenv",
        "MPLBACKEND",
        "Agg",
        "--setenv",
        "PYTHONDONTWRITEBYTECODE",
        "1",
    ]
    if "NBGRADER_EXECUTION" in os.environ:
        args += ["--setenv", "NBGRADER_EXECUTION", os.environ["NBGRADER_EXECUTION"]]
    if mpl is not None:
        args += ["--bind", str(mpl), MPL_INSIDE, "--setenv", "MPLCONFIGDIR", MPL_INSIDE]
    if private is not None:
        args += ["--bind", str(private), INSIDE, "--chdir", INSIDE]
    return [*args, "--"]


@functools.cache
def _minor() -> str:
    return next(p.name for p in (GRADING_ENV / "lib").iterdir()).removeprefix("python3.")


def _limits() -> list[str]:
    """prlimit's options: the limits every sandboxed process inherits."""
    return [
        "/usr/bin/prlimit",
        f"--as={MEMORY_BYTES}",
        f"--cpu={CPU_SECONDS}",
        f"--fsize={FILE_BYTES}",
        f"--nofile={OPEN_FILES}",
        "--core=0",
        "--",
    ]


@dataclass
class Sandbox:
    """A private copy of one submission folder, and how to run a program confined to it.

    Use it as a context manager: leaving it removes the copy and the process limit.
    """

    folder: Path
    scratch: Path = field(init=False)
    cgroup: Path | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.scratch = Path(tempfile.mkdtemp(prefix="actgrad-sandbox-"))
        private = self.scratch / "submission"
        if self.folder.is_dir():
            # No notebook goes in: the one being graded holds the hidden tests nbgrader put back.
            # A link is copied as a link, so it leads nowhere inside the sandbox.
            shutil.copytree(self.folder, private, symlinks=True,
                            ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        else:
            private.mkdir()
        prebuilt = GRADING_ENV / "matplotlib"
        if prebuilt.is_dir():
            shutil.copytree(prebuilt, self.scratch / "matplotlib")
        else:
            (self.scratch / "matplotlib").mkdir()
        if not unsandboxed():
            self.cgroup = _new_cgroup(self.scratch.name)

    @property
    def private(self) -> Path:
        return self.scratch / "submission"

    def command(
        self, argv: list[str], binds: list[tuple[str, str]] = (), writable: list[str] = ()
    ) -> list[str]:
        """The command that runs `argv` confined; `binds` read-only (outside, inside), `writable` shared."""
        if unsandboxed():
            return argv
        extra = [a for src, dest in binds for a in ("--ro-bind", src, dest)]
        extra += [a for path in writable for a in ("--bind", path, path)]
        bwrap = _bwrap_args(self.private, self.scratch / "matplotlib")
        command = [*_limits(), *bwrap[:-1], *extra, "--", *argv]
        if self.cgroup is None:
            return command
        # enter the process limit first; every process the sandbox starts inherits it
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.cgroup / "cgroup.procs"), *command]

    def env(self) -> dict[str, str] | None:
        """The environment of an unsandboxed run (None: the sandbox sets its own)."""
        if not unsandboxed():
            return None
        env = dict(os.environ, MPLCONFIGDIR=str(self.scratch / "matplotlib"), MPLBACKEND="Agg")
        env.pop("PYTHONPATH", None)
        return env

    @property
    def cwd(self) -> str:
        return str(self.private)

    def close(self) -> None:
        if self.cgroup is not None:
            _remove_cgroup(self.cgroup)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _new_cgroup(name: str) -> Path | None:
    """A pids cgroup that allows PROCESSES tasks, or None where this machine gives none."""
    try:
        group = PIDS_CGROUP / "actgrad-grading" / name
        group.mkdir(parents=True)
        (group / "pids.max").write_text(str(PROCESSES))
        return group
    except OSError:
        return None


def _remove_cgroup(group: Path) -> None:
    """Kill what is left in `group` and remove it."""
    for _ in range(50):
        try:
            pids = (group / "cgroup.procs").read_text().split()
        except OSError:
            return
        for pid in pids:
            try:
                os.kill(int(pid), 9)
            except (ProcessLookupError, ValueError):
                pass
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.02)
