"""Calibration: Fader & Hardie's published fits, out-of-sample projection, recovery of known
parameters from a generated transaction log, targets reproduced by simulation on unseen seeds,
the 'not identified' list, the scenario file, and one-line CLI errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from model.interfaces.cli import main
from model.scenario import Scenario
from model.studies.calibration.data import fader_hardie
from model.studies.calibration.fit import (
    CalibrationError,
    MSMSettings,
    calibrate_survival,
    calibrate_targets,
    calibrate_transactions,
)
from model.studies.calibration.moments import simulated_moments
from model.studies.calibration.sbg import fit_survival, to_monthly
from model.studies.calibration.spend import sigma_from_top_share, top_share_lognormal
from model.studies.calibration.transactions import generate_log
from model.studies.closed_forms import sbg_survival

# Fader & Hardie (2007) report these fits to years 0-7 (three decimals).
PAPER = {"regular": (0.704, 1.182), "high_end": (0.668, 3.806)}


@pytest.mark.parametrize("segment", ["regular", "high_end"])
def test_sbg_reproduces_the_papers_estimates(segment):
    fit = fit_survival(fader_hardie(segment), fit_periods=7)
    gamma, delta = PAPER[segment]
    # The paper rounds to 3 decimals: |error| ≤ 0.0005 plus optimizer slack.
    assert fit.gamma == pytest.approx(gamma, abs=1e-3)
    assert fit.delta == pytest.approx(delta, abs=1e-3)
    lo, hi = fit.interval("gamma")
    assert lo < fit.gamma < hi


@pytest.mark.parametrize("segment", ["regular", "high_end"])
def test_out_of_sample_years_8_to_12(segment):
    """Fit on years 0-7, project 8-12 (measured MAE: regular 0.29 pp, high end 1.19 pp).

    Tolerance: the brief's 2 percentage points on the mean absolute error; and, derived, each
    held-out year within 2 predictive standard errors, where the predictive variance is the
    projection's parameter variance (delta method, observed information) plus the binomial
    variance of the observed share of 1,000 clients, S(1 - S)/1000.
    """
    alive = fader_hardie(segment)
    res = calibrate_survival(alive, fit_periods=7)
    assert res.quality["out_of_sample_mae_pp"] < 2.0
    fit = res.details["sbg"]
    t = np.arange(8, 13)
    observed = alive[8:] / alive[0]
    se = np.sqrt(fit.survival_se(t) ** 2 + observed * (1 - observed) / alive[0])
    assert np.all(np.abs(fit.survival(t) - observed) < 2 * se)


def test_survival_fit_is_worse_out_of_sample_than_in_sample_fit_to_all():
    """Sanity: fitting all 13 years fits years 8-12 at least as well as the projection does."""
    alive = fader_hardie("high_end")
    proj = calibrate_survival(alive, fit_periods=7)
    full = calibrate_survival(alive)
    t = np.arange(8, 13)
    err_full = np.abs(full.details["sbg"].survival(t) - alive[8:] / 1000).mean() * 100
    assert err_full <= proj.quality["out_of_sample_mae_pp"] + 1e-9


@pytest.mark.parametrize("segment", ["regular", "high_end"])
def test_monthly_conversion_matches_the_yearly_curve(segment):
    fit = fit_survival(fader_hardie(segment), fit_periods=7)
    mb = to_monthly(fit.gamma, fit.delta, 12.0)
    years = np.arange(1, 13)
    monthly = sbg_survival(mb.a, mb.b, 12 * years)
    assert np.max(np.abs(monthly - fit.survival(years))) < 0.001  # within 0.1 pp
    # The naive match (same polarization, monthly mean from the yearly mean) is much worse:
    # polarization is not invariant to the period length.
    m = 1 - (1 - fit.mean_churn) ** (1 / 12)
    total = fit.gamma + fit.delta
    naive = sbg_survival(m * total, (1 - m) * total, 12 * years)
    assert np.max(np.abs(naive - fit.survival(years))) > 10 * np.max(
        np.abs(monthly - fit.survival(years))
    )


def test_top_share_closed_form():
    assert top_share_lognormal(1.37) == pytest.approx(0.70, abs=0.005)  # Kim, Singh & Winer
    assert sigma_from_top_share(0.8) == pytest.approx(1.68, abs=0.01)  # the textbook 80/20
    for share in (0.3, 0.6, 0.9):
        assert top_share_lognormal(sigma_from_top_share(share)) == pytest.approx(share)
    # Against a sample: the top-20% share of 200,000 lognormal draws (MC sd ≈ 0.002 at σ = 1.37).
    x = np.exp(1.37 * np.random.default_rng(3).standard_normal(200_000))
    top = np.sort(x)[-40_000:].sum() / x.sum()
    assert top == pytest.approx(top_share_lognormal(1.37), abs=0.01)
    with pytest.raises(CalibrationError, match="top20_share"):
        sigma_from_top_share(0.15)


def test_transaction_log_recovers_known_parameters():
    """A log generated from known γ, δ (yearly sBG) and lognormal σ: each estimate within 3
    standard errors of the truth (observed-information SEs for ln γ, ln δ; σ/√(2n) for σ).
    Measured over 6 generator seeds: γ 0.65-0.75 with se ≈ 0.04, no visible bias."""
    truth = {"gamma": 0.7, "delta": 1.2, "mu": 4.0, "sigma": 1.37}
    log = generate_log(
        clients=4000,
        gamma=truth["gamma"],
        delta=truth["delta"],
        spend_mu=truth["mu"],
        spend_sigma=truth["sigma"],
        years=8,
        join_years=4,
        seed=11,
    )
    res = calibrate_transactions(log)
    fit, spend = res.details["sbg"], res.details["spend"]
    se_g, se_d = fit.se_log
    assert abs(np.log(fit.gamma / truth["gamma"])) < 3 * se_g
    assert abs(np.log(fit.delta / truth["delta"])) < 3 * se_d
    assert abs(spend.sigma - truth["sigma"]) < 3 * spend.sigma_se
    mean = np.exp(truth["mu"] + truth["sigma"] ** 2 / 2)
    lo, hi = spend.interval("mean")
    assert lo < mean < hi
    assert {"market.spend_sigma", "market.spend_mean", "retain.base_churn"} <= set(res.values)


def test_targets_reproduce_annual_retention_on_unseen_seeds():
    """Calibrate base_churn to an annual retention of 0.80 with 6 seeds, then simulate the
    calibrated scenario on 12 *other* seeds. Most run-to-run variance is firm-level (sd ≈ 0.045
    per run), so the tolerance is the fit's own residual plus 3 standard errors of the difference
    of two seed-set means: 3·sqrt(se_fit² + se_new²), with se from the spread over seeds."""
    settings = MSMSettings(clients=1000, months=30, burn_in=6, seeds=tuple(range(6)), replicates=0)
    res = calibrate_targets({"annual_retention": 0.80}, settings=settings)
    fitted = res.quality["annual_retention_simulated"]
    se_fit = res.quality["annual_retention_mc_se"]
    new = simulated_moments(res.scenario, ["annual_retention"], settings, range(500, 512))[:, 0]
    se_new = new.std(ddof=1) / np.sqrt(new.size)
    assert abs(new.mean() - 0.80) < abs(fitted - 0.80) + 3 * np.hypot(se_fit, se_new)
    # Moving base_churn must matter: the default (0.02) is far from the fit.
    assert abs(res.values["retain.base_churn"] - 0.02) > 0.005
    # One aggregate number cannot separate mean churn from its spread.
    assert "retain.churn_heterogeneity" in res.not_identified
    assert "retain.churn_heterogeneity" not in res.values
    assert "retain.satisfaction_sensitivity" in res.not_identified


def test_closed_form_targets_and_not_identified():
    res = calibrate_targets(
        {"retention_by_tenure": [0.631, 0.742, 0.816], "cohort_size": 1000, "top20_share": 0.8}
    )
    assert res.values["market.spend_sigma"] == pytest.approx(stats.norm.ppf(0.8) * 2, abs=1e-9)
    assert "market.spend_mean" in res.not_identified
    assert "retain.satisfaction_sensitivity" in res.not_identified
    direct = calibrate_survival([1000, 631, 468, 382])
    assert res.values["retain.base_churn"] == pytest.approx(
        direct.values["retain.base_churn"], rel=1e-3
    )


@pytest.mark.parametrize(
    ("targets", "match"),
    [
        ({"retention": 0.8}, "unknown"),
        ({"annual_retention": 1.5}, "annual_retention"),
        ({"retention_by_tenure": [0.6, 0.7]}, "cohort_size"),
        ({"top20_share": 0.1}, "top20_share"),
        ({}, "none given"),
    ],
)
def test_bad_targets_name_the_field(targets, match):
    with pytest.raises(CalibrationError, match=match):
        calibrate_targets(targets)


def test_scenario_file_round_trips_and_is_written_atomically(tmp_path):
    res = calibrate_survival(fader_hardie("regular"), fit_periods=7)
    out = res.write(tmp_path / "fitted.toml")
    loaded = Scenario.from_toml(out)
    assert loaded.retain.base_churn == pytest.approx(res.values["retain.base_churn"])
    assert loaded.retain.churn_heterogeneity == pytest.approx(
        res.values["retain.churn_heterogeneity"]
    )
    text = out.read_text()
    assert "out_of_sample_mae_pp" in text and "not identified" in text
    assert [p.name for p in tmp_path.iterdir()] == ["fitted.toml"]  # no temporary left behind


def test_write_keeps_a_file_it_did_not_write(tmp_path):
    """A scenario of one's own or a data file is not overwritten by mistake; a fit's own file
    is, and ``force=True`` replaces anything."""
    res = calibrate_survival(fader_hardie("regular"), fit_periods=7)
    mine = _write(tmp_path / "my_firm.toml", 'name = "my_firm"\n')
    data = _write(tmp_path / "cohort.csv", "year,alive\n0,100\n")
    for path in (mine, data):
        with pytest.raises(FileExistsError, match=f"{path.name}.*force=True"):
            res.write(path)
    assert mine.read_text() == 'name = "my_firm"\n' and data.read_text() == "year,alive\n0,100\n"
    fitted = res.write(tmp_path / "fitted.toml")
    assert res.write(fitted) == fitted  # (a calibration's own file: replaced)
    res.write(mine, force=True)
    assert Scenario.from_toml(mine).retain.base_churn == pytest.approx(
        res.values["retain.base_churn"]
    )
    for force in (False, True):  # (a folder: force=True failed inside the atomic write)
        with pytest.raises(IsADirectoryError, match=r"a folder; allowed: a file's path"):
            res.write(tmp_path, force=force)


def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("kind", "text", "match"),
    [
        ("--survival", "year,alive\n0,100\n1,120\n2,80\n", "must not rise"),
        ("--survival", "year,count\n0,100\n1,80\n2,70\n", "alive"),
        # the cell as written (numpy's reprs were shown: np.float64(nan), np.float64(-5.0))
        # (a survival table's rows are its periods, and are named so: "row 0" was period 0)
        ("--survival", "year,alive\n0,500\n1,many\n2,300\n", "value 'many' for period 1"),
        ("--survival", "year,alive\n0,500\n1,-5\n2,300\n", "value -5.0 for period 1"),
        ("--survival", "year,alive\n0,500\n1,\n2,300\n", "alive: empty for period 1"),
        (
            "--transactions",
            "client,date,amount\na,2021-01-01,5\nb,2021-01-02,\n",
            "amount: empty at row 2",
        ),
        ("--survival", "year,alive\n0,500\n1,400.5\n2,300\n", "a whole count"),
        ("--transactions", "client,when,amount\na,2020-01-01,5\n", "missing column"),
        ("--transactions", "client,date,amount\na,2020-01-01,-5\n", "amount"),
        ("--transactions", "client,date,amount\na,2020-13-45,5\n", "not a date"),
        ("--targets", "annual_retention = 'high'\n", "annual_retention"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys, kind, text, match):
    src = _write(tmp_path / ("in.toml" if kind == "--targets" else "in.csv"), text)
    code = main(["calibrate", kind, str(src), "--out", str(tmp_path / "o.toml")])
    err = capsys.readouterr().err
    assert code == 2
    assert match in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.toml").exists()


def test_cli_survival_writes_a_loadable_scenario(tmp_path, capsys, monkeypatch):
    src = _write(
        tmp_path / "s.csv",
        "year,alive\n"
        + "\n".join(f"{i},{int(v)}" for i, v in enumerate(fader_hardie("high_end")))
        + "\n",
    )
    out = tmp_path / "fitted.toml"
    assert main(["calibrate", "--survival", str(src), "--fit-years", "7", "--out", str(out)]) == 0
    assert "out_of_sample_mae_pp" in capsys.readouterr().out
    assert Scenario.from_toml(out).retain.base_churn == pytest.approx(0.01496, abs=1e-4)
    # Run again to the same file: it is replaced (before, the file was taken for a folder in
    # the path: "part of its path ('fitted.toml') is a file", exit 2).
    assert main(["calibrate", "--survival", str(src), "--fit-years", "6", "--out", str(out)]) == 0
    assert "out_of_sample_periods = 7-12" in out.read_text()  # fitted to 6 years, not 7
    # Longer than the table: named as the flag, with this table's bound (not fit_periods).
    assert main(["calibrate", "--survival", str(src), "--fit-years", "13", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "--fit-years: value 13 is not allowed; allowed: 2 ≤ x ≤ 12" in err, err
    # Its own name, the file's: `retention run fitted.toml` writes out/fitted/, not the base's
    # folder; and a second fit to another file runs into a folder of its own (both were named
    # baseline-calibrated, and running the second was refused as another scenario's folder).
    assert Scenario.from_toml(out).name == "fitted"
    other = tmp_path / "baseline.toml"
    assert main(["calibrate", "--survival", str(src), "--fit-years", "7", "--out", str(other)]) == 0
    assert Scenario.from_toml(other).name == "baseline-calibrated"  # (never the base's name)
    monkeypatch.chdir(tmp_path)
    for fitted in (out, other):
        argv = ["run", str(fitted), "--months", "2", "--clients", "300", "--no-figures"]
        assert main([*argv, "--quiet"]) == 0
    folders = {p.name.partition("--")[0] for p in (tmp_path / "out").iterdir()}
    assert folders == {"fitted", "baseline-calibrated"}


@pytest.mark.parametrize(("unit", "scale"), [("percent", 100.0), ("share", 1.0)])
def test_cli_survival_in_percent_or_shares_with_the_cohort_size(tmp_path, capsys, unit, scale):
    """The README's ``--survival pct.csv --cohort-size 1200`` (columns: year,percent): the column
    is rescaled to 1,200 clients once and fitted as those counts would be (before, the rescaled
    counts were checked again as whole counts and refused)."""
    alive = fader_hardie("regular")
    table = np.round(alive / alive[0] * scale, 4)  # as a report prints them
    src = _write(
        tmp_path / "pct.csv",
        f"year,{unit}\n" + "\n".join(f"{i},{v}" for i, v in enumerate(table)) + "\n",
    )
    out = tmp_path / "fitted.toml"
    args = ["calibrate", "--survival", str(src), "--cohort-size", "1200", "--out", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    expected = calibrate_survival(table / table[0] * 1200.0, cohort_size=1200)
    fitted = Scenario.from_toml(out).retain
    assert fitted.base_churn == pytest.approx(expected.scenario.retain.base_churn, rel=1e-9)
    assert fitted.churn_heterogeneity == pytest.approx(
        expected.scenario.retain.churn_heterogeneity, rel=1e-9
    )


def test_a_column_already_at_the_cohort_size_is_kept_as_it_is():
    """Rescaling is done once: a column starting at the cohort size passes unchanged, so a table
    read with ``cohort_size`` can be handed on with it."""
    from model.studies.calibration.data import survival_table

    a = np.array([1200.0, 764.7, 561.6, 470.4])  # (764.7 / 1200 · 1200 is not 764.7 in floats)
    assert np.array_equal(survival_table(a, cohort_size=1200), a)
    assert np.array_equal(survival_table(a / 12.0, cohort_size=1200), a / 12.0 / 100.0 * 1200.0)


@pytest.mark.parametrize("split", ["notadate", "1997-13-45"])
def test_cli_a_split_that_is_not_a_date_is_one_line_exit_2(tmp_path, capsys, split):
    src = _write(
        tmp_path / "log.csv",
        "client,date,amount\n"
        + "".join(f"c{i % 7},2020-{1 + i % 12:02d}-15,5\n" for i in range(60)),
    )
    out = tmp_path / "o.toml"
    code = main(["calibrate", "--transactions", str(src), "--split", split, "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert f"split: value {split!r} is not allowed" in err and "a date" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


@pytest.mark.parametrize(
    ("alive", "kwargs", "match"),
    [
        (None, {"period_months": 0}, "period_months: value 0 is not allowed; allowed: 0 < x ≤ 120"),
        (None, {"period_months": -12}, "period_months: value -12 is not allowed"),
        (None, {"period_months": float("nan")}, "period_months: value nan is not allowed"),
        (None, {"period_months": True}, "period_months: value True is not allowed"),
        (["1000", "600", "abc"], {}, "alive: value ['1000', '600', 'abc'] is not allowed; allowed: numbers"),
        ([[1000, 600, 300]], {}, "alive: value [[1000, 600, 300]] (of shape (1, 3)) is not allowed"),
        (None, {"fit_periods": "x"}, "fit_periods: value 'x' is not allowed; allowed: a whole number"),
        (None, {"fit_periods": 2.5}, "fit_periods: value 2.5 is not allowed"),
    ],
)  # fmt: skip
def test_calibrate_survival_bad_input_names_the_argument(alive, kwargs, match):
    """At the Python API: one CalibrationError naming the argument and what is allowed (was a
    ZeroDivisionError, scipy's "initial guess is outside of provided bounds", numpy's "could not
    convert string to float", or "need at least 3 periods … got 3")."""
    alive = fader_hardie("regular") if alive is None else alive
    with pytest.raises(CalibrationError) as err:
        calibrate_survival(alive, **kwargs)
    assert match in str(err.value)


def test_calibrate_survival_takes_a_preset_name_as_its_base():
    """``base="delighter"`` is the preset, as ``retention calibrate --base delighter`` is."""
    fitted = calibrate_survival(fader_hardie("regular"), base="delighter").scenario
    assert fitted.name == "delighter-calibrated"
    assert fitted.levers == Scenario.preset("delighter").levers


def test_cli_an_unknown_base_names_the_presets_too(tmp_path, capsys):
    """``--base`` takes a file or a preset: a name that is neither says both (it said "allowed: a
    readable file"), with the nearest preset."""
    src = _write(tmp_path / "s.csv", "year,alive\n0,1000\n1,600\n2,450\n3,380\n")
    args = ["calibrate", "--survival", str(src), "--base", "delightr", "--out", str(tmp_path / "o")]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2 and "argument --base:" in err and "did you mean 'teaching/delighter'?" in err
    assert "or a preset: baseline" in err


def test_a_survival_table_given_whole_says_which_column_to_pass():
    """The year/alive table the command line reads was shown as a garbled repr with its shape
    twice; its periods' order is checked only when read from a file."""
    table = pd.DataFrame({"year": [0, 1, 2, 3], "alive": [1000, 631, 468, 382]})
    with pytest.raises(
        CalibrationError,
        match=r"columns \['year', 'alive'\] is not allowed; "
        r"allowed: one column of counts in period order, e.g. table\['alive'\]",
    ):
        calibrate_survival(table)


def test_a_rising_percent_column_is_quoted_as_given_not_as_rescaled_counts():
    """Percentages 100, 63, 147 of a cohort of 1,200 were refused as "period 2 has 1764 > 756
    alive" — counts the user never typed (a user's report)."""
    from model.studies.calibration.data import survival_table
    from model.studies.calibration.errors import CalibrationError

    with pytest.raises(
        CalibrationError, match=r"period 2 has 147 > 63 the period before, as given"
    ):
        survival_table([100, 63, 147], cohort_size=1200)
