"""Global sensitivity of sweep outcomes to the varied levers and assumptions (SALib).

Given a finished sweep store, :func:`analyze` returns, for each outcome metric and each varied
parameter, the indices its design supports:

* ``sobol`` design — first-order ``S1`` and total ``ST`` Sobol' indices with 95% bootstrap
  confidence half-widths (:func:`SALib.analyze.sobol.analyze`): the share of the outcome's variance
  a parameter explains alone, and with all its interactions; with ``second_order`` (the
  default, N(2D+2) runs) a row for each pair ``a × b`` with its second-order index ``S2`` and
  ``S2_conf`` (the share their interaction explains beyond both alone), not drawn.
* ``morris`` design — elementary effects: ``mu_star`` (mean absolute effect, in the metric's unit,
  over the parameter's range), ``sigma`` (its spread: non-linearity or interactions), ``mu`` and the
  confidence half-width ``mu_star_conf`` (:func:`SALib.analyze.morris.analyze`).
* ``lhs`` design — first-order ``S1`` by RBD-FAST (:func:`SALib.analyze.rbd_fast.analyze`).

Replicates are averaged per design point first, so Monte-Carlo noise shrinks with replications;
where each point runs on seeds of its own it still inflates indices of parameters that do nothing
(:func:`caveats` says so); with ``common_random_numbers`` every point shares them.

Small samples give indices that are not shares of variance at all (S1 = 1.12 with N = 16):
:func:`caveats` lists what to distrust — a sample below :data:`MIN_SAMPLES`, an index outside
[0, 1] beyond its interval, an interval wider than :data:`MAX_CONF` — and :func:`analyze` marks
each such row in its ``flag`` column. The figure draws flagged bars hatched.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from model.studies.files import atomic_file, write_atomic
from model.studies.progress import Progress, or_silent
from model.studies.sweep.results import load
from model.studies.sweep.spec import SweepError
from model.studies.sweep.status import status
from model.studies.sweep.store import read_manifest, read_stored

__all__ = ["MAX_CONF", "MIN_SAMPLES", "analyze", "caveats", "default_metrics", "plot", "write"]

ID_COLUMNS = ("point", "replicate", "seed")
#: Smallest sample each design needs for indices worth reading: Sobol base size N (Saltelli et al.
#: 2010 use N ≥ 500; 512 is the power of 2), Morris trajectories r (Campolongo et al. 2007: 10-20),
#: LHS points for RBD-FAST (Tarantola et al. 2006 use hundreds).
MIN_SAMPLES: dict[str, int] = {"sobol": 512, "morris": 10, "lhs": 100}
#: A Sobol'/RBD-FAST index whose 95% half-width exceeds this is flagged as too uncertain to rank.
MAX_CONF = 0.1


def _problem(spec: dict) -> dict:
    params = spec["parameters"]
    return {
        "num_vars": len(params),
        "names": [p["key"] for p in params],
        "bounds": [[p["low"], p["high"]] for p in params],
    }


def default_metrics(frame: pd.DataFrame, keys: list[str]) -> list[str]:
    """Summary metrics that are numeric, finite in every run and not constant across the sweep."""
    return [col for col in frame.columns if _left_out(frame, keys, col) == ""]


def _left_out(frame: pd.DataFrame, keys: list[str], col: str) -> str | None:
    """Why the default analysis leaves summary metric ``col`` out ("" where it is analysed;
    None for an identifier or a design column, no metric at all)."""
    if col in ID_COLUMNS or col in keys or not pd.api.types.is_numeric_dtype(frame[col]):
        return None
    values = frame[col].to_numpy(dtype=float)
    bad = int((~np.isfinite(values)).sum())
    if bad:
        return f"{bad} of {len(values)} runs have no finite value"
    return "" if np.ptp(values) > 0 else "the same value in every run"


def analyze(
    store: str | Path, metrics: str | list[str] | None = None, progress: Progress | None = None
) -> pd.DataFrame:
    """Sensitivity indices of each metric to each varied parameter, as a tidy table.

    Parameters
    ----------
    store : path
        A finished sweep store with a sobol, morris or lhs design.
    metrics : str or list of str, optional
        Summary metrics to analyse (one name alone is one metric, not its letters); default:
        every finite, non-constant one.
    progress : Progress, optional
        Counts the metrics analysed, naming each as it starts (:mod:`model.studies.progress`).

    Returns
    -------
    pandas.DataFrame
        One row per (metric, parameter): ``metric``, ``parameter``, ``method``, the indices,
        their ``unit`` and a ``flag`` saying why a row is not to be trusted ("" if none).
    """
    manifest = read_manifest(store)
    kind = manifest["design"]
    if kind not in ("sobol", "morris", "lhs"):
        raise SweepError(
            f"{str(store)!r}: sensitivity needs a sobol, morris or lhs design; this store's design "
            f"is {kind!r} (compare its points directly with model.studies.sweep.load)"
        )
    st = status(store)
    if not st.complete:
        damaged = f"; damaged, to redo: {', '.join(st.damaged)}" if st.damaged else ""
        raise SweepError(
            f"{str(store)!r}: sweep unfinished ({st.runs_done:,} of {st.runs:,} runs{damaged}); "
            "run the same 'retention sweep' command again to finish it"
        )
    spec = json.loads((Path(store) / "spec.json").read_text(encoding="utf-8"))
    problem = _problem(spec)
    keys = problem["names"]
    frame = load(store)
    # (why each summary metric the default set leaves out is left out, worked out once)
    reasons = {} if metrics else {c: _left_out(frame, keys, c) for c in frame.columns}
    metrics = _check_metrics(frame, keys, metrics, reasons)
    by_point = frame.groupby("point", sort=True)
    means = by_point[metrics].mean()
    if len(means) != manifest["points"]:
        raise SweepError(
            f"{str(store)!r}: {len(means)} points found, {manifest['points']} expected"
        )
    design = read_stored(
        Path(store) / "design.parquet",
        "run the same 'retention sweep' command again, without --fresh: it writes the design "
        "again where its runs agree",
    )
    design = design.sort_values("point")
    x = design[keys].to_numpy(dtype=float)
    seed = int(spec["seed"]) % 2**32
    rows = []
    progress = or_silent(progress)
    progress.reset(total=len(metrics))
    for metric in metrics:
        progress.set_description_str(f"sensitivity: {metric}")
        y = means[metric].to_numpy(dtype=float)
        rows.extend(_indices(kind, problem, spec, x, y, seed, metric))
        progress.update(1)
    table = pd.DataFrame(rows)
    table["unit"] = [
        _unit(m, method) for m, method in zip(table["metric"], table["method"], strict=True)
    ]
    table["flag"] = [_flag(row) for row in table.to_dict("records")]
    table.attrs["samples"] = int(spec["design"].get("samples") or len(means))
    table.attrs["design"] = kind
    table.attrs["own_seeds"] = not spec.get("common_random_numbers", False)
    if reasons:  # (the default set: the metrics it left out, and why, for caveats)
        table.attrs["left_out"] = {c: why for c, why in reasons.items() if why}
    return table


def _unit(metric: str, method: str) -> str:
    """What a row's indices are in: Morris' elementary effects in the metric's unit (a change
    over the parameter's whole range), Sobol' and RBD-FAST indices shares of its variance."""
    from model.engine.summary import SUMMARY

    if method != "morris":
        return "share of variance"
    unit = SUMMARY[metric].unit if metric in SUMMARY else "the metric's unit"
    return f"{unit}, over the parameter's range"


def _flag(row: dict) -> str:
    """Why one row's indices should not be read as shares of variance ("" if none)."""
    out = []
    for name in ("S1", "ST", "S2"):  # (a pair's S2 is the noisiest of them)
        v, conf = row.get(name), row.get(f"{name}_conf")
        if v is None or not np.isfinite(v):
            continue
        # Outside [0, 1] by more than its 95% half-width, on either side (a negative S1 was
        # let off by its width while an index above 1 was flagged whatever its width).
        slack = conf if conf is not None and np.isfinite(conf) else 0.0
        if v > 1 + slack or v < -slack:
            out.append(f"{name}={v:.2f} outside [0, 1]")
        if conf is not None and np.isfinite(conf) and conf > MAX_CONF:
            out.append(f"{name} ±{conf:.2f}")
        if conf is not None and not np.isfinite(conf):
            out.append(f"{name} has no interval")
    return "; ".join(out)


