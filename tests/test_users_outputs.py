"""Issue 18, for the people who use it: honest defaults, runs that say what they are, Mesa's
convention, progress, uncertainty and the small things. Each test fails on the code before it."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import cli, tiny_sobol_store
from matplotlib.backends.backend_agg import FigureCanvasAgg

from model import RetentionModel, Scenario
from model.interfaces import progress
from model.interfaces.figures import STANDARD_FIGURES
from model.scenario import ScenarioError
from model.studies.run import simulate, simulate_many

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "model" / "presets" / "baseline.toml"
TINY = ("--clients", "300", "--months", "12")


# ------------------------------------------------------------- 1. honest defaults: sweeps, Sobol
def test_grid_sweeps_pair_their_points_on_common_random_numbers_by_default():
    from model.studies.sweep import parse_spec

    grid = {"parameters": {"levers.service_level": ["low", "wow"]}, "replications": 2}
    assert parse_spec(grid).common_random_numbers is True
    assert parse_spec({**grid, "common_random_numbers": False}).common_random_numbers is False
    sobol = {
        "parameters": {"levers.service_level": [0.3, 0.9], "retain.base_churn": [0.01, 0.05]},
        "design": {"kind": "sobol", "samples": 4},
    }
    assert parse_spec(sobol).common_random_numbers is False


def test_the_example_sweep_varies_levers_that_act(tmp_path):
    """Every varied parameter changes mean NPV at every level of the others (old example: the
    loyalty elasticity did nothing with the discount at 0, yet NPV moved by luck alone)."""
    from model.studies.sweep import load, load_spec, run_sweep

    spec = load_spec(REPO / "model" / "presets" / "sweeps" / "example.toml")
    assert spec.common_random_numbers
    spec = dataclasses.replace(spec, clients=400, months=12, replications=1, series=())
    run_sweep(spec, tmp_path / "s", progress=False)
    frame = load(tmp_path / "s")
    for key in spec.keys:
        others = [k for k in spec.keys if k != key]
        spread = frame.groupby(others)["npv"].agg(lambda v: v.max() - v.min())
        assert (spread > 0).all(), key


def _sobol_table(s1: float, conf: float, samples: int) -> pd.DataFrame:
    from model.studies.sensitivity import _flag

    t = pd.DataFrame(
        {"metric": ["npv"], "parameter": ["levers.service_level"], "method": ["sobol"],
         "S1": [s1], "S1_conf": [conf], "ST": [min(s1 * 1.1, 1.0)], "ST_conf": [conf]}
    )  # fmt: skip
    t["flag"] = [_flag(r) for r in t.to_dict("records")]
    t.attrs.update(samples=samples, design="sobol")
    return t


def test_sensitivity_warns_on_a_small_sample_and_flags_indices_above_one():
    from model.studies.sensitivity import caveats

    small = caveats(_sobol_table(1.12, 0.6, 16))
    assert small[0].startswith("sample too small: sobol N = 16")
    assert any("S1 ±0.60" in line for line in small)  # (within its width of [0, 1]: too wide)
    assert caveats(_sobol_table(0.55, 0.03, 1024)) == []
    # Outside [0, 1] by more than the width, on either side alike.
    for s1 in (1.12, -0.3):
        t = _sobol_table(s1, 0.05, 1024)
        assert t["flag"].iloc[0].startswith(f"S1={s1:.2f} outside [0, 1]")
    assert "outside" not in _sobol_table(-0.3, 0.6, 1024)["flag"].iloc[0]


def test_sensitivity_command_prints_the_warnings(tmp_path, capsys):

    tiny_sobol_store(tmp_path / "s")
    assert cli("sensitivity", tmp_path / "s", "--metric", "npv", "--quiet") == 0
    err = capsys.readouterr().err
    assert "sample too small: sobol N = 4, below 512" in err
    # Its points ran on seeds of their own: the noise counted as effect is said (an inert
    # parameter's total index read 0.24 at N = 512, unflagged).
    assert "seeds of its own (common_random_numbers = false)" in err
    table = pd.read_csv(tmp_path / "s" / "sensitivity" / "sensitivity.csv")
    assert "flag" in table and "S1_conf" in table


def test_sensitivity_keeps_the_earlier_metrics_of_the_same_store(tmp_path, capsys):
    """A second analysis of one more metric replaced the first's indices (an analyst's npv
    rows were gone, said by nothing but "wrote ..."); the same store's earlier metrics are
    kept, and the default set names the metrics it leaves out."""
    tiny_sobol_store(tmp_path / "s")
    out = tmp_path / "s" / "sensitivity"
    assert cli("sensitivity", tmp_path / "s", "--metric", "npv", "--quiet") == 0
    assert cli("sensitivity", tmp_path / "s", "--metric", "revenue_total") == 0
    printed = capsys.readouterr().out
    assert "kept the earlier indices of npv (this store's; --metric replaces)" in printed
    table = pd.read_csv(out / "sensitivity.csv")
    assert list(dict.fromkeys(table["metric"])) == ["npv", "revenue_total"]
    record = json.loads((out / "sensitivity.json").read_text())
    assert record["inputs"]["metrics"] == ["npv", "revenue_total"]
    # Runs of other code (a store run again with --fresh after an upgrade): nothing kept.
    manifest_path = tmp_path / "s" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    real = manifest["code"]["source_hash"]
    manifest["code"]["source_hash"] = "f" * len(real)
    manifest_path.write_text(json.dumps(manifest))
    assert cli("sensitivity", tmp_path / "s", "--metric", "revenue_total") == 0
    assert "kept the earlier" not in capsys.readouterr().out
    manifest["code"]["source_hash"] = real
    manifest_path.write_text(json.dumps(manifest))
    assert cli("sensitivity", tmp_path / "s", "--metric", "npv", "--quiet") == 0  # (replaced)
    assert list(dict.fromkeys(pd.read_csv(out / "sensitivity.csv")["metric"])) == ["npv"]
    capsys.readouterr()
    assert cli("sensitivity", tmp_path / "s", "--quiet") == 0  # (every metric that can be)
    err = capsys.readouterr().err.splitlines()
    assert len(err) <= 3, err  # (one line an index: 90 of them under --quiet)
    assert err[-1].startswith("retention: warning: and ") and "without --quiet" in err[-1]
    from model.studies.sensitivity import analyze, caveats

    lines = caveats(analyze(tmp_path / "s"))
    left = next(line for line in lines if line.startswith("left out"))
    assert "the same value in every run" in left


# --------------------------------------------------------------- 2. runs that say what they are
def test_run_names_its_overrides_and_gets_its_own_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli("run", BASELINE, *TINY, "--set", "levers.service_level=wow", "--no-figures") == 0
    printed = capsys.readouterr().out
    assert printed.startswith("baseline + service_level=wow, clients=300, months=12:")
    folder = tmp_path / "out" / "baseline--service_level=wow,clients=300,months=12"
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<h1>baseline + service_level=wow, clients=300, months=12</h1>" in page
    assert "overridden: service_level=wow" in page


def test_replications_get_a_default_folder_of_their_own(tmp_path, monkeypatch, capsys):
    """``run`` then ``run --replications 3`` without ``--out``: two folders, side by side (the
    second was refused: the single run's folder "holds the results of a different run")."""
    monkeypatch.chdir(tmp_path)
    assert cli("run", BASELINE, *TINY, "--quiet", "--no-figures") == 0
    assert cli("run", BASELINE, *TINY, "--replications", "2", "--quiet", "--no-figures") == 0
    single = tmp_path / "out" / "baseline--clients=300,months=12"
    many = tmp_path / "out" / "baseline--clients=300,months=12,replications=2"
    assert json.loads((single / "summary.json").read_text())["seed"] == 1
    assert json.loads((many / "summary.json").read_text())["replications"] == 2


def test_a_folder_of_other_results_needs_force(tmp_path, capsys):
    out = tmp_path / "res"
    assert cli("run", BASELINE, *TINY, "--out", out, "--quiet", "--no-figures") == 0
    first = (out / "summary.json").read_bytes()
    assert cli("run", BASELINE, *TINY, "--seed", "2", "--out", out, "--quiet") == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "summary.json").read_bytes() == first  # untouched
    # The same run again reproduces the same numbers: no --force needed.
    assert cli("run", BASELINE, *TINY, "--out", out, "--quiet", "--no-figures") == 0
    assert cli("run", BASELINE, *TINY, "--seed", "2", "--out", out, "--quiet", "--force") == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == 2
    # Replications of the same scenario are other results than its single run (they replaced
    # it silently: only the scenario was compared).
    capsys.readouterr()
    second = (out / "summary.json").read_bytes()
    many = ("--seed", "2", "--replications", "2", "--out", out, "--quiet", "--no-figures")
    assert cli("run", BASELINE, *TINY, *many) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "summary.json").read_bytes() == second
    assert cli("run", BASELINE, *TINY, *many, "--force") == 0
    assert cli("run", BASELINE, *TINY, *many) == 0  # the same replications again


