"""The judge's worker: runs inside the sandbox, holds the student's code, and answers calls with plain data.

Started by ``grading.judge`` with the grading environment's Python. It runs the
student's cells in an IPython shell (not a kernel), then calls the student's
functions as the grader asks and sends back what they returned, what they did
to their arguments and what they warned, as data (``judge_wire``). Whatever
the student's code prints goes nowhere; the protocol has its own file
descriptors, taken before any student code runs.
"""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import judge_wire as wire  # noqa: E402 -- beside this file, inside and outside the sandbox
import numpy as np  # noqa: E402


class Worker:
    def __init__(self) -> None:
        self.inbox = os.fdopen(os.dup(0), "rb")
        self.outbox = os.fdopen(os.dup(1), "wb")
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        from IPython.core.interactiveshell import InteractiveShell

        self.shell = InteractiveShell.instance()
        self.ns = self.shell.user_ns
        self.messages: queue.Queue = queue.Queue()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        """Read the grader's messages; an interrupt stops the student's code at once, as SIGINT would."""
        while True:
            line = self.inbox.readline(wire.MAX_LINE + 1)
            message = wire.parse(line) if line else None
            if message is not None and message.get("op") == "interrupt":
                os.kill(os.getpid(), signal.SIGINT)
                continue
            self.messages.put(message)
            if message is None:
                return

    def receive(self) -> dict:
        message = self.messages.get()
        if message is None:
            os._exit(0)  # the grader is gone
        return message

    def reply(self, message: dict) -> None:
        wire.send(self.outbox, message)

    def serve(self) -> None:
        while True:
            try:
                message = self.receive()
            except KeyboardInterrupt:  # an interrupt that came late: nothing is running
                continue
            op = message.get("op")
            if op == "run":
                self.reply(self.run(str(message["source"])))
            elif op == "callables":
                self.reply({"callables": [n for n in message["names"] if callable(self.ns.get(n))]})
            elif op == "call":
                self.reply(self.call(message))
            else:
                self.reply({"error": ["ProtocolError", f"unknown op {op!r}"]})

    def run(self, source: str) -> dict:
        try:
            result = self.shell.run_cell(source, store_history=False)
        except BaseException as err:  # noqa: BLE001 -- anything the cell raises is the cell's failure
            return {"ok": False, "error": f"{type(err).__name__}: {err}"}
        err = result.error_before_exec or result.error_in_exec
        return {"ok": err is None, "error": None if err is None else f"{type(err).__name__}: {err}"}

    def callback(self, ident: int):  # noqa: ANN201
        def call_grader(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.reply(
                {
                    "cb": ident,
                    "args": wire.encode(list(args), fn=self._no_fn),
                    "kwargs": wire.encode(kwargs, fn=self._no_fn),
                }
            )
            answer = self.receive()
            if "error" in answer:
                raise RuntimeError(answer["error"])
            return wire.decode(answer["result"], fn=self._no_fn)

        return call_grader

    @staticmethod
    def _no_fn(obj: object) -> None:
        raise wire.WireError(f"a {type(obj).__name__} cannot be passed")

    def _fn(self, data: dict):  # noqa: ANN202
        if "cb" in data:
            return self.callback(int(data["cb"]))
        if "student" in data:
            return self.ns[str(data["student"])]
        raise wire.WireError("unknown message part")

    def call(self, message: dict) -> dict:
        name = str(message["name"])
        if name not in self.ns:
            return {"error": ["NameError", f"name {name!r} is not defined"]}
        try:
            inputs = wire.decode(message["args"], fn=self._fn)
            kwargs = wire.decode(message["kwargs"], fn=self._fn)
        except Exception as err:  # noqa: BLE001
            return {"error": ["ProtocolError", str(err)]}
        function = self.ns[name]
        flat = [*inputs, *kwargs.values()]
        ids = {}

        def remember(obj: object, path: list) -> None:
            if isinstance(obj, (list, np.ndarray)):
                ids.setdefault(id(obj), path)
            if isinstance(obj, list):
                for i, item in enumerate(obj):
                    remember(item, [*path, i])

        for i, obj in enumerate(flat):
            remember(obj, [i])
        # Move numpy's legacy global generator first, as the test moves its own before it looks:
        # a function that re-seeds it then shows, even with the seed of its last call.
        np.random.random()  # noqa: NPY002
        before = np.random.get_state()[1].tobytes()  # noqa: NPY002
        out: dict = {}
        with warnings.catch_warnings(record=True) as caught, np.errstate(**message.get("err", {})):
            warnings.simplefilter("always")
            try:
                result = function(*inputs, **kwargs)
            except BaseException as err:  # noqa: BLE001 -- reported to the grader, which raises it
                out = {"error": [type(err).__name__, str(err)[:2000]]}
            else:
                try:
                    out["result"] = wire.encode(result, fn=self._no_fn, same=lambda o: ids.get(id(o)))
                except BaseException as err:  # noqa: BLE001 -- e.g. an object that is not numbers
                    out = {"error": ["TypeError", f"{name} returned {err}"[:2000]]}
        out["warnings"] = [[w.category.__name__, str(w.message)[:500]] for w in caught[:20]]
        out["after"] = [
            wire.encode(obj, fn=lambda o: None, same=lambda o: ids.get(id(o)))
            if isinstance(obj, (list, np.ndarray))
            else None
            for obj in flat
        ]
        out["global_rng_moved"] = np.random.get_state()[1].tobytes() != before  # noqa: NPY002
        rngs = [obj for obj in flat if isinstance(obj, np.random.Generator)]
        out["rng_states"] = [r.bit_generator.state for r in rngs]
        return out


if __name__ == "__main__":
    Worker().serve()
