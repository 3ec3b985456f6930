"""The figure of a paired comparison (:meth:`model.studies.compare.Comparison.figure`)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["comparison_figure"]


def comparison_figure(
    names: list[str],
    paths: Mapping[str, np.ndarray],
    table: pd.DataFrame,
    events: list[tuple[str, float, float, str]] = (),
) -> Any:
    """Paired NPV difference paths with 95% bands (left); forest plots of the differences
    (right): in % of the reference's mean, and, below, the NPS in points.

    Parameters
    ----------
    names : list of str
        The policies; the first is the reference.
    paths : mapping of str to ndarray
        Per policy, the (replications × months) cumulative NPV paths (currency).
    table : pandas.DataFrame
        :attr:`~model.studies.compare.Comparison.table`.
    events : list of tuple
        The policies' schedule steps and shocks (:func:`model.studies.axes.policy_events`),
        marked on the paths' time axis.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    from model.studies.axes import THOUSANDS, at_least, mark_events, time_axis, years

    fig = Figure(figsize=(12, 4.8), layout="constrained")
    outer = fig.add_gridspec(1, 2, width_ratios=(1.2, 1))
    left = fig.add_subplot(outer[0])
    ref = paths[names[0]]
    for i, name in enumerate(names[1:], start=1):
        d = paths[name] - ref  # paired: replication r of both used seed r
        months = years(np.arange(1, d.shape[1] + 1))
        mean = d.mean(axis=0)
        left.plot(months, mean, color=f"C{i}", label=f"{name} - {names[0]}")
        if d.shape[0] > 1:
            half = stats.t.ppf(0.975, d.shape[0] - 1) * d.std(axis=0, ddof=1) / np.sqrt(d.shape[0])
            left.fill_between(months, mean - half, mean + half, color=f"C{i}", alpha=0.25)
    time_axis(left, d.shape[1])
    left.set(
        ylabel="difference in cumulative NPV (currency)",
        title="NPV difference over time (paired 95% band)",
    )
    left.axhline(0, color="grey", lw=0.8)
    left.yaxis.set_major_formatter(THOUSANDS)
    at_least(left)  # two identical policies: a flat 0, not ±0.05 ticks
    mark_events(left, list(events))  # (the cut or raid the paths part at)
    left.legend(loc="best", fontsize="small")

    t = table[~table["outcome"].isin(("spend_total", "spend_per_client"))]  # (costs, not results)
    colours = {n: f"C{i}" for i, n in enumerate(names)}
    # A score in points (NPS) has no zero to take a share of (a mean of -0.15 makes a
    # 2-point move "+1,000%"): its differences are drawn in points, on a panel of their own.
    scored = t["unit"] == "points"
    panels = [(t[~scored], True), (t[scored], False)]
    panels = [(rows.reset_index(drop=True), pct) for rows, pct in panels if len(rows)]
    # (each panel as tall as its rows, but never too short to read its axis)
    heights = [max(len(rows), 3) for rows, _ in panels]
    grid = outer[1].subgridspec(len(panels), 1, height_ratios=heights)
    for k, (rows, pct) in enumerate(panels):
        ax = fig.add_subplot(grid[k])
        _forest(ax, rows, colours, pct)
        unit = "% of its mean" if pct else "points"
        # Wrapped: one line would run past the figure's edge with a long policy name.
        ax.set_xlabel(textwrap.fill(f"difference vs {names[0]} ({unit})", 30))
        if k == 0:
            ax.set_title("Effect of each policy\n(95% paired intervals)")
    return fig


def _forest(ax: Any, rows: pd.DataFrame, colours: Mapping[str, str], pct: bool) -> None:
    """One forest plot: each row's paired difference and 95% interval, in % of the reference's
    mean (``pct``) or in the outcome's own unit."""
    from model.studies.axes import THOUSANDS, at_least

    scale = rows["reference_mean"].abs().replace(0, np.nan) / 100.0 if pct else 1.0
    mid, lo, hi = (rows[c] / scale for c in ("difference", "low", "high"))
    y = np.arange(len(rows))[::-1]
    for i, row in rows.iterrows():
        ax.errorbar(
            mid[i],
            y[i],
            xerr=[[mid[i] - lo[i]], [hi[i] - mid[i]]] if np.isfinite(lo[i]) else None,
            fmt="o",
            color=colours[row["policy"]],
            capsize=3,
        )
    ax.axvline(0, color="grey", lw=0.8)
    ax.xaxis.set_major_formatter(THOUSANDS)
    at_least(ax, axis="x")  # ±1 (% or point) at least
    ax.set_yticks(y, [f"{p}: {o}" for p, o in zip(rows["policy"], rows["outcome"], strict=True)])
