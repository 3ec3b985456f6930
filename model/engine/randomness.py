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

__all__ = ["Streams", "beta_from_uniform", "normal_from_uniform"]


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

    def uniform(self, decision: str, month: int, n: int) -> np.ndarray:
        """``n`` float32 uniforms in [0, 1): element *i* is client *i*'s draw this month."""
        return self.generator(decision, month).random(n, dtype=np.float32)

    def uniform_at(self, decision: str, month: int, rows: np.ndarray) -> np.ndarray:
        """float32 uniforms for the clients in ``rows`` only: a hash of (key, row), no stream.

        For decisions that concern few clients (incidents, aware prospects): the cost is that of
        the rows, not of the market. Client *i*'s draw is still a function of (seed, decision,
        month, i) alone — SplitMix64's finaliser (Steele et al. 2014), applied twice, to
        the row mixed with a 64-bit key from ``SeedSequence(seed, (decision tag, month))``. A
        decision uses either this or :meth:`uniform`, never both.
        """
        seq = np.random.SeedSequence(self.seed, spawn_key=(self.tag(decision), int(month)))
        key = seq.generate_state(1, dtype=np.uint64)[0]
        z = np.asarray(rows, dtype=np.uint64) * _GOLDEN ^ key
        z = _mix(_mix(z) + key)
        return (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)

    def uniform64(self, decision: str, month: int, n: int) -> np.ndarray:
        """As :meth:`uniform` in float64, for firm-level decisions that need the precision."""
        return self.generator(decision, month).random(n)


#: Cells of the tabulated inverse normal CDF used by :func:`normal_from_uniform`.
NORMAL_CELLS = 1 << 16
#: The standard normal quantile at each cell's midpoint, (k + ½) / NORMAL_CELLS.
_NORMAL_TABLE = ndtri((np.arange(NORMAL_CELLS) + 0.5) / NORMAL_CELLS).astype(np.float32)


_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a bijection of uint64 whose output bits look independent."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def normal_from_uniform(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates by a tabulated inverse CDF (keeps one uniform per client).

    The unit interval is cut into 2¹⁶ equal cells and each uniform takes the normal quantile at
    its cell's midpoint: the deviates are normal up to that quantisation (within half a cell,
    1/(2·2¹⁶·φ(z)): 1.5·10⁻⁴ for |z| < 2, 0.009 for |z| < 3.5) and lie within ±4.17. A table gather costs a third of
    ``scipy.special.ndtri`` on every served client every month.
    """
    cell = (np.asarray(u, dtype=np.float32) * np.float32(NORMAL_CELLS)).astype(np.int32)
    np.minimum(cell, NORMAL_CELLS - 1, out=cell)  # a float32 uniform can round up to 1.0
    return np.take(_NORMAL_TABLE, cell)  # (take: a third cheaper than fancy indexing here)


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
        return betaincinv(a, b, u)
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
    table = betaincinv(a, b, np.linspace(0.0, 1.0, BETA_CELLS + 1))
    table.flags.writeable = False
    return table
