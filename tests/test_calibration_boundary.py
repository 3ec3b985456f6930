"""A survival table that shows no heterogeneity (every client alike: γ, δ → ∞) has no upper
bound on γ and δ; the heterogeneity's interval then runs from 0 to its profile-likelihood
bound (Wilks), not the few-percent-wide interval a Hessian of rounding noise gave around 10⁻⁶."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from model.studies.calibration.fit import calibrate_survival
from model.studies.calibration.sbg import fit_survival, loglik


@pytest.mark.parametrize("alive", [[1000, 999, 998, 997], [1000, 500, 250, 125, 62, 31]])
def test_no_heterogeneity_gets_a_profile_interval_from_zero(alive):
    fit = fit_survival(np.array(alive, dtype=float))
    assert fit.at_boundary
    # The upper end is where the profile log-likelihood is χ²₁(0.95)/2 below its maximum.
    deaths = np.zeros(len(alive))
    deaths[1:] = -np.diff(alive)
    censored = np.zeros(len(alive))
    censored[-1] = alive[-1]
    drop = fit.loglik - loglik(*fit.upper_shapes, deaths, censored)
    assert drop == pytest.approx(stats.chi2.ppf(0.95, 1) / 2, abs=0.02)
    low, high = calibrate_survival(alive).intervals["retain.churn_heterogeneity"]
    assert low == 0.0
    assert high > 10 * calibrate_survival(alive).values["retain.churn_heterogeneity"]
    assert high > 1e-3  # not the 2.6e-6 (or 3.9e-8) of a Hessian at γ, δ ≈ 10⁵–10⁷


def test_a_heterogeneous_cohort_keeps_its_observed_information_interval():
    fit = fit_survival(np.array([1000, 869, 743, 653, 593, 551, 517, 491], dtype=float))
    assert not fit.at_boundary  # (Fader & Hardie's "regular" customers: γ 0.67, δ 3.8)
    low, high = calibrate_survival([1000, 869, 743, 653, 593, 551, 517, 491]).intervals[
        "retain.churn_heterogeneity"
    ]
    assert 0 < low < high < 0.1


def test_a_small_real_polarization_in_a_large_cohort_is_no_boundary():
    """γ + δ = 1,500 is past the boundary's test (polarization < 10⁻³), but with a million
    clients the data rule out no heterogeneity at all: the profile walk then failed in brentq
    (a traceback). The observed information holds there."""
    from model.studies.calibration.sbg import monthly_intervals
    from model.studies.closed_forms import sbg_survival

    alive = np.round(1e6 * sbg_survival(300.0, 1200.0, np.arange(13)))
    fit = fit_survival(alive)
    assert not fit.at_boundary
    assert fit.gamma == pytest.approx(300, rel=0.05) and fit.delta == pytest.approx(1200, rel=0.05)
    low, high = monthly_intervals(fit)["retain.churn_heterogeneity"]
    assert 0 < low < high


def test_at_the_boundary_the_mean_churns_interval_is_its_likelihood_ratio_one():
    """[1000, 999, 998, 997]: the Hessian gave base churn [6.1e-5, 1.1e-4]; each end of the
    likelihood-ratio interval lies χ²₁(0.95)/2 below the maximum, and the interval is wider."""
    alive = [1000, 999, 998, 997]
    fit = fit_survival(np.array(alive, dtype=float))
    deaths = np.zeros(len(alive))
    deaths[1:] = -np.diff(alive)
    censored = np.zeros(len(alive))
    censored[-1] = alive[-1]
    for shapes in fit.mean_shapes:
        drop = fit.loglik - loglik(*shapes, deaths, censored)
        assert drop == pytest.approx(stats.chi2.ppf(0.95, 1) / 2, abs=0.02)
    low, high = calibrate_survival(alive).intervals["retain.base_churn"]
    assert low < 4e-5 and high > 1.8e-4
