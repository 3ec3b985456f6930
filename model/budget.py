"""The best split of a fixed monthly budget across spend levers, by NPV.

**Money to lever units.** Each spend lever is set in its own unit; the optimiser works in money per
month and converts with rates measured on the scenario itself (its own levers, the same seeds),
averaged over months and replications — the stocks a planner would budget against:

============================  =====================================================================
lever                         money per month
============================  =====================================================================
``ad_budget``                 ad_budget × market size / 1,000 (exact)
``winback_spend``             winback_spend × lapsed clients the win-back reaches (within
                              ``win_back.target_months``, in the targeted segment), on average
``empowerment_budget``        budget × staff employed, on average (the money *made available*; the
                              ledger books only what fixes cost, so the run may spend less)
``training_spend``            training_spend × staff employed, on average
``service_level``             service.cost_per_client × level² × clients served (× the cost trend
                              with tenure), on average; so level = √(money / that)
``rd_share``                  rd_share × monthly revenue, on average
``loyalty_discount``          discount × revenue of the clients enrolled, on average
============================  =====================================================================

The stocks respond to the split (more service keeps more clients, who then cost more to serve), so
the money a split really spends differs from the planned budget; it is reported beside the answer.

**Search.** Shares of the budget live on the simplex (each ≥ 0, summing to 1, each below the share
that would push its lever past its declared maximum). Every evaluation runs the same seeds (common
random numbers), so the objective — mean NPV over the replications — moves smoothly enough for a
derivative-free search: a coarse grid over the simplex, then COBYQA (Powell's trust-region method
with linear constraints, :func:`scipy.optimize.minimize`) from the best grid point.

**Honest gain.** The optimum was picked on the search seeds, which flatters it (the winner's curse);
its gain over the scenario's own split (scaled to the same budget) is therefore measured on *fresh*
seeds, paired, with a 95% interval. Flatness: the NPV when ±10 points of the budget move into or
out of each lever, and the range of each lever's share over every evaluated split within 1% of
the best NPV.

**Robust.** Optionally the objective is the mean or the worst case over a few values of a market
assumption (``assumption="retain.satisfaction_sensitivity", values=[1, 3, 5]``).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, minimize

from model.model import RetentionModel
from model.params import PARAMS, Scenario, ScenarioError
from model.phases import PHASES
from model.phases.account import tenure_multiplier
from model.policies import paired_interval, replicate

__all__ = ["SPEND_LEVERS", "BudgetSplit", "Exchange", "exchange_rates", "optimize"]

#: Levers the budget can be split across, with how money converts to each (see module doc).
SPEND_LEVERS: dict[str, str] = {
    "ad_budget": "market size / 1,000",
    "winback_spend": "lapsed clients reached by win-back",
    "empowerment_budget": "staff employed",
    "training_spend": "staff employed",
    "service_level": "cost_per_client x clients served (money = rate x level^2)",
    "rd_share": "monthly revenue",
    "loyalty_discount": "monthly revenue of enrolled clients",
}

#: The ledger line (or metric) where each lever's money shows up in a run.
_LEDGER = {
    "ad_budget": "marketing",
    "winback_spend": "winback",
    "empowerment_budget": "empowerment_budgeted",
    "training_spend": "training",
    "service_level": "service",
    "rd_share": "rd",
    "loyalty_discount": "discounts",
}


@dataclass(frozen=True)
class Exchange:
    """How monthly money converts to one lever's unit: ``money = rate × value^power``.

    Attributes
    ----------
    lever : str
    rate : float
        Money per month per unit of the lever (per unit of level² for ``service_level``).
    power : float
        1, or 2 for the service level (its cost is convex).
    cap : float
        The lever's declared maximum.
    basis : str
        What the rate is per, in words.
    """

    lever: str
    rate: float
    power: float
    cap: float
    basis: str

    def money(self, value: float) -> float:
        """Monthly money the lever at ``value`` costs."""
        return self.rate * value**self.power

    def value(self, money: float) -> float:
        """The lever value that ``money`` a month buys (capped at the lever's maximum)."""
        if self.rate <= 0:
            return 0.0
        return min((max(money, 0.0) / self.rate) ** (1.0 / self.power), self.cap)

    @property
    def max_money(self) -> float:
        """The most money the lever can absorb a month."""
        return self.money(self.cap)


def _observer(record: list[dict[str, float]]) -> Any:
    """A phase (run after ``account``, before ``resolve``) recording the stocks money scales with."""

    def observe(ctx: Any) -> None:
        cl, p = ctx.clients, ctx.params
        idx = np.flatnonzero(ctx.served)
        reached = ctx.targeted["winback"]
        enrolled = ctx.targeted["loyalty"][idx]
        le = p.loyalty_economics
        record.append(
            {
                "market_k": cl.n / 1000.0,
                "lapsed_reached": float(np.count_nonzero(reached)),
                "staff": float(ctx.staff.employed),
                "service_base": float(
                    p.service.cost_per_client
                    # tenure_multiplier returns the scalar 1.0 when the trend is 0: broadcast it.
                    * np.broadcast_to(
                        tenure_multiplier(cl.tenure[idx], le.serve_cost_trend, le), idx.shape
                    ).sum()
                ),
                "revenue": float(ctx.revenue),
                "enrolled_revenue": float(ctx.client_revenue[enrolled].sum()),
            }
        )

    return observe


def _stocks(scenario: Scenario, seed: int) -> dict[str, float]:
    """Monthly means of the stocks each lever's money scales with, in one run."""
    record: list[dict[str, float]] = []
    phases = tuple(
        item
        for name, step in PHASES
        for item in (
            (("observe", _observer(record)), (name, step)) if name == "resolve" else ((name, step),)
        )
    )
    RetentionModel(scenario, rng=seed, phases=phases).run()
    return pd.DataFrame(record).mean().to_dict()


def exchange_rates(
    scenario: Scenario, levers: Sequence[str], seeds: Sequence[int]
) -> dict[str, Exchange]:
    """Measure each lever's money-per-unit rate on the scenario as it stands (mean over seeds)."""
    stocks = pd.DataFrame([_stocks(scenario, s) for s in seeds]).mean()
    per = {
        "ad_budget": ("market_k", 1.0),
        "winback_spend": ("lapsed_reached", 1.0),
        "empowerment_budget": ("staff", 1.0),
        "training_spend": ("staff", 1.0),
        "service_level": ("service_base", 2.0),
        "rd_share": ("revenue", 1.0),
        "loyalty_discount": ("enrolled_revenue", 1.0),
    }
    out = {}
    for lever in levers:
        stock, power = per[lever]
        cap = PARAMS[f"levers.{lever}"].upper
        out[lever] = Exchange(lever, float(stocks[stock]), power, float(cap), SPEND_LEVERS[lever])
    return out


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
        and ``seeds``.
    flatness : pandas.DataFrame
        Per lever: NPV change when ±10 points of budget move into / out of it, and the range of its
        share over evaluated splits within 1% of the best NPV.
    evaluations : pandas.DataFrame
        Every split evaluated: its shares and objective.
    spend : pandas.DataFrame
        Mean monthly money each lever really spent under both splits (ledger), vs planned.
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

    def format(self) -> str:
        """A readable report."""
        g = self.gain
        lines = [
            f"Budget {self.budget:,.0f} a month split across {', '.join(self.levers)}",
            f"  {'lever':<20}{'own share':>10}{'own value':>12}{'best share':>12}"
            f"{'best value':>12}{'money/month':>14}",
        ]
        for row in self.table().itertuples():
            lines.append(
                f"  {row.lever:<20}{row.own_share:>10.1%}{row.own_value:>12.4g}"
                f"{row.best_share:>12.1%}{row.best_value:>12.4g}{row.best_money_per_month:>14,.0f}"
            )
        lines.append(
            f"NPV on the search seeds: own split {self.npv_own:,.0f}, best {self.npv_best:,.0f}"
        )
        lines.append(
            f"NPV gain of the best split over the own split on {len(g['seeds'])} fresh seeds: "
            f"{g['mean']:+,.0f} [95% {g['low']:+,.0f}, {g['high']:+,.0f}]"
        )
        lines.append(
            "Flatness (NPV change when 10 points of budget move; near-optimal share range):"
        )
        for row in self.flatness.itertuples():
            lines.append(
                f"  {row.lever:<20} +10 pts: {_pct(row.npv_plus10_pct):>8}   "
                f"-10 pts: {_pct(row.npv_minus10_pct):>8}   "
                f"within 1% of best: {row.share_low_1pct:.0%}..{row.share_high_1pct:.0%}"
            )
        lines.append("Money really spent a month (ledger, mean over the search seeds):")
        for row in self.spend.itertuples():
            lines.append(
                f"  {row.lever:<20} own {row.own_spent:>12,.0f}   best {row.best_spent:>12,.0f}"
                f"   (planned {row.best_planned:,.0f})"
            )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)

    def figure(self) -> Any:
        """Own vs best shares (left); NPV along ±20-point moves of each lever (right)."""
        from matplotlib.figure import Figure

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
        right.legend(fontsize="small")
        return fig

    def save(self, outdir: str | Path, dpi: int = 110) -> list[Path]:
        """Write ``split.csv``, ``flatness.csv``, ``evaluations.csv`` and ``split.png``."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        outdir = Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        paths = [outdir / n for n in ("split.csv", "flatness.csv", "evaluations.csv", "split.png")]
        self.table().to_csv(paths[0], index=False)
        self.flatness.to_csv(paths[1], index=False)
        self.evaluations.to_csv(paths[2], index=False)
        fig = self.figure()
        FigureCanvasAgg(fig)
        fig.savefig(paths[3], dpi=dpi)
        return paths


def _pct(x: float) -> str:
    return "n/a" if not math.isfinite(x) else f"{x:+.2%}"


def _npv(scenario: Scenario, seed: int) -> tuple[float, dict[str, float]]:
    """NPV and the mean monthly money on each ledger line of one run (picklable)."""
    model = RetentionModel(scenario, rng=seed).run()
    ts = model.timeseries()
    return float(ts["npv"].iloc[-1]), {k: float(ts[k].mean()) for k in set(_LEDGER.values())}


class _Objective:
    """Mean NPV of a split over fixed seeds (and assumption values), cached by split."""

    def __init__(
        self,
        scenarios: list[Scenario],
        levers: list[str],
        rates: dict[str, Exchange],
        budget: float,
        seeds: list[int],
        criterion: str,
        executor: Executor | None,
    ) -> None:
        self.scenarios, self.levers, self.rates = scenarios, levers, rates
        self.budget, self.seeds, self.criterion, self.executor = budget, seeds, criterion, executor
        self.cache: dict[tuple[float, ...], tuple[float, list[dict[str, float]]]] = {}
        self.log: list[dict[str, Any]] = []

    def values(self, shares: np.ndarray) -> dict[str, float]:
        return {
            v: self.rates[v].value(s * self.budget)
            for v, s in zip(self.levers, shares, strict=True)
        }

    @staticmethod
    def _normal(shares: np.ndarray) -> tuple[np.ndarray, tuple[float, ...]]:
        """Shares made non-negative and summing to 1 (COBYQA may step a hair off), and a key."""
        shares = np.clip(np.asarray(shares, dtype=np.float64), 0.0, None)
        shares = shares / shares.sum() if shares.sum() > 0 else shares
        return shares, tuple(np.round(shares, 6))

    def __call__(self, shares: np.ndarray, kind: str = "search", **tags: Any) -> float:
        shares, key = self._normal(shares)
        if key not in self.cache:
            over = {f"levers.{k}": v for k, v in self.values(shares).items()}
            runs = replicate(
                [s.with_overrides(over) for s in self.scenarios], self.seeds, self.executor, _npv
            )
            per_value = [float(np.mean([npv for npv, _ in r])) for r in runs]
            obj = min(per_value) if self.criterion == "worst" else float(np.mean(per_value))
            ledgers = [led for r in runs for _, led in r]
            self.cache[key] = (obj, ledgers)
        obj = self.cache[key][0]
        self.log.append(
            {"kind": kind, **tags, **dict(zip(self.levers, shares, strict=True)), "objective": obj}
        )
        return obj

    def spent(self, shares: np.ndarray) -> dict[str, float]:
        self(shares, kind="spend")
        ledgers = self.cache[self._normal(shares)[1]][1]
        return {v: float(np.mean([led[_LEDGER[v]] for led in ledgers])) for v in self.levers}


def _simplex_grid(k: int, divisions: int, upper: np.ndarray) -> list[np.ndarray]:
    """Points of the simplex with coordinates in steps of 1/divisions, within the upper bounds."""
    points = []
    for combo in itertools.combinations_with_replacement(range(k), divisions):
        x = np.bincount(combo, minlength=k) / divisions
        if np.all(x <= upper + 1e-12):
            points.append(x)
    return points


def _move(shares: np.ndarray, i: int, delta: float, upper: np.ndarray) -> np.ndarray | None:
    """Move ``delta`` of the budget into lever i from the others (pro rata), or None if infeasible."""
    x = shares.copy()
    others = np.arange(x.size) != i
    pool = x[others].sum()
    target = x[i] + delta
    if target < -1e-12 or target > upper[i] + 1e-12 or (delta > 0 and pool < delta - 1e-12):
        return None
    x[i] = max(target, 0.0)
    if pool > 0:
        x[others] *= (1.0 - x[i]) / pool
    elif delta < 0:
        x[others] = -delta / others.sum()
    if np.any(x > upper + 1e-9):
        return None
    return x


def optimize(
    scenario: Scenario,
    budget: float | None = None,
    levers: Sequence[str] = ("ad_budget", "winback_spend", "service_level", "training_spend"),
    *,
    replications: int = 4,
    holdout: int | None = None,
    clients: int | None = None,
    months: int | None = None,
    seed: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    grid: int = 4,
    max_evaluations: int = 60,
    assumption: str | None = None,
    values: Sequence[Any] = (),
    criterion: Literal["mean", "worst"] = "mean",
    executor: Executor | None = None,
) -> BudgetSplit:
    """Find the split of a fixed monthly budget across ``levers`` that maximises NPV.

    Parameters
    ----------
    scenario : Scenario
    budget : float, optional
        Currency per month to split. Defaults to what the scenario's own settings of the levers
        cost (at the measured rates).
    levers : sequence of str
        Two or more of :data:`SPEND_LEVERS`.
    replications : int
        Seeds per evaluation (the same for every split: common random numbers).
    holdout : int, optional
        Fresh seeds on which the gain over the own split is measured (default: ``replications``).
    clients, months, seed, overrides
        As in :func:`model.policies.compare`.
    grid : int
        Divisions of the coarse simplex grid searched first (0 skips it).
    max_evaluations : int
        Evaluations COBYQA may use after the grid.
    assumption, values, criterion
        Optional robustness: evaluate each split at every value of the parameter ``assumption``
        and maximise the ``mean`` or the ``worst`` of the mean NPVs.
    executor : concurrent.futures.Executor, optional
        Where the runs go (in this process if omitted).

    Returns
    -------
    BudgetSplit
    """
    levers = list(levers)
    bad = [v for v in levers if v not in SPEND_LEVERS]
    if bad or len(levers) < 2 or len(set(levers)) != len(levers):
        raise ScenarioError(
            f"levers: {','.join(levers)!r} is not allowed; allowed: two or more distinct of "
            f"{', '.join(SPEND_LEVERS)}"
        )
    if replications < 1:
        raise ScenarioError(f"replications: value {replications} is not allowed; allowed: >= 1")
    common = dict(overrides or {})
    if clients is not None:
        common["market.clients"] = clients
    if months is not None:
        common["run.months"] = months
    base = scenario.with_overrides(common) if common else scenario
    scheduled = sorted({k for st in base.schedule for k in st.set} & set(levers))
    if scheduled:
        raise ScenarioError(
            f"levers: {', '.join(scheduled)} also follow the scenario's schedule, which would "
            "override the split; optimise other levers or remove those schedule steps"
        )
    first = base.run.seed if seed is None else int(seed)
    seeds = [first + r for r in range(replications)]
    fresh = [first + 10_000 + r for r in range(holdout or replications)]

    rates = exchange_rates(base, levers, seeds)
    own_money = np.array([rates[v].money(getattr(base.levers, v)) for v in levers])
    if budget is None:
        budget = float(own_money.sum())
    if not math.isfinite(budget) or budget <= 0:
        raise ScenarioError(
            f"budget: value {budget!r} is not allowed; allowed: > 0 (currency/month)"
        )
    upper = np.array([min(rates[v].max_money / budget, 1.0) for v in levers])
    if upper.sum() < 1.0:
        room = sum(rates[v].max_money for v in levers)
        raise ScenarioError(
            f"budget: value {budget:,.0f} is not allowed; allowed: at most {room:,.0f} "
            f"(currency/month), all these levers can absorb at their maximum settings"
        )
    own = (
        own_money / own_money.sum()
        if own_money.sum() > 0
        else np.full(len(levers), 1 / len(levers))
    )
    own = _feasible(own, upper)

    if assumption is not None:
        if not values:
            raise ScenarioError(f"values: give the values of {assumption} to be robust over")
        variants = [base.with_overrides({assumption: v}) for v in values]
    else:
        variants = [base]
    f = _Objective(variants, levers, rates, budget, seeds, criterion, executor)
    f(own, kind="own")
    for x in _simplex_grid(len(levers), grid, upper) if grid > 0 else []:
        f(x, kind="grid")
    evaluated = f.log
    start = max(evaluated, key=lambda r: r["objective"])
    x0 = np.array([start[v] for v in levers])
    scale = max(abs(start["objective"]), 1.0)
    res = minimize(
        lambda x: -f(x) / scale,
        x0,
        method="COBYQA",
        bounds=Bounds(np.zeros(len(levers)), upper),
        constraints=[LinearConstraint(np.ones((1, len(levers))), 1.0, 1.0)],
        options={
            "initial_tr_radius": 0.5 / max(grid, 2),
            "final_tr_radius": 0.01,
            "maxfev": max_evaluations,
        },
    )
    candidates = [r for r in f.log if r["kind"] in ("own", "grid", "search")]
    best_row = max(candidates, key=lambda r: r["objective"])
    best = np.array([best_row[v] for v in levers])
    npv_best, npv_own = f(best, kind="best"), f(own, kind="own")

    flat = _flatness(f, levers, best, upper, npv_best)
    gain = _holdout_gain(variants[0], f, levers, own, best, fresh, executor)
    spend_own, spend_best = f.spent(own), f.spent(best)
    spend = pd.DataFrame(
        {
            "lever": levers,
            "ledger_line": [_LEDGER[v] for v in levers],
            "own_planned": own * budget,
            "own_spent": [spend_own[v] for v in levers],
            "best_planned": best * budget,
            "best_spent": [spend_best[v] for v in levers],
        }
    )
    notes = []
    if not res.success:
        notes.append(f"COBYQA stopped early: {res.message}")
    if assumption is not None:
        notes.append(f"objective: the {criterion} over {assumption} in {list(values)}")
    return BudgetSplit(
        levers=levers,
        budget=float(budget),
        rates=rates,
        own_shares=own,
        best_shares=best,
        own_values=f.values(own),
        best_values=f.values(best),
        npv_own=npv_own,
        npv_best=npv_best,
        gain=gain,
        flatness=flat,
        evaluations=pd.DataFrame(f.log),
        spend=spend,
        notes=notes,
    )


def _feasible(x: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Push a split under its upper bounds, handing the excess to levers with room (pro rata)."""
    x = np.minimum(x, upper)
    for _ in range(x.size):
        short = 1.0 - x.sum()
        room = upper - x
        if short <= 1e-12 or room.sum() <= 0:
            break
        x = x + room * min(short / room.sum(), 1.0)
    return x / x.sum()


