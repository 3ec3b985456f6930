"""The spend levers a budget can be split across: each one declared once, with how its money is
measured and where it shows in a run.

Plain data, apart from the engine, so that the command line can list the levers (``retention
optimize --help``) without loading the model.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LEVERS", "LEDGER_LINE", "SPEND_LEVERS", "SpendLever"]


@dataclass(frozen=True)
class SpendLever:
    """How the optimiser reads one spend lever (a ``levers.*`` parameter that costs money).

    Attributes
    ----------
    basis : str
        What the lever's money is per, in words (``money = rate × value^power``, the rate per
        unit of this).
    stock : str
        The monthly quantity the rate is measured as, in a run of the scenario
        (:func:`model.studies.optimize.exchange.exchange_rates` records it after ``account``):
        ``market_k`` (market size / 1,000), ``lapsed_reached``, ``staff`` (employed),
        ``service_base`` (cost to serve at level 1), ``revenue``, ``enrolled_revenue``.
    ledger_line : str
        The ledger line (or metric) where the lever's money shows in a run.
    power : float
        1, or 2 where the cost is convex in the lever (the service level).
    """

    basis: str
    stock: str
    ledger_line: str
    power: float = 1.0


#: Levers the budget can be split across, by name (:mod:`model.studies.optimize`).
SPEND_LEVERS: dict[str, SpendLever] = {
    "ad_budget": SpendLever("market size / 1,000", "market_k", "marketing"),
    "winback_spend": SpendLever("lapsed clients reached by win-back", "lapsed_reached", "winback"),
    "empowerment_budget": SpendLever("staff employed", "staff", "empowerment_budgeted"),
    "training_spend": SpendLever("staff employed", "staff", "training"),
    "service_level": SpendLever(
        "cost_per_client x clients served (money = rate x level^2)",
        "service_base",
        "service",
        power=2.0,
    ),
    "rd_share": SpendLever("monthly revenue", "revenue", "rd"),
    "loyalty_discount": SpendLever(
        "monthly revenue of enrolled clients", "enrolled_revenue", "discounts"
    ),
}

#: The ledger line (or metric) where each lever's money shows up in a run.
LEDGER_LINE: dict[str, str] = {name: lever.ledger_line for name, lever in SPEND_LEVERS.items()}

#: The levers :func:`~model.studies.optimize.search.optimize` splits a budget across by default
#: (``retention optimize``'s ``--levers`` too: declared once here).
DEFAULT_LEVERS = ("ad_budget", "winback_spend", "service_level", "training_spend")