def test_replications_report_intervals_and_draw_bands(tmp_path, capsys):
    out = tmp_path / "rep"
    assert cli("run", BASELINE, *TINY, "--replications", "3", "--out", out) == 0
    printed = capsys.readouterr().out
    assert "3 runs (seeds 1-3), means [95% interval]" in printed
    assert re.search(
        r"NPS at the end \(points\)\s+[+-]\d+\.\d \[[+-]\d+\.\d, [+-]\d+\.\d\]", printed
    )
    meta = json.loads((out / "summary.json").read_text())
    assert meta["seeds"] == [1, 2, 3] and meta["replications"] == 3
    runs = pd.read_csv(out / "runs.csv")
    low, high = meta["intervals"]["npv"]
    assert runs["npv"].mean() == pytest.approx(meta["results"]["npv"])
    assert low < meta["results"]["npv"] < high
    ts = pd.read_csv(out / "timeseries.csv")
    assert (ts["npv_low"] <= ts["npv"]).all() and (ts["npv"] <= ts["npv_high"]).all()
    assert (ts["npv_high"] > ts["npv_low"]).any()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "mean [95% interval]" in page
    assert page.count("data:image/png") == len(STANDARD_FIGURES)
    assert cli("run", BASELINE, *TINY, "--replications", "0", "--out", tmp_path / "x") == 2


