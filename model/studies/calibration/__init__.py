"""Calibration: a firm's own data or targets → the model's parameters, with intervals.

The entry points live in :mod:`model.studies.calibration.fit` and are re-exported here::

    from model.studies.calibration import calibrate_survival, calibrate_transactions, calibrate_targets

and, for a raw transaction log in either setting (contractual or non-contractual, inferred and
said), as ``retention calibrate --transactions`` reads it,
:func:`model.studies.calibration.from_log.calibrate_log`; :func:`calibrate_transactions` always
reads a log as contractual (lognormal spend, sBG churn).
"""

from model.lazy import lazy_names

#: Loaded on first use: a submodule of plain data (``settings``, whose defaults
#: ``retention calibrate --help`` prints) is then imported without the fits, the engine and scipy.
_LAZY = dict.fromkeys(
    ("calibrate_survival", "calibrate_targets", "calibrate_transactions"),
    "model.studies.calibration.fit",
)

__all__ = ["calibrate_survival", "calibrate_targets", "calibrate_transactions"]

__getattr__, __dir__ = lazy_names(__name__, _LAZY)
