"""The phases' fixed cost per month, second pass: what replaced per-month numpy calls gives the
same numbers, bit for bit, as what it replaced.

Account's kept tenure tables against the per-client powers of a few clients served; innovate's
candidates on Python floats against the numpy version, its one-uniform deviate against
:func:`~model.engine.randomness.normal_from_uniform`, and its early answer 1 of
:func:`~model.engine.phases.innovate.poisson_quantile` against the full path.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import special

from model.engine import ledger_pass
from model.engine.phases import account, innovate
from model.engine.phases.innovate import poisson_quantile
from model.engine.randomness import Streams, normal_from_uniform
from model.engine.state import FirmState
from tests.test_glue_retain_innovate_account import _poisson_quantile_before


@pytest.mark.parametrize("rate", [0.05, -0.03, 0.02, 0.137, -0.5])
@pytest.mark.parametrize("horizon", [0.0, 1.5, 7.0, 40.0])
def test_kept_tenure_tables_give_a_few_clients_multipliers(rate: float, horizon: float) -> None:
    """Account reads the kept table whatever the number of clients served, where
    :func:`~model.engine.phases.account.tenure_multiplier` takes one power per client when few
    are served: the two must agree (a power does not depend on the array it is taken over)."""
    rng = np.random.default_rng(abs(int(rate * 1000)) + int(horizon * 10))
    loyalty = SimpleNamespace(horizon_years=horizon)
    for size in (0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64):
        tenure = rng.integers(0, 600, size).astype(np.intp)
        months = int(tenure.max(initial=0)) + 1
        table = ledger_pass._tenure_table(rate, horizon, months)
        want = np.asarray(account.tenure_multiplier(tenure, rate, loyalty), np.float64)
        assert np.take(table, tenure).tobytes() == want.tobytes()


def _run_candidates_before(ctx: SimpleNamespace, count: int) -> None:
    """:func:`~model.engine.phases.innovate._run_candidates` as it was: numpy over the month's
    candidates."""
    firm, p, lv = ctx.firm, ctx.params.innovation, ctx.levers
    rows = np.arange(count)
    u = [ctx.streams.uniform_at(name, ctx.month, rows) for name in innovate._DRAWS]
    z = normal_from_uniform(np.concatenate(u)).astype(np.float64)
    effect = p.effect_mean + p.effect_sd * z[:count]
    ships = innovate.ship_decision(effect, z[count : 2 * count], z[2 * count :], lv.client_focus, p)
    good = effect > 0
    firm.quality = innovate.move_frontier(firm.quality, float(np.add.reduce(effect[ships])))
    shipped, good_shipped = int(np.count_nonzero(ships)), int(np.count_nonzero(ships & good))
    n_good = int(np.count_nonzero(good))
    firm.novelty_dip += p.novelty_dip * shipped
    firm.shipped_good += good_shipped
    firm.shipped_bad += shipped - good_shipped
    firm.shelved_good += n_good - good_shipped
    firm.shelved_bad += count - shipped - n_good + good_shipped


@pytest.mark.parametrize("seed", range(6))
def test_candidates_one_by_one_are_numpys_candidates(seed: int) -> None:
    """Innovate's candidates on Python floats move the firm exactly as the numpy version did."""
    rng = np.random.default_rng(seed)
    streams = Streams(seed)
    for trial in range(300):
        innovation = SimpleNamespace(
            effect_mean=float(rng.normal(0.0, 0.01)) if trial % 7 else 0.0,
            effect_sd=float(rng.uniform(0.0, 0.05)),
            novelty_bias=float(rng.uniform(-0.02, 0.05)),
            feedback_noise=float(rng.uniform(0.0, 0.05)),
            internal_noise=float(rng.uniform(0.0, 0.05)),
            novelty_dip=float(rng.uniform(0.0, 0.1)),
        )
        # Quality at and near the scale's ends, -0.0 included, and inside it.
        quality = float(rng.choice([-0.0, 0.0, 1.0, 0.999, 0.001, rng.random()]))
        firms = [FirmState(quality=quality, frontier=0.5, novelty_dip=0.01) for _ in range(2)]
        month, count = int(rng.integers(1, 400)), int(rng.choice([1, 1, 1, 2, 3, 5, 9, 17]))
        focus = float(rng.choice([0.0, 0.3, 1.0]))
        for firm, run in zip(
            firms, (innovate._run_candidates, _run_candidates_before), strict=True
        ):
            ctx = SimpleNamespace(
                firm=firm,
                params=SimpleNamespace(innovation=innovation),
                levers=SimpleNamespace(client_focus=focus),
                streams=streams,
                month=month,
            )
            run(ctx, count)
        got, want = dataclasses.asdict(firms[0]), dataclasses.asdict(firms[1])
        assert got.pop("ledger") == want.pop("ledger") == {}
        for name, value in want.items():
            assert type(got[name]) is type(value), name
            assert np.array(got[name]).tobytes() == np.array(value).tobytes(), (name, trial)


def test_normal_of_is_normal_from_uniform() -> None:
    """One uniform's deviate is :func:`~model.engine.randomness.normal_from_uniform`'s."""
    rng = np.random.default_rng(9)
    edges = [0.0, 2.0**-24, 0.5, 1 - 2.0**-24, 1.0, np.nextafter(np.float32(1), 0)]
    u = np.concatenate([np.array(edges, np.float32), rng.random(100_000, np.float32)])
    u = np.concatenate([u, (rng.integers(0, 1 << 24, 10_000) * 2.0**-24).astype(np.float32)])
    got = np.array([innovate.normal_of(v) for v in u.tolist()])
    assert got.tobytes() == normal_from_uniform(u).astype(np.float64).tobytes()


@pytest.mark.parametrize(
    "mu", [1e-12, 1e-9, 1e-4, 0.03, 0.29999999999999993, 0.3, 1.0, 2.5, 17.0, 300.0]
)
def test_poisson_quantile_early_one_is_the_full_answer(mu: float) -> None:
    """Between the root's hundredth of a count and CDF(1) the early answer 1 is the full path's."""
    rng = np.random.default_rng(int(mu * 1e6) % 2**32)
    zero, past_zero, one = (
        float(v) for v in (special.pdtr(0, mu), special.gammaincc(1.01, mu), special.pdtr(1, mu))
    )
    edges = [zero, past_zero, one]
    near = [np.nextafter(v, d) for v in edges for d in (0.0, 1.0)]
    us = [*edges, *near, *rng.uniform(zero, min(1.0, 2 * one - zero), 3_000), *rng.random(1_000)]
    for u in us:
        u = float(u)
        if 0.0 < u < 1.0:
            assert poisson_quantile(u, mu) == _poisson_quantile_before(u, mu), (u, mu)