# -------------------------------------------------------------------- 4. Mesa's convention
def test_batch_run_varies_levers_by_name_with_fresh_seeds():
    rows = mesa.batch_run(
        RetentionModel,
        {"service_level": [0.35, 0.9], "clients": [300], "months": [6]},
        rng=[None, None],  # = iterations=2 (deprecated in Mesa 3.5): no seed given
        max_steps=6,
        data_collection_period=-1,
        display_progress=False,
    )
    frame = pd.DataFrame(rows)
    assert len(frame) == 4 and set(frame["service_level"]) == {0.35, 0.9}
    low = frame[frame["service_level"] == 0.35]
    assert low["npv"].nunique() == 2, "no seed given: each iteration is a fresh run"
    # batch_run hands back the collector's columns, not the model: the fresh seed is one of
    # them, so a row's run can be repeated (it was lost).
    row = low.iloc[1]
    again = RetentionModel(service_level=0.35, clients=300, months=6, rng=int(row["seed"])).run()
    assert again.timeseries()["npv"].iloc[-1] == row["npv"]


def test_keywords_set_parameters_and_a_fresh_seed_is_recorded():
    m = RetentionModel(service_level=0.9, clients=300, months=3, rng=None)
    assert m.params.levers.service_level == 0.9 and m.params.market.clients == 300
    assert m.params.run.seed == m.seed  # the fresh seed is recorded ...
    again = RetentionModel(service_level=0.9, clients=300, months=3, rng=m.seed)
    assert again.run().timeseries().equals(m.run().timeseries())  # ... and reproduces the run
    s = Scenario().with_overrides({"market.clients": 300, "run.months": 3, "run.seed": 4})
    assert RetentionModel(s).seed == 4  # a scenario, no rng: its own seed, as always
    with pytest.raises(ScenarioError, match="did you mean 'service_level'"):
        RetentionModel(servce_level=0.5)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("baseline", "Scenario.preset('baseline')"),
        (Path("mine.toml"), "Scenario.from_toml('mine.toml')"),
        ({"levers": {"service_level": 0.9}}, "Scenario.build(sections)"),
        (42, "Scenario()"),
    ],
)
def test_a_scenario_that_is_not_one_says_how_to_make_one(value, hint):
    """A preset's name, a path or a dict where a Scenario goes: one ScenarioError naming the
    value and the call that makes a Scenario of it (was: AttributeError from inside the model)."""
    for make in (RetentionModel, simulate, lambda v: simulate_many([Scenario(), v])):
        with pytest.raises(ScenarioError) as err:
            make(value)
        assert "is not allowed; allowed: a Scenario" in str(err.value) and hint in str(err.value)


