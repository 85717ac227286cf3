"""Time plain serial nbgrader against tools/grade_class.py, sandboxed and judged; print the figures.

    make bench-grading                                # 200 submissions of 02_relu_family
    make bench-grading BENCH_ARGS="--students 40"     # a quick look

It lives beside the tests because it grades their synthetic class; `make
bench-grading` runs it with tools/ on PYTHONPATH, as pytest's ``pythonpath`` does.

Both runs grade the same class (tests/synthetic_class.py: correct, partly
correct, wrong and broken submissions, each with its expected score) in two
temporary copies of the course: ``nbgrader autograde`` then ``nbgrader
generate_feedback`` one after the other, and ``tools/grade_class.py`` on every
core, with the bubblewrap sandbox and the out-of-kernel judge as configured
in nbgrader_config.py. The serial baseline is nbgrader as it comes: its own
Execute in an unconfined kernel, no judge. It also measures what the sandbox
itself costs per notebook: starting a kernel (to its first reply) and the
judge's worker, with and without bubblewrap. The script then checks that
the two gradebooks hold the same rows for
every student plain nbgrader can grade as submitted, and that every score is
the expected one. Cells that loop forever are stopped after ``--timeout``
seconds (the course's own setting is 60 s; a long limit would only time the
loops).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbgrader_course as nc
from grading import sandbox
from grading.gradebook_rows import class_rows
from synthetic_class import make_class

REPO = nc.REPO

PLAIN = re.compile(r"(?ms)^c\.Autograde\.autograde_preprocessors = \[.*?^\]\n")


class Folders:
    """The two methods of pytest's tmp_path_factory that nbgrader_course.make_course uses."""

    def __init__(self, base: Path) -> None:
        self.base = base

    def getbasetemp(self) -> Path:
        return self.base

    def mktemp(self, name: str) -> Path:
        return Path(tempfile.mkdtemp(prefix=name, dir=self.base))


def timed(cmd: list[str], cwd: Path) -> float:
    """Seconds `cmd` took; its output is kept out of the way (failed notebooks make nbgrader exit 1)."""
    start = time.monotonic()
    subprocess.run(cmd, cwd=cwd, env=nc.ENV, capture_output=True, text=True, check=False)
    return time.monotonic() - start


def plain_nbgrader(course: Path) -> None:
    """Make `course` grade as nbgrader does out of the box: no sandbox, no judge."""
    config = course / "nbgrader_config.py"
    text, found = PLAIN.subn("", config.read_text())
    assert found == 1, "nbgrader_config.py should set c.Autograde.autograde_preprocessors"
    config.write_text(text)


async def kernel_start(manager_class: type, folder: Path) -> float:
    """Seconds from starting a kernel of `manager_class` in `folder` to its first reply, then shut down."""
    start = time.monotonic()
    manager = manager_class(kernel_name="python3")
    await manager.start_kernel(cwd=str(folder))
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    seconds = time.monotonic() - start
    client.stop_channels()
    await manager.shutdown_kernel(now=True)
    return seconds


def worker_start(folder: Path) -> float:
    """Seconds to start the judge's worker (Python, NumPy, an IPython shell) in a fresh sandbox."""
    from grading.judge import Worker

    start = time.monotonic()
    worker = Worker(folder, ["import numpy as np"], timeout=60)
    worker.start()
    seconds = time.monotonic() - start
    worker.stop()
    return seconds


def startup_costs(folder: Path, repeat: int = 5) -> dict[str, tuple[float, float]]:
    """Median seconds (sandboxed, unsandboxed) to start a kernel and the judge's worker."""
    from jupyter_client.manager import AsyncKernelManager

    from grading.kernel import SandboxedKernelManager

    costs = {}
    for unsafe in ("", "1"):
        os.environ[sandbox.UNSAFE_VARIABLE] = unsafe
        kernel_class = SandboxedKernelManager if not unsafe else AsyncKernelManager
        kernels = [asyncio.run(kernel_start(kernel_class, folder)) for _ in range(repeat)]
        workers = [worker_start(folder) for _ in range(repeat)]
        costs["unsandboxed" if unsafe else "sandboxed"] = (statistics.median(kernels),
                                                            statistics.median(workers))
    os.environ.pop(sandbox.UNSAFE_VARIABLE)
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--assignment", default="02_relu_family")
    parser.add_argument("--jobs", type=int, help="grade_class.py's --jobs (default: its own)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--timeout", type=int, default=10,
                        help="seconds a cell may run (default %(default)s)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        course = nc.make_course(Folders(Path(tmp)), [args.assignment], timeout=args.timeout)
        students = make_class(course, args.assignment, args.students, seed=args.seed)
        serial = Path(tmp) / "serial"
        shutil.copytree(course, serial, symlinks=True)
        plain_nbgrader(serial)
        kinds = sorted({s.kind for s in students.values()})
        print(f"{args.students} submissions of {args.assignment} ({len(kinds)} kinds: {', '.join(kinds)}), "
              f"{os.cpu_count()} cores, cell time limit {args.timeout} s")

        nbgrader = [sys.executable, "-m", "nbgrader"]
        serial_grade = timed([*nbgrader, "autograde", args.assignment], serial)
        serial_feedback = timed([*nbgrader, "generate_feedback", args.assignment], serial)
        ours = [sys.executable, str(REPO / "tools" / "grade_class.py"), args.assignment,
                "--course", str(course), *(["--jobs", str(args.jobs)] if args.jobs else [])]
        ours_grade = timed([*ours, "--no-feedback"], REPO)
        ours_feedback = timed([*ours, "--feedback-only"], REPO)

        merged, reference = class_rows(nc.db_url(course), args.assignment), class_rows(
            nc.db_url(serial), args.assignment)
        costs = startup_costs(course / "submitted" / next(iter(students)) / args.assignment)
        comparable = [s for s in students.values() if not s.serial_differs]
        same = sum(merged.get(s.id) == reference.get(s.id) for s in comparable)
        scores = nc.scores(course, args.assignment)
        as_expected = sum(scores.get(s.id) == s.expected for s in students.values())

    n = args.students
    print(f"{'':26}{'serial nbgrader':>17}{'grade_class.py':>16}{'speedup':>9}")
    for label, a, b in (("autograde (s)", serial_grade, ours_grade),
                        ("feedback (s)", serial_feedback, ours_feedback),
                        ("both (s)", serial_grade + serial_feedback, ours_grade + ours_feedback)):
        print(f"{label:26}{a:17.1f}{b:16.1f}{a / b:8.2f}x")
    print(f"{'seconds per submission':26}{(serial_grade + serial_feedback) / n:17.2f}"
          f"{(ours_grade + ours_feedback) / n:16.2f}")
    print(f"gradebook rows identical to serial nbgrader: {same} of {len(comparable)} students "
          f"(the {n - len(comparable)} others differ on purpose: see tools/grade_class.py)")
    print(f"scores equal to the expected ones: {as_expected} of {n}")
    (kernel, worker), (plain_kernel, plain_worker) = costs["sandboxed"], costs["unsandboxed"]
    print(f"sandbox start-up per notebook (median of 5): kernel {kernel:.2f} s against {plain_kernel:.2f} s "
          f"unconfined (+{kernel - plain_kernel:.2f} s); judge's worker {worker:.2f} s against "
          f"{plain_worker:.2f} s (+{worker - plain_worker:.2f} s); "
          f"in all +{kernel + worker - plain_kernel:.2f} s "
          "over nbgrader's own kernel start")
    return 0 if same == len(comparable) and as_expected == n else 1


if __name__ == "__main__":
    sys.exit(main())
