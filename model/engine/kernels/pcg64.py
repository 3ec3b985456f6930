"""numpy's PCG64 float32 stream, compiled: the same numbers as ``Generator(PCG64).random(n, float32)``.

numpy draws a float32 uniform from the top 24 bits of a 32-bit output, two outputs per 64-bit PCG64
step (XSL-RR output of a 128-bit linear congruential state), through a function pointer per
value. Here the 128-bit arithmetic is LLVM's own ``i128`` (numba has no 128-bit integer type, so
one small intrinsic emits it), the loop is compiled and it runs four interleaved chains of states
(:func:`pcg64_fill_float32`): about three times numpy's speed at 10⁶ values, so every
full-market draw of a month costs less. The stream is numpy's, bit for bit
(``tests/test_kernels.py`` compares them over many seeds and lengths).

Reference: O'Neill (2014), *PCG: A family of simple fast space-efficient statistically good
algorithms for random number generation*, HMC-CS-2014-0905; numpy's ``pcg64.h``.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.extending import intrinsic

__all__ = ["pcg64_fill_float32", "pcg64_first_float64", "pcg64_float32", "pcg64_float64"]

#: PCG's default 128-bit multiplier (numpy's PCG_DEFAULT_MULTIPLIER_128), as (high, low) words.
_MULT_HI, _MULT_LO = np.uint64(0x2360ED051FC65DA4), np.uint64(0x4385DF649FCCF645)
#: The multiplier to the fourth power mod 2¹²⁸ (four steps at once), as (high, low) words.
_JUMP4_HI, _JUMP4_LO = np.uint64(0xF4DD417327DB7A9B), np.uint64(0xD194DFBE42D45771)


@intrinsic
def _muladd128(typingctx, a_hi, a_lo, m_hi, m_lo, c_hi, c_lo):  # pragma: no cover - compiled
    """``(a · m + c) mod 2¹²⁸`` on (high, low) uint64 word pairs, returned as (high, low)."""
    u64 = types.uint64
    sig = types.UniTuple(u64, 2)(u64, u64, u64, u64, u64, u64)

    def codegen(context, builder, signature, args):
        i128, i64 = ir.IntType(128), ir.IntType(64)
        shift = ir.Constant(i128, 64)

        def join(hi, lo):
            return builder.or_(builder.shl(builder.zext(hi, i128), shift), builder.zext(lo, i128))

        a, m, c = join(args[0], args[1]), join(args[2], args[3]), join(args[4], args[5])
        r = builder.add(builder.mul(a, m), c)
        hi = builder.trunc(builder.lshr(r, shift), i64)
        return context.make_tuple(builder, signature.return_type, [hi, builder.trunc(r, i64)])

    return sig, codegen


@njit(cache=True, nogil=True, inline="always")
def _seeded(words: np.ndarray) -> tuple:  # pragma: no cover - compiled
    """PCG64's (state high, state low, increment high, increment low) after numpy's
    ``pcg64_set_seed`` with the four uint64 SeedSequence ``words`` (state, then increment)."""
    one, zero = np.uint64(1), np.uint64(0)
    inc_hi = (words[2] << one) | (words[3] >> np.uint64(63))
    inc_lo = (words[3] << one) | one
    # state = 0, one step (state = inc), add the seed, one more step.
    s_hi, s_lo = _muladd128(inc_hi, inc_lo, zero, one, words[0], words[1])
    s_hi, s_lo = _muladd128(s_hi, s_lo, _MULT_HI, _MULT_LO, inc_hi, inc_lo)
    return s_hi, s_lo, inc_hi, inc_lo


@njit(cache=True, nogil=True, inline="always")
def _xsl_rr(s_hi: np.uint64, s_lo: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    """PCG64's 64-bit output of a state: high xor low words, rotated right by the top 6 bits."""
    x = s_hi ^ s_lo
    rot = s_hi >> np.uint64(58)
    return (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))


