"""Calibration says what its data cannot give: a spend per purchase without a finite mean
(Gamma-Gamma's q ≤ 1) is not identified (it was a KeyError traceback), a value left without an
interval says why (it read "exact"), and a fitted lognormal spread comes with lognormal spend."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import cli


def _log(path, n=800, seed=3):
    """Pareto/NBD purchases (r 0.5, α 10, s 0.6, β 12, weeks) with Gamma-Gamma amounts of
    p = 2 and q = 0.7 (a heavy tail: Fader, Hardie & Lee 2005's model with q < 1)."""
    rng = np.random.default_rng(seed)
    lam, mu = rng.gamma(0.5, 1 / 10, n), rng.gamma(0.6, 1 / 12, n)
    first, nu = rng.uniform(0, 12, n), rng.gamma(0.7, 1 / 15, n)
    rows = []
    for i in range(n):
        t, end = first[i], min(first[i] + rng.exponential(1 / mu[i]), 78)
        while t <= end:
            rows.append((f"c{i}", t, round(rng.gamma(2, 1 / nu[i]), 2)))
            t += rng.exponential(1 / lam[i])
    df = pd.DataFrame(rows, columns=["client", "t", "amount"])
    df["date"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.floor(df.t * 7), unit="D")
    df[["client", "date", "amount"]].to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def test_a_spend_without_a_mean_is_not_identified(tmp_path, capsys):
    out = tmp_path / "fitted.toml"
    assert cli("calibrate", "--transactions", _log(tmp_path / "log.csv"), "--out", out) == 0
    printed = capsys.readouterr().out
    assert "market.spend_mean: Gamma-Gamma's q = " in printed
    assert "≤ 1: spend per purchase has so heavy a tail" in printed
    assert "spend_mean" not in out.read_text().split("[market]")[-1].split("[")[0]


def test_a_value_the_log_does_not_bound_says_so(tmp_path, capsys):
    """40 clients, few seen to stop buying (tests/data/small_log_40_clients.csv): the fitted
    churn has no interval because the information matrix is singular; it was labelled "closed
    form from an exact target", like a value fitted exactly."""
    from pathlib import Path

    log = Path(__file__).parent / "data" / "small_log_40_clients.csv"
    out = tmp_path / "fitted.toml"
    assert cli("calibrate", "--transactions", log, "--out", out) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "retain.base_churn =" in x)
    assert "information matrix is singular" in line
    assert "exact target" not in line


def test_a_fitted_spread_makes_spend_lognormal(tmp_path):
    """A spread fitted to a top-20% share is a lognormal's sigma: a base with purchase-based
    spend would ignore it (the top share stayed 0.69 against a target of 0.9)."""
    from model import Scenario
    from model.studies.calibration.fit import calibrate_targets

    base = Scenario().with_overrides({"market.spend_distribution": "purchases"})
    fit = calibrate_targets({"top20_share": 0.9}, base=base)
    assert fit.scenario.market.spend_distribution == "lognormal"
    assert fit.scenario.market.spend_sigma == fit.values["market.spend_sigma"]


def test_a_target_the_model_cannot_reach_is_said_and_gets_no_interval():
    """A referral share of 0.95 is beyond what word of mouth gives here (about 0.28): the fit
    said q_positive = 1 [1, 1], as if pinned down."""
    from model.studies.calibration.fit import calibrate_targets
    from model.studies.calibration.moments import MSMSettings

    settings = MSMSettings(seeds=(101, 102), replicates=1)
    fit = calibrate_targets({"referral_share": 0.95}, settings=settings)
    assert "word_of_mouth.q_positive" not in fit.intervals
    assert "referral_share NOT REACHED" in fit.no_interval["word_of_mouth.q_positive"]
    assert "NOT REACHED" in fit.summary()
    reachable = calibrate_targets({"referral_share": fit.quality["referral_share_simulated"]},
                                  settings=settings)  # fmt: skip
    assert "word_of_mouth.q_positive" in reachable.intervals
    assert "NOT REACHED" not in reachable.summary()