def caveats(table: pd.DataFrame) -> list[str]:
    """Warnings to print with an index table (empty when the sample is large enough and clean).

    Examples
    --------
    >>> t = pd.DataFrame({"metric": ["npv"], "parameter": ["a"], "method": ["sobol"],
    ...                   "S1": [1.12], "S1_conf": [0.6], "ST": [1.23], "ST_conf": [0.7]})
    >>> t["flag"] = [_flag(r) for r in t.to_dict("records")]
    >>> t.attrs.update(samples=16, design="sobol")
    >>> print(caveats(t)[0])  # doctest: +ELLIPSIS
    sample too small: sobol N = 16, below 512; ...
    """
    out = []
    kind = table.attrs.get("design", str(table["method"].iloc[0]) if len(table) else "")
    n = table.attrs.get("samples")
    need = MIN_SAMPLES.get(kind)
    if need and n is not None and n < need:
        out.append(
            f"sample too small: {kind} N = {n}, below {need}; the indices are noise-dominated "
            "(read the confidence intervals; rerun the sweep with more samples)"
        )
    if table.attrs.get("own_seeds"):  # (an inert parameter read ST 0.24 at N = 512 so)
        out.append(
            "each design point ran on seeds of its own (common_random_numbers = false): the "
            "runs' Monte-Carlo noise is counted as the parameters' effect, most visibly as "
            "effects of parameters that do nothing; set common_random_numbers = true in the "
            "spec (replicate r on the same seed at every point) to measure the parameters alone"
        )
    left = table.attrs.get("left_out") or {}
    if left:  # (a metric dropped in silence read as one no parameter moves)
        out.append(
            "left out (each needs a finite value in every run that varies): "
            + "; ".join(f"{m}: {why}" for m, why in left.items())
        )
    flagged = table[table["flag"] != ""] if "flag" in table else table.iloc[:0]
    for row in flagged.itertuples(index=False):
        out.append(f"{row.metric} / {row.parameter}: {row.flag}")
    return out


