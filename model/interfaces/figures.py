"""The standard figures of a run, drawn from its monthly timeseries.

Each figure function takes the timeseries DataFrame of one run (:meth:`RetentionModel.timeseries`,
``RunResult.timeseries`` or a ``timeseries.csv`` read back) and, optionally, the Axes to draw on
(one per panel), and returns the matplotlib Figure. No backend is chosen at import: figures made
here without Axes are :class:`RunFigure` objects — plain Figures, not registered with pyplot (so
a loop of runs leaks nothing), that a notebook displays inline — and
:func:`save_standard_figures` renders them with the Agg backend.

Every figure counts time in years (month 12 is year 1.0), separates thousands on its value axes,
and, given the scenario, marks its schedule changes (dashed lines), shocks (shaded spans) and the
firm's product launches (ticks along the top). Given ``band`` (the 2.5% and 97.5% quantile tables
of replicated runs, as ``retention run --replications`` makes them) the lines get bands.

To add a standard figure, write ``name(ts, axes=None, *, scenario=None, band=None) -> Figure``
(:func:`_panels` makes the panels, :func:`_finish` the axes) and add it to
:data:`STANDARD_FIGURES`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from model.studies.axes import THOUSANDS, events, mark_events, time_axis, years

__all__ = [
    "STAGE_COLOURS",
    "STANDARD_FIGURES",
    "RunFigure",
    "awareness",
    "events",
    "mark_events",
    "money",
    "png_bytes",
    "render_standard_figures",
    "satisfaction_nps",
    "save_standard_figures",
    "stage_flow",
]

FigureFn = Callable[..., Figure]

#: Stage colours shared by the PNG figures and the app.
STAGE_COLOURS = {
    "prospects": "#c7c7c7",
    "active (not loyal)": "#6baed6",
    "loyal": "#08519c",
    "lapsed": "#fd8d3c",
}


class RunFigure(Figure):
    """A Figure that a notebook displays inline without pyplot (rendered with Agg on demand)."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        FigureCanvasAgg(self).print_png(buffer)
        return buffer.getvalue()


Band = tuple[pd.DataFrame, pd.DataFrame] | None


def _line(ax: Axes, ts: pd.DataFrame, column: str, band: Band, **style: Any) -> None:
    """One metric against years, with its band when replicated runs give one."""
    x = years(ts["month"])
    ax.plot(x, ts[column], **style)
    if band is not None:
        low, high = band
        ax.fill_between(x, low[column], high[column], color=style.get("color"), alpha=0.2, lw=0)


def _finish(panels: list[Axes], marks: list, band: Band, months: float) -> None:
    """Years (months, for a short run of ``months``) on the shared axis, thousands separators, event marks (labelled on the top panel).

    Replicated runs (``band``) mark no launches: read from their mean series, a mark showed every
    month in which any run launched (12 in 3 years for runs of about 4 each).
    """
    if band is not None:
        marks = [m for m in marks if m[0] != "launch"]
    for i, ax in enumerate(panels):
        ax.yaxis.set_major_formatter(THOUSANDS)
        mark_events(ax, marks, label=i == 0)
    note = " (bands: the runs' 2.5–97.5% quantiles; launches not marked)" if band else ""
    time_axis(panels[-1], months, note)


