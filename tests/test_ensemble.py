"""Many runs together give each run's own numbers: simulate_many and shared draws change nothing.

``simulate_many`` runs scenarios of the same seed one after another so that they share their
random draws, starting market and network (``model.engine.sharing``). Every run must still equal
the run made alone, with nothing shared, to the last bit — on mixed parameter points, seeds,
sizes and horizons.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario

from model.engine import sharing
from model.engine.randomness import Streams
from model.engine.retention_model import RetentionModel
from model.scenario import Scenario
from model.studies.run import simulate, simulate_many


def _mixed() -> list[Scenario]:
    base = {"market.clients": 400, "run.months": 8}
    points = [
        {"run.seed": 1},
        {"run.seed": 2, "levers.service_level": "wow"},
        {"run.seed": 1, "levers.loyalty_discount": 0.1, "targeting.loyalty": "at_risk"},
        {"run.seed": 3, "levers.empowerment_budget": 0.0, "word_of_mouth.network": "scale_free"},
        {"run.seed": 1, "market.clients": 250},  # another size: shares nothing with the 400s
        {"run.seed": 2, "run.months": 5, "levers.ad_budget": 4.0},  # another horizon
        {"run.seed": 2, "market.initial_active_share": 0.9},  # another starting market
    ]
    scenarios = [small_scenario({**base, **p}) for p in points]
    shocks = [{"kind": "poaching", "start": 3, "months": 2, "size": 0.1}]
    sched = [{"month": 4, "set": {"service_level": "low"}}]
    scenarios.append(
        Scenario.build({**scenarios[0].model_dump(), "shocks": shocks, "schedule": sched})
    )
    return scenarios


@pytest.fixture
def nothing_shared(monkeypatch: pytest.MonkeyPatch):
    """Runs made alone: the shared store switched off and emptied."""
    sharing.clear()
    monkeypatch.setattr(sharing._STORE, "max_bytes", 0)
    yield
    sharing.clear()


def test_ensemble_runs_equal_their_solo_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    scenarios = _mixed()
    sharing.clear()
    together = simulate_many(scenarios)
    assert [r.scenario for r in together] == scenarios  # results in the order given
    sharing.clear()
    monkeypatch.setattr(sharing._STORE, "max_bytes", 0)
    for scenario, run in zip(scenarios, together, strict=True):
        alone = simulate(scenario)
        pd.testing.assert_frame_equal(run.timeseries, alone.timeseries, check_exact=True)
        assert run.summary == alone.summary or all(
            a == b or (a != a and b != b)
            for a, b in zip(run.summary.values(), alone.summary.values(), strict=True)
        )


def test_a_second_run_of_a_seed_equals_the_first_to_the_last_bit(nothing_shared) -> None:
    s = small_scenario({"market.clients": 300, "run.months": 6, "run.seed": 9})
    alone = RetentionModel(s).run()
    alone_state = alone.clients.snapshot()
    sharing._STORE.max_bytes = 64 * 2**20
    first, second = RetentionModel(s).run(), RetentionModel(s).run()
    assert sharing._STORE.items  # the second run found the first's draws
    for model in (first, second):
        pd.testing.assert_frame_equal(model.timeseries(), alone.timeseries(), check_exact=True)
        state = model.clients.snapshot()
        assert all(np.array_equal(state[k], alone_state[k]) for k in alone_state)


def test_draws_are_read_only_and_seeds_shared(nothing_shared) -> None:
    sharing._STORE.max_bytes = 2**20
    u = Streams(4).uniform("retain.churn", 3, 100)
    assert np.array_equal(u, Streams(4).uniform("retain.churn", 3, 100))
    with pytest.raises(ValueError, match="read-only"):
        u[0] = 0.5
    # What is kept is the streams' seeding (SeedSequence words for a block of months).
    words = Streams(4)._block("retain.churn", 3)
    assert words is Streams(4)._block("retain.churn", 3) and not words.flags.writeable


def test_the_store_keeps_within_its_budget() -> None:
    store = sharing._Store(max_bytes=250)
    for k in range(5):
        store.get(k, lambda k=k: np.zeros(10 + k), lambda a: a.nbytes)
    assert store.bytes <= 250 and list(store.items) == [3, 4]  # least recently used went first
    built = []
    store.get("big", lambda: built.append(1) or np.zeros(1000), lambda a: a.nbytes)
    assert "big" not in store.items and built == [1]  # too big to keep, still returned
