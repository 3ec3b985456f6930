"""Levers over time (schedules), shocks and targeting by segment.

Every comparison here is *paired*: the same seed, so the same per-decision random streams, with
and without the intervention. Before the intervention the two runs are then identical to the last
bit, which is what the "changes nothing before m" tests check (no tolerance needed).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario

from model.engine.phases import PHASES
from model.engine.retention_model import RetentionModel
from model.engine.schedule import lever_plan, service_drop
from model.engine.state import Stage
from model.engine.targeting import segment_mask
from model.scenario import Scenario, ScenarioError
from model.studies.run import simulate

M = 10  # the month the interventions start


def _with(base: Scenario, **extra: object) -> Scenario:
    return Scenario.build({**base.model_dump(), **extra})


def _tallies(scenario: Scenario) -> list[dict[str, float]]:
    model = RetentionModel(scenario)
    out = []
    for _ in range(scenario.run.months):
        model.step()
        out.append(dict(model.ctx.tally))
    return out


@pytest.fixture(scope="module")
def base() -> Scenario:
    return small_scenario()


@pytest.fixture(scope="module")
def base_ts(base: Scenario) -> pd.DataFrame:
    return simulate(base).timeseries


def test_schedule_changes_nothing_before_its_month(base: Scenario, base_ts: pd.DataFrame) -> None:
    ts = simulate(_with(base, schedule=[{"month": M, "set": {"service_level": "wow"}}])).timeseries
    before = ts["month"] < M
    pd.testing.assert_frame_equal(ts[before], base_ts[before])
    # From month M the firm pays for wow service (cost ∝ level²) and clients get better quality.
    at = ts["month"] == M
    assert ts.loc[at, "service"].item() == pytest.approx(
        base_ts.loc[at, "service"].item() * (0.9 / 0.6) ** 2
    )
    assert (ts.loc[~before, "quality"] > base_ts.loc[~before, "quality"]).all()


def test_later_schedule_steps_override_earlier_ones(base: Scenario) -> None:
    s = _with(
        base,
        schedule=[
            {"month": 12, "set": {"service_level": "low"}},
            {"month": 18, "set": {"levers.service_level": "standard", "ad_budget": 0}},
        ],
    )
    plan = lever_plan(s, 24)
    levels = [lv.service_level for lv, _ in plan]
    assert levels[:11] == [0.6] * 11 and levels[11:17] == [0.35] * 6 and levels[17:] == [0.6] * 7
    assert [lv.ad_budget for lv, _ in plan][16:18] == [300.0, 0.0]


def test_bad_service_lowers_quality_during_the_spell_only(
    base: Scenario, base_ts: pd.DataFrame
) -> None:
    size, months = 0.3, 4
    s = _with(base, shocks=[{"kind": "bad_service", "start": M, "months": months, "size": size}])
    ts = simulate(s).timeseries
    month = ts["month"]
    spell = (month >= M) & (month < M + months)
    pd.testing.assert_frame_equal(ts[month < M], base_ts[month < M])
    drop = base_ts["quality"] - ts["quality"]
    first = month == M
    # In its first month the two runs serve the same clients with the same draws: quality, clipped
    # to [0, 1], falls by the size or a little less, exactly.
    assert 0.8 * size < drop[first].item() <= size + 1e-6
    # Later in the spell the clients served differ (the shock moves churn), so the mean's drop is
    # the size give or take the clients' spread: within 0.05 (10x the sd of a month's mean noise).
    assert (abs(drop[spell] - size) < 0.05).all()
    # After the spell only indirect effects remain (staff workload, who is still a client): the
    # shock itself is gone. 0.05 is a sixth of the shock and 10x the sd of a month's mean noise.
    assert (drop[month >= M + months].abs() < 0.05).all()
    # A shock is not a decision: the firm pays for the service level it chose.
    assert ts.loc[first, "service"].item() == base_ts.loc[first, "service"].item()
    assert [service_drop(s, m) for m in (M - 1, M, M + months - 1, M + months)] == [
        0.0,
        size,
        size,
        0.0,
    ]


def test_competitor_leap_raises_the_frontier_at_its_month(
    base: Scenario, base_ts: pd.DataFrame
) -> None:
    size = 0.2
    ts = simulate(
        _with(base, shocks=[{"kind": "competitor_leap", "start": M, "size": size}])
    ).timeseries
    month = ts["month"]
    pd.testing.assert_frame_equal(ts[month < M], base_ts[month < M])
    step = ts["frontier"].diff() - base_ts["frontier"].diff()
    assert step[month == M].item() == pytest.approx(size)
    assert step[month != M].abs().max() < 1e-12  # a leap, once; the pace is unchanged
    assert (ts.loc[month > M, "frontier"] > base_ts.loc[month > M, "frontier"]).all()


def test_price_war_lowers_ad_awareness_during_the_spell_only(base: Scenario) -> None:
    size, months = 3.0, 4
    s = _with(base, shocks=[{"kind": "price_war", "start": M, "months": months, "size": size}])
    factors = [f for _, f in lever_plan(s, 24)]
    assert factors == [1.0] * (M - 1) + [1.0 + size] * months + [1.0] * (24 - M + 1 - months)
    war, peace = _tallies(s), _tallies(base)
    assert [t["aware_by_ad"] for t in war[: M - 1]] == [t["aware_by_ad"] for t in peace[: M - 1]]
    # In the war's first month the state is identical and the draws are common, so the prospects
    # the ads reach are a subset of those they reach in peace: strictly fewer here.
    assert war[M - 1]["aware_by_ad"] < peace[M - 1]["aware_by_ad"]
    assert sum(t["aware_by_ad"] for t in war[M - 1 : M - 1 + months]) < sum(
        t["aware_by_ad"] for t in peace[M - 1 : M - 1 + months]
    )


def test_named_scheduled_level_and_a_bad_service_shock_overlap(base: Scenario) -> None:
    s = _with(
        base,
        schedule=[{"month": 3, "set": {"service_level": "low"}}],
        shocks=[{"kind": "bad_service", "start": 3, "months": 2, "size": 0.5}],
    )
    assert s.schedule[0].set == {"service_level": 0.35}  # normalised when read
    assert len(simulate(s, months=6).timeseries) == 6


@pytest.mark.parametrize(
    ("extra", "names"),
    [
        (
            {"schedule": [{"month": 3, "set": {"servce_level": "low"}}]},
            ["schedule.0.set", "servce"],
        ),
        (
            {"schedule": [{"month": 3, "set": {"service_level": 1.5}}]},
            ["schedule.0.set", "service_level", "1.5", "≤ 1"],
        ),
        ({"schedule": [{"month": -2, "set": {"ad_budget": 1}}]}, ["schedule.0.month", "-2"]),
        ({"schedule": [{"set": {"ad_budget": 1}}]}, ["schedule.0.month"]),
        ({"schedule": [{"month": 2, "set": {"ad_budget": 1}, "x": 1}]}, ["schedule.0.x", "month"]),
        ({"shocks": [{"kind": "meteor", "start": 3, "size": 1}]}, ["shocks.0.kind", "meteor"]),
        ({"shocks": [{"kind": "price_war", "start": 0, "size": 1}]}, ["shocks.0.start", "0"]),
        ({"shocks": [{"kind": "price_war", "start": 2, "size": -1}]}, ["shocks.0.size", "-1"]),
        (
            {"shocks": [{"kind": "bad_service", "start": 2, "months": 0, "size": 1}]},
            ["shocks.0.months"],
        ),
        ({"shocks": [{"kind": "bad_service", "start": 2}]}, ["shocks.0.size"]),
        # (a drop of 7 quality points on a 0-1 scale was accepted, and silently meant 1)
        (
            {"shocks": [{"kind": "bad_service", "start": 2, "size": 7}]},
            ["shocks.0", "value 7", "bad_service", "0 ≤ x ≤ 1 (quality points)"],
        ),
        (
            {"shocks": [{"kind": "competitor_leap", "start": 2, "size": 1.5}]},
            ["shocks.0", "1.5", "competitor_leap"],
        ),
        (
            {"shocks": [{"kind": "bad_service", "start": 2, "size": 1, "sizes": 2}]},
            ["shocks.0.sizes", "kind, start, months, size"],
        ),
    ],
)
def test_invalid_schedules_and_shocks_name_the_field(
    extra: dict[str, object], names: list[str]
) -> None:
    with pytest.raises(ScenarioError) as err:
        Scenario.build(extra)
    for name in names:
        assert name in str(err.value)


@pytest.mark.parametrize(
    ("extra", "line"),
    [
        ({"schedule": [{"month": -1, "set": {}}]}, "schedule.0.month: value -1 is not allowed; allowed: 1 ≤ x ≤ 1200"),
        ({"schedule": [{"month": "three", "set": {}}]}, "schedule.0.month: value 'three' is not allowed; allowed: an integer"),
        ({"schedule": [{"set": {}}]}, "schedule.0.month: missing; this field is required"),
        ({"schedule": 5}, "schedule: value 5 is not allowed; allowed: a list of tables (in a file, [[schedule]] entries)"),
        ({"shocks": [{"kind": "meteor", "start": 1, "size": 0.1}]}, "shocks.0.kind: value 'meteor' is not allowed; allowed: one of 'bad_service'"),
        ({"levers": 5}, "levers: value 5 is not allowed; allowed: a table of its fields"),
        ({"name": 5}, "name: value 5 is not allowed; allowed: a string"),
    ],
)  # fmt: skip
def test_fields_of_no_declared_parameter_say_what_is_allowed(extra: dict, line: str) -> None:
    """A schedule step's, a shock's and the scenario's own fields get the declared parameters'
    wording — field, value, what is allowed — not pydantic's ("Input should be …")."""
    with pytest.raises(ScenarioError) as err:
        Scenario.build(extra, origin="s.toml")
    assert f"s.toml: {line}" in str(err.value)
    assert "Input should" not in str(err.value)


