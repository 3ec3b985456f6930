"""Calibration: a firm's own data or targets → the model's parameters, with intervals.

The entry points live in :mod:`model.studies.calibration.fit` and
:mod:`model.studies.calibration.from_log` and are re-exported here::

    from model.studies.calibration import calibrate_log, calibrate_survival, calibrate_targets

:func:`calibrate_log` takes a raw transaction log in either setting (contractual or
non-contractual, inferred and said), as ``retention calibrate --transactions`` does;
:func:`calibrate_transactions` always reads a log as contractual (lognormal spend, sBG churn).
"""

from model.studies.calibration.fit import (
    calibrate_survival,
    calibrate_targets,
    calibrate_transactions,
)
from model.studies.calibration.from_log import calibrate_log

__all__ = ["calibrate_log", "calibrate_survival", "calibrate_targets", "calibrate_transactions"]
