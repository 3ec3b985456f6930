"""Calibrating on real data: the slips an analyst's pass found (each was a traceback, a silent wrong
answer or a misleading message) — messy logs, the split date, the holdout's weeks, the units and
the intervals the results print."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import cli
from scipy import stats

from model.scenario import Scenario
from model.studies.calibration import calibrate_survival
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.logs import read_log
from model.studies.calibration.moments import MSMSettings, fit_moments
from model.studies.calibration.rfm import history
from model.studies.calibration.transactions import generate_log

#: A generated log's churn (sBG) and spend (lognormal) shapes.
_SHAPES = {"gamma": 0.7, "delta": 1.2, "spend_mu": 4.0, "spend_sigma": 1.37}


def _write(tmp_path, text: str, name: str = "log.csv", raw: bytes = b""):
    path = tmp_path / name
    path.write_bytes(raw + text.encode())
    return path


def test_an_empty_first_date_is_named_not_a_traceback(tmp_path):
    path = _write(tmp_path, "client,date,amount\nA,,10\nA,2022-01-05,12\nB,2022-01-03,5\n")
    with pytest.raises(CalibrationError, match="date: empty at row 1"):
        read_log(path)


def test_times_with_an_offset_fall_on_their_local_day(tmp_path):
    """18:00 and 20:00 at −05:00 are one evening: converted to UTC they fell on two days."""
    text = "client,date,amount\nA,2022-03-01T18:00:00-05:00,10\nA,2022-03-01T20:00:00-05:00,12\n"
    log = read_log(_write(tmp_path, text))
    assert len(log) == 1 and log["amount"].iloc[0] == 22.0
    assert log["date"].iloc[0] == pd.Timestamp("2022-03-01")
    # A date alone keeps its day (its "-01" is no offset); offsets may mix within a log.
    mixed = "client,date,amount\nA,2022-03-01,1\nB,2022-03-02T23:30:00+14:00,2\nC,2022-03-03Z,3\n"
    days = read_log(_write(tmp_path, mixed.replace("2022-03-03Z", "2022-03-03T01:00Z"), "m.csv"))
    assert [d.day for d in days["date"]] == [1, 2, 3]


def test_the_split_is_an_iso_date_and_its_offset_is_dropped():
    log = read_log(generate_log(clients=60, years=2, join_years=1, seed=3, **_SHAPES))
    split = log["date"].min() + pd.Timedelta(days=200)
    day = split.strftime("%Y-%m-%d")
    h = history(log, f"{day}T00:00:00+09:00")  # (a tz-aware split failed to compare)
    assert h.split == pd.Timestamp(day)
    for wrong in (split.strftime("%d/%m/%Y"), split.strftime("%b %d %Y")):
        with pytest.raises(CalibrationError, match=r"split: value .* allowed: a date YYYY-MM-DD"):
            history(log, wrong)


def test_an_absurd_amount_is_refused_by_its_row(tmp_path):
    """One 1e300 silently dropped the whole spend fit as "heavy-tailed"."""
    text = "client,date,amount\nA,2022-01-05,10\nB,2022-01-06,1e300\n"
    with pytest.raises(CalibrationError, match=r"amount: value '1e300' at row 2 is not allowed"):
        read_log(_write(tmp_path, text))


def test_a_bom_and_a_comma_in_a_semicolon_header_are_read(tmp_path):
    spaced = _write(tmp_path, "A 19970101 1 10.5\nB 19970102 2 20\n", "s.txt", b"\xef\xbb\xbf")
    from model.studies.calibration.logs import LogFormat

    fmt = LogFormat(columns=("client", "date", "units", "amount"))
    assert len(read_log(spaced, fmt)) == 2  # (the BOM was a fifth field)
    semi = "client;date;amount (EUR, gross)\nA;2022-01-05;28.8\nB;2022-01-06;3\n"
    log = read_log(_write(tmp_path, semi, "semi.csv"), LogFormat(amount="amount (EUR, gross)"))
    assert log["amount"].tolist() == [28.8, 3.0]


def test_the_separator_is_the_one_both_first_lines_agree_on(tmp_path):
    """The most frequent character misread a comma file whose quoted header holds semicolons,
    and a semicolon file whose header holds as many commas."""
    from model.studies.calibration.logs import LogFormat

    comma = 'client,"date (y;m;d;h)",amount\nA,2022-01-05,1\nB,2022-01-06,2\n'
    log = read_log(_write(tmp_path, comma, "c.csv"), LogFormat(date="date (y;m;d;h)"))
    assert log["amount"].tolist() == [1.0, 2.0]
    for sep in (";", "\t"):
        text = f"client{sep}date{sep}amount (EUR, gross, net)\nA{sep}2022-01-05{sep}28.8\n"
        text += f"B{sep}2022-01-06{sep}3\n"
        log = read_log(
            _write(tmp_path, text, "s.csv"), LogFormat(amount="amount (EUR, gross, net)")
        )
        assert log["amount"].tolist() == [28.8, 3.0], sep


def test_the_split_keeps_its_day_whatever_its_form():
    """YYYYMMDD (the CDNOW sample's own form) and one-digit months were refused; a time kept on
    the split cut a day off the holdout's length."""
    log = read_log(generate_log(clients=60, years=2, join_years=1, seed=3, **_SHAPES))
    day = log["date"].min() + pd.Timedelta(days=200)
    plain = history(log, day.strftime("%Y-%m-%d"))
    for same in (day.strftime("%Y%m%d"), f"{day.year}-{day.month}-{day.day}",
                 day.strftime("%Y-%m-%dT23:00"), day.strftime("%Y-%m-%d 23:00:00-05:00")):  # fmt: skip
        h = history(log, same)
        assert h.split == plain.split and h.holdout_units == plain.holdout_units, same


def test_nothing_left_after_netting_returns_says_so(tmp_path):
    path = _write(tmp_path, "client,date,amount\nA,2022-01-05,-10\nB,2022-01-06,-5\n")
    from model.studies.calibration.logs import LogFormat

    with pytest.raises(CalibrationError, match="the log holds no purchases"):
        history(read_log(path, LogFormat(returns="net")))


# (Pareto/NBD's optimizer probes shapes where a generated contractual log's likelihood is -inf.)
@pytest.mark.filterwarnings("ignore:invalid value encountered in logaddexp:RuntimeWarning")
def test_holdout_weeks_are_whole_and_after_the_split():
    """The week across the split held two calibration days; the log's last part week was set
    against a whole week's forecast. Both are in neither part now."""
    log = read_log(generate_log(clients=300, years=3, join_years=1, seed=5, **_SHAPES))
    start = log["date"].min()
    split = start + pd.Timedelta(days=7 * 30 + 3)  # (mid-week)
    h = history(log, split)
    days_split, days_end = (h.split - h.start).days + 1, (h.end - h.start).days + 1
    from model.studies.calibration import bgnbd, pareto_nbd
    from model.studies.calibration.holdout import check

    bg, pn = bgnbd.fit(h.x, h.t_x, h.T), pareto_nbd.fit(h.x, h.t_x, h.T)
    weekly = check(h, bg, pn).weekly
    first, last = (weekly["t"] - 1) * 7, weekly["t"] * 7
    assert not (weekly["calibration"] & weekly["holdout"]).any()
    assert (last[weekly["calibration"]] <= days_split).all()
    assert (first[weekly["holdout"]] >= days_split).all()
    assert (last[weekly["holdout"]] <= days_end).all()
    across = (first < days_split) & (last > days_split)
    assert across.sum() == 1 and not (weekly["calibration"] | weekly["holdout"])[across].any()
    # (retention calibrate knows the --holdout-csv it wrote by how it begins)
    from model.studies.calibration.holdout import HOLDOUT_HEADER

    assert weekly.to_csv(index=False).startswith(HOLDOUT_HEADER)


@pytest.mark.filterwarnings("ignore:invalid value encountered in logaddexp:RuntimeWarning")
def test_a_holdout_shorter_than_a_week_says_it_has_no_weekly_error():
    from model.studies.calibration.from_log import calibrate_log

    log = generate_log(clients=300, years=3, join_years=1, seed=5, **_SHAPES)
    end = pd.to_datetime(log["date"]).max()
    split = (end - pd.Timedelta(days=10)).strftime("%Y-%m-%d")
    fit = calibrate_log(log, setting="non-contractual", split=split, agent=False)
    assert np.isnan(fit.details["holdout"].errors["weekly_mae_holdout"]).all()
    assert any("no whole week after the split" in note for note in fit.notes)


def test_fitted_values_say_their_units_and_the_period_note_its_period():
    alive = np.array([1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173])
    yearly = calibrate_survival(alive).summary()
    assert "retain.base_churn = " in yearly and "(1/month)" in yearly
    assert "months 12k" in yearly
    monthly = calibrate_survival(alive, period_months=1).summary()
    assert "none needed, the table is monthly" in monthly and "months 12k" not in monthly


def test_simulated_moments_intervals_use_students_t():
    """±1.96 sd over three fits covered about 86%; two degrees of freedom need t = 4.30. On the
    log scale the fit searches, so the interval stays positive (on the raw scale a churn rate's
    reached −0.0006)."""
    settings = MSMSettings(clients=200, months=14, burn_in=2, seeds=(0, 1), replicates=2)
    fit = fit_moments(Scenario(), ["retain.base_churn"], {"annual_retention": 0.8}, settings)
    key = "retain.base_churn"
    logs = np.log([*fit.replicate_values[key], fit.values[key]])
    sd = np.std(logs, ddof=1)
    lo, hi = fit.intervals[key]
    assert np.log(hi / fit.values[key]) == pytest.approx(stats.t.ppf(0.975, 2) * sd)
    assert np.log(fit.values[key] / lo) == pytest.approx(stats.t.ppf(0.975, 2) * sd)
    assert 0 < lo < fit.values[key] < hi


def test_holdout_csv_with_a_contractual_setting_is_refused(tmp_path, capsys):
    path = tmp_path / "contract.csv"
    generate_log(clients=80, years=3, join_years=1, seed=11, **_SHAPES).to_csv(path, index=False)
    argv = ["calibrate", "--transactions", path, "--setting", "contractual"]
    assert cli(*argv, "--out", tmp_path / "c.toml", "--holdout-csv", tmp_path / "h.csv") == 2
    assert "--holdout-csv is not allowed with --setting contractual" in capsys.readouterr().err
