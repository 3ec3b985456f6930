"""Slow elementwise special functions on several cores, for building a large market.

scipy's inverse incomplete beta and gamma functions iterate per element (about 0.7 µs each): at
10⁶ clients the survivors' exact propensities alone took most of a second of the build. They
release the GIL and each element depends only on its own arguments, so :func:`apply` evaluates
them in contiguous slices on threads: the result is the one call's, element for element, bit for
bit (``tests/test_elementwise.py``), whatever the number of threads.

Threads: ``OMP_NUM_THREADS`` when set (a sweep's worker processes set it to 1, so they never
oversubscribe their cores), else the cores this process may use, at most :data:`MAX_THREADS`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["MAX_THREADS", "MIN_SIZE", "apply", "threads", "usable_cores"]

#: Most threads one call uses.
MAX_THREADS = 8
#: Fewer elements than this are evaluated in one call (a thread's start costs more than it saves).
MIN_SIZE = 1 << 15


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def threads() -> int:
    """Threads :func:`apply` uses: ``OMP_NUM_THREADS`` if set, else the usable cores (≤ 8)."""
    raw = os.environ.get("OMP_NUM_THREADS", "")
    if raw.strip().isdigit():
        return max(1, min(int(raw), MAX_THREADS))
    return max(1, min(usable_cores(), MAX_THREADS))


def apply(fn: Callable[..., np.ndarray], *args: float | np.ndarray) -> np.ndarray:
    """``fn(*args)`` for an elementwise ``fn`` (a numpy ufunc such as ``scipy.special.betaincinv``),
    in slices on :func:`threads` threads when the arrays are long.

    Array arguments must share one 1-d shape (scalars broadcast); the result equals ``fn(*args)``
    element for element, in its dtype.
    """
    arrays = [a for a in args if isinstance(a, np.ndarray) and a.ndim]
    n = arrays[0].size if arrays else 0
    k = threads()
    if n < MIN_SIZE or k == 1:
        return fn(*args)
    if any(a.shape != (n,) for a in arrays):
        raise ValueError("apply: array arguments must share one 1-d shape")

    def sliced(lo: int, hi: int) -> list:
        return [a[lo:hi] if isinstance(a, np.ndarray) and a.ndim else a for a in args]

    # Written in place, slice by slice (no second market-long array at the peak), in the dtype
    # the function gives these arguments.
    out = np.empty(n, dtype=fn(*sliced(0, 1)).dtype)
    edges = np.linspace(0, n, k + 1).astype(np.int64)

    def part(lo: int, hi: int) -> None:
        fn(*sliced(lo, hi), out=out[lo:hi])

    with ThreadPoolExecutor(k, thread_name_prefix="elementwise") as pool:
        for f in [pool.submit(part, int(lo), int(hi)) for lo, hi in itertools.pairwise(edges)]:
            f.result()
    return out
