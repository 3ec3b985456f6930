"""The standard figures of a run, drawn from its monthly timeseries.

Each figure function takes the timeseries DataFrame of one run (:meth:`RetentionModel.timeseries`,
``RunResult.timeseries`` or a ``timeseries.csv`` read back) and, optionally, the Axes to draw on
(one per panel), and returns the matplotlib Figure. No backend is chosen at import: figures made
here without Axes are :class:`RunFigure` objects — plain Figures, not registered with pyplot (so
a loop of runs leaks nothing), that a notebook displays inline — and
:func:`save_standard_figures` renders them with the Agg backend.

To add a standard figure, write ``name(ts, axes=None) -> Figure`` (:func:`_panels` makes the
panels) and add it to :data:`STANDARD_FIGURES`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = [
    "STANDARD_FIGURES",
    "RunFigure",
    "money",
    "render_standard_figures",
    "satisfaction_nps",
    "save_standard_figures",
    "stage_flow",
]

FigureFn = Callable[..., Figure]

_STAGE_COLOURS = {
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


def stage_flow(ts: pd.DataFrame, axes: Sequence[Axes] | None = None) -> Figure:
    """Clients by stage over time (stacked, the whole market) and the monthly flows between stages.

    Parameters
    ----------
    ts : pandas.DataFrame
        Monthly timeseries with ``month``, the stage stocks (people) and flows (people/month).
    axes : two Axes, optional
        Where to draw the stocks and the flows; a new Figure if omitted.
    """
    fig, (stocks, flows) = _panels(axes, 2, "Clients by stage and flows between stages")
    layers = {
        "prospects": ts["prospects"],
        "active (not loyal)": ts["active"] - ts["loyal"],
        "loyal": ts["loyal"],
        "lapsed": ts["lapsed"],
    }
    stocks.stackplot(
        ts["month"], *layers.values(), labels=list(layers), colors=list(_STAGE_COLOURS.values())
    )
    stocks.set_ylabel("people")
    stocks.set_ylim(0.0, float(sum(layers.values()).max()))  # the whole market
    stocks.legend(
        loc="lower left", bbox_to_anchor=(0.0, 1.0), ncols=4, fontsize="small", frameon=False
    )
    for column, label, colour in (
        ("acquired", "acquired", "#2ca02c"),
        ("acquired_referral", "of which by referral", "#98df8a"),
        ("won_back", "won back", "#9467bd"),
        ("churned", "churned", "#d62728"),
        ("churned_bad_service", "of which over bad service", "#ff9896"),
    ):
        flows.plot(ts["month"], ts[column], label=label, color=colour, lw=1.2)
    flows.set_ylabel("people / month")
    flows.set_xlabel("month")
    flows.legend(loc="upper right", fontsize="small", ncols=2)
    return fig


def money(ts: pd.DataFrame, axes: Sequence[Axes] | None = None) -> Figure:
    """Monthly revenue and total cost; monthly profit; cumulative discounted profit (NPV).

    Profit gets its own panel because it is a small difference of two large numbers.

    Parameters
    ----------
    ts : pandas.DataFrame
        Monthly timeseries with ``revenue``, ``profit`` and ``npv`` (currency).
    axes : three Axes, optional
        Where to draw revenue and cost, profit, and NPV; a new Figure if omitted.
    """
    fig, (flows, profit, cumulative) = _panels(axes, 3, "Revenue, profit and NPV")
    flows.plot(ts["month"], ts["revenue"], label="revenue", color="#1f77b4")
    flows.plot(ts["month"], ts["revenue"] - ts["profit"], label="total cost", color="#7f7f7f")
    flows.set_ylabel("currency / month")
    flows.legend(loc="best", fontsize="small")
    profit.plot(ts["month"], ts["profit"], color="#2ca02c")
    profit.axhline(0.0, color="black", lw=0.6)
    profit.set_ylabel("profit / month")
    cumulative.plot(ts["month"], ts["npv"], color="#2ca02c")
    cumulative.axhline(0.0, color="black", lw=0.6)
    cumulative.set_ylabel("NPV, cumulative (currency)")
    cumulative.set_xlabel("month")
    return fig


def satisfaction_nps(ts: pd.DataFrame, axes: Sequence[Axes] | None = None) -> Figure:
    """Mean measured satisfaction (and delivered quality) of active clients; net promoter score.

    Parameters
    ----------
    ts : pandas.DataFrame
        Monthly timeseries with ``satisfaction`` and ``quality`` (0-1) and ``nps`` (points).
    axes : two Axes, optional
        Where to draw satisfaction and NPS; a new Figure if omitted.
    """
    fig, (sat, nps) = _panels(axes, 2, "Satisfaction and net promoter score")
    sat.plot(ts["month"], ts["satisfaction"], label="satisfaction (measured)", color="#1f77b4")
    sat.plot(ts["month"], ts["quality"], label="delivered quality", color="#7f7f7f", ls="--")
    sat.set_ylim(0.0, 1.0)
    sat.set_ylabel("0-1")
    sat.legend(loc="best", fontsize="small")
    nps.plot(ts["month"], ts["nps"], color="#9467bd")
    nps.axhline(0.0, color="black", lw=0.6)
    nps.set_ylim(-100.0, 100.0)
    nps.set_ylabel("NPS (points)")
    nps.set_xlabel("month")
    return fig


#: File stem -> figure function; :func:`save_standard_figures` writes each as ``<stem>.png``.
STANDARD_FIGURES: dict[str, FigureFn] = {
    "stage_flow": stage_flow,
    "money": money,
    "satisfaction_nps": satisfaction_nps,
}


def render_standard_figures(ts: pd.DataFrame, dpi: int = 110) -> dict[str, bytes]:
    """Every standard figure as PNG bytes, rendered off-screen with Agg, by :data:`STANDARD_FIGURES`
    name (for pages that embed them, and for :func:`save_standard_figures`)."""
    images = {}
    for name, draw in STANDARD_FIGURES.items():
        fig = draw(ts)
        FigureCanvasAgg(fig)  # render off-screen whatever backend the session uses
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        images[name] = buffer.getvalue()
    return images


def save_standard_figures(ts: pd.DataFrame, outdir: str | Path, dpi: int = 110) -> list[Path]:
    """Render every standard figure to ``outdir/<name>.png`` with the Agg backend.

    Returns
    -------
    list of Path
        The files written, in :data:`STANDARD_FIGURES` order.
    """
    outdir = Path(outdir)
    written = []
    for name, png in render_standard_figures(ts, dpi).items():
        path = outdir / f"{name}.png"
        path.write_bytes(png)
        written.append(path)
    return written