# -------------------------------------------------------------------------------- targeting
def _spy(scenario: Scenario, phase: str, check: object) -> None:
    """Run ``scenario`` with ``check(ctx, before)`` called around one phase (``before`` first)."""

    def wrap(step: object) -> object:
        def spied(ctx: object) -> None:
            seen = check(ctx, None)
            step(ctx)
            check(ctx, seen)

        return spied

    phases = tuple((n, wrap(s) if n == phase else s) for n, s in PHASES)
    RetentionModel(scenario, phases=phases).run()


def test_top_20_percent_loyalty_programme_spends_only_on_them() -> None:
    discount = 0.05
    s = small_scenario(
        {
            "levers.loyalty_discount": discount,
            "targeting.loyalty": "top_value",
            "run.months": 12,
        }
    )
    checked = []

    def check(ctx, seen):  # type: ignore[no-untyped-def]
        if seen is None:
            return "before"
        cl, idx = ctx.clients, np.flatnonzero(ctx.served)
        mask = segment_mask(cl, ctx.served, "top_value", 0.2)
        assert mask.sum() == math.ceil(0.2 * idx.size - 1e-9)
        # The targeted are the top 20% by base spend: none outside is worth more than any inside.
        assert cl.spend[mask].min() >= cl.spend[ctx.served & ~mask].max()
        targeted_revenue = ctx.client_revenue[mask[idx]].sum()
        assert ctx.ledger["discounts"] == pytest.approx(discount * targeted_revenue, rel=1e-12)
        assert ctx.ledger["discounts"] < 0.9 * discount * ctx.revenue  # not everyone's revenue
        checked.append(ctx.month)

    _spy(s, "account", check)
    assert checked == list(range(1, 13))