def _monthly(ts: Any, columns: Sequence[str], scenario: Any) -> tuple[pd.DataFrame, Any]:
    """``ts`` as a monthly timeseries with ``columns`` and at least one month, and the scenario
    to mark: a run's result (:class:`~model.studies.run.RunResult`) or a model that has run
    (:class:`~model.engine.retention_model.RetentionModel`, its months so far) gives both."""
    if callable(getattr(ts, "timeseries", None)) and hasattr(ts, "params"):  # (a model)
        scenario = ts.params if scenario is None else scenario
        ts = ts.timeseries()
    if scenario is None and hasattr(ts, "timeseries") and hasattr(ts, "scenario"):
        scenario = ts.scenario
    ts = getattr(ts, "timeseries", ts)
    missing = [c for c in columns if c not in ts] if isinstance(ts, pd.DataFrame) else columns
    if missing or len(ts) == 0:
        shown = f"of type {type(ts).__name__}" if not isinstance(ts, pd.DataFrame) else (
            f"a table without {', '.join(missing)}" if missing else "a table of no months"
        )  # fmt: skip
        raise ValueError(
            f"ts: value {shown} is not allowed; allowed: a run's monthly timeseries (a "
            "RunResult, its .timeseries, a RetentionModel that has run or its .timeseries()) with at "
            "least one month"
        )
    if "month" in ts and ts["month"].duplicated().any():  # (several runs' tables stacked)
        by = [c for c in ("seed", "replicate", "replication", "point", "policy") if c in ts]
        pick = f"one run's rows (e.g. ts[ts[{by[0]!r}] == ...])" if by else "one run's rows"
        raise ValueError(
            f"ts: value a table whose months repeat ({ts['month'].duplicated().sum():,} rows "
            f"of a month already seen{', runs told apart by ' + ', '.join(by) if by else ''}) "
            f"is not allowed; allowed: one run's monthly timeseries — pass {pick}, or draw "
            "replications as a mean with bands: mean, low, high = rep.monthly(); "
            "stage_flow(mean, band=(low, high))"
        )
    return ts, scenario


def _panels(axes: Sequence[Axes] | None, n: int, title: str) -> tuple[Figure, list[Axes]]:
    """The caller's ``n`` Axes, or a new Figure of ``n`` stacked panels sharing the month axis."""
    if axes is not None:
        if len(axes) != n:
            raise ValueError(f"axes: expected {n} Axes, got {len(axes)}")
        return axes[0].figure, list(axes)
    fig = RunFigure(figsize=(8, 2.4 + 2.1 * n), layout="constrained")
    panels = fig.subplots(n, 1, sharex=True)
    fig.suptitle(title)
    return fig, list(panels)


def stage_flow(
    ts: pd.DataFrame, axes: Sequence[Axes] | None = None, *, scenario: Any = None, band: Band = None
) -> Figure:
    """Clients by stage over time (stacked, the whole market) and the monthly flows between stages.

    Parameters
    ----------
    ts : pandas.DataFrame or RunResult
        Monthly timeseries (a run's result gives its scenario too) with ``month``, the stage stocks (people) and flows (people/month).
    axes : two Axes, optional
        Where to draw the stocks and the flows; a new Figure if omitted.
    scenario : Scenario, optional
        Marks its schedule changes and shocks (launches are read from ``ts``).
    band : (low, high) DataFrames, optional
        Bands around the flows (replicated runs).
    """
    ts, scenario = _monthly(ts, ("month", "prospects", "active", "loyal", "lapsed"), scenario)
    fig, (stocks, flows) = _panels(axes, 2, "Clients by stage and flows between stages")
    layers = {
        "prospects": ts["prospects"],
        "active (not loyal)": ts["active"] - ts["loyal"],
        "loyal": ts["loyal"],
        "lapsed": ts["lapsed"],
    }
    stocks.stackplot(
        years(ts["month"]), *layers.values(), labels=list(layers),
        colors=list(STAGE_COLOURS.values()),
    )  # fmt: skip
    stocks.set_ylabel("people")
    stocks.set_ylim(0.0, float(sum(layers.values()).max()))  # the whole market
    for column, label, colour in (
        ("acquired", "acquired", "#2ca02c"),
        ("acquired_referral", "of which by referral", "#98df8a"),
        ("won_back", "won back", "#9467bd"),
        ("churned", "churned", "#d62728"),
        ("churned_bad_service", "of which over bad service", "#ff9896"),
    ):
        _line(flows, ts, column, band, label=label, color=colour, lw=1.2)
    flows.set_ylabel("people / month")
    _finish([stocks, flows], events(scenario, ts), band, ts["month"].max())
    # The legends after the marks: the top panel's lists the product launches' marker too.
    stocks.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4, fontsize="small", frameon=False
    )
    # Above the panel, as the top panel's: inside it, it covered the highest months' churn.
    flows.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=3, fontsize="small", frameon=False
    )
    return fig


