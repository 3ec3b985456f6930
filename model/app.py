"""The live browser app: the firm's levers as sliders, the client base as charts and a network.

Built on Mesa's :func:`~mesa.visualization.SolaraViz`. Start it with ``retention app``
(:mod:`model.app_launch`); it listens on 127.0.0.1 unless told otherwise and needs no internet: the
front end comes from the ``solara-assets`` package (DESIGN §3, §6). Solara serves this module
(``solara run model.app``) and renders :func:`Page` once per browser page.

Every control is generated from the declarations in :mod:`model.params` (default, unit, range), so
no default or range is typed twice. Each browser session builds its own model (:func:`Page`), so two
people stepping the app at once never step each other's firm.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")  # the server draws to PNG; never open a window

import networkx as nx
import numpy as np
import solara
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from mesa.visualization import SolaraViz, make_plot_component
from mesa.visualization.utils import update_counter

from model.metrics import METRICS
from model.model import RetentionModel
from model.params import PARAMS, ParamInfo, Scenario, ScenarioError
from model.state import Stage

__all__ = [
    "APP_DEFAULTS",
    "APP_KEYS",
    "AppModel",
    "Page",
    "app_scenario",
    "control",
    "model_params",
    "network_sample",
]

#: The parameters the app lets a user move, as declared in :mod:`model.params` (DESIGN §2 levers).
APP_KEYS: tuple[str, ...] = (
    "levers.service_level",
    "levers.empowerment_budget",
    "levers.empowerment_cap",
    "levers.ad_budget",
    "levers.winback_spend",
    "levers.loyalty_discount",
    "levers.training_spend",
    "levers.rd_share",
    "levers.client_focus",
    "market.clients",
    "run.seed",
)

#: Where the app departs from the scenario's defaults: a small market so a step is instant in a
#: browser, and a horizon long enough to watch a firm age.
APP_DEFAULTS: dict[str, Any] = {"market.clients": 2_000, "run.months": 240}

#: Fixed (not shown) parameters the app still passes when it rebuilds the model.
FIXED_KEYS: tuple[str, ...] = ("run.months",)

#: Clients drawn in the network view.
SAMPLE_SIZE = 150

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


def flat_name(key: str) -> str:
    """The keyword the app uses for a declared parameter: ``"levers.ad_budget"`` → ``"ad_budget"``."""
    return key.rpartition(".")[2]


_NAMES: dict[str, str] = {flat_name(k): k for k in (*APP_KEYS, *FIXED_KEYS)}
assert len(_NAMES) == len(APP_KEYS) + len(FIXED_KEYS), "app keywords must be unique"


def app_default(key: str) -> Any:
    """The app's starting value for a parameter: :data:`APP_DEFAULTS`, else the declared default."""
    return APP_DEFAULTS.get(key, PARAMS[key].default)


# ------------------------------------------------------------------------------------ controls
def _nice_ceil(x: float) -> float:
    """The smallest 1, 2 or 5 × 10^k that is ≥ ``x`` (``x`` > 0)."""
    k = math.floor(math.log10(x))
    for m in (1, 2, 5, 10):
        if m * 10.0**k >= x * (1 - 1e-12):
            return m * 10.0**k
    return 10.0 ** (k + 1)  # pragma: no cover - the loop always returns


def slider_range(info: ParamInfo, default: float) -> tuple[float, float, float]:
    """(min, max, step) of a slider, derived from a parameter's declared range.

    A declared range that is far wider than useful (e.g. a budget allowed up to 10⁶ with a default
    of 1 000) is cut at a round number ten times the default, so the slider can be aimed; the full
    range stays available from scenario files and ``--set``. The step is a round 1/100 of the span.
    """
    lo = 0.0 if info.lower is None else float(info.lower)
    hi = None if info.upper is None else float(info.upper)
    if default > 0 and (hi is None or hi > 20 * default):
        hi = _nice_ceil(10 * default) if hi is None else min(hi, _nice_ceil(10 * default))
    if hi is None:
        hi = lo + 1.0
    step = _nice_ceil((hi - lo) / 100)
    if info.kind is int:
        step = max(1.0, step)
        lo = math.ceil(lo / step) * step  # keep the default on the slider's grid
    return lo, hi, step


def control(key: str) -> dict[str, Any]:
    """The Mesa ``model_params`` entry for one declared parameter.

    The label is the parameter's name only (a sidebar slider has no room for more); the units are
    shown beside the values in the app's "this run" table.
    """
    info = PARAMS[key]
    default = app_default(key)
    label = flat_name(key).replace("_", " ")
    if key == "run.seed":
        # A seed is an identifier, not a quantity: typed, and cast from text by AppModel.
        return {
            "type": "InputText",
            "value": str(default),
            "label": f"seed (whole number ≥ {info.lower})",
        }
    lo, hi, step = slider_range(info, float(default))
    if info.kind is int:
        return {
            "type": "SliderInt",
            "value": int(default),
            "min": int(lo),
            "max": int(hi),
            "step": int(step),
            "label": label,
        }
    return {
        "type": "SliderFloat",
        "value": float(default),
        "min": lo,
        "max": hi,
        "step": step,
        "label": label,
    }


