"""The verdict of every test cell, reached where the student's code cannot change it.

After the student's kernel has run the notebook (``grading.kernel``: visible
checks only), this preprocessor runs each test cell again, hidden tests
included, in the grader's own process, in a namespace built from the released
notebook, never from the submission. Only the student's functions are
foreign there: each is a ``Remote`` that sends its arguments as plain data to
a worker in the sandbox (``judge_worker.py``), where the student's cells ran,
and gets back plain data: the result, what the call did to its arguments,
the warnings it raised. Builtins, NumPy, numpy.testing, exception hooks and
IPython's input transformers of the grader are out of the student's reach,
and so is what the verdict prints.

A test cell scores only when both verdicts agree: if the judge fails a cell,
its error is added to the cell's outputs, and nbgrader scores it 0.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import select
import signal
import subprocess
import time
import warnings
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from nbgrader.coursedir import CourseDirectory
from traitlets import Bool, Integer

from grading import judge_wire as wire
from grading import sandbox

HERE = Path(__file__).resolve().parent
WORKER_INSIDE = "/judge"
MAX_RESTARTS = 3
MAX_CALLBACKS = 100_000  # calls of a test's own function during one call of the student's


class JudgeError(RuntimeError):
    """The judge itself could not work (not the student's fault)."""


def _nbgrader(cell: nbformat.NotebookNode) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_test(cell: nbformat.NotebookNode) -> bool:
    meta = _nbgrader(cell)
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def defined_names(source: str) -> list[str]:
    """The functions a solution cell of the released notebook asks the student to define."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


class Worker:
    """The sandboxed process that holds the student's code."""

    def __init__(self, folder: Path, cells: list[str], timeout: float) -> None:
        self.folder, self.cells, self.timeout = folder, cells, timeout
        self.process: subprocess.Popen | None = None
        self.box: sandbox.Sandbox | None = None
        self.restarts = -1
        self.broken = ""

    def start(self) -> None:
        self.stop()
        self.restarts += 1
        self.box = sandbox.Sandbox(self.folder)
        inside = WORKER_INSIDE if not sandbox.unsandboxed() else str(HERE)
        binds = [
            (str(HERE / name), f"{WORKER_INSIDE}/{name}") for name in ("judge_worker.py", "judge_wire.py")
        ]
        argv = [str(sandbox.grading_python()), "-I", f"{inside}/judge_worker.py"]
        self.process = subprocess.Popen(
            self.box.command(argv, binds),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=self.box.cwd,
            env=self.box.env(),
            start_new_session=True,
        )
        self._in, self._out = self.process.stdin.fileno(), self.process.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        self._buffer = bytearray()
        for source in self.cells:  # a cell that fails here failed in the kernel too: its tests say so
            self.ask({"op": "run", "source": source}, time.monotonic() + self.timeout)

    def callables(self, names: list[str]) -> set[str]:
        """Which of `names` the student's code defined as functions (all of them, if it cannot say)."""
        if not self.alive():
            return set(names)  # every call then fails, and says why
        try:
            answer = self.ask({"op": "callables", "names": names}, time.monotonic() + self.timeout)
        except StudentProcessEnded:
            return set(names)
        return set(names) & {str(n) for n in answer.get("callables") or []}

    def restart(self) -> None:
        """Start the worker again after the student's code ended it; fail the call if it cannot be."""
        if self.broken or self.restarts >= MAX_RESTARTS:
            raise _exception(
                "RuntimeError",
                "the notebook's code did not run to its end in the judge: "
                f"{self.broken or 'it ended its own process too often'}",
            )
        try:
            self.start()
        except StudentProcessEnded as err:
            self.broken = f"it ended its own process or ignored an interrupt{_why(err)}"
            self.stop()
            raise _exception(
                "RuntimeError", f"the notebook's code did not run to its end: {self.broken}"
            ) from None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.process = None
        if self.box is not None:
            self.box.close()
            self.box = None

    def send(self, message: dict, deadline: float) -> None:
        """Write one message; a worker that stops reading is given until `deadline`, then killed."""
        pending = memoryview(wire.dumps(message))
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                self.stop()
                raise StudentProcessEnded("it stopped reading what the grader sent")
            _, ready, _ = select.select([], [self._in], [], left)
            if ready:
                try:
                    pending = pending[os.write(self._in, pending):]
                except BlockingIOError:
                    continue
                except OSError:
                    self.stop()
                    raise StudentProcessEnded from None

    def _line(self, deadline: float) -> bytes | None:
        """The next whole line the worker wrote, or None at `deadline` (half a line does not count)."""
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[: end + 1])
                del self._buffer[: end + 1]
                return line
            if len(self._buffer) > wire.MAX_LINE:
                self.stop()
                raise StudentProcessEnded("it sent a message longer than the protocol allows")
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._out], [], [], left)
            if ready:
                try:
                    chunk = os.read(self._out, 1 << 20)
                except BlockingIOError:
                    continue
                if not chunk:
                    self.stop()
                    raise StudentProcessEnded
                self._buffer += chunk

    def receive(self, deadline: float) -> dict:
        """The worker's next message; interrupts, then kills, a worker that does not answer in time."""
        line = self._line(deadline)
        if line is None:  # as nbgrader interrupts a cell that runs too long
            self.send({"op": "interrupt"}, time.monotonic() + 5)
            line = self._line(time.monotonic() + 5)
            if line is None:
                self.stop()
                raise StudentProcessEnded("it did not stop when interrupted")
        try:
            return wire.parse(line)
        except Exception as err:  # noqa: BLE001 -- whatever it sent, it is not the protocol
            self.stop()
            raise StudentProcessEnded(f"it sent something that is not the protocol ({err})") from None

    def ask(self, message: dict, deadline: float) -> dict:
        self.send(message, deadline)
        return self.receive(deadline)


