"""``retention calibrate``'s files: a device or pipe is never renamed over (as root, ``--out
/dev/null`` became a regular file), ``--holdout-csv`` is checked before the fit, and a date
format strptime does not know is one line."""

from __future__ import annotations

import os
import stat

import pytest
from conftest import cli

from model.interfaces.cli.errors import CliError
from model.interfaces.cli.inputs import check_out
from model.studies.files import write_atomic


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return path


def test_a_pipe_is_no_output_file(fifo):
    with pytest.raises(CliError, match="is a device, pipe or socket; allowed: a regular file"):
        check_out(fifo, file=True)
    with pytest.raises(FileExistsError):
        write_atomic(fifo, "x")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # left as it was


def _log(tmp_path):
    log = tmp_path / "log.csv"
    rows = [f"c{i % 7},2021-0{1 + i % 9}-1{i % 10},{10 + i}" for i in range(60)]
    log.write_text("client,date,amount\n" + "\n".join(rows) + "\n")
    return log


def test_the_holdout_file_is_checked_before_the_fit(tmp_path, capsys, fifo):
    out = tmp_path / "fitted.toml"
    args = ("calibrate", "--transactions", _log(tmp_path), "--out", out, "--quiet")
    assert cli(*args, "--holdout-csv", fifo) == 2
    assert "--holdout-csv" in capsys.readouterr().err
    assert not out.exists()


def test_an_unknown_date_directive_is_one_line(tmp_path, capsys):
    out = tmp_path / "fitted.toml"
    args = ("calibrate", "--transactions", _log(tmp_path), "--out", out, "--quiet")
    assert cli(*args, "--date-format", "%Q") == 2
    err = capsys.readouterr().err
    assert "--date-format '%Q' is not a date format" in err
    assert "Traceback" not in err


def test_a_one_day_log_says_it_needs_two_days(tmp_path, capsys):
    log = tmp_path / "one_day.csv"
    log.write_text("client,date,amount\n" + "".join(f"c{i},2020-03-01,10\n" for i in range(20)))
    assert cli("calibrate", "--transactions", log, "--out", tmp_path / "f.toml", "--quiet") == 2
    err = capsys.readouterr().err
    assert "the log covers one day (2020-03-01)" in err
    assert "split" not in err  # (it named a --split nobody gave, with an empty range)


def test_survival_options_are_refused_where_they_do_nothing(tmp_path, capsys):
    targets = tmp_path / "t.toml"
    targets.write_text("top20_share = 0.8\n")
    out = tmp_path / "f.toml"
    assert cli("calibrate", "--targets", targets, "--cohort-size", "100", "--out", out) == 2
    assert "--cohort-size: not used with --targets" in capsys.readouterr().err
    assert cli("calibrate", "--transactions", _log(tmp_path), "--fit-years", "3", "--out", out) == 2
    assert "--fit-years: not used with --transactions" in capsys.readouterr().err


def test_a_cohort_of_half_a_client_is_refused_by_name():
    from model.studies.calibration.errors import CalibrationError
    from model.studies.calibration.fit import calibrate_targets

    with pytest.raises(
        CalibrationError, match=r"cohort_size: value 0\.5 is not allowed; allowed: 1 ≤ x"
    ):
        calibrate_targets({"retention_by_tenure": [0.6, 0.7], "cohort_size": 0.5})


