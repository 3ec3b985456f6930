"""Paired comparison of policies on common random numbers.

Every policy runs with the same seeds, and :mod:`model.engine.randomness` makes each client's draw depend
only on (seed, decision, month, client): so replication *r* of every policy sees the same market,
the same clients and the same dice — common random numbers. The difference between two policies in
one replication is then the policy's effect plus only the noise that the policy itself stirs up, and
a paired t interval over replications (mean ± t·sd/√R) is far narrower than comparing two
independent samples. A scenario compared with itself differs by exactly zero.

Examples
--------
>>> from model.scenario import Scenario
>>> base = Scenario().with_overrides({"market.clients": 300, "run.months": 6})
>>> wow = base.with_overrides({"levers.service_level": "wow"}).named("wow")
>>> c = compare([base, wow], replications=2)
>>> list(c.table["policy"].unique())
['wow']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.engine.context import SPEND_LINES
from model.engine.keywords import require_scenario
from model.engine.ledger import ACQUISITION_LINES
from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import amount, count, first_seed
from model.scenario.sections.run import consecutive_seeds
from model.studies.axes import events, policy_events
from model.studies.compare_notes import comparison_notes
from model.studies.horizon_notes import horizon_notes_told
from model.studies.policy_names import telling_names, unique_names
from model.studies.replicate import FromTimeseries, replicate
from model.studies.run import with_common
from model.studies.stats import few_runs_note, mean_interval

__all__ = [
    "OUTCOMES",
    "Comparison",
    "FromTimeseries",
    "compare",
    "outcomes",
    "paired_interval",
    "replicate",
]

#: Outcomes compared between policies: name -> (unit, meaning).
OUTCOMES: dict[str, tuple[str, str]] = {
    "npv": ("currency", "NPV: cumulative discounted profit over the horizon"),
    "profit_total": ("currency", "total (undiscounted) profit over the horizon"),
    "active_end": ("clients", "active clients at the end"),
    "nps_end": ("points", "net promoter score at the end"),
    "cac": ("currency/acquisition", "(marketing + onboarding) / acquisitions, over the whole run"),
    "retention_annual": ("share", "mean annual retention (monthly retention^12, mean over months)"),
    "spend_total": ("currency", "every cost line except cost of goods, summed over the horizon"),
    "spend_per_client": (
        "currency/client/month",
        "spend_total over the months active clients spent with the firm (the sum of the "
        "monthly active counts): what a client served cost, fixed costs spread over them",
    ),
}


def outcomes(ts: pd.DataFrame) -> dict[str, float]:
    """The compared outcomes of one run, from its monthly timeseries (see :data:`OUTCOMES`)."""
    acquired = float(ts["acquired"].sum())
    spend = float(ts[list(SPEND_LINES)].to_numpy().sum())
    client_months = float(ts["active"].sum())
    return {
        "npv": float(ts["npv"].iloc[-1]),
        "profit_total": float(ts["profit"].sum()),
        "active_end": float(ts["active"].iloc[-1]),
        "nps_end": float(ts["nps"].iloc[-1]),
        "cac": float(sum(ts[line].sum() for line in ACQUISITION_LINES) / acquired)
        if acquired > 0
        else math.nan,
        "retention_annual": float(ts["retention_annual"].mean()),
        "spend_total": spend,
        "spend_per_client": spend / client_months if client_months > 0 else math.nan,
    }


def _outcomes_and_path(ts: pd.DataFrame) -> tuple[dict[str, float], np.ndarray]:
    """Outcomes and the monthly NPV path of one run."""
    return outcomes(ts), ts["npv"].to_numpy(dtype=np.float64)


_one_run = FromTimeseries(_outcomes_and_path)


def paired_interval(diffs: Iterable[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and ``level`` interval of paired differences: mean ± t·sd/√R over replications.

    With one replication the interval is unknown (NaN); with identical pairs it is exactly (0, 0).
    """
    iv = mean_interval(np.asarray(list(diffs), dtype=np.float64), level)
    return iv.mean, iv.low, iv.high


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare` found.

    Attributes
    ----------
    names : list of str
        The policies, in the order given; the first is the reference.
    seeds : list of int
        The seeds every policy ran with (replication r used ``seeds[r]``).
    runs : pandas.DataFrame
        One row per (policy, replication): the outcomes of :data:`OUTCOMES`.
    paths : dict of str to ndarray
        Per policy, the (replications × months) cumulative NPV paths.
    table : pandas.DataFrame
        One row per (policy other than the first, outcome): the reference's mean, the policy's
        mean, the mean paired difference, its 95% interval, and the difference in % of the
        reference's mean (NaN for a score in points, the NPS: its zero is no baseline, and a
        mean near it makes any move thousands of percent), all over the ``defined_pairs`` (of
        ``replications``) where both have it.
    notes : list of str
        Warnings to read with the table (unequal spend, schedules past the horizon, …).
    events : list of tuple
        The policies' schedule steps and shocks, as the figure marks them
        (:func:`model.studies.axes.policy_events`).
    """

    names: list[str]
    seeds: list[int]
    runs: pd.DataFrame
    paths: dict[str, np.ndarray]
    table: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    events: list[tuple[str, float, float, str]] = field(default_factory=list)

    def __eq__(self, other: object) -> bool:
        """The same policies, seeds, runs, paths, table and notes, NaN equal to NaN (the
        dataclass's own ``==`` asked pandas for one truth value)."""
        if not isinstance(other, Comparison):
            return NotImplemented
        same = (self.names, self.seeds, self.notes) == (other.names, other.seeds, other.notes)
        paths = self.paths.keys() == other.paths.keys() and all(
            np.array_equal(p, other.paths[k], equal_nan=True) for k, p in self.paths.items()
        )
        return same and paths and self.runs.equals(other.runs) and self.table.equals(other.table)

    def __hash__(self) -> int:  # (the dataclass's hashed its tables, failing inside pandas)
        raise TypeError("unhashable type: 'Comparison' (its tables can change)")

    def __repr__(self) -> str:
        """One line: the policies and each one's NPV difference (printed in full, the
        dataclass ran to thousands of characters of tables; :meth:`format_table` is the
        report)."""
        r = len(self.seeds)
        npv = self.table[self.table["outcome"] == "npv"]
        diffs = "; ".join(
            f"{row.policy} {_fmt(row.difference, sign=True)} "
            f"[{_fmt(row.low, sign=True)}, {_fmt(row.high, sign=True)}]"
            for row in npv.itertuples()
        )
        return (
            f"Comparison(against {self.names[0]!r}, {r} replication{'s' * (r != 1)}; "
            f"NPV difference {diffs}{'; notes: ' + str(len(self.notes)) if self.notes else ''})"
        )

    def _repr_html_(self) -> str:
        """In a notebook: :meth:`format_table`'s report, as it prints."""
        import html

        return f"<pre>{html.escape(self.format_table())}</pre>"

    def format_table(self) -> str:
        """The differences as aligned text, one block per policy."""
        ref = self.names[0]
        r = len(self.seeds)
        lines = [
            f"Paired differences against {ref!r} ({r} replication{'s' * (r != 1)}, "
            f"seed{'s' * (r != 1)} {_seeds(self.seeds)}).",
            "Each interval is the replications' noise at these scenarios' values, not doubt "
            "about the values (how far an answer moves with one: retention sensitivity, a "
            "sweep, optimize --robust).",
        ]
        for name in self.names[1:]:
            w = max(16, len(ref) + 2, len(name) + 2)
            lines.append(f"\n{name} - {ref}:")
            lines.append(
                f"  {'outcome':<18}{'unit':<22}{ref:>{w}}{name:>{w}}{'difference':>16}"
                f"{'95% interval':>30}"
            )
            rows = self.table[self.table["policy"] == name]
            for row in rows.itertuples():
                interval = f"[{_fmt(row.low, sign=True)}, {_fmt(row.high, sign=True)}]"
                k = int(row.defined_pairs)
                lines.append(
                    f"  {row.outcome:<18}{row.unit:<22}{_fmt(row.reference_mean):>{w}}"
                    f"{_fmt(row.policy_mean):>{w}}{_fmt(row.difference, sign=True):>16}"
                    f"{interval:>30}" + (f"  ({k} of {r} pairs)" if k < r else "")
                )
        if (self.table["defined_pairs"] < r).any():  # no CAC without acquisitions, for one
            lines.append(f"(k of {r} pairs): every number over the k pairs where both runs have it")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def figure(self) -> Any:
        """Paired NPV difference paths with 95% bands (left); forest plots of the differences
        (right): in % of the reference's mean, and, below, the NPS in points
        (:func:`model.studies.compare_figure.comparison_figure`)."""
        from model.studies.compare_figure import comparison_figure

        return comparison_figure(self.names, self.paths, self.table, self.events)

    def save(self, outdir: str | Path, dpi: int = 110) -> list[Path]:
        """Write ``comparison.csv`` (the table), ``runs.csv`` and ``comparison.png``."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        outdir = Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        written = [outdir / "comparison.csv", outdir / "runs.csv", outdir / "comparison.png"]
        self.table.to_csv(written[0], index=False)
        self.runs.to_csv(written[1], index=False)
        fig = self.figure()
        FigureCanvasAgg(fig)
        fig.savefig(written[2], dpi=dpi)
        return written


def compare(
    scenarios: Sequence[Scenario],
    *,
    replications: int = 5,
    clients: int | None = None,
    months: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    executor: Executor | None = None,
    spend_tolerance: float = 0.01,
    on_done: Callable[[int], None] | None = None,
) -> Comparison:
    """Run two or more policies on common random numbers and difference them against the first.

    Parameters
    ----------
    scenarios : sequence of Scenario
        The policies; the first is the reference. Names label the output: a policy named as an
        earlier one is labelled by what it changes (``baseline + service_level=0.9``), and a
        name still repeated gets ``#2``, ``#3``…
    replications : int
        Seeds per policy (``seed, seed + 1, …``); every policy uses the same ones.
    clients, months : int, optional
        Market size (people) and horizon (months) for every policy.
    seed : int, optional
        First seed; defaults to the first scenario's ``run.seed``.
    overrides : mapping, optional
        ``{"section.name": value}`` applied to every policy (the CLI's ``--set``); a parameter
        the policies differ on, set to one value for all, is named in ``notes`` (that
        difference is then not compared).
    executor : concurrent.futures.Executor, optional
        Where to run the replications (in this process if omitted).
    spend_tolerance : float
        A note is added when a policy's mean total spend (every cost line except cost of goods)
        differs from the reference's by more than this share (a finite number ≥ 0).
    on_done : callable, optional
        Called with the number of runs each time some finish (a progress bar's ``update``).

    Returns
    -------
    Comparison
    """
    if isinstance(scenarios, (Scenario, str, bytes)) or not isinstance(scenarios, Sequence):
        raise ScenarioError(
            f"scenarios: value {type(scenarios).__name__} is not allowed; allowed: a list of two or "
            "more Scenarios (the policies to compare)"
        )
    if len(scenarios) < 2:
        raise ScenarioError(f"compare: needs at least two policies, got {len(scenarios)}")
    scenarios = [require_scenario(s, f"scenarios[{i}]") for i, s in enumerate(scenarios)]
    replications = count("replications", replications)
    spend_tolerance = amount("spend_tolerance", spend_tolerance, "0.01 is 1%", zero=True)
    policies = [with_common(s, overrides, clients, months) for s in scenarios]
    names = unique_names(telling_names(policies))
    horizons = {s.run.months for s in policies}
    if len(horizons) > 1:
        raise ScenarioError(
            f"compare: policies run over different horizons ({sorted(horizons)} months); "
            "pass months= (--months) to compare them over the same one"
        )
    sizes = {s.market.clients for s in policies}
    if len(sizes) > 1:  # (one seed draws other clients in another market: nothing is paired)
        raise ScenarioError(
            f"compare: policies run in markets of different sizes ({sorted(sizes)} people); "
            "pass clients= (--clients) to compare them in the same one"
        )
    first = first_seed(seed, policies[0])
    seeds = consecutive_seeds(first, replications)
    with horizon_notes_told(policies):  # (told in the comparison's notes instead)
        results = replicate(policies, seeds, executor, _one_run, on_done)

    rows, paths = [], {}
    for name, per_seed in zip(names, results, strict=True):
        paths[name] = np.vstack([path for _, path in per_seed])
        for r, (out, _) in enumerate(per_seed):
            rows.append({"policy": name, "replication": r, "seed": seeds[r], **out})
    runs = pd.DataFrame(rows)
    table = _difference_table(runs, names)
    notes = comparison_notes(runs, names, spend_tolerance, scenarios, policies, overrides)
    behind = table.loc[table["defined_pairs"] >= 2, "defined_pairs"]  # (each interval's pairs)
    if few := few_runs_note(int(behind.min()) if len(behind) else 0, "the paired differences'"):
        notes.append(few)
    elif len(seeds) < 2:  # (its low and high are NaN: say why, where an interval was looked for)
        notes.append(
            "one replication: no interval (low and high are NaN); an interval needs two "
            "replications or more"
        )
    if seed is None and len({s.run.seed for s in policies}) > 1:
        notes.append(
            f"every policy ran on the same seeds, from {first} (the run.seed of the first, "
            f"{names[0]!r}); the others' own run.seed is not used (pass seed= to choose it)"
        )
    marks = policy_events(  # (a step after the horizon has no effect, and is not drawn)
        {
            n: [e for e in events(s) if e[1] <= s.run.months]
            for n, s in zip(names, policies, strict=True)
        }
    )
    return Comparison(names, seeds, runs, paths, table, notes, marks)


def _difference_table(runs: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """One row per (policy, outcome), every number over the same ``defined_pairs`` (where both
    have it): ``difference`` is ``policy_mean − reference_mean``, a paired comparison."""
    ref = runs[runs["policy"] == names[0]].set_index("replication")
    rows = []
    for name in names[1:]:
        pol = runs[runs["policy"] == name].set_index("replication")
        for outcome, (unit, _) in OUTCOMES.items():
            both = np.isfinite(ref[outcome]) & np.isfinite(pol[outcome])
            a, b = ref.loc[both, outcome], pol.loc[both, outcome]
            mean, low, high = paired_interval(b - a)
            base = float(a.mean())  # NaN where no pair has it
            rows.append(
                {
                    "policy": name,
                    "reference": names[0],
                    "outcome": outcome,
                    "unit": unit,
                    "reference_mean": base,
                    "policy_mean": float(b.mean()),
                    "difference": mean,
                    "low": low,
                    "high": high,
                    # (none for a score in points, NPS: its zero is no baseline to take a
                    # share of)
                    "difference_pct": 100.0 * mean / abs(base)
                    if base and unit != "points"
                    else math.nan,
                    "defined_pairs": int(both.sum()),
                    "replications": len(ref),
                }
            )
    return pd.DataFrame(rows)


def _seeds(seeds: list[int]) -> str:
    return f"{seeds[0]}..{seeds[-1]}" if len(seeds) > 1 else str(seeds[0])


def _fmt(x: float, sign: bool = False) -> str:
    if not math.isfinite(x):
        return "n/a"
    magnitude = abs(x)
    spec = ",.0f" if magnitude >= 100 else (",.2f" if magnitude >= 1 or x == 0 else ".4f")
    return format(x, ("+" if sign else "") + spec)
