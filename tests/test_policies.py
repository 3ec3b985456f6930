"""Paired policy comparison and the budget-split optimiser."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import small_scenario
from scipy import stats

from model.interfaces.cli import main
from model.scenario import Scenario, ScenarioError
from model.studies.compare import compare, paired_interval
from model.studies.optimize import exchange_rates, optimize
from model.studies.stats import few_runs_note

CUT = [
    {"month": 6, "set": {"service_level": "low"}},
    {"month": 12, "set": {"service_level": "standard"}},
]


def _named(base: Scenario, name: str, **extra: object) -> Scenario:
    return Scenario.build({**base.model_dump(), "name": name, **extra})


def test_paired_interval_is_mean_plus_minus_t_sd_over_root_r() -> None:
    mean, low, high = paired_interval([1.0, 2.0, 6.0])
    half = stats.t.ppf(0.975, 2) * np.std([1.0, 2.0, 6.0], ddof=1) / math.sqrt(3)
    assert (mean, low, high) == pytest.approx((3.0, 3.0 - half, 3.0 + half))
    assert paired_interval([0.0, 0.0, 0.0]) == (0.0, 0.0, 0.0)
    assert math.isnan(paired_interval([5.0])[1])  # one replication: no interval


def test_a_scenario_compared_with_itself_differs_by_exactly_zero() -> None:
    s = small_scenario()
    c = compare([s, s], replications=3)
    assert c.names == ["baseline", "baseline#2"]
    cols = ["difference", "low", "high"]
    assert (c.table[cols].to_numpy() == 0.0).all()  # exactly: common random numbers
    assert c.notes == [few_runs_note(3, "the paired differences'")]  # (3 seeds: t's 4.3)


def test_compare_pairs_seeds_and_flags_unequal_spend() -> None:
    base = small_scenario()
    cut = _named(base, "cut", schedule=CUT)
    c = compare([base, cut], replications=3, seed=5)
    assert c.seeds == [5, 6, 7]
    assert list(c.runs["seed"]) == [5, 6, 7, 5, 6, 7]
    # Paired: the NPV paths agree to the bit until the cut starts (month 6), then part.
    ref, pol = c.paths["baseline"], c.paths["cut"]
    assert np.array_equal(ref[:, :5], pol[:, :5])
    assert not np.array_equal(ref[:, 5:], pol[:, 5:])
    row = c.table.set_index("outcome").loc["spend_total"]
    assert row["difference"] < 0  # low service is cheaper ...
    assert any("cut" in n and "spends" in n for n in c.notes)  # ... and the note says so
    assert set(c.table["outcome"]) >= {"npv", "profit_total", "active_end", "nps_end", "cac"}


def test_compare_refuses_bad_input() -> None:
    s = small_scenario()
    with pytest.raises(ScenarioError, match="at least two"):
        compare([s], replications=2)
    with pytest.raises(ScenarioError, match="replications"):
        compare([s, s], replications=0)
    with pytest.raises(ScenarioError, match="horizons"):
        compare([s, s.with_overrides({"run.months": 12})], replications=1)


def test_exchange_rates_convert_money_to_lever_units() -> None:
    s = small_scenario({"run.months": 6})
    rates = exchange_rates(s, ["ad_budget", "service_level", "training_spend"], [1])
    assert rates["ad_budget"].rate == s.market.clients / 1000  # exact: per 1,000 market members
    svc = rates["service_level"]
    assert svc.value(svc.money(0.7)) == pytest.approx(0.7)  # money = rate x level^2
    assert svc.value(10 * svc.max_money) == 1.0  # capped at the lever's maximum
    # Staff employed ~ clients served / capacity: a few for a 2,000-person market.
    assert 1 <= rates["training_spend"].rate <= s.market.clients / s.staff.capacity


def test_every_spend_lever_is_declared_once_and_read_where_a_run_shows_it() -> None:
    """Each optimiser entry names a declared lever, a stock the exchange run records and a
    column of the run's series: a new spend lever misnamed in any of them fails here."""
    from model.engine.retention_model import RetentionModel
    from model.scenario import PARAMS
    from model.studies.optimize.exchange import _stocks
    from model.studies.optimize.levers import LEDGER_LINE, SPEND_LEVERS

    s = small_scenario({"run.months": 2})
    stocks = _stocks(s, 1)
    columns = set(RetentionModel(s).run().timeseries().columns)
    for name, lever in SPEND_LEVERS.items():
        assert PARAMS[f"levers.{name}"].role == "lever"
        assert lever.stock in stocks, name
        assert lever.ledger_line in columns, name
        assert LEDGER_LINE[name] == lever.ledger_line
    assert set(exchange_rates(s, list(SPEND_LEVERS), [1])) == set(SPEND_LEVERS)


