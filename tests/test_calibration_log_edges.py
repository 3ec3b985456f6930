"""``retention calibrate`` at the edges of real data: a date after today (a typo in the year) is
refused naming its row, rows merged into one purchase are counted and said (exact duplicates
apart: a double export doubles spend), and a survival table's ``period`` column takes its length
from ``--period-months``, which is refused wherever it would be ignored."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import cli
from test_reliability import one_error_line

from model.studies.calibration import logs
from model.studies.calibration.data import read_survival
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.logs import LogFormat, merge_notice, read_log

SURVIVAL = "0,1000\n1,631\n2,468\n3,382\n4,326\n5,289\n"


def _subscriptions(n: int = 60, months: int = 24, seed: int = 3) -> pd.DataFrame:
    """A contractual log (monthly payments until a geometric departure), dated 2020-2022."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        start = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 28)))
        for k in range(min(int(rng.geometric(0.08)), months)):
            rows.append((f"s{c}", (start + pd.DateOffset(months=k)).date().isoformat(), 20.0))
    return pd.DataFrame(rows, columns=["client", "date", "amount"])


# ==================================================================== 1. dates after today
def test_a_date_after_today_is_refused_naming_row_and_value():
    log = pd.DataFrame(
        {"client": ["a", "a", "b"], "date": ["2021-03-01", "2092-03-01", "2022-05-01"]}
    ).assign(amount=5.0)
    with pytest.raises(CalibrationError, match=r"'2092-03-01' at row 2 is after today"):
        read_log(log)
    today = datetime.date.today()
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(
        CalibrationError, match=r"at row 1 is after today.*allowed: dates from 1900-01-01 up to"
    ):
        read_log(log.assign(date=[tomorrow, "2021-03-01", "2022-05-01"]))
    # today itself, at any time of day, is no future
    kept = read_log(log.assign(date=[f"{today}T23:59:00", "2021-03-01", "2022-05-01"]))
    assert kept["date"].max() == pd.Timestamp(today)


def test_cli_a_future_date_is_one_error_line(tmp_path, capsys):
    log = _subscriptions()
    log.loc[6, "date"] = "2092" + log.loc[6, "date"][4:]  # a typo in the year
    src = tmp_path / "log.csv"
    log.to_csv(src, index=False)
    out = tmp_path / "o.toml"
    assert cli("calibrate", "--transactions", src, "--out", out) == 2
    one_error_line(capsys, "date:", f"'{log.loc[6, 'date']}' at row 7", "after today", "allowed:")
    assert not out.exists()


# ============================================================ 2. merged and duplicated rows
def test_merged_rows_and_exact_duplicates_are_counted():
    log = pd.DataFrame(
        {
            "client": ["a", "a", "a", "a", "b"],
            "date": ["2021-03-01", "2021-03-01", "2021-03-01", "2021-03-02", "2021-03-01"],
            "amount": [10.0, 10.0, 4.0, 7.0, 3.0],
        }
    )
    got = read_log(log)
    # the convention stays: a's three rows of 1 March are one purchase of 24
    assert got["amount"].tolist() == [24.0, 7.0, 3.0]
    assert {k: got.attrs[k] for k in ("rows", "merged_rows", "duplicate_rows")} == {
        "rows": 5,
        "merged_rows": 2,
        "duplicate_rows": 1,
    }
    notice = merge_notice(got)
    assert "5 rows read, 3 purchases kept" in notice and "2 rows merged" in notice
    assert "1 of them exact duplicates" in notice
    assert merge_notice(read_log(log.drop_duplicates(["client", "date"]))) is None


