"""One seed range, declared once: ``run.seed`` is 0 ≤ s < 2**64, and every way in takes exactly that.

The scenario parameter (a file or ``--set``), the ``--seed`` flag of run/compare/optimize, a sweep
spec's ``seed`` and the replications that count up from a seed all read the bound from
:data:`model.scenario.sections.run.SEED_MAX`; numpy's SeedSequence (every random stream of a run)
takes the whole range. Before, the parameter stopped at 2**63 − 1 while the flag went on to
2**64 − 1, and ``compare --seed 2**63 − 1`` asked for a second seed outside the range.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import cli

from model.interfaces.cli import inputs
from model.scenario import PARAMS
from model.scenario.sections.run import SEED_MAX, consecutive_seeds
from model.studies.sweep import parse_spec
from model.studies.sweep.spec import SweepError

TINY = ("--clients", "100", "--months", "2")
TOP, OVER = SEED_MAX, SEED_MAX + 1


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0] and str(OVER) in err[0] and str(TOP) in err[0], err[0]
    return err[0]


def test_the_bound_is_declared_once_and_is_2_to_the_64():
    assert SEED_MAX == 2**64 - 1
    assert PARAMS["run.seed"].lower == 0 and PARAMS["run.seed"].upper == SEED_MAX
    parse = inputs.seed()
    assert parse(str(TOP)) == TOP
    with pytest.raises(Exception, match=str(TOP)):
        parse(str(OVER))


def seeded_series(folder: Path) -> pd.DataFrame:
    (summary,) = folder.rglob("timeseries.csv")
    return pd.read_csv(summary)


def test_the_top_seed_runs_the_same_from_flag_set_and_file(tmp_path, capsys):
    scenario = tmp_path / "top.toml"
    scenario.write_text(f"[run]\nseed = {TOP}\nmonths = 2\n[market]\nclients = 100\n")
    assert cli("run", *TINY, "--seed", TOP, "--out", tmp_path / "flag") == 0
    assert cli("run", *TINY, "--set", f"run.seed={TOP}", "--out", tmp_path / "set") == 0
    assert cli("run", scenario, "--out", tmp_path / "file") == 0
    capsys.readouterr()
    flag = seeded_series(tmp_path / "flag")
    assert flag.equals(seeded_series(tmp_path / "set"))
    assert flag.equals(seeded_series(tmp_path / "file"))
    other = tmp_path / "other"
    assert cli("run", *TINY, "--seed", TOP - 1, "--out", other) == 0
    assert not flag.equals(seeded_series(other))  # the seed did reach the streams


def test_one_past_the_top_is_one_line_everywhere(tmp_path, capsys):
    scenario = tmp_path / "over.toml"
    scenario.write_text(f"[run]\nseed = {OVER}\n")
    for args in (
        ("run", *TINY, "--seed", OVER),
        ("run", *TINY, "--set", f"run.seed={OVER}"),
        ("run", scenario),
        ("compare", "baseline", "baseline", *TINY, "--seed", OVER),
        ("optimize", "baseline", *TINY, "--seed", OVER),
        ("compare", "baseline", "baseline", *TINY, "--set", f"run.seed={OVER}"),
        ("optimize", "baseline", *TINY, "--set", f"run.seed={OVER}"),
    ):
        assert cli(*args, "--out", tmp_path / "o") == 2, args
        one_error_line(capsys)
        assert not (tmp_path / "o").exists()


def test_replications_from_the_top_seed_wrap_to_zero(tmp_path, capsys):
    assert consecutive_seeds(TOP, 3) == [TOP, 0, 1]
    assert consecutive_seeds(5, 2, skip=10) == [15, 16]
    out = tmp_path / "reps"
    assert cli("run", *TINY, "--seed", TOP, "--replications", 3, "--out", out) == 0
    (runs,) = out.rglob("runs.csv")
    assert pd.read_csv(runs, dtype={"seed": str})["seed"].tolist() == [str(TOP), "0", "1"]
    assert (
        cli("compare", "baseline", "baseline", *TINY, "--seed", TOP, "--out", tmp_path / "c") == 0
    )
    capsys.readouterr()


def test_a_sweep_spec_takes_the_same_range(tmp_path):
    spec = {"name": "s", "months": 2, "clients": 100, "parameters": {"levers.ad_budget": [0.0]}}
    assert parse_spec({**spec, "seed": TOP}, root=tmp_path).seed == TOP
    with pytest.raises(SweepError, match=str(TOP)):
        parse_spec({**spec, "seed": OVER}, root=tmp_path)


@pytest.mark.parametrize("seed", [0, 7, SEED_MAX])
def test_with_seed_is_with_overrides_of_the_seed(seed):
    """The fast path a model takes for ``rng=`` gives the scenario ``with_overrides`` gives."""
    from model import Scenario

    base = Scenario().with_overrides({"market.clients": 300, "levers.service_level": 0.7})
    fast, slow = base.with_seed(seed), base.with_overrides({"run.seed": seed})
    assert fast == slow and fast.model_dump() == slow.model_dump()
    assert fast.run.seed == seed
    assert fast.market is base.market  # the other sections are shared, not validated again


@pytest.mark.parametrize("seed", [-1, SEED_MAX + 1])
def test_with_seed_out_of_range_is_the_overrides_error(seed):
    from model import Scenario
    from model.scenario.declare import ScenarioError

    with pytest.raises(ScenarioError) as fast:
        Scenario().with_seed(seed)
    with pytest.raises(ScenarioError) as slow:
        Scenario().with_overrides({"run.seed": seed})
    assert str(fast.value) == str(slow.value) and "run.seed" in str(fast.value)


def test_a_seed_read_back_as_a_float_is_refused_not_rounded() -> None:
    """A 63-bit seed taken from a frame row (``df.iloc[i]`` makes the row float) was rounded
    silently to another seed: 1693125408465869867 ran as 1693125408465869824."""
    import numpy as np

    from model import Scenario, ScenarioError
    from model.studies.run import simulate

    row = pd.DataFrame({"seed": [1693125408465869867], "x": [0.35]}).iloc[0]
    with pytest.raises(
        ScenarioError, match=r"run\.seed: .*exactly only up to 9,007,199,254,740,992"
    ):
        simulate(seed=row["seed"], clients=100, months=2)
    with pytest.raises(
        ScenarioError, match=r"up to 16,777,216 \(a seed read from a row.*: pass an int"
    ):
        Scenario().with_overrides({"run.seed": np.float32(2**25)})
    # Whole floats a float holds exactly are still taken, as for every integer parameter.
    assert Scenario().with_overrides({"run.seed": 2.0**53}).run.seed == 2**53
    assert Scenario().with_overrides({"market.clients": 500.0}).market.clients == 500


@pytest.mark.parametrize("kind", ["int64", "uint64"])
def test_a_numpy_integer_seed_is_taken_exactly(kind: str) -> None:
    """A seed as a sweep's ``load()`` or a frame's integer column holds it (``np.int64``) was
    taken through float by pydantic: 2**53 + 5 ran as 2**53 + 4, another world than ``int(seed)``."""
    import numpy as np

    from model import Scenario
    from model.studies.run import simulate

    seed = 2**53 + 5
    assert Scenario().with_seed(getattr(np, kind)(seed)).run.seed == seed
    assert Scenario().with_overrides({"run.seed": getattr(np, kind)(seed)}).run.seed == seed
    a = simulate(seed=getattr(np, kind)(seed), clients=100, months=3)
    b = simulate(seed=seed, clients=100, months=3)
    assert a.seed == seed and a.timeseries.equals(b.timeseries)
    top = np.uint64(TOP)  # the top of the range is a uint64, not an int64
    assert Scenario().with_seed(top).run.seed == TOP
