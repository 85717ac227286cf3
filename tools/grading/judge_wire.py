"""Plain data across the sandbox's wall: one JSON document per line, numbers and arrays only, never pickles.

Both sides import this: the grader (``grading.judge``) and the worker inside the
sandbox (``judge_worker.py``, which has only NumPy and the standard library).
An array travels as its dtype, shape and raw bytes, and only numeric dtypes
are accepted, so decoding can never run code or build an object that lies
about its value.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any, BinaryIO

import numpy as np

MAX_LINE = 16 << 20  # bytes in one message; the largest a test needs is under 1 MB
NUMERIC = set("biufc")  # bool, int, uint, float, complex


class WireError(ValueError):
    """A message that is not what the protocol allows."""


def _dtype(text: str) -> np.dtype:
    dtype = np.dtype(str(text))
    if dtype.kind not in NUMERIC or dtype.fields is not None or dtype.subdtype is not None:
        raise WireError(f"dtype {text!r} is not a number type")
    return dtype


def encode(
    obj: Any, *, fn: Callable[[Any], Any], same: Callable[[Any], list | None] = lambda o: None, depth: int = 0
) -> Any:
    """`obj` as JSON-able data; `fn` encodes a callable, `same` names an input `obj` is identical to."""
    if depth > 32:
        raise WireError("nested more than 32 levels deep")
    path = same(obj) if isinstance(obj, (list, np.ndarray)) else None
    if path is not None:
        return {
            "same": path,
            "v": encode(
                list(obj) if isinstance(obj, list) else np.array(obj),
                fn=fn,
                same=same if isinstance(obj, list) else lambda o: None,
                depth=depth + 1,
            ),
        }
    if obj is None or isinstance(obj, (bool, str)) or type(obj) in (int, float):
        return obj
    if isinstance(obj, np.ndarray):
        arr = np.array(obj, order="C", copy=True)  # 0-d stays 0-d (ascontiguousarray would not)
        _dtype(arr.dtype.str)
        return {"nd": [arr.dtype.str, list(arr.shape), base64.b64encode(arr.tobytes()).decode()]}
    if isinstance(obj, np.generic):
        _dtype(obj.dtype.str)
        return {"sc": [obj.dtype.str, base64.b64encode(np.array(obj).tobytes()).decode()]}
    if isinstance(obj, (int, float)):  # subclasses of int and float: their plain value only
        return int(obj) if isinstance(obj, int) else float(obj)
    if isinstance(obj, list):
        return [encode(o, fn=fn, same=same, depth=depth + 1) for o in obj]
    if isinstance(obj, tuple):
        return {"tu": [encode(o, fn=fn, same=same, depth=depth + 1) for o in obj]}
    if isinstance(obj, dict):
        return {"di": [[str(k), encode(v, fn=fn, same=same, depth=depth + 1)] for k, v in obj.items()]}
    if isinstance(obj, np.random.Generator):
        return {"rng": obj.bit_generator.state}
    if callable(obj):
        return fn(obj)
    raise WireError(f"an object of type {type(obj).__name__}, which is not numbers")


def decode(
    data: Any, *, fn: Callable[[dict], Any], same: Callable[[list, Any], Any] = None, depth: int = 0
) -> Any:
    """The value `data` encodes; `fn` makes a callable of its description, `same` resolves an input."""
    if depth > 32:
        raise WireError("nested more than 32 levels deep")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(d, fn=fn, same=same, depth=depth + 1) for d in data]
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise WireError("unknown message part")
    if "nd" in data:
        dtype, shape, raw = data["nd"]
        dtype = _dtype(dtype)
        shape = tuple(int(n) for n in shape)
        flat = np.frombuffer(base64.b64decode(raw), dtype=dtype)
        return flat.reshape(shape).copy()
    if "sc" in data:
        dtype, raw = data["sc"]
        return np.frombuffer(base64.b64decode(raw), dtype=_dtype(dtype))[0]
    if "tu" in data:
        return tuple(decode(d, fn=fn, same=same, depth=depth + 1) for d in data["tu"])
    if "di" in data:
        return {str(k): decode(v, fn=fn, same=same, depth=depth + 1) for k, v in data["di"]}
    if "same" in data:
        value = decode(data["v"], fn=fn, same=same, depth=depth + 1)
        return same(data["same"], value) if same is not None else value
    if "rng" in data:
        state = data["rng"]
        if not isinstance(state, dict) or state.get("bit_generator") != "PCG64":
            raise WireError("only numpy's default generator (PCG64) can be passed")
        rng = np.random.Generator(np.random.PCG64())
        rng.bit_generator.state = state
        return rng
    return fn(data)


def dumps(message: dict) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"


def send(stream: BinaryIO, message: dict) -> None:
    stream.write(dumps(message))
    stream.flush()


def parse(line: bytes) -> dict:
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise WireError("a message too long, or cut short")
    message = json.loads(line)
    if not isinstance(message, dict):
        raise WireError("a message that is not a JSON object")
    return message
