"""Worlds measured together (experiments.running.together) give every world what measuring it alone gives."""

from __future__ import annotations

import math
import threading

import pytest

import experiments.running.together as together
from experiments.claims import client_centric, retention_profit
from experiments.running.arms import arms, npv
from experiments.running.baseline import baseline_run
from experiments.running.together import measure_together, run_arms
from model import Scenario


def _bases(seeds=(3, 4, 5, 6)) -> list:
    base = Scenario().with_overrides({"market.clients": 200, "run.months": 24})
    return [(baseline_run(base.with_overrides({"run.seed": s})), s) for s in seeds]


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a
    )


@pytest.mark.parametrize("module", [retention_profit, client_centric], ids=lambda m: m.__name__)
def test_a_claims_readings_measured_together_are_those_measured_alone(module) -> None:
    calls = _bases()
    alone = [module.measure(*c) for c in calls]
    gathered = measure_together(module.measure, calls)
    assert all(_same(a, g) for a, g in zip(alone, gathered, strict=True))


def _chained(base, seed) -> float:
    """Two rounds of arms, the second set by the first; or none at all for odd seeds."""
    if seed % 2:
        return npv(base.run)
    first = arms(base.run, {"a": {"levers.service_level": 0.3}})["a"]
    churn = 0.01 if npv(first) > npv(base.run) else 0.03
    return npv(arms(base.run, {"b": {"retain.base_churn": churn}, "c": {}})["b"])


def test_measures_that_wait_twice_or_never_get_their_own_arms() -> None:
    calls = _bases((2, 3, 4, 7, 8))
    assert measure_together(_chained, calls) == [_chained(*c) for c in calls]


def test_an_arm_that_fails_fails_its_own_measure_only(monkeypatch) -> None:
    real = together.simulate_many
    finished: list[int] = []

    def failing(scenarios):
        if any(s.run.seed == 4 for s in scenarios):
            raise ValueError("seed 4 fails")
        return real(scenarios)

    def measure(base, seed):
        out = npv(arms(base.run, {"t": {"levers.service_level": 0.3}})["t"])
        finished.append(seed)
        return out

    monkeypatch.setattr(together, "simulate_many", failing)
    with pytest.raises(ValueError, match="seed 4 fails"):
        measure_together(measure, _bases())
    assert sorted(finished) == [3, 5, 6]  # every other world measured; none left waiting
    assert not any(t.name.startswith("measure") for t in threading.enumerate())


def test_outside_a_gathering_arms_run_at_once() -> None:
    (base, _), *_ = _bases((9,))
    measure_together(retention_profit.measure, _bases((10, 11)))  # leaves nothing behind
    [run] = run_arms([base.run.scenario])
    assert run.timeseries.equals(base.run.timeseries)


def _baseline_stepped(scenario: Scenario) -> dict[str, float]:
    """The baseline's extras as first written: a loop of ``model.step()`` looking between steps
    (the reference the watched, lockstep baselines must equal)."""
    import numpy as np

    from experiments.running.baseline import _top_fifth
    from experiments.running.lifetime import month_profit
    from model.engine.retention_model import RetentionModel

    model = RetentionModel(scenario)
    c, end = model.clients, model.months
    start_active = c.active_mask().copy()
    stayed, served_all = np.ones(c.n, bool), np.zeros(c.n, bool)
    served_last = np.zeros(c.n, bool)
    rev0, val0 = c.revenue_total.copy(), c.value.copy()
    snap: dict[str, np.ndarray] = {}
    contribution = np.zeros(c.n)
    while model.month < end:
        if model.month == end - 12:
            snap["rev_last"], snap["val_last"] = c.revenue_total.copy(), c.value.copy()
        before = c.value.copy()
        model.step()
        if model.month > end - 12:
            contribution += month_profit(model, before)
        served = model.ctx.served
        stayed &= served
        served_all |= served | c.joins
        if model.month > end - 12:
            served_last |= served | c.joins
        if model.month == 12:
            snap["rev_12"] = c.revenue_total.copy()
    rev, val = c.revenue_total - rev0, c.value - val0
    first = snap.get("rev_12", c.revenue_total) - rev0

    def ratio(num, den) -> float:
        d = float(den.sum())
        return float(num.sum()) / d if d > 0 else float("nan")

    last_val = c.value - snap.get("val_last", val0)
    kept = stayed & start_active
    return {
        "top20_profit_1y": 100.0 * _top_fifth(last_val[served_last]),
        "top20_profit_all": 100.0 * _top_fifth(val[served_all]),
        "top20_contribution_1y": 100.0 * _top_fifth(contribution[served_last]),
        "stayer_ratio": ratio(rev[kept], first[kept]),
        "cohort_ratio": ratio(rev[start_active], first[start_active]),
        "cohort_profit_ratio": ratio(val[start_active], first[start_active]),
    }


def test_baselines_stepped_together_equal_the_step_by_step_baseline() -> None:
    from experiments.running.baseline import baseline_run, baseline_runs
    from model.studies.run import simulate

    base = Scenario().with_overrides({"market.clients": 250})
    # Ten: a group of eight and a group of two, the edges of the snapshot months included.
    horizons = (6, 12, 13, 24, 30, 24, 25, 12, 36, 24)
    scenarios = [
        base.with_overrides({"run.months": months, "run.seed": seed})
        for seed, months in enumerate(horizons, start=1)
    ]
    together = baseline_runs(scenarios)
    for scn, got in zip(scenarios, together, strict=True):
        assert _same(got.extras, _baseline_stepped(scn)), scn.run.months
        assert _same(got.extras, baseline_run(scn).extras)
        assert got.run.timeseries.equals(simulate(scn).timeseries)


def _ends(call) -> dict:
    """Run ``call`` in a thread of its own; what it raised, once it ended (a hang fails)."""
    out: dict = {}

    def run() -> None:
        try:
            call()
        except BaseException as exc:  # (KeyboardInterrupt included: it is what we look for)
            out["raised"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(60)
    assert not t.is_alive(), "measure_together hung"
    assert not any(t.name.startswith("measure") for t in threading.enumerate())
    return out


def test_an_interrupt_while_the_arms_run_ends_every_thread(monkeypatch) -> None:
    def interrupted(scenarios):
        if len(scenarios) > 1:  # the gathered run, where an interrupt usually lands
            raise KeyboardInterrupt
        return list(scenarios)

    monkeypatch.setattr(together, "simulate_many", interrupted)
    out = _ends(lambda: measure_together(lambda a: run_arms([a]), [(1,), (2,), (3,)]))
    assert isinstance(out.get("raised"), KeyboardInterrupt)


def test_a_thread_that_cannot_start_ends_every_other(monkeypatch) -> None:
    import concurrent.futures.thread as cft

    real, started = cft.ThreadPoolExecutor.submit, []

    def submit(self, fn, *args, **kwargs):
        if len(started) == 2:
            raise RuntimeError("can't start new thread")
        started.append(fn)
        return real(self, fn, *args, **kwargs)

    monkeypatch.setattr(together, "simulate_many", lambda scenarios: list(scenarios))
    monkeypatch.setattr(cft.ThreadPoolExecutor, "submit", submit)
    out = _ends(lambda: measure_together(lambda a: run_arms([a]), [(1,), (2,), (3,)]))
    assert "can't start new thread" in str(out.get("raised"))
