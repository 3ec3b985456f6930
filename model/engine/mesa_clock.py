"""One Mesa step without Mesa's event loop, for a model whose only event due is its own step.

Mesa 3.5 runs ``model.step()`` through its event loop: ``Model._advance_time`` pops the next
event, moves the clock to its time and executes it; the model's default step schedule (an
``EventGenerator`` every 1.0 time units) runs the step, counts it and schedules the next. When
that step is the only event due, :func:`step_direct` does the same, in the same order and by the
same calls where they are Mesa's, without the loop — which, measured at 3,000 clients between
real months, costs 16–20 µs a month (about 5 µs timed around empty steps: between real months,
presumably, its interpreter code and objects have been evicted by the month's passes), where
this costs 1–2. :meth:`model.engine.retention_model.RetentionModel.run` asks
:func:`own_step_due` before every month and goes through the loop whenever it says no, so either
way leaves the same clock, events and results (``tests/test_mesa_clock.py`` runs each case both
ways: events of the user's before or during a run, a stopped or paused schedule, a step that
raises, a copy taken inside a step).

This reads Mesa's private scheduling attributes (``_default_schedule``, ``_event_list``,
``_current_event``…); with a Mesa whose internals differ, :func:`own_step_due` says no and every
month goes through the loop.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import mesa
from mesa.time.events import Event

__all__ = [
    "HorizonClock",
    "begin_direct",
    "drop_cancelled",
    "end_direct",
    "own_step_due",
    "step_direct",
]

#: Mesa's log of each step (``Model._do_step`` writes to it at INFO): if on, the loop writes it.
_MESA_LOG = logging.getLogger("MESA.mesa.model")


def drop_cancelled(model: mesa.Model) -> None:
    """Take cancelled events out of ``model``'s event list (they never run; the loop skips them
    as they come due), so that :func:`own_step_due` finds the model's step alone."""
    try:
        queue = model._event_list
        if any(event.CANCELED for event in queue._events):
            queue.compact()
    except AttributeError:  # another Mesa
        pass


def own_step_due(model: mesa.Model) -> bool:
    """Whether Mesa's next event is ``model``'s own next step and nothing else is due.

    True when the event list holds exactly one event, the model's default step schedule's (a
    step every 1.0; active, not paused, with no count or end), due at the next whole time unit,
    with no simulator attached, ``step`` not replaced and Mesa's step log off. Anything else, or
    a Mesa whose internals differ: False.
    """
    try:
        gen = model._default_schedule
        due = gen._current_event
        events = model._event_list._events
        schedule = gen.schedule
        return (
            len(events) == 1
            and events[0] is due
            and due.time == model.time + 1.0
            and gen._active
            and not gen._paused
            and schedule.interval == 1.0  # (a callable interval is not 1.0)
            and schedule.count is None
            and schedule.end is None
            and model._simulator is None
            and model.step == model._wrapped_step
            and not _MESA_LOG.isEnabledFor(logging.INFO)
        )
    except AttributeError:  # another Mesa: its own event loop then
        return False


def step_direct(model: mesa.Model) -> None:
    """One step of ``model`` as Mesa's loop runs it when :func:`own_step_due` says yes.

    The event popped, the clock moved to its time, the step counter advanced
    (``Model._do_step``), the step run, the execution counted and the next event scheduled one
    time unit on (:func:`begin_direct`, the step, :func:`end_direct`). An error in the step
    leaves the event popped and nothing rescheduled, as the loop does.
    """
    due = begin_direct(model)
    model._user_step()
    end_direct(model, due)


def begin_direct(model: mesa.Model) -> Any:
    """What Mesa's loop does before ``model``'s step (:func:`own_step_due` said yes): the event
    popped, the clock moved to its time, the step counter advanced. Returns the event."""
    due = heappop(model._event_list._events)
    model.time = due.time
    model.steps += 1  # (Model._do_step)
    return due


def end_direct(model: mesa.Model, due: Any) -> None:
    """What Mesa's loop does after the step that :func:`begin_direct` began: the execution
    counted, the next event scheduled one time unit on.

    The schedule makes a new event for that; here the one just run is given the next time and a
    new id from the same counter, which makes it, field by field, the event the schedule would
    have made (a new event costs 8 µs between real months) — unless the step stopped, paused or
    rescheduled the schedule, when the schedule's own call makes it, as in the loop. (The loop
    then sets the time it ran to: the same value, which Mesa signals only on a change.)
    """
    gen = model._default_schedule
    gen._execution_count += 1
    if gen._current_event is due and gen._active and not gen._paused and not due.CANCELED:
        due.time = model.time + 1.0
        due.unique_id = next(Event._ids)
        heappush(model._event_list._events, due)
    else:
        gen._schedule_next(model.time + 1.0)


class HorizonClock:
    """Mesa's ``run_for`` and ``run_until`` for a model with a horizon (``months``, ``month``):
    told once where they pass it, not once a step from inside Mesa; the clock runs on to the
    end asked for, the months stop at the horizon (its ``step`` warns and does nothing)."""

    months: int
    month: int
    time: float

    def run_for(self, duration: float) -> None:
        """Mesa's ``run_for``, told once where it passes the horizon."""
        run = super().run_for  # type: ignore[misc]
        self._told(f"run_for({duration!r})", self.time + duration, run, duration)

    def run_until(self, end_time: float) -> None:
        """Mesa's ``run_until``, told once where it passes the horizon."""
        self._told(f"run_until({end_time!r})", end_time, super().run_until, end_time)  # type: ignore[misc]

    def _told(self, call: str, end: float, mesa_run: Callable[[float], None], arg: float) -> None:
        left = self.months - self.month
        if int(end) - int(self.time) > left:  # (a step falls due at each whole time unit)
            warnings.warn(
                f"{call}: the horizon (run.months = {self.months}) leaves {left} month"
                f"{'s' * (left != 1)}; the clock runs on to {end:g}, no month past it is simulated",
                stacklevel=3,
            )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", r"step\(\): the horizon", UserWarning)
            mesa_run(arg)