@njit(cache=True, nogil=True)
def pcg64_fill_float32(words: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover - compiled
    """Fill ``out`` (float32) with the uniforms of :func:`pcg64_float32`, ``out.size`` of them.

    ``words`` are the uint64 words ``(state high, state low, increment high, increment low)``
    that numpy's ``PCG64(SeedSequence)`` seeds with; the stream is numpy's: seeding as
    ``pcg64_set_seed`` does, then for each pair of values one step and the XSL-RR output, its low
    32 bits first, each value its top 24 bits times 2⁻²⁴.

    The steps form one chain (each state is ``M·s + inc`` of the last), whose multiply latency
    bounds a loop that takes them one by one. So four interleaved chains take every fourth
    state each: four steps at once are ``s ↦ M⁴·s + c₄`` with ``c₄`` the state four steps from
    0, all integer arithmetic mod 2¹²⁸, the same states in the same order (a third less time
    per value here).
    """
    s_hi, s_lo, inc_hi, inc_lo = _seeded(words)
    zero = np.uint64(0)
    c_hi, c_lo = zero, zero  # four steps from state 0: the increment of a jump of four
    for _ in range(4):
        c_hi, c_lo = _muladd128(c_hi, c_lo, _MULT_HI, _MULT_LO, inc_hi, inc_lo)
    # The next four states, one chain each (a: the 1st, 5th, 9th…; b: the 2nd, 6th…).
    a_hi, a_lo = _muladd128(s_hi, s_lo, _MULT_HI, _MULT_LO, inc_hi, inc_lo)
    b_hi, b_lo = _muladd128(a_hi, a_lo, _MULT_HI, _MULT_LO, inc_hi, inc_lo)
    c3_hi, c3_lo = _muladd128(b_hi, b_lo, _MULT_HI, _MULT_LO, inc_hi, inc_lo)
    d_hi, d_lo = _muladd128(c3_hi, c3_lo, _MULT_HI, _MULT_LO, inc_hi, inc_lo)
    n = out.size
    scale = np.float32(1.0 / 16777216.0)
    low32, eight, forty = np.uint64(0xFFFFFFFF), np.uint64(8), np.uint64(40)
    i = 0
    while i + 8 <= n:
        v = _xsl_rr(a_hi, a_lo)
        out[i] = np.float32((v & low32) >> eight) * scale
        out[i + 1] = np.float32(v >> forty) * scale
        v = _xsl_rr(b_hi, b_lo)
        out[i + 2] = np.float32((v & low32) >> eight) * scale
        out[i + 3] = np.float32(v >> forty) * scale
        v = _xsl_rr(c3_hi, c3_lo)
        out[i + 4] = np.float32((v & low32) >> eight) * scale
        out[i + 5] = np.float32(v >> forty) * scale
        v = _xsl_rr(d_hi, d_lo)
        out[i + 6] = np.float32((v & low32) >> eight) * scale
        out[i + 7] = np.float32(v >> forty) * scale
        a_hi, a_lo = _muladd128(a_hi, a_lo, _JUMP4_HI, _JUMP4_LO, c_hi, c_lo)
        b_hi, b_lo = _muladd128(b_hi, b_lo, _JUMP4_HI, _JUMP4_LO, c_hi, c_lo)
        c3_hi, c3_lo = _muladd128(c3_hi, c3_lo, _JUMP4_HI, _JUMP4_LO, c_hi, c_lo)
        d_hi, d_lo = _muladd128(d_hi, d_lo, _JUMP4_HI, _JUMP4_LO, c_hi, c_lo)
        i += 8
    # The last few values: the states still due are a, b, c3, d in that order.
    while i < n:
        v = _xsl_rr(a_hi, a_lo)
        out[i] = np.float32((v & low32) >> eight) * scale
        i += 1
        if i < n:
            out[i] = np.float32(v >> forty) * scale
            i += 1
        a_hi, a_lo, b_hi, b_lo, c3_hi, c3_lo = b_hi, b_lo, c3_hi, c3_lo, d_hi, d_lo


@njit(cache=True, nogil=True)
def pcg64_float32(words: np.ndarray, n: int) -> np.ndarray:  # pragma: no cover - compiled
    """``n`` float32 uniforms from a PCG64 seeded with four SeedSequence words: numpy's
    ``Generator(PCG64(SeedSequence)).random(n, float32)``, bit for bit
    (:func:`pcg64_fill_float32` into a new array)."""
    out = np.empty(n, np.float32)
    pcg64_fill_float32(words, out)
    return out


@njit(cache=True, nogil=True)
def pcg64_float64(words: np.ndarray, n: int) -> np.ndarray:  # pragma: no cover - compiled
    """``n`` float64 uniforms from the PCG64 of :func:`pcg64_float32`: numpy's
    ``Generator(PCG64).random(n)``, one 64-bit output per value, its top 53 bits times 2⁻⁵³."""
    s_hi, s_lo, inc_hi, inc_lo = _seeded(words)
    out = np.empty(n, np.float64)
    scale = 1.0 / 9007199254740992.0
    for i in range(n):
        s_hi, s_lo = _muladd128(s_hi, s_lo, _MULT_HI, _MULT_LO, inc_hi, inc_lo)
        out[i] = np.float64(_xsl_rr(s_hi, s_lo) >> np.uint64(11)) * scale
    return out


@njit(cache=True, nogil=True)
def pcg64_first_float64(words: np.ndarray) -> float:  # pragma: no cover - compiled
    """The first value of :func:`pcg64_float64`, as a float: a firm-level draw of one number
    without an array to box (a microsecond of a small market's month)."""
    s_hi, s_lo, inc_hi, inc_lo = _seeded(words)
    s_hi, s_lo = _muladd128(s_hi, s_lo, _MULT_HI, _MULT_LO, inc_hi, inc_lo)
    return np.float64(_xsl_rr(s_hi, s_lo) >> np.uint64(11)) * (1.0 / 9007199254740992.0)
