"""A claim in one world a user describes (`retention experiment NAME --world SCENARIO`)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import tiny_world

from experiments.analysis.in_your_world import in_your_world
from experiments.claims import acquisition_cost, client_centric, pareto, satisfied_employee
from experiments.running.sizes import SIZES
from experiments.running.study import defaults_seed, defaults_values
from experiments.verdicts.framework import Claim, defaults_status
from model import Scenario
from model.interfaces.cli.main import main

QUICK = SIZES["quick"]


def _quick(**overrides) -> Scenario:
    return Scenario().with_overrides({**QUICK.settings(), **overrides})


def test_the_declared_defaults_give_a_studys_at_the_defaults_numbers(tmp_path):
    """The study's "at the defaults" column is this answer for the declared defaults: the same
    seeds, the same runs, and the same judgement wherever two replications or more measure a
    reading (a study falls back on its worlds' typical noise below that; one world has none)."""
    seed = 3
    study = defaults_values(acquisition_cost, QUICK, seed, tmp_path)
    answer = in_your_world(acquisition_cost, _quick(), replications=QUICK.defaults, seed=seed)
    judged = 0
    for reading in acquisition_cost.CLAIM.readings:
        ours = answer.values[reading.name].to_numpy(float)
        theirs = study.sort_values("rep")[reading.name].to_numpy(float)
        np.testing.assert_array_equal(ours, theirs)
        row = answer.readings.set_index("reading").loc[reading.name]
        if np.isfinite(theirs).sum() >= 2:
            expected = defaults_status(theirs, reading.band, fallback_sd=1e9)  # (not used)
            assert row["effect"] == expected.effect
            assert row["margin"] == expected.margin
            assert row["status"].startswith(expected.status)
            judged += 1
    assert judged >= 2


def test_a_world_differs_from_the_defaults_where_its_values_do():
    """Your own values are measured, not the declared defaults': a world where clients spend
    alike (a small spend spread) has another profit concentration."""
    base = in_your_world(pareto, _quick(), replications=2)
    flat = in_your_world(pareto, _quick(**{"market.spend_sigma": 0.1}), replications=2)
    assert not base.values["profit_1y"].equals(flat.values["profit_1y"])
    assert flat.scenario.market.spend_sigma == 0.1


def test_a_reading_the_runs_length_cannot_judge_says_why():
    answer = in_your_world(satisfied_employee, _quick(), replications=2)
    row = answer.readings.set_index("reading").loc["revenue_link"]
    assert row["status"].startswith("not judged: the reading needs runs of at least 48 months")
    # ... and how to get a verdict (the README's lost_client example ran 120 months of a
    # five-year figure and judged nothing, without saying what would)
    assert row["status"].endswith("; --set run.months=48 runs it long enough")


def test_one_measured_replication_is_not_judged():
    """An interval needs two values: one finite replication of two is not placed in or out of
    the band (a study borrows its worlds' noise there; one world has none to borrow)."""
    answer = in_your_world(pareto, _quick(), replications=2, seed=1)
    one = answer.values.loc[:, [r.name for r in pareto.CLAIM.readings]].notna().sum() == 1
    assert one.any(), "pick a seed where some reading is measured in one replication of two"
    for name in one[one].index:
        row = answer.readings.set_index("reading").loc[name]
        assert row["status"].startswith("not judged: 1 of 2 replications measured a finite")
        assert f"{name}" in answer.format() and "1 of 2 replications measured it" in answer.format()


@pytest.mark.parametrize("months", [12, 14, 23])
def test_facts_a_short_run_cannot_measure_are_said_so_not_called_outside(months):
    """A 14-month run read the facts on two months: a referral share of 0, OUTSIDE, and a
    retention rise of two overlapping years (a reviewer's run)."""
    answer = in_your_world(pareto, _quick(**{"run.months": months}), replications=2)
    text = answer.format()
    assert f"Not measured in this {months}-month run" in text
    assert "annual_retention" in text.split(f"Not measured in this {months}-month run")[1]
    assert "  annual_retention " not in text  # (not listed among the measured facts)
    # Every fact needs more than the first year: none is measured, none called outside (a
    # referral share of 0 over no months after the first year was).
    assert answer.facts["value"].isna().all() and "OUTSIDE" not in text
    assert "stylised facts, beside" not in text


def test_facts_outside_a_studys_ranges_are_named():
    answer = in_your_world(pareto, _quick(**{"economics.cogs_share": 0.05}), replications=2)
    facts = answer.facts.set_index("fact")
    assert not facts.loc["operating_margin", "inside"]  # (a 95% gross margin)
    text = answer.format()
    assert "stylised facts, beside the range a study keeps a world in (outside one" in text
    # Each measured fact with its value, its range, whether outside it, and what it means.
    for f in answer.facts.itertuples():
        line = next(x for x in text.splitlines() if x.startswith(f"  {f.fact} "))
        assert line.endswith(f": {f.text}")
        assert ("OUTSIDE" in line) == (not f.inside)
    assert "(kept -0.1 to 0.45) OUTSIDE: operating margin after year 1" in text
    # (and the value behind it, which no world of a study draws)
    assert (
        "Values no world of a study has (this answer speaks for them):\n  economics.cogs_share = "
        "0.05 (share of revenue) lies outside the plausible range a claim study draws, 0.3 – 0.8"
        "\nNote: with 2 replications behind a 95% interval, it is the mean ± 12.7 s / √2"
    ) in text
    assert text.endswith("(10 replications: ± 0.72 s).")  # (the last line: few replications)


@pytest.mark.parametrize(
    ("keywords", "message"),
    [
        ({"replications": 1}, r"replications: value 1 is not allowed"),
        (
            {"scenario": "baseline"},
            r"scenario: value 'baseline' is not allowed; allowed: a Scenario",
        ),
        ({"claim": "nosuch"}, r"claim: value 'nosuch' is not allowed; allowed: one of"),
        ({"claim": np}, r"claim: value <module 'numpy'.* is not allowed; allowed: a claim module"),
        (  # (its repr was cut mid-word in the message)
            {"claim": Claim("mine", "t", pareto.CLAIM.readings, "d")},
            r"claim: value Claim 'mine' is not allowed; allowed: .*a shipped claim's CLAIM",
        ),
    ],
)
def test_bad_arguments_are_refused_by_name(keywords, message):
    arguments = {"claim": "pareto", "scenario": _quick(), **keywords}
    with pytest.raises(ValueError, match=message):
        in_your_world(**arguments)


def test_the_command_prints_the_answer(tmp_path, capsys):
    world = tmp_path / "mine.toml"
    world.write_text('name = "mine"\n[market]\nclients = 300\n[run]\nmonths = 24\n')
    argv = ["experiment", "pareto", "--world", str(world), "--replications", "2", "--quiet"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    first, second = (defaults_seed(1, rep) for rep in range(2))
    assert (
        "in mine: 300 people (30% clients at the start, the rest prospects), 24 months, 2 "
        f"replications (run seeds {first}, {second}, drawn from --seed 1)"
    ) in out
    for reading in pareto.CLAIM.readings:
        assert f"  {reading.name}" in out


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--pin", "retain.base_churn=0.01"], "--pin given"),
        (["--out", "somewhere"], "--out given"),
        (["--fresh"], "--fresh given"),
        (["--size", "default"], "--size given"),  # (the size is the scenario's)
        (["--workers", "2"], "--workers given"),  # (it runs in this process)
    ],
)
def test_a_studys_options_beside_world_are_refused(extra, said, capsys):
    assert main(["experiment", "pareto", "--world", "baseline", *extra]) == 2
    assert f"experiment --world: {said}; allowed: one claim's name" in capsys.readouterr().err