def test_optimiser_gives_a_useless_lever_nothing() -> None:
    # The loyalty discount does nothing when loyalty_elasticity = 0: every unit of money put into
    # it is revenue given away. Service buys quality, so the best split puts all money there.
    s = small_scenario(
        {
            "retain.loyalty_elasticity": 0.0,
            "levers.loyalty_discount": 0.05,
            "run.months": 24,
        }
    )
    r = optimize(
        s, levers=["service_level", "loyalty_discount"], replications=2, max_evaluations=15
    )
    share = dict(zip(r.levers, r.best_shares, strict=True))
    assert r.own_shares[1] > 0.2  # the scenario's own split wastes a real share ...
    assert share["loyalty_discount"] <= 0.02  # ... the optimiser essentially none
    assert r.npv_best > r.npv_own
    assert r.gain["mean"] > 0  # on fresh seeds too
    assert set(r.gain["seeds"]).isdisjoint(range(s.run.seed, s.run.seed + 2))  # fresh seeds
    assert r.best_shares.sum() == pytest.approx(1.0)


def test_optimiser_refuses_bad_levers_and_budgets() -> None:
    s = small_scenario({"run.months": 3})
    with pytest.raises(ScenarioError, match="levers"):
        optimize(s, levers=["ad_budget", "salary"], replications=1)
    with pytest.raises(ScenarioError, match="budget"):
        optimize(s, budget=-5, levers=["ad_budget", "training_spend"], replications=1)
    with pytest.raises(ScenarioError, match="budget"):  # more than the levers can absorb
        optimize(s, budget=1e12, levers=["service_level", "rd_share"], replications=1)
    scheduled = Scenario.build({**s.model_dump(), "schedule": CUT})
    with pytest.raises(ScenarioError, match="schedule"):
        optimize(scheduled, levers=["service_level", "ad_budget"], replications=1)


def test_cli_compare_writes_table_and_figure(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text('name = "a"\n')
    b.write_text('name = "b"\n[levers]\nservice_level = "wow"\n')
    out = tmp_path / "out"
    args = ["compare", str(a), str(b), "--clients", "300", "--months", "6", "--replications", "2"]
    assert main([*args, "--out", str(out)]) == 0
    assert "b - a" in capsys.readouterr().out
    assert {p.name for p in out.iterdir()} >= {"comparison.csv", "comparison.png", "runs.csv"}
    assert main([*args, "--out", str(out)]) == 0  # its own output folder may be replaced
    assert main([*args[:3], "--set", "levers.service_level=2"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "levers.service_level" in err


def test_a_policy_named_as_another_is_labelled_by_what_it_changes() -> None:
    """``Scenario.preset("baseline").with_overrides(...)`` keeps the preset's name: compare
    labelled it ``baseline#2`` (a user's report); it names the change, as ``retention run
    --set`` does, and numbers only a true repeat."""
    s = small_scenario()
    wow = s.with_overrides({"levers.service_level": "wow", "levers.ad_budget": 500.0})
    c = compare([s, wow, s], replications=1)
    assert c.names == ["baseline", "baseline + service_level=0.9, ad_budget=500", "baseline#2"]
    assert set(c.table["policy"]) == set(c.names[1:])


def test_results_print_in_one_line_and_show_their_report_in_a_notebook() -> None:
    """``print(compare(...))`` and ``print(optimize(...))`` dumped every field, DataFrames and
    all (a user's report); they print one line, and a notebook shows the readable report."""
    import html

    from model.studies.optimize import optimize

    s = small_scenario()
    c = compare([s, s.with_overrides({"levers.service_level": "wow"}).named("wow")],
                replications=2)  # fmt: skip
    assert "\n" not in repr(c) and len(repr(c)) < 200
    assert repr(c).startswith("Comparison(against 'baseline', 2 replications; NPV difference wow ")
    assert html.escape(c.format_table()) in c._repr_html_()
    split = optimize(s, levers=["ad_budget", "winback_spend"], replications=1, grid=2,
                     max_evaluations=6)  # fmt: skip
    assert "\n" not in repr(split) and len(repr(split)) < 200
    assert f"{len(split.evaluations)} splits evaluated" in repr(split)
    assert html.escape(split.format()) in split._repr_html_()


@pytest.mark.parametrize("runs", [2, 3, 4])
def test_few_runs_are_told_why_their_intervals_are_wide(runs: int) -> None:
    """A strategist read `run --replications 2`'s intervals (t(1) = 12.7) as the model's noise."""
    note = few_runs_note(runs)
    t = stats.t.ppf(0.975, runs - 1)
    assert f"the mean ± {t:.1f} s / √{runs}" in note
    assert f": ± {t / math.sqrt(runs):.1f} s, wide" in note
    assert f"(10 replications: ± {stats.t.ppf(0.975, 9) / math.sqrt(10):.2f} s)" in note


@pytest.mark.parametrize("runs", [0, 1, 5, 30])
def test_one_run_or_five_or_more_have_no_few_runs_note(runs: int) -> None:
    assert few_runs_note(runs) is None  # (one run has no interval at all; five: t is 2.8)
