"""The compiled engine equals its numpy reference, run for run, bit for bit.

Every phase with compiled kernels keeps its numpy body as ``step_numpy`` (and the metrics their
``compute_numpy``). Here each scenario runs twice — once as the engine runs, once with every
phase's numpy reference in its place — and every monthly metric and every client and staff array
must be equal to the last bit (compared as bytes, so −0.0 against 0.0 counts). The references
still call the few compiled helpers every path shares (the keyed hash of ``uniform_at``, the
empowered-spend walk, the referrer pick, the month's opening pass, the network build); each of
those is compared with its own numpy reference in ``tests/test_kernels.py``. The golden values (``test_engine_golden.py``) pin today's numbers
for seven scenarios; this test also covers mechanisms they leave quiet (incidents dear and
frequent, so empowered staff run out of money; targeted budgets; word of mouth off; the fully
mixed market; a market with nobody served).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from model.engine import metrics
from model.engine import retention_model as rm
from model.engine.phases import PHASES
from model.engine.retention_model import RetentionModel
from model.engine.state import Reason
from model.scenario import Scenario
from tests.test_engine_golden import SCENARIOS, build

#: Phases replaced by their numpy reference (every phase that has one).
REFERENCE_PHASES = tuple(
    (name, getattr(__import__(step.__module__, fromlist=["_"]), "step_numpy", step))
    for name, step in PHASES
)

_SMALL: dict[str, Any] = {"market.clients": 1_500, "run.months": 24}

#: Scenarios beyond the golden ones: mechanisms those leave quiet, and edge cases.
EXTRA: dict[str, dict[str, Any]] = {
    "incidents_dear": {
        **_SMALL,
        "run.seed": 21,
        "service.incident_rate_max": 0.6,
        "service.fix_cost_mean": 400.0,
        "levers.empowerment_budget": 500.0,
        "levers.empowerment_cap": 900.0,
        "targeting.empowerment": "top_value",
        "targeting.share": 0.5,
    },
    "word_of_mouth_off": {**_SMALL, "run.seed": 22, "word_of_mouth.enabled": False},
    "negative_only": {**_SMALL, "run.seed": 23, "word_of_mouth.positive": False},
    "fully_mixed": {
        **_SMALL,
        "market.clients": 400,
        "run.seed": 24,
        "word_of_mouth.network": "full",
    },
    "nobody_served": {
        **_SMALL,
        "run.seed": 25,
        "market.initial_active_share": 0.0,
        "levers.ad_budget": 0.0,
    },
}


def _state(model: RetentionModel) -> dict[str, np.ndarray]:
    arrays = dict(model.clients.snapshot())
    arrays.update({f"staff.{k}": v for k, v in model.staff_state.snapshot().items()})
    return arrays


def _run(scenario: Scenario, reference: bool, monkeypatch: pytest.MonkeyPatch) -> RetentionModel:
    with monkeypatch.context() as patch:
        if reference:
            patch.setattr(rm, "compute_into", metrics.compute_numpy_into)
        phases = REFERENCE_PHASES if reference else PHASES
        return RetentionModel(scenario, phases=phases).run()


#: Raids for good overlapping a passing one, with every lapsed client otherwise back within
#: months: the reasons the raids give and the returns they bar, whole runs long.
_RAIDS = (
    {"market.clients": 2_000, "run.months": 30, "run.seed": 6, "win_back.natural_return": 0.4},
    [
        {"kind": "poaching", "start": 3, "months": 3, "size": 0.2, "permanent": True},
        {"kind": "poaching", "start": 4, "months": 4, "size": 0.3},
    ],
)


def _scenarios() -> list[tuple[str, Scenario]]:
    named = [(name, build(name)) for name in SCENARIOS if name != "market_100k"]
    named += [(name, Scenario().with_overrides(o)) for name, o in EXTRA.items()]
    settings, raids = _RAIDS
    base = Scenario().with_overrides(settings)
    named.append(("raids_for_good", Scenario.build({**base.model_dump(), "shocks": raids})))
    return named


@pytest.mark.parametrize(
    ("name", "scenario"), _scenarios(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_compiled_engine_equals_numpy_reference(
    name: str, scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = _run(scenario, False, monkeypatch)
    reference = _run(scenario, True, monkeypatch)
    for metric, values in reference.results.items():
        _assert_same_bits(compiled.results[metric], values, metric)
    if name == "incidents_dear":  # the case is what it says: money runs out, all three endings
        for tally in ("fixed_on_spot", "escalated", "unfixed"):
            assert np.nansum(compiled.results[tally]) > 0, tally
    if name == "raids_for_good":  # the case is what it says: some gone for good, some back
        reason = compiled.clients.left_reason
        assert np.count_nonzero(reason == Reason.GONE_FOR_GOOD) > 0
        assert np.nansum(compiled.results["won_back"]) > 0
    ref_state = _state(reference)
    for array, values in _state(compiled).items():
        _assert_same_bits(values, ref_state[array], array)


def _assert_same_bits(got: np.ndarray, want: np.ndarray, what: str) -> None:
    assert got.dtype == want.dtype, what
    if got.tobytes() != want.tobytes():
        np.testing.assert_array_equal(got, want, err_msg=what)  # names the elements that differ
        raise AssertionError(f"{what}: equal values, different bits (a -0.0 or a NaN payload)")


def test_every_compiled_phase_has_its_numpy_reference() -> None:
    """Guard against a vacuous comparison: a phase whose ``step_numpy`` went missing would be
    compared with itself. Innovate has no kernel (a few scalar draws a month)."""
    pairs = zip(PHASES, REFERENCE_PHASES, strict=True)
    referenced = {name for (name, step), (_, ref) in pairs if ref is not step}
    assert referenced == {name for name, _ in PHASES} - {"innovate"}
    assert getattr(metrics, "compute_numpy", None) is not None