def _flatness(
    f: _Objective, levers: list[str], best: np.ndarray, upper: np.ndarray, npv_best: float
) -> pd.DataFrame:
    rows = []
    for i, lever in enumerate(levers):
        at = {}
        for delta in (-0.2, -0.1, 0.1, 0.2):
            x = _move(best, i, delta, upper)
            at[delta] = math.nan if x is None else f(x, kind="profile", lever=lever, delta=delta)
        f.log.append(
            {
                "kind": "profile",
                "lever": lever,
                "delta": 0.0,
                **dict(zip(levers, best, strict=True)),
                "objective": npv_best,
            }
        )
        rows.append({"lever": lever, "share": best[i], **{f"npv_{k}": v for k, v in at.items()}})
    table = pd.DataFrame(rows)
    base = abs(npv_best) if npv_best else math.nan
    table["npv_plus10_pct"] = (table["npv_0.1"] - npv_best) / base
    table["npv_minus10_pct"] = (table["npv_-0.1"] - npv_best) / base
    log = pd.DataFrame(f.log)
    near = log[log["objective"] >= npv_best - 0.01 * abs(npv_best)]
    table["share_low_1pct"] = [float(near[v].min()) for v in levers]
    table["share_high_1pct"] = [float(near[v].max()) for v in levers]
    return table


def _holdout_gain(
    scenario: Scenario,
    f: _Objective,
    levers: list[str],
    own: np.ndarray,
    best: np.ndarray,
    seeds: list[int],
    executor: Executor | None,
) -> dict[str, Any]:
    """NPV(best) − NPV(own) on fresh seeds, paired (both splits see the same seeds)."""
    policies = [
        scenario.with_overrides({f"levers.{k}": v for k, v in f.values(x).items()})
        for x in (own, best)
    ]
    runs = replicate(policies, seeds, executor, _npv)
    diffs = [b[0] - o[0] for o, b in zip(runs[0], runs[1], strict=True)]
    mean, low, high = paired_interval(diffs)
    return {
        "mean": mean,
        "low": low,
        "high": high,
        "seeds": seeds,
        "npv_own": float(np.mean([r[0] for r in runs[0]])),
        "npv_best": float(np.mean([r[0] for r in runs[1]])),
    }
