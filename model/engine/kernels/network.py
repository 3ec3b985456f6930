"""Passes over the social network's edges (CSR), compiled."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["pick_flagged_csr", "word_of_mouth_reach"]


@njit(cache=True, nogil=True)
def word_of_mouth_reach(
    indptr: np.ndarray,
    indices: np.ndarray,
    flags: np.ndarray,
    shift: int,
    table_pos: np.ndarray,
    table_neg: np.ndarray,
    u_pos: np.ndarray,
    u_neg: np.ndarray,
    do_pos: bool,
    do_neg: bool,
    probability_pos: np.ndarray,
    heard_pos: np.ndarray,
    heard_neg: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Who hears a positive and a negative message this month, in one pass over the edges.

    ``flags`` packs each client's two flags, ``promoter + detractor · 2^shift`` (the caller
    chooses ``shift`` above the largest degree, so one sum over a client's neighbours carries
    both counts). For each client: sum the neighbours' flags, read the chance of hearing at least
    one message of each kind from its table (indexed by that count), and compare it with the
    client's uniform. Writes ``probability_pos`` and the two ``heard`` flags (a kind not carried,
    ``do_* = False``, is left untouched). Reference:
    :func:`model.engine.phases.word_of_mouth.reach_numpy` (``count_flagged_both``,
    ``reach_probability``, ``np.less``).
    """
    low = (1 << shift) - 1
    # Indices cast to unsigned: numba then skips the negative-index wraparound test on each edge
    # (half the time of this loop at 10^6 clients).
    e = np.uint64(indptr[0])
    for i in range(indptr.size - 1):
        total = 0
        end = np.uint64(indptr[i + 1])
        while e < end:
            total += flags[np.uint64(indices[e])]
            e += np.uint64(1)
        if do_pos:
            p = table_pos[total & low]
            probability_pos[i] = p
            heard_pos[i] = u_pos[i] < p
        if do_neg:
            heard_neg[i] = u_neg[i] < table_neg[total >> shift]


@njit(cache=True, nogil=True)
def pick_flagged_csr(
    indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray, flag: np.ndarray, u: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """For each node in ``rows``, its neighbour with ``flag`` set of rank ``⌊u · count⌋``, or -1.

    Reference: :meth:`model.engine.network.Network.pick_flagged` (its CSR branch): the rank is
    ``min(⌊u·count⌋, count − 1)`` with ``u·count`` formed in float64, over the flagged
    neighbours in edge order.
    """
    out = np.full(rows.size, -1, np.int32)
    for k in range(rows.size):
        r = rows[k]
        count = 0
        for e in range(indptr[r], indptr[r + 1]):
            count += flag[indices[e]]
        if count == 0:
            continue
        want = min(np.int64(np.float64(u[k]) * np.float64(count)), count - 1)
        for e in range(indptr[r], indptr[r + 1]):
            j = indices[e]
            if flag[j]:
                if want == 0:
                    out[k] = j
                    break
                want -= 1
    return out
