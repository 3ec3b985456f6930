"""The monthly metrics, each declared once: name → (unit, meaning), in the results' column order.

:mod:`model.engine.metrics` computes them (after ``resolve``, every month); docs/ODD.md §7.12's
table is written from this one (``scripts/odd_tables.py``).
"""

from __future__ import annotations

from model.engine.ledger import LEDGER_LINES

__all__ = ["METRICS"]

#: name -> (unit, meaning)
METRICS: dict[str, tuple[str, str]] = {
    "prospects": ("people", "market members who have never been clients"),
    "active": (
        "clients",
        "clients being served: stage ACTIVE or LOYAL (LOYAL clients are active clients with a "
        "label); clients_frame()['active'] counts the same",
    ),
    "loyal": ("clients", "clients labelled LOYAL (long tenure, high satisfaction)"),
    "lapsed": ("clients", "former clients"),
    "acquired": ("clients/month", "prospects who became clients"),
    "acquired_referral": ("clients/month", "acquisitions credited to a referral"),
    "churned": ("clients/month", "clients who left"),
    "churned_bad_service": ("clients/month", "leavers who left over bad service"),
    "poached": (
        "clients/month",
        "leavers taken by a competitor's poaching raid (a shock; counted in churned too)",
    ),
    "won_back": ("clients/month", "lapsed clients who returned"),
    "winback_targeted": (
        "people/month",
        "lapsed clients the win-back spend reached (targeted and spent on; none at a spend of 0)",
    ),
    "retention_monthly": ("share", "1 - churned / served"),
    "retention_annual": ("share", "monthly retention to the 12th power"),
    "revenue": ("currency/month", "revenue"),
    **{line: ("currency/month", f"cost line: {line}") for line in LEDGER_LINES},
    "profit": ("currency/month", "revenue minus every cost line"),
    "npv": ("currency", "cumulative discounted profit"),
    "satisfaction": ("0-1", "mean measured satisfaction of active clients"),
    "nps": ("points", "net promoter score of active clients (-100..100)"),
    "cac": ("currency/acquisition", "(marketing + onboarding) / acquisitions"),
    "cost_per_retained": (
        "currency/client-month",
        "programme discounts / churn it averted this month (a client kept for k months counts k "
        "times: a monthly rate, not a cost per client kept)",
    ),
    "top20_revenue_share": ("share", "revenue share of the top 20% of paying clients this month"),
    "top20_value_share": (
        "share",
        "cumulative-profit share of the top 20% of the clients the firm has ever acquired or "
        "served — every client with money attributed (> 1: a whale curve)",
    ),
    "referral_share": ("share", "share of acquisitions credited to referrals"),
    "reached_positive": ("people/month", "people reached by positive word of mouth"),
    "reached_negative": ("people/month", "people reached by warnings"),
    "promoters": ("clients", "served clients at or above the promoter threshold"),
    "aware_share": ("share", "share of prospects aware of the firm"),
    "newly_aware": (
        "people/month",
        "prospects who became aware of the firm, by advertising or a referral",
    ),
    "aware_by_ad": (
        "people/month",
        "newly aware prospects credited to advertising (one reached by both channels is "
        "credited to it with probability its share of the awareness hazard, docs/ODD.md §7.6)",
    ),
    "headcount": ("staff", "staff employed"),
    "engagement": ("0-1", "mean staff engagement"),
    "quality": ("0-1", "mean delivered quality before incidents"),
    "incidents": ("incidents/month", "service incidents"),
    "fixed_on_spot": ("incidents/month", "incidents fixed by empowered staff"),
    "escalated": ("incidents/month", "incidents escalated"),
    "unfixed": ("incidents/month", "escalations never fixed"),
    "empowerment_budgeted": ("currency/month", "empowerment money available"),
    "staff_quits": ("staff/month", "staff who quit and were replaced"),
    "firm_quality": ("quality", "product quality Qf"),
    "frontier": ("quality", "competitors' frontier Qm"),
    "gap": ("quality", "Qm - Qf"),
    "candidates": ("candidates/month", "R&D candidates evaluated"),
    "shipped_good": ("candidates", "cumulative shipped with a positive true effect"),
    "shipped_bad": ("candidates", "cumulative shipped with a negative true effect"),
    "shelved_good": ("candidates", "cumulative shelved with a positive true effect"),
    "shelved_bad": ("candidates", "cumulative shelved with a negative true effect"),
    "unattributed": ("currency/month", "shared costs in a month with nobody served"),
}
