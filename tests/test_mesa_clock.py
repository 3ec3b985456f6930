"""``RetentionModel.run`` leaves everything as Mesa's event loop would.

``run()`` steps a month itself when the model's own step is the only event due
(``model.engine.mesa_clock``) and through Mesa's loop (``model.step()``) otherwise. Each case
here runs the same model both ways — ``run()``, and ``step()`` month by month, which is always
Mesa's loop — and compares what either leaves: the clock (steps, time, month, the step
schedule's count, next time and whether it is active), the events still due, what a user's
event saw, the results and the collector. The cases are what the direct path must notice: an
event scheduled before the run or by a step, a stopped or paused schedule, a step that raises, a
copy taken inside a step, a cancelled event, Mesa's step log.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from mesa.time.events import Priority

from model.engine import mesa_clock, retention_model
from model.engine.phases import PHASES
from model.engine.retention_model import RetentionModel
from model.scenario import Scenario

MONTHS = 8


class _Run:
    """A model whose month ends with ``hook(run, month)``, and what its events saw."""

    def __init__(self, hook: Callable[[_Run, int], None] | None = None) -> None:
        self.hook = hook
        self.seen: list[tuple[float, int, int]] = []
        self.copies: list[RetentionModel] = []
        scenario = Scenario().with_overrides(
            {"market.clients": 300, "run.months": MONTHS, "run.seed": 4}
        )
        phases = (*PHASES, ("hook", self._hook)) if hook else None
        self.model = RetentionModel(scenario, phases=phases)

    def _hook(self, ctx) -> None:
        self.hook(self, ctx.month)

    def note(self) -> None:
        """A user's event: records when it ran (time, month, steps)."""
        m = self.model
        self.seen.append((m.time, m.month, m.steps))


def _state(run: _Run) -> tuple:
    m = run.model
    gen = m._default_schedule
    # The live events in the order the loop will run them (time, priority, then creation).
    due = [(e.time, _name(e)) for e in sorted(m._event_list._events) if not e.CANCELED]
    return (
        m.steps,
        m.time,
        m.month,
        gen.execution_count,
        gen.next_scheduled_time,
        gen.is_active,
        due,
        run.seen,
    )


def _name(event) -> str:
    fn = event.fn() if event.fn is not None else None
    return getattr(fn, "__name__", "?")


def _same(direct: _Run, mesa: _Run) -> None:
    assert _state(direct) == _state(mesa)
    pd.testing.assert_frame_equal(direct.model.timeseries(), mesa.model.timeseries())
    for a, b in ((direct.model.datacollector, mesa.model.datacollector),):
        assert a._collection_steps == b._collection_steps
        for name, values in a.model_vars.items():
            assert np.array_equal(values, b.model_vars[name], equal_nan=True), name


def _both(hook=None, before=None, months: int | None = None) -> tuple[_Run, _Run]:
    """The same model run by ``run()`` and by ``step()`` month by month; ``before`` is applied
    to each first."""
    direct, mesa = _Run(hook), _Run(hook)
    for r in (direct, mesa):
        if before:
            before(r)
    direct.model.run(months)
    for _ in range(MONTHS if months is None else months):
        mesa.model.step()
    return direct, mesa


def test_a_plain_run_steps_every_month_directly_and_leaves_mesas_clock(monkeypatch) -> None:
    direct, mesa = _Run(), _Run()
    calls = []
    monkeypatch.setattr(
        retention_model, "step_direct", lambda m: (calls.append(1), mesa_clock.step_direct(m))
    )
    direct.model.run(months=3)
    direct.model.step()  # a step after run: one month, through Mesa's loop
    direct.model.run()
    for _ in range(MONTHS):
        mesa.model.step()
    assert len(calls) == MONTHS - 1  # every month run() stepped, without the loop
    _same(direct, mesa)
    assert _state(direct)[:6] == (MONTHS, float(MONTHS), MONTHS, MONTHS, MONTHS + 1.0, True)


