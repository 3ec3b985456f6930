"""Models run together phase by phase (``model.engine.lockstep``) end as each one's own ``run()``.

Each case builds the same models twice: one set run together, the other each by its own
``run()``; every model's results, collector and Mesa clock must be the same. The group mixes what
the driver must notice: other sizes and horizons, an event of the user's, a step that stops its
schedule, phases of a model's own, a subclass with its own ``step``.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from model.engine.lockstep import run_together
from model.engine.phases import PHASES
from model.engine.randomness import Streams
from model.engine.retention_model import RetentionModel
from model.scenario import Scenario
from model.studies.run import simulate_many


def _scenario(**overrides) -> Scenario:
    values = {"market.clients": 300, "run.months": 8, "run.seed": 5, **overrides}
    return Scenario().with_overrides(values)


class _OwnStep(RetentionModel):
    """A model whose step does something of its own around the month."""

    def step(self) -> None:
        super().step()
        self.extra = getattr(self, "extra", 0) + 1


def _stopper(model_box: list) -> tuple:
    def stop(ctx) -> None:
        if ctx.month == 3:
            model_box[0]._default_schedule.stop()

    return (*PHASES, ("stop", stop))


def _group() -> list[RetentionModel]:
    seen: list[float] = []
    box: list = []
    models = [
        RetentionModel(_scenario()),
        RetentionModel(_scenario(**{"run.seed": 6, "levers.service_level": "wow"})),
        RetentionModel(_scenario(**{"market.clients": 200, "run.months": 5})),
        RetentionModel(_scenario(**{"run.seed": 7}), phases=(*PHASES, ("noop", lambda ctx: None))),
        _OwnStep(_scenario(**{"run.seed": 8})),
    ]
    stopped = RetentionModel(_scenario(**{"run.seed": 9}), phases=_stopper(box))
    box.append(stopped)
    models.append(stopped)

    def note() -> None:
        seen.append(models[0].time)

    models[0].schedule_event(note, at=2.5)
    models[0]._note, models[0]._seen = note, seen  # (kept alive: Mesa holds events weakly)
    return models


def _clock(m: RetentionModel) -> tuple:
    gen = m._default_schedule
    return (m.steps, m.time, m.month, gen.execution_count, gen.next_scheduled_time, gen.is_active)


def test_models_run_together_end_as_their_own_runs() -> None:
    together, alone = _group(), _group()
    run_together(together)
    for m in alone:
        m.run()
    for a, b in zip(together, alone, strict=True):
        assert _clock(a) == _clock(b)
        pd.testing.assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)
        assert a.datacollector._collection_steps == b.datacollector._collection_steps
        for name, values in a.datacollector.model_vars.items():
            assert np.array_equal(values, b.datacollector.model_vars[name], equal_nan=True)
    assert together[0]._seen == [2.5] and together[4].extra == 8
    assert together[5].month == 3  # its schedule stopped in month 3, as in its own run


def test_simulate_many_in_any_group_size_gives_the_same_runs() -> None:
    scenarios = [
        _scenario(**{"run.seed": s, "levers.loyalty_discount": d})
        for s in (1, 2, 3)
        for d in (0.0, 0.1)
    ]
    one = simulate_many(scenarios, together=1)
    for size in (2, 4, 8):
        for a, b in zip(simulate_many(scenarios, together=size), one, strict=True):
            pd.testing.assert_frame_equal(a.timeseries, b.timeseries, check_exact=True)


def test_bad_groups_are_refused() -> None:
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match="allowed: an integer ≥ 1"):
            simulate_many([_scenario()], together=bad)
    m = RetentionModel(_scenario())
    with pytest.raises(ValueError, match="the same model was given twice"):
        run_together([m, m])


def test_a_model_past_its_horizon_is_left_as_its_run_leaves_it() -> None:
    # (months lowered by hand after a run: run() does nothing; run_together did not end)
    past, alone = RetentionModel(_scenario()).run(), RetentionModel(_scenario()).run()
    past.months = alone.months = 4
    other = RetentionModel(_scenario(**{"run.seed": 6}))
    run_together([past, other])
    alone.run()
    assert _clock(past) == _clock(alone) and other.month == 8


def test_watch_sees_each_model_where_a_step_loop_would() -> None:
    """watch: before the first month and after each, whichever way a model's month runs (together,
    Mesa's loop for a user's event, a step of its own); what it sees is what a loop of step() sees."""
    together, alone = _group(), _group()
    seen: dict[int, list] = {id(m): [] for m in together}

    def look(m: RetentionModel) -> tuple:
        return (m.month, m.time, float(m.clients.value.sum()), int(m.ctx.served.sum()))

    run_together(together, watch=lambda m: seen[id(m)].append(look(m)))
    for a, b in zip(together, alone, strict=True):
        wanted = [look(b)]
        for _ in range(max(b.months - b.month, 0)):
            b.step()
            wanted.append(look(b))
        assert seen[id(a)] == wanted


def _fills(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str, int]]:
    """Every per-client stream drawn from now on, as (seed, decision, month) (the staff's
    quits, a draw per staff member into the stream's own buffer, left out)."""
    seen: list[tuple[int, str, int]] = []
    draw = Streams.uniform_into

    def spy(self, decision, month, out):
        if not decision.startswith("staff."):
            seen.append((self.seed, decision, month))
        return draw(self, decision, month, out)

    monkeypatch.setattr(Streams, "uniform_into", spy)
    return seen


def test_models_of_one_seed_draw_each_stream_once_a_phase(monkeypatch) -> None:
    """Arms of one seed and size draw a month's streams once between them (and still end as
    their own runs); other seeds or sizes draw their own."""
    arms = [_scenario(), _scenario(**{"levers.loyalty_discount": 0.1})]
    alone = [RetentionModel(s).run() for s in arms]
    fills = _fills(monkeypatch)
    RetentionModel(arms[0]).run()
    once = sorted(fills)
    fills.clear()
    together = [RetentionModel(s) for s in arms]
    run_together(together)
    assert sorted(fills) == once  # (the arms draw the same decisions here)
    for a, b in zip(together, alone, strict=True):
        pd.testing.assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)
        assert a.ctx.shared_draws is None
    fills.clear()
    others = [_scenario(**{"run.seed": 6}), _scenario(**{"market.clients": 200})]
    run_together([RetentionModel(arms[0]), *map(RetentionModel, others)])
    assert len(fills) == 3 * len(once)


