"""``retention run --replications R``: a headline some runs leave undefined says on how many runs
its mean rests, and the files listed are the files written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from conftest import cac_of_runs, cli

from model.interfaces.html_report import summary_rows

TINY = ("--clients", "300", "--months", "12")


def test_a_mean_over_the_defined_runs_says_how_many(tmp_path, capsys, monkeypatch):
    cac_of_runs(monkeypatch, {0: np.nan})  # as a run with no acquisition leaves it
    out = tmp_path / "rep"
    assert cli("run", *TINY, "--replications", "3", "--no-figures", "--out", out) == 0
    printed = capsys.readouterr().out
    meta = json.loads((out / "summary.json").read_text())
    runs = np.genfromtxt(out / "runs.csv", delimiter=",", names=True)
    assert meta["defined_runs"]["cac"] == [2, 3]
    # Every headline with an undefined run is listed, with its count, and none other.
    counts = {m: int(np.isfinite(runs[m]).sum()) for m in runs.dtype.names if m != "seed"}
    assert meta["defined_runs"] == {m: [k, 3] for m, k in counts.items() if k < 3}
    assert meta["results"]["cac"] == np.nanmean(runs["cac"])  # the mean of the two
    line = next(x for x in printed.splitlines() if x.strip().startswith("CAC"))
    assert line.rstrip().endswith("(2 of 3 runs)")
    assert "(2 of 3 runs)" in (out / "report.html").read_text()
    # --no-figures: no figure is named among the files written.
    wrote = next(x for x in printed.splitlines() if x.startswith("wrote"))
    assert wrote.endswith("runs.csv, timeseries.csv, columns.csv, summary.json, report.html")
    assert not list(out.glob("*.png"))
    # The table's columns, bands included, each with its unit and what the band is.
    units = pd.read_csv(out / "columns.csv").set_index("column")
    assert list(units.index) == list(pd.read_csv(out / "timeseries.csv").columns)
    assert units.loc["revenue_high", "unit"] == units.loc["revenue", "unit"] == "currency/month"
    assert units.loc["revenue_low", "meaning"].startswith("2.5% quantile over the runs of: ")
    assert units.loc["revenue", "meaning"].startswith("mean over the runs of: ")


def test_the_headline_rows_name_the_runs_a_value_rests_on():
    rows = dict(summary_rows({"cac": 12.0}, {"cac": (10.0, 14.0)}, {"cac": (2, 5)}))
    assert any(v.endswith("[10, 14] (2 of 5 runs)") for v in rows.values()), rows
    assert not any("runs)" in v for v in dict(summary_rows({"cac": 12.0})).values())
