"""numpy's SeedSequence hash, compiled: the words that seed each decision's stream for a month.

:func:`model.engine.randomness.seed_words` computes ``SeedSequence(seed, spawn_key=(tag,
month)).generate_state(n_words, uint32)`` for a block of months with one numpy call per hash step
(some 150 calls of tiny arrays per decision); a run that starts from a new seed pays that for
every decision it draws (7 ms of a 1,000-client run). Here the same uint32 arithmetic runs as
one compiled loop. Reference: O'Neill's ``seed_seq_fe`` as numpy implements it
(``numpy/random/bit_generator.pyx``); ``tests/test_kernels.py`` compares the words with numpy's.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["seed_words_compiled"]

_MASK32 = np.uint64(0xFFFFFFFF)
_INIT_A, _MULT_A = np.uint64(0x43B0D7E5), np.uint64(0x931E8875)
_INIT_B, _MULT_B = np.uint64(0x8B51F9DD), np.uint64(0x58F38DED)
_MIX_MULT_L, _MIX_MULT_R = np.uint64(0xCA01F9DD), np.uint64(0x4973F715)
_SIXTEEN = np.uint64(16)
_POOL = 4


@njit(cache=True, nogil=True, inline="always")
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """SeedSequence's ``mix``: ``(L·x − R·y) mod 2³²``, then xor-shift by 16 (uint64 holding 32 bits)."""
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _MASK32
    return result ^ (result >> _SIXTEEN)


@njit(cache=True, nogil=True)
def seed_words_compiled(
    fixed: np.ndarray, months: np.ndarray, n_words: int
) -> np.ndarray:  # pragma: no cover - compiled
    """SeedSequence words for ``entropy = fixed + [month]``, one row per month.

    Parameters
    ----------
    fixed : ndarray of uint32
        The run's seed as 32-bit words padded to the pool size (4), then the decision tag's words.
    months : ndarray of uint32
    n_words : int

    Returns
    -------
    ndarray of uint32, shape (len(months), n_words)
    """
    out = np.empty((months.size, n_words), np.uint32)
    entropy = np.empty(fixed.size + 1, np.uint64)
    for i in range(fixed.size):
        entropy[i] = np.uint64(fixed[i])
    pool = np.empty(_POOL, np.uint64)
    for row in range(months.size):
        entropy[fixed.size] = np.uint64(months[row])
        h = _INIT_A

        # hashmix with its evolving constant h (inlined: numba closures cannot rebind it).
        for i in range(_POOL):
            value = entropy[i] ^ h
            h = (h * _MULT_A) & _MASK32
            value = (value * h) & _MASK32
            pool[i] = value ^ (value >> _SIXTEEN)
        for src in range(_POOL):
            for dst in range(_POOL):
                if src != dst:
                    value = pool[src] ^ h
                    h = (h * _MULT_A) & _MASK32
                    value = (value * h) & _MASK32
                    pool[dst] = _mix(pool[dst], value ^ (value >> _SIXTEEN))
        for src in range(_POOL, entropy.size):
            for dst in range(_POOL):
                value = entropy[src] ^ h
                h = (h * _MULT_A) & _MASK32
                value = (value * h) & _MASK32
                pool[dst] = _mix(pool[dst], value ^ (value >> _SIXTEEN))
        h = _INIT_B
        for i in range(n_words):
            value = pool[i % _POOL] ^ h
            h = (h * _MULT_B) & _MASK32
            value = (value * h) & _MASK32
            out[row, i] = np.uint32(value ^ (value >> _SIXTEEN))
    return out
