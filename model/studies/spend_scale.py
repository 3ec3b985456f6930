"""Costs against what a firm's clients spend: a study's plausible ranges are amounts beside its
own clients' spend.

A claim study holds ``market.spend_mean`` at its declared value (a setting, not drawn), so each
cost it draws — the cost to serve, an onboarding, a salary — is an amount beside that spend. A
firm whose clients spend nine times as much can set a cost inside the range as an amount that is
far below it in proportion: a strategist's software firm served clients spending 900 a month
at 25 (2.8% of spend, against the study's 3–30 beside 100, 3–30%), and the optimizer put every
unit of money into service. :func:`costs_against_spend` names such costs, so the reader can tell
a cheap lever from a cost set in another proportion than any study's.
"""

from __future__ import annotations

from model.scenario import PARAMS, Scenario

__all__ = ["costs_against_spend", "is_money", "other_spend"]


def other_spend(scenario: Scenario) -> tuple[float, float] | None:
    """``(a study's, this world's)`` mean monthly spend of a new client where they differ, else
    None: every cost a study draws is an amount beside its own spend."""
    spend, declared = scenario.market.spend_mean, PARAMS["market.spend_mean"].default
    return None if spend == declared else (declared, spend)


def is_money(key: str) -> bool:
    """Whether parameter ``key`` is an amount of money (its unit is a currency's)."""
    return str(PARAMS[key].unit).startswith("currency")


def costs_against_spend(scenario: Scenario) -> list[str]:
    """One line naming each declared cost (a plausible range in currency) that is a smaller or
    larger share of what ``scenario``'s clients spend than in any study's world, with the
    amounts that would be the study's shares; none where its clients spend what a study's do,
    or every cost lies inside.

    Examples
    --------
    >>> costs_against_spend(Scenario())
    []
    >>> rich = Scenario().with_overrides({"market.spend_mean": 900.0})
    >>> costs_against_spend(rich)[0][:72]
    'costs that are a smaller or larger share of what clients spend than in a'
    """
    spends = other_spend(scenario)
    if spends is None or spends[1] <= 0:
        return []
    declared, spend = spends
    scale, values, found = spend / declared, scenario.flat(), []
    for key, info in PARAMS.items():
        if info.plausible is None or not is_money(key):
            continue
        low, high = (bound * scale for bound in info.plausible)
        value = float(values[key])
        if not low <= value <= high:
            side = "smaller" if value < low else "larger"
            found.append(f"{key} = {_amount(value)} ({side}: {_amount(low)}–{_amount(high)})")
    if not found:
        return []
    return [
        f"costs that are a smaller or larger share of what clients spend than in any study's "
        f"world (here a new client spends {_amount(spend)} a month, in a study {_amount(declared)}:"
        f" the study's shares are its ranges × {scale:.3g}, in brackets): {'; '.join(found)}; "
        "a lever's payoff here follows these shares, which no study's world has"
    ]


def _amount(value: float) -> str:
    """An amount of money as a reader takes it in: whole units from 100 up, with thousands
    separated (13,500, not 1.35e+04), else three significant digits."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
