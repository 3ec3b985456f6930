"""Docking (Axtell et al. 1996): the array engine and the per-agent reference engine agree.

Design. The two engines run the same scenario on the same seeds. A seed fixes the initial
population and the innovation draws, which both engines take from the same code, so the runs are
**paired**; everything that happens to a client during the run (service, incidents, churn, word of
mouth, conversion, win-back, the network itself) uses independent random numbers in the two
engines. For each metric m at months 6, 12 and 24 the per-seed difference d = reference − array has
mean 0 if the engines agree in distribution; a two-sided one-sample t-test on the K differences
gives a p-value, and the family of all metrics × months is Bonferroni-corrected at α = 0.01 overall.

The docking scenario is the baseline with most of the market served (80%), a higher base churn
(5%/month, so churn is a large flow and a 5% change in its rule is visible), R&D off (innovation is
firm-level code the engines share, so it adds noise and no test) and an empowerment budget small
enough to bind (150 per staff member per month against ~10 incidents of mean cost 60), so the order
in which a staff member spends its budget matters: that sequential spending is where the engines
could differ, and the fixes and the empowerment money are docked metrics.

Power. Replacing the churn-hazard rule with 1.05 × itself in one engine must make the same test
reject. Measured while choosing the sizes: at N = 2,000 and K = 16 seeds the mutated array engine
against the reference gave smallest p = 1e-3 (not below the Bonferroni threshold 0.01/36 = 2.8e-4);
at K = 24 it gives 2.5e-5 (churn rate to month 24), ten times below the threshold, while the
unmutated engines' smallest p is 0.12. So K = 24 (about 40 s of CPU, the reference runs dominate).
The mutation is made in the array engine (the reference engine binds the rule at import, so
patching the phase module changes one engine only) through its retain phase's numpy reference
(``step_numpy``: the compiled ``step`` gives its numbers bit for bit but does not call the rule);
the paired test is symmetric in the engines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import model.engine.phases.retain as retain_phase
import model.engine.reference.agents as reference
from model import RetentionModel, Scenario
from model.engine.phases import PHASES
from model.engine.reference import ReferenceModel

ALPHA = 0.01
MONTHS = (6, 12, 24)
SEEDS = range(1, 25)  # K = 24 paired runs
SCENARIO = Scenario().with_overrides(
    {
        "market.clients": 2000,
        "market.initial_active_share": 0.8,
        "retain.base_churn": 0.05,
        "levers.rd_share": 0.0,
        "levers.empowerment_budget": 150.0,
        "run.months": max(MONTHS),
    }
)
STOCKS = ("active", "lapsed", "prospects", "loyal")
FLOWS = ("churned", "acquired", "won_back", "revenue", "profit", "fixed_on_spot", "empowerment")


def docked_metrics(ts: pd.DataFrame, active_start: int) -> dict[str, float]:
    """Stocks at each docked month, cumulative flows to it, and the pooled monthly churn rate."""
    served = np.r_[active_start, ts["active"].to_numpy()[:-1]]  # served in month t = active at t-1
    out: dict[str, float] = {}
    for month in MONTHS:
        head = ts.iloc[:month]
        out |= {f"{k}@{month}": float(head[k].iloc[-1]) for k in STOCKS}
        out |= {f"{k}@{month}": float(head[k].sum()) for k in FLOWS}
        out[f"churn_rate@{month}"] = float(head["churned"].sum() / served[:month].sum())
    return out


def run_array(seed: int, phases: tuple | None = None) -> dict[str, float]:
    m = RetentionModel(SCENARIO, rng=seed, phases=phases)
    start = int(np.count_nonzero(m.clients.active_mask()))
    return docked_metrics(m.run().timeseries(), start)


def run_reference(seed: int) -> dict[str, float]:
    m = ReferenceModel(SCENARIO, rng=seed)
    start = sum(c.is_active for c in m.clients)
    return docked_metrics(m.run().timeseries(), start)


def paired_pvalues(a: list[dict], b: list[dict]) -> dict[str, float]:
    """Two-sided one-sample t-test of the per-seed differences, per metric."""
    out = {}
    for key in a[0]:
        d = np.array([y[key] - x[key] for x, y in zip(a, b, strict=True)])
        out[key] = 1.0 if np.all(d == 0) else float(stats.ttest_1samp(d, 0.0).pvalue)
    return out


@pytest.fixture(scope="module")
def reference_runs() -> list[dict[str, float]]:
    return [run_reference(s) for s in SEEDS]


@pytest.fixture(scope="module")
def array_runs() -> list[dict[str, float]]:
    return [run_array(s) for s in SEEDS]


@pytest.mark.slow
def test_engines_agree_in_distribution(reference_runs, array_runs) -> None:
    p = paired_pvalues(array_runs, reference_runs)
    threshold = ALPHA / len(p)
    worst = min(p, key=p.get)
    assert p[worst] > threshold, (
        f"engines disagree on {worst}: p = {p[worst]:.2g} < {threshold:.2g}; "
        f"reference mean {np.mean([r[worst] for r in reference_runs]):.4g}, "
        f"array mean {np.mean([r[worst] for r in array_runs]):.4g}"
    )


@pytest.mark.slow
def test_docking_detects_a_five_percent_change_in_one_rule(reference_runs, monkeypatch) -> None:
    """The same test rejects when the array engine's churn rule is 1.05 × itself."""
    original = retain_phase.churn_hazard

    def mutated(*args, **kwargs):
        return np.clip(1.05 * original(*args, **kwargs), 0.0, 1.0)

    monkeypatch.setattr(retain_phase, "churn_hazard", mutated)
    assert reference.churn_hazard is original  # the mutation is in one engine only
    # The compiled retain step does not call the rule; its numpy reference does (same numbers).
    phases = tuple((n, retain_phase.step_numpy if n == "retain" else s) for n, s in PHASES)
    p = paired_pvalues([run_array(s, phases) for s in SEEDS], reference_runs)
    threshold = ALPHA / len(p)
    worst = min(p, key=p.get)
    assert p[worst] < threshold, f"a 5% churn change went unnoticed: min p = {p[worst]:.2g}"


# ----------------------------------------------------------------- the reference engine itself
SMALL = Scenario().with_overrides({"market.clients": 300, "run.months": 6})


def test_reference_is_reproducible_and_conserves_clients() -> None:
    a = ReferenceModel(SMALL, rng=5).run().timeseries()
    b = ReferenceModel(SMALL, rng=5).run().timeseries()
    pd.testing.assert_frame_equal(a, b)
    stocks = a["prospects"] + a["active"] + a["lapsed"]
    assert (stocks == SMALL.market.clients).all()
    # Stocks change only by the month's recorded flows.
    change = a["active"].diff().iloc[1:]
    flows = (a["acquired"] + a["won_back"] - a["churned"]).iloc[1:]
    assert (change == flows).all()


def test_reference_staff_spend_sequentially_within_budget() -> None:
    """With a binding budget, each staff member's fixes never exceed its monthly budget."""
    s = SMALL.with_overrides({"levers.empowerment_budget": 100.0, "service.incident_rate_max": 0.5})
    m = ReferenceModel(s, rng=3).run()
    ts = m.timeseries()
    assert (ts["empowerment"] <= ts["headcount"] * 100.0 + 1e-9).all()
    assert ts["fixed_on_spot"].sum() > 0
    assert (ts["fixed_on_spot"] < ts["incidents"]).any()  # the budget did bind