def model_params() -> dict[str, Any]:
    """Controls for :data:`APP_KEYS` and fixed values for :data:`FIXED_KEYS`, keyed by keyword."""
    params: dict[str, Any] = {flat_name(k): control(k) for k in APP_KEYS}
    params.update({flat_name(k): app_default(k) for k in FIXED_KEYS})
    return params


def _cast_seed(value: Any) -> Any:
    """A seed typed in the browser arrives as text: cast it to an int, or say what is allowed."""
    if not isinstance(value, str):
        return value
    text = value.strip().replace("_", "")
    try:
        return int(text)
    except ValueError:
        raise ScenarioError(
            f"run.seed: value {value!r} is not allowed; allowed: {PARAMS['run.seed'].allowed()} "
            "(a whole number)"
        ) from None


def app_scenario(values: Mapping[str, Any]) -> Scenario:
    """The scenario for the app's keyword values (unknown keywords are errors, as anywhere else)."""
    unknown = sorted(set(values) - set(_NAMES))
    if unknown:
        raise ScenarioError(
            f"app: unknown parameter(s) {', '.join(unknown)}; allowed: {', '.join(_NAMES)}"
        )
    overrides = {k: app_default(k) for k in APP_DEFAULTS}
    for name, value in values.items():
        key = _NAMES[name]
        overrides[key] = _cast_seed(value) if key == "run.seed" else value
    return Scenario().with_overrides(overrides)


# ------------------------------------------------------------------------------------- the model
class AppModel(RetentionModel):
    """A :class:`RetentionModel` built from flat keywords, as Mesa's app controls pass them.

    Parameters
    ----------
    scenario : object, optional
        Mesa's own experiment scenario, which SolaraViz passes on reset; unused (the model's
        scenario is built from ``values``).
    **values
        Keywords of :data:`APP_KEYS` and :data:`FIXED_KEYS` (e.g. ``service_level=0.6, seed=1,
        clients=2000``); anything not given takes the app's default.
    """

    def __init__(self, *, scenario: Any = None, **values: Any) -> None:
        super().__init__(app_scenario(values))
        self._sample: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # A row for month 0 (no metrics yet), so a chart's step axis is the month, as the step counter.
        self.datacollector.collect(self)

    def network_sample(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(rows, positions (k, 2), edges (m, 2) as local indices), computed once per model."""
        if self._sample is None:
            rng = self.streams.generator("app.sample", 0)  # its own stream: the run is unchanged
            self._sample = network_sample(
                self.network.indptr, self.network.indices, SAMPLE_SIZE, rng
            )
        return self._sample


def network_sample(
    indptr: np.ndarray, indices: np.ndarray, size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A connected-looking sample of a CSR network and a fixed layout for it.

    Clients are gathered breadth-first from random starting clients (a uniform sample of a sparse
    network would show almost no edges), then laid out once with a spring layout.

    Parameters
    ----------
    indptr, indices : ndarray
        The network in CSR form (:class:`model.network.Network`).
    size : int
        How many clients to draw (fewer if the market is smaller).
    rng : numpy.random.Generator
        Picks the starting clients and seeds the layout.

    Returns
    -------
    rows : ndarray of int64, (k,)
        Client rows drawn.
    pos : ndarray of float64, (k, 2)
        Layout positions in [-1, 1].
    edges : ndarray of int64, (m, 2)
        Edges among the drawn clients, as indices into ``rows``.
    """
    n = indptr.size - 1
    size = min(size, n)
    chosen: dict[int, None] = {}  # insertion-ordered set
    while len(chosen) < size:
        queue = [int(rng.integers(n))]
        while queue and len(chosen) < size:
            row = queue.pop(0)
            if row in chosen:
                continue
            chosen[row] = None
            queue.extend(int(j) for j in indices[indptr[row] : indptr[row + 1]] if j not in chosen)
    rows = np.fromiter(chosen, dtype=np.int64, count=len(chosen))
    local = {int(r): i for i, r in enumerate(rows)}
    edges = np.array(
        [
            (i, local[int(j)])
            for i, r in enumerate(rows)
            for j in indices[indptr[r] : indptr[r + 1]]
            if int(j) in local and local[int(j)] > i
        ],
        dtype=np.int64,
    ).reshape(-1, 2)
    graph = nx.Graph()
    graph.add_nodes_from(range(rows.size))
    graph.add_edges_from(map(tuple, edges))
    layout = nx.spring_layout(graph, seed=int(rng.integers(2**31)))
    pos = np.array([layout[i] for i in range(rows.size)], dtype=np.float64).reshape(-1, 2)
    return rows, pos, edges


# ------------------------------------------------------------------------------------ components
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


@solara.component
def Page():
    """One app per browser session: the model is built here, so sessions never share one."""
    model = solara.use_memo(AppModel, [])
    SolaraViz(
        model,
        components=components(),
        model_params=model_params(),
        name="Retention Lab: one step = one month",
    )