def test_cli_says_how_many_rows_were_merged_and_duplicated(tmp_path, capsys):
    log = _subscriptions()
    src, doubled = tmp_path / "log.csv", tmp_path / "doubled.csv"
    log.to_csv(src, index=False)
    pd.concat([log, log.iloc[:5]]).to_csv(doubled, index=False)  # five rows exported twice
    args = ("--period-months", "1", "--out", tmp_path / "o.toml")
    assert cli("calibrate", "--transactions", src, *args) == 0
    assert "rows merged" not in capsys.readouterr().out  # nothing merged: nothing said
    assert cli("calibrate", "--transactions", doubled, *args) == 0
    out = capsys.readouterr().out
    said = [line for line in out.splitlines() if line.startswith("Log: ")]
    assert len(said) == 1, out
    assert f"{len(log) + 5:,} rows read, {len(log):,} purchases kept" in said[0]
    assert "5 rows merged" in said[0] and "5 of them exact duplicates" in said[0]
    assert "rows merged" in (tmp_path / "o.toml").read_text()  # and kept in the file's notes
    assert cli("calibrate", "--transactions", doubled, *args, "--quiet") == 0
    assert capsys.readouterr().out == ""


# ============================================================= 3. a `period` column's length
def test_a_period_column_is_as_long_as_period_months(tmp_path):
    period = tmp_path / "p.csv"
    period.write_text("period,alive\n" + SURVIVAL)
    assert read_survival(period)[1] == 12.0  # years, as documented
    assert read_survival(period, period_months=3)[1] == 3.0
    year = tmp_path / "y.csv"
    year.write_text("year,alive\n" + SURVIVAL)
    assert read_survival(year, period_months=12)[1] == 12.0  # agrees: nothing ignored
    with pytest.raises(CalibrationError, match=r"--period-months 1 is not used with a 'year'"):
        read_survival(year, period_months=1)


def test_cli_period_months_sets_a_period_column_and_is_refused_where_ignored(tmp_path, capsys):
    period, month = tmp_path / "p.csv", tmp_path / "m.csv"
    period.write_text("period,alive\n" + SURVIVAL)
    month.write_text("month,alive\n" + SURVIVAL)
    out = tmp_path / "o.toml"
    assert cli("calibrate", "--survival", month, "--out", out) == 0
    monthly = capsys.readouterr().out.split("fit quality")[0]
    assert cli("calibrate", "--survival", period, "--period-months", "1", "--out", out) == 0
    assert capsys.readouterr().out.split("fit quality")[0] == monthly  # months, not years
    assert cli("calibrate", "--survival", month, "--period-months", "12", "--out", out) == 2
    one_error_line(capsys, "--period-months 12", "'month' column", "allowed:", "'period'")
    targets = tmp_path / "t.toml"
    targets.write_text("top20_share = 0.8\n")
    assert cli("calibrate", "--targets", targets, "--period-months", "3", "--out", out) == 2
    one_error_line(capsys, "--period-months: not used with --targets", "period_months = M")


def test_a_time_with_an_offset_on_todays_utc_date_is_no_future(monkeypatch):
    """West of Greenwich a purchase an hour ago can fall on tomorrow's UTC date (as the log's days
    are read): today is the later of the local and the UTC date. The machine's local date is set
    a day behind UTC here, as it is in the Americas in the UTC morning."""
    now = datetime.datetime.now(datetime.UTC)

    class Behind(datetime.date):
        @classmethod
        def today(cls) -> datetime.date:
            return now.date() - datetime.timedelta(days=1)

    clock = SimpleNamespace(date=Behind, datetime=datetime.datetime, UTC=datetime.UTC)
    monkeypatch.setattr(logs, "datetime", clock)
    west = now.astimezone(datetime.timezone(datetime.timedelta(hours=-11)))
    log = pd.DataFrame(
        {"client": ["a", "b"], "date": ["2021-03-01T00:00:00-11:00", west.isoformat()]}
    )
    kept = read_log(log.assign(amount=5.0))  # (not refused as the future)
    assert kept["date"].max() == pd.Timestamp(west.date())  # (its local day)


