"""The one error calibration raises for bad input."""

from __future__ import annotations

__all__ = ["CalibrationError"]


class CalibrationError(ValueError):
    """Data or targets that cannot be used; the message names the field, the value and what is allowed."""
