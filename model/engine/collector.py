"""Mesa's ``DataCollector`` over a model's results table, filled when it is read.

A :class:`~model.engine.retention_model.RetentionModel` writes each month's metrics as one row of
its (months × metrics) table. Mesa users read the same numbers from ``model.datacollector``
(``model_vars``, ``get_model_vars_dataframe()``), which would otherwise append some fifty values
every month — more than a small market's metrics cost to compute. :class:`TableCollector` appends
the months simulated since its last read when it is read, so what it holds, and in what order, is
what collecting every month gives.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import mesa
import numpy as np

__all__ = ["TableCollector"]


class _Tabled(Protocol):
    """What the collector reads of its model."""

    month: int
    _table: np.ndarray  # (months × metrics), one column per name, in order
    _step_times: np.ndarray  # Mesa's ``time`` at each month's step


def _reporter(name: str, column: int) -> Callable[[Any], float]:
    """The value of ``name`` in the model's last simulated month (NaN before the first)."""

    def report(model: _Tabled) -> float:
        return float(model._table[model.month - 1, column]) if model.month else float("nan")

    report.__name__ = f"report_{name}"
    return report


class TableCollector(mesa.DataCollector):
    """A ``DataCollector`` whose model reporters are the columns of ``model``'s results table.

    Parameters
    ----------
    model : RetentionModel
        The model whose table it reads (held weakly: the model holds the collector).
    names : sequence of str
        The table's column names, in order (:data:`model.engine.metrics.METRICS`).

    Notes
    -----
    ``collect(model)`` still records the reporters' values at once, after the months not yet
    read (the browser app records month 0 that way, before the first step).
    """

    def __init__(self, model: _Tabled, names: Sequence[str]) -> None:
        self._names = tuple(names)
        self._source: weakref.ref | None = weakref.ref(model)
        self._done = 0  # months of the table already appended
        super().__init__(
            model_reporters={name: _reporter(name, j) for j, name in enumerate(self._names)}
        )

    def bind(self, model: _Tabled) -> None:
        """Read ``model`` from now on (a copied or unpickled model's own table)."""
        self._source = weakref.ref(model)

    def _catch_up(self) -> None:
        """Append the months simulated since the last read, one list extension per column."""
        model = self._source() if self._source is not None else None
        if model is None or model.month <= self._done:
            return
        start, stop = self._done, model.month
        self._done = stop
        block = model._table[start:stop]
        for j, name in enumerate(self._names):
            self._vars[name].extend(block[:, j].tolist())
        self._steps.extend(model._step_times[start:stop].tolist())

    # DataCollector's own attributes, brought up to date whenever they are read.
    @property
    def model_vars(self) -> dict[str, list]:
        """Each reporter's values, month by month (Mesa's ``DataCollector.model_vars``)."""
        self._catch_up()
        return self._vars

    @model_vars.setter
    def model_vars(self, value: dict[str, list]) -> None:
        self._vars = value

    @property
    def _collection_steps(self) -> list:
        self._catch_up()
        return self._steps

    @_collection_steps.setter
    def _collection_steps(self, value: list) -> None:
        self._steps = value

    def collect(self, model: Any) -> None:
        """Record the reporters' values now (after the months not yet read), as Mesa does."""
        self._catch_up()
        super().collect(model)

    def __getstate__(self) -> dict[str, Any]:
        # Everything simulated so far goes with a copy; a weak reference cannot be pickled (the
        # model binds its copy again: RetentionModel.__setstate__).
        self._catch_up()
        return {**self.__dict__, "_source": None}
