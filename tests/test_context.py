"""The two ways a phase may visit the served clients give the same numbers and touch nobody else."""

from __future__ import annotations

import numpy as np
import pytest

from model import RetentionModel, Scenario
from model.engine.state import Stage


def _context(share: float):
    m = RetentionModel(
        Scenario().with_overrides(
            {"market.clients": 2000, "run.months": 3, "market.initial_active_share": share}
        )
    )
    m.step()  # a month in: satisfaction, expectation and the recovery bonus have spread
    ctx = m.ctx
    ctx.begin_month(2, ctx.levers, 1.0)
    return ctx


def _rule(x, e, s):  # type: ignore[no-untyped-def]
    return s + np.float32(0.3) * (x - s), e * np.float32(0.9) + np.float32(0.05)


@pytest.mark.parametrize("share", [0.2, 0.8])
def test_update_served_matches_gathered_update_and_spares_the_others(share: float) -> None:
    ctx = _context(share)
    cl = ctx.clients
    assert ctx.dense == (share > 0.5)
    cl.experience[:] = np.random.default_rng(0).random(cl.n, dtype=np.float32)
    before = {name: getattr(cl, name).copy() for name in ("satisfaction", "expectation")}
    idx = ctx.served_idx
    expected_s, expected_e = _rule(cl.experience[idx], before["expectation"][idx],
                                   before["satisfaction"][idx])  # fmt: skip
    ctx.update_served(
        _rule, reads=("experience", "expectation", "satisfaction"),
        writes=("satisfaction", "expectation"),
    )  # fmt: skip
    assert np.array_equal(cl.satisfaction[idx], expected_s)
    assert np.array_equal(cl.expectation[idx], expected_e)
    others = ~ctx.served
    assert others.any()
    assert np.array_equal(cl.satisfaction[others], before["satisfaction"][others])
    assert np.array_equal(cl.expectation[others], before["expectation"][others])


@pytest.mark.parametrize("share", [0.2, 0.8])
def test_served_rows_and_rows_at_name_the_same_clients(share: float) -> None:
    ctx = _context(share)
    stage = ctx.clients.stage[ctx.served_rows]
    positions = np.flatnonzero((stage == Stage.ACTIVE) & ctx.served[ctx.served_rows])
    rows = ctx.rows_at(positions)
    assert np.array_equal(rows, np.flatnonzero((ctx.clients.stage == Stage.ACTIVE) & ctx.served))
