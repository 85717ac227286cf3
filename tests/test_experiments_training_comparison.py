"""Tests of actgrad.experiments.training_comparison: the two-spirals task, Adam and the comparison."""

from __future__ import annotations

import numpy as np
import pytest

from actgrad.datasets import two_spirals
from actgrad.experiments import training_comparison as tx
from actgrad.network import make_mlp

pytestmark = pytest.mark.unit


def test_two_spirals_is_balanced_reproducible_and_not_linearly_separable() -> None:
    X, y = two_spirals(300, seed=0)
    assert X.shape == (300, 2) and y.mean() == 0.5
    X2, y2 = two_spirals(300, seed=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, two_spirals(300, seed=1)[0])
    assert np.max(np.abs(X)) < 1.5
    # the best least-squares linear classifier is far from perfect
    A = np.column_stack([X, np.ones(len(X))])
    w = np.linalg.lstsq(A, 2 * y - 1, rcond=None)[0]
    assert np.mean((A @ w > 0) == (y > 0.5)) < 0.75


def test_adam_fits_the_spirals_with_relu_and_records_every_curve() -> None:
    X, y = two_spirals(200, seed=0)
    X_test, y_test = two_spirals(200, seed=1)
    net = make_mlp(2, 32, 2, "relu", "he", seed=0)
    run = tx.adam_train(net, X, y, X_test, y_test, lr=0.02, steps=200, eval_every=50)
    assert run.loss.shape == run.accuracy.shape == (201,)
    assert run.test_steps.tolist() == [0, 50, 100, 150, 200]
    assert run.test_accuracy.shape == (5,)
    assert run.loss[-1] < 0.3 * run.loss[0]
    assert run.accuracy[-1] > 0.9 and run.test_accuracy[-1] > 0.8
    assert run.net is net


def test_compare_is_reproducible_and_summarise_reduces_over_seeds() -> None:
    kwargs = {"seeds": (0, 1), "steps": 20, "n_train": 60, "n_test": 60}
    first = tx.compare(["tanh", "relu"], **kwargs)
    second = tx.compare(["tanh", "relu"], **kwargs)
    for name in ("tanh", "relu"):
        assert len(first[name]) == 2
        for a, b in zip(first[name], second[name], strict=True):
            np.testing.assert_array_equal(a.loss, b.loss)
    # different seeds, different runs
    assert not np.array_equal(first["relu"][0].loss, first["relu"][1].loss)
    s = tx.summarise(first["relu"], "loss")
    assert np.all(s["min"] <= s["mean"]) and np.all(s["mean"] <= s["max"])
    assert s["final"].shape == (2,)
    with pytest.raises(AttributeError):
        tx.summarise(first["relu"], "no_such_curve")


def test_relu_beats_sigmoid_on_the_chapter_budget() -> None:
    runs = tx.compare(["sigmoid", "relu"], seeds=(0,), steps=300)
    assert runs["relu"][0].test_accuracy[-1] > runs["sigmoid"][0].test_accuracy[-1] + 0.1