def test_arms_that_draw_other_decisions_or_stand_at_other_months_end_as_alone() -> None:
    """Runs of one seed lend each other only what they both draw: an arm with a poaching raid
    (its own stream), one without word of mouth (none of its streams), and one already some
    months in (other months' draws) each end as their own run."""
    scenarios = [
        Scenario.build(
            {
                "market": {"clients": 300},
                "run": {"months": 8, "seed": 5},
                "shocks": [{"kind": "poaching", "start": 2, "months": 3, "size": 0.2}],
            }
        ),
        _scenario(**{"word_of_mouth.enabled": False}),
        _scenario(),
        _scenario(**{"levers.service_level": "wow"}),
    ]
    alone = [RetentionModel(s).run() for s in scenarios]
    together = [RetentionModel(s) for s in scenarios]
    together[3].run(months=3)  # three months ahead of the others
    run_together(together)
    for a, b in zip(together, alone, strict=True):
        pd.testing.assert_frame_equal(a.timeseries(), b.timeseries(), check_exact=True)


def test_a_failing_phase_leaves_no_models_sharing_draws() -> None:
    def fail(ctx) -> None:
        if ctx.month == 2:
            raise RuntimeError("boom")

    phases = (*PHASES, ("fail", fail))
    models = [RetentionModel(_scenario(), phases=phases) for _ in range(2)]
    with pytest.raises(RuntimeError, match="boom"):
        run_together(models)
    assert [m.ctx.shared_draws for m in models] == [None, None]
    models[0].ctx.shared_draws = {("retain.churn", 2): None}  # as inside a phase
    assert copy.deepcopy(models[0].ctx).shared_draws is None  # a copy keeps no lent draws
