"""Tests of ``actgrad.clipping``: clipping a list of gradients by their global L2 norm."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal

from actgrad.clipping import clip_by_global_norm, global_norm

pytestmark = pytest.mark.unit


def _grads(seed: int = 0, scale: float = 1.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, 4)) * scale, rng.normal(size=5) * scale, np.array(scale * 0.5),
            rng.normal(size=(2, 2, 2)) * scale]


def _norm(arrays) -> float:
    """Reference: the L2 norm of everything concatenated."""
    return float(np.linalg.norm(np.concatenate([np.ravel(a) for a in arrays])))


def test_global_norm_is_the_norm_of_the_concatenation() -> None:
    grads = _grads()
    assert global_norm(grads) == pytest.approx(_norm(grads), rel=1e-14)
    assert global_norm([[3.0], [[4.0]]]) == 5.0
    assert global_norm([]) == 0.0
    assert global_norm([np.zeros(3), np.zeros((2, 2))]) == 0.0
    tg = [torch.tensor(g) for g in grads]
    torch_norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in tg]))
    assert global_norm(grads) == pytest.approx(float(torch_norm), rel=1e-14)


def test_global_norm_does_not_overflow_or_underflow() -> None:
    assert global_norm([np.array([3e200]), np.array([4e200])]) == pytest.approx(5e200, rel=1e-15)
    assert global_norm([np.array([3e-200]), np.array([4e-200])]) == pytest.approx(5e-200, rel=1e-15)


@pytest.mark.parametrize("scale", [1.0, 10.0, 1e3, 1e150])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 5.0])
def test_clipped_to_max_norm(scale, max_norm) -> None:
    grads = _grads(seed=1, scale=scale)
    before = _norm(grads)
    clipped = clip_by_global_norm(grads, max_norm)
    after = _norm(clipped)
    assert after <= before * (1 + 1e-15)  # never increases the norm
    if before > max_norm:
        assert after == pytest.approx(max_norm, rel=1e-12)
    else:
        assert after == pytest.approx(before, rel=1e-15)


def test_one_common_factor_for_all_arrays() -> None:
    """Global, not per-array clipping: every array is scaled by the same factor."""
    grads = [np.array([30.0, 40.0]), np.array([0.1, -0.2, 0.05]), np.array([[1e-3]])]
    clipped = clip_by_global_norm(grads, 1.0)
    factor = 1.0 / _norm(grads)
    for g, c in zip(grads, clipped, strict=True):
        assert_allclose(c, factor * g, rtol=1e-14)
    # per-array clipping would have left the small arrays alone
    assert np.linalg.norm(clipped[1]) < np.linalg.norm(grads[1])
    # direction kept: the concatenated vector is parallel to the original
    flat_g = np.concatenate([g.ravel() for g in grads])
    flat_c = np.concatenate([c.ravel() for c in clipped])
    assert flat_g @ flat_c == pytest.approx(np.linalg.norm(flat_g) * np.linalg.norm(flat_c))


def test_matches_torch_clip_grad_norm() -> None:
    grads = _grads(seed=3, scale=4.0)
    params = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_norm_(params, max_norm=2.0)
    # torch divides by (norm + 1e-6): equal to about 1e-6 / norm relatively
    for p, c in zip(params, clip_by_global_norm(grads, 2.0), strict=True):
        assert_allclose(c, p.grad.numpy(), rtol=1e-6)


def test_under_the_limit_values_unchanged_but_new_arrays() -> None:
    grads = _grads(seed=2)
    clipped = clip_by_global_norm(grads, max_norm=1e6)
    assert isinstance(clipped, list)
    assert len(clipped) == len(grads)
    for g, c in zip(grads, clipped, strict=True):
        assert_array_equal(c, g)
        assert c is not g
        assert not np.shares_memory(c, g)
    clipped[0][...] = 0.0
    assert np.any(grads[0] != 0.0)


@pytest.mark.parametrize("max_norm", [1e6, 0.5])
def test_inputs_untouched(max_norm) -> None:
    grads = _grads(seed=4, scale=3.0)
    copies = [g.copy() for g in grads]
    as_tuple = tuple(grads)
    clip_by_global_norm(as_tuple, max_norm)
    for g, c in zip(grads, copies, strict=True):
        assert_array_equal(g, c)


def test_shapes_dtype_and_lists() -> None:
    grads = [[1.0, 2.0], [[3, 4], [5, 6]], 7.0, np.arange(3, dtype=np.float32)]
    for max_norm in (1.0, 100.0):
        out = clip_by_global_norm(grads, max_norm)
        assert [o.shape for o in out] == [np.shape(g) for g in grads]
        assert all(isinstance(o, np.ndarray) and o.dtype == np.float64 for o in out)
    assert clip_by_global_norm([], 1.0) == []
    zeros = clip_by_global_norm([np.zeros(3)], 1.0)
    assert_array_equal(zeros[0], np.zeros(3))


def test_exactly_at_the_limit_is_unchanged() -> None:
    out = clip_by_global_norm([np.array([3.0]), np.array([4.0])], 5.0)
    assert_array_equal(np.concatenate(out), [3.0, 4.0])


@pytest.mark.parametrize("max_norm", [0.0, -1.0, math.inf, math.nan])
def test_rejects_bad_max_norm(max_norm) -> None:
    with pytest.raises(ValueError, match="max_norm"):
        clip_by_global_norm(_grads(), max_norm)


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_rejects_non_finite_gradients(bad) -> None:
    with pytest.raises(ValueError, match="global norm"):
        clip_by_global_norm([np.array([1.0, bad])], 1.0)
