"""Every shipped scenario file loads, validates and runs (industries, teaching presets, baseline)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from model import Scenario
from model.studies.run import simulate

ROOT = Path(__file__).resolve().parents[1] / "model" / "presets"
# industries/targets.toml holds the presets' calibration targets, not a scenario.
TARGETS = ROOT / "industries" / "targets.toml"
PRESETS = sorted(p for p in ROOT.rglob("*.toml") if "sweeps" not in p.parts and p != TARGETS)
INDUSTRIES = sorted(p for p in (ROOT / "industries").glob("*.toml") if p != TARGETS)


def test_the_nine_industries_of_reichheld_and_sasser_are_there() -> None:
    names = {p.stem for p in INDUSTRIES}
    assert names == {
        "bank_deposits",
        "credit_card",
        "insurance_brokerage",
        "industrial_distribution",
        "industrial_laundry",
        "office_building_management",
        "software",
        "auto_service",
        "credit_insurance",
    }


@pytest.mark.parametrize("path", PRESETS, ids=lambda p: str(p.relative_to(ROOT)))
@pytest.mark.filterwarnings("ignore:.*after the 12-month horizon:UserWarning")  # (cut to 12 here)
def test_preset_loads_and_runs(path: Path) -> None:
    scenario = Scenario.from_toml(path)
    result = simulate(scenario, clients=1000, months=12)
    ts = result.timeseries
    assert len(ts) == 12
    assert np.isfinite(ts[["revenue", "profit", "npv", "active"]].to_numpy()).all()


@pytest.mark.parametrize("path", INDUSTRIES, ids=lambda p: p.stem)
def test_industry_values_say_where_they_come_from(path: Path) -> None:
    """Each value line carries a comment naming its source or saying it is an assumption."""
    for line in path.read_text().splitlines():
        code = line.split("#", 1)[0].strip()
        if "=" in code and not code.startswith(("name", "description")):
            assert "#" in line, f"{path.name}: no source comment on {line!r}"


def test_a_raids_clients_lost_for_good_cost_more_than_those_who_may_return() -> None:
    """The two raid presets take the same clients (their own stream, the same share and month);
    only whether they come back differs, and the firm with them gone for good earns less."""
    names = ("no_cut", "competitor_raid", "clients_lost_for_good")
    revenue, taken = {}, {}
    for name in names:
        scenario = Scenario.preset(name)
        ts = simulate(scenario, clients=2_000, months=36).timeseries
        revenue[name], taken[name] = float(ts["revenue"].sum()), int(ts["poached"].sum())
    assert taken["no_cut"] == 0 < taken["competitor_raid"] == taken["clients_lost_for_good"]
    assert revenue["clients_lost_for_good"] < revenue["competitor_raid"] < revenue["no_cut"]


def test_the_baseline_preset_is_the_declared_defaults() -> None:
    """``retention run baseline`` runs the preset and the API, the app, sweeps and the claim
    studies run ``Scenario()``, both named "baseline": the preset restates thirteen defaults to
    show where they live, so a default changed in one place and not the other would give two
    baselines under one name."""
    from model.interfaces.cli.arguments import load_scenario

    preset, declared = load_scenario("baseline").model_dump(), Scenario().model_dump()
    for data in (preset, declared):
        data.pop("description")
    assert preset == declared