def money(
    ts: pd.DataFrame, axes: Sequence[Axes] | None = None, *, scenario: Any = None, band: Band = None
) -> Figure:
    """Monthly revenue and total cost; monthly profit; cumulative discounted profit (NPV).

    Profit gets its own panel because it is a small difference of two large numbers.

    Parameters
    ----------
    ts : pandas.DataFrame or RunResult
        Monthly timeseries (a run's result gives its scenario too) with ``revenue``, ``profit`` and ``npv`` (currency).
    axes : three Axes, optional
        Where to draw revenue and cost, profit, and NPV; a new Figure if omitted.
    scenario, band :
        As in :func:`stage_flow`.
    """
    ts, scenario = _monthly(ts, ("month", "revenue", "profit", "npv"), scenario)
    fig, (flows, profit, cumulative) = _panels(axes, 3, "Revenue, profit and NPV")
    ts = ts.assign(total_cost=ts["revenue"] - ts["profit"])
    _line(flows, ts, "revenue", band, label="revenue", color="#1f77b4")
    # A band of total cost is the runs' own (Replicated.monthly gives it): the revenue band less
    # the profit band is no band of anything, and runs lay outside it.
    cost_band = band if band is not None and "total_cost" in band[0] else None
    _line(flows, ts, "total_cost", cost_band, label="total cost", color="#7f7f7f")
    flows.set_ylabel("currency / month")
    # Money levels from zero (a cut axis made +55% look several-fold): a zero line the axis
    # takes in and stops at, still autoscaled, so a run drawn later on the same axes widens it.
    zero = flows.axhline(0.0, color="black", lw=0.6)
    zero.sticky_edges.y.append(0.0)
    _line(profit, ts, "profit", band, color="#2ca02c")
    profit.axhline(0.0, color="black", lw=0.6)
    profit.set_ylabel("profit (currency / month)")
    _line(cumulative, ts, "npv", band, color="#2ca02c")
    cumulative.axhline(0.0, color="black", lw=0.6)
    cumulative.set_ylabel("NPV, cumulative (currency)")
    _finish([flows, profit, cumulative], events(scenario, ts), band, ts["month"].max())
    flows.legend(loc="best", fontsize="small")  # (after the marks: the launches' marker too)
    return fig


def satisfaction_nps(
    ts: pd.DataFrame, axes: Sequence[Axes] | None = None, *, scenario: Any = None, band: Band = None
) -> Figure:
    """Mean measured satisfaction (and delivered quality) of active clients; net promoter score.

    Parameters
    ----------
    ts : pandas.DataFrame or RunResult
        Monthly timeseries (a run's result gives its scenario too) with ``satisfaction`` and ``quality`` (0-1) and ``nps`` (points).
    axes : two Axes, optional
        Where to draw satisfaction and NPS; a new Figure if omitted.
    scenario, band :
        As in :func:`stage_flow`.
    """
    ts, scenario = _monthly(ts, ("month", "satisfaction", "quality", "nps"), scenario)
    fig, (sat, nps) = _panels(axes, 2, "Satisfaction and net promoter score")
    _line(sat, ts, "satisfaction", band, label="satisfaction (measured)", color="#1f77b4")
    _line(sat, ts, "quality", band, label="delivered quality", color="#7f7f7f", ls="--")
    sat.set_ylim(0.0, 1.0)
    sat.set_ylabel("satisfaction, quality (0-1)")  # (a bare "0-1" named no quantity)
    _line(nps, ts, "nps", band, color="#9467bd")
    nps.axhline(0.0, color="black", lw=0.6)
    nps.set_ylim(-100.0, 100.0)
    nps.set_ylabel("NPS (points)")
    _finish([sat, nps], events(scenario, ts), band, ts["month"].max())
    sat.legend(loc="best", fontsize="small")  # (after the marks: the launches' marker too)
    return fig