def test_world_without_a_claim_is_refused(capsys):
    assert main(["experiment", "--world", "baseline"]) == 2
    assert "experiment --world: no claim named" in capsys.readouterr().err


def test_replications_without_world_is_refused(capsys):
    assert main(["experiment", "pareto", "--replications", "4", "--size", "quick"]) == 2
    assert "experiment --replications: goes with --world SCENARIO" in capsys.readouterr().err


def test_the_replications_run_together_give_each_solo_runs_numbers():
    """``worlds_answers`` steps every replication of every scenario together; each row is what
    its baseline and arms give run alone, and the progress hook hears each replication once."""
    from experiments.analysis.in_your_world import worlds_answers
    from experiments.running.baseline import baseline_run
    from experiments.running.study import defaults_seed

    worlds = [_quick(), _quick(**{"retain.base_churn": 0.03})]
    heard = []
    answers = worlds_answers(acquisition_cost, worlds, 2, 1, on_done=heard.append)
    assert heard == [1] * 4
    for world, answer in zip(worlds, answers, strict=True):
        for rep in range(2):
            seed = defaults_seed(1, rep)
            base = baseline_run(world.with_overrides({"run.seed": seed}))
            alone = acquisition_cost.measure(base, seed)
            row = answer.values.iloc[rep]
            assert row["seed"] == seed
            for name, value in alone.items():
                assert row[name] == value or (np.isnan(row[name]) and np.isnan(value))


