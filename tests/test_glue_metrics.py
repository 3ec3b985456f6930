"""The month's metrics row written in place equals the numpy reference's, byte for byte.

:func:`model.engine.metrics.compute_into` writes the row by position into (a row of) the
model's column-major results table, from one compiled pass
(:func:`model.engine.kernels.metrics.month_pass`); :func:`model.engine.metrics.compute_numpy`
builds it by name. Here both run on every month of several scenarios and on scrambled months
(edge cases: nobody with money, one stage only, NaN and −0.0, top shares numpy must answer),
and the compiled pass is compared with numpy and with :func:`top_sum` on random inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model.engine import metrics
from model.engine import retention_model as rm
from model.engine.context import Context
from model.engine.kernels import metrics as kernels
from model.engine.metrics import METRICS
from model.engine.phases.satisfaction import satisfaction_cutoffs, satisfaction_cutoffs32
from model.engine.retention_model import RetentionModel
from tests.test_engine_golden import scenario_of
from tests.test_kernels_account_metrics import scramble_stages_and_satisfaction
from tests.test_month_end import UNFUSED

_SMALL: dict[str, Any] = {"market.clients": 600, "run.months": 24}

#: name -> (overrides, schedule, shocks)
SCENARIOS: dict[str, tuple[dict[str, Any], list, list]] = {
    "defaults": ({**_SMALL, "run.seed": 31}, [], []),
    "loyalty_discount": (
        {
            **_SMALL,
            "run.seed": 32,
            "levers.loyalty_discount": 0.1,
            "targeting.loyalty": "at_risk",
            "loyalty_economics.spend_growth": 0.05,
            "market.initial_active_share": 0.8,
        },
        [],
        [],
    ),
    "schedule_and_shocks": (
        {**_SMALL, "run.seed": 33},
        [{"month": 6, "set": {"service_level": "low", "staffing": 1.3}}],
        [
            {"kind": "bad_service", "start": 4, "months": 3, "size": 0.3},
            {"kind": "price_war", "start": 8, "months": 6, "size": 0.5},
            {"kind": "competitor_leap", "start": 10, "size": 0.1},
            {"kind": "poaching", "start": 15, "months": 2, "size": 0.05},
        ],
    ),
    "tiny_market": ({"market.clients": 10, "run.months": 24, "run.seed": 34}, [], []),
    "nobody_served": (
        {**_SMALL, "run.seed": 35, "market.initial_active_share": 0.0, "levers.ad_budget": 0.0},
        [],
        [],
    ),
    "wow_no_empowerment": (
        {
            **_SMALL,
            "run.seed": 36,
            "levers.service_level": "wow",
            "levers.empowerment_budget": 0.0,
            "satisfaction.likelihood_map": "linear",
        },
        [],
        [],
    ),
}


def assert_row_is_numpys(ctx: Context) -> dict[str, float]:
    """compute_into's row (into a strided row of a column-major table) and compute's dict equal
    compute_numpy's values byte for byte, metric by metric; returns compute_numpy's."""
    want = metrics.compute_numpy(ctx)
    assert list(want) == list(METRICS)
    table = np.full((3, len(METRICS)), np.nan, order="F")
    metrics.compute_into(ctx, table[1])
    got = metrics.compute(ctx)
    for j, (name, value) in enumerate(want.items()):
        assert np.float64(table[1, j]).tobytes() == np.float64(value).tobytes(), name
        assert type(got[name]) is float, name
        assert np.float64(got[name]).tobytes() == np.float64(value).tobytes(), name
    assert np.isnan(table[[0, 2]]).all()  # nothing written outside the row
    return want


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_month_row_equals_numpys(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    months: list[dict[str, float]] = []

    def both(ctx: Context, out: np.ndarray) -> None:
        months.append(assert_row_is_numpys(ctx))
        out[:] = list(months[-1].values())

    monkeypatch.setattr(rm, "compute_into", both)
    model = RetentionModel(scenario_of(SCENARIOS[name]), phases=UNFUSED).run()
    assert len(months) == model.months
    if name == "nobody_served":  # the edge the case is for: nobody paying, no revenue share
        assert all(np.isnan(row["top20_revenue_share"]) for row in months)


def _month(seed: int) -> Context:
    """A month's context after a short run (its clients then scrambled by the tests)."""
    scenario = scenario_of(({"market.clients": 500, "run.months": 4, "run.seed": seed}, [], []))
    return RetentionModel(scenario).run(3).ctx