def test_targeted_win_back_money_goes_only_to_targeted_lapsed_clients() -> None:
    spend = 7.0
    s = small_scenario(
        {"levers.winback_spend": spend, "targeting.winback": "top_value", "run.months": 18}
    )
    reached = []

    def check(ctx, seen):  # type: ignore[no-untyped-def]
        cl, p = ctx.clients, ctx.params
        if seen is None:  # before the phase: who should be reached, and the costs so far
            lapsed = cl.stage == Stage.LAPSED
            within = lapsed & (cl.months_lapsed < p.win_back.target_months)
            return segment_mask(cl, within, "top_value", 0.2), lapsed, cl.direct_cost.copy()
        target, lapsed, cost_before = seen
        paid = cl.direct_cost - cost_before
        assert np.all(paid[target] == spend)
        assert np.all(paid[lapsed & ~target] == 0.0)
        assert ctx.ledger["winback"] == pytest.approx(spend * target.sum())
        # The returns requested this month come from lapsed clients only.
        assert not np.any(cl.returns & ~lapsed)
        reached.append(int(target.sum()))

    _spy(s, "win_back", check)
    assert sum(reached) > 0  # the check ran on months with lapsed clients


def test_targeting_holds_its_share_when_values_tie() -> None:
    # With no spread in spend every client ties; the share must still hold (it used to be 100%).
    s = small_scenario({"market.spend_sigma": 0.0, "run.months": 1})
    model = RetentionModel(s).run()
    served = model.clients.active_mask()
    for target in ("top_value", "long_tenure", "high_fit"):
        mask = segment_mask(model.clients, served, target, 0.2)
        assert mask.sum() == math.ceil(0.2 * served.sum())
        assert not np.any(mask & ~served)


def test_at_risk_programme_reaches_the_least_satisfied_and_charges_them_all_month() -> None:
    """``at_risk``: the 20% of served clients with the lowest measured satisfaction as the month
    begins; retain and account read that same choice although satisfaction moves within the month."""
    discount = 0.08
    s = small_scenario(
        {"levers.loyalty_discount": discount, "targeting.loyalty": "at_risk", "run.months": 10}
    )
    start: dict[int, np.ndarray] = {}
    checked = []

    def at_start(ctx, seen):  # type: ignore[no-untyped-def]
        if seen is None:
            cl = ctx.clients
            start[ctx.month] = cl.satisfaction + cl.paradox_bonus
        return "before"

    def at_account(ctx, seen):  # type: ignore[no-untyped-def]
        if seen is None:
            return "before"
        idx = ctx.served_idx
        mask = ctx.targeted["loyalty"]
        assert mask.sum() == math.ceil(0.2 * idx.size - 1e-9) and not np.any(mask & ~ctx.served)
        measured = start[ctx.month]
        assert measured[mask].max() <= measured[ctx.served & ~mask].min()
        targeted_revenue = ctx.client_revenue[mask[idx]].sum()
        assert ctx.ledger["discounts"] == pytest.approx(discount * targeted_revenue, rel=1e-12)
        checked.append(ctx.month)

    phases = []
    for name, step in PHASES:
        check = {"staff": at_start, "account": at_account}.get(name)
        if check is None:
            phases.append((name, step))
            continue

        def spied(ctx, step=step, check=check):  # type: ignore[no-untyped-def]
            seen = check(ctx, None)
            step(ctx)
            check(ctx, seen)

        phases.append((name, spied))
    RetentionModel(s, phases=tuple(phases)).run()
    assert checked == list(range(1, 11))