def awareness(
    ts: pd.DataFrame, axes: Sequence[Axes] | None = None, *, scenario: Any = None, band: Band = None
) -> Figure:
    """How prospects come to know the firm: those made aware each month, of them the ones
    advertising reached (the rest heard a referral), and the aware share of prospects.

    The attract direction's two channels side by side — Bass's innovation (advertising) and
    imitation (word of mouth) — month by month (docs/ODD.md §7.6).

    Parameters
    ----------
    ts : pandas.DataFrame or RunResult
        Monthly timeseries (a run's result gives its scenario too) with ``newly_aware`` and
        ``aware_by_ad`` (people/month) and ``aware_share`` (share).
    axes : two Axes, optional
        Where to draw the newly aware and the aware share; a new Figure if omitted.
    scenario, band :
        As in :func:`stage_flow`.
    """
    ts, scenario = _monthly(ts, ("month", "newly_aware", "aware_by_ad", "aware_share"), scenario)
    fig, (heard, share) = _panels(axes, 2, "Awareness: how prospects come to know the firm")
    # (made aware wide beneath, advertising's share thin and dashed on top: with no referrals
    # the two are one line, and both stay visible)
    _line(heard, ts, "newly_aware", band, label="made aware", color="#1f77b4", lw=2.4, alpha=0.6)
    _line(heard, ts, "aware_by_ad", band, label="of which by advertising (the rest: a referral)",
          color="#08306b", lw=1.0, ls="--")  # fmt: skip
    heard.set_ylabel("people / month")
    _line(share, ts, "aware_share", band, color="#1f77b4")
    share.set_ylim(0.0, 1.0)
    share.set_ylabel("aware share of prospects")
    _finish([heard, share], events(scenario, ts), band, ts["month"].max())
    heard.legend(loc="best", fontsize="small")  # (after the marks: the launches' marker too)
    return fig


#: File stem -> figure function; :func:`save_standard_figures` writes each as ``<stem>.png``.
STANDARD_FIGURES: dict[str, FigureFn] = {
    "stage_flow": stage_flow,
    "money": money,
    "satisfaction_nps": satisfaction_nps,
    "awareness": awareness,
}


def png_bytes(fig: Figure, dpi: float | None = None) -> bytes:
    """``fig`` as PNG bytes, rendered off-screen with Agg whatever backend the session uses
    (``dpi``: the figure's own unless given)."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", **({} if dpi is None else {"dpi": dpi}))
    return buffer.getvalue()


def render_standard_figures(
    ts: pd.DataFrame, dpi: int = 110, *, scenario: Any = None, band: Band = None
) -> dict[str, bytes]:
    """Every standard figure as PNG bytes, rendered off-screen with Agg, by :data:`STANDARD_FIGURES`
    name (for pages that embed them, and for :func:`save_standard_figures`)."""
    return {
        name: png_bytes(draw(ts, scenario=scenario, band=band), dpi)
        for name, draw in STANDARD_FIGURES.items()
    }


def save_standard_figures(
    ts: pd.DataFrame,
    outdir: str | Path,
    dpi: int = 110,
    *,
    scenario: Any = None,
    band: Band = None,
) -> list[Path]:
    """Render every standard figure to ``outdir/<name>.png`` with the Agg backend.

    Returns
    -------
    list of Path
        The files written, in :data:`STANDARD_FIGURES` order.
    """
    outdir = Path(outdir)
    written = []
    for name, png in render_standard_figures(ts, dpi, scenario=scenario, band=band).items():
        path = outdir / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
    return written
