"""The spend levers a budget can be split across, and where each one's money shows in a run.

Plain data, apart from the engine, so that the command line can list the levers (``retention
optimize --help``) without loading the model.
"""

from __future__ import annotations

__all__ = ["LEDGER_LINE", "SPEND_LEVERS"]

#: Levers the budget can be split across, with how money converts to each (:mod:`model.studies.optimize`).
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
LEDGER_LINE = {
    "ad_budget": "marketing",
    "winback_spend": "winback",
    "empowerment_budget": "empowerment_budgeted",
    "training_spend": "training",
    "service_level": "service",
    "rd_share": "rd",
    "loyalty_discount": "discounts",
}
