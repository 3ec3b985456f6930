"""What a result's numbers count: each monthly column's and each headline number's unit.

A run's ``timeseries`` and ``summary`` are plain numbers (a DataFrame, a dict); their units and
meanings are declared once, in :data:`model.engine.metric_names.METRICS` and
:data:`model.engine.summary.SUMMARY`. :func:`column_units` gives the table ``retention run``
writes as ``columns.csv``, :func:`headline_units` the same for the headline numbers, so a
notebook reads them without going through the command line.

Examples
--------
>>> from model import Scenario, simulate
>>> result = simulate(Scenario().with_overrides({"market.clients": 200, "run.months": 2}))
>>> column_units(result.timeseries.columns).set_index("column").loc["npv", "unit"]
'currency'
>>> column_units(["month", "npv"]).loc[1, ["column", "unit"]].tolist()
['npv', 'currency']
>>> headline_units().set_index("key").loc["cac", "unit"]
'currency/acquisition'
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from model.engine.metric_names import METRICS
from model.engine.summary import SUMMARY

__all__ = ["COUNT_UNITS", "column_units", "counts_as_integers", "headline_units"]

#: The units of :data:`~model.engine.metric_names.METRICS` that count whole things (clients,
#: incidents, staff…): a run's table holds them as float64, beside its money and shares.
COUNT_UNITS = frozenset(
    {"clients", "clients/month", "people", "people/month", "incidents/month", "candidates",
     "candidates/month", "staff", "staff/month"}
)  # fmt: skip


#: What a replicated run's columns hold besides the means (``timeseries.csv``'s suffixes).
_BANDS = {"_low": "2.5% quantile over the runs of: ", "_high": "97.5% quantile over the runs of: "}


def column_units(columns: Iterable[str], replicated: bool = False) -> pd.DataFrame:
    """``columns.csv``: each column of ``timeseries.csv`` with its unit and meaning
    (:data:`model.engine.metric_names.METRICS`), so that a table read without the package says
    what its numbers count. ``replicated``: the columns are means over runs, with ``_low`` and
    ``_high`` bands. Returns a pandas DataFrame (column, unit, meaning)."""
    rows = []
    for column in columns:
        if column == "month":
            rows.append((column, "month", "the simulated month (1 = the first)"))
            continue
        name, what = column, "mean over the runs of: " if replicated else ""
        for suffix, text in _BANDS.items():
            if replicated and column.endswith(suffix) and column.removesuffix(suffix) in METRICS:
                name, what = column.removesuffix(suffix), text
        unit, meaning = METRICS[name]
        rows.append((column, unit, what + meaning))
    return pd.DataFrame(rows, columns=["column", "unit", "meaning"])


def counts_as_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each count column (:data:`COUNT_UNITS`) as integers, for a table written
    to be read (``timeseries.csv``: ``2000``, not ``2000.0``). A column holding a NaN or a
    fraction (a mean over runs) or an infinity is left as it is; ``frame`` itself is not
    changed.

    Examples
    --------
    >>> counts_as_integers(pd.DataFrame({"active": [2000.0], "npv": [1.5]})).dtypes.tolist()
    [dtype('int64'), dtype('float64')]
    """
    whole = {}
    for column in frame.columns:
        values = frame[column]
        if (
            column in METRICS
            and METRICS[column][0] in COUNT_UNITS
            and values.dtype.kind == "f"
            and np.isfinite(values).all()
            and (values == values.round()).all()
        ):
            whole[column] = "int64"
    return frame.astype(whole) if whole else frame


def headline_units() -> pd.DataFrame:
    """Each headline number of a run's ``summary`` with its unit and meaning (key, unit,
    meaning), in the summary's order (:data:`model.engine.summary.SUMMARY`)."""
    rows = [(key, h.unit, h.meaning) for key, h in SUMMARY.items()]
    return pd.DataFrame(rows, columns=["key", "unit", "meaning"])
