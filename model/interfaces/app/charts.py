"""The app's charts, drawn with matplotlib from the firms' monthly tables (years on the axis).

Each chart takes the firms on screen (``{"A": model}`` or ``{"A": ..., "B": ...}``, stepped on the
same seed) and returns a Figure. Stage colours are the PNG figures' own
(:data:`model.interfaces.figures.STAGE_COLOURS`); schedule changes (including levers moved live),
shocks and product launches are marked as in the PNGs (:func:`model.interfaces.figures.mark_events`).
An empty chart (month 0) shows its full axes, 0 to the horizon, and says what to press.

The page shows them as PNG images from :class:`ChartImages`, which redraws a chart only when what
it shows has changed (a month stepped, a lever moved, other firms), not on every render.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping

import matplotlib

matplotlib.use("Agg")  # the server draws to PNG; never open a window

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from model.engine.retention_model import RetentionModel
from model.engine.state import Stage
from model.interfaces.figures import STAGE_COLOURS, events, mark_events, png_bytes
from model.studies.axes import THOUSANDS, at_least, policy_events, time_axis, years

__all__ = ["FIRM_STYLE", "ChartImages", "chart_plan", "compared_events", "difference_chart",
           "money_chart", "network_chart", "satisfaction_chart", "stage_chart"]  # fmt: skip

Firms = Mapping[str, RetentionModel]
#: Line style per firm: A solid, B dashed.
FIRM_STYLE = {"A": "-", "B": "--"}
#: Network-view colours by stage code, the PNGs' stage colours.
NETWORK_COLOURS: dict[Stage, str] = {
    Stage.PROSPECT: STAGE_COLOURS["prospects"],
    Stage.ACTIVE: STAGE_COLOURS["active (not loyal)"],
    Stage.LOYAL: STAGE_COLOURS["loyal"],
    Stage.LAPSED: STAGE_COLOURS["lapsed"],
}


#: The charts' base font size (points; matplotlib's is 10): shown two to a row, at 416 px on a
#: 1280-px projector, their legends and labels were 5-8 px tall.
FONT_SIZE = 13


def _axes(title: str, horizon: int, n: int = 1) -> tuple[Figure, list]:
    fig = Figure(figsize=(6.4, 2.4 + 1.7 * n))
    fig.subplots_adjust(left=0.19, right=0.97, bottom=0.15, top=0.9, hspace=0.4)
    axes = list(np.atleast_1d(fig.subplots(n, 1, sharex=True)))
    axes[0].set_title(title, fontsize="medium")
    for ax in axes:
        ax.set_xlim(0.0, horizon / 12.0)
        ax.yaxis.set_major_formatter(THOUSANDS)
    time_axis(axes[-1], horizon)
    return fig, axes


def _empty(ax, lo: float = 0.0, hi: float = 1.0) -> None:
    ax.set_ylim(lo, hi)
    ax.text(0.5, 0.5, "press Step or ▶ Play", transform=ax.transAxes, ha="center",
            color="gray")  # fmt: skip


def _marks(axes: list, firms: Firms) -> None:
    """Mark the events of every firm drawn (:func:`compared_events`)."""
    marks = compared_events(firms)
    for i, ax in enumerate(axes):
        mark_events(ax, marks, label=i == 0, fontsize=0.75 * FONT_SIZE)


def compared_events(firms: Firms) -> list[tuple[str, float, float, str]]:
    """The firms' events (:func:`~model.interfaces.figures.events`) on one time axis.

    With A vs B on, a lever move or shock of one firm only is labelled ``A: …`` or ``B: …`` (B's
    lever move beside A's raid was unmarked, so a class blamed the raid for B's jump), those they
    share are unlabelled, and moves of both firms in the same month are one label (two drawn
    at one place could not be read). Product launches of either firm are marked alike.
    """
    # A poaching shock is the page's raid: its buttons and status table call it so.
    own = {
        name: [(k, first, last, "raid" if text == "poaching" else text)
               for k, first, last, text in events(firm.params, firm.timeseries())]
        for name, firm in firms.items()
    }  # fmt: skip
    return policy_events(own, launches=True)  # (a comparison's figure marks them alike)


def stage_chart(firms: Firms) -> Figure:
    """Firm A's clients by stage (stacked, the whole market), as in the PNG ``stage_flow``."""
    a = firms["A"]
    fig, (ax,) = _axes("clients by stage" + (" (firm A)" if len(firms) > 1 else ""), a.months)
    ts = a.timeseries()
    if ts.empty:
        _empty(ax, 0.0, float(a.clients.n))
    else:
        layers = {
            "prospects": ts["prospects"],
            "active (not loyal)": ts["active"] - ts["loyal"],
            "loyal": ts["loyal"],
            "lapsed": ts["lapsed"],
        }
        # (one month alone is the interval (0, 1] on the axis: a stack of one point drew nothing)
        x = years([0, 1]) if len(ts) == 1 else years(ts["month"])
        values = [np.repeat(v.to_numpy(), 2) if len(ts) == 1 else v for v in layers.values()]
        ax.stackplot(x, *values, labels=list(layers),
                     colors=[STAGE_COLOURS[k] for k in layers])  # fmt: skip
        ax.set_ylim(0.0, float(a.clients.n))
        _marks([ax], {"A": a})  # before the legend, which then lists the launches' marker
        # (below the axes: the stacked areas fill the whole plot, so any place inside covered
        # a stage's band, the loyal one by month 120 of the delighter)
        fig.subplots_adjust(bottom=0.36)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), fontsize="small", ncols=3)
    ax.set_ylabel("people")
    return fig


