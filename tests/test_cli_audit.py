"""Slips a second exploratory pass over the command line found, each now one clear line (or a
warning) where before: a Python traceback (a log dated 9999-12-31, a survival table of periods
far shorter than a month), a number that was none (a BG/NBD forecast that failed for every
client reported as 0 purchases), an option silently ignored (``--period-months`` with a
non-contractual log, ``run.track_clients`` with replications), a folder name too long for the
file system (a scenario named in Chinese), a message that said the wrong thing (a file given to
``presets --copy`` "does not exist"; ``''`` reported as the folder ``.``) or a study run twice
at one value (``optimize --robust X=1,1``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from conftest import cli
from test_reliability import one_error_line

from model.studies.calibration.data import read_survival, survival_table
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.from_log import calibrate_log
from model.studies.calibration.logs import read_log
from model.studies.calibration.sbg import to_monthly

LOG = pd.DataFrame(
    {"client": ["a", "a", "b", "b"], "date": ["2021-03-01", "2021-09-01", "2022-05-01", "x"]}
).assign(amount=5.0)


@pytest.mark.parametrize(
    ("date", "says"),
    [("9999-12-31", "is after today"), ("0202-03-01", "is before 1900-01-01"),
     ("1021-06-30", "is before 1900-01-01")],
)  # fmt: skip
def test_a_date_outside_the_years_a_log_can_hold_is_refused(date, says):
    with pytest.raises(CalibrationError, match=f"'{date}' at row 4 {says}.*; allowed: dates from"):
        read_log(LOG.assign(date=[*LOG["date"][:3], date]))


def test_cli_a_placeholder_date_is_one_error_line(tmp_path, capsys):
    src, out = tmp_path / "log.csv", tmp_path / "o.toml"
    for dates in (["20200101", "20200601", "99991231"], ["01/01/2020", "01/06/2020", "31/12/9999"]):
        log = pd.DataFrame({"client": ["a", "a", "b"], "date": dates, "amount": 5.0})
        log.to_csv(src, index=False)
        assert cli("calibrate", "--transactions", src, "--dayfirst", "--out", out) == 2
        one_error_line(capsys, f"'{dates[2]}' at row 3 is after today", "placeholder")
    assert not out.exists()


def test_a_period_far_shorter_than_a_month_is_refused_not_a_crash(tmp_path, capsys):
    with pytest.raises(CalibrationError, match=r"period_months: value 0\.001 is not allowed with"):
        to_monthly(1.0, 2.0, 0.001)
    table = tmp_path / "p.csv"
    table.write_text("period,alive\n0,1000\n1,700\n2,550\n3,470\n4,410\n")
    out = tmp_path / "o.toml"
    assert cli("calibrate", "--survival", table, "--period-months", "0.001", "--out", out) == 2
    one_error_line(capsys, "period_months: value 0.001", "monthly churn of 1", "allowed:")
    # The stated range is the one enforced (it said ≤ 1200, and 1000 was refused after).
    assert cli("calibrate", "--survival", table, "--period-months", "121", "--out", out) == 2
    one_error_line(capsys, "--period-months", "x ≤ 120")
    assert read_survival(table, period_months=0.23)[1] == 0.23  # (weeks: allowed)


def test_an_absurd_cohort_is_refused():
    with pytest.raises(CalibrationError, match=r"value 1e\+308 for period 0 .* ≤ 1e\+12"):
        survival_table([1e308, 1e307, 1e306])


def test_calibrate_log_checks_period_months_and_says_where_it_is_not_used(tmp_path):
    for bad in (0, -5, float("nan"), float("inf"), 121):
        with pytest.raises(CalibrationError, match=r"period_months: value .* is not allowed"):
            calibrate_log(tmp_path / "none.csv", period_months=bad)  # (before the file is read)
    with pytest.raises(CalibrationError, match="is a folder or a device; allowed: a CSV file"):
        calibrate_log(tmp_path)
    rng = pd.Series(range(40))
    log = pd.DataFrame(  # irregular purchases: a non-contractual log
        {
            "client": [f"c{i % 20}" for i in rng],
            "date": [str(pd.Timestamp("2021-01-01") + pd.Timedelta(days=int(7 * i + i * i % 23)))[:10]
                     for i in rng],
            "amount": 10.0,
        }
    )  # fmt: skip
    with pytest.raises(CalibrationError, match="not allowed with setting 'non-contractual'"):
        calibrate_log(log, setting="non-contractual", period_months=3, agent=False)


@pytest.mark.parametrize("missing", ["every", "one"])
def test_a_forecast_missing_for_a_client_has_no_total(missing, monkeypatch):
    """A BG/NBD fit run off to r = 8e4 forecasts NaN for every client: their sum was reported
    as 0 purchases. A total (and an error) with any client missing is NaN now."""
    import numpy as np

    from model.studies.calibration import bgnbd, holdout

    real = bgnbd.conditional_expected

    def failing(*args):
        out = np.array(real(*args), dtype=float)
        out[...] = np.nan if missing == "every" else out
        if missing == "one":
            out[..., 0] = np.nan
        return out

    monkeypatch.setattr(holdout.bgnbd, "conditional_expected", failing)
    quality = calibrate_log(_irregular_log(), agent=False).quality
    assert np.isnan(quality["bg_nbd_holdout_purchases"])  # (0 before, with every one missing)
    assert quality["pareto_nbd_holdout_purchases"] > 0  # (the other model's forecast stands)


def _irregular_log(clients: int = 120) -> pd.DataFrame:
    """A non-contractual log: 1-8 purchases a client at irregular gaps, 2020-2021."""
    rng = np.random.default_rng(5)
    rows = []
    for c in range(clients):
        day = int(rng.integers(0, 200))
        for _ in range(int(rng.integers(1, 9))):
            if day > 700:
                break
            rows.append((c, str(pd.Timestamp("2020-01-01") + pd.Timedelta(days=day))[:10], 20.0))
            day += int(rng.integers(10, 121))
    return pd.DataFrame(rows, columns=["client", "date", "amount"])


def test_a_name_in_another_script_gets_a_folder_the_file_system_holds(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for n, extra in ((18, []), (16, ["--replications", "2"])):
        scenario = tmp_path / f"cjk{n}.toml"
        scenario.write_text(f'name = "{"客户保留" * n}"\n')
        argv = [scenario, "--clients", "50", "--months", "2", "--no-figures", "--quiet", *extra]
        assert cli("run", *argv) == 0
    names = [p.name for p in (tmp_path / "out").iterdir()]
    assert len(names) == 2 and all(len(name.encode()) <= 140 for name in names)


def test_presets_copy_names_a_file_and_an_empty_folder(tmp_path, capsys):
    preset = tmp_path / "baseline.toml"
    preset.write_text('name = "mine"\n')
    assert cli("presets", "--copy", preset, tmp_path / "c") == 2
    one_error_line(capsys, "is a file, not a preset's name", "--copy baseline")
    assert cli("presets", "--copy", "baseline", "") == 2
    one_error_line(capsys, "--copy: folder '' is not allowed")
    # A sweep spec's copy: --out names its store; its name names no folder (a scenario's does).
    assert cli("presets", "--copy", "sweeps/example", tmp_path / "s") == 0
    said = capsys.readouterr().out
    assert "--out STORE" in said and "names its results' folder" not in said
    assert cli("presets", "--copy", "baseline", tmp_path / "r") == 0
    assert "names its results' folder" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["run", ""], ["compare", "no_cut", ""], ["optimize", ""], ["sweep", "", "--out", "s"]],
)
def test_an_empty_scenario_is_named_as_empty_not_as_a_folder(argv, capsys):
    assert cli(*argv) == 2
    assert "value '' is not allowed; allowed: a " in one_error_line(capsys, "''")


def test_optimize_refuses_a_robust_value_given_twice(tmp_path, capsys):
    argv = ["optimize", "baseline", "--clients", "50", "--months", "3", "--replications", "1",
            "--robust", "retain.satisfaction_sensitivity=1,1.0", "--out", tmp_path / "o"]  # fmt: skip
    assert cli(*argv) == 2
    one_error_line(capsys, "--robust", "repeats a value", "distinct values")


def test_a_followed_sample_with_replications_is_refused_or_warned_of(tmp_path, capsys):
    argv = ["run", "--clients", "60", "--months", "2", "--replications", "2", "--no-figures"]
    assert cli(*argv, "--set", "run.track_clients=5", "--out", tmp_path / "a") == 2
    one_error_line(capsys, "--set run.track_clients: not allowed with --replications 2")
    assert cli(*argv, "--set", "run.track_clients=0", "--out", tmp_path / "z", "--quiet") == 0
    scenario = tmp_path / "t.toml"
    scenario.write_text("[run]\ntrack_clients = 5\n")
    assert cli(*argv[:1], scenario, *argv[1:], "--out", tmp_path / "b") == 0
    err = capsys.readouterr().err
    assert "run.track_clients = 5 (the scenario's) is not written with --replications 2" in err


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[run]\nmonths = "6"\n', "run.months: value '6' is not allowed; allowed: a number"),
        ('[levers]\nad_budget = "300"\n', "levers.ad_budget: value '300'"),
        ('[word_of_mouth]\npositive = "false"\n', "allowed: true or false, written without"),
        ('[[schedule]]\nmonth = 3\nset = { ad_budget = "1" }\n', "schedule.0.set.ad_budget"),
        # (a step's own month, and a shock's fields, were taken quoted: validation coerced them)
        ('[[schedule]]\nmonth = "12"\nset = { ad_budget = 1 }\n', "schedule.0.month: value '12'"),
        (
            '[[schedule]]\nmonth = 3\nset = { "levers.ad_budget" = "300" }\n',
            "levers.ad_budget: value '300'",
        ),
        (
            '[[shocks]]\nkind = "bad_service"\nstart = 3\nmonths = 1\nsize = "0.5"\n',
            "shocks.0.size: value '0.5' is not allowed; allowed: a number, written without quotes",
        ),
    ],
)
def test_a_number_in_quotes_in_a_scenario_file_is_refused(text, says, tmp_path):
    """``months = "6"`` was taken as 6 without a word: a file's value of the wrong type."""
    from model import Scenario
    from model.scenario import ScenarioError

    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=re.escape(says)):
        Scenario.from_toml(path)
    path.write_text('[levers]\nservice_level = "wow"\n')  # (a level's name is a string)
    assert Scenario.from_toml(path).levers.service_level == 0.9
