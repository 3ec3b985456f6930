"""Issue 18, Build 7 (and Why 2, 7): the HTML reports of optimize and sweep say what was run
(scenario and overrides, base and its changes), show the headline results with their intervals,
and nothing in them or in the study figures is mislabelled; a flat difference (two identical
policies) is not ticked ±0.04 as if it were a result."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest
from conftest import cli
from matplotlib.backends.backend_agg import FigureCanvasAgg

from model import RetentionModel, Scenario
from model.engine.numerics import numerics_class
from model.scenario import PARAMS

REPO = Path(__file__).resolve().parents[1]
TINY = ("--clients", "300", "--months", "12")


def _tables(page: str) -> str:
    """The page without its embedded images (their base64 would match any digit pattern)."""
    return re.sub(r'src="data:image/png;base64,[^"]+"', 'src=""', page)


def _numbers(labels: list[str]) -> list[float]:
    return [float(t.replace("−", "-").replace(",", "")) for t in labels if t]


def _ticks(ax, axis: str = "y") -> list[str]:
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    return [t.get_text() for t in labels]


def _no_meaningless_ticks(labels: list[str]) -> bool:
    """No tick like ±0.04 or 1e-17 on an axis whose data are flat (0 or ≥ 0.25 only)."""
    return all(v == 0 or abs(v) >= 0.25 for v in _numbers(labels))


# --------------------------------------------------------------------------------- optimize
def test_optimize_report_names_its_overrides_and_shows_the_gain(tmp_path, capsys):
    out = tmp_path / "opt"
    args = ("optimize", "baseline", *TINY, "--replications", 2, "--grid", 2)
    levers = ("--levers", "ad_budget,winback_spend", "--set", "levers.service_level=wow")
    assert cli(*args, *levers, "--out", out) == 0
    title = "optimize: baseline + service_level=wow, clients=300, months=12"
    assert capsys.readouterr().out.startswith(title + "\n")
    page = _tables((out / "report.html").read_text(encoding="utf-8"))
    assert f"<h1>{title}</h1>" in page and f"<title>{title} — Retention Lab</title>" in page
    meta = json.loads((out / "split.json").read_text(encoding="utf-8"))
    g = meta["gain"]
    # The headline: the gain on fresh seeds with its interval, as the terminal prints it.
    result = page[page.index("<h2>result</h2>") : page.index("<h2>money really spent")]
    assert f"NPV gain of the best split over the own, {len(g['seeds'])} fresh seeds" in result
    for v in (g["low"], g["high"]):
        assert f'<td class="num">{v:,.0f}</td>' in result
    # Spent against planned per lever (the README says the report prints it).
    assert "<th>own spent</th>" in page and "<th>best planned</th>" in page
    assert "across ad_budget, winback_spend;" in page  # the levers, not a raw option string
    cells = re.findall(r'<td class="num">(-?\d+\.\d+)</td>', page)
    assert cells and all(len(c.lstrip("-").replace(".", "").lstrip("0")) <= 4 for c in cells), cells
    assert "<h2>Reproduce</h2>" in page and "levers.service_level=wow" in page
    assert f'<td class="txt">{numerics_class()}</td>' in page  # whose last bits (docs/ODD.md §8)
    assert page.count('src=""') == 1  # its figure


def test_optimize_figure_separates_thousands_and_compare_counts_years():
    from model.studies.compare import compare
    from model.studies.optimize import optimize

    base = Scenario().with_overrides({"market.clients": 300, "run.months": 24})
    split = optimize(base, levers=["ad_budget", "winback_spend"], replications=1, grid=2,
                     max_evaluations=6)  # fmt: skip
    fig = split.figure()
    FigureCanvasAgg(fig).draw()
    npv = fig.axes[1]
    assert max(abs(v) for v in _numbers(_ticks(npv))) >= 1000
    assert all("," in t for t in _ticks(npv) if abs(float(t.replace(",", "").replace("−", "-")))
               >= 1000)  # fmt: skip

    other = base.with_overrides({"levers.ad_budget": 3000})
    fig = compare([base, other.model_copy(update={"name": "more ads"})], replications=2).figure()
    FigureCanvasAgg(fig).draw()
    left = fig.axes[0]
    # 24 months drawn as 2 years, ticked in whole months (a short run's years read 0.15, 0.30…)
    assert left.get_xlabel() == "month" and max(left.get_xlim()) < 3
    lo, hi = left.get_xlim()
    shown = [t.get_text() for t in left.get_xticklabels() if lo <= t.get_position()[0] <= hi]
    assert shown and all(t.isdigit() and int(t) <= 24 for t in shown), shown
    assert any("," in t for t in _ticks(left)), _ticks(left)


def test_a_policy_compared_with_itself_is_not_ticked_as_a_result():
    """Identical policies differ by exactly 0: the figure must not tick ±0.04 (or ±1e-17)."""
    from model.studies.compare import compare

    base = Scenario().with_overrides({"market.clients": 300, "run.months": 6})
    fig = compare([base, base.model_copy(update={"name": "same"})], replications=2).figure()
    FigureCanvasAgg(fig).draw()
    left, *right = fig.axes  # the forest plots: in % of the means, then the NPS in points
    assert len(right) == 2
    assert _no_meaningless_ticks(_ticks(left)), _ticks(left)
    for ax in right:
        assert _no_meaningless_ticks(_ticks(ax, "x")), _ticks(ax, "x")


def test_compare_title_names_the_overrides(tmp_path, capsys):
    a, b = (REPO / f"model/presets/policies/{n}.toml" for n in ("no_cut", "service_cut"))
    assert cli("compare", a, b, *TINY, "--replications", 2, "--out", tmp_path / "c") == 0
    title = "compare: no_cut vs service_cut (each + clients=300, months=12)"
    assert capsys.readouterr().out.startswith(title + "\n")
    page = (tmp_path / "c" / "report.html").read_text(encoding="utf-8")
    assert f"<h1>{title}</h1>" in page


# ------------------------------------------------------------------------------------ sweep
@pytest.fixture
def swept(tmp_path):
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'name = "tiny"\ndescription = "Service level on a richer ad budget."\n'
        "seed = 5\nmonths = 6\nclients = 300\nreplications = 2\n"
        '[base]\nscenario = "baseline"\nset = { "levers.ad_budget" = 500.0 }\n'
        '[design]\nkind = "grid"\n'
        '[parameters]\n"levers.service_level" = ["low", "wow"]\n',
        encoding="utf-8",
    )
    store = tmp_path / "store"
    assert cli("sweep", spec, "--out", store, "--quiet") == 0
    return store


def test_sweep_report_says_what_was_swept_and_shows_intervals(swept):
    from model.studies.stats import mean_interval
    from model.studies.sweep import load

    page = _tables((swept / "report.html").read_text(encoding="utf-8"))
    assert "<h1>sweep: tiny</h1>" in page
    lead = re.search(r'<p class="lead">(.*?)</p>', page).group(1)
    assert lead.startswith("Service level on a richer ad budget. Base: baseline + ad_budget=500;")
    assert "2 design points × 2 replicates, 300 people × 6 months, common random numbers" in lead
    assert ".:" not in lead
    # Each point's mean NPV with its interval, as the store's runs give it.
    frame = load(swept)
    for _point, runs in frame.groupby("point"):
        iv = mean_interval(runs["npv"].to_numpy(dtype=float))
        assert f"{iv.mean:,.0f} [{iv.low:,.0f}, {iv.high:,.0f}]" in page
    assert "<th>npv, mean [95% interval]</th>" in page
    assert "2 replicates per point" in page  # read with care
    assert "clipped to its metric" in page  # (as the table's intervals are)
    assert "<h2>Reproduce</h2>" in page and "retention sweep" in page
    assert page.count('src=""') == 1  # the NPV-by-point figure
    # A command that resumed a finished store says it ran nothing (it showed its 0.09 s as if
    # they were the sweep's).
    assert ">tasks_run_now</td><td" in page and ">tasks_already_done</td><td" in page
    assert cli("sweep", swept.parent / "spec.toml", "--out", swept, "--quiet") == 0
    again = (swept / "report.html").read_text(encoding="utf-8")
    assert re.search(r">tasks_run_now</td><td[^>]*>0<", again)
    assert re.search(r">tasks_already_done</td><td[^>]*>[1-9]", again)


def test_a_sweep_report_refuses_another_stores_spec_and_says_the_schedule(swept, tmp_path):
    """write_sweep_report(store, spec) with another spec described runs the store does not hold
    (its size, replications, seeds); a swept lever the base's schedule sets again was said on
    the terminal and nowhere in the report."""
    from model.interfaces.sweep_report import MOST_SHOWN, write_sweep_report
    from model.studies.sweep import SweepError, parse_spec, run_sweep, stored_spec

    other = parse_spec(
        {"parameters": {"levers.service_level": [0.4, 0.8]}, "clients": 100, "months": 2}
    )
    with pytest.raises(SweepError, match="is not this store's"):
        write_sweep_report(swept, other)
    write_sweep_report(swept, stored_spec(swept))  # (its own: written)
    spec = parse_spec(
        {"base": {"scenario": "service_cut"}, "parameters": {"levers.service_level": [0.4, 0.8]},
         "clients": 100, "months": 24, "replications": 1}
    )  # fmt: skip
    store = tmp_path / "cut"
    with pytest.warns(UserWarning, match="holds only until month 12"):  # (the terminal's)
        run_sweep(spec, store, progress=False)
    page = write_sweep_report(store, spec).read_text(encoding="utf-8")
    assert "levers.service_level holds only until month 12" in page
    # A lever the spec's [base] set gives (not swept) is said too, as the sweep warns of it.
    based = parse_spec(
        {"base": {"scenario": "service_cut", "set": {"levers.service_level": 0.5}},
         "parameters": {"levers.ad_budget": [100.0, 300.0]}, "clients": 100, "months": 24,
         "replications": 1}
    )  # fmt: skip
    with pytest.warns(UserWarning, match="holds only until month 12"):
        run_sweep(based, tmp_path / "based", progress=False)
    page_based = write_sweep_report(tmp_path / "based", based).read_text(encoding="utf-8")
    assert "levers.service_level holds only until month 12" in page_based
    assert "1 replicate per point: no interval" in page and "t intervals" not in page
    assert MOST_SHOWN >= 2 and "of 2 design points" not in page
    # A sampled design of more points than the page can show (2,048 made an 11 MB page).
    many = parse_spec(
        {"parameters": {"levers.service_level": [0.4, 0.8]}, "clients": 20, "months": 1,
         "replications": 1, "design": {"kind": "lhs", "samples": MOST_SHOWN + 5}}
    )  # fmt: skip
    run_sweep(many, tmp_path / "many", progress=False)
    page = write_sweep_report(tmp_path / "many", many).read_text(encoding="utf-8")
    assert f"first {MOST_SHOWN} of {MOST_SHOWN + 5} design points" in page
    table = page.split("<h2>design points</h2>")[-1].split("</table>")[0]
    assert table.count("<tr>") == MOST_SHOWN + 1  # (its header and the points shown)


@pytest.mark.slow
def test_the_readme_says_what_the_example_sweep_shows(tmp_path):
    """Why 1 / Build 1: the README's table and paired effects are what the example sweep gives
    (27 runs of 2,000 people × 36 months, ~10 s): a changed model or spec fails here, not silently."""
    from model.studies.stats import mean_interval
    from model.studies.sweep import load, load_spec, run_sweep

    spec = load_spec(REPO / "model" / "presets" / "sweeps" / "example.toml")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    text = readme[readme.index("**What the example shows.**") : readme.index("## Benchmarks")]
    text = " ".join(text.split())  # a reflowed paragraph says the same
    size = f"({spec.clients:,} people × {spec.months} months, {spec.replications} replications)"
    assert size in text and spec.common_random_numbers
    run_sweep(spec, tmp_path / "s", progress=False)
    frame = load(tmp_path / "s")
    means = frame.groupby(["levers.service_level", "levers.loyalty_discount"])["npv"].mean()
    rows = re.findall(r"\| [a-z ]+ \(([\d.]+)\) \| ([\d,]+) \| ([\d,]+) \|", text)
    assert len(rows) == 3, rows
    for level, none, ten in rows:
        for discount, shown in ((0.0, none), (0.1, ten)):
            assert f"{means[(float(level), discount)]:,.0f}" == shown, (level, discount)

    def paired(discount: float, column: str, scale: float = 1.0):
        at = frame[frame["levers.service_level"] == 0.6].pivot(
            index="replicate", columns="levers.loyalty_discount", values=column
        )
        return mean_interval(scale * (at[discount] - at[0.0]).to_numpy())

    npv5, ret5 = paired(0.05, "npv"), paired(0.05, "retention_annual_mean", 100.0)
    assert (
        f"a 5% discount costs NPV −{-npv5.mean:,.0f} [95% −{-npv5.low:,.0f}, "
        f"−{-npv5.high:,.0f}] and buys +{ret5.mean:.2f} points of annual retention "
        f"[{ret5.low:.2f}, {ret5.high:.2f}]" in text
    )
    npv10 = paired(0.10, "npv")
    assert f"10% costs −{-npv10.mean:,.0f} [−{-npv10.low:,.0f}," in text


def test_a_reports_schedule_and_shocks_are_tables_with_units():
    """They were the scenario file's JSON, in the order given, sizes without units."""
    from model.interfaces.html_report import run_report

    s = Scenario.build(
        {
            "run": {"months": 24},
            "schedule": [
                {"month": 18, "set": {"service_level": 0.6}},
                {"month": 6, "set": {"ad_budget": 100}},
            ],
            "shocks": [
                {"kind": "price_war", "start": 3, "months": 2, "size": 0.5},
                {"kind": "poaching", "start": 5, "size": 0.1, "permanent": True},
                {"kind": "poaching", "start": 7, "size": 0.1},
            ],
        }
    )
    ts = RetentionModel(s.with_overrides({"market.clients": 200})).run().timeseries()
    page = run_report(s, ts, {}, {})
    assert '"month"' not in page and "&quot;month" not in page
    schedule = page.split("<h3>Schedule</h3>")[1].split("</table>")[0]
    assert schedule.index(">6<") < schedule.index(">18<")  # by month, not as given
    assert PARAMS["levers.ad_budget"].unit in schedule
    shocks = page.split("<h3>Shocks</h3>")[1].split("</table>")[0]
    assert "the cost of reaching prospects times 1 + this" in shocks
    assert shocks.count("taken each month (0-1)") == 2
    assert shocks.count("they never return") == 1  # (the permanent raid's alone)


