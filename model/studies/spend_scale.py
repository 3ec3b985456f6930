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

__all__ = ["costs_against_spend"]


def costs_against_spend(scenario: Scenario) -> list[str]:
    """One line naming each declared cost (a plausible range in currency) that lies outside that
    range taken in proportion to ``scenario``'s mean spend, with that range; none where its
    clients spend what a study's do, or every cost lies inside.

    Examples
    --------
    >>> costs_against_spend(Scenario())
    []
    >>> rich = Scenario().with_overrides({"market.spend_mean": 900.0})
    >>> costs_against_spend(rich)[0][:78]
    "costs outside a study's ranges taken in proportion to spend (this world's clie"
    """
    spend, declared = scenario.market.spend_mean, PARAMS["market.spend_mean"].default
    if spend == declared or spend <= 0:
        return []
    scale, values, found = spend / declared, scenario.flat(), []
    for key, info in PARAMS.items():
        if info.plausible is None or not str(info.unit).startswith("currency"):
            continue
        low, high = (bound * scale for bound in info.plausible)
        value = float(values[key])
        if not low <= value <= high:
            side = "below" if value < low else "above"
            found.append(f"{key} = {value:g} ({side} {low:.4g}–{high:.4g})")
    if not found:
        return []
    return [
        f"costs outside a study's ranges taken in proportion to spend (this world's clients "
        f"spend {spend:g} a month, a study's {declared:g}: its ranges × {scale:.3g}): "
        f"{', '.join(found)}; a lever's payoff here reflects those proportions, which no "
        "study's world has"
    ]
