"""Real-world transaction logs: columns named by option, date formats, returns, the setting said
out loud, survival tables in counts or percentages, and one-line CLI errors (exit 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.interfaces.cli import main
from model.studies.calibration.data import read_survival
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.logs import LogFormat, read_log
from model.studies.calibration.setting import infer_setting


def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("dates", "fmt"),
    [
        (["2021-03-31", "2021-04-02", "2021-04-02T10:00:00"], LogFormat()),
        (["20210331", "20210402", "20210402"], LogFormat()),
        (["31/03/2021", "02/04/2021", "02/04/2021"], LogFormat(dayfirst=True)),
        (["31.03.2021", "02.04.2021", "02.04.2021"], LogFormat(date_format="%d.%m.%Y")),
    ],
)
def test_date_formats_give_the_same_purchases(tmp_path, dates, fmt):
    rows = "\n".join(f"c1,{d},{a}" for d, a in zip(dates, (10, 5, 7), strict=True))
    log = read_log(_write(tmp_path / "l.csv", "client,date,amount\n" + rows + "\n"), fmt)
    # two purchase days: 31 March, and 2 April with its two rows merged (5 + 7)
    assert log["date"].dt.strftime("%Y-%m-%d").tolist() == ["2021-03-31", "2021-04-02"]
    assert log["amount"].tolist() == [10.0, 12.0]


def test_columns_by_name_and_headerless_files(tmp_path):
    src = _write(tmp_path / "l.txt", " 7 0001 19970101  2   29.33\n 7 0001 19970118  1   9.00\n")
    fmt = LogFormat(client="id", date="day", amount="usd", columns=("m", "id", "day", "n", "usd"))
    log = read_log(src, fmt)
    assert log.attrs["client_ids"].tolist() == ["0001"] and log["amount"].sum() == 38.33
    semi = _write(tmp_path / "s.csv", "Kunde;Datum;Betrag\na;2020-01-01;3\n")
    assert read_log(semi, LogFormat("Kunde", "Datum", "Betrag"))["amount"].item() == 3.0


def test_returns_are_refused_naming_the_row_or_netted(tmp_path):
    text = "client,date,amount\na,2020-01-01,10\na,2020-01-01,-4\nb,2020-01-02,5\nb,2020-01-02,-5\n"
    src = _write(tmp_path / "r.csv", text)
    with pytest.raises(CalibrationError, match=r"'-4' at row 2 is negative"):
        read_log(src)
    log = read_log(src, LogFormat(returns="net"))
    # a's day nets to 6; b's day nets to 0: returned in full, so not a purchase
    assert log["amount"].tolist() == [6.0] and log.attrs["client_ids"][log["client"]].tolist() == [
        "a"
    ]


def _subscription_log(n=200, months=18, seed=3):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        start = pd.Timestamp("2020-01-01") + pd.Timedelta(days=int(rng.integers(0, 28)))
        stay = int(rng.geometric(0.08))
        for k in range(min(stay, months)):
            rows.append((f"s{c}", (start + pd.DateOffset(months=k)).date().isoformat(), 20.0))
    return pd.DataFrame(rows, columns=["client", "date", "amount"])


def test_setting_is_inferred_and_said():
    sub = read_log(_subscription_log())
    s = infer_setting(sub)
    assert s.name == "contractual" and "every month" in s.reason and s.inferred
    rng = np.random.default_rng(1)
    days = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 500, 3000), unit="D")
    retail = pd.DataFrame(
        {
            "client": rng.integers(0, 300, 3000).astype(str),
            "date": days.strftime("%Y-%m-%d"),
            "amount": 9.0,
        }
    )
    s = infer_setting(read_log(retail))
    assert s.name == "non-contractual" and "irregular" in s.reason
    assert infer_setting(read_log(retail), "contractual").reason.startswith("contractual: as given")


def test_survival_counts_or_percentages_with_a_cohort_size(tmp_path):
    pct = _write(tmp_path / "p.csv", "year,percent\n0,100\n1,63.1\n2,46.8\n3,38.2\n")
    with pytest.raises(CalibrationError, match="--cohort-size"):
        read_survival(pct)
    alive, _ = read_survival(pct, cohort_size=1000)
    assert alive.tolist() == pytest.approx([1000, 631, 468, 382])
    hundred = _write(tmp_path / "h.csv", "year,alive\n0,100\n1,63\n2,47\n")
    with pytest.raises(CalibrationError, match="percentages"):
        read_survival(hundred)
    assert read_survival(hundred, cohort_size=100)[0].tolist() == [100, 63, 47]


@pytest.mark.parametrize(
    ("text", "extra", "match"),
    [
        ("client,date,amount\na,31/03/2021,5\n", [], "ambiguous"),
        ("client,date,amount\na,2021-03-31,5\na,2021-02-30,5\n", [], "row 2"),
        ("client,date,amount\na,2021-03-31,5\na,2021-04-01,-5\n", [], "row 2 is negative"),
        ("customer,date,amount\na,2021-03-31,5\n", [], "missing column 'client'"),
        (
            "client,date,amount\na,2021-03-31,5\na,2021-04-30,5\n",
            ["--split", "2030-01-01"],
            "split",
        ),
        ("client,date,amount\na,2021-03-31,5\n", ["--split", "2030-01-01"], "covers one day"),
        ("client,date,amount\na,2021-03-31,5\n", ["--setting", "sometimes"], "setting"),
        # --columns naming fewer or more fields than the file has (pandas warned, then shifted)
        ("1 a 19970101 1 5.0\n2 a 19970102 1 5.0\n", ["--columns", "a,b"], "allowed: 5 names"),
        ('a,"x, y",2021-03-31\n', ["--columns", "client,date,amount,n"], "allowed: 3 names"),
        # a tab-separated file whose first row ends in an empty field has three columns
        ("c1\t20200101\t\nc2\t20200102\t5\n", ["--columns", "client,date"], "allowed: 3 names"),
        # a blank first line: the separator and the width come from the first row of data
        ("\n1 a 19970101 1 5.0\n", ["--columns", "a,b"], "allowed: 5 names"),
    ],
)
def test_cli_bad_logs_one_line_exit_2(tmp_path, capsys, text, extra, match):
    src = _write(tmp_path / "l.csv", text)
    code = main(
        ["calibrate", "--transactions", str(src), *extra, "--out", str(tmp_path / "o.toml")]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert match in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o.toml").exists()


def test_cli_contractual_log_runs_the_sbg(tmp_path, capsys):
    src = tmp_path / "sub.csv"
    _subscription_log(n=400, months=36).to_csv(src, index=False)
    out = tmp_path / "o.toml"
    assert (
        main(["calibrate", "--transactions", str(src), "--period-months", "1", "--out", str(out)])
        == 0
    )
    text = capsys.readouterr().out
    assert "contractual (inferred)" in text and "sbg_α" in text


def test_a_split_a_contractual_log_cannot_use_is_refused_or_warned_of(tmp_path, capsys):
    """``--split`` on a log read as contractual was silently ignored (a user's report; the
    README says an option the source does not read is refused). Asked with ``--setting
    contractual``, it is refused; inferred from the log, the command says it was not used."""
    src = tmp_path / "sub.csv"
    _subscription_log(n=400, months=36).to_csv(src, index=False)
    args = ["calibrate", "--transactions", str(src), "--period-months", "1", "--split",
            "2021-06-30"]  # fmt: skip
    out = tmp_path / "o.toml"
    assert main([*args, "--setting", "contractual", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "split: value '2021-06-30' is not allowed with setting 'contractual'" in err
    assert not out.exists()
    assert main([*args, "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("retention: warning: split: value '2021-06-30' is not used; a "
                          "contractual log is fitted whole")  # fmt: skip
    assert "contractual (inferred)" in err and len(err.strip().splitlines()) == 1
    assert out.exists()


def test_survival_api_refuses_percentages_without_a_cohort_size():
    from model.studies.calibration.fit import calibrate_survival

    pct = [100, 63.1, 46.8, 38.2, 32.6]
    with pytest.raises(CalibrationError, match="cohort size"):
        calibrate_survival(pct)
    small = calibrate_survival(pct, cohort_size=100)
    big = calibrate_survival(pct, cohort_size=10_000)
    # the same curve, but the intervals shrink with the cohort (by about √100 = 10)
    assert small.values["retain.base_churn"] == pytest.approx(
        big.values["retain.base_churn"], rel=1e-3
    )
    w_small = np.diff(small.intervals["retain.base_churn"])[0]
    w_big = np.diff(big.intervals["retain.base_churn"])[0]
    assert 7 < w_small / w_big < 13
    assert small.details["sbg"].params.keys() == {"α", "β"}
