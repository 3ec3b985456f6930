"""The search over the simplex of budget shares: a coarse grid, then COBYQA, then the gain on fresh seeds."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, minimize

from model.engine.keywords import require_scenario
from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import amount, choice, count, first_seed
from model.scenario.sections.run import consecutive_seeds
from model.studies.optimize.checks import check_grid, lever_names, robust_variants
from model.studies.optimize.exchange import LEDGER_LINE, Exchange, exchange_rates
from model.studies.optimize.holdout import holdout_gain
from model.studies.optimize.levers import DEFAULT_LEVERS
from model.studies.optimize.split import BudgetSplit
from model.studies.replicate import FromTimeseries, replicate
from model.studies.run import with_common
from model.studies.spend_scale import costs_against_spend

__all__ = ["optimize"]


def _npv_and_ledger(ts: pd.DataFrame) -> tuple[float, dict[str, float]]:
    """NPV and the mean monthly money on each ledger line of one run."""
    return float(ts["npv"].iloc[-1]), {k: float(ts[k].mean()) for k in set(LEDGER_LINE.values())}


#: One run's NPV and ledger (picklable; run together in one process by ``replicate``).
_npv = FromTimeseries(_npv_and_ledger)


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
        on_done: Callable[[int], None] | None = None,
    ) -> None:
        self.scenarios, self.levers, self.rates = scenarios, levers, rates
        self.budget, self.seeds, self.criterion, self.executor = budget, seeds, criterion, executor
        self.on_done = on_done
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
                [s.with_overrides(over) for s in self.scenarios],
                self.seeds,
                self.executor,
                _npv,
                self.on_done,
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
        return {v: float(np.mean([led[LEDGER_LINE[v]] for led in ledgers])) for v in self.levers}


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
    levers: Sequence[str] = DEFAULT_LEVERS,
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
    on_done: Callable[[int], None] | None = None,
) -> BudgetSplit:
    """Find the split of a fixed monthly budget across ``levers`` that maximises NPV.

    Parameters
    ----------
    scenario : Scenario
    budget : float, optional
        Currency per month to split. Defaults to what the scenario's own settings of the levers
        cost (at the measured rates).
    levers : sequence of str
        Two or more distinct of :data:`SPEND_LEVERS` (a list of names, not one string).
    replications : int
        Seeds per evaluation (the same for every split: common random numbers).
    holdout : int, optional
        Fresh seeds on which the gain over the own split is measured (default: ``replications``).
    clients, months, seed, overrides
        As in :func:`model.studies.compare.compare`.
    grid : int
        Divisions of the coarse simplex grid searched first (0 skips it); its points may number
        at most :data:`~model.studies.optimize.checks.MAX_GRID_POINTS`.
    max_evaluations : int
        Evaluations COBYQA may use after the grid.
    assumption, values, criterion
        Optional robustness: evaluate each split at every value (a sequence, e.g. ``[1, 3, 5]``)
        of the parameter ``assumption`` and maximise the ``mean`` or the ``worst`` of the mean
        NPVs. The gain on fresh seeds is then measured at each value and combined the same way.
    executor : concurrent.futures.Executor, optional
        Where the runs go (in this process if omitted).
    on_done : callable, optional
        Called with the number of runs each time some finish (a progress bar's ``update``).

    Returns
    -------
    BudgetSplit

    Raises
    ------
    ScenarioError
        For any argument out of its range or of the wrong type, before anything runs.
    """
    scenario = require_scenario(scenario)
    levers = lever_names(levers)
    replications = count("replications", replications)
    holdout = replications if holdout is None else count("holdout", holdout)
    grid = count("grid", grid, low=0)
    max_evaluations = count("max_evaluations", max_evaluations)
    criterion = choice("criterion", criterion, ("mean", "worst"))
    if criterion != "mean" and assumption is None:  # (as the command line: it was ignored)
        raise ScenarioError(
            f"criterion: value {criterion!r} goes with an assumption; allowed: 'mean' alone, or "
            "'worst' with assumption='SECTION.NAME' and its values"
        )
    if budget is not None:
        budget = amount("budget", budget, "currency/month")
    base = with_common(scenario, overrides, clients, months)
    variants, values = robust_variants(base, levers, assumption, values)
    check_grid(grid, len(levers), replications * len(variants))  # before the grid is built
    scheduled = sorted({k for st in base.schedule for k in st.set} & set(levers))
    if scheduled:
        raise ScenarioError(
            f"levers: {', '.join(scheduled)} also follow the scenario's schedule, which would "
            "override the split; optimise other levers or remove those schedule steps"
        )
    first = first_seed(seed, base)
    seeds = consecutive_seeds(first, replications)
    # (past the search's seeds however many they are: a fresh seed is never a search seed)
    fresh = consecutive_seeds(first, holdout, skip=max(10_000, replications))

    rates = exchange_rates(base, levers, seeds)
    own_money = np.array([rates[v].money(getattr(base.levers, v)) for v in levers])
    if budget is None:
        budget = float(own_money.sum())
    if not math.isfinite(budget) or budget <= 0:
        raise ScenarioError(
            f"budget: value {budget!r} (what the scenario's own settings of these levers cost) "
            "is not allowed; allowed: > 0 (currency/month); give a budget"
        )
    upper = np.array([min(rates[v].max_money / budget, 1.0) for v in levers])
    if upper.sum() < 1.0:
        room = sum(rates[v].max_money for v in levers)
        raise ScenarioError(
            f"budget: value {budget!r} is not allowed; allowed: at most {room:,.0f} "
            f"(currency/month), all these levers can absorb at their maximum settings"
        )
    own = (
        own_money / own_money.sum()
        if own_money.sum() > 0
        else np.full(len(levers), 1 / len(levers))
    )
    own = _feasible(own, upper)

    f = _Objective(variants, levers, rates, budget, seeds, criterion, executor, on_done)
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

    # A neighbour the flatness profile finds better becomes the best (the search stops within
    # its own tolerance; the profile's ±10 and ±20-point moves can still climb), until none does.
    polished = 0
    for polished in range(_POLISH_ROUNDS + 1):
        flat = _flatness(f, levers, best, upper, npv_best)
        profile = [r for r in f.log if r["kind"] == "profile" and r["delta"] != 0.0]
        step = max(profile, key=lambda r: r["objective"], default=None)
        if step is None or step["objective"] <= npv_best or polished == _POLISH_ROUNDS:
            break
        for row in f.log:  # measured around a split that is no longer the best: kept, renamed
            if row["kind"] == "profile":
                row["kind"] = "polish"
        best = np.array([step[v] for v in levers])
        npv_best = f(best, kind="best")
    gain = holdout_gain(
        variants,
        f.values(own),
        f.values(best),
        fresh,
        executor,
        assumption=assumption,
        values=values,
        criterion=criterion,
        on_done=on_done,
    )
    spend_own, spend_best = f.spent(own), f.spent(best)
    spend = pd.DataFrame(
        {
            "lever": levers,
            "ledger_line": [LEDGER_LINE[v] for v in levers],
            "own_planned": own * budget,
            "own_spent": [spend_own[v] for v in levers],
            "best_planned": best * budget,
            "best_spent": [spend_best[v] for v in levers],
        }
    )
    notes = []
    if not res.success:
        notes.append(f"COBYQA stopped early: {res.message}")
    if polished:
        notes.append(
            f"the search's best was improved by {polished} step(s) of its flatness profile"
        )
    if assumption is not None:
        notes.append(f"objective: the {criterion} over {assumption} in {values}")
    notes += costs_against_spend(scenario)  # (a lever's payoff follows what it costs)
    notes += losing_note(gain)
    own_total, best_total = sum(spend_own.values()), sum(spend_best.values())
    if own_total > 0 and abs(best_total / own_total - 1.0) > 0.10:  # (compare's rule: 10%)
        notes.append(  # (a lever priced per client spends more as the split gains clients)
            f"the best split spends {best_total / own_total - 1.0:+.0%} against the "
            f"firm's own on these levers ({best_total:,.0f} against {own_total:,.0f}, as the "
            "ledger shows): the same budget planned, not an equal-budget result"
        )
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


def losing_note(gain: dict) -> list[str]:
    """A note where the fresh seeds say the search's best split loses to the firm's own (the
    whole 95% interval of the gain below 0: an analyst's "best" lost 4,201 [-4,849, -3,553]
    with no word of it); none otherwise."""
    if not gain["high"] < 0:
        return []
    return [
        "on the fresh seeds the best split loses to the firm's own (the whole 95% interval of "
        "the gain is below 0): the search's best was the search seeds' noise, not a better "
        "split; keep the own split, or search again with more replications"
    ]


#: Most profile steps taken from the search's best (each costs four evaluations a lever).
_POLISH_ROUNDS = 5


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
    # (percent of the best NPV's size, as every *_pct column: compare's difference_pct too)
    table["npv_plus10_pct"] = 100.0 * (table["npv_0.1"] - npv_best) / base
    table["npv_minus10_pct"] = 100.0 * (table["npv_-0.1"] - npv_best) / base
    log = pd.DataFrame(f.log)
    near = log[log["objective"] >= npv_best - 0.01 * abs(npv_best)]
    table["share_low_1pct"] = [float(near[v].min()) for v in levers]
    table["share_high_1pct"] = [float(near[v].max()) for v in levers]
    return table
