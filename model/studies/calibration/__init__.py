"""Calibration: a firm's own data or targets → the model's parameters, with intervals.

The entry points live in :mod:`model.studies.calibration.fit` and are re-exported here::

    from model.studies.calibration import calibrate_survival, calibrate_transactions, calibrate_targets
"""

from model.studies.calibration.fit import (
    calibrate_survival,
    calibrate_targets,
    calibrate_transactions,
)

__all__ = ["calibrate_survival", "calibrate_targets", "calibrate_transactions"]
