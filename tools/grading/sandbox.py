"""The OS sandbox that every graded notebook's code runs in: Debian's bubblewrap.

Inside a sandbox a program sees

* a read-only Python environment with only what the exercises import
  (``.venv-grading``, made from ``requirements-exercises.lock``: NumPy,
  matplotlib, the IPython kernel), the interpreter's standard library and
  ``/usr``; not ``actgrad``, torch, nbgrader or any file of the course;
* a private, writable copy of one submission folder without its notebooks
  (its working directory, ``/submission``, in the sandbox's own memory, 256 MB
  at most) and an empty ``/tmp`` (256 MB);
* no network, no other process of the machine, no home directory;

and it runs under limits on memory, CPU time, file size and the number of
processes (the last two for the whole sandbox where root can make cgroups).
Every process it starts ends when it ends (its own PID namespace).

Grading without the sandbox takes an explicit ``ACTGRAD_GRADE_WITHOUT_SANDBOX=1``
(``tools/grade_class.py --no-sandbox``); every log line then says so.
"""

from __future__ import annotations

import functools
import itertools
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GRADING_ENV = ROOT / ".venv-grading"
BWRAP = os.environ.get("ACTGRAD_BWRAP", "/usr/bin/bwrap")  # another path only to test the message
UNSAFE_VARIABLE = "ACTGRAD_GRADE_WITHOUT_SANDBOX"
UNSAFE_NOTE = "UNSANDBOXED (ACTGRAD_GRADE_WITHOUT_SANDBOX=1): student code runs with your rights"
INSIDE = "/submission"  # the private copy of the submission folder, as the sandbox sees it
_serial = itertools.count()
MPL_INSIDE = "/tmp/matplotlib"  # matplotlib's config dir with its prebuilt font cache
CGROUPS = Path("/sys/fs/cgroup")  # cgroup v1 controllers, where the machine has them
FIRST_FD = 10  # the files of the private copy are passed to bubblewrap from here on
MAX_FILES = 100  # files of a submission folder copied into the sandbox

# Limits of one sandbox (a kernel, or the judge's worker).
MEMORY_BYTES = 4 << 30  # address space
CPU_SECONDS = 900
FILE_BYTES = 64 << 20  # largest file it may write
OPEN_FILES = 256
PROCESSES = 64  # processes and threads together (where the pids cgroup is writable)
TMP_BYTES = 256 << 20
SUBMISSION_BYTES = 256 << 20  # the private copy and what the program writes next to it


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
        [*_bwrap_args(), "--", str(grading_python()), "-I", "-c", "import numpy, matplotlib, ipykernel"],
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


