"""A claim in one world with its uncertain values moved one at a time (``--world ... --vary``)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from conftest import tiny_world
from scipy import stats

from experiments.analysis.around_your_world import (
    _change,
    _judged,
    _moved,
    around_your_world,
)
from experiments.analysis.in_your_world import in_your_world
from experiments.analysis.moved_values import moved_worlds, parse_vary, vary_values
from experiments.claims import acquisition_cost, satisfied_employee
from experiments.running.sizes import SIZES
from model import Scenario
from model.interfaces.cli.main import main
from model.scenario import ScenarioError

QUICK = SIZES["quick"]


def _quick(**overrides) -> Scenario:
    return Scenario().with_overrides({**QUICK.settings(), **overrides})


def test_each_moved_value_is_that_worlds_answer_paired_with_the_scenarios():
    """A moved value's row is ``in_your_world`` at that value, on the same seeds, and its change
    the mean of the replications' paired differences from the scenario's own runs."""
    world = _quick()
    answer = around_your_world(acquisition_cost, world, {"retain.base_churn": [0.005]}, 3)
    alone = in_your_world(acquisition_cost, world.with_overrides({"retain.base_churn": 0.005}), 3)
    yours = in_your_world(acquisition_cost, world, 3)
    assert answer.yours.values.equals(yours.values)
    rows = answer.readings.set_index("reading")
    for r in alone.readings.itertuples():
        assert rows.loc[r.reading, "effect"] == pytest.approx(r.effect, nan_ok=True, rel=0)
        assert rows.loc[r.reading, "status"] == r.status
        paired = alone.values[r.reading] - yours.values[r.reading]
        finite = paired[np.isfinite(paired)]
        expected = finite.mean() if finite.size else np.nan
        assert rows.loc[r.reading, "change"] == pytest.approx(expected, nan_ok=True)
        assert rows.loc[r.reading, "pairs"] == finite.size
        if finite.size >= 2:  # (the interval of the pairs' differences: paired, not two samples)
            half = stats.t.ppf(0.975, finite.size - 1) * finite.std(ddof=1) / np.sqrt(finite.size)
            low, high = rows.loc[r.reading, ["change_low", "change_high"]]
            assert (low, high) == pytest.approx((expected - half, expected + half), rel=1e-9)
        here = yours.readings.set_index("reading").loc[r.reading, "status"]
        assert rows.loc[r.reading, "moved"] == _moved(here, r.status)
    assert set(answer.readings["key"]) == {"retain.base_churn"}
    # The moved world's facts outside a study's range are named, as its own answer places them.
    left = alone.facts[alone.facts["value"].notna() & ~alone.facts["inside"]]["fact"].tolist()
    named = answer.readings["facts_outside"].iloc[0]
    assert [f for f in alone.facts["fact"] if f"{f} " in named] == left
    assert left  # (a churn this low keeps more than a study's 95% a year)
    assert f"  retain.base_churn = 0.005: {named}" in answer.format()


def test_the_default_values_are_the_plausible_ends_or_every_alternative():
    world = _quick()
    assert vary_values("retain.base_churn", world) == [0.005, 0.05]
    assert vary_values("word_of_mouth.network", world) == ["scale_free", "random"]  # not its own
    assert vary_values("retain.base_churn", world, [0.02, 0.03, 0.03]) == [0.03]  # (0.02: its own)


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        ({}, r"vary: value \{\} is not allowed; allowed: a mapping of at least one"),
        ({"levers.service_level": None}, r"vary 'levers.service_level': not a declared uncert"),
        ({"retain.base_churn": [0.02]}, r"vary retain.base_churn: every value given is the sce"),
        ({"retain.base_churn": []}, r"vary retain.base_churn: no value given; allowed: one va"),
        ({"retain.base_churn": [7.0]}, r"retain.base_churn: value 7.0 is not allowed; allowed"),
        ({"retain.base_churm": None}, r"\(did you mean retain.base_churn\?\)"),
    ],
)
def test_bad_values_are_refused_before_any_run(vary, message):
    with pytest.raises(ValueError, match=message):
        moved_worlds(_quick(), vary)


def test_values_are_read_as_the_scenario_holds_them():
    """A value is compared with the scenario's own after the scenario has read it ('0.02' is
    0.02), an alternative is named in any case, and one value needs no list."""
    world = _quick()
    assert vary_values("retain.base_churn", world, 0.01) == [0.01]
    assert vary_values("retain.base_churn", world, ["0.01", 0.01, "0.02"]) == [0.01]
    assert vary_values("word_of_mouth.network", world, "Random") == ["random"]
    with pytest.raises(ValueError, match="every value given is the scenario's own"):
        moved_worlds(world, {"retain.base_churn": "'0.02'"})
    with pytest.raises(ScenarioError, match=r"recovery_paradox_behavioural: .*a flag takes only"):
        moved_worlds(world, {"service.recovery_paradox_behavioural": 0})


def test_a_key_the_claims_arms_set_is_refused():
    """Its arms set the key themselves, so moving it moves both alike: a change of zero by
    construction, which the first version printed as "no judgement moves"."""
    key = satisfied_employee.CLAIM.arm_keys[0]
    with pytest.raises(ValueError, match=f"vary {key}: claim satisfied_employee's arms set it"):
        moved_worlds(_quick(), {key: None}, satisfied_employee.CLAIM)


def test_a_judgement_places_the_effect_when_decided_or_near_an_edge():
    assert _judged("in band") and _judged("near an edge, below")
    assert not _judged("undefined") and not _judged("not judged: 0 of 2 replications measured")


def test_a_judgement_moves_only_from_one_side_of_the_band_to_another():
    assert _moved("in band", "above") and _moved("below", "in band")
    assert not _moved("near an edge, below", "below")  # (a change of confidence, not of side)
    assert not _moved("below", "near an edge, in band")
    assert not _moved("undefined", "above") and not _moved("in band", "in band")
    assert not _moved("not judged: 1 of 2 replications measured a finite value", "above")


def test_the_change_says_which_pairs_it_is_over():
    row = SimpleNamespace(
        effect=10.0, change=1.5, change_low=0.5, change_high=2.5, pairs=6, bounded=2
    )
    assert _change(row, 8) == "; change 1.5 [0.5, 2.5] over 6 of 8 pairs, 2 with a bound left out"
    assert _change(SimpleNamespace(**{**vars(row), "pairs": 8, "bounded": 0}), 8) == (
        "; change 1.5 [0.5, 2.5]"
    )
    same = SimpleNamespace(
        effect=10.0, change=0.0, change_low=0.0, change_high=0.0, pairs=8, bounded=0
    )
    assert _change(same, 8) == (
        "; unchanged in every replication (the reading does not depend on it here)"
    )
    some = SimpleNamespace(**{**vars(same), "pairs": 2})
    assert _change(some, 3) == "; unchanged in each of the 2 of 3 pairs measured at both"
    one = SimpleNamespace(**{**vars(row), "pairs": 1, "bounded": 1})
    assert _change(one, 2) == "; change not measured (1 of 2 pairs finite, 1 with a bound left out)"


def test_a_change_of_rounding_alone_reads_unchanged():
    """A reading that does not depend on the value but is computed along another path differs
    in its last bits (customer_lifetime moved by -6.2e-15 along economics.overhead_share was
    printed as a change); a change of a millionth of the reading is still one."""
    rounding = SimpleNamespace(
        effect=10.0, change=-6.2e-15, change_low=-8.3e-14, change_high=7.1e-14, pairs=4, bounded=0
    )
    assert _change(rounding, 4) == (
        "; unchanged in every replication but for rounding (the reading does not depend on it here)"
    )
    small = SimpleNamespace(**{**vars(rounding), "change": 1e-5, "change_low": 0.5e-5})
    small.change_high = 1.5e-5
    assert _change(small, 4) == "; change 1e-05 [5e-06, 1.5e-05]"
    # A median of bounds (inf) gives no scale: only an exact 0 is unchanged then.
    censored = SimpleNamespace(**{**vars(small), "effect": np.inf, "change": 1.5})
    censored.change_low, censored.change_high = 0.5, 2.5
    assert _change(censored, 4) == "; change 1.5 [0.5, 2.5]"


def test_a_value_of_the_wrong_kind_names_the_field():
    with pytest.raises(ScenarioError, match=r"word_of_mouth.network: value 'ring' is not allowed"):
        moved_worlds(_quick(), {"word_of_mouth.network": ["ring"]})


def test_parse_vary_reads_values_as_set_does():
    assert parse_vary("retain.base_churn") == ("retain.base_churn", None)
    assert parse_vary("retain.base_churn=0.01, 0.03") == ("retain.base_churn", (0.01, 0.03))
    assert parse_vary("word_of_mouth.network=random") == ("word_of_mouth.network", ("random",))
    with pytest.raises(ValueError, match="an empty value"):
        parse_vary("retain.base_churn=0.01,")


def test_the_command_prints_each_moved_value(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text(
        "[market]\nclients = 200\n[run]\nmonths = 24\n[retain]\nbase_churn = 0.25\n",
        encoding="utf-8",
    )
    argv = ["experiment", "acquisition_cost", "--world", str(path), "--replications", "2"]
    assert main([*argv, "--vary", "retain.base_churn=0.02", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert (
        "one value moved at a time, the others the scenario's, on the same seeds (the "
        "scenario's own: retain.base_churn = 0.25):"
    ) in out
    assert "    retain.base_churn = 0.02 " in out
    assert "; change " in out
    assert "retain.base_churn = 0.25 (1/month) lies outside the plausible range" in out
    # (before the readings it changes: a strategist read them first and the warning last)
    warned = "Warning, this world ran with it: retain.base_churn = 0.25 is a monthly rate:"
    first = out.index("one value moved at a time")  # (the readings follow it)
    assert out.index(warned) < first and out.splitlines()[2].startswith("Warning, ")
    last = out.rstrip().split("\nWhat the study of this claim found along")[0].splitlines()
    assert last[-1].startswith("(Each interval is 95% on its own")  # (the answer's last line)
    heads = ("The judgement moves to another side", "Judged otherwise, but near an edge", "No ")
    heads += ("Not judged, or undefined",)
    assert any(line.startswith(heads) for line in last)
    # A moved value read as a yearly rate is said too, as --set says it of the world's own
    # (a churn varied to 0.12 and 0.2 ran without it).
    path.write_text("[market]\nclients = 200\n[run]\nmonths = 24\n", encoding="utf-8")
    assert main([*argv, "--vary", "retain.base_churn=0.2", "--quiet"]) == 0
    out = capsys.readouterr().out
    warned = "Warning, a moved world ran with it: retain.base_churn = 0.2 is a monthly rate:"
    first = out.index("one value moved at a time")  # (the readings follow it)
    assert out.index(warned) < first and out.splitlines()[2].startswith("Warning, ")
    assert "Warning, this world ran with it" not in out
    # --set sets the world as `retention run --set` does, its size included.
    argv = tiny_world("acquisition_cost")
    assert main([*argv, "--vary", "word_of_mouth.network=Random", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "in baseline + clients=200, months=24: 200 people (30% clients at the start" in out
    assert "    word_of_mouth.network = random " in out


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--vary", "retain.base_churn"], "experiment --vary: goes with --world SCENARIO"),
        (["--replications", "3"], "experiment --replications: goes with --world SCENARIO"),
        (["--set", "run.months=24"], "experiment --set: goes with --world SCENARIO"),
        (
            ["--world", "baseline", "--vary", "retain.base_churn", "--vary", "retain.base_churn"],
            "experiment --vary retain.base_churn: given twice; allowed: each key once",
        ),
        (
            ["--world", "baseline", "--vary", "retain.base_churn=2"],
            "experiment --vary: retain.base_churn: value 2 is not allowed",
        ),
    ],
)
def test_vary_is_refused_where_it_does_not_apply(argv, said, capsys):
    assert main(["experiment", "acquisition_cost", *argv, "--quiet"]) == 2
    assert said in capsys.readouterr().err


def test_vary_on_a_key_the_claims_arms_set_is_refused_before_any_run(capsys):
    argv = ["experiment", "satisfied_employee", "--world", "baseline"]
    assert main([*argv, "--vary", "staff.training_skill", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "error: experiment --vary staff.training_skill: claim satisfied_employee's arms" in err


def test_differing_judgements_are_grouped_by_kind():
    """A change of side, a change near an edge and a change to or from *not judged* each go
    under their own header (the first version called all three "moves")."""
    import dataclasses

    answer = around_your_world(acquisition_cost, _quick(), {"retain.base_churn": [0.01]}, 2)
    own = answer.yours.readings.copy()
    own["status"] = ["in band", "in band", "near an edge, below", "in band", "above"]
    readings = answer.readings.copy()
    readings["status"] = ["above", "near an edge, above", "below", "in band", "not judged: x"]
    readings["moved"] = [True, False, False, False, False]
    text = dataclasses.replace(
        answer, yours=dataclasses.replace(answer.yours, readings=own), readings=readings
    ).format()
    names = readings["reading"].tolist()
    moves = text.split("The judgement moves to another side of its band with:\n")[1]
    assert moves.startswith(f"  retain.base_churn: {names[0]} in band here; at 0.01 above\n")
    near = text.split("Judged otherwise, but near an edge (decided on no side)")[1]
    assert f"  retain.base_churn: {names[1]} in band here; at 0.01 near an edge, above" in near
    assert f"  retain.base_churn: {names[2]} near an edge, below here; at 0.01 below" in near
    rest = text.split("Not judged, or undefined, at one value or both:\n")[1]
    assert rest.startswith(f"  retain.base_churn: {names[4]} above here; at 0.01 not judged: x")
    assert f"{names[3]} in band here" not in text  # (the same judgement at both)


def test_nothing_judged_anywhere_is_said_so_not_called_no_difference():
    """A reviewer's 36-month run of lost_client (its readings speak of 60 months) ended "No
    judgement differs with these values.", which reads as robustness."""
    import dataclasses

    answer = around_your_world(acquisition_cost, _quick(), {"retain.base_churn": [0.01]}, 2)
    unjudged = ["not judged: x"] * len(answer.readings)
    own = answer.yours.readings.assign(status=unjudged)
    text = dataclasses.replace(
        answer,
        yours=dataclasses.replace(answer.yours, readings=own),
        readings=answer.readings.assign(status=unjudged, moved=False),
    ).format()
    assert "No reading is judged here or at these values (each says why above)." in text
    assert "No judgement differs" not in text
    judged = dataclasses.replace(
        answer,
        yours=dataclasses.replace(answer.yours, readings=own.assign(status="in band")),
        readings=answer.readings.assign(status="in band", moved=False),
    ).format()
    assert "No judgement differs with these values." in judged


def test_values_moved_to_one_side_only_are_said_so():
    """A strategist's service cost of 60 (clients spending 1,200 a month) was moved to the study's
    3 and 30 only, both cheaper, and "No judgement differs" read as robustness."""
    import pandas as pd

    from experiments.analysis.around_your_world import _one_sided

    rows = pd.DataFrame({"key": ["service.cost_per_client"] * 2, "value": [3.0, 30.0]})
    [line] = _one_sided(rows, {"service.cost_per_client": 60.0})
    assert line == (
        "(every value of service.cost_per_client moved lies below the scenario's 60, which is "
        "outside the range a study draws: the other side is not tried; --vary "
        "service.cost_per_client=A,B with values above 60 tries it)"
    )
    assert "lies above the scenario's 1" in _one_sided(rows, {"service.cost_per_client": 1.0})[0]
    assert _one_sided(rows, {"service.cost_per_client": 10.0}) == []  # (both sides tried)
    named = pd.DataFrame({"key": ["word_of_mouth.network"], "value": ["random"]})
    assert _one_sided(named, {"word_of_mouth.network": "small_world"}) == []