def test_the_source_beside_a_changed_value_is_said_to_be_the_defaults():
    """A software firm's cogs_share 0.25 stood beside "assumption: 40% gross margin", under a
    column called "source": it is the declared default's source, and the header says so."""
    from model.interfaces.html_report import run_report

    s = Scenario().with_overrides({"economics.cogs_share": 0.25, "market.clients": 200})
    ts = RetentionModel(s.with_overrides({"run.months": 2})).run().timeseries()
    sets = run_report(s, ts, {}, {}).split("<h2>What this scenario sets</h2>")[1]
    table = sets.split("</table>")[0]
    assert "source of the default" in table and PARAMS["economics.cogs_share"].source in table


def test_the_nps_is_compared_in_points_not_in_percent_of_a_mean_near_zero():
    """An NPS mean near 0 made a 2-point move "+1,000%" on the forest plot (a user's report):
    the NPS has no percentage in the table and is drawn in points on a panel of its own."""
    from model.studies.compare import compare

    base = Scenario().with_overrides({"market.clients": 300, "run.months": 6})
    c = compare([base, base.with_overrides({"levers.service_level": "wow"}).named("wow")],
                replications=2)  # fmt: skip
    table = c.table.set_index("outcome")
    assert math.isnan(table.loc["nps_end", "difference_pct"])
    assert math.isfinite(table.loc["npv", "difference_pct"])
    fig = c.figure()
    FigureCanvasAgg(fig).draw()
    points = fig.axes[2]
    assert "points" in points.get_xlabel()
    assert [t.get_text() for t in points.get_yticklabels()] == ["wow: nps_end"]
    lo, hi = points.get_xlim()
    assert lo <= table.loc["nps_end", "difference"] <= hi
    assert all("nps" not in t.get_text() for t in fig.axes[1].get_yticklabels())
