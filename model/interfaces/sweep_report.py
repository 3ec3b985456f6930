"""A sweep's ``report.html``: what was swept on what base, and each design point's headline
results as means with 95% intervals (and a figure of NPV by point), like a run's report."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.studies.files import write_atomic

__all__ = ["MOST_SHOWN", "REPORT_METRICS", "base_label", "point_means", "write_sweep_report"]

#: Headline metrics the report tabulates per design point (those the store has).
REPORT_METRICS = ("npv", "profit_total", "active_end", "nps_end", "retention_annual_mean")
#: What a sweep states on its own (size, horizon, seed): not counted as a change of the base.
_STATED = ("run.months", "market.clients", "run.seed")


def base_label(spec: Any) -> str:
    """The base scenario's name and what the spec changed in it (``baseline + ad_budget=500``).

    Changes are counted against the preset of the same name (the built-in defaults when there is
    none), leaving out the size, horizon, seed and the swept parameters, which the report states.
    """
    from model.interfaces.labels import overrides_text
    from model.scenario import Scenario, ScenarioError, preset_path

    base = spec.base_scenario()
    try:
        reference = Scenario.from_toml(preset_path(base.name)).flat()
    except ScenarioError:
        reference = Scenario().flat()
    skip = set(_STATED) | set(spec.keys)
    changed = {k: f"{v:g}" if isinstance(v, float) else v for k, v in base.flat().items()
               if k not in skip and reference.get(k) != v}  # fmt: skip
    return f"{base.name} + {overrides_text(changed)}" if changed else base.name


def point_means(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """One row per design point: its values, runs, and each metric's mean, low and high (95%)."""
    from model.engine.summary import SUMMARY
    from model.studies.stats import mean_interval

    metrics = [m for m in REPORT_METRICS if m in frame.columns]
    rows = []
    for point, runs in frame.groupby("point", sort=True):
        row = {"point": int(point), **{k: runs[k].iloc[0] for k in keys}, "runs": len(runs)}
        for m in metrics:
            iv = mean_interval(runs[m].to_numpy(dtype=float), within=SUMMARY[m].bounds)
            row |= {m: iv.mean, f"{m} low": iv.low, f"{m} high": iv.high}
        rows.append(row)
    return pd.DataFrame(rows)


def _fmt(v: float) -> str:
    return "n/a" if v != v else f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _shown(means: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The report's table: one ``mean [low, high]`` column per metric instead of three."""
    shown = means[["point", *keys, "runs"]].copy()
    for m in (m for m in REPORT_METRICS if m in means):
        shown[f"{m}, mean [95% interval]"] = [
            _fmt(a) if lo != lo else f"{_fmt(a)} [{_fmt(lo)}, {_fmt(hi)}]"  # one run: no interval
            for a, lo, hi in zip(means[m], means[f"{m} low"], means[f"{m} high"], strict=True)
        ]
    return shown


def _npv_figure(means: pd.DataFrame, keys: list[str]) -> bytes:
    from matplotlib.figure import Figure

    from model.studies.axes import THOUSANDS, at_least

    fig = Figure(figsize=(8, 0.8 + 0.32 * len(means)), layout="constrained")
    ax = fig.subplots()
    labels = [", ".join(f"{k.rpartition('.')[2]}={r[k]:.3g}" if isinstance(r[k], float)
                        else f"{k.rpartition('.')[2]}={r[k]}" for k in keys)
              for _, r in means.iterrows()]  # fmt: skip
    err = [means["npv"] - means["npv low"], means["npv high"] - means["npv"]]
    ax.errorbar(means["npv"], range(len(means)), xerr=err, fmt="o", capsize=3)
    ax.set_yticks(range(len(means)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(THOUSANDS)
    at_least(ax, axis="x")  # every point alike: one value, not ±0.05 ticks
    ax.set_xlabel("NPV, mean over replicates with 95% interval")
    from model.interfaces.figures import png_bytes

    return png_bytes(fig, dpi=110)


#: The most design points the report tabulates and draws one by one (a Sobol' design of 2,048
#: made an 11 MB page with a 72,000-pixel figure; every point stays in the store).
MOST_SHOWN = 100


def write_sweep_report(store: Path, spec: Any, meta: Mapping[str, Any] | None = None) -> Path:
    """Write ``STORE/report.html`` (``meta``: how to reproduce it, as the other reports).

    ``spec`` must be the store's (:func:`model.studies.sweep.stored_spec` reads it back): another
    spec's size, replications and seeds would describe runs the store does not hold.
    """
    from model.interfaces.study_report import study_report
    from model.scenario.schedule import set_again
    from model.studies.sweep import SweepError, load
    from model.studies.sweep.store import read_manifest

    if read_manifest(store)["spec_digest"] != spec.digest():
        raise SweepError(
            f"{str(store)!r}: spec {spec.name!r} is not this store's (its digest differs); "
            "allowed: the store's own, model.studies.sweep.stored_spec(store)"
        )
    frame = load(store)
    keys = [k for k in spec.keys if k in frame.columns]
    points = sorted(frame["point"].unique())
    # (the points shown only: every point's interval of a 2,048-point design is work unread)
    shown = point_means(frame[frame["point"].isin(points[:MOST_SHOWN])], keys)
    figures = {"npv_by_point": _npv_figure(shown, keys)} if "npv" in shown else {}
    crn = "common random numbers (the same seeds at every point)" if spec.common_random_numbers \
        else "independent seeds per point"  # fmt: skip
    about = (spec.description or spec.name).rstrip(". ")
    lead = (f"{about}. Base: {base_label(spec)}; {len(points)} design points × "
            f"{spec.replications} replicates, {spec.clients:,} people × {spec.months} months, "
            f"{crn}.")  # fmt: skip
    base = spec.base_scenario()
    given = dict.fromkeys([*spec.keys, *spec.base_set])  # (as the sweep warns of them)
    notes = [f"{line}." for line in set_again(base.schedule, given, spec.months)]
    if spec.replications == 1:
        notes.append(
            "1 replicate per point: no interval (one run per point is one draw of its noise); "
            "run more replications before ranking close points."
        )
    else:  # (the clipping at every count: mean_interval's ``within``)
        clipped = "clipped to its metric's possible range (a count at 0, a share at 0 and 1)"
        notes.append(
            f"{spec.replications} replicates per point: the 95% t intervals are wide (each "
            f"{clipped}); run more replications before ranking close points."
            if spec.replications < 5
            else f"{spec.replications} replicates per point: each 95% t interval is {clipped}."
        )
    if len(points) > MOST_SHOWN:
        notes.append(
            f"The table and figure show the first {MOST_SHOWN} of {len(points):,} design points; "
            "every point is in the store (model.studies.sweep.load)."
        )
    page = study_report(f"sweep: {spec.name}", lead, {"design points": _shown(shown, keys)},
                        figures, notes, meta)  # fmt: skip
    path = Path(store) / "report.html"
    write_atomic(path, page)  # (a report cut short by an interrupt is no report)
    return path
