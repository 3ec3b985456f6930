"""Paired runs: the same seeds (so the same per-decision random streams) with and without an
intervention, which is what makes small effects visible without thousands of replications."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from model import Scenario
from model.studies.run import RunResult, simulate

__all__ = ["paired_effects", "scenario_at"]


def scenario_at(base: Scenario, values: Mapping[str, Any], size: int, months: int) -> Scenario:
    """``base`` with the assumption values (scenario parameters only) and the run size applied."""
    params = {k: v for k, v in values.items() if "." in k}
    return base.with_overrides({**params, "market.clients": size, "run.months": months})


def paired_effects(
    control: Scenario,
    treatment: Scenario,
    seeds: Sequence[int],
    measure: Callable[[RunResult, RunResult], float],
) -> np.ndarray:
    """``measure(treated, control)`` for each seed, both arms run on that seed."""
    return np.array(
        [measure(simulate(treatment, seed=s), simulate(control, seed=s)) for s in seeds],
        dtype=float,
    )
