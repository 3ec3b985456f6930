"""Closed forms of client economics: margin multiple, Markov-chain CLV, lost-client cost, NPV, sBG.

These are the analytic anchors the simulation is validated against (docs/validation.md) and the arithmetic
of the practitioner claims (docs/ODD.md §1.2). Pure functions, numpy in and numpy out.

**Timing convention** (the same as :mod:`model.engine.phases.account`): a period's margin is paid at the
*end* of the period by the clients who are still clients then (survivors of the period's churn
check); cash flows of period t (t = 1, 2, …) are discounted by (1 + i)^−t. ``timing="start"`` is the
textbook alternative in which a margin is also paid at t = 0, before the first churn check.
"""

from model.studies.closed_forms.clv import (
    LostClientCost,
    clv_markov,
    clv_markov_moments,
    lapse_return_chain,
    lost_client_cost,
    margin_multiple,
    npv,
)
from model.studies.closed_forms.survival import (
    sbg_parameters,
    sbg_pmf,
    sbg_retention,
    sbg_survival,
)

__all__ = [
    "LostClientCost",
    "clv_markov",
    "clv_markov_moments",
    "lapse_return_chain",
    "lost_client_cost",
    "margin_multiple",
    "npv",
    "sbg_parameters",
    "sbg_pmf",
    "sbg_retention",
    "sbg_survival",
]
