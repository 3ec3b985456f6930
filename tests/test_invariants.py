"""Property tests over random scenarios: conservation, reconciliation, determinism (docs/validation.md).

Random small markets (200–2,000 clients, 6–24 months), every lever drawn within its declared range
(from :data:`model.scenario.PARAMS`, so a new lever is covered without editing this file), random
seeds and a few behavioural switches. The money checks are exact up to float64 round-off: relative
tolerance 1e-9 of the gross money moved (revenue plus every cost line), far above the ~1e-13
accumulated by summing a few thousand float64 numbers, far below any real leak (one client-month).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model.engine.context import LEDGER_LINES
from model.engine.metrics import nps
from model.engine.phases import PHASES
from model.engine.randomness import Streams
from model.engine.retention_model import RetentionModel
from model.engine.state import Stage
from model.scenario import PARAMS, SERVICE_LEVELS, Scenario
from model.studies.closed_forms import npv

#: Standard errors required between paired service levels (|Z| > 4: probability 6e-5 by chance).
Z = 4.0
PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
LEVERS = [key for key in PARAMS if key.startswith("levers.")]


def _lever(key: str) -> st.SearchStrategy[float]:
    info = PARAMS[key]
    lo, hi = float(info.lower), float(info.upper)
    if hi > 10:  # money levers: log-uniform over the range, with the bounds themselves too
        inner = st.floats(-2.0, math.log10(hi)).map(lambda e: 10.0**e)
        return st.one_of(st.just(lo), st.just(hi), inner)
    return st.floats(lo, hi, exclude_min=info.lower_open)


@st.composite
def scenarios(draw: st.DrawFn, min_active: float = 0.0) -> Scenario:
    """A small random scenario with every lever drawn within its declared range.

    ``min_active`` is the least initial share of the market that are clients.
    """
    overrides = {key: draw(_lever(key)) for key in LEVERS}
    overrides.update(
        {
            "market.clients": draw(st.integers(200, 2_000)),
            "run.months": draw(st.integers(6, 24)),
            "run.seed": draw(st.integers(0, 2**32)),
            "market.initial_active_share": draw(st.floats(min_active, 1.0)),
            "word_of_mouth.enabled": draw(st.booleans()),
            "word_of_mouth.network": draw(
                st.sampled_from(["small_world", "scale_free", "random", "full"])
            ),
            "retain.churn_heterogeneity": draw(st.sampled_from([0.0, 0.02, 0.3])),
            "service.recovery_paradox_behavioural": draw(st.booleans()),
            "economics.fixed_overhead": draw(st.sampled_from([0.0, 5_000.0])),
            "economics.overhead_share": draw(st.sampled_from([0.0, 0.15])),
        }
    )
    return small_scenario(overrides)


def _counts(stage: np.ndarray) -> dict[str, int]:
    c = np.bincount(stage, minlength=4)
    return {
        "prospects": int(c[Stage.PROSPECT]),
        "active": int(c[Stage.ACTIVE] + c[Stage.LOYAL]),
        "lapsed": int(c[Stage.LAPSED]),
    }


# ---------------------------------------------------------------- conservation, reconciliation
@PROPERTY
@given(scenarios())
def test_stocks_flows_and_money_reconcile(scenario: Scenario) -> None:
    model = RetentionModel(scenario)
    n = scenario.market.clients
    start = _counts(model.clients.stage)
    codes = {int(s) for s in Stage}
    for _ in range(scenario.run.months):
        model.step()
        # Each client in exactly one stage: one valid code per row.
        assert set(np.unique(model.clients.stage).tolist()) <= codes
    ts = model.timeseries()
    assert len(ts) == scenario.run.months
    assert (ts["prospects"] + ts["active"] + ts["lapsed"] == n).all()
    assert (ts["loyal"] <= ts["active"]).all()

    # Stocks change only by the month's recorded flows.
    stocks = ts[["prospects", "active", "lapsed"]]
    prev = pd.concat([pd.DataFrame([start]), stocks.iloc[:-1]], ignore_index=True)
    assert (ts["prospects"] == prev["prospects"] - ts["acquired"]).all()
    assert (ts["active"] == prev["active"] + ts["acquired"] + ts["won_back"] - ts["churned"]).all()
    assert (ts["lapsed"] == prev["lapsed"] + ts["churned"] - ts["won_back"]).all()
    assert (ts["acquired_referral"] <= ts["acquired"]).all()
    assert (ts["churned_bad_service"] <= ts["churned"]).all()

    # Profit is revenue minus every cost line, month by month (the engine computes it so: this
    # guards a line booked in one and not the other; the checks below are the independent ones).
    costs = ts[list(LEDGER_LINES)].sum(axis=1)
    gross = float(ts["revenue"].sum() + costs.sum())
    tol = 1e-9 * max(gross, 1.0)
    assert np.allclose(ts["profit"], ts["revenue"] - costs, rtol=0, atol=tol)
    # Per-client attributed values sum to cumulative profit plus the unattributed costs (shared
    # costs of months with nobody served, booked as a positive cost that no client carries).
    attributed = math.fsum(model.clients.value)
    assert abs(attributed - math.fsum([*ts["profit"], *ts["unattributed"]])) <= tol
    # Every client's revenue to date sums to the months' revenue: revenue booked to no client,
    # or to a client and not in the ledger, shows here (the value check cannot see it).
    assert abs(math.fsum(model.clients.revenue_total) - math.fsum(ts["revenue"])) <= tol
    # Cumulative NPV recomputes from the monthly profit series.
    again = npv(ts["profit"].to_numpy(), scenario.economics.discount_rate)
    assert np.allclose(ts["npv"], again, rtol=1e-9, atol=tol)


# ------------------------------------------------------------------------------ determinism
@settings(max_examples=8, deadline=None, derandomize=True)
@given(scenarios(min_active=0.2))  # with nobody served, a run may have nothing random in it
def test_same_seed_same_run_other_seed_other_run(scenario: Scenario) -> None:
    first = RetentionModel(scenario).run().timeseries()
    again = RetentionModel(scenario).run().timeseries()
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    other = scenario.with_overrides({"run.seed": scenario.run.seed + 1})
    different = RetentionModel(other).run().timeseries()
    assert not first.equals(different)


def test_a_new_decision_stream_changes_no_other_numbers() -> None:
    scenario = small_scenario({"run.months": 12})
    plain = RetentionModel(scenario).run().timeseries()

    def extra(ctx) -> None:  # a new phase drawing from its own, new decision stream
        ctx.uniform("test.extra_decision")
        ctx.streams.uniform64("test.extra_firm", ctx.month, 3)

    phases = (*PHASES[:4], ("extra", extra), *PHASES[4:])
    with_extra = RetentionModel(scenario, phases=phases).run().timeseries()
    pd.testing.assert_frame_equal(plain, with_extra, check_exact=True)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**63 - 1),
    decision=st.text(min_size=1, max_size=30),
    month=st.integers(0, 1200),
    n=st.integers(1, 5_000),
)
def test_stream_prefix_and_independence(seed: int, decision: str, month: int, n: int) -> None:
    s = Streams(seed)
    # Prefix: the first N draws of a 2N draw are the N draw (clients 0..N-1 draw the same).
    assert np.array_equal(s.uniform(decision, month, 2 * n)[:n], s.uniform(decision, month, n))
    assert np.array_equal(s.uniform64(decision, month, 2 * n)[:n], s.uniform64(decision, month, n))
    # Drawing from another decision first changes nothing, in this or a fresh Streams.
    before = Streams(seed).uniform(decision, month, n)
    s.uniform(decision + ".other", month, n)
    assert np.array_equal(s.uniform(decision, month, n), before)
    # Different decisions and months are different streams.
    assert not np.array_equal(s.uniform(decision + ".other", month, n), before) or n < 3
    assert not np.array_equal(s.uniform(decision, month + 1, n), before) or n < 3


# --------------------------------------------------------------------------- service levels
def _measured(model: RetentionModel) -> np.ndarray:
    cl = model.clients
    active = cl.active_mask()
    return np.clip(cl.satisfaction[active] + cl.paradox_bonus[active], 0.0, 1.0).astype(float)


def _mean_se(x: np.ndarray) -> tuple[float, float]:
    return float(x.mean()), float(x.std(ddof=1) / np.sqrt(x.size))


@settings(max_examples=6, deadline=None, derandomize=True)
# Weights from 0.2: below that the long-run gap between adjacent levels (it shrinks with a) falls
# under what a 2,000-client market resolves at Z standard errors (seen at a = 0.06: 0.041 vs 0.041).
@given(weight=st.floats(0.2, 2.0), seed=st.integers(0, 2**32))
def test_service_levels_keep_their_satisfaction_order(weight: float, seed: int) -> None:
    """With an absolute term a > 0, low < standard < wow in satisfaction after five years.

    Paired on the seed; the difference of the active clients' mean satisfaction must exceed
    Z standard errors (the unpaired SE of a difference of means: conservative, since pairing
    makes the runs positively correlated).
    """
    means = []
    for level in ("low", "standard", "wow"):
        s = small_scenario(
            {
                "satisfaction.absolute_weight": weight,
                "levers.service_level": level,
                "run.months": 60,
                "run.seed": seed,
            }
        )
        means.append(_mean_se(_measured(RetentionModel(s).run())))
    for (lo, se_lo), (hi, se_hi) in itertools.pairwise(means):
        assert hi - lo > Z * math.hypot(se_lo, se_hi), means


@settings(max_examples=5, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32))
def test_wow_beats_low_on_satisfaction_nps_and_churn_at_a_higher_service_cost(seed: int) -> None:
    """Issue #2 acceptance: paired on the seed, wow service vs low service (defaults otherwise).

    Satisfaction and NPS: active clients at the horizon, difference > Z SE (NPS per client is
    +100 / 0 / −100, so its SE is that indicator's sd / √n). Churn: churners / client-months
    served over the run, difference > Z binomial SE.
    """
    runs = {}
    for level in ("low", "wow"):
        s = small_scenario({"levers.service_level": level, "run.months": 36, "run.seed": seed})
        model = RetentionModel(s).run()
        ts = model.timeseries()
        measured = _measured(model)
        ltr = 10.0 * measured**s.satisfaction.likelihood_exponent
        score = 100.0 * (
            (ltr >= s.satisfaction.promoter_threshold).astype(float)
            - (ltr < s.satisfaction.detractor_threshold)
        )
        assert score.mean() == pytest.approx(nps(measured, s.satisfaction), rel=1e-12)
        # Clients served in a month = active at its start = active at its end less its flows.
        months_served = float(
            (ts["active"] - ts["acquired"] - ts["won_back"] + ts["churned"]).sum()
        )
        churn = float(ts["churned"].sum()) / months_served
        runs[level] = {
            "satisfaction": _mean_se(measured),
            "nps": _mean_se(score),
            "churn": (churn, math.sqrt(churn * (1 - churn) / months_served)),
            "service": float(ts["service"].sum()),
        }
    low, wow = runs["low"], runs["wow"]
    for key in ("satisfaction", "nps"):
        diff = wow[key][0] - low[key][0]
        assert diff > Z * math.hypot(wow[key][1], low[key][1]), (key, runs)
    assert low["churn"][0] - wow["churn"][0] > Z * math.hypot(low["churn"][1], wow["churn"][1])
    assert wow["service"] > low["service"]
    assert SERVICE_LEVELS["wow"] > SERVICE_LEVELS["low"]