def _lines(ax, firms: Firms, column: str, colour: str, label: str) -> None:
    for name, firm in firms.items():
        ts = firm.timeseries()
        tag = f"{label}, firm {name}" if len(firms) > 1 else label
        ax.plot(years(ts["month"]), ts[column], FIRM_STYLE[name], color=colour, label=tag,
                marker="o" if len(ts) == 1 else None)  # (one point alone draws no line)  # fmt: skip


def money_chart(firms: Firms) -> Figure:
    """Monthly profit and cumulative NPV (each firm a line style)."""
    a = firms["A"]
    fig, (profit, npv) = _axes("profit per month and NPV", a.months, 2)
    if a.month == 0:
        _empty(profit, -1.0, 1.0)
        npv.set_ylim(-1.0, 1.0)
    else:
        _lines(profit, firms, "profit", "#2ca02c", "profit")
        _lines(npv, firms, "npv", "#1f77b4", "NPV, cumulative")
        _marks([profit, npv], firms)  # before the legends, which then list the launches' marker
        for ax in (profit, npv):
            ax.axhline(0.0, color="black", lw=0.6)
            ax.legend(loc="best", fontsize="small")
    profit.set_ylabel("currency / month")
    npv.set_ylabel("currency (discounted)")
    return fig


def satisfaction_chart(firms: Firms) -> Figure:
    """Mean satisfaction of active clients (0-1) and NPS (points)."""
    a = firms["A"]
    fig, (sat, nps) = _axes("satisfaction and NPS", a.months, 2)
    sat.set_ylim(0.0, 1.0)
    nps.set_ylim(-100.0, 100.0)
    if a.month == 0:
        _empty(sat)
    else:
        _lines(sat, firms, "satisfaction", "#1f77b4", "satisfaction")
        _lines(nps, firms, "nps", "#9467bd", "NPS")
        nps.axhline(0.0, color="black", lw=0.6)
        _marks([sat, nps], firms)  # before the legend, which then lists the launches' marker
        sat.legend(loc="best", fontsize="small")
        if len(firms) > 1:  # (which line is which firm's)
            nps.legend(loc="best", fontsize="small")
    sat.set_ylabel("satisfaction (0-1)")
    nps.set_ylabel("NPS (points)")
    return fig


def difference_chart(firms: Firms) -> Figure:
    """Firm B minus firm A, month by month, on the same seed: NPV and active clients."""
    a, b = firms["A"], firms["B"]
    fig, (npv, active) = _axes("B minus A, same seed (paired difference)", a.months, 2)
    months = min(a.month, b.month)
    if months == 0:
        _empty(npv, -1.0, 1.0)
        active.set_ylim(-1.0, 1.0)
    else:
        ta, tb = a.timeseries().iloc[:months], b.timeseries().iloc[:months]
        x = years(ta["month"])
        for ax, column, colour in ((npv, "npv", "#1f77b4"), (active, "active", "#2ca02c")):
            diff = tb[column].to_numpy() - ta[column].to_numpy()
            # (a line alone: an area down to 0 read as the 95% band compare's figure shades)
            ax.plot(x, diff, color=colour, marker="o" if len(x) == 1 else None)
            ax.axhline(0.0, color="black", lw=0.6)
            at_least(ax)  # identical firms: a flat 0, ticked -1..1, not ±1e-17
        _marks([npv, active], firms)  # (the difference moves with either firm's events)
    npv.set_ylabel("NPV, B − A (currency)")
    active.set_ylabel("active clients, B − A")
    return fig


