"""Shared small fixtures: scenarios small enough for a 2-core CI machine.

``small_scenario(**overrides)`` takes overrides as keyword arguments with ``__`` for the dot
(``small_scenario(levers__service_level="wow")``) or a mapping of dotted names
(``small_scenario({"levers.service_level": "wow"})``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from model.scenario import Scenario

#: Defaults for quick runs: a 2,000-person market over two years.
SMALL: dict[str, Any] = {"market.clients": 2_000, "run.months": 24, "run.seed": 1}

#: Everything that would make a closed cohort's margin or retention vary switched off: no
#: acquisition, no return, no cost line except cost of goods, constant spend, and a churn hazard
#: equal to each client's own propensity (no satisfaction, gap, loyalty or tenure effect).
CLOSED_COHORT: dict[str, Any] = {
    "market.initial_active_share": 1.0,
    "market.spend_sigma": 0.0,
    "attract.ad_p_max": 0.0,
    "attract.onboarding_cost": 0.0,
    "word_of_mouth.enabled": False,
    "win_back.natural_return": 0.0,
    "win_back.return_max": 0.0,
    "levers.winback_spend": 0.0,
    "levers.ad_budget": 0.0,
    "levers.loyalty_discount": 0.0,
    "levers.training_spend": 0.0,
    "levers.empowerment_budget": 0.0,
    "levers.rd_share": 0.0,
    "retain.churn_heterogeneity": 0.0,
    "retain.satisfaction_sensitivity": 0.0,
    "retain.gap_effect": 0.0,
    "retain.tenure_slope": 0.0,
    "service.cost_per_client": 0.0,
    "service.incident_rate_max": 0.0,
    "staff.salary": 0.0,
    "staff.hiring_cost": 0.0,
    "economics.fixed_overhead": 0.0,
    "economics.overhead_share": 0.0,
}


def _dotted(overrides: Mapping[str, Any] | None, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(overrides or {})
    out.update({key.replace("__", "."): value for key, value in kwargs.items()})
    return out


def small_scenario(overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> Scenario:
    """The baseline shrunk to :data:`SMALL`, with overrides applied (validated)."""
    return Scenario().with_overrides({**SMALL, **_dotted(overrides, kwargs)})


def closed_cohort(overrides: Mapping[str, Any] | None = None, **kwargs: Any) -> Scenario:
    """A closed cohort (:data:`CLOSED_COHORT`) in a small market, with overrides applied."""
    return small_scenario({**CLOSED_COHORT, **_dotted(overrides, kwargs)})


#: A 2 x 2 sweep grid of 2 replications, 8 runs of 300 clients x 6 months in tasks of 3 (the last
#: short), with a monthly series kept: the sweep-store tests' spec (``parse_spec({**SWEEP_GRID})``).
SWEEP_GRID: dict[str, Any] = {
    "name": "grid",
    "seed": 5,
    "months": 6,
    "clients": 300,
    "replications": 2,
    "batch_size": 3,
    "design": {"kind": "grid"},
    "parameters": {"levers.ad_budget": [500.0, 2000.0], "levers.service_level": ["low", "wow"]},
    "output": {"series": ["active"]},
}


def tiny_world(claim: str) -> list[str]:
    """``retention experiment CLAIM --world baseline`` at a test's size: 200 people, 24 months
    (a study's shortest), two replications."""
    return ["experiment", claim, "--world", "baseline", "--replications", "2",
            "--set", "market.clients=200", "--set", "run.months=24"]  # fmt: skip


def cli(*args: object) -> int:
    """Run ``retention ARGS`` in this process; its exit status (argparse's SystemExit included)."""
    # Imported here: a top-level import of the submodule would rebind the package's ``main``
    # for every test module collected after this one.
    from model.interfaces.cli.main import main

    try:
        return main([str(a) for a in args])
    except SystemExit as exc:
        return int(exc.code or 0)


def tiny_sobol_store(folder: Any) -> None:
    """A finished Sobol sweep of two parameters, N = 4 (too small on purpose), in ``folder``."""
    from model.studies.sweep import parse_spec, run_sweep

    spec = parse_spec(
        {
            "parameters": {"levers.service_level": [0.3, 0.9], "retain.base_churn": [0.01, 0.05]},
            "design": {"kind": "sobol", "samples": 4},
            "clients": 200,
            "months": 6,
        }
    )
    run_sweep(spec, folder, progress=False)


@pytest.fixture
def small() -> Scenario:
    """The small baseline scenario (2,000 clients, 24 months, seed 1)."""
    return small_scenario()


def cac_of_runs(monkeypatch: Any, cac: dict[int, float]) -> None:
    """Make ``retention run --replications`` see these CACs (run index → CAC; NaN: a run that
    acquired no one, CAC 0/0), whatever those runs gave."""
    import model.interfaces.cli.replications as replications

    real = replications.replicated

    def replicated(scenario: Any, r: int, progress: bool = False, **kw: Any) -> Any:
        done = real(scenario, r, progress, **kw)
        for row, value in cac.items():
            done.runs.loc[row, "cac"] = value
        return done

    monkeypatch.setattr(replications, "replicated", replicated)
