"""The one error calibration raises for bad input."""

from __future__ import annotations

import math

__all__ = ["CalibrationError", "cell"]


class CalibrationError(ValueError):
    """Data or targets that cannot be used; the message names the field, the value and what is allowed."""


def cell(value: object) -> str:
    """A CSV cell as an error quotes it: ``value '12x'``, or ``empty`` for a blank one (it was
    quoted as ``'nan'``, the NaN pandas reads it as); rows are the file's data rows from 1."""
    blank = value is None or (isinstance(value, float) and math.isnan(value))
    return "empty" if blank else f"value {str(value)!r}"
