"""Bit-for-bit guard: the engine's numbers on several scenarios equal stored golden values.

Speed work on the engine (fewer passes, fused phases, ensembles) must not change a number. Each
scenario below is run and fingerprinted — a SHA-256 of every monthly metric (float64 bytes) and of
every client array at the end — and compared with ``tests/data/engine_golden.json``, written by
the engine before that work. Per-column sums are stored too, so a failure names the metrics that
moved. The hash is taken over the columns a set was written with: a metric added since moves no
stored number and is not compared (regenerate the file to guard it); a stored one gone fails.

The golden values are kept per *numerics class* (:mod:`model.engine.numerics`): numpy's ``exp``,
``log``… give other last bits on a CPU with AVX-512 than on one without, so each class has its
own set, labelled with the machine it was written on. A machine compares with its class's set;
a machine whose class no set names yet compares with the sets written before classes were
recorded (``numerics`` null), and fails, naming its class, if none matches.

A deliberate change of the model's numbers (a defect fix, a new mechanism) regenerates the
file: ``.venv/bin/python tests/test_engine_golden.py --reset`` keeps only this machine's class
(the others are then written again on their machines); without ``--reset`` this class's set is
added or replaced and the others kept. Say so in the commit message.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from model.engine.numerics import numerics_class, simd_features
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


def run(name: str) -> tuple[dict[str, Any], Any]:
    """The scenario's fingerprint and its monthly table."""
    model = RetentionModel(build(name)).run()
    return fingerprint(model), model.timeseries()


def _stored_columns_digest(ts: Any, want: dict[str, Any]) -> str | None:
    """The timeseries hash over the columns ``want`` was written with (its sums' keys), in the
    table's order, as it was taken: a metric added since moves no stored number and is not
    compared; None if one of them is gone."""
    if any(c not in ts.columns for c in want["sums"]):
        return None
    return _digest([ts[c].to_numpy(np.float64) for c in ts.columns if c in want["sums"]])


def golden_sets() -> list[dict[str, Any]]:
    """The stored sets, each ``{"label", "numerics", "scenarios": {name: fingerprint}}``."""
    return json.loads(GOLDEN.read_text(encoding="utf-8"))["sets"]


def golden_for_this_machine() -> list[dict[str, Any]]:
    """The sets this machine must match one of: its class's, else those of no recorded class."""
    sets = golden_sets()
    mine = [g for g in sets if g["numerics"] == numerics_class()]
    return mine or [g for g in sets if g["numerics"] is None]


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_engine_matches_its_golden_values(name: str) -> None:
    got, ts = run(name)
    candidates = golden_for_this_machine()
    assert candidates, (
        f"no golden values for numerics class {numerics_class()} (sets: "
        f"{[g['label'] for g in golden_sets()]}); write them on this machine with "
        "`python tests/test_engine_golden.py` once the engine is known to be right here"
    )
    for golden in candidates:
        want = golden["scenarios"][name]
        if _stored_columns_digest(ts, want) == want["timeseries_sha256"]:
            assert got["clients_sha256"] == want["clients_sha256"], "final client state moved"
            return
    want = candidates[0]["scenarios"][name]
    gone = [c for c in want["sums"] if c not in ts.columns]
    assert not gone, f"metrics stored in the golden values are gone: {gone}"
    moved = [c for c, v in want["sums"].items() if got["sums"].get(c) != v]
    fallback = candidates[0]["numerics"] is None and numerics_class() not in {
        g["numerics"] for g in golden_sets()
    }
    raise AssertionError(
        f"metrics moved from {[g['label'] for g in candidates]} (class {numerics_class()}"
        + (", which no set names: compared with the sets of no recorded class; if numpy's "
           "exp/log are new here, not the engine, add this class's set" if fallback else "")
        + f"): {moved or 'in the last bits, not in their sums'}"
    )  # fmt: skip


def test_a_metric_added_since_is_not_compared_and_one_gone_is_named() -> None:
    """A contributor's new metric column (every stored number unchanged) failed the whole file,
    and its message blamed the CPU's numerics."""
    _, ts = run("baseline")
    want = golden_for_this_machine()[0]["scenarios"]["baseline"]
    wider = ts.copy()
    wider.insert(3, "a_new_metric", 0.0)  # (anywhere in the table)
    assert _stored_columns_digest(wider, want) == want["timeseries_sha256"]
    assert _stored_columns_digest(ts.drop(columns=["churned"]), want) is None


def test_golden_sets_are_labelled_and_distinct() -> None:
    sets = golden_sets()
    classes = [g["numerics"] for g in sets if g["numerics"] is not None]
    assert len(classes) == len(set(classes)), "two sets for one numerics class"
    for g in sets:
        assert g["label"] and set(g["scenarios"]) == set(SCENARIOS), g["label"]


def _machine_label() -> str:
    import platform

    features = simd_features()
    level = next((v for v in ("X86_V4", "X86_V3", "X86_V2") if v in features), None)
    avx512 = "AVX-512" if any(f.startswith("AVX512") for f in features) else "no AVX-512"
    return (
        f"{platform.machine()} {level or ''} ({avx512}), numpy {np.__version__}, "
        f"written {time.strftime('%Y-%m-%d')}"
    )


if __name__ == "__main__":  # regenerate (a deliberate change, or a new numerics class)
    reset = "--reset" in sys.argv[1:]
    here = {
        "label": _machine_label(),
        "numerics": numerics_class(),
        "scenarios": {name: run(name)[0] for name in SCENARIOS},
    }
    kept = [] if reset else [g for g in golden_sets() if g["numerics"] != here["numerics"]]
    GOLDEN.write_text(
        json.dumps({"sets": [*kept, here]}, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {GOLDEN}: {here['label']}, class {here['numerics']} ({len(kept)} other sets kept)",
          file=sys.stderr)  # fmt: skip