def test_scenario_itself_raises_the_declared_wording():
    """``Scenario(...)`` with bad values raises ScenarioError (field, value, allowed), as files
    and overrides do, not pydantic's ValidationError."""
    with pytest.raises(
        ScenarioError, match=r"levers.service_level: value 3 is not allowed; allowed: 0 ≤ x ≤ 1"
    ):
        Scenario(levers={"service_level": 3})
    with pytest.raises(ScenarioError, match="foo: unknown parameter"):
        Scenario(foo=1)
    assert Scenario(levers={"service_level": 0.9}).levers.service_level == 0.9
    # A check of the whole scenario: its message once, after where it came from.
    bad = {"satisfaction": {"detractor_threshold": 0.9, "promoter_threshold": 0.1}}
    expected = "satisfaction.detractor_threshold must not exceed satisfaction.promoter_threshold"
    with pytest.raises(ScenarioError) as err:
        Scenario(**bad)
    assert str(err.value) == f"Scenario: {expected} (0.9 > 0.1)"
    with pytest.raises(ScenarioError) as err:
        Scenario.build(bad, origin="f.toml")
    assert str(err.value) == f"f.toml: {expected} (0.9 > 0.1)"


def test_datacollector_frame_is_the_documented_result():
    m = RetentionModel(clients=300, months=4, seed=2).run()
    frame = m.datacollector.get_model_vars_dataframe()
    assert len(frame) == 4 and np.allclose(frame["npv"], m.timeseries()["npv"])
    assert "datacollector" in (RetentionModel.__doc__ or "")


