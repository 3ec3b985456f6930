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
