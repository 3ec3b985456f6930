"""Keyed float32 uniforms in compiled code: SplitMix64's finaliser (Steele et al. 2014) twice.

The same function of ``(key, row)`` as :meth:`model.engine.randomness.Streams.uniform_at`, so a kernel
can draw a decision about a few clients itself instead of taking an array from a separate call.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["hash_one", "hash_uniform"]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S27, _S30, _S31, _S40 = np.uint64(27), np.uint64(30), np.uint64(31), np.uint64(40)
_TWO_M24 = np.float32(2.0**-24)


@njit(cache=True, nogil=True, inline="always")
def _mix(z: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


@njit(cache=True, nogil=True, inline="always")
def hash_one(row: np.int64, key: np.uint64) -> np.float32:  # pragma: no cover - compiled
    """Client ``row``'s float32 uniform under ``key`` (one element of :func:`hash_uniform`)."""
    z = np.uint64(row) * _GOLDEN
    z ^= key
    z = _mix(z)
    z += key
    z = _mix(z)
    return np.float32(z >> _S40) * _TWO_M24


@njit(cache=True, nogil=True)
def hash_uniform(rows: np.ndarray, key: np.uint64) -> np.ndarray:  # pragma: no cover - compiled
    """float32 uniforms keyed by ``(key, row)``, one per row.

    Reference: :func:`model.engine.randomness.hash_uniform_numpy`.
    """
    out = np.empty(rows.size, np.float32)
    for i in range(rows.size):
        out[i] = hash_one(rows[i], key)
    return out