def _check_metrics(
    frame: pd.DataFrame,
    keys: list[str],
    metrics: str | list[str] | None,
    reasons: dict[str, str | None],
) -> list[str]:
    """The metrics to analyse: those named, each checked, or with none named the default set,
    read off ``reasons`` (each column's :func:`_left_out`)."""
    candidates = [c for c in frame.columns if c not in ID_COLUMNS and c not in keys]
    if isinstance(metrics, str):
        metrics = [metrics]  # (iterated, "npv" was the metrics "n", "p" and "v")
    elif metrics is not None:
        names = list(metrics) if isinstance(metrics, Iterable) else [metrics]
        if not all(isinstance(m, str) for m in names):
            raise SweepError(
                f"metrics: value {metrics!r} is not allowed; allowed: a metric name or a list "
                f"of them ({', '.join(candidates)})"
            )
        metrics = names
    if not metrics:
        chosen = [c for c, why in reasons.items() if why == ""]
        if not chosen:
            raise SweepError("no summary metric varies across this sweep; nothing to analyse")
        return chosen
    for m in metrics:
        if m not in candidates:
            raise SweepError(
                f"metric {m!r} (--metric): not a summary metric; allowed: {', '.join(candidates)}"
            )
        values = pd.to_numeric(frame[m], errors="coerce").to_numpy(dtype=float)
        bad = int((~np.isfinite(values)).sum())
        if bad:
            raise SweepError(
                f"metric {m!r} (--metric): {bad} of {len(values)} runs have no finite value; allowed: "
                "metrics finite in every run"
            )
        if np.ptp(values) == 0:  # (its indices would be 0/0: SALib's warning, then made-up 0s)
            raise SweepError(
                f"metric {m!r} (--metric): the same value ({values[0]:g}) in every run, so nothing "
                f"explains its variance; allowed: metrics that vary ({', '.join(default_metrics(frame, keys))})"
            )
    return list(dict.fromkeys(metrics))


