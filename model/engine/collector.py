"""The model's Mesa ``DataCollector``: one reporter per metric, its rows copied from the results table.

Each month's metrics are written once, into the model's (months × metrics) results table
(:mod:`model.engine.metrics`). What Mesa's ``DataCollector.collect`` would record for them — every
reporter's value appended to its list, the model's time to the collection steps — is that row
again; so the model hands the collector the row's index and time (:meth:`TableCollector.due`) and
the collector copies the rows due the next time its lists are read, or when the model asks
(:meth:`TableCollector.flush`). Read at any moment, it holds what collecting every month through
the reporters would hold (``tests/test_collector.py``); appending the month's fifty-six values
to their lists cost about 7 µs, a fortieth of a 3,000-client month.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import mesa
import numpy as np

__all__ = ["TableCollector", "reporter"]


def reporter(name: str) -> Callable[[Any], float]:
    """The reporter of metric ``name``: its value in the model's results table this month
    (NaN before the first month). A partial of a module function: it pickles."""
    return partial(_report, name)


def _report(name: str, model: Any) -> float:
    return float(model.results[name][model.month - 1]) if model.month else float("nan")


def _seed(model: Any) -> int:
    """The run's seed (``params.run.seed``): a fresh one drawn for ``rng=None`` is recorded."""
    return model.params.run.seed


class TableCollector(mesa.DataCollector):
    """Mesa's ``DataCollector`` with one reporter per metric, filled from a results table.

    Parameters
    ----------
    table : ndarray of float64, (months, metrics)
        The model's results table; column j is metric ``names[j]``.
    names : sequence of str
        The metrics, in the table's column order.
    seed : int, optional
        The run's seed, collected as a last column ``seed`` beside the metrics: Mesa's
        ``batch_run`` hands back the collector's columns and not the model, so a run it made
        with a fresh seed (``rng=None``) can be repeated from its rows.

    Notes
    -----
    ``collect(model)`` works as Mesa's (through the reporters: the browser app records month 0
    so); rows made due in between are copied first, so the lists keep the order of collection.
    It holds the table's metrics only: to collect anything else, set a collector of your own in
    ``model.datacollector`` (the model then collects through its reporters every month).
    """

    def __init__(self, table: np.ndarray, names: Sequence[str], seed: int | None = None) -> None:
        self._table = table
        self._rows: list[int] = []  # table rows due, and the model's time at each
        self._times: list[float] = []
        self._seed = seed
        reporters: dict[str, Callable[[Any], Any]] = {name: reporter(name) for name in names}
        if seed is not None:
            reporters["seed"] = _seed
        super().__init__(model_reporters=reporters)

    def due(self, row: int, time: float) -> None:
        """Record table row ``row`` as collected at model time ``time`` (copied when read)."""
        self._rows.append(row)
        self._times.append(time)

    def flush(self) -> None:
        """Copy the rows due into the lists (in the order they fell due)."""
        rows, times = self._rows, self._times
        if not rows:
            return
        self._rows, self._times = [], []
        lists = list(self._vars.values())
        if self._seed is not None:  # (the last list; the table's columns come first)
            lists.pop().extend([self._seed] * len(rows))
        if len(rows) == 1:  # (a month at a time, as step() collects: no fancy index)
            for values, value in zip(lists, self._table[rows[0]].tolist(), strict=True):
                values.append(value)  # Python floats, as the reporters return them
        else:
            for values, column in zip(lists, self._table[rows].T.tolist(), strict=True):
                values.extend(column)
        self._steps.extend(times)

    # Mesa's collector reads and writes these two attributes; each read sees the rows due.
    @property
    def model_vars(self) -> dict[str, list]:
        """Each metric's values, one per collection (Mesa's ``model_vars``)."""
        if self._rows:
            self.flush()
        return self._vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self._vars = value

    @property
    def _collection_steps(self) -> list[float]:
        """The model's time at each collection (Mesa's ``_collection_steps``)."""
        if self._rows:
            self.flush()
        return self._steps

    @_collection_steps.setter
    def _collection_steps(self, value: list[float]) -> None:
        self._steps = value