def test_an_event_scheduled_before_the_run_runs_at_its_time() -> None:
    direct, mesa = _both(before=lambda r: r.model.schedule_event(r.note, at=2.5))
    assert direct.seen == [(2.5, 2, 2)]
    _same(direct, mesa)


def test_an_event_a_step_schedules_runs_at_its_time() -> None:
    def hook(run: _Run, month: int) -> None:
        if month in (1, 4):
            run.model.schedule_event(run.note, at=run.model.time + 0.5)

    direct, mesa = _both(hook)
    assert direct.seen == [(1.5, 1, 1), (4.5, 4, 4)]
    _same(direct, mesa)


def test_an_event_due_with_the_next_step_runs_in_mesas_order() -> None:
    """Tied with the next step in time and priority, the event made first runs first: the
    user's, made during the step, before the step's next event, made after it."""

    def hook(run: _Run, month: int) -> None:
        if month == 2:
            run.model.schedule_event(run.note, at=run.model.time + 1.0, priority=Priority.HIGH)

    direct, mesa = _both(hook, months=2)
    assert _state(direct)[6] == [(3.0, "note"), (3.0, "_execute_and_reschedule")]
    _same(direct, mesa)
    direct.model.run()
    for _ in range(MONTHS - 2):
        mesa.model.step()
    assert direct.seen == [(3.0, 2, 2)]  # before month 3
    _same(direct, mesa)


@pytest.mark.parametrize("how", ["stop", "pause"])
def test_a_step_that_stops_or_pauses_the_schedule_is_obeyed(how: str) -> None:
    def hook(run: _Run, month: int) -> None:
        if month == 2:
            getattr(run.model._default_schedule, how)()

    direct, mesa = _both(hook)
    assert direct.model.month == 2
    _same(direct, mesa)


def test_a_step_that_raises_leaves_the_clock_as_mesas_loop_does() -> None:
    def hook(run: _Run, month: int) -> None:
        if month == 3:
            raise RuntimeError("phase failed")

    direct, mesa = _Run(hook), _Run(hook)
    with pytest.raises(RuntimeError, match="phase failed"):
        direct.model.run()
    with pytest.raises(RuntimeError, match="phase failed"):
        for _ in range(MONTHS):
            mesa.model.step()
    assert direct.model.month == 3
    _same(direct, mesa)
    direct.model.run()  # and on from there, as Mesa goes on (its schedule lost its event)
    for _ in range(MONTHS - 3):
        mesa.model.step()
    _same(direct, mesa)


def test_a_copy_taken_inside_a_step_goes_on_as_mesas_would() -> None:
    def hook(run: _Run, month: int) -> None:
        if month == 3:
            run.copies.append(copy.deepcopy(run.model))

    direct, mesa = _both(hook)
    _same(direct, mesa)
    twins = []
    for r in (direct, mesa):
        twin = _Run()
        twin.model = r.copies[0]
        twin.model.step()  # through Mesa's loop in both
        twin.model.run()
        twins.append(twin)
    _same(*twins)
    # (Mesa's loop leaves such a copy with no step due: it runs no month more, either way.)
    assert twins[0].model.month == 3
    # A copy taken inside run() is not inside run(): a month it simulates is collected at once.
    twin = direct.copies[0]
    held = twin.datacollector.model_vars["npv"]
    RetentionModel.step(twin)  # the month itself, without Mesa's clock
    assert len(held) == 3


def test_a_cancelled_event_is_not_waited_for() -> None:
    def nothing() -> None:
        pass

    direct, mesa = _both(before=lambda r: r.model.schedule_event(nothing, at=3.0).cancel())
    _same(direct, mesa)


def test_with_mesas_step_log_on_every_month_goes_through_its_loop() -> None:
    log = logging.getLogger("MESA.mesa.model")
    before = log.level
    log.setLevel(logging.INFO)
    try:
        model = RetentionModel(Scenario().with_overrides({"market.clients": 300, "run.months": 2}))
        assert not mesa_clock.own_step_due(model)
    finally:
        log.setLevel(before)
