"""What runs in one process can share without changing a number: seeds and starting states.

A run's random draws depend only on ``(seed, decision, month, client)`` (:mod:`model.engine.randomness`)
and its starting market only on the seed and a few parameters, so runs that share a seed — the arms
of a paired comparison, an optimizer's or a calibration's evaluations on common random numbers —
can share them instead of computing them again: the SeedSequence words that seed each decision's
stream (a block of months at a time), the starting clients and the network. (The draws themselves
are not kept: a compiled stream redraws a month's uniforms faster than a store finds them.) :func:`remember` keeps such values in one bounded
least-recently-used store per process (``RETENTION_SHARED_MB``, default 128 MB; 0 turns it off).
Shared arrays are read-only, so a phase that wrote into one would fail loudly instead of changing
another run's numbers.
"""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import numpy as np

from model.scenario import ScenarioError

__all__ = ["MAX_CLIENTS", "clear", "remember"]

#: Markets larger than this are not shared: their states would crowd out every other run's, and keeping
#: them costs fresh pages (measured slower at 10⁵ for a single run), while studies of many runs are
#: of a few thousand clients.
MAX_CLIENTS = 20_000


class _Store:
    """A least-recently-used map with a budget in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.items: OrderedDict[Hashable, tuple[object, int]] = OrderedDict()
        self.bytes = 0
        self.lock = threading.Lock()  # runs on threads (a Dask worker) share one store

    def get[T](self, key: Hashable, build: Callable[[], T], nbytes: Callable[[T], int]) -> T:
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
                return hit[0]  # type: ignore[return-value]
        value = build()  # outside the lock: another thread may build the same value meanwhile
        size = int(nbytes(value))
        if size <= self.max_bytes:
            with self.lock:
                if key not in self.items:
                    self.items[key] = (value, size)
                    self.bytes += size
                while self.bytes > self.max_bytes:
                    _, (_, dropped) = self.items.popitem(last=False)
                    self.bytes -= dropped
        return value


def _budget() -> int:
    """``RETENTION_SHARED_MB`` in bytes (default 128 MB; 0 turns sharing off)."""
    raw = os.environ.get("RETENTION_SHARED_MB", "128")
    try:
        mb = float(raw)
    except ValueError:
        mb = math.nan
    if not math.isfinite(mb) or mb < 0:
        raise ScenarioError(
            f"RETENTION_SHARED_MB: value {raw!r} is not allowed; allowed: a number of megabytes "
            "0 <= x (finite; 0 turns sharing off)"
        )
    return int(mb * 2**20)


#: The process's store. Its budget is read on first use (``max_bytes`` < 0 until then), so a bad
#: ``RETENTION_SHARED_MB`` is a one-line input error when a run starts, not a crash on import.
_STORE = _Store(-1)


def remember[T](key: Hashable, build: Callable[[], T], nbytes: Callable[[T], int]) -> T:
    """``build()``, or the value built before under ``key`` in this process.

    ``key`` must name everything the value depends on (seed, decision, month, sizes, parameters).
    Arrays are made read-only before they are kept.
    """
    if _STORE.max_bytes < 0:
        _STORE.max_bytes = _budget()
    if _STORE.max_bytes == 0:
        return build()

    def frozen() -> T:
        value = build()
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
        return value

    return _STORE.get(key, frozen, nbytes)


def clear() -> None:
    """Forget everything shared (tests; a long session that wants its memory back)."""
    with _STORE.lock:
        _STORE.items.clear()
        _STORE.bytes = 0