def test_a_parameter_fitted_from_one_moves_off_it():
    """A parameter whose base value is 1 sits at 0 on the fit's log scale, where scipy's relative
    finite-difference step fell back to 1e-8: across it the moments (common random numbers) do
    not move, the gradient was 0, and nps = -85 was "NOT REACHED" at likelihood_exponent = 1
    although 1.3 gives -88. The step is now 5% of the parameter there too."""
    from model.studies.calibration.fit import calibrate_targets
    from model.studies.calibration.moments import MSMSettings

    settings = MSMSettings(clients=400, months=24, burn_in=6, seeds=(101, 102), replicates=1)
    fit = calibrate_targets({"nps": -85.0}, settings=settings)
    [(key, value)] = fit.values.items()
    assert key == "satisfaction.likelihood_exponent" and value > 1.05, fit.summary()
    assert "NOT REACHED" not in fit.summary()
    low, high = fit.intervals[key]
    assert 0 < low <= value <= high


def test_a_top_share_target_states_one_range():
    """0.2 was refused with "0.2 < x ≤ 1" and then 1.0 with "< 1": one range, stated once."""
    import pytest

    from model.studies.calibration.errors import CalibrationError
    from model.studies.calibration.fit import calibrate_targets

    for share in (0.2, 1.0):
        with pytest.raises(CalibrationError, match=r"allowed: 0\.2 < x < 1 "):
            calibrate_targets({"top20_share": share})


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"months": 10, "burn_in": 20}, "burn_in"),
        ({"seeds": ()}, "seeds"),
        ({"clients": 0}, "clients"),
        ({"seeds": (1.5,)}, "seeds"),
        ({"replicates": -1}, "replicates"),
    ],
)
def test_simulated_moments_settings_are_checked(kwargs, field):
    """A burn-in past the horizon, or no seed, made every moment NaN, and the base's value came
    back as a fit with the interval [0.02, 0.02]."""
    from model.studies.calibration.errors import CalibrationError
    from model.studies.calibration.moments import MSMSettings

    with pytest.raises(CalibrationError, match=f"^{field}: value"):
        MSMSettings(**kwargs)


def test_no_refits_is_no_interval_not_nan():
    from model.studies.calibration.fit import calibrate_targets
    from model.studies.calibration.moments import MSMSettings

    fit = calibrate_targets(
        {"annual_retention": 0.85}, settings=MSMSettings(seeds=(1, 2), replicates=0)
    )
    assert "retain.base_churn" not in fit.intervals
    assert "no refits" in fit.no_interval["retain.base_churn"]
    assert "nan" not in fit.summary()


def test_clients_too_alike_for_the_model_are_fitted_with_the_shape_capped(tmp_path, capsys):
    """300 clients with one spend distribution: the fitted Gamma-Gamma shape runs past what the
    model takes. It said "override: market.purchase_value_shape …", an override the user never
    gave, after numpy's RuntimeWarnings, with --quiet; then it stopped with a line about the
    data, and the other fitted values were lost (a user's report). Now the shape is capped at
    its bound and the file says so; --quiet prints nothing."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(300):
        t = rng.uniform(0, 60)
        while t < 540:
            rows.append((f"c{i}", pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(t)),
                         round(rng.uniform(10, 40), 2)))  # fmt: skip
            t += rng.exponential(60)
    log = tmp_path / "alike.csv"
    pd.DataFrame(rows, columns=["client", "date", "amount"]).to_csv(log, index=False)
    assert cli("calibrate", "--transactions", log, "--out", tmp_path / "f.toml", "--quiet") == 0
    assert capsys.readouterr().err == ""
    text = (tmp_path / "f.toml").read_text(encoding="utf-8")
    assert "purchase_value_shape = 1000" in text.replace("1000.0", "1000")
    assert "market.purchase_value_shape: fitted" in text and "capped at 1000" in text
