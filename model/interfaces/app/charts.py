"""The app's charts: stages, money, satisfaction and NPS, referral share, the network, the run's values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # the server draws to PNG; never open a window

import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from mesa.visualization import make_plot_component
from mesa.visualization.utils import update_counter

from model.engine.metrics import METRICS
from model.engine.retention_model import RetentionModel
from model.engine.state import Stage
from model.interfaces.app.app_model import AppModel
from model.interfaces.app.controls import APP_KEYS, FIXED_KEYS, flat_name
from model.scenario import PARAMS

#: One colour per stage, shared by the stage chart and the network view.
STAGE_COLOURS: dict[Stage, str] = {
    Stage.PROSPECT: "#9e9e9e",
    Stage.ACTIVE: "#1f77b4",
    Stage.LOYAL: "#2ca02c",
    Stage.LAPSED: "#d62728",
}
#: The stage-count metric for each stage (``active`` counts LOYAL clients too).
STAGE_METRICS: dict[Stage, str] = {
    Stage.PROSPECT: "prospects",
    Stage.ACTIVE: "active",
    Stage.LOYAL: "loyal",
    Stage.LAPSED: "lapsed",
}


def _axis_label(names: Sequence[str]) -> str:
    units = dict.fromkeys(METRICS[n][0] for n in names)
    return " / ".join(units)


def _hint(ax) -> None:
    """Say what to do on a chart that has nothing to show yet."""
    ax.text(0.5, 0.5, "press Step or ▶", transform=ax.transAxes, ha="center", color="gray")


def _fmt(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _labelled(title: str, names: Sequence[str]):
    """A Mesa ``post_process`` that titles a chart and labels its axis with the metrics' units."""

    def post_process(ax) -> None:
        ax.set_title(title)
        ax.set_ylabel(_axis_label(names))
        if all(len(line.get_xdata()) < 2 for line in ax.get_lines()):
            _hint(ax)

    return post_process


def twin_chart(title: str, left: Sequence[str], right: Sequence[str]):
    """A chart component for metrics on two scales (e.g. monthly money and cumulative NPV)."""

    @solara.component
    def TwinChart(model: RetentionModel):
        update_counter.get()  # redraw on every step
        frame = model.datacollector.get_model_vars_dataframe()
        month = frame.index.to_numpy()  # row m is month m (AppModel collects month 0)
        fig = Figure(figsize=(6, 3.6))
        # Fixed margins instead of a "tight" bounding box, which draws every frame twice.
        fig.subplots_adjust(left=0.13, right=0.85, bottom=0.14, top=0.9)
        ax = fig.subplots()
        other = ax.twinx()
        lines = []
        for axis, names, style in ((ax, left, "-"), (other, right, "--")):
            for name in names:
                lines += axis.plot(month, frame[name].to_numpy(), style, label=name)
            axis.set_ylabel(_axis_label(names))
        ax.set_xlabel("Step")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(title)
        if len(frame) < 2:
            _hint(ax)
        ax.legend(lines, [line.get_label() for line in lines], loc="best", fontsize="small")
        solara.FigureMatplotlib(fig, format="png")

    TwinChart.__name__ = f"TwinChart_{'_'.join(left)}"
    return TwinChart


@solara.component
def NetworkView(model: AppModel):
    """A sample of clients and their ties, coloured by stage (the layout stays fixed per model)."""
    update_counter.get()
    rows, pos, edges = model.network_sample()
    stage = model.clients.stage[rows]
    fig = Figure(figsize=(5, 5))
    fig.subplots_adjust(left=0.02, right=0.98, bottom=0.1, top=0.93)
    ax = fig.subplots()
    if edges.size:
        ax.add_collection(LineCollection(pos[edges], colors="#cccccc", linewidths=0.6, zorder=1))
    for code, colour in STAGE_COLOURS.items():
        here = stage == code
        ax.scatter(*pos[here].T, s=22, color=colour, label=f"{code.name.lower()} ({here.sum()})")
    ax.set_title(f"{rows.size} sampled clients, month {model.month}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=4, fontsize="small")
    ax.set_axis_off()
    ax.set_aspect("equal")
    solara.FigureMatplotlib(fig, format="png")


@solara.component
def RunTable(model: AppModel):
    """The parameters this run was built with, and where it stands, with units."""
    update_counter.get()
    flat = model.params.flat()
    rows = [
        f"| {flat_name(k).replace('_', ' ')} | {_fmt(flat[k])} | {PARAMS[k].unit} |"
        for k in (*APP_KEYS, *FIXED_KEYS)
    ]
    last = {k: v[model.month - 1] for k, v in model.results.items()} if model.month else {}
    status = (
        f"month **{model.month}** of {model.months}: {last['active']:.0f} active clients, "
        f"NPV {last['npv']:,.0f}"
        if last
        else f"month **0** of {model.months}: press Step or ▶"
    )
    solara.Markdown(
        "\n".join(
            ["#### This run", status, "", "| parameter | value | unit |", "|---|---|---|", *rows]
        )
    )


def components() -> list:
    """The app's charts: stages, money, satisfaction and NPS, referral share, the network."""
    stages = {STAGE_METRICS[s]: c for s, c in STAGE_COLOURS.items()}
    return [
        make_plot_component(stages, post_process=_labelled("clients by stage", list(stages))),
        twin_chart("revenue, profit (left) and NPV (right)", ["revenue", "profit"], ["npv"]),
        twin_chart("satisfaction (left) and NPS (right)", ["satisfaction"], ["nps"]),
        make_plot_component(
            "referral_share",
            post_process=_labelled("share of acquisitions from referrals", ["referral_share"]),
        ),
        (NetworkView, 0),
        (RunTable, 0),
    ]
