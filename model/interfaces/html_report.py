"""One run as a self-contained HTML page: the page a teacher projects or an analyst mails.

The page holds the headline results, the standard figures (embedded, so the file travels alone),
the parameters that differ from the defaults (with units and sources), any schedule or shock, a
year-by-year table, and how to reproduce the run. ``retention run`` writes it as ``report.html``.

Examples
--------
>>> from model import RetentionModel, Scenario
>>> m = RetentionModel(Scenario().with_overrides({"market.clients": 300, "run.months": 12})).run()
>>> page = run_report(m.params, m.timeseries(), m.summary(), figures={})
>>> page.startswith("<!DOCTYPE html>") and "NPV, discounted profit (currency)" in page
True
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from model.scenario import PARAMS, Scenario
from model.studies.files import write_atomic

__all__ = [
    "STYLE",
    "SUMMARY_ROWS",
    "YEARLY_NOTE",
    "number_cell",
    "reproduce_section",
    "run_report",
    "summary_rows",
    "table_html",
    "write_run_report",
    "yearly",
    "yearly_rows",
]

#: (label, summary key, format) of the headline results, in the order they are shown.
SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("active clients at the end", "active_end", "{:,.0f}"),
    ("acquired / churned / won back", "", ""),
    ("mean annual retention", "retention_annual_mean", "{:.1%}"),
    ("revenue, total (currency)", "revenue_total", "{:,.0f}"),
    ("profit, total (currency)", "profit_total", "{:,.0f}"),
    ("NPV, discounted profit (currency)", "npv", "{:,.0f}"),
    ("service cost, total (currency)", "service_cost_total", "{:,.0f}"),
    ("satisfaction at the end (0-1)", "satisfaction_end", "{:.3f}"),
    ("NPS at the end (points)", "nps_end", "{:+.1f}"),
    ("CAC, pooled (currency per acquisition)", "cac", "{:,.0f}"),
    ("acquisitions by referral", "referral_share", "{:.1%}"),
    ("top 20% share of revenue, last month", "top20_revenue_share_end", "{:.1%}"),
)

#: Headline keys that count clients (whole numbers in one run, means of them over replications).
_COUNTS = frozenset({"active_end"})

#: Year-by-year columns: (column, how a year aggregates the months, label, format).
_YEARLY: tuple[tuple[str, str, str, str], ...] = (
    ("active", "last", "active at year end", "{:,.0f}"),
    ("acquired", "sum", "acquired in the year", "{:,.0f}"),
    ("churned", "sum", "churned in the year", "{:,.0f}"),
    ("won_back", "sum", "won back in the year", "{:,.0f}"),
    ("revenue", "sum", "revenue in the year (currency)", "{:,.0f}"),
    ("profit", "sum", "profit in the year (currency)", "{:,.0f}"),
    ("npv", "last", "NPV to date (currency)", "{:,.0f}"),
    ("satisfaction", "mean", "satisfaction, mean of the months (0-1)", "{:.3f}"),
    ("nps", "mean", "NPS, mean of the months (points)", "{:+.1f}"),
)
#: Said under the year table: how each column was rolled up.
YEARLY_NOTE = (
    "Flows are summed over the year's months, stocks and NPV are as at the year's last month, "
    "and satisfaction and NPS are yearly means of the monthly values (the year-end values are in "
    "the monthly table, timeseries.csv)."
)


def summary_rows(
    summary: Mapping[str, float],
    intervals: Mapping[str, tuple[float, float]] | None = None,
    defined: Mapping[str, tuple[int, int]] | None = None,
) -> list[tuple[str, str]]:
    """The headline results as (label, formatted value) pairs; "n/a" where a value is undefined.

    With ``intervals`` (replicated runs: key → (low, high) of the mean's 95% interval) each value
    reads ``mean [low, high]``; with ``defined`` (key → (runs where it is defined, runs), for
    the headlines some runs leave undefined) it adds ``(k of n runs)``: the mean is theirs.
    """
    rows = []
    # A mean over replications of a count is no count: 0.5 acquisitions a run must not read 0.
    count = "{:,.0f}" if intervals is None else "{:,.1f}"
    for label, key, fmt in SUMMARY_ROWS:
        fmt = count if key in _COUNTS else fmt
        if not key:
            flows = ("acquired_total", "churned_total", "won_back_total")
            value = " / ".join(_formatted(count, summary.get(k, 0)) for k in flows)
        else:
            value = _formatted(fmt, summary.get(key))
            if intervals and key in intervals and value != "n/a":
                # An interval of one defined run (or read back from JSON as null) is undefined.
                low, high = (_formatted(fmt, b) for b in intervals[key])
                value += " [n/a]" if "n/a" in (low, high) else f" [{low}, {high}]"
            if defined and key in defined and value != "n/a":
                value += " ({} of {} runs)".format(*defined[key])
        rows.append((label, value))
    return rows


def yearly(ts: pd.DataFrame) -> pd.DataFrame:
    """The monthly table rolled up by year (flows summed, stocks at year end, scores averaged)."""
    year = (ts["month"] - 1) // 12 + 1
    frame = ts.groupby(year).agg({col: how for col, how, _, _ in _YEARLY})
    frame.index.name = "year"
    return frame.rename(columns={col: label for col, _, label, _ in _YEARLY})


def yearly_rows(ts: pd.DataFrame) -> list[list[str]]:
    """:func:`yearly` formatted for a table: thousands separated, scores rounded sensibly; a
    year the run did not finish is labelled with its months (``3 (months 25–30)``: its flows
    are a part year's, not a collapse)."""
    table = yearly(ts)
    formats = [fmt for *_, fmt in _YEARLY]
    months = ts.groupby((ts["month"] - 1) // 12 + 1)["month"].agg(["min", "max", "size"])
    rows = []
    for y, row in table.iterrows():
        first, last, size = months.loc[y]
        label = str(int(y)) if size == 12 else f"{int(y)} (months {first}–{last})"
        rows.append([label, *(_formatted(f, v) for f, v in zip(formats, row, strict=True))])
    return rows


def _formatted(fmt: str, v: Any) -> str:
    """``v`` formatted with ``fmt``, or "n/a" where it is undefined.

    The one place every number of a report or of the CLI's headline table is formatted: None
    (a NaN stored as JSON null and read back), NaN, ±inf and ``pd.NA`` all read "n/a".
    """
    if isinstance(v, int) and not isinstance(v, bool):
        return fmt.format(v)  # (exact: no detour through a float)
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "n/a"
    if not math.isfinite(x):
        return "n/a"
    text = fmt.format(x)
    if text.startswith("-") and not any(d in text for d in "123456789"):
        # A small negative rounded to nothing is no sign: "-0.0" read as a fall below zero.
        text = ("+" if fmt.startswith("{:+") else "") + text[1:]
    return text


def _changed(scenario: Scenario) -> list[dict[str, Any]]:
    """Parameters whose value differs from the declared default."""
    rows = []
    for key, value in scenario.flat().items():
        info = PARAMS[key]
        if value != info.default:
            row = {"key": key, "value": value, "default": info.default}
            rows.append(row | {"unit": info.unit, "source": info.source})
    return rows


def table_html(header: list[str], rows: list[list[Any]], numeric: range | set[int]) -> str:
    """An HTML table; the columns in ``numeric`` are right-aligned."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = "".join(
            f'<td class="{"num" if i in numeric else "txt"}">{html.escape(str(c))}</td>'
            for i, c in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def number_cell(v: Any, digits: int = 6) -> str:
    """A value for a table: thousands separated, small numbers to ``digits`` significant figures.

    Parameter tables keep 6 (a fitted 0.0292342 must not read as its default); result tables of
    many runs use 4 (0.7185, not 0.718463: the runs' noise is far above the fifth figure).
    """
    if v is None or v is pd.NA:
        return _formatted("{}", v)  # "n/a"
    if isinstance(v, bool) or not isinstance(v, int | float):
        return str(v)
    whole = isinstance(v, int) or (math.isfinite(v) and (v.is_integer() or abs(v) >= 1000))
    return _formatted("{:,.0f}" if whole else f"{{:.{digits}g}}", v)


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
h1 { margin-bottom: 0.2rem; } .lead { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.25rem 0.7rem; }
th { text-align: left; background: #f4f4f4; } td.num { text-align: right; }
img { max-width: 100%; border: 1px solid #eee; margin: 0.4rem 0; }
code, pre { background: #f6f6f6; padding: 0.1rem 0.3rem; }
"""


def _headline(summary: Mapping[str, float], meta: Mapping[str, Any] | None) -> list[str]:
    """The headline table; replicated runs (``meta["intervals"]``) show means with intervals."""
    intervals = (meta or {}).get("intervals")
    rows = [list(r) for r in summary_rows(summary, intervals, (meta or {}).get("defined_runs"))]
    parts = [table_html(["result", "mean [95% interval]" if intervals else "value"], rows, {1})]
    if intervals:
        n = (meta or {}).get("replications", "")
        parts.append(
            f'<p class="lead">Means over {n} runs with seeds {html.escape(str(meta.get("seeds")))}'
            "; 95% t intervals of the mean. The figures show the mean month by month with a band "
            "from the runs' 2.5% to their 97.5% quantile (interpolated between runs: with few "
            "runs it holds fewer than 95% of them, 3 of 5 where 5 ran).</p>"
        )
    return parts


def run_report(
    scenario: Scenario,
    ts: pd.DataFrame,
    summary: Mapping[str, float],
    figures: Mapping[str, bytes],
    meta: Mapping[str, Any] | None = None,
) -> str:
    """The HTML page of one run.

    Parameters
    ----------
    scenario : Scenario
        The scenario as run.
    ts : pandas.DataFrame
        The monthly table (:meth:`model.RetentionModel.timeseries`).
    summary : mapping
        Headline results (:meth:`model.RetentionModel.summary`).
    figures : mapping of str to bytes
        PNG images by name, embedded in order (see :func:`model.interfaces.figures.save_standard_figures`).
    meta : mapping, optional
        Run metadata (command, version, git commit, created, wall seconds), shown at the end.
    """
    esc = html.escape
    seeds = (meta or {}).get("seeds") if (meta or {}).get("intervals") else None
    # (Replications: every seed run, not only the first, which the scenario records.)
    which = (
        f"{len(seeds)} runs, seeds {seeds[0]}–{seeds[-1]}"
        if seeds and list(seeds) == list(range(seeds[0], seeds[0] + len(seeds)))
        else f"{len(seeds)} runs"
        if seeds
        else f"seed {scenario.run.seed}"
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{esc(scenario.name)} — Retention Lab</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(scenario.name)}</h1>",
        f'<p class="lead">{esc(scenario.description or "")}<br>{scenario.market.clients:,} people '
        f"in the market × {scenario.run.months} month{'s' * (scenario.run.months != 1)}, "
        f"{which}</p>",
        "<h2>Headline results</h2>",
        *_headline(summary, meta),
    ]
    if figures:
        parts.append("<h2>Figures</h2>")
        for name, png in figures.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(f'<img alt="{esc(name)}" src="data:image/png;base64,{data}">')
    changed = _changed(scenario)
    parts.append("<h2>What this scenario sets</h2>")
    if changed:
        rows = [[r["key"], number_cell(r["value"]), number_cell(r["default"]), r["unit"], r["source"]]
                for r in changed]  # fmt: skip
        header = ["parameter", "value", "default", "unit", "source of the default"]
        parts.append(table_html(header, rows, {1, 2}))  # (a file's own comments are not read)
    else:
        parts.append("<p>Every parameter at its declared default.</p>")
    parts += _schedule_tables(scenario)
    table = yearly(ts)
    parts.append("<h2>Year by year</h2>")
    rows = yearly_rows(ts)
    parts.append(table_html(["year", *table.columns], rows, range(len(rows[0]) if rows else 0)))
    parts.append(f'<p class="lead">{esc(YEARLY_NOTE)}</p>')
    parts += reproduce_section(meta)
    parts.append("</body></html>")
    return "\n".join(parts)


#: What a shock's ``size`` means, by kind (the scenario file's ``[[shocks]]``).
_SHOCK_SIZE = {
    "bad_service": "delivered quality lower by this (quality points, 0-1)",
    "competitor_leap": "competitors' frontier up by this, for good (quality points, 0-1)",
    "price_war": "the cost of reaching prospects times 1 + this",
    "poaching": "share of the served clients not leaving anyway taken each month (0-1)",
}


def _schedule_tables(scenario: Scenario) -> list[str]:
    """The schedule's lever changes by month, with units, and the shocks, each size explained
    (they were shown as the scenario file's JSON, in the order given)."""
    parts = []
    steps = sorted(scenario.schedule, key=lambda st: st.month)  # (stable: file order within one)
    if steps:
        rows = [
            [st.month, name, number_cell(value), PARAMS[f"levers.{name}"].unit]
            for st in steps
            for name, value in st.set.items()
        ]
        parts.append("<h3>Schedule</h3>")
        parts.append(table_html(["from month", "lever", "value", "unit"], rows, {0, 2}))
    if scenario.shocks:
        rows = [
            [k.kind, k.start, "for good" if k.kind == "competitor_leap" else k.months,
             number_cell(k.size), _SHOCK_SIZE[k.kind] + ("; they never return" * k.permanent)]
            for k in sorted(scenario.shocks, key=lambda k: k.start)
        ]  # fmt: skip
        parts.append("<h3>Shocks</h3>")
        parts.append(
            table_html(["shock", "from month", "months", "size", "size means"], rows, {1, 2, 3})
        )
    return parts


def write_run_report(
    path: str | Path,
    scenario: Scenario,
    ts: pd.DataFrame,
    summary: Mapping[str, float],
    figures: Mapping[str, bytes] | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Path:
    """Write :func:`run_report` to ``path``; draws the standard figures if none are given."""
    if figures is None:
        from model.interfaces.figures import render_standard_figures

        figures = render_standard_figures(ts, scenario=scenario)
    path = Path(path)
    write_atomic(path, run_report(scenario, ts, summary, figures, meta))
    return path


def reproduce_section(meta: dict[str, Any] | None) -> list[str]:
    """The "Reproduce" section: command, version, commit, numerics class (whose last bits:
    docs/ODD.md §8), time, wall seconds and, for a sweep, the tasks this command ran."""
    if not meta:
        return []
    keys = ("command", "version", "git_commit", "numerics", "created", "wall_seconds",
            "tasks_run_now", "tasks_already_done", "task_seconds_now", "runs_reused_now")  # fmt: skip
    return [
        "<h2>Reproduce</h2>",
        table_html(["", ""], [[k, number_cell(meta[k])] for k in keys if k in meta], set()),
    ]
