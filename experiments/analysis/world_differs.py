"""What a user's world sets otherwise than every world of a claim study, said beside its answer.

A study draws only the declared uncertainties; its levers and settings stay at their declared
values, and its arms set their own keys. A world a user describes (``retention experiment NAME
--world FILE``) may set any of them: :func:`held_otherwise` lists what it sets that no study's
world does, :func:`arms_own` the keys the claim's own arms set (the baseline then runs at the
world's value, and an arm may run the same world), :func:`spend_caveat` where amounts of money
compare with ranges drawn for another spend, and :func:`horizon_warning` a horizon other than a
study's, over which effects that build over years read otherwise.
"""

from __future__ import annotations

from experiments.running.pins import exact_text
from experiments.running.sizes import SIZES
from experiments.verdicts.claim import Claim
from model import Scenario
from model.scenario import PARAMS
from model.studies.spend_scale import is_money, other_spend

__all__ = ["STUDY_OWN", "arms_own", "held_otherwise", "horizon_warning", "spend_caveat"]


#: The keys a study sets itself: its size and seeds (a study's own, and its scale check's), and
#: whether client histories are kept (no number depends on it).
STUDY_OWN = ("run.months", "run.seed", "run.track_clients", "market.clients")


def held_otherwise(claim: Claim, scenario: Scenario) -> list[str]:
    """``key = value (a study's: default)`` for each setting and lever that ``scenario`` sets away
    from its declared value, which every world of a study keeps (only the uncertainties are
    drawn), then its schedule and shocks (a study's worlds have none). Not the study's own keys
    (its size, seeds). A key the claim's arms set is listed too: the baseline runs at it
    (:func:`arms_own` adds that the arms set it)."""
    values = scenario.flat()
    lines = [
        f"{key} = {exact_text(values[key])} (a study's: {exact_text(p.default)})"
        for key, p in PARAMS.items()
        if p.role != "uncertainty" and key not in STUDY_OWN and values[key] != p.default
    ]
    if scenario.schedule:
        lines.append(f"a schedule of {len(scenario.schedule)} step(s) (a study's worlds have none)")
    if scenario.shocks:
        lines.append(f"{len(scenario.shocks)} shock(s) (a study's worlds have none)")
    return lines


def arms_own(claim: Claim, scenario: Scenario) -> list[str]:
    """``key = value`` for each key the claim's arms set to values of their own
    (:attr:`~experiments.verdicts.claim.Claim.arm_keys`) that ``scenario`` sets away from the
    declared default; not a study's own keys (its horizon: a study sets it too, and
    ``retention_profit``'s lifetime arms run a horizon of their own in every world)."""
    values = scenario.flat()
    return [
        f"{k} = {values[k]!r}"
        for k in claim.arm_keys
        if k not in STUDY_OWN and values[k] != PARAMS[k].default
    ]


def spend_caveat(scenario: Scenario, keys: list[str]) -> list[str]:
    """Where ``scenario``'s clients spend otherwise than a study's and some of ``keys`` are
    amounts of money: that the study's ranges are amounts for its own spend (a strategist's
    service cost and onboarding, inside the ranges as shares of spend, read as errors)."""
    spends = other_spend(scenario)
    money = [k for k in keys if is_money(k)]
    if spends is None or not money:
        return []
    declared, spend = spends
    return [
        f"  (a study's clients spend {exact_text(declared)} a month on average, this world's "
        f"{exact_text(spend)}: {', '.join(money)} "
        f"{'is' if len(money) == 1 else 'are'} compared with its ranges as amounts, not in "
        "proportion to spend)"
    ]


def horizon_warning(scenario: Scenario) -> list[str]:
    """A line where ``scenario`` runs another horizon than a study's worlds (the default size's):
    what a change costs comes from its first month and what it brings builds over years, so a
    reading can differ with the horizon alone (wow service read as a loss over a year)."""
    months, study = scenario.run.months, SIZES["default"].months
    if months == study:
        return []
    return [
        f"this world runs {months} months, a study's worlds {study}: what a change costs comes "
        "from its first month and what it brings builds over years (clients kept, their spend "
        "growing), so a reading can differ with the horizon alone"
    ]
