"""Analytic anchors against the simulation (docs/validation.md): closed-form CLV and sBG heterogeneity.

Every tolerance is a number of Monte-Carlo standard errors of the mean over independent clients
(each client's draws come from its own slot of per-decision streams, so clients are independent),
with the standard error computed analytically from the process being tested — never tuned.

Timing (model/engine/phases/account.py): a client served in month t who does not churn pays its margin at
the end of month t, discounted by (1 + i_m)^−t with i_m = (1 + annual)^(1/12) − 1. A cohort with
constant monthly retention r and margin m is therefore worth m·r/(1 + i_m − r) per initial client
over an infinite horizon (:func:`model.studies.closed_forms.margin_multiple`, timing "end"); over T months the
truncated sum m·q(1 − q^T)/(1 − q), q = r/(1 + i_m), which the tests use so truncation is exact.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import closed_cohort

from model.engine.retention_model import RetentionModel
from model.scenario import Scenario
from model.studies.closed_forms import (
    clv_markov,
    clv_markov_moments,
    lapse_return_chain,
    margin_multiple,
    sbg_parameters,
    sbg_retention,
)

#: Standard errors allowed on each comparison. With |Z| > 4 having probability 6e-5, a test
#: making 40 such comparisons fails by chance with probability < 0.3% (and seeds are fixed).
Z = 4.0


def monthly_rate(annual: float) -> float:
    """The monthly rate equivalent to ``annual``, compounded: (1 + a)^(1/12) − 1 (docs/ODD.md
    §7.9). Written here, not imported from the engine: an engine that took a/12 would otherwise
    agree with its own anchors (a referee's check: it passed them)."""
    return (1.0 + annual) ** (1.0 / 12.0) - 1.0


def _run(scenario: Scenario) -> pd.DataFrame:
    return RetentionModel(scenario).run().timeseries()


# ------------------------------------------------------------------------ closed-form CLV
@pytest.mark.parametrize(
    ("retention", "annual", "months"),
    [(0.95, 0.10, 240), (0.90, 0.40, 120), (0.97, 0.0, 360)],
)
def test_closed_cohort_npv_is_the_margin_multiple(
    retention: float, annual: float, months: int
) -> None:
    n = 40_000
    s = closed_cohort(
        {
            "market.clients": n,
            "run.months": months,
            "retain.base_churn": 1.0 - retention,
            "economics.discount_rate": annual,
        }
    )
    ts = _run(s)
    margin = s.market.spend_mean * (1.0 - s.economics.cogs_share)  # spend_sigma = 0: all equal
    i = monthly_rate(annual)
    # The cohort is closed and every cost but cost of goods is off: profit = margin × payers.
    assert ts["acquired"].sum() == 0 and ts["won_back"].sum() == 0
    assert np.allclose(ts["profit"], margin * ts["active"], rtol=1e-12)

    chain = lapse_return_chain(retention, 0.0)
    mean, var = clv_markov_moments(chain, [margin, 0.0], i, periods=months)
    expected = margin * margin_multiple(retention, i, periods=months)
    assert mean[0] == pytest.approx(expected, rel=1e-12)
    se = np.sqrt(var[0] / n)  # standard error of the mean discounted value per client
    simulated = ts["npv"].iloc[-1] / n
    assert abs(simulated - expected) <= Z * se, (simulated, expected, se)
    # The truncated horizon is within 0.1% of the infinite one: the closed form itself is tested.
    assert expected == pytest.approx(margin * margin_multiple(retention, i), rel=1e-3)
    # Power: the tolerance is tighter than the error of a wrong timing convention — a margin paid
    # at t = 0 too adds one whole margin (discounted pairs); discounting month t by t − 1 instead
    # of t multiplies the value by 1 + i (the high-rate pair; checked by mutation: z = 6.3).
    if annual > 0:
        assert Z * se < 0.5 * margin
    if annual >= 0.4:
        assert Z * se < expected * i


def test_lapse_and_return_matches_the_markov_chain_clv() -> None:
    """Pfeifer–Carraway with return: lapsed clients come back with probability w a month.

    A returner becomes active at the end of the month it returns and pays from the next month on,
    so the chain has a state "returned this month" that pays nothing yet:
    states (active & paid, returned, lapsed), margin only in the first.
    """
    r, w, annual, months, n = 0.9, 0.1, 0.1, 240, 40_000
    s = closed_cohort(
        {
            "market.clients": n,
            "run.months": months,
            "retain.base_churn": 1.0 - r,
            "win_back.natural_return": w,
            "economics.discount_rate": annual,
        }
    )
    ts = _run(s)
    margin = s.market.spend_mean * (1.0 - s.economics.cogs_share)
    chain = np.array([[r, 0.0, 1.0 - r], [r, 0.0, 1.0 - r], [0.0, w, 1.0 - w]])
    reward = np.array([margin, 0.0, 0.0])
    mean, var = clv_markov_moments(chain, reward, monthly_rate(annual), periods=months)
    se = np.sqrt(var[0] / n)
    simulated = ts["npv"].iloc[-1] / n
    assert ts["won_back"].sum() > 0
    assert abs(simulated - mean[0]) <= Z * se, (simulated, mean[0], se)
    # Returns are worth something: the no-return value lies far outside the tolerance.
    no_return = clv_markov(lapse_return_chain(r, 0.0), [margin, 0.0], monthly_rate(annual))[0]
    assert mean[0] - no_return > 2 * Z * se


# --------------------------------------------------------------------------- heterogeneity
def _cohort_retention(heterogeneity: float, n: int, months: int, churn: float):
    s = closed_cohort(
        {
            "market.clients": n,
            "run.months": months,
            "market.initial_tenure": "new",
            "retain.base_churn": churn,
            "retain.churn_heterogeneity": heterogeneity,
        }
    )
    ts = _run(s)
    served = np.r_[n, ts["active"].to_numpy()[:-1]]  # clients at the start of each month
    observed = 1.0 - ts["churned"].to_numpy() / served
    assert np.allclose(observed, ts["retention_monthly"], rtol=1e-12)
    return observed, served


def _pooled_z(observed: np.ndarray, expected: np.ndarray, served: np.ndarray) -> float:
    """The months' churners against their expectation, pooled: sum over t of
    (C_t − (1 − r_t) S_t) over the root of the sum of r_t (1 − r_t) S_t, for C_t churners of
    S_t served at month t's start and expected retention r_t. Each term has mean zero given the
    months before, so the variances add exactly: a standard normal deviate where the model
    is right, and a bias of a few percent in every month adds up instead of hiding in each."""
    churners = (1.0 - observed) * served
    excess = (churners - (1.0 - expected) * served).sum()
    return float(excess / np.sqrt((expected * (1.0 - expected) * served).sum()))


def test_heterogeneous_cohort_retention_rises_along_the_sbg_curve() -> None:
    """Each client's hazard is constant, yet aggregate retention rises: the leavers go first.

    Given the survivors at the start of month t, each churns independently with probability
    1 − r_t (their propensities are the sBG posterior), so churners ~ Binomial(survivors, 1 − r_t)
    and the observed retention has standard error sqrt(r_t(1 − r_t)/survivors).
    """
    churn, polarization, n, months = 0.05, 0.3, 50_000, 36
    observed, served = _cohort_retention(polarization, n, months, churn)
    gamma, delta = sbg_parameters(churn, polarization)
    expected = sbg_retention(gamma, delta, np.arange(1, months + 1))
    se = np.sqrt(expected * (1.0 - expected) / served)
    assert np.all(np.abs(observed - expected) <= Z * se), np.abs(observed - expected) / se
    # Month by month each check has an SE of about 0.001, so a mean churn 5% too high moves each
    # by 1-2 SE and passes: pooled over the months, the churners' excess is a sum of terms of
    # mean zero given the past, whose variances add (a referee's check: that bias gave z = 8.3).
    assert abs(_pooled_z(observed, expected, served)) <= Z
    # Power: a cohort whose Beta shape is 5% higher (mean churn about 5% higher) would shift the
    # statistic past Z + 1.645, so it fails the test at least 95% of the time.
    biased = sbg_retention(gamma * 1.05, delta, np.arange(1, months + 1))
    assert abs(_pooled_z(biased, expected, served)) > Z + 1.645
    # It rises: the last year's mean retention beats the first quarter's by many standard errors.
    early, late = slice(0, 3), slice(24, 36)
    diff = observed[late].mean() - observed[early].mean()
    se_diff = np.sqrt((se[late] ** 2).sum() / 12**2 + (se[early] ** 2).sum() / 3**2)
    assert diff > Z * se_diff, (diff, se_diff)


def test_homogeneous_cohort_retention_stays_flat() -> None:
    churn, n, months = 0.05, 50_000, 36
    observed, served = _cohort_retention(0.0, n, months, churn)
    r = 1.0 - churn
    se = np.sqrt(r * (1.0 - r) / served)
    assert np.all(np.abs(observed - r) <= Z * se), np.abs(observed - r) / se
    assert abs(_pooled_z(observed, np.full(months, r), served)) <= Z  # (pooled: see above)
    early, late = slice(0, 3), slice(24, 36)
    diff = observed[late].mean() - observed[early].mean()
    se_diff = np.sqrt((se[late] ** 2).sum() / 12**2 + (se[early] ** 2).sum() / 3**2)
    assert abs(diff) <= Z * se_diff, (diff, se_diff)
    # Power: the heterogeneous cohort's rise (sBG, polarization 0.3) is far outside this band.
    g, d = sbg_parameters(churn, 0.3)
    rise = (
        sbg_retention(g, d, np.arange(25, 37)).mean() - sbg_retention(g, d, np.arange(1, 4)).mean()
    )
    assert rise > 10 * Z * se_diff
