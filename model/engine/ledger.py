"""The firm's ledger lines, and how each one reaches the clients' attributed profit.

Every line a phase books money to is declared here once, with how accounting charges it to the
clients (docs/ODD.md §7.9), so that per-client values sum to the firm's profit whatever lines
there are: a line missing from :data:`CHARGED`, or charged in a way accounting does not know,
stops the import.

- ``"direct"``: booked to the client who caused it, in the pass that spends it (cost of goods,
  cost to serve, incident fixes, win-back offers, discounts): its phase writes the client's
  ``direct_cost`` or accounting's ledger pass prices it per client.
- ``"acquisition"``: shared equally among the month's joiners (acquisition cost belongs to the
  acquired); in a month nobody joined, equally among the clients served.
- ``"equal"``: shared equally among the clients served.
- ``"revenue"``: in proportion to each served client's revenue (R&D, a share of revenue).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from model.scenario import Scenario

__all__ = [
    "ACQUISITION_LINES",
    "CHARGED",
    "EQUAL_LINES",
    "LEDGER_LINES",
    "REVENUE_LINES",
    "SPEND_LINES",
    "acquisition_spend",
    "monthly_overhead",
]

#: How each ledger line is charged to clients (see the module's notes), in the ledger's order.
CHARGED: dict[str, str] = {
    "cogs": "direct",
    "service": "direct",
    "staff": "equal",
    "training": "equal",
    "hiring": "equal",
    "empowerment": "direct",
    "escalation": "direct",
    "marketing": "acquisition",
    "onboarding": "acquisition",
    "winback": "direct",
    "discounts": "direct",
    "rd": "revenue",
    "overhead": "equal",
}
_WAYS = ("direct", "acquisition", "equal", "revenue")
_unknown = {line: way for line, way in CHARGED.items() if way not in _WAYS}
if _unknown:  # (a new way needs accounting code: model.engine.phases.account)
    raise ValueError(f"ledger lines charged in no known way: {_unknown}; allowed: {_WAYS}")

#: The month's cost lines, in the order the results table lists them.
LEDGER_LINES: tuple[str, ...] = tuple(CHARGED)
#: Lines shared among the month's joiners: the acquisition cost (CAC's numerator).
ACQUISITION_LINES: tuple[str, ...] = tuple(k for k, w in CHARGED.items() if w == "acquisition")
#: Lines shared equally among the clients served.
EQUAL_LINES: tuple[str, ...] = tuple(k for k, w in CHARGED.items() if w == "equal")
#: Lines shared in proportion to revenue.
REVENUE_LINES: tuple[str, ...] = tuple(k for k, w in CHARGED.items() if w == "revenue")
#: The lines that count as the firm's *spend* (every cost line but the cost of goods sold), for
#: comparisons at equal budget.
SPEND_LINES: tuple[str, ...] = tuple(line for line in LEDGER_LINES if line != "cogs")


def acquisition_spend(ledger: Mapping[str, float]) -> float:
    """The acquisition cost booked in ``ledger`` (currency): its :data:`ACQUISITION_LINES`
    summed in their order (a month's ledger, or a run's totals by line)."""
    total = 0.0
    for line in ACQUISITION_LINES:
        total += ledger[line]
    return total


def monthly_overhead(p: Scenario) -> float:
    """The general overhead booked each month (currency): ``economics.fixed_overhead`` plus
    ``economics.overhead_share`` of the revenue the initial clients bring in a month
    (``market.clients · initial_active_share · spend_mean``).

    A fixed cost: it scales with the market, not with how many clients the firm keeps, so a
    claim's arms on the same market book the same overhead (docs/ODD.md §7.9).
    """
    e, m = p.economics, p.market
    return e.fixed_overhead + e.overhead_share * (m.clients * m.initial_active_share * m.spend_mean)
