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
    monkeypatch.setenv("OMP_NUM_THREADS", "3,2")  # OpenMP's nested form: the first level
    assert elementwise.threads() == 3
    for odd in ("²", "-1", "1e3", ""):  # not a positive count: the usable cores
        monkeypatch.setenv("OMP_NUM_THREADS", odd)
        assert elementwise.threads() == min(elementwise.usable_cores(), elementwise.MAX_THREADS)
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert 1 <= elementwise.threads() <= elementwise.MAX_THREADS


def test_other_shapes_and_array_likes_go_to_the_one_call(monkeypatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    u = np.random.default_rng(2).random(elementwise.MIN_SIZE * 2)
    for args in (
        (0.4, u, np.array([0.5])),  # a length-1 array broadcasts
        (0.4, 3.0, u.reshape(2, -1)),  # 2-d
        (0.4, 3.0, list(u[:10])),  # an array-like
        (np.float32(0.4), np.array(3.0), u),  # a numpy scalar and a 0-d array
    ):
        assert np.array_equal(elementwise.apply(betaincinv, *args), betaincinv(*args))
    masked = np.ma.masked_less(u, 0.5)
    got = elementwise.apply(betaincinv, 0.4, 3.0, masked)
    assert isinstance(got, np.ma.MaskedArray) and np.array_equal(got.mask, masked.mask)


def test_edge_inputs_and_the_callers_error_settings(monkeypatch) -> None:
    import scipy.special as sc

    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    edges = np.array([0.0, 1.0, np.nan, np.inf, -np.inf, -0.0, 1e-300, 1 - 1e-16, 2.0, -1.0])
    u = np.resize(edges, elementwise.MIN_SIZE * 2 + 5)
    for a in (1e-300, 0.03, 0.4, 50.0):
        got, want = elementwise.apply(betaincinv, a, 2.0, u), betaincinv(a, 2.0, u)
        assert got.tobytes() == want.tobytes()
        assert elementwise.apply(gammaincinv, a, u).tobytes() == gammaincinv(a, u).tobytes()
    with sc.errstate(all="raise"), pytest.raises(sc.SpecialFunctionError):
        elementwise.apply(betaincinv, 0.4, 3.0, u)  # as the one call raises under this setting


def test_a_pool_worker_uses_one_thread() -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    spawn = multiprocessing.get_context("spawn")  # (fork from a process with threads may hang)
    with ProcessPoolExecutor(1, mp_context=spawn) as pool:  # (no OMP_NUM_THREADS set there)
        assert pool.submit(elementwise.threads).result() == 1


def test_a_thread_other_than_the_main_one_uses_one_thread(monkeypatch) -> None:
    import threading

    monkeypatch.setenv("OMP_NUM_THREADS", "4")  # (the main thread would take 4)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(elementwise.threads()))
    worker.start()
    worker.join()
    assert seen == [1] and elementwise.threads() == 4


def test_usable_cores_is_capped_by_affinity_and_by_a_set_limit(monkeypatch) -> None:
    import os

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    monkeypatch.delenv("LOKY_MAX_CPU_COUNT", raising=False)
    assert 1 <= elementwise.usable_cores() <= affinity
    monkeypatch.setenv("LOKY_MAX_CPU_COUNT", "1")  # as a container's quota of one core would
    assert elementwise.usable_cores() == 1
    for odd in ("", "2.5", "auto"):  # not a whole number: the affinity (joblib would raise)
        monkeypatch.setenv("LOKY_MAX_CPU_COUNT", odd)
        assert 1 <= elementwise.usable_cores() <= affinity
