"""``RetentionModel.run`` keeps Mesa's clock as Mesa's event loop would, and uses that loop
whenever anything else is due: a user's event, a changed schedule, a simulator, the step log."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from model.engine.retention_model import RetentionModel
from model.scenario import Scenario


def _scenario(months: int = 8) -> Scenario:
    return Scenario().with_overrides({"market.clients": 300, "run.months": months, "run.seed": 4})


def _clock(model: RetentionModel) -> tuple:
    gen = model._default_schedule
    return (model.steps, model.time, model.month, gen.next_scheduled_time, gen.execution_count)


def test_run_leaves_the_clock_where_stepping_through_mesa_leaves_it() -> None:
    direct, stepped = RetentionModel(_scenario()), RetentionModel(_scenario())
    assert direct._only_own_schedule()
    direct.run(months=3)
    for _ in range(3):
        stepped.step()  # Mesa's wrapped step: through its event list
    assert _clock(direct) == _clock(stepped) == (3, 3.0, 3, 4.0, 3)
    direct.step()  # a step after run: one month, on Mesa's clock
    direct.run()
    for _ in range(5):
        stepped.step()
    assert _clock(direct) == _clock(stepped) == (8, 8.0, 8, 9.0, 8)
    pd.testing.assert_frame_equal(direct.timeseries(), stepped.timeseries())
    assert direct.datacollector._collection_steps == [float(m) for m in range(1, 9)]


def test_an_event_of_the_users_runs_at_its_time() -> None:
    model = RetentionModel(_scenario())
    seen: list[tuple[float, int]] = []

    def note() -> None:
        seen.append((model.time, model.month))

    model.schedule_event(note, at=2.5)
    assert not model._only_own_schedule()  # so run() goes through Mesa's event list
    model.run()
    assert seen == [(2.5, 2)] and _clock(model) == (8, 8.0, 8, 9.0, 8)


def test_a_cancelled_event_or_a_stopped_schedule_is_not_waited_for() -> None:
    model = RetentionModel(_scenario())

    def nothing() -> None:
        pass

    model.schedule_event(nothing, at=3.0).cancel()
    assert model._only_own_schedule()
    model._default_schedule.stop()  # Mesa's steps stopped: run() goes through the event list
    assert not model._only_own_schedule()
    model.run()  # where nothing is due: no month runs, as in Mesa
    assert model.month == 0 and model.steps == 0


def test_the_step_log_on_takes_mesas_own_loop() -> None:
    log = logging.getLogger("MESA.mesa.model")
    before = log.level
    log.setLevel(logging.INFO)
    try:
        assert not RetentionModel(_scenario())._only_own_schedule()
    finally:
        log.setLevel(before)


def test_a_step_that_raises_leaves_the_clock_at_the_months_begun() -> None:
    def broken(ctx) -> None:
        if ctx.month == 3:
            raise RuntimeError("phase failed")

    from model.engine.phases import PHASES

    model = RetentionModel(_scenario(), phases=(*PHASES, ("broken", broken)))
    with pytest.raises(RuntimeError, match="phase failed"):
        model.run()
    # Months 1 and 2 done, month 3 begun: Mesa's loop would stand at time 3 with 2 executions.
    assert (model.steps, model.time, model.month) == (3, 3.0, 3)
    assert model._default_schedule.next_scheduled_time == 4.0
    assert np.isfinite(model.results["npv"][:2]).all()