class StudentProcessEnded(Exception):
    """The student's code ended, or broke, the process it ran in."""


class Remote:
    """Stands for one of the student's functions in the grader's namespace."""

    def __init__(self, name: str, judge: Judge) -> None:
        self.name, self.judge = name, judge
        self.__name__ = self.__qualname__ = name

    def __repr__(self) -> str:
        return f"<function {self.name}>"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.judge.call(self, args, kwargs)


def _exception(name: str, message: str) -> Exception:
    """An exception like the one the student's code raised, always an Exception (never SystemExit)."""
    import builtins

    cls = getattr(builtins, name, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = type(name if name.isidentifier() else "Error", (Exception,), {})
    try:
        return cls(message)
    except Exception:  # noqa: BLE001 -- e.g. UnicodeDecodeError needs five arguments
        return type(name, (Exception,), {})(message)


class Judge:
    """Runs the trusted test cells against the student's functions in the sandbox."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker
        self.deadline = time.monotonic()
        self.callbacks: dict[int, Any] = {}

    def _fn(self, obj: Any) -> dict:
        if isinstance(obj, Remote):
            return {"student": obj.name}
        self.callbacks[len(self.callbacks)] = obj
        return {"cb": len(self.callbacks) - 1}

    def call(self, remote: Remote, args: tuple, kwargs: dict) -> Any:
        if not self.worker.alive():
            self.worker.restart()
        flat = [*args, *kwargs.values()]
        try:
            message = {
                "op": "call",
                "name": remote.name,
                "args": wire.encode(list(args), fn=self._fn),
                "kwargs": wire.encode(kwargs, fn=self._fn),
                "err": {k: v for k, v in np.geterr().items() if v in ("ignore", "warn", "raise")},
            }
        except wire.WireError as err:
            raise JudgeError(f"a test passes what cannot be sent: {err}") from None
        try:
            answer = self.worker.ask(message, self.deadline)
            calls = 0
            while "cb" in answer:  # the student's code calls a function the test gave it
                calls += 1
                if calls > MAX_CALLBACKS or time.monotonic() > self.deadline:
                    self.worker.stop()
                    raise StudentProcessEnded("it called the test's function too often, or too long")
                answer = self.worker.ask(self._callback(answer), self.deadline)
        except StudentProcessEnded as err:
            raise _exception(
                "RuntimeError", f"{remote.name} ended the process it ran in{_why(err)}"
            ) from None
        finally:
            self.callbacks.clear()
        return self._unpack(remote.name, answer, flat)

    def _callback(self, message: dict) -> dict:
        try:
            fn = self.callbacks[int(message["cb"])]
            args = wire.decode(message["args"], fn=_refuse)
            kwargs = wire.decode(message["kwargs"], fn=_refuse)
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                return {"result": wire.encode(fn(*args, **kwargs), fn=_refuse)}
        except Exception as err:  # noqa: BLE001 -- the student's call was wrong: they get the error
            return {"error": f"{type(err).__name__}: {err}"}

    def _unpack(self, name: str, answer: dict, flat: list) -> Any:
        def original(path: list) -> Any:
            obj = flat[path[0]]
            for step in path[1:]:
                obj = obj[step]
            return obj

        def same(path: list, value: Any) -> Any:
            obj = original(path)
            if isinstance(obj, np.ndarray) and isinstance(value, np.ndarray):
                if (
                    obj.shape == value.shape
                    and obj.flags.writeable
                    and not np.array_equal(obj, value, equal_nan=True)
                ):
                    np.copyto(obj, value, casting="unsafe")
            elif isinstance(obj, list) and isinstance(value, list):
                obj[:] = value
            return obj

        try:
            for i, after in enumerate(answer.get("after") or []):  # what the call did to its arguments
                if after is not None and i < len(flat):
                    wire.decode(after, fn=_refuse, same=same)
            rngs = [obj for obj in flat if isinstance(obj, np.random.Generator)]
            for rng, state in zip(rngs, answer.get("rng_states") or [], strict=False):
                rng.bit_generator.state = state
            if answer.get("global_rng_moved"):
                np.random.random()  # noqa: NPY002 -- the student's call moved numpy's global generator
            warned = (answer.get("warnings") or [])[:20]
            caught = [(str(category)[:100], str(text)[:500]) for category, text in warned]
            error = [str(part)[:2000] for part in answer["error"][:2]] if "error" in answer else None
            result = None if error else wire.decode(answer["result"], fn=_refuse, same=same)
        except (wire.WireError, LookupError, TypeError, ValueError, AttributeError) as err:
            raise _exception("TypeError", f"{name} returned what the grader cannot read: {err}") from None
        for category, text in caught:
            _warn(category, text)
        if error:
            raise _exception(*error[:2])
        return result


def _why(err: Exception) -> str:
    return f" ({err})" if str(err) else ""


def _refuse(data: Any) -> Any:
    raise wire.WireError("a function cannot be returned")


def _warn(category: str, text: str) -> None:
    """Raise the student's warning again, in the grader, under the grader's own filters."""
    kind = {"overflow": "over", "invalid value": "invalid", "divide by zero": "divide", "underflow": "under"}
    for words, key in kind.items():
        if category == "RuntimeWarning" and words in text:
            if np.geterr()[key] == "raise":
                raise FloatingPointError(text)
            if np.geterr()[key] == "ignore":
                return
    import builtins

    cls = getattr(builtins, category, None)
    warnings.warn(
        text, cls if isinstance(cls, type) and issubclass(cls, Warning) else UserWarning, stacklevel=2
    )


class JudgeHiddenTests(Preprocessor):
    """Autograde step after the kernel: every test cell judged again, hidden tests included, out of it."""

    enabled = Bool(True)
    timeout = Integer(60, help="Seconds each test cell, and each of the student's cells, may take.").tag(
        config=True
    )

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict) -> tuple:
        release = self._release(resources)
        tests = {_nbgrader(c)["grade_id"]: c for c in nb.cells if is_test(c)}
        student_cells = [c.source for c in nb.cells if c.cell_type == "code" and not is_test(c)]
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        # The kernel already held the student to the time limit; the judge, which only has to
        # confirm verdicts, gets more, so a loaded machine never fails what the kernel passed.
        limit = 2 * self.timeout + 10
        worker = Worker(folder, student_cells, limit)
        judge = Judge(worker)
        verdicts: dict[str, str | None] = {}
        try:
            try:
                worker.start()
            except StudentProcessEnded as err:  # every call of a student function now fails, saying why
                worker.broken = f"it ended its own process or ignored an interrupt{_why(err)}"
                worker.stop()
            wanted = [name for cell in release.cells if _nbgrader(cell).get("solution")
                      for name in defined_names(cell.source)]
            defined = worker.callables(wanted)
            namespace: dict[str, Any] = {"__name__": "__main__"}
            for cell in release.cells:
                if cell.cell_type != "code":
                    continue
                meta = _nbgrader(cell)
                if is_test(cell):
                    grade_id = meta["grade_id"]
                    # a cell the kernel failed scores 0 whatever the judge says: no need to run it
                    if grade_id in tests and not _failed(tests[grade_id]):
                        judge.deadline = time.monotonic() + limit
                        verdicts[grade_id] = _run(tests[grade_id].source, namespace)
                elif meta.get("solution"):
                    # as in the kernel, a function the student's code never defined is a NameError
                    for name in defined_names(cell.source):
                        if name in defined:
                            namespace[name] = Remote(name, judge)
                else:
                    failure = _run(cell.source, namespace)
                    if failure:
                        raise JudgeError(f"a cell of the released notebook failed in the judge: {failure}")
        finally:
            worker.stop()
        for grade_id, failure in verdicts.items():
            cell = tests[grade_id]
            if failure and not _failed(cell):
                ename, _, evalue = failure.partition(": ")
                cell.outputs.append(new_output("error", ename=ename, evalue=evalue, traceback=[failure]))
        note = sandbox.UNSAFE_NOTE if sandbox.unsandboxed() else "in the sandbox"
        passed = sum(1 for f in verdicts.values() if not f)
        self.log.info("judged %d test cells out of the kernel (%s): %d pass", len(verdicts), note, passed)
        return nb, resources

    def _release(self, resources: dict) -> nbformat.NotebookNode:
        coursedir = CourseDirectory(config=self.config)
        info = resources["nbgrader"]
        path = Path(
            coursedir.format_path(coursedir.release_directory, ".", info["assignment"]),
            f"{info['notebook']}.ipynb",
        )
        if not path.is_file():
            raise JudgeError(
                f"the released notebook {path} is missing: run 'nbgrader generate_assignment' first"
            )
        return nbformat.read(path, as_version=4)


def _failed(cell: nbformat.NotebookNode) -> bool:
    """Whether the kernel failed this test cell, as nbgrader reads it (an error, or stderr)."""
    return any(o.output_type == "error" or (o.output_type == "stream" and o.get("name") == "stderr")
               for o in cell.get("outputs", []))


def _run(source: str, namespace: dict) -> str | None:
    """Run trusted code in the grader's namespace; None, or the failure as 'Name: message'."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            exec(compile(source, "<test cell>", "exec"), namespace)  # noqa: S102 -- the course's own cells
    except JudgeError:
        raise
    except Exception as err:  # noqa: BLE001 -- a failing check is the verdict
        return f"{type(err).__name__}: {err}"
    return None
