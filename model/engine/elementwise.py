"""Slow elementwise special functions on several cores, for building a large market.

scipy's inverse incomplete beta and gamma functions iterate per element (about 0.7 µs each): at
10⁶ clients the survivors' exact propensities alone took most of a second of the build. They
release the GIL and each element depends only on its own arguments, so :func:`apply` evaluates
them in contiguous slices on threads: the result is the one call's, element for element, bit for
bit (``tests/test_elementwise.py``), whatever the number of threads.

Threads: one in a process that a pool started (``multiprocessing``: the sweeps', the claim
study's, ``compare``'s and ``optimize``'s workers, Dask's nanny's), which already has a core of
its own, and one in any thread but the main one (a Dask worker's tasks, a server's handlers:
someone else's parallelism already); else ``OMP_NUM_THREADS`` when set, else the cores this
process may use (:func:`usable_cores`); at most :data:`MAX_THREADS`. The caller's numpy and
scipy.special error settings hold in the threads.
Anything but plain 1-d arrays of one length and scalars goes to the one call.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import special

__all__ = ["MAX_THREADS", "MIN_SIZE", "apply", "threads", "usable_cores"]

#: Most threads one call uses.
MAX_THREADS = 8
#: Fewer elements than this are evaluated in one call (a thread's start costs more than it saves).
MIN_SIZE = 1 << 15


def usable_cores() -> int:
    """The cores this process may use: the least of its CPU affinity, a container's CPU quota
    (cgroup ``cpu.max`` or CFS quota, rounded up: a pod given 4 of a host's 64 cores counts 4)
    and ``LOKY_MAX_CPU_COUNT`` when set — ``joblib.cpu_count()``'s reading; the affinity alone
    where that cannot be read (a ``LOKY_MAX_CPU_COUNT`` that is not a whole number)."""
    import joblib  # (here: 20-50 ms to import, and only sweeps' defaults and large builds ask)

    try:
        return max(1, int(joblib.cpu_count()))
    except (ValueError, OSError):
        return _affinity()


def _affinity() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def threads() -> int:
    """Threads :func:`apply` uses (see the module's notes): 1 in a pool's worker process or off
    the main thread, else ``OMP_NUM_THREADS`` (its first number) if set and positive, else the
    usable cores; ≤ 8."""
    if multiprocessing.parent_process() is not None:
        return 1
    if threading.current_thread() is not threading.main_thread():
        return 1
    first = os.environ.get("OMP_NUM_THREADS", "").split(",")[0].strip()
    try:
        wanted = int(first)
    except ValueError:
        wanted = 0
    return max(1, min(wanted if wanted > 0 else usable_cores(), MAX_THREADS))


def apply(fn: Callable[..., np.ndarray], *args: float | np.ndarray) -> np.ndarray:
    """``fn(*args)`` for an elementwise ``fn`` (a numpy ufunc such as ``scipy.special.betaincinv``),
    in slices on :func:`threads` threads when its arrays are long.

    The result equals ``fn(*args)`` element for element, in its dtype. Only plain 1-d arrays of
    one length and scalars are sliced; any other arguments (other shapes, array-likes) go to the
    one call as they are.
    """
    arrays = [a for a in args if not isinstance(a, int | float | np.generic)]
    n = arrays[0].size if arrays and isinstance(arrays[0], np.ndarray) else 0
    if n < MIN_SIZE or not all(type(a) is np.ndarray and a.shape == (n,) for a in arrays):
        return fn(*args)
    k = threads()
    if k == 1:
        return fn(*args)

    def sliced(lo: int, hi: int) -> list:
        return [a[lo:hi] if type(a) is np.ndarray else a for a in args]

    # Written in place, slice by slice (no second market-long array at the peak), in the dtype
    # the function gives these arguments.
    out = np.empty(n, dtype=fn(*sliced(0, 1)).dtype)
    edges = np.linspace(0, n, k + 1).astype(np.int64)
    numpy_errors, special_errors = np.geterr(), special.geterr()  # (per thread: carried over)

    def part(lo: int, hi: int) -> None:
        with np.errstate(**numpy_errors), special.errstate(**special_errors):
            fn(*sliced(lo, hi), out=out[lo:hi])

    with ThreadPoolExecutor(k, thread_name_prefix="elementwise") as pool:
        for f in [pool.submit(part, int(lo), int(hi)) for lo, hi in itertools.pairwise(edges)]:
            f.result()
    return out