def test_calibrate_never_writes_over_its_input_and_asks_before_a_stranger(tmp_path):
    """--out was checked only for being a folder: `--out cohort.csv` replaced the data it fitted
    (exit 0), and a scenario of one's own was replaced without a word."""
    data = tmp_path / "cohort.csv"
    data.write_text("year,alive\n0,1000\n1,631\n2,468\n3,382\n4,326\n")
    before = data.read_text()
    assert cli("calibrate", "--survival", data, "--out", data, "--force", "--quiet") == 2
    assert data.read_text() == before
    out = tmp_path / "fit.toml"
    assert cli("calibrate", "--survival", data, "--out", out, "--quiet") == 0
    first = out.read_text().splitlines()
    assert first[0].startswith("# Calibration (retention calibrate")
    assert first[1] == f"# command: retention calibrate --survival {data} --out {out} --quiet"
    assert cli("calibrate", "--survival", data, "--out", out, "--quiet") == 0  # its own: replaced
    mine = tmp_path / "mine.toml"
    mine.write_text("[levers]\nservice_level = 0.9\n")
    assert cli("calibrate", "--survival", data, "--out", mine, "--quiet") == 2
    assert mine.read_text() == "[levers]\nservice_level = 0.9\n"
    assert cli("calibrate", "--survival", data, "--out", mine, "--quiet", "--force") == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--split", "1997-01-01"],
            "--split: not used with --survival; allowed: with --transactions",
        ),
        (["--holdout-csv", "h.csv"], "--holdout-csv: not used with --survival"),
        (["--dayfirst"], "--dayfirst: not used with --survival"),
        (["--seeds", "3"], "--seeds: not used with --survival; allowed: with --targets only"),
        (["--client-col", "id"], "--client-col: not used with --survival"),
    ],
)
def test_calibrate_refuses_what_its_source_does_not_read(tmp_path, capsys, extra, message):
    """A --holdout-csv promised a file that was never written; the rest were ignored."""
    data = tmp_path / "cohort.csv"
    data.write_text("year,alive\n0,1000\n1,631\n2,468\n3,382\n4,326\n")
    assert cli("calibrate", "--survival", data, *extra, "--out", tmp_path / "f.toml") == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "h.csv").exists()


def test_a_cohort_is_a_whole_number_of_people(tmp_path, capsys):
    """``--cohort-size 100.5`` was taken (a user's report)."""
    table = tmp_path / "pct.csv"
    table.write_text("year,percent\n0,100\n1,63\n2,47\n", encoding="utf-8")
    out = tmp_path / "o.toml"
    assert cli("calibrate", "--survival", table, "--cohort-size", "100.5", "--out", out) == 2
    assert "--cohort-size: value '100.5' is not allowed; allowed: an integer" in (
        capsys.readouterr().err
    )
    assert not out.exists()


def test_an_error_in_a_targets_file_names_the_file(tmp_path, capsys):
    """ "annual_retention: value 1.5 …" did not say which file (a user's report), as errors in a
    scenario file do."""
    targets = tmp_path / "t.toml"
    targets.write_text("annual_retention = 1.5\n", encoding="utf-8")
    assert cli("calibrate", "--targets", targets, "--out", tmp_path / "o.toml") == 2
    err = capsys.readouterr().err
    assert f"targets file {str(targets)!r}: annual_retention: value 1.5 is not allowed" in err


def test_targets_take_the_simulated_evaluations_size_and_window(tmp_path, capsys):
    """An analyst's 500 x 120 base was fitted on 1,000 people over months 13-36, said only in
    the notes, with no option to change it."""
    targets = tmp_path / "t.toml"
    targets.write_text("annual_retention = 0.85\n", encoding="utf-8")
    out = tmp_path / "o.toml"
    sized = ["--clients", "200", "--months", "14", "--burn-in", "2"]
    assert cli("calibrate", "--targets", targets, *sized, "--seeds", "2", "--replicates", "0",
               "--out", out, "--quiet") == 0  # fmt: skip
    assert "Simulated moments: 200 clients, months 3-14" in out.read_text(encoding="utf-8")
    # A window with no month after the burn-in, and the options with another source: refused.
    assert cli("calibrate", "--targets", targets, "--months", "12", "--out", out) == 2
    assert "--burn-in: value 12 is not allowed; allowed: 0 ≤ x < --months (12)" in (
        capsys.readouterr().err
    )
    survival = tmp_path / "s.csv"
    survival.write_text("alive\n1000\n800\n650\n", encoding="utf-8")
    assert cli("calibrate", "--survival", survival, "--clients", "200", "--out", out) == 2
    assert "--clients: not used with --survival; allowed: with --targets only" in (
        capsys.readouterr().err
    )
