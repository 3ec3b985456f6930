"""Calibration: a firm's own data or targets → the model's parameters, with intervals.

See :mod:`model.calibrate` for the entry points.
"""