def network_chart(firm) -> Figure:
    """A sample of firm A's clients and their ties, coloured by stage (fixed layout per model)."""
    rows, pos, edges = firm.network_sample()
    stage = firm.clients.stage[rows]
    fig = Figure(figsize=(5, 5))
    # (room below for the legend's two rows: four counts in one row ran past both edges)
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.14, top=0.93)
    ax = fig.subplots()
    if edges.size:
        ax.add_collection(LineCollection(pos[edges], colors="#cccccc", linewidths=0.6, zorder=1))
    for code, colour in NETWORK_COLOURS.items():
        here = stage == code
        # "active" here is stage ACTIVE only (LOYAL has its own colour), as the stage chart
        # says ("active (not loyal)"), not the status table's active clients (loyal included).
        name = "active, not loyal" if code == Stage.ACTIVE else code.name.lower()
        ax.scatter(*pos[here].T, s=22, color=colour, label=f"{name} ({here.sum()})")
    ax.set_title(f"{rows.size} sampled clients, month {firm.month}", fontsize="medium")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=2, fontsize="small")
    ax.set_axis_off()
    ax.set_aspect("equal")
    return fig


# ------------------------------------------------------------------------------ the page's images
def _shown(firm: RetentionModel) -> tuple[RetentionModel, int, str]:
    """What a firm's time-series charts show: which model (the object, not its id: a new model may
    reuse a freed one's id), the months stepped, and the lever moves and shocks scheduled (they
    are marked: by what they set, not how many there are, since a second move of a lever in
    one month replaces the first and left its label on the charts)."""
    return firm, firm.month, repr((firm.params.schedule, firm.params.shocks))


def chart_plan(firms: Firms) -> list[tuple[str, Callable[[], Figure], Hashable]]:
    """The page's four charts, in order: (name, how to draw it, what it shows).

    The fourth is B minus A with two firms, else firm A's network view. A chart's third entry
    changes exactly when its picture can: :class:`ChartImages` redraws on that, and only on that.
    """
    a = firms["A"]
    every = tuple(_shown(f) for f in firms.values())
    plan: list[tuple[str, Callable[[], Figure], Hashable]] = [
        ("stages", lambda: stage_chart(firms), (len(firms), _shown(a))),  # " (firm A)" with two
        ("money", lambda: money_chart(firms), every),
        ("satisfaction", lambda: satisfaction_chart(firms), every),
    ]
    if "B" in firms:
        plan.append(("difference", lambda: difference_chart(firms), every))
    else:
        plan.append(("network", lambda: network_chart(a), (a, a.month)))  # no lever marks
    return plan


class ChartImages:
    """One browser session's chart images (PNG bytes), each redrawn only when what it shows changes.

    Thread-safe. The app's play thread steps the firms and draws the new month's images while it
    holds :attr:`lock`, before it asks for a render, so the render (which holds the page's render
    lock, and makes a click wait behind it) only picks the images up.

    Attributes
    ----------
    lock : threading.RLock
        Held while the firms change (a month stepped, a lever moved) and while charts read them, so
        a chart never reads a month half-written.
    draws : int
        Charts drawn so far (a count for tests and measurements).
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.draws = 0
        self._images: dict[str, tuple[Hashable, bytes]] = {}

    def images(self, firms: Firms) -> list[bytes]:
        """The four charts' PNGs for ``firms``, drawing those whose inputs changed since last asked."""
        with self.lock:
            out = []
            for name, draw, shows in chart_plan(firms):
                held = self._images.get(name)
                if held is None or held[0] != shows:
                    with matplotlib.rc_context({"font.size": FONT_SIZE}):
                        held = self._images[name] = (shows, png_bytes(draw()))
                    self.draws += 1
                out.append(held[1])
            return out