@pytest.mark.parametrize("stage", [0, 1, 2, 3])
@pytest.mark.parametrize("revenue", ["none", "zeros", "shorter"])
def test_one_stage_markets_and_nobody_paying(stage: int, revenue: str) -> None:
    ctx = _month(41 + stage)
    cl = ctx.clients
    cl.stage[:] = stage
    ctx.client_revenue = {
        "none": np.zeros(0),
        "zeros": np.zeros(cl.n),
        "shorter": np.abs(np.random.default_rng(stage).normal(0.0, 30.0, cl.n // 3)),
    }[revenue]
    want = assert_row_is_numpys(ctx)
    cl.value[:], cl.revenue_total[:] = 0.0, 0.0  # nobody with money attributed
    want = assert_row_is_numpys(ctx)
    assert np.isnan(want["top20_value_share"])


@pytest.mark.parametrize("seed", range(3))
def test_scrambled_months_nan_negative_zero_and_numpys_fallbacks(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = _month(51 + seed)
    cl, n, rng = ctx.clients, ctx.clients.n, np.random.default_rng(seed)
    scramble_stages_and_satisfaction(cl, rng)
    cl.satisfaction[5] = np.nan
    cutoffs = np.array(satisfaction_cutoffs(ctx.params.satisfaction), np.float32)
    cl.stage[6:8], cl.paradox_bonus[6:8], cl.satisfaction[6:8] = 1, 0.0, cutoffs
    cl.value[:] = np.round(rng.normal(50.0, 400.0, n), 2)
    cl.value[rng.random(n) < 0.2] = 0.0
    cl.value[:3] = -0.0
    cl.revenue_total[:] = np.abs(rng.normal(0.0, 100.0, n)) * (rng.random(n) < 0.7)
    ctx.client_revenue = rng.lognormal(3.0, 1.37, n) * (rng.random(n) < 0.8)
    assert_row_is_numpys(ctx)
    # Spread too wide for an exact sum: numpy's partition answers.
    cl.value[:] = np.where(rng.random(n) < 0.1, 1e12, 1.0) * rng.random(n)
    ctx.client_revenue = cl.value * (rng.random(n) < 0.8)
    assert_row_is_numpys(ctx)
    answers = _answers(ctx)  # (the case is what it says)
    assert answers[kernels.VALUE_TOP] == answers[kernels.REVENUE_TOP] == 0.0
    assert _fallbacks(ctx, monkeypatch) == 2
    # Few in profit: the top fifth reaches below zero, numpy divides by the members' total.
    cl.value[:] = np.where(rng.random(n) < 0.05, 40.0 * n, -rng.integers(1, 100, n) / 100)
    cl.value[rng.random(n) < 0.1] = 0.0
    ctx.client_revenue = rng.lognormal(3.0, 1.37, n)
    assert_row_is_numpys(ctx)
    assert _answers(ctx)[kernels.VALUE_TOP] == 1.0 and _fallbacks(ctx, monkeypatch) == 1
    # A NaN among the values ranked.
    cl.value[7] = np.nan
    assert_row_is_numpys(ctx)
    assert _answers(ctx)[kernels.VALUE_TOP] == 0.0 and _fallbacks(ctx, monkeypatch) == 1


def _fallbacks(ctx: Context, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many top shares compute_into left to numpy's partition."""
    calls, partition = [], metrics._top_share

    def counted(values: np.ndarray, *args: Any) -> float:
        calls.append(values is ctx.clients.value or values is ctx.client_revenue)
        return partition(values, *args)

    with monkeypatch.context() as patch:
        patch.setattr(metrics, "_top_share", counted)
        metrics.compute_into(ctx, np.empty(len(METRICS)))
    return sum(calls)  # not the members' own shares numpy's way then takes


def _answers(ctx: Context) -> np.ndarray:
    """month_pass's results for the context (as compute_into calls it)."""
    cl, n = ctx.clients, ctx.clients.n
    results = np.empty(kernels.N_RESULTS)
    kernels.month_pass(
        cl.stage, cl.aware, cl.satisfaction, cl.paradox_bonus, cl.value, cl.revenue_total,
        ctx.client_revenue, ctx.staff.engagement[: ctx.staff.employed],
        *satisfaction_cutoffs32(ctx.params.satisfaction), 0.2,
        np.empty(n, np.float32), *np.empty((2, n), np.float32), np.full(2, -np.inf), results,
    )  # fmt: skip
    return results


# ------------------------------------------------------------------- the kernel on random inputs
def _market(rng: np.random.Generator, n: int, n_revenue: int, kind: str) -> tuple:
    """Random arrays as month_pass takes them (``kind``: how the money is spread)."""
    stage = rng.integers(0, 4, n).astype(np.int8)
    aware = rng.random(n) < 0.5
    satisfaction = rng.uniform(-0.2, 1.2, n).astype(np.float32)
    bonus = np.where(rng.random(n) < 0.2, rng.uniform(0, 0.1, n), 0.0).astype(np.float32)
    satisfaction[rng.random(n) < 0.01] = np.nan
    satisfaction[rng.random(n) < 0.01] = -0.0
    if kind == "profits":  # negatives, zeros, many ties
        value = np.round(rng.normal(50.0, 400.0, n), 2)
    elif kind == "wide":  # no exact sum
        value = rng.lognormal(0.0, 7.0, n)
    elif kind == "ties":
        value = np.round(rng.normal(0.0, 3.0, n))
    else:  # "nan"
        value = rng.normal(0.0, 100.0, n)
        value[rng.integers(0, n)] = np.nan
    value[rng.random(n) < 0.2] = 0.0
    revenue_total = np.abs(rng.normal(0.0, 100.0, n)) * (rng.random(n) < 0.7)
    revenue = rng.lognormal(3.0, 1.37 if kind != "wide" else 7.0, n_revenue)
    revenue[rng.random(n_revenue) < 0.3] = 0.0
    return stage, aware, satisfaction, bonus, value, revenue_total, revenue


@pytest.mark.parametrize(
    ("n", "kind"),
    [
        (n, kind)
        for n in [0, 1, 2, 7, 64, 999, 3000, 1 << 18]
        for kind in ["profits", "wide", "ties", "nan"]
        if n or kind != "nan"  # an empty market has no value to be NaN
    ],
)
@pytest.mark.parametrize("share", [0.2, 0.01, 1.0])
def test_month_pass_is_numpys_counts_and_top_sums(n: int, kind: str, share: float) -> None:
    rng = np.random.default_rng(n + len(kind))
    for n_revenue in {n, n // 2, 0}:
        stage, aware, satisfaction, bonus, value, revenue_total, revenue = _market(
            rng, n, n_revenue, kind
        )
        promoter, detractor = np.float32(0.9), np.float32(0.7)
        measured = np.empty(n, np.float32)
        engagement = rng.random(n_revenue // 3, dtype=np.float32)  # (a staff of any size)
        results = np.full(kernels.N_RESULTS, -1.0)
        floors = np.full(2, -np.inf)
        kernels.month_pass(
            stage, aware, satisfaction, bonus, value, revenue_total, revenue, engagement,
            promoter, detractor, share, measured, *np.empty((2, n), np.float32), floors,
            results,
        )  # fmt: skip
        # Counts and the measured satisfaction, as compute_numpy forms them.
        active = (stage == 1) | (stage == 2)
        want = np.clip(satisfaction + bonus, 0.0, 1.0)
        want *= active
        assert measured.tobytes() == want.tobytes()
        # ... and its sum, as compute_numpy's np.add.reduce gives it (float32, pairwise).
        assert np.float32(results[kernels.MEASURED]).tobytes() == np.add.reduce(want).tobytes()
        # ... and the totals the top shares divide by, as np.add.reduce gives them.
        for slot, summed in ((kernels.VALUE_SUM, value), (kernels.REVENUE_SUM, revenue)):
            assert results[slot : slot + 1].tobytes() == np.add.reduce(summed).tobytes()
        got = np.float32(results[kernels.ENGAGEMENT_SUM])
        assert got.tobytes() == np.add.reduce(engagement).tobytes()
        ever, paying = (value != 0) | (revenue_total > 0), revenue > 0
        counts = [np.count_nonzero(stage == code) for code in range(4)] + [
            np.count_nonzero(active & (want >= promoter)),
            np.count_nonzero(active & (want < detractor)),
            np.count_nonzero(aware & (stage == 0)),
            np.count_nonzero(ever),
            np.count_nonzero(paying),
        ]
        assert results[: kernels.VALUE_TOP].tolist() == counts
        # Each top share: top_sum's answer (with top_share's k), numpy's where exact.
        for slot, values, members in (
            (kernels.VALUE_TOP, value, ever),
            (kernels.REVENUE_TOP, revenue, paying),
        ):
            got = results[slot : slot + 3]
            count = int(np.count_nonzero(members))
            if count == 0:
                assert got.tolist() == [0.0, 0.0, 0.0]
                continue
            k = max(round(share * count), 1)
            exact, total, lowest = kernels.top_sum(values, members, k, np.empty(n, np.float32))
            assert got[0] == exact
            if np.isnan(values[members]).any():
                assert got.tolist() == [0.0, 0.0, 0.0]
                continue
            assert np.float64(got[2]).tobytes() == np.float64(lowest).tobytes()
            if exact:
                assert np.float64(got[1]).tobytes() == np.float64(total).tobytes()
                top = np.partition(values[members].astype(np.float32), count - k)[count - k :]
                assert got[1] == float(top.sum(dtype=np.float64))


def _kth_largest(values: np.ndarray, members: np.ndarray, share: float) -> float:
    """The k-th largest member value as float32 (``top_share``'s k), or NaN if none."""
    chosen = values[members].astype(np.float32)
    if chosen.size == 0 or np.isnan(chosen).any():
        return float("nan")
    k = max(round(share * chosen.size), 1)
    return float(np.partition(chosen, chosen.size - k)[chosen.size - k])


@pytest.mark.parametrize("n", [1, 2, 64, 3000, 1 << 18])
@pytest.mark.parametrize("kind", ["profits", "wide", "ties", "nan"])
def test_month_pass_floors_decide_no_number(n: int, kind: str) -> None:
    """The floors only decide how many members are gathered: the same results, byte for byte,
    whatever they are — at the k-th largest value (exactly k or more reach it), just above it
    (fewer: every member is gathered again), anywhere else, infinite or NaN; and the pass
    leaves next month's floor a quarter below the lowest value it selected."""
    rng = np.random.default_rng(7 * n + len(kind))
    stage, aware, satisfaction, bonus, value, revenue_total, revenue = _market(rng, n, n, kind)

    def answer(floors: np.ndarray) -> np.ndarray:
        results = np.empty(kernels.N_RESULTS)
        kernels.month_pass(
            stage, aware, satisfaction, bonus, value, revenue_total, revenue,
            np.ones(3, np.float32), np.float32(0.9), np.float32(0.7), 0.2,
            np.empty(n, np.float32), *np.empty((2, n), np.float32), floors, results,
        )  # fmt: skip
        return results

    floors = np.full(2, -np.inf)
    want = answer(floors)
    for slot, floor in zip((kernels.VALUE_TOP, kernels.REVENUE_TOP), floors, strict=True):
        lowest = want[slot + 2]
        if want[slot : slot + 3].any():
            assert floor == lowest - 0.25 * abs(lowest) and floor <= lowest
        else:
            assert floor == -np.inf
    kth = (
        _kth_largest(value, (value != 0) | (revenue_total > 0), 0.2),
        _kth_largest(revenue, revenue > 0, 0.2),
    )
    candidates = [
        kth,
        [np.nextafter(np.float32(x), np.float32(np.inf)) for x in kth],
        [np.inf, np.inf],
        [np.nan, np.nan],
        [np.median(value), np.median(revenue)],
        rng.normal(0.0, 300.0, 2),
        [-np.inf, 0.0],
    ]
    for candidate in candidates:
        got = answer(np.array(candidate, dtype=np.float64))
        # (A sum that is not exact is only near numpy's, in an order that depends on what was
        # gathered; callers never read it: month_pass's docstring.)
        for slot in (kernels.VALUE_TOP, kernels.REVENUE_TOP):
            if not want[slot]:
                got[slot + 1] = want[slot + 1]
        assert got.tobytes() == want.tobytes(), candidate


def test_month_pass_refuses_work_shorter_than_revenue() -> None:
    n = 10
    rng = np.random.default_rng(0)
    stage, aware, satisfaction, bonus, value, revenue_total, revenue = _market(
        rng, n, n + 1, "profits"
    )
    with pytest.raises(ValueError, match="work"):
        kernels.month_pass(
            stage, aware, satisfaction, bonus, value, revenue_total, revenue,
            np.ones(3, np.float32), np.float32(0.9), np.float32(0.7), 0.2, np.empty(n, np.float32), *np.empty((2, n), np.float32),
            np.full(2, -np.inf), np.empty(kernels.N_RESULTS),
        )  # fmt: skip
