"""What word of mouth is worth: paired runs with it off and on (docs/ODD.md §1.2, "satisfied clients
spread the word and save ad money").

Both runs use the same scenario and seed, so with per-client counter-based streams
(:mod:`model.engine.randomness`) each client draws the same numbers in both; only word of mouth differs.
Each client's acquisition month (``clients.acquired_month``) is compared across the pair:

* **accelerated** — acquired in both runs, earlier with word of mouth (would have come anyway);
* **expansion** — acquired only with word of mouth (would never have come, as far as the run sees);
* **same month** and **delayed** (later with word of mouth, e.g. a warning heard) — acquired in both;
* **lost** — acquired only without word of mouth (warned off).

"Never" depends on the horizon: ``tail_months`` runs the no-WOM side longer, so a client that
word of mouth brought within the horizon and ads alone would have brought a little after it counts
as accelerated, not expansion.

**Ad money saved**: the ad budget that, without word of mouth, matches the cumulative acquisitions
with it over the horizon (found by :func:`scipy.optimize.brentq` on ``levers.ad_budget``, every
trial paired on the same seed), and the extra marketing money that budget costs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import brentq

from model.engine.keywords import require_scenario
from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import amount, count, first_seed, shown

__all__ = [
    "AdSaving",
    "WomSplit",
    "acquisition_months",
    "ad_money_saved",
    "split_acquisitions",
    "value_word_of_mouth",
]


@dataclass(frozen=True)
class WomSplit:
    """Acquisitions with word of mouth, split by what they would have been without it.

    Attributes
    ----------
    acquired_on, acquired_off : int
        Acquisitions within the horizon with and without word of mouth.
    accelerated, same_month, delayed, expansion : int
        The ``acquired_on`` clients, by their acquisition month without word of mouth
        (earlier with WOM / same / later / never within horizon + tail). They sum to
        ``acquired_on``.
    lost : int
        Clients acquired within the horizon only without word of mouth.
    months_gained : int
        Client-months of acceleration (sum over accelerated clients of off month − on month).
    """

    acquired_on: int
    acquired_off: int
    accelerated: int
    same_month: int
    delayed: int
    expansion: int
    lost: int
    months_gained: int

    @property
    def extra(self) -> int:
        """Acquisitions word of mouth added within the horizon (may be negative)."""
        return self.acquired_on - self.acquired_off

    def as_dict(self) -> dict[str, int]:
        """Plain data, ``extra`` included."""
        return {**asdict(self), "extra": self.extra}


@dataclass(frozen=True)
class AdSaving:
    """The ad budget that replaces word of mouth, and what it costs.

    Attributes
    ----------
    budget_with : float
        The scenario's ad budget (currency/month per 1k market), run with word of mouth.
    budget_needed : float
        The budget that matches the cumulative acquisitions without word of mouth (``inf`` if
        no budget up to the search ceiling does: ads saturate at ``attract.ad_p_max``).
    target : int
        Cumulative acquisitions with word of mouth over the horizon.
    reached : int
        Cumulative acquisitions without word of mouth at ``budget_needed``.
    saved : float
        Marketing money saved over the horizon (currency): the marketing spend of the no-WOM run
        at ``budget_needed`` minus that of the WOM run at ``budget_with_least`` (``inf`` if
        unreachable; 0 when word of mouth wins no one; negative when it costs acquisitions).
    budget_with_least : float
        The least budget at which the run with word of mouth still reaches ``target``: the
        scenario's own budget may lie anywhere on its step of the acquisition count.
    """

    budget_with: float
    budget_needed: float
    target: int
    reached: int
    saved: float
    budget_with_least: float


def acquisition_months(scenario: Scenario, seed: int | None = None) -> np.ndarray:
    """Each client's first acquisition month in one run (-1 if never), int16, shape (N,); the
    run's seed is ``seed``, else the scenario's."""
    return _run(scenario, seed)[0]


def _run(scenario: Scenario, seed: int | None) -> tuple[np.ndarray, float]:
    """(acquisition months, total marketing spend) of one run."""
    from model.engine.keywords import require_scenario
    from model.engine.retention_model import RetentionModel

    scenario = require_scenario(scenario)  # ('x' raised "'str' object has no attribute 'run'")
    # The scenario's seed unless one is given (rng=None would be a fresh seed each call).
    model = RetentionModel(scenario, rng=scenario.run.seed if seed is None else seed).run()
    return model.clients.acquired_month.copy(), float(np.nansum(model.results["marketing"]))


def split_acquisitions(off: np.ndarray, on: np.ndarray, horizon: int) -> WomSplit:
    """Classify each client by its acquisition month without (``off``) and with (``on``) WOM.

    Parameters
    ----------
    off, on : ndarray of int, shape (N,)
        Acquisition months (-1 never); ``off`` may cover a longer run than ``on``.
    horizon : int
        Last month counted as an acquisition (both sides); ``off`` months beyond it still decide
        whether an ``on`` acquisition was accelerated or expansion.
    """
    off = np.asarray(off, dtype=np.int64)
    on = np.asarray(on, dtype=np.int64)
    if off.shape != on.shape:
        raise ValueError(f"acquisition months differ in shape: {off.shape} vs {on.shape}")
    got_on = (on >= 1) & (on <= horizon)
    got_off_h = (off >= 1) & (off <= horizon)
    ever_off = off >= 1
    both = got_on & ever_off
    return WomSplit(
        acquired_on=int(got_on.sum()),
        acquired_off=int(got_off_h.sum()),
        accelerated=int((both & (on < off)).sum()),
        same_month=int((both & (on == off)).sum()),
        delayed=int((both & (on > off)).sum()),
        expansion=int((got_on & ~ever_off).sum()),
        lost=int((got_off_h & ~got_on).sum()),
        months_gained=int((off - on)[both & (on < off)].sum()),
    )


def _paired(scenario: Scenario, enabled: bool, **more: object) -> Scenario:
    return scenario.with_overrides({"word_of_mouth.enabled": enabled, **more})


def value_word_of_mouth(
    scenario: Scenario, seed: int | None = None, *, tail_months: int = 0
) -> WomSplit:
    """Run ``scenario`` paired with word of mouth off and on, and split the acquisitions.

    Parameters
    ----------
    scenario : Scenario
        Its ``word_of_mouth.enabled`` is overridden on each side.
    seed : int, optional
        Defaults to ``scenario.run.seed``; both runs use it.
    tail_months : int
        Extra months for the no-WOM run (see module docstring), ``0 ≤ tail_months``.
    """
    scenario = require_scenario(scenario)
    seed = first_seed(seed, scenario)  # (named "seed", as the caller gave it)
    tail_months = count("tail_months", tail_months, low=0)
    horizon = scenario.run.months
    on = acquisition_months(_paired(scenario, True), seed)
    off = acquisition_months(
        _paired(scenario, False, **{"run.months": horizon + tail_months}), seed
    )
    return split_acquisitions(off, on, horizon)


def ad_money_saved(
    scenario: Scenario, seed: int | None = None, *, ceiling: float | None = None
) -> AdSaving:
    """The ad spend that, without word of mouth, matches the acquisitions made with it.

    Parameters
    ----------
    scenario : Scenario
        Run with word of mouth at its ``levers.ad_budget``; both sides then vary that lever.
        A schedule that sets ``ad_budget`` is refused (the lever would not be the one searched).
    seed : int, optional
        Both sides and every trial use it (paired).
    ceiling : float, optional
        Highest budget tried (currency/month per 1k market; at least the scenario's budget),
        default the scenario's budget plus 20 × ``attract.ad_scale``, where ads reach
        ``ad_p_max`` within e^(−20).

    Notes
    -----
    Cumulative acquisitions are an integer step function of the budget, so each side's budget is
    the least one at which its count first reaches the target (the count with word of mouth at
    the scenario's budget), located to within 0.1% of ``attract.ad_scale``. The saving compares
    the two least budgets, not the scenario's own with the other side's least: a budget can lie
    anywhere on its step, and word of mouth that wins no one would otherwise seem to cost money.
    """
    scenario = require_scenario(scenario)
    seed = first_seed(seed, scenario)  # (named "seed", as the caller gave it)
    if any("ad_budget" in step.set for step in scenario.schedule):
        raise ScenarioError(
            "schedule: a step sets ad_budget; ad_money_saved varies levers.ad_budget itself"
        )
    horizon = scenario.run.months
    b0 = scenario.levers.ad_budget
    hi = (
        b0 + 20.0 * scenario.attract.ad_scale
        if ceiling is None
        else amount("ceiling", ceiling, "currency/month per 1k market")
    )
    if hi < b0:  # (the side without word of mouth searches upward from the scenario's budget)
        raise ScenarioError(
            f"ceiling: value {shown(ceiling)} is not allowed; allowed: ≥ the scenario's "
            f"levers.ad_budget ({shown(b0)} currency/month per 1k market)"
        )
    xtol = 1e-3 * scenario.attract.ad_scale

    def side_at(wom: bool, budget: float) -> tuple[int, float]:
        months, spent = _run(_paired(scenario, wom, **{"levers.ad_budget": budget}), seed)
        return int(((months >= 1) & (months <= horizon)).sum()), spent

    target = side_at(True, b0)[0]

    def least(wom: bool, lo: float, high: float) -> float:
        """The least budget in [lo, high] at which the side's count reaches the target (it does
        at ``high``)."""

        def gap(budget: float) -> float:  # +½: the root sits where the count reaches target
            return side_at(wom, budget)[0] - target + 0.5

        if gap(lo) >= 0:
            return lo
        found = float(brentq(gap, lo, high, xtol=xtol))
        if gap(found) < 0:  # brentq may stop just below the step; its upper side reaches it
            found = min(found + 2.0 * xtol, high)
        return found

    with_least = least(True, 0.0, b0)
    reached_b0 = side_at(False, b0)[0]
    if reached_b0 < target:
        at_ceiling = side_at(False, hi)[0]
        if at_ceiling < target:
            return AdSaving(b0, math.inf, target, at_ceiling, math.inf, with_least)
    needed = least(False, b0, hi) if reached_b0 < target else least(False, 0.0, b0)
    reached, spent_off = side_at(False, needed)
    return AdSaving(
        b0, needed, target, reached, spent_off - side_at(True, with_least)[1], with_least
    )
