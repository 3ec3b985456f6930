"""Axis conventions every figure shares: years on the time axis (ticked in months for a short
run), thousands separated, no
meaningless ticks on a flat or empty axis, and a scenario's events (schedule steps, shocks,
product launches) marked on its time axis.

A study's own figure (compare, optimize) and the interfaces' figures (the run PNGs, the app's
charts) all use these, so a chart reads the same wherever it is drawn.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

__all__ = [
    "THOUSANDS",
    "at_least",
    "events",
    "mark_events",
    "policy_events",
    "step_text",
    "time_axis",
    "years",
]

#: Thousands separated, no decimals past 1,000 (``450000`` → ``450,000``).
THOUSANDS = FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.4g}")


def years(month: Any) -> Any:
    """Months (1, 2, ...) → years on the axis (month 12 ends year 1)."""
    return np.asarray(month, dtype=float) / 12.0


#: Runs this long or shorter are ticked in whole months, not years (a 12-month run's year axis
#: was ticked 0.15, 0.30, 0.45…).
SHORT_MONTHS = 24


def time_axis(ax: Any, months: float, note: str = "") -> None:
    """Tick and label a time axis drawn in years (:func:`years`) for a run of ``months``
    months: whole years, or whole months (every 1, 2, 3 or 6, at most eight ticks) for a run of
    :data:`SHORT_MONTHS` or fewer; ``note`` follows the label ("year", "month")."""
    if months > SHORT_MONTHS:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("year" + note)
        return
    step = next(s for s in (1, 2, 3, 6) if months // s + 1 <= 8)  # (ticks 0, s, 2s…)
    ax.xaxis.set_major_locator(MultipleLocator(step / 12.0))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{round(v * 12.0):d}"))
    ax.set_xlabel("month" + note)


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


def events(scenario: Any, ts: pd.DataFrame | None = None) -> list[tuple[str, float, float, str]]:
    """What to mark on a time axis: (kind, first month, last month, label).

    ``kind`` is ``"schedule"`` (a lever change from that month), ``"shock"`` (a spell) or
    ``"launch"`` (a month in which the firm shipped an R&D candidate, read from ``ts``).
    """
    out: list[tuple[str, float, float, str]] = []
    if scenario is not None:
        for step in scenario.schedule:
            out.append(("schedule", step.month, step.month, step_text(step)))
        for shock in scenario.shocks:
            out.append(("shock", shock.start, shock.start + shock.months - 1, shock.kind))
    if ts is not None and {"shipped_good", "shipped_bad"} <= set(ts.columns):
        shipped = (ts["shipped_good"] + ts["shipped_bad"]).to_numpy(dtype=float)
        new = np.diff(np.concatenate([[0.0], np.nan_to_num(shipped)])) > 0
        out += [("launch", m, m, "launch") for m in ts["month"].to_numpy()[new]]
    return out


def step_text(step: Any) -> str:
    """A schedule step's levers as a chart or a status table writes them: ``service_level=1,
    ad_budget=450`` (no ``levers.`` prefix; a float as ``:g`` writes it)."""
    return ", ".join(
        f"{k.removeprefix('levers.')}={v:g}" if isinstance(v, float) else
        f"{k.removeprefix('levers.')}={v}" for k, v in step.set.items()
    )  # fmt: skip


def mark_events(
    ax: Any, marks: list[tuple[str, float, float, str]], label: bool = True, fontsize: float = 7
) -> None:
    """Draw :func:`events` on one Axes (x in years): lines, spans and ticks, labelled once
    (``fontsize``: of the labels, in points; the app's charts, shown smaller, ask for more)."""
    transform = ax.get_xaxis_transform()
    launches = [m for kind, m, _, _ in marks if kind == "launch"]
    if launches:  # (on the top edge, not inside: a line near the top ran under them)
        ax.plot(years(launches), [1.0] * len(launches), "v", color="#8c564b", ms=4,
                transform=transform, clip_on=False, zorder=5,
                label="product launch" if label else None)  # fmt: skip
    lo, hi = ax.get_xlim()
    steps = 0
    for kind, first, last, text in marks:
        x = years(first - 1)
        # Written to the left of a mark in the last fifth of the axis (a move in the last month
        # read "service_", cut at the edge), and over any legend (one hid a raid's label).
        right = x > lo + 0.8 * (hi - lo)
        style = {"transform": transform, "fontsize": fontsize, "zorder": 6,
                 "ha": "right" if right else "left"}  # fmt: skip
        shown = f"{text} " if right else f" {text}"
        if kind == "schedule":
            # (from the start of its month, where a shock's span starts too: month m is the
            # interval (m - 1, m] on the axis, its value drawn at m)
            ax.axvline(x, color="#444444", ls="--", lw=0.9)
            if label:  # (staggered: steps months apart printed over each other)
                y = 0.97 - 0.08 * (steps % 3)
                ax.text(x, y, shown, va="top", color="#444444",
                        bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 0.5},
                        **style)  # fmt: skip
            steps += 1
        elif kind == "shock":
            ax.axvspan(x, years(last), color="#d62728", alpha=0.12, lw=0)
            if label:
                ax.text(x, 0.01, shown, va="bottom", color="#d62728",
                        bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 0.5},
                        **style)  # fmt: skip


def policy_events(
    named: Mapping[str, list[tuple[str, float, float, str]]], launches: bool = False
) -> list:
    """Several policies' (or firms') :func:`events` on one time axis, each mark once.

    An event every one of them has is unlabelled by name; one only some have is labelled with
    theirs (``"service_cut: service_level=0.35"``, two raids in one month ``"a, b: poaching"``);
    different events of one kind in one month are one label (``"A: …; B: …"``: two drawn at
    one place could not be read). Product launches are left out unless ``launches`` (a
    comparison's paths are means over runs, which launch in other months).
    """
    lists = [[m for m in marks if launches or m[0] != "launch"] for marks in named.values()]
    if len(lists) == 1:
        return lists[0]
    holders: dict[tuple[str, float, float, str], list[str]] = {}
    for name, marks in zip(named, lists, strict=True):
        for mark in dict.fromkeys(marks):
            holders.setdefault(mark, []).append(name)
    shared = [mark for mark, who in holders.items() if len(who) == len(lists)]
    merged: dict[tuple[str, float, float], list[str]] = {}
    for mark, who in holders.items():
        if len(who) < len(lists):
            merged.setdefault(mark[:3], []).append(f"{', '.join(who)}: {mark[3]}")
    out = shared + [(*key, "; ".join(texts)) for key, texts in merged.items()]
    return sorted(out, key=lambda m: m[1])