# ------------------------------------------------------------------------------ 5. progress
def test_progress_is_quiet_in_pipes_and_ci(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    monkeypatch.delenv("CI", raising=False)
    assert progress.watched()
    monkeypatch.setenv("CI", "true")
    assert not progress.watched()


def test_run_shows_its_bar_before_the_market_is_built(monkeypatch, tmp_path, capsys):
    """The bar is drawn first (no delay), so a large market's build is never silent."""
    seen: list[str] = []
    real = RetentionModel.__init__

    def spy(self, *a, **k):
        seen.append(capsys.readouterr().err)  # what the terminal shows while the market builds
        real(self, *a, **k)

    monkeypatch.setattr(progress, "watched", lambda enabled=True: enabled)
    monkeypatch.setattr(RetentionModel, "__init__", spy)
    assert cli("run", BASELINE, *TINY, "--out", tmp_path / "o", "--no-figures") == 0
    assert "building the market" in seen[0]


def test_compare_counts_its_runs_on_a_bar(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(progress, "watched", lambda enabled=True: enabled)
    a, b = (
        REPO / "model/presets/policies/no_cut.toml",
        REPO / "model/presets/policies/service_cut.toml",
    )
    assert cli("compare", a, b, *TINY, "--replications", "2", "--out", tmp_path / "c") == 0
    err = capsys.readouterr().err
    assert re.search(r"compare runs: 100%.*4/4", err), err[-500:]
    page = (tmp_path / "c" / "report.html").read_text(encoding="utf-8")
    assert "compare: no_cut vs service_cut" in page and "data:image/png" in page


# ------------------------------------------------------------------------ 7. small things
def test_active_means_the_same_in_the_timeseries_and_the_clients_frame():
    m = RetentionModel(clients=500, months=24, seed=3).run()
    frame = m.clients_frame()
    assert (frame["stage"] == "loyal").sum() > 0  # the case where the two used to disagree
    assert frame["active"].sum() == m.timeseries()["active"].iloc[-1]
    from model.engine.metrics import METRICS

    assert "LOYAL" in METRICS["active"][1] and "clients_frame" in METRICS["active"][1]


def test_figures_count_years_separate_thousands_and_mark_events():
    from model.interfaces.figures import money, stage_flow
    from model.studies.run import simulate

    s = Scenario.from_toml(REPO / "model/presets/policies/service_cut.toml").with_overrides(
        {"market.clients": 3000, "run.months": 36, "levers.rd_share": 0.1}
    )
    s = s.model_copy(update={"shocks": Scenario.from_toml(
        REPO / "model/presets/policies/bad_service_spell.toml").shocks})  # fmt: skip
    ts = simulate(s).timeseries
    fig = money(ts, scenario=s)
    FigureCanvasAgg(fig).draw()
    axes = fig.axes
    assert axes[-1].get_xlabel() == "year"
    assert max(axes[-1].get_xlim()) < 4  # 36 months = 3 years
    # A run of a year is ticked in whole months: its year axis read 0.15, 0.30, 0.45…
    short = money(ts.iloc[:12], scenario=s)
    FigureCanvasAgg(short).draw()
    axis = short.axes[-1]
    lo, hi = axis.get_xlim()
    shown = [t.get_text() for t in axis.get_xticklabels() if lo <= t.get_position()[0] <= hi]
    assert axis.get_xlabel() == "month" and shown, shown
    assert all(t.isdigit() and int(t) <= round(hi * 12) for t in shown), shown
    # The switch: 24 months in whole months, at most eight ticks; 25 in years.
    for months, label in ((24, "month"), (25, "year")):
        fig = money(ts.iloc[:months], scenario=s.with_overrides({"run.months": 36}))
        FigureCanvasAgg(fig).draw()
        axis = fig.axes[-1]
        ticks = [t for t in axis.get_xticks() if 0 <= t <= months / 12]
        assert axis.get_xlabel() == label and 2 <= len(ticks) <= 8, (months, ticks)
    ticks = [t.get_text() for t in axes[0].get_yticklabels() if t.get_text()]
    assert any("," in t for t in ticks), ticks  # 45,000, not 45000
    texts = " ".join(t.get_text() for t in axes[0].texts)
    assert "service_level=0.35" in texts and "bad_service" in texts
    assert len(axes[0].patches) >= 1  # the shock's span
    # The cut and the spell both start in month 12: drawn at one x, the start of that month
    # (the cut's line stood half a month to the right of the spell's span).
    cut = [line for line in axes[0].lines if line.get_linestyle() == "--"]
    starts = sorted(float(line.get_xdata()[0]) for line in cut)
    assert starts[0] == axes[0].patches[0].get_x() == 11 / 12
    shipped = (ts["shipped_good"] + ts["shipped_bad"]).iloc[-1]
    launches = [line for line in axes[0].lines if line.get_label() == "product launch"]
    assert (len(launches) == 1) == (shipped > 0)
    assert axes[0].get_ylim()[0] == 0.0  # revenue and cost from zero, not a cut axis
    # Replicated runs' bands: no launches read off their mean series.
    banded = money(ts, scenario=s, band=(ts, ts))
    assert not [line for line in banded.axes[0].lines if line.get_label() == "product launch"]
    flows = stage_flow(ts, scenario=s).axes[1]
    # The flows' legend sits above its panel, not over its highest months.
    assert flows.get_legend().get_bbox_to_anchor().y0 >= flows.bbox.y1 - 1


def test_report_year_table_says_means_and_rounds():
    from model.interfaces.html_report import run_report

    m = RetentionModel(clients=300, months=24, seed=1).run()
    page = run_report(m.params, m.timeseries(), m.summary(), figures={})
    assert "satisfaction, mean of the months (0-1)" in page and "yearly means" in page
    year_table = page[page.index("<h2>Year by year</h2>") :]
    assert not re.search(r"\d\.\d{4,}", year_table), "no 0.853071: three decimals at most"


def test_compare_forest_plot_labels_fit_in_the_figure():
    from model.studies.compare import compare

    base = Scenario().with_overrides({"market.clients": 300, "run.months": 6})
    long = base.model_copy(update={"name": "a rather long policy name to test the label"})
    fig = compare([long, base.with_overrides({"levers.ad_budget": 500})], replications=2).figure()
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    width = fig.bbox.width
    for ax in fig.axes:
        box = ax.xaxis.label.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= width, ax.xaxis.label.get_text()


def test_params_lines_fit_the_terminal(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "100")
    assert cli("params") == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= 100


def test_did_you_mean_for_a_mistyped_parameter_or_level():
    with pytest.raises(ScenarioError, match=r"did you mean 'levers\.service_level'\?"):
        Scenario().with_overrides({"levers.servce_level": 0.5})
    with pytest.raises(ScenarioError, match=r"did you mean 'levers\.rd_share'\?"):
        Scenario().with_overrides({"innovation.rd_share": 0.1})
    with pytest.raises(ScenarioError, match=r"did you mean 'wow'\?"):
        Scenario().with_overrides({"levers.service_level": "wwo"})


@pytest.mark.parametrize("where", ["override", "file", "schedule"])
def test_a_word_that_is_no_service_level_is_told_the_levels(where, tmp_path):
    """Any word, not only a near miss, is told the named levels: 'great' or 'WOW' said only
    "allowed: 0 ≤ x ≤ 1", in the overrides, a scenario file and a schedule alike."""
    for word, mean in (("great", ""), ("WOW", "; did you mean 'wow'?")):
        with pytest.raises(ScenarioError) as err:
            if where == "override":
                Scenario().with_overrides({"levers.service_level": word})
            elif where == "file":
                path = tmp_path / "s.toml"
                path.write_text(f'[levers]\nservice_level = "{word}"\n', encoding="utf-8")
                Scenario.from_toml(path)
            else:
                Scenario.build({"schedule": [{"month": 2, "set": {"service_level": word}}]})
        assert str(err.value).endswith(f"or a level: low, standard, wow{mean}")


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        # --budget 0 passed the first check ("0 ≤ x") and failed a later one ("> 0")
        (["--budget", "0"], "allowed: a finite number, 0 < x"),
        # --criterion worst without --robust was accepted and ignored
        (["--criterion", "worst"], "--criterion worst: goes with --robust"),
    ],
)
def test_optimize_refuses_what_it_cannot_do_at_once(argv, said, tmp_path, capsys):
    assert cli("optimize", "no_cut", *argv, "--out", str(tmp_path / "o")) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_odd_python_inputs_get_one_clear_error():
    """Found by a read-through: a key that is not a string raised AttributeError from inside
    with_overrides, and a seed that is not a whole number a ValueError from int()."""
    with pytest.raises(ScenarioError, match="override key 5 is not allowed; allowed: a string"):
        Scenario().with_overrides({5: 1})
    with pytest.raises(ScenarioError, match="overrides: value of type list is not allowed"):
        Scenario().with_overrides([("levers.service_level", 0.5)])
    row = pd.Series({"levers.service_level": 0.7})  # a design's row: anything with .items()
    assert Scenario().with_overrides(row).levers.service_level == 0.7
    for bad in ("x", 3.5, True):
        with pytest.raises(ScenarioError, match=r"rng: value .* is not allowed; allowed: a whole"):
            RetentionModel(Scenario(), rng=bad)
    assert (
        RetentionModel(Scenario().with_overrides({"market.clients": 50}), rng=np.int64(4)).seed == 4
    )
    with pytest.raises(ScenarioError) as err:
        Scenario().with_overrides({"run.seed": -1})
    assert str(err.value).endswith("allowed: an integer, 0 ≤ x ≤ 18446744073709551615")  # no "(-)"


