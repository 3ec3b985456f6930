"""The result of a budget-split search: the split, its honest gain on fresh seeds, and how flat the optimum is."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.scenario import PARAMS
from model.studies.optimize.exchange import Exchange

__all__ = ["BudgetSplit", "fresh_seeds"]

#: A best share at or below this is the search's rounding, not money: its value is shown as 0.
_HAIR = 1e-12


@dataclass(frozen=True)
class BudgetSplit:
    """What :func:`optimize` found.

    Attributes
    ----------
    levers : list of str
    budget : float
        Currency per month split across the levers.
    rates : dict of str to Exchange
    own_shares, best_shares : ndarray
        The scenario's own split (scaled to the budget) and the best one found.
    own_values, best_values : dict of str to float
        The lever settings of both splits, in the levers' own units.
    npv_own, npv_best : float
        Mean NPV on the search seeds (the objective: mean or worst over the assumption's values).
    gain : dict
        ``mean``, ``low``, ``high`` (95% paired interval) of NPV(best) − NPV(own) on fresh seeds,
        and ``seeds``. Robust over an assumption, the gain is measured at each of its values
        (``per_value``) and combined as the search combined NPVs: the mean over the values, or
        each split's worst-case NPV (``at_own``, ``at_best``: where each is worst; ``at``
        where both are at one); ``assumption``, ``criterion`` and ``values`` say which
        (:func:`~model.studies.optimize.holdout.holdout_gain`).
    flatness : pandas.DataFrame
        Per lever: the NPV when ±10 and ±20 points of budget move into / out of it
        (``npv_0.1`` …, currency), that change as a percentage of the best NPV's size
        (``npv_plus10_pct``, ``npv_minus10_pct``: −1.9 is 1.9% less), and the range of its share
        over evaluated splits within 1% of the best NPV (``share_low_1pct``, ``share_high_1pct``).
    evaluations : pandas.DataFrame
        Every split evaluated: its shares, objective and ``kind`` (``own``, ``grid``,
        ``search``, ``best``, ``profile`` around the best; ``polish``: a profile around an
        earlier best that one of its steps beat).
    spend : pandas.DataFrame
        Mean monthly money each lever really spent under both splits (ledger), vs planned: over
        the search seeds, and robust over an assumption over its values too (a split's lever
        settings are the same at every value, so its money may differ between them).
    """

    levers: list[str]
    budget: float
    rates: dict[str, Exchange]
    own_shares: np.ndarray
    best_shares: np.ndarray
    own_values: dict[str, float]
    best_values: dict[str, float]
    npv_own: float
    npv_best: float
    gain: dict[str, Any]
    flatness: pd.DataFrame
    evaluations: pd.DataFrame
    spend: pd.DataFrame
    notes: list[str]

    def table(self) -> pd.DataFrame:
        """One row per lever: rate, own and best share and value, money per month."""
        return pd.DataFrame(
            {
                "lever": self.levers,
                "money_per_unit": [self.rates[v].rate for v in self.levers],
                "per": [self.rates[v].basis for v in self.levers],
                "own_share": self.own_shares,
                "own_value": [self.own_values[v] for v in self.levers],
                "best_share": self.best_shares,
                "best_value": [self.best_values[v] for v in self.levers],
                "best_money_per_month": self.best_shares * self.budget,
            }
        )

    def __repr__(self) -> str:
        """One line: the best split and its gain on fresh seeds (printed in full, the dataclass
        ran to thousands of characters of tables; :meth:`format` is the report)."""
        shares = " / ".join(
            f"{v} {x:.0%}" for v, x in zip(self.levers, self.best_shares, strict=True)
        )
        return (
            f"BudgetSplit({self.budget:,.0f} a month: best {shares}; NPV gain on "
            f"{fresh_seeds(len(self.gain['seeds']))}: {_interval(self.gain)}; "
            f"{len(self.evaluations)} splits evaluated)"
        )

    def _repr_html_(self) -> str:
        """In a notebook: :meth:`format`'s report, as it prints."""
        import html

        return f"<pre>{html.escape(self.format())}</pre>"

    def format(self) -> str:
        """A readable report."""
        g = self.gain
        lines = [
            f"Budget {self.budget:,.0f} a month split across {', '.join(self.levers)}",
            "  (the same money moved between them: whether spending more pays is compare's "
            "question, not this one's)",
            f"  {'lever':<20}{'own share':>10}{'own value':>12}{'best share':>12}"
            f"{'best value':>12}{'money/month':>14}  value's unit",
        ]
        for row in self.table().itertuples():
            # (a share the search left a hair above zero, 1e-20, is no money: shown as 0)
            best = row.best_value if row.best_share > _HAIR else 0.0
            lines.append(
                f"  {row.lever:<20}{row.own_share:>10.1%}{row.own_value:>12.4g}"
                f"{row.best_share:>12.1%}{best:>12.4g}{row.best_money_per_month:>14,.0f}"
                f"  {PARAMS[f'levers.{row.lever}'].unit}"
            )
        over = self.over()
        lines.append(
            f"NPV on the search seeds{over and f' ({over} of the means)'}: "
            f"own split {self.npv_own:,.0f}, best {self.npv_best:,.0f}"
        )
        lines.append(
            f"NPV gain of the best split over the own split on {fresh_seeds(len(g['seeds']))}"
            f"{self.gain_over()}: {_interval(g)}"
        )
        for row in g.get("per_value", []):
            lines.append(f"  at {g['assumption']} = {_value(row['value'])}: gain {_interval(row)}")
        lines.append(
            "Flatness (NPV change when 10 points of budget move; the lowest and highest share "
            "among the splits evaluated within 1% of the best NPV, not a range where every "
            "share is):"
        )
        for row in self.flatness.itertuples():
            lines.append(
                f"  {row.lever:<20} +10 pts: {_pct(row.npv_plus10_pct / 100):>8}   "
                f"-10 pts: {_pct(row.npv_minus10_pct / 100):>8}   "
                f"evaluated within 1% of best: {row.share_low_1pct:.0%}..{row.share_high_1pct:.0%}"
            )
        over = "the search seeds"
        if "assumption" in self.gain:  # (robust: the same settings ran at every value)
            over += f" and {self.gain['assumption']}'s values"
        lines.append(f"Money really spent a month (ledger, mean over {over}):")
        for row in self.spend.itertuples():
            lines.append(
                f"  {row.lever:<20} own {row.own_spent:>12,.0f}   best {row.best_spent:>12,.0f}"
                f"   (planned {row.best_planned:,.0f})"
            )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def over(self) -> str:
        """How NPVs were combined over the assumption's values, e.g. ``the worst over
        retain.satisfaction_sensitivity in [1, 5]``; ``""`` without an assumption."""
        g = self.gain
        if g.get("assumption") is None:
            return ""
        shown = ", ".join(_value(v) for v in g["values"])
        return f"the {g['criterion']} over {g['assumption']} in [{shown}]"

    def gain_over(self) -> str:
        """How the gain on fresh seeds was combined over an assumption's values, in brackets
        (and at which value each split is worst), e.g. `` (the worst over
        retain.satisfaction_sensitivity in [1, 5], at 5)``; ``""`` without an assumption."""
        over, g = self.over(), self.gain
        if g.get("at") is not None:
            at = f", at {_value(g['at'])}"
        elif g.get("at_own") is not None:  # (each split worst at another value)
            at = f", own at {_value(g['at_own'])}, best at {_value(g['at_best'])}"
        else:
            at = ""
        return f" ({over}{at})" if over else ""

    def figure(self) -> Any:
        """Own vs best shares (left); NPV along ±20-point moves of each lever (right)."""
        from matplotlib.figure import Figure

        from model.studies.axes import THOUSANDS, at_least

        fig = Figure(figsize=(12, 4.6), layout="constrained")
        left, right = fig.subplots(1, 2)
        x = np.arange(len(self.levers))
        left.bar(x - 0.2, self.own_shares, 0.4, label="scenario's own split")
        left.bar(x + 0.2, self.best_shares, 0.4, label="best split")
        left.set_xticks(x, self.levers, rotation=20, ha="right")
        left.set(ylabel="share of the budget", title=f"Split of {self.budget:,.0f} a month")
        left.legend(fontsize="small")
        prof = self.evaluations[self.evaluations["kind"] == "profile"]
        for i, lever in enumerate(self.levers):
            p = prof[prof["lever"] == lever].sort_values("delta")
            right.plot(100 * p["delta"], p["objective"], "o-", color=f"C{i}", label=lever)
        right.axvline(0, color="grey", lw=0.8)
        right.set(
            xlabel="points of budget moved into the lever from the others (at the best split)",
            ylabel="mean NPV (currency)",
            title="How flat the optimum is",
        )
        right.yaxis.set_major_formatter(THOUSANDS)
        at_least(right)  # a lever that changes nothing: a flat line, not ±0.05 ticks
        right.legend(fontsize="small")
        return fig

    def save(self, outdir: str | Path, dpi: int = 110) -> list[Path]:
        """Write ``split.csv``, ``flatness.csv``, ``evaluations.csv``, ``columns.csv`` (each of
        their columns with its unit and meaning) and ``split.png``."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        from model.studies.optimize.columns import split_columns

        outdir = Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        tables = {"split.csv": self.table(), "flatness.csv": self.flatness}
        tables["evaluations.csv"] = self.evaluations
        paths = [outdir / name for name in tables]
        for path, frame in zip(paths, tables.values(), strict=True):
            frame.to_csv(path, index=False)
        columns = {name: list(frame.columns) for name, frame in tables.items()}
        split_columns(columns, self.levers).to_csv(outdir / "columns.csv", index=False)
        fig = self.figure()
        FigureCanvasAgg(fig)
        fig.savefig(outdir / "split.png", dpi=dpi)
        return [*paths, outdir / "columns.csv", outdir / "split.png"]


def _pct(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:+.2%}"


def _interval(g: dict[str, Any]) -> str:
    """A gain and its 95% interval, signed."""
    return f"{_signed(g['mean'])} [95% {_signed(g['low'])}, {_signed(g['high'])}]"


def _signed(x: float) -> str:
    """``x`` with its sign and thousands separators; n/a when unknown (one fresh seed has no
    interval), as compare prints it."""
    return f"{x:+,.0f}" if math.isfinite(x) else "n/a"


def _value(v: Any) -> str:
    """An assumption's value as it was given: ``1``, not the ``1.0`` its float field reads."""
    return f"{v:.12g}" if isinstance(v, float) else str(v)


def fresh_seeds(n: int) -> str:
    """``"1 fresh seed"``, ``"2 fresh seeds"``: the seeds the gain is measured on."""
    return f"{n} fresh seed{'s' * (n != 1)}"