def test_a_key_the_claims_arms_set_is_said_when_the_world_sets_it(capsys):
    argv = tiny_world("service_levels")
    assert main([*argv, "--set", "levers.service_level=wow", "--quiet"]) == 0
    out = capsys.readouterr().out
    # The baseline runs at the world's wow, so the study's "wow against standard" becomes wow
    # against wow here (a reviewer's run read "wow keeps no clients"): listed among the levers
    # no study world has, and said, before the readings, to be one the arms set themselves.
    warning = "Warning, this world sets what the claim's arms set themselves: "
    assert warning + "levers.service_level = 0.9. Its baseline arm runs at that value" in out
    assert out.index(warning) < out.index("  wow_pays ")
    assert "  levers.service_level = 0.9 (a study's: 0.6)" in out
    # wow against wow is the same run: exactly 0, which a band >= 0 would call "in band" (a
    # strategist's run did), is not a test of the claim.
    (wow_pays,) = [line for line in out.splitlines() if line.startswith("  wow_pays  ")]
    assert wow_pays.endswith(
        "not judged: exactly 0 in every replication, the arms' change makes no difference to "
        "it in this world (a mechanism it needs switched off, or a lever already at an arm's "
        "value): this world does not test it"
    )
    assert "in band" not in wow_pays
    # A world of another horizon than a study's is said to be, before the readings.
    assert out.index("Warning, this world runs 24 months, a study's worlds 60:") < out.index(
        "  wow_pays  "
    )
    # A study's own keys (its size) are neither.
    assert "run.months = 24" not in out and "market.clients = 200" not in out
    assert main([*argv, "--set", "run.seed=9", "--quiet"]) == 2
    assert "--set run.seed=9: not allowed with --world" in capsys.readouterr().err


def test_an_undefined_reading_says_why():
    """A firm that made no profit has no top fifth's share of it: "undefined" alone left a
    strategist to read the code to learn why."""
    loss = _quick(**{"economics.cogs_share": 0.9})
    status = in_your_world(pareto, loss, replications=2).readings.set_index("reading")["status"]
    assert status["profit_all"] == (
        "undefined: no replication measured it (a percentage of a profit the baseline did not "
        "make, or a link whose cause did not move)"
    )


def test_the_few_replications_note_counts_the_values_behind_each_interval():
    """A reading two of five replications measured has an interval over two (a reviewer's
    point): the note counts the finite values behind the intervals, not the replications run."""
    import dataclasses

    answer = in_your_world(pareto, _quick(), replications=5)
    names = [r.name for r in pareto.CLAIM.readings]
    counts = np.isfinite(answer.values[names].to_numpy(float)).sum(axis=0)
    fewest = min(n for n in counts if n >= 2)
    text = answer.format()
    if fewest < 5:
        assert f"Note: with {fewest} replications behind a 95% interval, it is the mean ±" in text
    else:
        assert "behind a 95% interval, it is the mean ±" not in text
    # Every reading measured in all five: t(4) = 2.8, the spread speaks, no note.
    values = answer.values.copy()
    values[names] = np.arange(5.0)[:, None] + np.arange(len(names))
    assert dataclasses.replace(answer, values=values).few_runs() == []
    values.loc[values.index[:2], names[0]] = np.nan  # (three behind the first reading's)
    fewer = dataclasses.replace(answer, values=values)
    assert fewer.few_runs()[0].startswith("Note: with 3 replications behind a 95% interval")
    assert fewer.few_runs("x", counts=[2, 1])[0].startswith("Note: with 2 replications")
    values.loc[values.index[:4], names[0]] = np.nan  # (one: no interval, so no count)
    assert dataclasses.replace(answer, values=values).few_runs() == []