def _bwrap_args() -> list[str]:
    """bubblewrap's options for a sandbox, up to the private copy of the submission."""
    base = _base_prefix()
    return [
        BWRAP, "--unshare-all", "--die-with-parent", "--uid", "1000", "--gid", "1000",
        # the empty /tmp first: the binds below may lie under the machine's /tmp
        "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
        "--ro-bind", "/usr", "/usr", "--tmpfs", "/usr/local",
        "--symlink", "usr/bin", "/bin", "--symlink", "usr/sbin", "/sbin",
        "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
        "--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
        "--ro-bind-try", "/etc/localtime", "/etc/localtime",
        "--ro-bind-try", "/etc/fonts", "/etc/fonts",
        "--ro-bind", base, base,
        # the interpreter's own site-packages is not the grading environment's: hide it
        "--tmpfs", f"{base}/lib/python3.{_minor()}/site-packages",
        "--ro-bind", str(GRADING_ENV), str(GRADING_ENV),
        "--proc", "/proc", "--dev", "/dev",
        "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
        "--setenv", "LANG", "C.UTF-8", "--setenv", "OPENBLAS_NUM_THREADS", "1",
        "--setenv", "OMP_NUM_THREADS", "1", "--setenv", "MPLBACKEND", "Agg",
        "--setenv", "PYTHONDONTWRITEBYTECODE", "1",
        *(["--setenv", "NBGRADER_EXECUTION", os.environ["NBGRADER_EXECUTION"]]
          if "NBGRADER_EXECUTION" in os.environ else []),
    ]


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
    """How to run a program confined, with a private copy of one submission folder.

    The copy lives in the sandbox's own size-limited memory (``/submission``):
    bubblewrap copies each file in from a descriptor this side opens, so
    nothing the program writes reaches the machine's disk. Notebooks are left
    out (the one being graded holds the hidden tests nbgrader put back), and so
    are links. Use it as a context manager: leaving it removes the limits.
    """

    folder: Path
    cgroups: list[Path] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if not unsandboxed():
            self.cgroups = _new_cgroups(f"sandbox-{os.getpid()}-{next(_serial)}")

    def files(self) -> tuple[list[str], list[tuple[Path, str]]]:
        """The folders and (file, path inside) of the private copy."""
        folders, files = [], []
        if self.folder.is_dir():
            for path in sorted(self.folder.rglob("*")):
                relative = path.relative_to(self.folder)
                if path.is_symlink() or ".ipynb_checkpoints" in relative.parts or path.suffix == ".ipynb":
                    continue
                if path.is_dir():
                    folders.append(f"{INSIDE}/{relative}")
                elif path.is_file() and len(files) < MAX_FILES:
                    files.append((path, f"{INSIDE}/{relative}"))
        fontlist = sorted((GRADING_ENV / "matplotlib").glob("fontlist-*.json"))
        files += [(path, f"{MPL_INSIDE}/{path.name}") for path in fontlist]
        return folders, files

    def command(self, argv: list[str], binds: list[tuple[str, str]] = (),
                writable: list[str] = ()) -> list[str]:
        """The command that runs `argv` confined; `binds` read-only (outside, inside), `writable` shared."""
        if unsandboxed():
            return argv
        folders, files = self.files()
        copy = ["--size", str(SUBMISSION_BYTES), "--tmpfs", INSIDE, "--dir", MPL_INSIDE,
                "--setenv", "MPLCONFIGDIR", MPL_INSIDE]
        copy += [a for folder in folders for a in ("--dir", folder)]
        copy += [a for fd, (_, inside) in enumerate(files, FIRST_FD) for a in ("--file", str(fd), inside)]
        extra = [a for src, dest in binds for a in ("--ro-bind", src, dest)]
        extra += [a for path in writable for a in ("--bind", path, path)]
        bwrap = [*_bwrap_args(), *copy, "--chdir", INSIDE, *extra, "--", *argv]
        # bash (dash opens no descriptor above 9) enters the cgroups (every process the sandbox
        # starts inherits them) and opens the files to copy, then becomes prlimit, then bubblewrap.
        enter = "".join(f'echo $$ > "{group}/cgroup.procs" && ' for group in self.cgroups)
        fds = range(FIRST_FD, FIRST_FD + len(files))
        opens = "".join(f'exec {fd}<"${n}" && ' for n, fd in enumerate(fds, 1))
        script = f"{enter}{opens}shift {len(files)} && exec \"$@\""
        return ["/bin/bash", "-c", script, "sandbox", *(str(path) for path, _ in files), *_limits(), *bwrap]

    def env(self) -> dict[str, str] | None:
        """The environment of an unsandboxed run (None: the sandbox sets its own)."""
        if not unsandboxed():
            return None
        env = dict(os.environ, MPLBACKEND="Agg")
        env.pop("PYTHONPATH", None)
        return env

    @property
    def cwd(self) -> str:
        """Where to start the command: the folder itself only when unsandboxed."""
        return str(self.folder) if unsandboxed() and self.folder.is_dir() else "/"

    def close(self) -> None:
        for group in self.cgroups:
            _remove_cgroup(group)
        self.cgroups = []

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def not_plain(folder: Path) -> list[str]:
    """The entries of a submitted folder that are links or special files (relative paths).

    Copying them, as nbgrader does, would read whatever they point to with the grader's rights.
    """
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.is_symlink() or not (p.is_file() or p.is_dir()))


def _new_cgroups(name: str) -> list[Path]:
    """A pids cgroup of PROCESSES tasks and a memory cgroup of MEMORY_BYTES, where the machine gives them.

    They need root and cgroup v1's controllers at /sys/fs/cgroup/<controller>; without them the
    per-process limits of prlimit still hold.
    """
    groups = []
    for controller, settings in (("pids", {"pids.max": PROCESSES}),
                                 ("memory", {"memory.limit_in_bytes": MEMORY_BYTES,
                                             "memory.memsw.limit_in_bytes": MEMORY_BYTES})):
        group = CGROUPS / controller / "actgrad-grading" / name
        try:
            group.mkdir(parents=True)
            groups.append(group)
            for key, value in settings.items():
                if (group / key).exists():
                    (group / key).write_text(str(value))
        except OSError:
            continue
    return groups


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
