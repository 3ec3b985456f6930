"""Elementwise special functions on threads equal the one call, bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import betaincinv, gammaincinv

from model.engine import elementwise


@pytest.mark.parametrize("n_threads", ["1", "2", "3", "8"])
def test_threaded_slices_equal_the_one_call(monkeypatch, n_threads: str) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", n_threads)
    rng = np.random.default_rng(5)
    n = elementwise.MIN_SIZE * 3 + 7  # slices of unequal length
    u = rng.random(n)
    b = 2.0 + rng.integers(0, 600, n).astype(np.int16)  # per-client shapes, as the survivors'
    got = elementwise.apply(betaincinv, 0.4, b, u)
    want = betaincinv(0.4, b, u)
    assert got.dtype == want.dtype and np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(elementwise.apply(gammaincinv, 1.7, u), gammaincinv(1.7, u))
    short = u[:100]
    assert np.array_equal(
        elementwise.apply(betaincinv, 2.0, 3.0, short), betaincinv(2.0, 3.0, short)
    )


def test_thread_count_follows_omp_num_threads(monkeypatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # what a sweep's worker processes set
    assert elementwise.threads() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "64")
    assert elementwise.threads() == elementwise.MAX_THREADS
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert 1 <= elementwise.threads() <= elementwise.MAX_THREADS


def test_mismatched_arrays_are_refused(monkeypatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    u = np.zeros(elementwise.MIN_SIZE * 2)
    with pytest.raises(ValueError, match="share one 1-d shape"):
        elementwise.apply(betaincinv, 1.0, u[:-1].copy(), u)