def test_a_log_mixing_offsets_reads_each_time_as_its_local_day():
    """Mixed offsets (and times with and without one) failed inside pandas: "Mixed timezones".
    Each time falls on its local day (read as UTC days, one evening's purchases fell on two),
    an offset after a space too."""
    dates = [
        "2021-03-01",
        "2021-03-01T23:00:00-11:00",
        "2021-03-02T01:00:00+05:00",
        "2021-03-02 18:00:00 +0000",
    ]
    kept = read_log(pd.DataFrame({"client": ["a", "b", "c", "d"], "date": dates, "amount": 5.0}))
    by_client = dict(zip(kept["client"], kept["date"], strict=True))
    assert [str(by_client[k].date()) for k in (0, 1, 2, 3)] == [
        "2021-03-01",
        "2021-03-01",
        "2021-03-02",
        "2021-03-02",
    ]


def test_a_log_without_amounts_calls_no_merged_row_a_doubled_amount():
    log = pd.DataFrame({"client": ["a", "a", "b"], "date": ["2021-03-01"] * 3})
    got = read_log(log, LogFormat(amount=""))
    notice = merge_notice(got)
    assert notice == "Log: 3 rows read, 2 purchases kept (one per client and day): 1 rows merged " \
        "into the same client's purchase that day."  # fmt: skip


def test_a_period_longer_than_the_fit_allows_is_refused_as_the_table_is_read(tmp_path):
    period = tmp_path / "p.csv"
    period.write_text("period,alive\n" + SURVIVAL)
    with pytest.raises(CalibrationError, match=r"period_months: value 200 .*≤ 120"):
        read_survival(period, period_months=200)


def test_clients_who_all_buy_alike_are_fitted_with_the_shape_capped_not_refused() -> None:
    """Every client buying weekly fits a Pareto/NBD shape r of thousands, which stopped the
    whole calibration ("market.purchase_rate_shape: value 3184… is not allowed"; a user's
    report). It is capped at the parameter's upper bound, and the notes say so."""
    from model.scenario import PARAMS
    from model.studies.calibration.from_log import calibrate_log

    rng = np.random.default_rng(1)
    rows = []
    for c in range(150):
        start = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 30)))
        for k in range(int(rng.integers(20, 104))):
            day = start + pd.Timedelta(days=7 * k + int(rng.integers(0, 3)))
            rows.append((f"c{c}", day.date().isoformat(), float(rng.gamma(20.0, 1.0))))
    log = pd.DataFrame(rows, columns=["client", "date", "amount"])
    result = calibrate_log(log, setting="non-contractual", agent=False)
    upper = PARAMS["market.purchase_rate_shape"].upper
    assert result.values["market.purchase_rate_shape"] == upper
    assert any(n.startswith("market.purchase_rate_shape: fitted") and "capped" in n
               for n in result.notes)  # fmt: skip
    assert result.scenario.market.purchase_rate_shape == upper  # it validates
    # (the fit's interval lies around the uncapped value: not shown beside the cap)
    assert "market.purchase_rate_shape" not in result.intervals
    assert "capped" in result.no_interval["market.purchase_rate_shape"]


def test_a_log_shorter_than_two_periods_says_why_nobody_can_be_seen_to_leave():
    """Half of a two-year log's payers stopped after three months, yet with 12-month periods
    nobody is seen to leave: a churn is a whole period without a purchase after the period of the
    last one, and no client has two whole periods in the log. The error said only "no client was
    seen to leave"; it now says why and what --period-months would do it, and with 3-month
    periods the stoppers are counted."""
    from model.studies.calibration.transactions import lifetimes

    rows = []
    for c in range(100):
        paid = 24 if c % 2 else 3
        for m in range(paid):
            day = pd.Timestamp("2020-01-05") + pd.DateOffset(months=m)
            rows.append((f"c{c}", day, 10.0))
    log = pd.DataFrame(rows, columns=["client", "date", "amount"])
    with pytest.raises(CalibrationError, match=r"two whole periods of 12 months.*spans 23 months"):
        lifetimes(log, period_months=12.0)
    quarters = lifetimes(log, period_months=3.0)
    assert quarters.deaths.sum() == 50  # every stopper, in the period after its last purchase
    assert quarters.deaths[1] == 50