def test_an_interval_holding_the_whole_band_says_so():
    """A strategist read `31.82 [-108.4, 172] (band 25 to 85 % gain): near an edge, in band`
    (two replications) as the claim holding. The status stays the report's (*near an edge*,
    which `--world` at the defaults reproduces), with why no side is told."""
    from experiments.claims import retention_profit

    answer = in_your_world(retention_profit, _quick(), replications=2)
    said = "(its interval holds the whole band: 2 replications tell no side; more narrow it)"
    for r in answer.readings.itertuples():
        holds_band = r.effect - r.margin <= r.low and r.effect + r.margin >= r.high
        if r.status.startswith("near an edge") and np.isfinite([r.low, r.high]).all():
            assert r.status.endswith(said) == holds_band, r
        else:
            assert said not in r.status
    assert answer.readings["status"].str.endswith(said).any()  # (else not tested)


def test_a_run_too_short_for_annual_retention_says_so():
    """Annual retention is read after the first year: a 12-month world was told its reading
    was "undefined: a percentage of a profit the baseline did not make, or a link…"."""
    answer = in_your_world("service_levels", _quick(**{"run.months": 12}), replications=2)
    row = answer.readings.set_index("reading").loc["wow_retention"]
    assert row["status"] == (
        "not judged: the reading needs runs of at least 13 months and this world's runs are 12; "
        "--set run.months=13 runs it long enough"
    )


def test_a_studys_own_horizon_is_not_called_an_arms_key():
    """retention_profit's lifetime arms set run.months themselves, but every other reading reads
    the world's horizon: `--set run.months=36` was told its comparison ignored it."""
    from experiments.analysis.world_differs import arms_own
    from experiments.claims import retention_profit

    assert "run.months" in retention_profit.CLAIM.arm_keys
    assert arms_own(retention_profit.CLAIM, Scenario().with_overrides({"run.months": 36})) == []


def test_costs_outside_a_studys_ranges_are_said_to_be_amounts_where_spend_differs():
    """A strategist's service cost and onboarding, inside the study's ranges as shares of spend,
    read as errors beside a real one."""
    from experiments.analysis.world_differs import spend_caveat

    richer = Scenario().with_overrides({"market.spend_mean": 1200.0})
    keys = ["service.cost_per_client", "retain.base_churn", "attract.onboarding_cost"]
    assert spend_caveat(richer, keys) == [
        "  (a study's clients spend 100 a month on average, this world's 1200: "
        "service.cost_per_client, attract.onboarding_cost are compared with its ranges as "
        "amounts, not in proportion to spend)"
    ]
    assert spend_caveat(Scenario(), keys) == []  # (the study's own spend)
    assert spend_caveat(richer, ["retain.base_churn"]) == []  # (no amount of money)


def test_the_few_runs_note_names_the_reading_it_counts_when_counts_differ():
    """A reading 3 of 4 replications measured and one all 4 did shared one note "with 3
    replications", as if every interval stood on 3."""
    answer = in_your_world(pareto, _quick(), replications=4)
    names = [r.name for r in pareto.CLAIM.readings]
    answer.values[names] = answer.values[names].fillna(1.0)  # (every replication measured all)
    (note,) = answer.few_runs()
    assert "with 4 replications" in note and "the fewest" not in note
    first = names[0]
    answer.values.loc[0, first] = np.nan  # (one replication measured nothing)
    (note,) = answer.few_runs()
    assert "with 3 replications" in note
    assert note.endswith(f"(the fewest: {first}; the other readings have more).")


def test_the_few_runs_note_says_a_pair_count_is_the_fewest():
    """--vary's intervals stand on the pairs finite at both values: a note "with 2
    replications" under a header of 4 read as a contradiction."""
    answer = in_your_world(pareto, _quick(), replications=4)
    names = [r.name for r in pareto.CLAIM.readings]
    answer.values[names] = answer.values[names].fillna(1.0)
    (note,) = answer.few_runs(counts=[4, 2])
    assert "with 2 replications" in note
    assert note.endswith("(the fewest behind one interval here, of 4 replications).")


