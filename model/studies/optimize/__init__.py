"""The best split of a fixed monthly budget across spend levers, by NPV.

**Money to lever units.** Each spend lever is set in its own unit; the optimiser works in money per
month and converts with rates measured on the scenario itself (its own levers, the same seeds),
averaged over months and replications — the stocks a planner would budget against:

============================  =====================================================================
lever                         money per month
============================  =====================================================================
``ad_budget``                 ad_budget × market size / 1,000 (exact)
``winback_spend``             winback_spend × lapsed clients the win-back reaches (within
                              ``win_back.target_months``, in the targeted segment), on average
``empowerment_budget``        budget × staff employed, on average (the money *made available*; the
                              ledger books only what fixes cost, so the run may spend less)
``training_spend``            training_spend × staff employed, on average
``service_level``             service.cost_per_client × level² × clients served (× the cost trend
                              with tenure), on average; so level = √(money / that)
``rd_share``                  rd_share × monthly revenue, on average
``loyalty_discount``          discount × revenue of the clients enrolled, on average
============================  =====================================================================

The stocks respond to the split (more service keeps more clients, who then cost more to serve), so
the money a split really spends differs from the planned budget; it is reported beside the answer.

**Search.** Shares of the budget live on the simplex (each ≥ 0, summing to 1, each below the share
that would push its lever past its declared maximum). Every evaluation runs the same seeds (common
random numbers), so the objective — mean NPV over the replications — moves smoothly enough for a
derivative-free search: a coarse grid over the simplex, then COBYQA (Powell's trust-region method
with linear constraints, :func:`scipy.optimize.minimize`) from the best grid point; then, up to five
times, the best ±10 or ±20-point move of the flatness profile (below) where it beats that point
(the search stops within its own tolerance; the notes say when a step was taken).

**Honest gain.** The optimum was picked on the search seeds, which flatters it (the winner's curse);
its gain over the scenario's own split (scaled to the same budget) is therefore measured on *fresh*
seeds, paired, with a 95% interval. Flatness: the NPV when ±10 points of the budget move into or
out of each lever, and the range of each lever's share over every evaluated split within 1% of
the best NPV.

**Robust.** Optionally the objective is the mean or the worst case over a few values of a market
assumption (``assumption="retain.satisfaction_sensitivity", values=[1, 3, 5]``); the gain on fresh
seeds is then measured at each value and combined the same way (the mean of each seed's gain
over the values, or the worst value's gain), and each value's gain is reported too. A split
becomes lever settings once, at the rates measured on the scenario as given, and those same
settings run at every value: the decision a planner takes before knowing which value holds (a
service level, not a sum of money, is what a firm sets). Where the assumption moves what a lever
costs (``service.cost_per_client``, say), the same settings then spend different money at
different values; the money really spent is reported averaged over the search seeds and the values.
"""

from __future__ import annotations

from model.lazy import lazy_names

#: Each name's module, loaded on first use: the lever list (``SPEND_LEVERS``) is plain data, and
#: reading it (``retention optimize --help``) should not load the engine and scipy.
_LAZY: dict[str, str] = {
    "SPEND_LEVERS": "model.studies.optimize.levers",
    "BudgetSplit": "model.studies.optimize.split",
    "Exchange": "model.studies.optimize.exchange",
    "exchange_rates": "model.studies.optimize.exchange",
    "optimize": "model.studies.optimize.search",
}

__all__ = ["SPEND_LEVERS", "BudgetSplit", "Exchange", "exchange_rates", "optimize"]

__getattr__, __dir__ = lazy_names(__name__, _LAZY)
