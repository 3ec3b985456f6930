"""Passes over the social network's edges (CSR), compiled."""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["csr_from_edges", "pick_flagged_csr"]


@njit(cache=True, nogil=True)
def pick_flagged_csr(
    indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray, flag: np.ndarray, u: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """For each node in ``rows``, its neighbour with ``flag`` set of rank ``⌊u · count⌋``, or -1.

    Reference: :meth:`model.engine.network.Network.pick_flagged_numpy`: the rank is
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


#: Neighbour lists up to this long are sorted by insertion in place (numba's ``sort`` costs
#: about half a microsecond a call however short the list: 0.5 s of a 10⁶-node build).
_SHORT = 32


@njit(cache=True, nogil=True, inline="always")
def _insertion_sort(a: np.ndarray, lo: int, hi: int) -> None:  # pragma: no cover - compiled
    """Sort ``a[lo:hi]`` ascending in place (integers: any correct sort gives the same array).

    A small world's lists arrive nearly sorted (ring neighbours below, then above), so this
    costs about one comparison a neighbour."""
    for j in range(lo + 1, hi):
        v = a[j]
        k = j - 1
        while k >= lo and a[k] > v:
            a[k + 1] = a[k]
            k -= 1
        a[k + 1] = v


@njit(cache=True, nogil=True)
def csr_from_edges(
    n: int, src: np.ndarray, dst: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:  # pragma: no cover - compiled
    """The simple undirected graph of the edges ``src[k] — dst[k]`` in CSR form.

    Both directions of every edge, self-loops dropped, each node's neighbours sorted ascending
    with duplicates removed: the canonical CSR of the graph, the same arrays as sorting the keys
    ``row·n + column`` (the numpy reference, :func:`model.engine.network.csr_numpy`), built by
    counting instead — one bucket per node, then a sort of each node's few neighbours — in
    linear time and a third of the memory. Returns ``(indptr int64, edges int32, m)``: the
    neighbour lists are the first ``m`` of ``edges`` (the rest is what repeated edges
    left unused). The endpoints may be any integer type.
    """
    counts = np.zeros(n + 1, np.int64)
    for k in range(src.size):
        a, b = src[k], dst[k]
        if a != b:
            counts[a + 1] += 1
            counts[b + 1] += 1
    for i in range(n):
        counts[i + 1] += counts[i]
    fill = counts[:-1].copy()
    indices = np.empty(counts[n], np.int32)
    for k in range(src.size):
        a, b = src[k], dst[k]
        if a != b:
            indices[fill[a]] = b
            fill[a] += 1
            indices[fill[b]] = a
            fill[b] += 1
    # Sort each node's neighbours in place and drop repeats, compacting the array as we go
    # (slot ``out`` never passes the one being read; a sort into a new array per node cost a
    # million allocations at 10⁶ nodes).
    indptr = np.zeros(n + 1, np.int64)
    out = 0
    for i in range(n):
        lo, hi = counts[i], counts[i + 1]
        if hi - lo <= _SHORT:
            _insertion_sort(indices, lo, hi)
        else:
            indices[lo:hi].sort()
        last = -1
        for j in range(lo, hi):
            v = indices[j]
            if v != last:
                indices[out] = v
                out += 1
                last = v
        indptr[i + 1] = out
    return indptr, indices, out