def test_a_reading_of_exactly_zero_is_judged_unless_the_arms_may_have_run_alike():
    """A 0 a band holds ("in band" for a comparison of a world with itself) or a 0 in a world
    that sets a key the arms set is not judged; a 0 outside the band, in a world that leaves the
    arms' keys alone, is judged as a study judges it (a reviewer's 50-client world whose
    empowerment kept no one was told "not judged")."""
    from experiments.analysis.in_your_world import _judged
    from experiments.claims import service_levels
    from model.studies.worlds import FACTS

    facts = [{f.name: float("nan") for f in FACTS}] * 3
    rows = [{"wow_retention": 0.0, "wow_pays": 0.0, "low_loses": 2.0 + r} for r in range(3)]
    rows[2]["wow_pays"] = float("nan")  # (0 in every replication that measured it)
    plain = _judged(service_levels, _quick(), 1, rows, facts).readings.set_index("reading")
    assert plain.loc["wow_retention", "status"] == "below"  # (band >= 1: a 0 is below it)
    assert plain.loc["wow_pays", "status"].startswith("not judged: exactly 0 in every")
    assert not plain.loc["low_loses", "status"].startswith("not judged")
    wow = _quick(**{"levers.service_level": 0.9})
    at_wow = _judged(service_levels, wow, 1, rows, facts).readings.set_index("reading")
    assert at_wow.loc["wow_retention", "status"].startswith("not judged: exactly 0 in every")


def test_the_answer_says_what_the_report_says_of_its_readings():
    """A strategist's --world answer dropped what each report says: which reading is a
    diagnostic, what the claim was tested as, and the values beside the readings that a verdict
    hangs on (client_centric's money_ratio); a shipped claim's CLAIM is taken as its name is."""
    small = Scenario().with_overrides({"market.clients": 200, "run.months": 24})
    text = in_your_world(client_centric.CLAIM, small, replications=2).format()
    assert f"tested as: {client_centric.CLAIM.scope}" in text
    beside = text.split("Beside the readings (not judged; the replications' mean and range):\n")[1]
    for key, unit, meaning in client_centric.CLAIM.beside:
        assert key in beside and f"{unit}: {meaning}" in beside
    text = in_your_world(acquisition_cost.CLAIM, small, replications=2).format()
    (line,) = [x for x in text.splitlines() if x.startswith("  average_serving ")]
    assert "; a diagnostic, not a reading of the claim)" in line
    assert "Beside the readings" not in text and "tested as" not in text  # (it declares none)


def test_a_lever_the_arms_move_from_the_worlds_own_value_is_no_warning(capsys):
    """acquisition_cost's ads arm scales the world's budget and client_centric moves a share of
    it into the world's service level: a firm's own budget is where they move from, but it was
    warned of as a value "the claim's arms set themselves" (a strategist at 3x the ads)."""
    assert client_centric.CLAIM.relative_keys == ("levers.ad_budget", "levers.service_level")
    assert main([*tiny_world("acquisition_cost"), "--set", "levers.ad_budget=900", "--quiet"]) == 0
    assert "the claim's arms set themselves" not in capsys.readouterr().out
    # A key an arm sets to its own value still is (the loyal arm's discount).
    argv = [*tiny_world("acquisition_cost"), "--set", "levers.loyalty_discount=0.1", "--quiet"]
    assert main(argv) == 0
    assert "arms set themselves: levers.loyalty_discount = 0.1" in capsys.readouterr().out


def test_a_band_whose_margin_is_ours_is_judged_again_with_it_halved_and_doubled():
    """Where the band's reach about the source's figure is an assumption, the same replications
    are placed against the band with it halved and doubled, as a study's report judges its
    worlds; a source's own band gets no such columns."""
    from experiments.verdicts.margins import margin_bands

    answer = in_your_world(acquisition_cost, _quick(), replications=3)
    rows = answer.readings.set_index("reading")
    text = answer.format()
    checked = 0
    for reading in acquisition_cost.CLAIM.readings:
        row = rows.loc[reading.name]
        if not reading.assumed_margin:
            assert row["halved"] == row["doubled"] == ""
            continue
        if row["status"].startswith(("not judged", "undefined")):
            assert row["halved"] == ""
            continue
        v = answer.values[reading.name].to_numpy(float)
        halved, doubled = margin_bands(reading.band, reading.assumed_margin)
        assert row["halved"] == defaults_status(v, halved, float("nan")).words(halved)
        assert row["doubled"] == defaults_status(v, doubled, float("nan")).words(doubled)
        assert f"its margin halved / doubled: {row['halved']} / {row['doubled']}" in text
        checked += 1
    assert checked >= 2
