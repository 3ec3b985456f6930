"""Axis conventions every figure shares: years on the time axis, thousands separated, and no
meaningless ticks on a flat or empty axis.

A study's own figure (compare, optimize) and the interfaces' figures (the run PNGs, the app's
charts) all use these, so a chart reads the same wherever it is drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import FuncFormatter

__all__ = ["THOUSANDS", "at_least", "years"]

#: Thousands separated, no decimals past 1,000 (``450000`` → ``450,000``).
THOUSANDS = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}")


def years(month: Any) -> Any:
    """Months (1, 2, ...) → years on the axis (month 12 ends year 1)."""
    return np.asarray(month, dtype=float) / 12.0


def at_least(ax: Any, half: float = 1.0, axis: str = "y") -> None:
    """Widen an axis whose range is under ``2 * half`` to ``centre ± half`` (centre 0 if near it).

    A flat series — a paired difference of two identical policies, a month-0 chart — would
    otherwise be autoscaled to ±0.055 or ±1e-17 and ticked "−0.04 … 0.04": numbers that look
    like a result and mean nothing. Call after drawing; ``half`` is in the axis' unit.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().subplots()
    >>> _ = ax.plot([0, 1], [0.0, 0.0])
    >>> at_least(ax)
    >>> tuple(map(float, ax.get_ylim()))
    (-1.0, 1.0)
    """
    get, set_ = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
    lo, hi = get()
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo >= 2 * half:
        return
    centre = 0.5 * (lo + hi)
    if abs(centre) < half:
        centre = 0.0
    set_(centre - half, centre + half)
