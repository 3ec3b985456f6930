"""numpy's float sums, bit for bit, inside compiled code.

``np.add.reduce`` (what ``ndarray.sum`` and ``ndarray.mean`` run) sums a float array by numpy's
pairwise summation (``pairwise_sum`` in numpy's ``loops_utils.h.src``): runs shorter than 8
added one by one, blocks of up to 128 summed in eight interleaved accumulators, longer runs split
in two at a multiple of 8. A reduction without a cast passes the whole array to one such sum,
added to the identity 0; a reduction that casts (``np.add.reduce(float32_array,
dtype=np.float64)``) goes through the iterator's buffer, one pairwise sum per buffer-full
(``np.getbufsize()`` elements) added in turn. These kernels do the same, so a kernel can return
the sums of the arrays it writes, and a phase needs no numpy call after it, with the numbers
unchanged (``tests/test_kernels_reduce.py`` compares the bytes with numpy's on random arrays of
every length up to several blocks, up to 3·10⁶, and on signed zeros, NaN and infinities).

For aligned arrays in native byte order (as every array the engine makes is: numpy buffers
misaligned ones in chunks, and numba reads swapped bytes as native). One exception: a sum that
is NaN is NaN here too, but when NaNs of both signs meet, which one comes out depends on the
operand order numpy's compiled loops happen to use, so its sign bit is not guaranteed.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["PW_BLOCKSIZE", "add_reduce", "add_reduce_cast64", "pairwise_sum"]

#: numpy's ``PW_BLOCKSIZE``: the longest run summed in one block of eight accumulators.
PW_BLOCKSIZE = 128


@njit(cache=True, nogil=True)
def _block(a: np.ndarray, lo: int, n: int, zero):  # pragma: no cover - compiled
    """One leaf of numpy's pairwise sum: ``a[lo:lo + n]``, ``n`` ≤ :data:`PW_BLOCKSIZE`."""
    if n < 8:
        res = zero
        for i in range(lo, lo + n):
            res += a[i]
        return res
    # Unsigned indices: numba then skips its negative-index test (3x faster at 10^6).
    one = np.uint64(1)
    u = np.uint64(lo)
    r0, r1, r2, r3 = a[u], a[u + one], a[u + np.uint64(2)], a[u + np.uint64(3)]
    r4, r5 = a[u + np.uint64(4)], a[u + np.uint64(5)]
    r6, r7 = a[u + np.uint64(6)], a[u + np.uint64(7)]
    whole = u + np.uint64(n - n % 8)
    j = u + np.uint64(8)
    while j < whole:
        r0 += a[j]
        r1 += a[j + one]
        r2 += a[j + np.uint64(2)]
        r3 += a[j + np.uint64(3)]
        r4 += a[j + np.uint64(4)]
        r5 += a[j + np.uint64(5)]
        r6 += a[j + np.uint64(6)]
        r7 += a[j + np.uint64(7)]
        j += np.uint64(8)
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    end = u + np.uint64(n)
    while j < end:
        res += a[j]
        j += one
    return res


@njit(cache=True, nogil=True)
def _half(n: int) -> int:  # pragma: no cover - compiled
    """Where numpy splits a run of ``n``: half of it, down to a multiple of the unrolling."""
    half = n // 2
    return half - half % 8


@njit(cache=True, nogil=True)
def pairwise_sum(a: np.ndarray, lo: int, n: int, zero):  # pragma: no cover - compiled
    """numpy's pairwise sum of ``a[lo:lo + n]`` in ``a``'s precision (``zero`` is a 0 of it;
    numpy starts its short runs at −0.0, which shows only in an all-negative-zero sum before
    :func:`add_reduce` adds the identity +0.0).

    numpy recurses: a run longer than a block is the sum of its two halves. Here the same tree
    is walked with a stack of the runs whose left half is pending or summed (numba's on-disk
    cache cannot hold a self-recursive function), adding the same pairs in the same order.
    """
    if n <= PW_BLOCKSIZE:
        return _block(a, lo, n, zero)
    runs = np.empty((64, 2), np.int64)  # (start, length); halving from < 2^63 ends within 64
    left = np.empty(64, a.dtype)  # a run's left half, once summed
    done = np.zeros(64, np.bool_)  # whether it is
    depth = 0
    start, length = lo, n
    while True:
        while length > PW_BLOCKSIZE:  # down the left halves to a block
            runs[depth, 0], runs[depth, 1] = start, length
            done[depth] = False
            depth += 1
            length = _half(length)
        value = _block(a, start, length, zero)
        while depth > 0:  # up: pair with a summed left half, or go sum the right one
            top = depth - 1
            if done[top]:
                value = left[top] + value
                depth = top
                continue
            left[top], done[top] = value, True
            half = _half(runs[top, 1])
            start, length = runs[top, 0] + half, runs[top, 1] - half
            break
        else:
            return value


@njit(cache=True, nogil=True)
def add_reduce(a: np.ndarray):  # pragma: no cover - compiled
    """``np.add.reduce(a)`` of a contiguous 1-d float array, in its own dtype, bit for bit."""
    zero = np.zeros(1, a.dtype)[0]
    return zero + pairwise_sum(a, 0, a.size, zero)


@njit(cache=True, nogil=True)
def add_reduce_cast64(a: np.ndarray, bufsize: int) -> float:  # pragma: no cover - compiled
    """``np.add.reduce(a, dtype=np.float64)`` of a float32 array, bit for bit.

    numpy casts through its buffer: one pairwise sum per ``bufsize`` elements
    (``np.getbufsize()``, 8192 unless changed), each added to the running total in order.
    """
    if bufsize < 1:
        raise ValueError("bufsize must be at least 1")
    buffer = np.empty(min(bufsize, a.size), np.float64)
    total = 0.0
    start = 0
    while start < a.size:
        m = min(bufsize, a.size - start)
        for i in range(m):
            buffer[i] = a[start + i]
        total += pairwise_sum(buffer, 0, m, 0.0)
        start += m
    return total