def test_a_step_or_shock_after_the_horizon_is_said(tmp_path, capsys):
    """A schedule step or shock that starts after the run ends changes nothing; it was silent
    (a horizon cut with --months, or a typo such as month = 500)."""
    path = tmp_path / "late.toml"
    path.write_text(
        "[[schedule]]\nmonth = 500\nset = { service_level = 'low' }\n"
        "[[shocks]]\nkind = 'price_war'\nstart = 3\nsize = 0.5\n"
        "[[shocks]]\nkind = 'poaching'\nstart = 13\nsize = 0.1\n",
        encoding="utf-8",
    )
    assert cli("run", path, *TINY, "--out", tmp_path / "o", "--no-figures") == 0
    err = capsys.readouterr().err
    assert "schedule step at month 500 is after the run's 12 months: it changes nothing" in err
    assert "poaching shock at month 13 is after the run's 12 months" in err
    assert "price_war shock at month 3" not in err  # (within the 12 months)


def test_values_outside_the_plausible_ranges_are_listed():
    """A value a claim study never draws (allowed, perhaps the firm's own, perhaps another unit
    than the one meant: 0.25 typed into a monthly churn) is named with its unit and range; the
    range's ends and every alternative of a categorical uncertainty are inside."""
    assert Scenario().outside_plausible() == []
    ends = {
        "retain.base_churn": 0.005,
        "satisfaction.adjustment_rate": 0.6,
    }  # (0.005–0.05, 0.1–0.6)
    assert Scenario().with_overrides(ends).outside_plausible() == []
    assert Scenario().with_overrides({"word_of_mouth.network": "random"}).outside_plausible() == []
    lines = (
        Scenario()
        .with_overrides(
            {"retain.base_churn": 0.25, "word_of_mouth.network": "full", "levers.ad_budget": 1e6}
        )
        .outside_plausible()
    )
    assert lines == [
        "retain.base_churn = 0.25 (1/month) lies outside the plausible range a claim study "
        "draws, 0.005 – 0.05",
        "word_of_mouth.network = 'full' (kind) lies outside the plausible range a claim study "
        "draws, small_world | scale_free | random",
    ]  # (a lever has no plausible range: the firm chooses it)


