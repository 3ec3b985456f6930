"""Edges of replicated runs and of sensitivity: an interval no run count supports reads "n/a"
(in the table, the report and every other page of :mod:`model.interfaces.html_report`), and
bad arguments are refused by name — no count of 0 replications, no metric read letter by
letter, no output folder that is a file."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import cac_of_runs, cli, tiny_sobol_store

import model.interfaces.cli.replications as replications
from model.interfaces.html_report import run_report, summary_rows, yearly_rows
from model.interfaces.study_report import study_report
from model.scenario import Scenario, ScenarioError
from model.studies.sweep.spec import SweepError

TINY = ("--clients", "100", "--months", "3")


# ================================================================ 1. undefined intervals
def test_an_interval_of_one_defined_run_reads_na_and_the_run_completes(
    tmp_path, capsys, monkeypatch
):
    """A headline defined in one of two runs has no interval (JSON null): the report builder
    formatted None and crashed, writing nothing."""
    cac_of_runs(monkeypatch, {0: np.nan, 1: 250.0})  # the first acquired no one, the second did
    out = tmp_path / "rep"
    assert cli("run", *TINY, "--replications", "2", "--no-figures", "--out", out) == 0
    printed = capsys.readouterr().out
    meta = json.loads((out / "summary.json").read_text())
    assert meta["intervals"]["cac"] == [None, None]
    assert meta["defined_runs"]["cac"] == [1, 2]
    line = next(x for x in printed.splitlines() if x.strip().startswith("CAC"))
    assert line.rstrip().endswith("[n/a] (1 of 2 runs)")
    page = (out / "report.html").read_text()
    assert "[n/a] (1 of 2 runs)" in page
    assert "None" not in page and "nan" not in page


@pytest.mark.parametrize("missing", [None, float("nan"), float("inf"), pd.NA])
def test_every_report_entry_point_shows_an_undefined_value_as_na(missing):
    """One helper formats every number: None (JSON null), NaN, inf and pd.NA read "n/a"."""
    summary = {"npv": 1234.0, "cac": missing, "acquired_total": missing}
    rows = dict(summary_rows(summary, {"npv": (missing, 2000.0)}, {"npv": (1, 2)}))
    assert rows["NPV, discounted profit (currency)"] == "1,234 [n/a] (1 of 2 runs)"
    assert rows["CAC, pooled (currency per acquisition)"] == "n/a"
    assert rows["acquired / churned / won back"].startswith("n/a / ")
    # The single-run page, with metadata read back from JSON (nulls), and the study page.
    scenario = Scenario().with_overrides({"market.clients": 100, "run.months": 3})
    ts = pd.DataFrame({"month": [1, 2, 3], "active": [5.0, 6.0, 7.0], "acquired": [1, 1, 1],
                       "churned": [0, 0, 0], "won_back": [0, 0, 0], "revenue": [1.0, 2.0, 3.0],
                       "profit": [1.0, 1.0, 1.0], "npv": [1.0, 2.0, 3.0],
                       "satisfaction": [0.5, 0.5, 0.5], "nps": [missing] * 3})  # fmt: skip
    assert yearly_rows(ts)[0][-1] == "n/a"
    meta = {"intervals": {"npv": [missing, missing]}, "git_commit": None, "replications": 2,
            "seeds": [1, 2]}  # fmt: skip
    page = run_report(scenario, ts, summary, {}, meta)
    assert "1,234 [n/a]" in page and "None" not in page
    frame = pd.DataFrame({"policy": ["a", "b"], "npv": [1.5, 2.5], "note": ["x", missing]})
    page = study_report("t", "lead", {"table": frame}, {}, meta={"git_commit": None})
    assert "None" not in page and "<NA>" not in page and "n/a" in page
    # Headers in words and each table in a box of its own width (a comparison's twelve
    # snake-case columns made a 1,628-px page a projector cut off).
    wide = pd.DataFrame({"reference_mean": [1.0], "difference_pct": [2.0]})
    page = study_report("t", "lead", {"table": wide}, {})
    assert "<th>reference mean</th><th>difference (%)</th>" in page
    assert "<div style='overflow-x:auto'><table>" in page.replace("\n", "")


# ================================================================ 2. replications < 1
@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2", None])
def test_replicated_refuses_a_count_that_is_not_a_whole_number_of_at_least_one(bad):
    scenario = Scenario().with_overrides({"market.clients": 100, "run.months": 3})
    with pytest.raises(ScenarioError, match=r"^replications: value .* allowed: a whole number"):
        replications.replicated(scenario, bad)


# ================================================================ 3-4. sensitivity
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """A finished Sobol sweep, N = 4."""
    folder = tmp_path_factory.mktemp("sobol")
    tiny_sobol_store(folder)
    return folder


def test_one_metric_name_is_one_metric_not_its_letters(store):
    from model.studies.sensitivity import analyze

    table = analyze(store, metrics="npv")
    assert set(table["metric"]) == {"npv"}
    both = analyze(store, metrics=("npv", "profit_total"))  # any sequence of names
    assert list(dict.fromkeys(both["metric"])) == ["npv", "profit_total"]
    with pytest.raises(SweepError, match=r"^metrics: value 5 is not allowed; allowed: a metric"):
        analyze(store, metrics=5)


def _table() -> pd.DataFrame:
    t = pd.DataFrame({"metric": ["npv"], "parameter": ["a"], "method": ["sobol"], "S1": [0.5],
                      "S1_conf": [0.05], "ST": [0.6], "ST_conf": [0.05], "flag": [""]})  # fmt: skip
    t.attrs.update(samples=512, design="sobol")
    return t


def test_sensitivity_write_refuses_a_file_as_its_folder(tmp_path):
    from model.studies.sensitivity import write

    afile = tmp_path / "afile"
    afile.write_text("mine")
    with pytest.raises(SweepError, match=r"^outdir '.*afile': is a file; allowed: a folder$"):
        write(_table(), afile)
    assert afile.read_text() == "mine"  # left as it was
    with pytest.raises(SweepError, match=r"^outdir '.*afile/sub': cannot be written"):
        write(_table(), afile / "sub")
    csv, png = write(_table(), tmp_path / "out")  # a folder still works
    assert csv.is_file() and png.is_file()
    assert math.isclose(pd.read_csv(csv)["S1"].iloc[0], 0.5)


def test_a_mean_count_over_replications_keeps_its_fraction():
    """Half an acquisition a run, on average, is not 0; one run's counts stay whole numbers."""
    summary = {"active_end": 250.5, "acquired_total": 0.5, "churned_total": 3, "won_back_total": 0}
    rows = dict(summary_rows(summary, intervals={}))
    assert rows["active clients at the end"] == "250.5"
    assert rows["acquired / churned / won back"] == "0.5 / 3.0 / 0.0"
    one = dict(summary_rows({**summary, "active_end": 250, "acquired_total": 1}))
    assert one["active clients at the end"] == "250"
    assert one["acquired / churned / won back"] == "1 / 3 / 0"
