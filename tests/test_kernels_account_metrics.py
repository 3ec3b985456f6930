"""The compiled account phase and month's metrics give their numpy references' numbers, bit for bit.

``account.step`` and ``metrics.compute`` run compiled kernels (:mod:`model.engine.kernels.account`,
:mod:`model.engine.kernels.metrics`); ``account.step_numpy`` and ``metrics.compute_numpy`` beside
them are the readable references. Checked two ways: whole runs with both references swapped in
(every monthly metric and every client array equal, byte for byte, on scenarios that switch
different branches on), and each alone on random states, including nobody and everyone served.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import math
import weakref
from typing import Any

import numpy as np
import pytest

from model.engine import ledger_pass, metrics
from model.engine import retention_model as engine
from model.engine.context import Context
from model.engine.kernels import account as account_kernels
from model.engine.kernels import metrics as metrics_kernels
from model.engine.phases import PHASES, account
from model.engine.phases.satisfaction import satisfaction_cutoffs
from model.engine.retention_model import RetentionModel
from model.engine.scratch import scratch
from model.scenario import Scenario
from tests.test_engine_golden import scenario_of

#: Every loyalty-economics trend on, most of the market served.
_TRENDS: dict[str, Any] = {
    "market.initial_active_share": 0.8,
    "levers.loyalty_discount": 0.05,
    "loyalty_economics.spend_growth": 0.05,
    "loyalty_economics.serve_cost_trend": -0.03,
    "loyalty_economics.price_premium": 0.02,
}

#: name -> (overrides, schedule, shocks): each takes different branches of the two.
RUNS: dict[str, tuple[dict[str, Any], list, list]] = {
    "trends_share_of_spend": (
        {
            **_TRENDS,
            "market.clients": 2_000,
            "run.months": 24,
            "run.seed": 21,
            "service.cost_form": "share_of_spend",
        },
        [],
        [],
    ),
    "targeted_loyalty_no_credit": (
        {
            "market.clients": 2_000,
            "run.months": 24,
            "run.seed": 22,
            "levers.loyalty_discount": 0.1,
            "targeting.loyalty": "at_risk",
            "targeting.share": 0.3,
            "word_of_mouth.referral_credit_share": 0.0,
        },
        [],
        [],
    ),
    "growth_only_targeted": (
        {
            "market.clients": 2_000,
            "run.months": 24,
            "run.seed": 23,
            "loyalty_economics.spend_growth": 0.05,
            "targeting.loyalty": "top_value",
            "levers.loyalty_discount": 0.05,
            "service.cost_form": "share_of_spend",
        },
        [],
        [],
    ),
    "schedule_and_shocks": (
        {"market.clients": 2_000, "run.months": 30, "run.seed": 24},
        [
            {"month": 5, "set": {"service_level": "low", "staffing": 1.3}},
            {"month": 15, "set": {"service_level": "wow", "ad_budget": 5.0}},
        ],
        [
            {"kind": "bad_service", "start": 6, "months": 3, "size": 0.3},
            {"kind": "price_war", "start": 9, "months": 6, "size": 0.5},
        ],
    ),
    "small_market_trends": (  # few served: the trends computed per client, not as tables
        {
            **_TRENDS,
            "market.clients": 150,
            "run.months": 40,
            "run.seed": 25,
            "market.initial_active_share": 0.1,
            "word_of_mouth.network": "scale_free",
        },
        [],
        [],
    ),
    "no_word_of_mouth": (
        {"market.clients": 150, "run.months": 40, "run.seed": 26, "word_of_mouth.enabled": False},
        [],
        [],
    ),
    "nobody_served_at_start": (
        {
            "market.clients": 10,
            "run.months": 24,
            "run.seed": 27,
            "market.initial_active_share": 0.0,
        },
        [],
        [],
    ),
}


def build(name: str) -> Scenario:
    """The named scenario, validated."""
    return scenario_of(RUNS[name])


def assert_bits_equal(got: Any, want: Any, what: str) -> None:
    """Equal byte for byte (so −0.0 ≠ 0.0 and NaN = NaN), dtype and shape included."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype and got.shape == want.shape, what
    assert got.tobytes() == want.tobytes(), what


