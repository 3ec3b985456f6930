"""One random stream per decision, counter-based.

A client's draw depends only on ``(seed, decision, month, client)``: each decision (``"retain.churn"``,
``"wom.positive"``, …) has its own Philox key derived from the seed and the decision's name, and the
month is the Philox counter. Element *i* of a month's draw belongs to client *i*. So

* adding a draw to one phase never shifts the numbers of another;
* the first N clients of a 2N-client market draw exactly what an N-client market draws;
* the same scenario and seed give the same numbers in one process or many.

Only uniforms are drawn; other distributions are inverse-CDF transforms of them, so the one-to-one
map between a client and its uniform survives (a rejection sampler would break it).
"""

from __future__ import annotations

import zlib

import numpy as np
from scipy.special import ndtri

__all__ = ["Streams", "normal_from_uniform"]


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
        self._keys: dict[str, np.ndarray] = {}

    def key(self, decision: str) -> np.ndarray:
        """The 128-bit Philox key of a decision (cached)."""
        key = self._keys.get(decision)
        if key is None:
            tag = zlib.crc32(decision.encode("utf-8"))
            seq = np.random.SeedSequence(self.seed, spawn_key=(tag,))
            key = seq.generate_state(2, dtype=np.uint64)
            self._keys[decision] = key
        return key

    def generator(self, decision: str, month: int) -> np.random.Generator:
        """A generator positioned at the start of ``(decision, month)``."""
        counter = np.array([0, int(month), 0, 0], dtype=np.uint64)
        return np.random.Generator(np.random.Philox(key=self.key(decision), counter=counter))

    def uniform(self, decision: str, month: int, n: int) -> np.ndarray:
        """``n`` float32 uniforms in [0, 1): element *i* is client *i*'s draw this month."""
        return self.generator(decision, month).random(n, dtype=np.float32)

    def uniform64(self, decision: str, month: int, n: int) -> np.ndarray:
        """As :meth:`uniform` in float64, for firm-level decisions that need the precision."""
        return self.generator(decision, month).random(n)


def normal_from_uniform(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates by the inverse CDF (keeps one uniform per client)."""
    # Clip away exact 0 so ndtri never returns -inf.
    return ndtri(np.clip(u, 1e-7, 1 - 1e-7)).astype(u.dtype, copy=False)
