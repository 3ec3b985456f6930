"""Non-contractual calibration on the CDNOW sample (shipped by the lifetimes package): the published
BG/NBD, Pareto/NBD and Gamma-Gamma fits, the holdout check, and the CLI end to end on the raw file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.interfaces.cli import main
from model.scenario import Scenario
from model.studies.calibration import bgnbd, cdnow, gamma_gamma, pareto_nbd
from model.studies.calibration.from_log import calibrate_log
from model.studies.calibration.rfm import default_split, history
from model.studies.run import simulate


@pytest.fixture(scope="module")
def cal():
    log = cdnow.load()
    return log, history(log, cdnow.CALIBRATION_END)


def test_the_sample_is_the_literatures(cal):
    log, h = cal
    assert h.clients == 2357
    assert str(h.start.date()) == "1997-01-01" and str(h.end.date()) == "1998-06-30"
    # The default split (the first half) is the literature's 39-week calibration period.
    assert default_split(log) == pd.Timestamp(cdnow.CALIBRATION_END)
    assert h.T.max() == pytest.approx(273 / 7 - 1 / 7)  # 1997-01-01 .. 1997-09-30
    summary = pd.read_csv(cdnow.path().parent / "cdnow_customers_summary.csv")
    assert np.array_equal(summary["frequency"].to_numpy(), h.x)
    assert np.allclose(summary["recency"].to_numpy(), h.t_x, atol=0.005)  # printed to 2 decimals
    assert np.allclose(summary["T"].to_numpy(), h.T, atol=0.005)


@pytest.mark.parametrize(
    "model, published, digits",
    [(bgnbd, "bgnbd", 3), (pareto_nbd, "pareto_nbd", 2)],
)
def test_published_fits(cal, model, published, digits):
    _, h = cal
    fit = model.fit(h.x, h.t_x, h.T)
    paper = cdnow.PUBLISHED[published]
    for name, value in fit.params.items():
        assert round(value, digits) == pytest.approx(paper[name]), name
        lo, hi = fit.interval(name)
        assert lo < value < hi
    assert fit.loglik == pytest.approx(paper["loglik"], abs=0.05)


def test_gamma_gamma_published_fit(cal):
    _, h = cal
    fit = gamma_gamma.fit(h.x, h.value)
    assert fit.clients == 946
    for name, value in fit.params.items():
        assert round(value, 2) == pytest.approx(cdnow.PUBLISHED["gamma_gamma"][name]), name
    # A client's expected spend per purchase (Fader & Hardie 2013, eq. 5) is a weighted mean of
    # the population's and its own average, weight p·x / (p·x + q − 1) on its own: no purchases
    # give the population's mean; many give its own.
    theta = tuple(fit.params[k] for k in gamma_gamma.NAMES)
    p_, q_, _ = theta
    population = gamma_gamma.mean_per_purchase(theta)
    assert gamma_gamma.conditional_mean(theta, 0, 99.0) == pytest.approx(population)
    own = 50.0
    for x in (1, 4, 30):
        w = p_ * x / (p_ * x + q_ - 1)
        got = gamma_gamma.conditional_mean(theta, x, own)
        assert got == pytest.approx(w * own + (1 - w) * population)
    assert abs(gamma_gamma.conditional_mean(theta, 10**6, own) - own) < 1e-3


def test_model_expressions_agree_with_simulation():
    """E[X(t)] and P(alive) of both models against a direct simulation of their stories."""
    rng = np.random.default_rng(5)
    n, t = 200_000, 20.0
    lam = rng.gamma(0.6, 1 / 5.0, n)
    # Pareto/NBD: exponential lifetime, rate ~ Gamma(s, β).
    mu = rng.gamma(0.7, 1 / 10.0, n)
    life = rng.exponential(1 / mu)
    x = rng.poisson(lam * np.minimum(life, t))
    assert x.mean() == pytest.approx(pareto_nbd.expected((0.6, 5.0, 0.7, 10.0), t), rel=0.02)
    # BG/NBD: dropout after each purchase with p ~ Beta(a, b): deaths are Poisson at rate λp.
    p = rng.beta(0.8, 2.5, n)
    death = rng.exponential(1 / (lam * p))
    y = rng.poisson(lam * np.minimum(death, t))
    assert y.mean() == pytest.approx(bgnbd.expected((0.6, 5.0, 0.8, 2.5), t), rel=0.03)


def test_holdout_check_and_the_fitted_scenario():
    fit = calibrate_log(cdnow.path(), cdnow.FORMAT)  # default split: the first half
    assert fit.details["setting"].name == "non-contractual"
    err = fit.details["holdout"].errors
    assert set(err.index) == {"BG/NBD", "Pareto/NBD", "agent-based"}
    # Holdout: the forecasts carry information about each client (the literature's ≈ 0.6) and
    # the aggregate is within 15% of the 1,882 repeat purchases actually made.
    assert (err["client_correlation"] > 0.5).all()
    assert (err["client_mae"] < 1.0).all()
    assert (abs(err["holdout_total_forecast"] / err["holdout_total_actual"] - 1) < 0.15).all()
    # The simulated cohort reproduces the calibration period's weekly purchases about as well as
    # the statistical model it was mapped from.
    assert (
        err.loc["agent-based", "weekly_mae_calibration"]
        < 1.5 * err.loc["Pareto/NBD", "weekly_mae_calibration"]
    )
    # The scenario's own cohort against the survival it was fitted to, measured, not only said:
    # its churn moves with satisfaction, so it keeps more than the Beta conversion alone gives
    # (0.380 against the Pareto/NBD's 0.357 at 12 months).
    _, _, s, b = fit.details["pareto_nbd"].values
    alive_12 = fit.details["agent"].alive[11]
    assert alive_12 - (b / (b + 12 * 30.4375 / 7)) ** s > 0.01
    gap = fit.quality["simulated_to_pareto_nbd_survival_gap_pp"]
    assert gap > 10 * fit.quality["pareto_nbd_to_monthly_beta_gap_pp"] and gap < 10
    weekly = fit.details["holdout"].weekly
    cal = weekly[weekly["calibration"]]
    assert cal["agent-based"].sum() == pytest.approx(cal["actual"].sum(), rel=0.1)
    # Units said: spend per purchase × purchases per month = spend per month (× 12 per year).
    q = fit.quality
    assert q["spend_per_month_mean"] == pytest.approx(
        q["spend_per_purchase_mean"] * q["purchases_per_month_mean"]
    )
    assert q["spend_per_year_mean"] == pytest.approx(12 * q["spend_per_month_mean"])
    # The fitted scenario's clients spend what the log's clients spend, per month.
    run = simulate(fit.scenario.with_overrides({"market.clients": 20_000}), months=1)
    assert run.timeseries["revenue"].iloc[0] > 0


def test_cli_on_the_raw_shipped_file(tmp_path, capsys):
    out = tmp_path / "cdnow.toml"
    track = tmp_path / "track.csv"
    argv = [
        "calibrate",
        "--transactions",
        str(cdnow.path()),
        "--columns",
        "master_id,client,date,cds,amount",
        "--out",
        str(out),
        "--holdout-csv",
        str(track),
    ]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "non-contractual (inferred)" in text and "agent-based" in text
    scenario = Scenario.from_toml(out)
    assert scenario.market.spend_distribution == "purchases"
    assert (
        simulate(scenario.with_overrides({"market.clients": 2000}), months=3).timeseries.shape[0]
        == 3
    )
    weekly = pd.read_csv(track)
    assert {"actual", "BG/NBD", "Pareto/NBD", "agent-based"} <= set(weekly.columns)


def test_expressions_match_the_lifetimes_implementation():
    """P(alive) and conditional expectations agree with the lifetimes package's (independent code)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lifetimes import BetaGeoFitter, ParetoNBDFitter
    x = np.array([0, 1, 2, 5, 14.0])
    t_x = np.array([0, 30.43, 20, 35, 38.0])
    T = np.full(5, 38.86)
    cases = [
        (BetaGeoFitter, bgnbd, dict(r=0.243, alpha=4.414, a=0.793, b=2.426)),
        (ParetoNBDFitter, pareto_nbd, dict(r=0.553, alpha=10.58, s=0.606, beta=11.67)),
    ]
    for cls, ours, params in cases:
        ref = cls()
        ref.params_ = pd.Series(params)
        theta = tuple(params.values())
        assert np.allclose(
            ours.p_alive(theta, x, t_x, T), ref.conditional_probability_alive(x, t_x, T)
        )
        assert np.allclose(
            ours.conditional_expected(theta, 39.0, x, t_x, T),
            ref.conditional_expected_number_of_purchases_up_to_time(39.0, x, t_x, T),
        )
        t = np.array([10.0, 39.0, 78.0])
        assert np.allclose(ours.expected(theta, t), ref.expected_number_of_purchases_up_to_time(t))