def test_run_notes_values_outside_the_plausible_ranges(tmp_path, capsys):
    """``retention run`` says, before it runs, which values no claim study's world has, and
    what measures a claim there; ``--quiet`` drops the notes."""
    argv = ("run", BASELINE, *TINY, "--set", "retain.base_churn=0.25", "--no-figures")
    assert cli(*argv, "--out", tmp_path / "o") == 0
    err = capsys.readouterr().err
    assert "retention: note: retain.base_churn = 0.25 (1/month) lies outside" in err
    assert "--world SCENARIO` with the same values (--set; --clients N as --set" in err
    assert cli(*argv, "--out", tmp_path / "q", "--quiet") == 0
    assert "note:" not in capsys.readouterr().err
    assert cli("run", BASELINE, *TINY, "--out", tmp_path / "b", "--no-figures") == 0
    assert "plausible" not in capsys.readouterr().err


def test_a_sample_larger_than_the_market_is_said(tmp_path, capsys):
    """``--track`` above the market's size follows everyone; it was silent."""
    assert (
        cli("run", BASELINE, *TINY, "--track", "1000", "--out", tmp_path / "o", "--no-figures") == 0
    )
    err = capsys.readouterr().err
    assert "run.track_clients 1,000 is more than the market's 300 clients: all are followed" in err
    assert (
        cli("run", BASELINE, *TINY, "--track", "300", "--out", tmp_path / "p", "--no-figures") == 0
    )
    assert "track_clients" not in capsys.readouterr().err


def test_a_long_default_folder_keeps_its_replications(tmp_path, monkeypatch):
    """A default folder's name is cut to 120 characters; the replications' suffix comes after
    the cut, so it cannot be cut off (and collide with the single run's folder again)."""
    monkeypatch.chdir(tmp_path)
    many = [f"--set=levers.{k}={v}" for k, v in
            (("ad_budget", 1234.5), ("winback_spend", 2345.5), ("training_spend", 345.25),
             ("empowerment_budget", 456.75), ("loyalty_discount", 0.0125))]  # fmt: skip
    assert cli("run", BASELINE, *TINY, *many, "--quiet", "--no-figures") == 0
    assert cli("run", BASELINE, *TINY, *many, "--replications", "2", "--quiet", "--no-figures") == 0
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(names) == 2 and len(names[0]) == 120, names
    assert names[1] == names[0] + ",replications=2"
    # What the cut drops is in the digest that ends the name: another seed, another folder (it
    # was the same folder, and refused as another run's).
    assert cli("run", BASELINE, *TINY, *many, "--seed", "7", "--quiet", "--no-figures") == 0
    assert len(list((tmp_path / "out").iterdir())) == 3


def test_two_different_seeds_are_refused():
    """``rng=3, seed=4`` ran with 3 and dropped 4 silently; the same value twice is one seed."""
    with pytest.raises(ScenarioError, match="rng: value 3 is not allowed with seed 4"):
        RetentionModel(clients=100, months=1, rng=3, seed=4)
    assert RetentionModel(clients=100, months=1, rng=3, seed=3).seed == 3
    # batch_run passes rng=None and may name the seed in full: it is the run's, not a fresh one.
    assert RetentionModel(clients=100, months=1, rng=None, **{"run.seed": 4}).seed == 4
