"""One random stream per decision and month.

A client's draw depends only on ``(seed, decision, month, client)``: each decision (``"retain.churn"``,
``"wom.positive"``, …) and month has its own PCG64 stream, seeded through ``SeedSequence(seed,
spawn_key=(decision tag, month))`` — SeedSequence's hashing makes the streams independent — and
element *i* of a month's draw belongs to client *i*. So

* adding a draw to one phase never shifts the numbers of another;
* the first N clients of a 2N-client market draw exactly what an N-client market draws;
* the same scenario and seed give the same numbers in one process or many.

Only uniforms are drawn; other distributions are inverse-CDF transforms of them, so the one-to-one
map between a client and its uniform survives (a rejection sampler would break it).
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np
from scipy.special import betaincinv, ndtri

from model.engine import elementwise
from model.engine.kernels.hashing import hash_uniform
from model.engine.kernels.pcg64 import (
    pcg64_fill_float32,
    pcg64_first_float64,
    pcg64_float32,
    pcg64_float64,
)
from model.engine.kernels.seeding import seed_words_compiled
from model.engine.sharing import remember

__all__ = ["Streams", "beta_from_uniform", "hash_uniform_numpy", "normal_from_uniform"]


class Streams:
    """Keyed uniform draws for one run.

    Parameters
    ----------
    seed : int
        The run's seed.

    Examples
    --------
    >>> s = Streams(7)
    >>> a = s.uniform("retain.churn", month=3, n=5)
    >>> bool((a == Streams(7).uniform("retain.churn", 3, 10)[:5]).all())
    True
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._tags: dict[str, int] = {}
        # SeedSequence(seed, spawn_key=(tag, month)).generate_state(8, uint32) for a block of
        # months at once (see :func:`seed_words`), keyed by (tag, block); and one reused PCG64.
        self._words: dict[tuple[str, int], np.ndarray] = {}
        # The first two words of each month's block as one uint64: the key of uniform_at.
        self._keys: dict[tuple[str, int], np.ndarray] = {}
        self._bitgen = np.random.PCG64(0)
        self._gen = np.random.Generator(self._bitgen)
        # Each decision's block of months at hand, as (block index, its seed words as uint64
        # rows, its keys): a month's draw or key is one lookup and an index; and each
        # decision's buffer for uniform_scratch with its read-only view.
        self._at_hand: dict[str, tuple[int, np.ndarray, np.ndarray]] = {}
        self._scratch: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def __getstate__(self) -> dict:
        """Copied and pickled without the month's kept words and the draw buffers, which the next
        draw rebuilds: a copied buffer and its copied view would no longer share memory."""
        state = self.__dict__.copy()
        state.update(_at_hand={}, _scratch={})
        return state

    def _block(self, decision: str, month: int) -> np.ndarray:
        """SeedSequence(seed, (tag, m)).generate_state(8, uint32) for ``month``'s block of months."""
        found = self._words.get((decision, month // _BLOCK))
        if found is not None:
            return found
        tag, start = self.tag(decision), month - month % _BLOCK
        months = np.arange(start, start + _BLOCK, dtype=np.uint32)
        block = remember(
            ("seed_words", self.seed, tag, start),
            lambda: seed_words_fast(self.seed, tag, months, 8),
            _nbytes,
        )
        self._words[decision, month // _BLOCK] = block
        pairs = np.ascontiguousarray(block[:, :2])  # (little-endian word pairs, as before)
        self._keys[decision, month // _BLOCK] = pairs.view(np.uint64)[:, 0]
        return block

    def _state_words(self, decision: str, month: int) -> np.ndarray:
        """The 8 uint32 words SeedSequence(seed, (tag, month)) generates (computed by block)."""
        month = int(month)
        return self._block(decision, month)[month % _BLOCK]

    def _block_at_hand(self, decision: str, month: int) -> tuple[int, np.ndarray, np.ndarray]:
        """(block index, seed words as (months, 4) uint64, keys) of ``month``'s block, kept per
        decision while its months are drawn."""
        kept = self._at_hand.get(decision)
        if kept is None or kept[0] != month // _BLOCK:
            m = int(month)
            words = self._block(decision, m).view(np.uint64)  # (which also forms the keys)
            kept = self._at_hand[decision] = (m // _BLOCK, words, self._keys[decision, m // _BLOCK])
        return kept

    def _month_words(self, decision: str, month: int) -> np.ndarray:
        """:meth:`_state_words` as four uint64 words (PCG64's seed), from the decision's block
        at hand (one lookup and an index per draw, not a block lookup, an index and a view)."""
        return self._block_at_hand(decision, month)[1][month % _BLOCK]

    def tag(self, decision: str) -> int:
        """The 32-bit tag of a decision's name (cached)."""
        tag = self._tags.get(decision)
        if tag is None:
            tag = self._tags[decision] = zlib.crc32(decision.encode("utf-8"))
        return tag

    def generator(self, decision: str, month: int) -> np.random.Generator:
        """A fresh generator for ``(decision, month)``.

        PCG64 rather than a counter-based Philox: the same per-(decision, month) keying, at less
        than half the cost per draw (1.3 ms against 4.0 ms per 10⁶ float32 uniforms here).
        """
        seq = np.random.SeedSequence(self.seed, spawn_key=(self.tag(decision), int(month)))
        return np.random.Generator(np.random.PCG64(seq))

    def _seeded(self, decision: str, month: int) -> np.random.Generator:
        """The generator of :meth:`generator`, in the same state, without building a new one.

        The run's reused PCG64 is put in the state that ``PCG64(SeedSequence(seed, (tag,
        month)))`` starts in; the SeedSequence words come from :func:`seed_words` (one vectorized
        computation per block of months). The same numbers, at a third of the cost per call.
        """
        w = self._state_words(decision, month).view(np.uint64)  # little-endian pairs
        self._bitgen.state = _pcg64_state(int(w[0]), int(w[1]), int(w[2]), int(w[3]))
        return self._gen

    def uniform(self, decision: str, month: int, n: int) -> np.ndarray:
        """``n`` float32 uniforms in [0, 1): element *i* is client *i*'s draw this month.

        The stream of :meth:`generator` for ``(decision, month)``, drawn by a compiled PCG64
        (:func:`model.engine.kernels.pcg64.pcg64_float32`: numpy's numbers, bit for bit, at
        about three times numpy's speed, and without seeding a numpy generator, which costs more than
        the draw itself in a small market). The array is read-only.
        """
        u = pcg64_float32(self._month_words(decision, month), int(n))
        # Read-only, as shared values are: one compiled variant of each kernel.
        u.flags.writeable = False
        return u

    def uniform_scratch(self, decision: str, month: int, n: int) -> np.ndarray:
        """:meth:`uniform`'s numbers in the decision's own buffer, which its next draw refills.

        For monthly draws handed to a kernel at once (the staff's quits; the clients' draws go
        into a pool the phases share, :meth:`model.engine.context.Context.uniform`): drawing
        into an array kept per decision saves the allocation, the array's boxing and the
        read-only flag of each draw (about 1 µs, a third of a 3,000-client draw). The array is
        read-only, as :meth:`uniform`'s is, and holds its numbers only until the next
        ``uniform_scratch`` of the same decision; keep a copy to keep them longer.
        """
        kept = self._scratch.get(decision)
        if kept is None or kept[0].size != n:
            kept = self._scratch[decision] = read_only_buffer(int(n))
        self.uniform_into(decision, month, kept[0])
        return kept[1]

    def uniform_into(self, decision: str, month: int, out: np.ndarray) -> None:
        """:meth:`uniform`'s numbers for ``out.size`` clients, written into ``out`` (float32)."""
        pcg64_fill_float32(self._month_words(decision, month), out)

    def uniform_numpy(self, decision: str, month: int, n: int) -> np.ndarray:
        """:meth:`uniform`'s numbers from numpy's own PCG64 (not shared; the compiled draw's
        reference)."""
        return self._seeded(decision, month).random(n, dtype=np.float32)

    def key(self, decision: str, month: int) -> np.uint64:
        """The 64-bit key of :meth:`uniform_at` for ``(decision, month)``, for compiled kernels
        that hash their rows themselves (:func:`model.engine.kernels.hashing.hash_one`); from
        the decision's block at hand, as :meth:`_month_words` finds the seed words."""
        return self._block_at_hand(decision, month)[2][month % _BLOCK]

    def uniform_at(self, decision: str, month: int, rows: np.ndarray) -> np.ndarray:
        """float32 uniforms for the clients in ``rows`` only: a hash of (key, row), no stream.

        For decisions that concern few clients (incidents, aware prospects): the cost is that of
        the rows, not of the market. Client *i*'s draw is still a function of (seed, decision,
        month, i) alone — SplitMix64's finaliser (Steele et al. 2014), applied twice, to
        the row mixed with a 64-bit key from ``SeedSequence(seed, (decision tag, month))``. A
        decision uses either this or :meth:`uniform`, never both.
        """
        return hash_uniform(np.asarray(rows, dtype=np.int64), self.key(decision, month))

    def uniform64(self, decision: str, month: int, n: int) -> np.ndarray:
        """As :meth:`uniform` in float64, for firm-level decisions that need the precision
        (numpy's ``random(n)`` of the same stream; writable)."""
        return pcg64_float64(self._month_words(decision, month), int(n))

    def uniform64_one(self, decision: str, month: int) -> float:
        """``uniform64(decision, month, 1)[0]`` as a Python float, for a firm-level decision of
        one number (no array made)."""
        return pcg64_first_float64(self._month_words(decision, month))

    def uniform64_numpy(self, decision: str, month: int, n: int) -> np.ndarray:
        """:meth:`uniform64`'s numbers from numpy's own PCG64 (the compiled draw's reference)."""
        return self._seeded(decision, month).random(n)


def read_only_buffer(n: int) -> tuple[np.ndarray, np.ndarray]:
    """A float32 buffer of ``n`` and a read-only view of it: draws are written into the buffer
    and handed out as the view (read-only, as shared values are: one compiled variant of each
    kernel that reads them)."""
    buffer = np.empty(n, np.float32)
    view = buffer.view()
    view.flags.writeable = False
    return buffer, view


def _nbytes(a: np.ndarray) -> int:
    return int(a.nbytes) + 112  # the array object itself


#: Months of SeedSequence words computed at once per decision.
_BLOCK = 128
_MASK32 = 0xFFFFFFFF
# SeedSequence's constants (O'Neill's seed_seq_fe, as numpy implements it).
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R, _POOL = 0xCA01F9DD, 0x4973F715, 4
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
_MASK128 = (1 << 128) - 1


def _uint32_words(value: int) -> list[int]:
    """An integer as numpy's SeedSequence splits it: 32-bit words, least significant first."""
    words = []
    while True:
        words.append(value & _MASK32)
        value >>= 32
        if not value:
            return words


def seed_words_fast(seed: int, tag: int, months: np.ndarray, n_words: int) -> np.ndarray:
    """:func:`seed_words`' words from one compiled loop
    (:func:`model.engine.kernels.seeding.seed_words_compiled`; tested equal)."""
    run = _uint32_words(int(seed))
    run += [0] * max(_POOL - len(run), 0)
    fixed = np.array(run + _uint32_words(int(tag)), dtype=np.uint32)
    return seed_words_compiled(fixed, np.asarray(months, dtype=np.uint32), int(n_words))


def seed_words(seed: int, tag: int, months: np.ndarray, n_words: int) -> np.ndarray:
    """``SeedSequence(seed, spawn_key=(tag, m)).generate_state(n_words, uint32)`` for many ``m``.

    numpy's SeedSequence algorithm, vectorized over months: the hash constants evolve the same
    way for every entropy, so each step is one uint32 operation over all months at once
    (``tests/test_randomness.py`` checks it against numpy's own SeedSequence).

    Returns
    -------
    ndarray of uint32, shape (len(months), n_words)
    """
    run = _uint32_words(int(seed))
    run += [0] * max(_POOL - len(run), 0)
    months = np.asarray(months, dtype=np.uint32)
    ones = np.ones(months.shape, dtype=np.uint32)
    entropy = [ones * np.uint32(w) for w in run]
    entropy += [ones * np.uint32(w) for w in _uint32_words(int(tag))]
    entropy.append(months)  # a month below 2^32 is one word
    h = _INIT_A

    def hashmix(value: np.ndarray) -> np.ndarray:
        nonlocal h
        value = value ^ np.uint32(h)
        h = (h * _MULT_A) & _MASK32
        value = value * np.uint32(h)
        return value ^ (value >> np.uint32(16))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = np.uint32(_MIX_MULT_L) * x - np.uint32(_MIX_MULT_R) * y
        return result ^ (result >> np.uint32(16))

    pool = [hashmix(entropy[i]) for i in range(_POOL)]
    for src in range(_POOL):
        for dst in range(_POOL):
            if src != dst:
                pool[dst] = mix(pool[dst], hashmix(pool[src]))
    for src in range(_POOL, len(entropy)):
        for dst in range(_POOL):
            pool[dst] = mix(pool[dst], hashmix(entropy[src]))
    out = np.empty((months.size, n_words), dtype=np.uint32)
    h = _INIT_B
    for i in range(n_words):
        value = pool[i % _POOL] ^ np.uint32(h)
        h = (h * _MULT_B) & _MASK32
        value = value * np.uint32(h)
        out[:, i] = value ^ (value >> np.uint32(16))
    return out


def _pcg64_state(s_high: int, s_low: int, i_high: int, i_low: int) -> dict:
    """PCG64's state after seeding with 4 SeedSequence words (numpy's ``pcg64_set_seed``)."""
    inc = (((i_high << 64) | i_low) << 1 | 1) & _MASK128
    state = (inc + ((s_high << 64) | s_low)) & _MASK128  # one step from 0, plus the seed
    state = (state * _PCG_MULT + inc) & _MASK128
    return {"bit_generator": "PCG64", "state": {"state": state, "inc": inc}, "has_uint32": 0,
            "uinteger": 0}  # fmt: skip


#: Cells of the tabulated inverse normal CDF used by :func:`normal_from_uniform`.
NORMAL_CELLS = 1 << 16
#: The standard normal quantile at each cell's midpoint, (k + ½) / NORMAL_CELLS.
NORMAL_TABLE = ndtri((np.arange(NORMAL_CELLS) + 0.5) / NORMAL_CELLS).astype(np.float32)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S27, _S30, _S31 = np.uint64(27), np.uint64(30), np.uint64(31)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 whose output bits look independent."""
    z = z ^ (z >> _S30)  # a new array: the caller's stays as it was
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def hash_uniform_numpy(rows: np.ndarray, key: np.uint64) -> np.ndarray:
    """:meth:`Streams.uniform_at`'s draws in numpy: the readable reference of
    :func:`model.engine.kernels.hashing.hash_uniform`, which computes the same in one compiled loop."""
    z = np.multiply(rows, _GOLDEN, dtype=np.uint64, casting="unsafe")
    z ^= key
    z = _mix(z)
    z += key
    z = _mix(z)
    z >>= np.uint64(40)
    u = z.astype(np.float32)
    u *= np.float32(2.0**-24)
    return u


def normal_from_uniform(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates by a tabulated inverse CDF (keeps one uniform per client).

    The unit interval is cut into 2¹⁶ equal cells and each uniform takes the normal quantile at
    its cell's midpoint: the deviates are normal up to that quantisation (within half a cell,
    1/(2·2¹⁶·φ(z)): 1.5·10⁻⁴ for |z| < 2, 0.009 for |z| < 3.5) and lie within ±4.17. A table gather costs a third of
    ``scipy.special.ndtri`` on every served client every month.
    """
    cell = (np.asarray(u, dtype=np.float32) * np.float32(NORMAL_CELLS)).astype(np.int32)
    np.minimum(cell, NORMAL_CELLS - 1, out=cell)  # a float32 uniform can round up to 1.0
    return np.take(NORMAL_TABLE, cell)  # (take: a third cheaper than fancy indexing here)


#: Cells of the tabulated inverse beta CDF used by :func:`beta_from_uniform`.
BETA_CELLS = 1 << 16
#: Cells at each end inverted exactly (there the quantile can be as steep as u^(1/a)).
BETA_EXACT_CELLS = 1 << 8
#: Below this shape the tabulated inverse is not used (its error was measured for 0.05-100).
BETA_MIN_SHAPE = 0.05


def beta_from_uniform(u: np.ndarray, a: float, b: float) -> np.ndarray:
    """Beta(a, b) deviates: the inverse CDF of ``u``, tabulated and interpolated (float64).

    ``scipy.special.betaincinv`` iterates per element (0.5–1 s for 10⁶ clients); here it runs once
    per edge of 2¹⁶ equal cells of the unit interval, and a uniform inside a cell is placed
    linearly between the cell's two quantiles. Inside the interval the quantile function is smooth
    and the error is at most 3·10⁻⁷ for shapes 0.05–100 (``tests/test_randomness.py``); within
    2⁻⁸ of either end it can be steep (like u^(1/a) near 0), so those uniforms (1 in 128) are
    inverted exactly, as are all of them when there are no more than 2¹⁶ or a shape is below
    0.05.
    """
    u = np.asarray(u, dtype=np.float64)
    # Fewer uniforms than table entries, or shapes so small that the quantile jumps inside
    # cells (both below 0.05: a near-two-point distribution): invert exactly.
    if u.size <= BETA_CELLS or min(a, b) < BETA_MIN_SHAPE:
        return elementwise.apply(betaincinv, a, b, u)
    table = _beta_table(float(a), float(b))
    pos = u * BETA_CELLS
    cell = np.minimum(pos.astype(np.int64), BETA_CELLS - 1)
    pos -= cell  # now the position inside the cell, in [0, 1]
    low = table[cell]
    x = low + pos * (table[cell + 1] - low)
    ends = np.flatnonzero((cell < BETA_EXACT_CELLS) | (cell >= BETA_CELLS - BETA_EXACT_CELLS))
    x[ends] = betaincinv(a, b, u[ends])
    return x


@lru_cache(maxsize=8)
def _beta_table(a: float, b: float) -> np.ndarray:
    """Beta(a, b) quantiles at the cell edges k / 2¹⁶ (kept for the next model of a sweep)."""
    table = elementwise.apply(betaincinv, a, b, np.linspace(0.0, 1.0, BETA_CELLS + 1))
    table.flags.writeable = False
    return table
