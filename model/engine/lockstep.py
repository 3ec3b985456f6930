"""Many small models run together: each month, each phase for every model in turn.

A run's month is about twenty compiled passes, each wrapped in a few microseconds of Python; in a
small market that Python, and the caches it and the passes' machine code need, are most of the
month. Run one after another, each model's month finds them cold. Run in lockstep — the month
opened for every model, then the first phase for every model, then the second… — each phase's
code runs several times while it is warm. Models of the same seed and market size (a paired
comparison's arms) draw the same per-client uniforms, so within a phase the first to draw one
lends it to the others (:func:`_draw_pools`). The models share no state they write (each has its
own arrays, streams and scratch; what runs of one seed share — seed words, which are frozen, the
network, which no phase writes, and a phase's draws, read-only — is only read), so every model
computes exactly the numbers of its own :meth:`~model.engine.retention_model.RetentionModel.run`
(``tests/test_lockstep.py``, ``tests/test_ensemble.py``). Measured at 3,000 clients × 120
months: the benchmark's 64-run ensemble ran at 28.0–30.3 runs/s against 21.0–24.6 one after
another with the version before (interleaved; a tenth of that from ``run()`` without Mesa's
loop); a first sketch ran groups of 4–8 a fifth faster than one after another, pairs almost as
fast, groups of 16 a little slower. Lending the draws: 29.7–31.5 → 32.3–33.3 runs/s (three
interleaved pairs of runs).

Mesa's clock is kept as ``run()`` keeps it (:mod:`model.engine.mesa_clock`); a model with
anything else due that month steps it alone through ``model.step()`` and one with a ``step`` of
its own through its ``run(months=1)``; models whose phases are not the first model's run theirs
after the others, one model at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from model.engine.mesa_clock import begin_direct, drop_cancelled, end_direct, own_step_due
from model.engine.retention_model import RetentionModel

__all__ = ["run_together"]


def run_together(
    models: Sequence[RetentionModel], watch: Callable[[RetentionModel], None] | None = None
) -> None:
    """Run every model to its horizon, phase by phase across the models.

    Parameters
    ----------
    models : sequence of RetentionModel
        Distinct models (any horizons, sizes and scenarios); each ends where its own ``run()``
        would have left it, with the same numbers. If a phase raises, the error propagates and
        the models are left mid-month (drivers discard them).
    watch : callable, optional
        Called with each model before its first month and after each of its months (where a
        loop of ``model.step()`` would look at it between steps), to read it; it must not
        change the model.
    """
    models = list(models)
    if len({id(m) for m in models}) != len(models):
        raise ValueError("run_together: the same model was given twice")
    for m in models:
        drop_cancelled(m)
        m._deferring = True  # the collectors copy the months' rows once, at the end
    # As run() does: as many rounds for each model as it has months left (a model whose clock
    # does not advance, its schedule stopped, uses its rounds up as run() would).
    left = [max(m.months - m.month, 0) for m in models]
    try:
        if watch is not None:
            for m in models:
                watch(m)
        while any(left):
            together = []
            for i, m in enumerate(models):
                if not left[i]:
                    continue
                left[i] -= 1
                if type(m).step is not RetentionModel.step:  # a step of its own: as run() would
                    m.run(months=1)
                elif own_step_due(m):
                    due = begin_direct(m)
                    if m.open_month():
                        together.append((m, due))
                        continue
                    end_direct(m, due)  # (past its horizon: as its step would return)
                else:
                    m.step()  # something else due, or stopped: Mesa's loop, this month alone
                if watch is not None:
                    watch(m)
            if together:
                _phases_together([m for m, _ in together])
                for m, due in together:
                    m.close_month()
                    end_direct(m, due)
                    if watch is not None:
                        watch(m)
    finally:
        for m in models:
            m._collect_deferred()


def _phases_together(models: list[RetentionModel]) -> None:
    """The month's phases of ``models`` (each opened), each phase for every model in turn;
    models with phases of their own run theirs after, one model at a time."""
    shared = models[0].month_steps()
    same = [m for m in models if m.month_steps() == shared]
    pools = _draw_pools(same)
    try:
        for _name, phase in shared:
            for m in same:
                m.ctx.work.taken = 0  # (ctx.begin_phase(), inline)
                phase(m.ctx)
            for pool in pools:
                pool.clear()  # (the next phase's draws are other decisions, or other rows)
    finally:
        for m in same:
            m.ctx.shared_draws = None
    for m in models:
        if m.month_steps() != shared:
            m.run_phases()


def _draw_pools(models: list[RetentionModel]) -> list[dict]:
    """Give the models that draw the same numbers one pool of the phase's draws.

    A month's per-client draws depend only on the seed, the decision, the month and the client
    (:mod:`model.engine.randomness`), so models of the same seed and market size — the arms of a
    paired comparison, a calibration's or an optimizer's evaluations on common random numbers —
    draw the same arrays: the first to ask for one in a phase draws it, the others read it
    (:meth:`model.engine.context.Context.uniform`). Returns the pools (one per group of two
    or more), to be emptied after each phase; the caller sets ``ctx.shared_draws`` back to None.
    """
    groups: dict[tuple, list[RetentionModel]] = {}
    for m in models:
        streams = m.ctx.streams
        groups.setdefault((type(streams), streams.seed, m.clients.n), []).append(m)
    pools = []
    for group in groups.values():
        if len(group) > 1:
            pool: dict = {}
            for m in group:
                m.ctx.shared_draws = pool
            pools.append(pool)
    return pools
