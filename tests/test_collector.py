"""``model.datacollector`` holds what Mesa's own ``DataCollector``, collecting every month through
its reporters, would hold: the same values in the same order, with ``collect`` calls interleaved,
read mid-run or mid-month, after a copy, after its model is gone, and in a collector set in its
place."""

from __future__ import annotations

import copy
import gc

import mesa
import numpy as np
import pandas as pd

from model.engine.metrics import METRICS
from model.engine.retention_model import RetentionModel
from model.scenario import Scenario


def _scenario(months: int = 6) -> Scenario:
    return Scenario().with_overrides({"market.clients": 400, "run.months": months, "run.seed": 9})


def _mesa_collector() -> mesa.DataCollector:
    """Mesa's own collector, one reporter per metric reading the results table."""

    def reporter(name: str):
        return lambda m: float(m.results[name][m.month - 1]) if m.month else float("nan")

    reporters = {name: reporter(name) for name in METRICS}
    return mesa.DataCollector(model_reporters={**reporters, "seed": lambda m: m.params.run.seed})


#: The collector's columns: each metric, then the run's seed.
COLUMNS = [*METRICS, "seed"]


def _same(a: mesa.DataCollector, b: mesa.DataCollector) -> None:
    assert list(a.model_vars) == list(b.model_vars) == COLUMNS
    for name in COLUMNS:  # NaN-aware, value by value (a month without acquisitions has NaN cac)
        x, y = np.array(a.model_vars[name]), np.array(b.model_vars[name])
        assert x.shape == y.shape and np.array_equal(x, y, equal_nan=True), name
    assert a._collection_steps == b._collection_steps
    pd.testing.assert_frame_equal(a.get_model_vars_dataframe(), b.get_model_vars_dataframe())


def test_the_collector_holds_what_collecting_every_month_holds() -> None:
    model, mesa_dc = RetentionModel(_scenario()), _mesa_collector()
    model.datacollector.collect(model)  # month 0, as the browser app records it
    mesa_dc.collect(model)
    for month in range(1, 7):
        model.step()
        mesa_dc.collect(model)
        if month in (2, 3):  # read mid-run: the months so far, then the next ones appended
            _same(model.datacollector, mesa_dc)
        if month == 4:  # an explicit collect between steps records the month again, as Mesa's
            model.datacollector.collect(model)
            mesa_dc.collect(model)
    _same(model.datacollector, mesa_dc)
    assert len(model.datacollector.model_vars["npv"]) == 8  # month 0, six months, month 4 again
    assert model.datacollector._collection_steps == [0.0, 1.0, 2.0, 3.0, 4.0, 4.0, 5.0, 6.0]


def test_a_copied_model_collects_its_own_months() -> None:
    model = RetentionModel(_scenario(8))
    model.run(months=3)
    twin = copy.deepcopy(model)
    twin.params = twin.ctx.params = twin.params.with_overrides({"levers.service_level": 0.95})
    twin._plan = [(twin.params.levers, factor) for _, factor in twin._plan]
    model.run()
    twin.run()
    for m in (model, twin):  # each collector reads its own model's table
        frame = m.datacollector.get_model_vars_dataframe()
        assert np.array_equal(
            frame[list(METRICS)].to_numpy(),
            m.timeseries()[list(METRICS)].to_numpy(),
            equal_nan=True,
        )
        assert (frame["seed"] == 9).all()
    assert not np.array_equal(
        model.timeseries()["service"].to_numpy(), twin.timeseries()["service"].to_numpy()
    )


def _collector_of_a_run(months: int = 4) -> mesa.DataCollector:
    return RetentionModel(_scenario(months)).run().datacollector


def test_a_collector_outlives_its_model_and_lists_held_before_a_run_fill() -> None:
    model = RetentionModel(_scenario(4))
    held = model.datacollector.model_vars["npv"]  # taken before the run
    model.run()
    assert len(held) == 4
    kept = _collector_of_a_run()  # its model is gone once collected
    gc.collect()
    assert len(kept.model_vars["npv"]) == 4 and len(kept.get_model_vars_dataframe()) == 4


def test_a_read_in_the_middle_of_a_month_records_nothing_wrong() -> None:
    """A phase (or another thread, as Mesa's SolaraViz steps in a worker) reading mid-month."""
    seen: list[int] = []

    def reader(ctx) -> None:
        seen.append(len(model.datacollector.get_model_vars_dataframe()))

    from model.engine.phases import PHASES

    model = RetentionModel(_scenario(4), phases=(*PHASES[:3], ("reader", reader), *PHASES[3:]))
    model.run()
    assert seen == [0, 1, 2, 3]  # the months finished so far
    frame = model.datacollector.get_model_vars_dataframe()
    assert not frame["npv"].isna().any() and model.datacollector._collection_steps == [
        1.0, 2.0, 3.0, 4.0
    ]  # fmt: skip


def test_a_collector_set_in_place_collects_through_its_reporters_and_copies() -> None:
    model = RetentionModel(_scenario(6))
    model.datacollector = mesa.DataCollector(
        model_reporters={"active": lambda m: m.results["active"][m.month - 1], "month": "month"}
    )
    model.run(months=3)
    twin = copy.deepcopy(model)
    twin.run()
    model.run()
    for m in (model, twin):
        frame = m.datacollector.get_model_vars_dataframe()
        assert list(frame["month"]) == [1, 2, 3, 4, 5, 6]
        assert np.array_equal(frame["active"].to_numpy(), m.timeseries()["active"].to_numpy())


def test_rows_due_keep_their_order_with_collect_calls_and_through_a_pickle() -> None:
    import pickle

    model, mesa_dc = RetentionModel(_scenario(6)), _mesa_collector()
    model.run(months=2)
    model.datacollector.collect(model)  # month 2 again: after the two due
    twin = pickle.loads(pickle.dumps(model))
    for m in (model, twin):
        m.run()
    for month in (1, 2, 2, 3, 4, 5, 6):
        mesa_dc.collect(_AtMonth(model, month))
    for m in (model, twin):
        _same(m.datacollector, mesa_dc)


class _AtMonth:
    """``model`` as it stood at the end of ``month``, for Mesa's reporters (its table and clock)."""

    def __init__(self, model: RetentionModel, month: int) -> None:
        self.results, self.month, self.time = model.results, month, float(month)
        self.params = model.params
