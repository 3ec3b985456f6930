"""Bit-for-bit guard: the engine's numbers on several scenarios equal stored golden values.

Speed work on the engine (fewer passes, fused phases, ensembles) must not change a number. Each
scenario below is run and fingerprinted — a SHA-256 of every monthly metric (float64 bytes) and of
every client array at the end — and compared with ``tests/data/engine_golden.json``, written by
the engine before that work. Per-column sums are stored too, so a failure names the metrics that
moved.

A deliberate change of the model's numbers (a defect fix, a new mechanism) regenerates the file:
``.venv/bin/python tests/test_engine_golden.py`` — and says so in its commit message.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.engine.retention_model import RetentionModel
from model.scenario import Scenario

GOLDEN = Path(__file__).parent / "data" / "engine_golden.json"

#: Every mechanism that is off by default switched on (as in ``benchmarks``).
_ALL_ON: dict[str, Any] = {
    "market.initial_active_share": 0.8,
    "levers.loyalty_discount": 0.05,
    "loyalty_economics.spend_growth": 0.05,
    "loyalty_economics.serve_cost_trend": -0.03,
    "loyalty_economics.price_premium": 0.02,
    "retain.tenure_slope": -0.05,
}

#: name -> (overrides, schedule, shocks)
SCENARIOS: dict[str, tuple[dict[str, Any], list, list]] = {
    "baseline": ({"market.clients": 3_000, "run.months": 36, "run.seed": 1}, [], []),
    "wow_service": (
        {"market.clients": 3_000, "run.months": 36, "run.seed": 2, "levers.service_level": "wow"},
        [],
        [],
    ),
    "loyalty_at_risk": (
        {
            "market.clients": 3_000,
            "run.months": 36,
            "run.seed": 3,
            "levers.loyalty_discount": 0.1,
            "targeting.loyalty": "at_risk",
            "targeting.empowerment": "at_risk",
            "targeting.winback": "top_value",
            "targeting.share": 0.3,
        },
        [],
        [],
    ),
    "schedule_and_shocks": (
        {"market.clients": 3_000, "run.months": 36, "run.seed": 4},
        [
            {"month": 6, "set": {"service_level": "low", "staffing": 1.3}},
            {"month": 20, "set": {"service_level": "wow", "ad_budget": 5.0}},
        ],
        [
            {"kind": "bad_service", "start": 8, "months": 3, "size": 0.3},
            {"kind": "price_war", "start": 10, "months": 6, "size": 0.5},
            {"kind": "competitor_leap", "start": 14, "size": 0.1},
            {"kind": "poaching", "start": 25, "months": 2, "size": 0.05},
        ],
    ),
    "scale_free": (
        {
            "market.clients": 3_000,
            "run.months": 36,
            "run.seed": 5,
            "word_of_mouth.network": "scale_free",
        },
        [],
        [],
    ),
    "all_mechanisms": (
        {**_ALL_ON, "market.clients": 3_000, "run.months": 36, "run.seed": 6},
        [],
        [],
    ),
    "small_market": ({"market.clients": 150, "run.months": 48, "run.seed": 7}, [], []),
    "market_100k": ({**_ALL_ON, "market.clients": 100_000, "run.months": 6, "run.seed": 8}, [], []),
}


def build(name: str) -> Scenario:
    """The named scenario, validated."""
    return scenario_of(SCENARIOS[name])


def scenario_of(spec: tuple[dict[str, Any], list, list]) -> Scenario:
    """A scenario from ``(overrides, schedule, shocks)``, validated."""
    overrides, schedule, shocks = spec
    base = Scenario().with_overrides(overrides)
    if not (schedule or shocks):
        return base
    return Scenario.build({**base.model_dump(), "schedule": schedule, "shocks": shocks})


def _digest(arrays: list[np.ndarray]) -> str:
    h = hashlib.sha256()
    for a in arrays:
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def fingerprint(model: RetentionModel) -> dict[str, Any]:
    """Hashes of the monthly metrics and the final client state, and per-metric sums."""
    ts = model.timeseries()
    state = model.clients.snapshot()
    return {
        "timeseries_sha256": _digest([ts[c].to_numpy(np.float64) for c in ts.columns]),
        "clients_sha256": _digest([state[k] for k in sorted(state)]),
        "sums": {c: repr(float(np.nansum(ts[c].to_numpy(np.float64)))) for c in ts.columns},
    }


def run(name: str) -> dict[str, Any]:
    return fingerprint(RetentionModel(build(name)).run())


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_engine_matches_its_golden_values(name: str) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))[name]
    got = run(name)
    moved = [c for c, v in golden["sums"].items() if got["sums"].get(c) != v]
    assert got["timeseries_sha256"] == golden["timeseries_sha256"], f"metrics moved: {moved}"
    assert got["clients_sha256"] == golden["clients_sha256"], "final client state moved"


if __name__ == "__main__":  # regenerate (a deliberate change of the model's numbers)
    out = {name: run(name) for name in SCENARIOS}
    GOLDEN.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(out)} scenarios)", file=sys.stderr)