@pytest.mark.parametrize("name", list(RUNS))
def test_runs_equal_their_numpy_reference_bit_for_bit(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = RetentionModel(build(name)).run()
    monkeypatch.setattr(engine, "compute_into", metrics.compute_numpy_into)
    phases = tuple(
        (phase, account.step_numpy if phase == "account" else step) for phase, step in PHASES
    )
    reference = RetentionModel(build(name), phases=phases).run()
    assert compiled.results.keys() == reference.results.keys()
    for metric, values in reference.results.items():
        assert_bits_equal(compiled.results[metric], values, metric)
    got, want = compiled.clients.snapshot(), reference.clients.snapshot()
    for array, values in want.items():
        assert_bits_equal(got[array], values, array)
    assert_bits_equal(compiled.firm.npv, reference.firm.npv, "npv")


# ------------------------------------------------------------------------------- phase by phase
def random_month(overrides: dict[str, Any], served: str, seed: int) -> Context:
    """A month's context after a short run, its clients then scrambled at random.

    ``served``: ``"none"``, ``"one"``, ``"few"`` (≤ 64: per-client trends), ``"most"`` or
    ``"all"`` — which rows account treats as served.
    """
    scenario = Scenario().with_overrides(
        {"market.clients": 400, "run.months": 4, "run.seed": seed, **overrides}
    )
    model = RetentionModel(scenario).run(3)
    ctx, cl, n = model.ctx, model.clients, model.clients.n
    rng = np.random.default_rng(seed)
    size = {"none": 0, "one": 1, "few": 50, "most": 300, "all": n}[served]
    ctx.served_idx = np.sort(rng.choice(n, size, replace=False)).astype(np.int64)
    cl.spend[:] = rng.lognormal(3.0, 1.0, n).astype(np.float32)
    cl.spend[rng.random(n) < 0.05] = 0.0
    cl.leaves[:] = rng.random(n) < 0.2
    cl.tenure[:] = rng.integers(0, 200, n)
    cl.referrer[:] = np.where(rng.random(n) < 0.4, rng.integers(0, n, n), -1)
    cl.joins[:] = rng.random(n) < 0.05
    cl.direct_cost[:] = np.where(rng.random(n) < 0.3, rng.exponential(10.0, n), 0.0)
    cl.value[:] = rng.normal(0.0, 100.0, n)
    cl.value[rng.random(n) < 0.3] = 0.0
    cl.revenue_total[:] = np.abs(rng.normal(0.0, 100.0, n)) * (rng.random(n) < 0.7)
    unserved = np.setdiff1d(np.arange(n), ctx.served_idx)
    ctx.charged_unserved = unserved[rng.random(unserved.size) < 0.2]
    ctx.targeted = {**ctx.targeted, "loyalty": rng.random(n) < 0.4}
    for line in ctx.ledger:
        ctx.ledger[line] = float(rng.exponential(1_000.0))
    return ctx


def copied(ctx: Context) -> Context:
    """An independent copy of what the account phase and the metrics read and write."""
    return dataclasses.replace(
        ctx,
        clients=ctx.clients.copy(),
        firm=copy.deepcopy(ctx.firm),
        ledger=dict(ctx.ledger),
        tally=dict(ctx.tally),
    )


#: Account's branches: price premium, loyalty members, cost form, trends, referral credit.
ACCOUNT_CASES: dict[str, dict[str, Any]] = {
    "defaults": {},
    "trends": _TRENDS,
    "trends_share_of_spend_targeted": {
        **_TRENDS,
        "service.cost_form": "share_of_spend",
        "targeting.loyalty": "at_risk",
    },
    "premium_only_no_credit": {
        "loyalty_economics.price_premium": 0.02,
        "word_of_mouth.referral_credit_share": 0.0,
    },
    "serve_trend_only_flat": {"loyalty_economics.serve_cost_trend": 0.04},
    "share_of_spend_only": {"service.cost_form": "share_of_spend", "levers.loyalty_discount": 0.1},
}


@pytest.mark.parametrize("served", ["none", "one", "few", "most", "all"])
@pytest.mark.parametrize("case", list(ACCOUNT_CASES))
def test_account_step_equals_its_numpy_reference(case: str, served: str) -> None:
    ctx = random_month(ACCOUNT_CASES[case], served, seed=len(case) + len(served))
    got, want = copied(ctx), copied(ctx)
    account.step(got)
    account.step_numpy(want)
    for array, values in want.clients.snapshot().items():
        assert_bits_equal(got.clients.snapshot()[array], values, array)
    assert_bits_equal(got.client_revenue, want.client_revenue, "client_revenue")
    assert got.ledger.keys() == want.ledger.keys() and got.tally.keys() == want.tally.keys()
    for line, amount in want.ledger.items():
        assert_bits_equal(got.ledger[line], amount, line)
    for key, amount in want.tally.items():
        assert type(got.tally[key]) is type(amount), key
        assert_bits_equal(got.tally[key], amount, key)
    assert_bits_equal(got.revenue, want.revenue, "revenue")
    assert_bits_equal(got.firm.npv, want.firm.npv, "npv")


def scramble_stages_and_satisfaction(cl: Any, rng: np.random.Generator) -> None:
    """Random stages and awareness; satisfaction outside 0-1 (clipped), exactly 0 or −0.0 (clip
    keeps −0.0), with a paradox bonus on a fifth of the clients."""
    n = cl.n
    cl.stage[:] = rng.integers(0, 4, n)
    cl.aware[:] = rng.random(n) < 0.5
    cl.satisfaction[:] = rng.uniform(-0.2, 1.2, n).astype(np.float32)
    cl.paradox_bonus[:] = np.where(rng.random(n) < 0.2, rng.uniform(0, 0.1, n), 0.0)
    cl.satisfaction[:5], cl.paradox_bonus[:5] = -0.0, -0.0


@pytest.mark.parametrize("served", ["none", "one", "most", "all"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_metrics_equal_their_numpy_reference(served: str, seed: int) -> None:
    # The linear map's cut-offs (0.9, 0.7) round down to float32, the default's up.
    ctx = random_month({"satisfaction.likelihood_map": "linear"} if seed == 2 else {}, served, seed)
    cl, rng = ctx.clients, np.random.default_rng(seed)
    scramble_stages_and_satisfaction(cl, rng)
    cl.satisfaction[5] = np.nan if seed == 3 else 0.5
    # Active clients right at the NPS cut-offs (compared in float32, as numpy does).
    cutoffs = np.array(satisfaction_cutoffs(ctx.params.satisfaction), np.float32)
    cl.stage[6:12], cl.paradox_bonus[6:12] = 1, 0.0
    cl.satisfaction[6:12] = np.concatenate(
        [cutoffs, np.nextafter(cutoffs, 0), np.nextafter(cutoffs, 1)]
    )
    ctx.client_revenue = np.abs(rng.normal(0.0, 50.0, ctx.served_idx.size))
    ctx.client_revenue[rng.random(ctx.served_idx.size) < 0.3] = 0.0
    got, want = metrics.compute(copied(ctx)), metrics.compute_numpy(copied(ctx))
    assert got.keys() == want.keys()
    for name, value in want.items():
        assert_bits_equal(got[name], value, name)


@pytest.mark.parametrize("stage", [0, 1, 2, 3])
def test_metrics_when_the_whole_market_is_one_stage(stage: int) -> None:
    ctx = random_month({}, "none", seed=4)
    ctx.clients.stage[:] = stage
    ctx.clients.value[:] = 0.0
    ctx.clients.revenue_total[:] = 0.0  # nobody with money: both top shares NaN
    ctx.client_revenue = np.zeros(0)
    got, want = metrics.compute(copied(ctx)), metrics.compute_numpy(copied(ctx))
    for name, value in want.items():
        assert_bits_equal(got[name], value, name)


# ------------------------------------------------------------------------------ single kernels
@pytest.mark.parametrize("size", [0, 1, 7, 1_000])
def test_served_max_is_numpys_max(size: int) -> None:
    rng = np.random.default_rng(size)
    tenure = rng.integers(0, 300, 2_000).astype(np.int16)
    idx = np.sort(rng.choice(tenure.size, size, replace=False)).astype(np.int64)
    assert account_kernels.served_max(tenure, idx) == int(tenure[idx].max(initial=0))


@pytest.mark.parametrize("n", [0, 5, 8, 500, 1_000, 1_003])
@pytest.mark.parametrize("share", [0.0, 0.01, 0.5, 1.0])
@pytest.mark.parametrize("layout", ["contiguous", "strided"])
def test_charge_joiners_is_numpys_fancy_subtraction(share: float, n: int, layout: str) -> None:
    # (lengths below, at and off a multiple of the eight flags the kernel reads at once; the
    # last flags joined too; flags every other byte of a longer array, which it reads one by one)
    rng = np.random.default_rng(5)
    joins = rng.random(n) < share
    joins[-3:] = n > 0
    if layout == "strided":
        joins = np.repeat(joins, 2)[::2]
    value = rng.normal(size=n)
    want = value.copy()
    joiners = np.flatnonzero(joins)
    if joiners.size:
        want[joiners] -= 1234.5 / joiners.size
    assert account_kernels.charge_joiners(joins, value, 1234.5) == joiners.size
    assert_bits_equal(value, want, "value")


def test_scratch_is_one_array_per_owner_and_name_freed_with_its_owner() -> None:
    class Owner:
        pass

    owner = Owner()
    first = scratch(owner, "a", (5,), np.float64)
    assert scratch(owner, "a", (5,), np.float64) is first
    assert scratch(owner, "b", (5,), np.float64) is not first
    assert scratch(Owner(), "a", (5,), np.float64) is not first
    assert scratch(owner, "a", (6,), np.float64).shape == (6,)  # a new shape replaces it
    held = weakref.ref(scratch(owner, "a", (6,), np.float64))
    del owner, first
    gc.collect()
    assert held() is None


@pytest.mark.parametrize("rate", [0.05, -0.03, 0.02, 0.137, -0.5])
@pytest.mark.parametrize("horizon", [0.0, 1.5, 7.0, 40.0])
def test_kept_tenure_tables_equal_the_month_by_month_table(rate: float, horizon: float) -> None:
    """The kept (power-of-two long) table must give every month's table's numbers: each entry's
    power does not depend on how long the table is."""
    for months in (1, 2, 63, 64, 65, 255, 256, 257, 700, 1025):
        kept = ledger_pass._tenure_table(rate, horizon, months)
        assert kept.size >= months and not kept.flags.writeable
        fresh = ledger_pass.tenure_power(np.arange(months), rate, horizon)
        assert kept[:months].tobytes() == fresh.tobytes()


@pytest.mark.parametrize("seed", range(4))
def test_mean32_is_numpys_mean(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for n in (1, 2, 7, 8, 9, 127, 128, 129, 1000, 4099):
        a = (rng.random(n) * 10.0 ** rng.integers(-4, 5)).astype(np.float32)
        assert metrics._mean32(a) == float(a.mean())
    assert np.isnan(metrics._mean32(np.zeros(0, np.float32)))


def _top_share_cases(rng: np.random.Generator, n: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(values, members) the way the metrics pass them: non-members exactly zero."""
    spend = rng.lognormal(3.0, 1.37, n)
    paying = rng.random(n) < 0.8
    value = np.round(rng.normal(50.0, 400.0, n), 2)  # profits: negative ones too, many ties
    ever = rng.random(n) < 0.9
    wide = rng.lognormal(0.0, 7.0, n)  # spread too wide for an exact sum: numpy's way
    return [
        (np.where(paying, spend, 0.0), paying),
        (np.where(ever, value, 0.0), ever),
        (np.where(ever, np.round(value / 100.0), 0.0), ever),  # heavy ties at the threshold
        (np.where(paying, wide, 0.0), paying),
        (np.zeros(n), np.zeros(n, np.bool_)),
        # Few members in profit, the total still positive: the members' top fifth reaches below
        # zero, where numpy divides by the members' own total (a review found this case).
        (np.where(ever, np.where(rng.random(n) < 0.05, 40.0 * n, -rng.random(n)), 0.0), ever),
    ]


@pytest.mark.parametrize("n", [1, 2, 5, 64, 999, 3000, 1 << 18])
def test_compiled_top_share_equals_numpys(n: int) -> None:
    """The histogram selection and exact sum give numpy's partition-and-sum bit for bit (the
    large size uses the finer bins), and fall back to numpy where the sum would not be exact."""
    rng = np.random.default_rng(n)
    work = np.empty(n, np.float32)
    fell_back = exact = 0
    cases = _top_share_cases(rng, n)
    cases += [(v, np.ones(n, np.bool_)) for v, _ in cases[:2]]  # 2^18 members: the finer bins
    for values, members in cases:
        count = int(np.count_nonzero(members))
        for share in (0.2, 0.01, 0.5, 1.0):
            expected = metrics.top_share(values, share, members)
            got = metrics._top_share(values, share, members, count, work)
            assert np.float64(got).tobytes() == np.float64(expected).tobytes(), (share, count)
            if count and values.sum() > 0:
                k = max(round(share * count), 1)
                took = metrics_kernels.top_sum(values, members, k, work)[0]
                fell_back, exact = fell_back + (not took), exact + took
    assert exact or n < 64  # the compiled way was compared
    if n >= 999:
        assert fell_back  # and the wide spread takes numpy's way, so both paths were compared


@pytest.mark.parametrize("n", [1, 5, 64, 999, 3000, 1 << 18])
def test_top_sum_says_exact_exactly_when_every_order_sums_alike(n: int) -> None:
    """top_sum's verdict and sum, against exact arithmetic: the selected values (the k largest
    float32 members) sum exactly in float64 in every order when their magnitudes sum to at most
    2^52 units in the last place of the smallest nonzero one (math.fsum rounds correctly).
    The kernel sums in vector lanes, so its sum must be the exact one whenever it says so;
    among the cases are tops that reach below zero (the smallest magnitude looked up)."""
    rng = np.random.default_rng(n + 7)
    work = np.empty(n, np.float32)
    said = {True: 0, False: 0}
    cases = _top_share_cases(rng, n)
    # Every member (the masks above hold fewer than 2^18): the large market's finer bins.
    cases += [(v, np.ones(n, np.bool_)) for v, _ in cases[:2]]
    for values, members in cases:
        chosen = np.sort(values[members].astype(np.float32))
        for share in (0.2, 0.01, 0.5, 1.0):
            if chosen.size == 0:
                continue
            k = max(round(share * chosen.size), 1)
            top = chosen[chosen.size - k :].astype(np.float64)
            exact, total, lowest = metrics_kernels.top_sum(values, members, k, work)
            assert lowest == top[0]
            nonzero = np.abs(top[top != 0.0])
            if nonzero.size == 0:
                assert exact and total == 0.0
                continue
            ulp = math.ldexp(1.0, math.frexp(nonzero.min())[1] - 24)
            assert exact == (math.fsum(np.abs(top)) <= ulp * 2.0**52), (share, k)
            if exact:
                assert total == math.fsum(top)
            said[exact] += 1
    if n >= 999:
        assert said[True] and said[False]  # both verdicts were reached


def test_formed_values_follow_the_basis_object_and_go_with_their_owner() -> None:
    from model.engine.scratch import formed

    class Owner:
        pass

    owner, calls = Owner(), []
    basis = Scenario().with_overrides({"market.clients": 100})
    twin = Scenario().with_overrides({"market.clients": 100})  # equal, not the same object

    def form() -> int:
        calls.append(1)
        return len(calls)

    assert formed(owner, "x", basis, form) == 1
    assert formed(owner, "x", basis, form) == 1  # kept
    assert formed(owner, "y", basis, form) == 2  # another name
    assert formed(owner, "x", twin, form) == 3  # another scenario object: formed again
    net = object()
    assert formed(owner, "z", (basis, net), form) == 4  # a tuple basis: each by identity
    assert formed(owner, "z", (basis, net), form) == 4
    assert formed(owner, "z", (basis, object()), form) == 5
    ref = weakref.ref(owner)
    del owner
    gc.collect()
    assert ref() is None  # the kept values did not keep their market alive
