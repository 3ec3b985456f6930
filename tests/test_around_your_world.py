"""A claim in one world with its uncertain values moved one at a time (``--world ... --vary``)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.analysis.around_your_world import (
    around_your_world,
    moved_worlds,
    parse_vary,
    vary_values,
)
from experiments.analysis.in_your_world import in_your_world
from experiments.claims import acquisition_cost
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
    answer = around_your_world(acquisition_cost, world, {"retain.base_churn": [0.01]}, 3)
    alone = in_your_world(acquisition_cost, world.with_overrides({"retain.base_churn": 0.01}), 3)
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
        moved = r.status != yours.readings.set_index("reading").loc[r.reading, "status"]
        assert rows.loc[r.reading, "moved"] == moved
    assert set(answer.readings["key"]) == {"retain.base_churn"}


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
        ({"retain.base_churn": [7.0]}, r"retain.base_churn: value 7.0 is not allowed; allowed"),
    ],
)
def test_bad_values_are_refused_before_any_run(vary, message):
    with pytest.raises(ValueError, match=message):
        moved_worlds(_quick(), vary)


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
    assert "one value moved at a time, the others the scenario's, on the same seeds:" in out
    assert "    retain.base_churn = 0.02 " in out
    assert "; change " in out
    assert "retain.base_churn = 0.25 (1/month) lies outside the plausible range" in out
    assert out.rstrip().splitlines()[-1].startswith(("No judgement moves", "  retain.base_churn"))


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--vary", "retain.base_churn"], "experiment --vary: goes with --world SCENARIO"),
        (["--replications", "3"], "experiment --replications: goes with --world SCENARIO"),
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