def _indices(kind, problem, spec, x, y, seed, metric) -> list[dict]:
    names = problem["names"]
    if kind == "sobol":
        from SALib.analyze import sobol

        second = bool(spec["design"]["second_order"])
        r = sobol.analyze(problem, y, calc_second_order=second, seed=seed)
        rows = [
            {
                "metric": metric,
                "parameter": n,
                "method": "sobol",
                "S1": r["S1"][i],
                "S1_conf": r["S1_conf"][i],
                "ST": r["ST"][i],
                "ST_conf": r["ST_conf"][i],
            }
            for i, n in enumerate(names)
        ]
        # The pairs' second-order indices, which the design's N(2D+2) runs paid for (a design
        # without them is N(D+2)): one row a pair, "a × b", S2 and its 95% half-width.
        return rows + [
            {
                "metric": metric,
                "parameter": f"{a} × {b}",
                "method": "sobol",
                "S2": r["S2"][i, j],
                "S2_conf": r["S2_conf"][i, j],
            }
            for i, a in enumerate(names)
            for j, b in enumerate(names)
            if second and j > i
        ]
    if kind == "morris":
        from SALib.analyze import morris

        levels = int(spec["design"]["levels"])
        r = morris.analyze(problem, x, y, num_levels=levels, seed=seed)
        return [
            {
                "metric": metric,
                "parameter": n,
                "method": "morris",
                "mu": float(r["mu"][i]),
                "mu_star": float(r["mu_star"][i]),
                "sigma": float(r["sigma"][i]),
                "mu_star_conf": float(r["mu_star_conf"][i]),
            }
            for i, n in enumerate(names)
        ]
    from SALib.analyze import rbd_fast

    # The bootstrap uses half the sample; its bias correction needs 2M below that size.
    harmonics = min(10, (len(y) // 2 - 1) // 2)
    if harmonics < 1:
        raise SweepError(f"RBD-FAST needs at least 6 lhs samples; this store has {len(y)}")
    # A bootstrap resample of a small sample can have no variance: its index is 0/0, NaN in the
    # interval below (numpy's raw "invalid value in scalar divide" reached the command's output).
    with np.errstate(invalid="ignore", divide="ignore"):
        r = rbd_fast.analyze(problem, x, y, M=harmonics, seed=seed)
    # In small samples SALib's bootstrap can return a width of exactly 0 (every resample gives
    # the same index): no interval, not a certain index.
    return [
        {
            "metric": metric,
            "parameter": n,
            "method": "rbd_fast",
            "S1": float(r["S1"][i]),
            "S1_conf": float(r["S1_conf"][i]) if r["S1_conf"][i] > 0 else float("nan"),
        }
        for i, n in enumerate(names)
    ]


# ================================================================================ outputs
def plot(table: pd.DataFrame, path: str | Path) -> Path:
    """One panel per metric: bars per parameter (ST and S1, or mu* with its spread), saved as PNG."""
    # A bare Figure (no pyplot): drawing a file never switches a notebook's display backend.
    from matplotlib.figure import Figure

    if "S2" in table:  # (the pairs' second-order indices: in the table, not drawn)
        table = table[table["S2"].isna()]
    metrics = list(dict.fromkeys(table["metric"]))
    cols = min(3, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    n_par = table["parameter"].nunique()
    # (One metric's panel at 4.6 inches cut its title's warning and its axis label short.)
    width = max(6.4, 4.6 * cols)
    fig = Figure(figsize=(width, 1.2 + (0.45 * n_par + 0.9) * rows))
    axes = fig.subplots(rows, cols, squeeze=False)
    method = table["method"].iloc[0]
    for ax, metric in zip(axes.flat, metrics, strict=False):
        t = table[table["metric"] == metric]
        ypos = np.arange(len(t))
        if method == "morris":
            ax.barh(ypos, t["mu_star"], xerr=t["mu_star_conf"], color="tab:blue", label="μ*")
            ax.plot(t["sigma"], ypos, "o", color="tab:orange", label="σ")
            ax.set_xlabel(f"elementary effect\n({t['unit'].iloc[0]})", fontsize=8)
        else:
            h = 0.4
            hatch = ["//" if f else "" for f in t.get("flag", [""] * len(t))]
            if "ST" in t:
                ax.barh(ypos + h / 2, t["ST"], h, xerr=t["ST_conf"], color="tab:orange", label="ST",
                        hatch=hatch)  # fmt: skip
            ax.barh(ypos - h / 2, t["S1"], h, xerr=t["S1_conf"], color="tab:blue", label="S1",
                    hatch=hatch)  # fmt: skip
            # (two lines: one was cut short, "see warni", in a row of three panels)
            ax.set_xlabel("share of variance\n(hatched: not trustworthy, see warnings)", fontsize=8)
        ax.set_yticks(ypos, t["parameter"], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", lw=0.6)
        ax.set_title(metric, fontsize=10)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    axes.flat[0].legend(fontsize=8, loc="lower right")
    warn = caveats(table)
    said = [w.split(";")[0] for w in warn if w.startswith(("sample", "each design point"))]
    note = "".join(f" — {w}" for w in said)  # (the warnings that concern every index)
    title = textwrap.fill(f"Sensitivity ({method}){note}", width=int(width * 11))
    fig.suptitle(title, fontsize=11, color="#b00" if note else "black")
    fig.tight_layout()
    path = Path(path)
    with atomic_file(path) as handle:  # whole or not at all
        fig.savefig(handle, format="png", dpi=110)
    return path


def write(table: pd.DataFrame, outdir: str | Path) -> tuple[Path, Path]:
    """Write ``sensitivity.csv`` and ``sensitivity.png`` into ``outdir``, each whole or not at
    all, the figure first: a figure that cannot be written leaves the last table in place.

    An ``outdir`` that is a file, or cannot be made, raises :class:`SweepError` naming it.
    """
    outdir = Path(outdir)
    # (The CLI's check_out says the same before any work; studies cannot import the CLI.)
    if outdir.exists() and not outdir.is_dir():
        raise SweepError(f"outdir {str(outdir)!r}: is a file; allowed: a folder")
    try:
        outdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # (part of its path a file, read-only, ...)
        raise SweepError(
            f"outdir {str(outdir)!r}: cannot be written ({exc.strerror or exc}); allowed: a "
            "folder path you can write to"
        ) from None
    png = plot(table, outdir / "sensitivity.png")
    return write_atomic(outdir / "sensitivity.csv", table.to_csv(index=False)), png
