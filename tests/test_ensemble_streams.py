"""The fast paths under every run's random streams give numpy's and scipy's numbers exactly.

``Streams`` computes SeedSequence words for a block of months at once and reseeds one reused PCG64
instead of building a generator per (decision, month); innovation's candidate count inverts the
Poisson CDF without scipy's distribution machinery. Both must give the very numbers of the slow
path they replace, for any seed (including seeds of more than 32 bits) and month.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import poisson

from model.engine.phases.innovate import poisson_quantile
from model.engine.randomness import Streams, seed_words, seed_words_fast


@pytest.mark.parametrize("seed", [0, 1, 7, 2**32 + 5, 123_456_789_012, 2**63 - 1, 2**64 - 1])
def test_streams_equal_a_fresh_seedsequence_generator(seed: int) -> None:
    s = Streams(seed)
    for decision in ("retain.churn", "wom.positive", "init.fit"):
        for month in (0, 1, 5, 127, 128, 300):
            seq = np.random.SeedSequence(seed, spawn_key=(s.tag(decision), month))
            fresh = np.random.Generator(np.random.PCG64(seq))
            assert (fresh.random(40, dtype=np.float32) == s.uniform(decision, month, 40)).all()
            fresh = np.random.Generator(np.random.PCG64(seq))
            assert (fresh.random(7) == s.uniform64(decision, month, 7)).all()
            words = seed_words(seed, s.tag(decision), np.array([month]), 8)[0]
            assert (words == seq.generate_state(8, np.uint32)).all()
            fast = seed_words_fast(seed, s.tag(decision), np.array([month, month + 1]), 8)
            assert (fast[0] == words).all()


def test_uniform_at_keys_are_seedsequence_words() -> None:
    s = Streams(11)
    rows = np.array([0, 3, 999])
    a = s.uniform_at("attract.convert", 4, rows)
    # Interleaving other decisions and months changes nothing (no shared generator state).
    s.uniform("retain.churn", 4, 10)
    s.uniform_at("work.fix_cost", 200, rows)
    assert (a == Streams(11).uniform_at("attract.convert", 4, rows)).all()
    assert a.dtype == np.float32 and ((a >= 0) & (a < 1)).all()


def test_poisson_quantile_equals_scipy() -> None:
    rng = np.random.default_rng(1)
    us = np.r_[rng.random(3_000), 0.0, 1e-300, 0.5, 1 - 1e-16]
    mus = np.r_[np.exp(rng.uniform(-6, 6, 3_000)), 2.0, 2.0, 1e-9, 40.0]
    for u, mu in zip(us, mus, strict=True):
        assert poisson_quantile(float(u), float(mu)) == int(poisson.ppf(u, mu)), (u, mu)
