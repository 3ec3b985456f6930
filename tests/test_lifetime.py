"""The retention claim's lifetime reading (experiments.running.lifetime): a client's monthly profit is
its attributed profit with its share of the shared costs added back, so that over the market it
is the month's revenue less the costs clients cause and less acquisition; the cohort's value is
what following each client and discounting gives; and it is no constant of the design."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.running.arms import ACQUISITION, CONTRIBUTION_COSTS
from experiments.running.lifetime import (
    COHORT_MONTHS,
    lifetime_runs,
    month_profit,
    unclaimed_acquisition,
)
from model import RetentionModel, Scenario
from model.engine.state import Stage

SMALL = {"market.clients": 600, "run.months": 30, "run.seed": 4}


@pytest.mark.parametrize(
    "extra", [{}, {"levers.rd_share": 0.05, "economics.fixed_overhead": 500.0}]
)
def test_the_markets_monthly_profit_is_contribution_less_acquisition(extra):
    model = RetentionModel(Scenario().with_overrides({**SMALL, **extra}))
    last = model.clients.value.copy()
    for _ in range(SMALL["run.months"]):
        model.step()
        total = float(month_profit(model, last).sum())
        last = model.clients.value.copy()
        row = model.timeseries().iloc[-1]
        expected = row["revenue"] - row[list(CONTRIBUTION_COSTS)].sum()
        if row["acquired"] > 0:  # (with nobody joining, acquisition is a shared cost)
            expected -= row[list(ACQUISITION)].sum()
        assert total == pytest.approx(expected, rel=1e-9, abs=1e-6)


# A market so small that in some months of the cohort's years nobody joins (in one at 600 clients).
TINY = {"market.clients": 300, "run.seed": 4}


@pytest.mark.parametrize("size", [SMALL, TINY], ids=["600 clients", "300 clients"])
def test_the_cohort_value_is_each_clients_discounted_profit(size):
    """Less, in equal parts, the acquisition spent in the cohort's years in months nobody joined."""
    scenario = Scenario().with_overrides(size)
    [(run, value, retention)] = lifetime_runs([scenario], 0.1)
    assert run.scenario.run.months == COHORT_MONTHS + 240
    # Again by hand, from the month-by-month profits and the ledger's lines.
    model = RetentionModel(scenario.with_overrides({"run.months": COHORT_MONTHS + 240}))
    last, pv = model.clients.value.copy(), np.zeros(model.clients.n)
    for _ in range(model.months):
        model.step()
        profit = month_profit(model, last)
        last = model.clients.value.copy()
        joined = model.clients.acquired_month.astype(float)
        cohort = (joined >= 1) & (joined <= COHORT_MONTHS)
        pv[cohort] += profit[cohort] * 1.1 ** (-(model.month - joined[cohort]) / 12)
    year = model.timeseries().iloc[:COHORT_MONTHS]
    nobody = year["acquired"] == 0
    unclaimed = float((year["marketing"] + year["onboarding"])[nobody].sum())
    assert unclaimed > 0  # (the case this test is for)
    assert value == pytest.approx(pv[cohort].mean() - unclaimed / cohort.sum(), rel=1e-12)
    assert retention == _cohort_retention_by_hand(scenario)


def _cohort_retention_by_hand(scenario: Scenario) -> float:
    """The cohort's annual retention from its members' stages month by month: served (active or
    loyal) before the month's end, and leaving (lapsed after it, having been served)."""
    model = RetentionModel(scenario.with_overrides({"run.months": COHORT_MONTHS + 240}))
    served = left = 0
    for _ in range(model.months):
        before = model.clients.stage.copy()
        model.step()
        joined = model.clients.acquired_month
        cohort = (joined >= 1) & (joined <= COHORT_MONTHS)
        was_served = cohort & ((before == Stage.ACTIVE) | (before == Stage.LOYAL))
        # (A member who joined this month was a prospect before it: served from next month.)
        served += int(np.count_nonzero(was_served))
        left += int(np.count_nonzero(was_served & (model.clients.stage == Stage.LAPSED)))
    assert 0 < left < served
    return (1.0 - left / served) ** 12


def test_unclaimed_acquisition_is_a_months_spend_only_when_nobody_joined():
    model = RetentionModel(Scenario().with_overrides({**TINY, "run.months": 12}))
    for _ in range(12):
        model.step()
        row = model.timeseries().iloc[-1]
        spend = row["marketing"] + row["onboarding"]
        assert unclaimed_acquisition(model) == (spend if row["acquired"] == 0 else 0.0)


def test_a_dearer_acquisition_lowers_the_lifetime_value_one_for_one():
    """Onboarding is paid once, at joining (undiscounted): 100 more per joiner is 100 less."""
    base = Scenario().with_overrides(SMALL)
    dearer = base.with_overrides({"attract.onboarding_cost": base.attract.onboarding_cost + 100})
    (_, a, kept_a), (_, b, kept_b) = lifetime_runs([base, dearer], 0.1)
    assert a - b == pytest.approx(100.0, rel=1e-9)
    assert kept_a == kept_b  # (what acquisition costs changes no one's churn)
