"""The compiled passes and shortcuts of the work and staff phases equal their numpy references.

Each is compared bit for bit (bytes, so a −0.0 or a NaN could not hide) on random inputs:
the staff terms, the fix-cost exponents, the choice of what empowered staff fix on the spot
(a counting sort in place of a stable ``np.argsort``), the float32 mean, the headcount's ceiling.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from model.engine.kernels import incidents
from model.engine.kernels import work as kernels
from model.engine.phases import work as work_phase
from model.engine.phases.staff import headcount
from model.engine.phases.work import (
    _staff_terms,
    fix_cost,
    float32_mean,
    greedy_spend_numpy,
)
from model.engine.randomness import NORMAL_TABLE, Streams
from model.scenario import Scenario

SEEDS = range(40)


@pytest.mark.parametrize("seed", SEEDS)
def test_staff_terms_equal_numpy(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 60))
    p = Scenario().staff.model_copy(
        update={
            "capacity": float(rng.choice([1.0, 7.0, 50.0, 123.4])),
            "engagement_quality": float(rng.choice([0.0, -0.0, 0.1, 0.37])),
            "skill_quality": float(rng.choice([0.0, 0.2, 0.33])),
            "overload_quality": float(rng.choice([0.0, -0.0, 0.15, 0.5])),
        }
    )
    staff = SimpleNamespace(
        clients=rng.integers(0, 300, n).astype(np.int32),
        engagement=rng.random(n, dtype=np.float32),
        skill=rng.random(n, dtype=np.float32),
    )
    if n:
        staff.engagement[0] = 0.5  # a zero term: the sign of its zero must match too
    expected = _staff_terms(SimpleNamespace(staff=staff, params=SimpleNamespace(staff=p)))
    got = kernels.staff_terms(
        staff.clients,
        staff.engagement,
        staff.skill,
        float(p.capacity),
        np.float32(p.engagement_quality),
        np.float32(p.skill_quality),
        float(p.overload_quality),
    )
    assert got.dtype == expected.dtype == np.float32
    assert got.tobytes() == expected.tobytes()


@pytest.mark.parametrize("seed", SEEDS)
def test_fix_cost_exponents_then_exp_equal_fix_cost(seed: int) -> None:
    rng = np.random.default_rng(seed)
    svc = Scenario().service.model_copy(
        update={
            "fix_cost_mean": float(rng.choice([0.0, 1.0, 150.0, 400.0, 3000.0])),
            "fix_cost_sigma": float(rng.choice([0.0, 0.3, 0.8, 1.5])),
        }
    )
    market = int(rng.integers(1, 5000))
    rows = np.sort(rng.choice(market, size=int(rng.integers(0, market + 1)), replace=False))
    hit = np.sort(rng.choice(rows.size, size=int(rng.integers(0, rows.size + 1)), replace=False))
    streams, month = Streams(seed), int(rng.integers(1, 200))
    expected = fix_cost(streams.uniform_at("work.fix_cost", month, rows[hit]), svc)
    s = svc.fix_cost_sigma
    mu = np.log(max(svc.fix_cost_mean, 1e-12)) - 0.5 * s * s
    got = kernels.fix_cost_exponents(
        rows.astype(np.int64),
        hit.astype(np.int64),
        streams.key("work.fix_cost", month),
        NORMAL_TABLE,
        mu,
        s,
    )
    np.exp(got, out=got)
    assert got.tobytes() == expected.tobytes()


def _choose_numpy(rows, hit, staff_of, cost, reachable, cap, budget_on, budget_left):
    """The middle of ``work.step_numpy``: eligibility, stable argsort by staff, greedy spend."""
    inc = rows[hit]
    served_by = staff_of[inc]
    eligible = reachable[inc] & (cost <= cap) & budget_on
    order = np.argsort(served_by, kind="stable")
    on_spot = np.zeros(inc.size, dtype=bool)
    chosen = order[eligible[order]]
    on_spot[chosen] = greedy_spend_numpy(served_by[chosen], cost[chosen], budget_left)
    return served_by, on_spot


@pytest.mark.parametrize("seed", range(200))
def test_choose_on_spot_equals_argsort_and_greedy_spend(seed: int) -> None:
    rng = np.random.default_rng(seed)
    market, n_staff = int(rng.integers(1, 400)), int(rng.integers(1, 12))
    rows = np.sort(rng.choice(market, size=int(rng.integers(0, market + 1)), replace=False))
    hit = np.sort(rng.choice(rows.size, size=int(rng.integers(0, rows.size + 1)), replace=False))
    staff_of = rng.integers(0, n_staff, market).astype(np.int32)
    # Costs on a coarse grid, so that ties, exact fits and sums equal to a budget occur.
    cost = rng.integers(0, 8, hit.size) * rng.choice([0.1, 25.0, 100.0])
    reachable = rng.random(market) < rng.choice([0.0, 0.5, 1.0])
    cap, budget_on = float(rng.choice([0.0, 100.0, 400.0, 1e6])), bool(rng.random() < 0.8)
    budget_left = rng.integers(0, 10, n_staff) * rng.choice([0.1, 50.0, 100.0])
    before = budget_left.copy()
    args = (rows.astype(np.int64), hit.astype(np.int64), staff_of, cost, reachable, cap)
    served_by, on_spot, n_on_spot = incidents.choose_on_spot(*args, budget_on, budget_left)
    ref_by, ref_spot = _choose_numpy(*args, budget_on, budget_left)
    np.testing.assert_array_equal(served_by, ref_by)
    np.testing.assert_array_equal(on_spot, ref_spot)
    assert n_on_spot == int(np.count_nonzero(ref_spot))
    assert budget_left.tobytes() == before.tobytes()


def _settle_inputs(rng: np.random.Generator):
    market, n_staff = int(rng.integers(1, 300)), int(rng.integers(1, 9))
    rows = np.sort(rng.choice(market, size=int(rng.integers(1, market + 1)), replace=False))
    hit = np.sort(rng.choice(rows.size, size=int(rng.integers(0, rows.size + 1)), replace=False))
    state = dict(
        experience_month=rng.random(rows.size, dtype=np.float32) * 1.2 - 0.1,
        incident=np.zeros(market, np.int8),
        direct_cost=rng.random(market) * 10,
        bonus=rng.random(market, dtype=np.float32),
        experience=rng.random(market, dtype=np.float32),
        budget_used=np.zeros(n_staff),
        budget_left=rng.integers(0, 10, n_staff) * 100.0,
        spent_spot=np.empty(hit.size),
        spent_later=np.empty(hit.size),
    )
    return (
        rows.astype(np.int64),
        hit.astype(np.int64),
        rng.integers(0, n_staff, market).astype(np.int32),
        rng.integers(0, 8, hit.size) * 75.0,
        rng.random(market) < 0.7,
        400.0,
        True,
    ), state


@pytest.mark.parametrize("seed", range(60))
def test_settle_month_equals_choose_then_settle_incidents(seed: int) -> None:
    p = Scenario()
    # The settlement's scalars as the phase forms them (both kernels get the same ones).
    settle = work_phase._compute_constants(p.service, p.staff).settle
    scalars = (np.uint64(0x1234_5678_9ABC_DEF0 + seed), *settle)
    choice, state = _settle_inputs(np.random.default_rng(seed))
    ref_state = {k: v.copy() for k, v in state.items()}
    n_spot, n_later, spot_sum, later_sum = incidents.settle_month(
        *choice, *scalars, *state.values()
    )
    served_by, on_spot, ref_spot = incidents.choose_on_spot(*choice, ref_state["budget_left"])
    ref_later = incidents.settle_incidents(
        choice[0], choice[1], served_by, choice[3], on_spot, *scalars, *ref_state.values()
    )
    assert (n_spot, n_later) == (ref_spot, ref_later)
    for name in state:
        assert state[name].tobytes() == ref_state[name].tobytes(), name
    # The sums the phase books are numpy's (np.add.reduce, the reference's .sum()).
    assert np.float64(spot_sum).tobytes() == np.add.reduce(ref_state["spent_spot"]).tobytes()
    assert np.float64(later_sum).tobytes() == np.add.reduce(ref_state["spent_later"]).tobytes()


@pytest.mark.parametrize("seed", range(20))
def test_float32_mean_is_numpys_mean(seed: int) -> None:
    rng = np.random.default_rng(seed)
    sizes = [1, 2, 3, 7, 8, 9, 15, 16, 17, 127, 128, 129, 1000, 3000, 4096, 65537]
    for n in [*sizes, *rng.integers(1, 200_000, 10)]:
        scale = rng.choice([1.0, 1e-3, 1e6])
        a = (rng.random(int(n), dtype=np.float32) * np.float32(scale)).astype(np.float32)
        if n > 2:
            a[rng.integers(0, n)] = -0.0
        got, expected = float32_mean(a), a.mean()
        assert type(got) is type(expected) is np.float32
        assert got.tobytes() == expected.tobytes()
    zeros = np.full(5, -0.0, np.float32)
    assert float32_mean(zeros).tobytes() == zeros.mean().tobytes()


def test_headcount_ceiling_equals_numpys() -> None:
    rng = np.random.default_rng(0)
    for _ in range(20_000):
        served = int(rng.integers(0, 10**7))
        staffing = float(rng.choice([rng.random() * 10, 1.0, 0.5, 2.0, 1e-9]))
        capacity = float(rng.choice([rng.random() * 500 + 1e-3, 1.0, 3.0, 50.0, 100.0]))
        assert headcount(served, staffing, capacity) == max(
            1, int(np.ceil(served * staffing / capacity))
        )


@pytest.mark.parametrize("seed", range(20))
def test_serve_is_staff_terms_deliver_and_fix_cost_exponents(seed: int) -> None:
    rng = np.random.default_rng(seed)
    market, n_staff = int(rng.integers(1, 600)), int(rng.integers(1, 9))
    rows = np.sort(rng.choice(market, size=int(rng.integers(0, market + 1)), replace=False))
    staff_arrays = (
        rng.integers(0, 200, n_staff).astype(np.int32),
        rng.random(n_staff, dtype=np.float32),
        rng.random(n_staff, dtype=np.float32),
    )
    staff_scalars = (40.0, np.float32(0.2), np.float32(0.1), 0.3)
    client_arrays = (
        rng.integers(0, n_staff, market).astype(np.int32),
        rng.random(market, dtype=np.float32),
        rng.random(market, dtype=np.float32),
        rng.random(market, dtype=np.float32),
        NORMAL_TABLE,
    )
    f32 = np.float32
    level, dip = float(rng.choice([0.0, 0.6, 0.9, 1.2]) - rng.random() / 7), 0.02 + rng.random() / 9
    deliver_scalars = (f32(0.3), f32(0.05), f32(level), f32(0.4), f32(dip))
    fix = (np.uint64(rng.integers(0, 2**63)), 5.5, 0.8)
    q, x = np.empty(rows.size, np.float32), np.empty(rows.size, np.float32)
    hit, exponents, quality_sum = kernels.serve(
        rows, client_arrays[0], *staff_arrays, *staff_scalars, *client_arrays[1:],
        *deliver_scalars[:2], level, deliver_scalars[3], dip, *fix, q, x,
    )  # fmt: skip
    ref_q, ref_x = np.empty_like(q), np.empty_like(x)
    term = kernels.staff_terms(*staff_arrays, *staff_scalars)
    ref_hit = kernels.deliver(
        rows, client_arrays[0], term, *client_arrays[1:], *deliver_scalars, ref_q, ref_x
    )
    ref_exponents = kernels.fix_cost_exponents(rows, ref_hit, fix[0], NORMAL_TABLE, *fix[1:])
    np.testing.assert_array_equal(hit, ref_hit)
    assert exponents.tobytes() == ref_exponents.tobytes()
    assert (q.tobytes(), x.tobytes()) == (ref_q.tobytes(), ref_x.tobytes())
    assert np.float32(quality_sum).tobytes() == np.add.reduce(ref_q).tobytes()


def test_kept_staff_scalars_tell_a_negative_zero_from_a_zero() -> None:
    """Found in review: a cache keyed by equality handed a −0.0 run the scalars a 0.0 run had
    computed before it in the same process (and the reverse)."""
    from types import SimpleNamespace

    from model.engine.phases import staff

    def month(owner: object, section: object, training: float) -> SimpleNamespace:
        levers = Scenario().levers.model_copy(
            update={"training_spend": training, "autonomy": training}
        )
        return SimpleNamespace(clients=owner, params=SimpleNamespace(staff=section), levers=levers)

    def as_bytes(values: tuple) -> list[bytes]:
        return [np.asarray(v).tobytes() for v in values]

    base = Scenario().staff

    class Market:  # a market's client state, as kept values are keyed (weakly)
        pass

    market = Market()  # one market: its kept values are asked for both months
    for field in ("new_hire_skill", "engagement_base"):
        plus = base.model_copy(update={field: 0.0})
        minus = base.model_copy(update={field: -0.0})
        for first, second in ((plus, minus), (minus, plus)):
            staff._kept_scalars(month(market, first, 0.5))
            got = staff._kept_scalars(month(market, second, 0.5))
            assert as_bytes(got) == as_bytes(staff._scalars(0.5, 0.5, second))
    for first, second in ((0.0, -0.0), (-0.0, 0.0)):
        staff._kept_scalars(month(market, base, first))
        got = staff._kept_scalars(month(market, base, second))
        assert as_bytes(got) == as_bytes(staff._scalars(second, second, base))
