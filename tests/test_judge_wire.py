"""The judge's wire format: plain numbers across the sandbox's wall, and nothing else."""

from __future__ import annotations

import json

import numpy as np
import pytest

from grading import judge_wire as wire
from grading.sandbox import not_plain

pytestmark = pytest.mark.unit


def refuse(obj: object) -> None:
    raise wire.WireError("no functions here")


def roundtrip(obj: object) -> object:
    text = json.dumps(wire.encode(obj, fn=refuse))
    return wire.decode(json.loads(text), fn=refuse)


@pytest.mark.parametrize("value", [
    np.array(0.5), np.linspace(-3, 3, 7).reshape(7, 1), np.arange(6, dtype=np.int32).reshape(2, 3),
    np.array([True, False]), np.float32(1.5), np.float64(-2.0),
])
def test_arrays_and_scalars_keep_value_dtype_and_shape(value) -> None:
    back = roundtrip(value)
    assert type(back) is type(value)
    assert back.dtype == value.dtype and np.shape(back) == np.shape(value)
    assert np.array_equal(back, value)


def test_python_values_and_containers_keep_their_types() -> None:
    value = [1, 2.5, True, None, "axis", (1, [2.0]), {"alpha": 0.2}]
    assert roundtrip(value) == value
    assert [type(v) for v in roundtrip(value)] == [type(v) for v in value]


def test_a_generator_travels_as_its_state() -> None:
    rng = np.random.default_rng(7)
    back = roundtrip(rng)
    assert back.standard_normal(3).tolist() == rng.standard_normal(3).tolist()


@pytest.mark.parametrize("dtype", ["O", "U5", "V8", "M8[s]", [("a", "<f8")]])
def test_no_dtype_but_numbers_is_accepted(dtype) -> None:
    with pytest.raises(wire.WireError):
        wire.decode({"nd": [np.dtype(dtype).str, [1], ""]}, fn=refuse)


def test_objects_that_are_not_numbers_are_refused() -> None:
    class EqualsEverything:
        def __eq__(self, other: object) -> bool:
            return True

    with pytest.raises(wire.WireError):
        wire.encode(EqualsEverything(), fn=refuse)
    with pytest.raises(wire.WireError):
        wire.encode(np.array([EqualsEverything()], dtype=object), fn=refuse)


def test_a_float_subclass_travels_as_its_plain_value() -> None:
    class Liar(float):
        def __eq__(self, other: object) -> bool:
            return True

    back = roundtrip(Liar(0.25))
    assert type(back) is float and back == 0.25


def test_identity_with_an_input_is_named_by_its_path() -> None:
    grads = [np.ones(2), np.zeros(3)]
    inputs = [grads]
    ids = {id(grads): [0], id(grads[0]): [0, 0], id(grads[1]): [0, 1]}
    data = wire.encode([grads[1], np.ones(2)], fn=refuse, same=lambda o: ids.get(id(o)))
    assert data[0]["same"] == [0, 1] and "same" not in data[1]
    back = wire.decode(data, fn=refuse, same=lambda path, value: inputs[path[0]][path[1]])
    assert back[0] is grads[1]


def test_messages_too_long_or_cut_short_are_refused() -> None:
    with pytest.raises(wire.WireError):
        wire.parse(b'{"ok": tr')
    with pytest.raises(wire.WireError):
        wire.parse(b"[1]\n")
    assert wire.parse(wire.dumps({"ok": True})) == {"ok": True}


def test_links_and_special_files_in_a_submission_are_found(tmp_path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data.txt").write_text("x")
    (tmp_path / "notes.txt").symlink_to("/etc/hostname")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    assert not_plain(tmp_path) == ["notes.txt", "sub/loop"]
