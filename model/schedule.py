"""Levers over time: schedules (from month m, lever = v) and shocks, resolved per month."""

from __future__ import annotations

from model.params import Levers, Scenario

__all__ = ["lever_plan"]


def lever_plan(scenario: Scenario, months: int) -> list[tuple[Levers, float]]:
    """The levers in force and the ad-cost factor for months 1..``months`` (index 0 = month 1).

    Schedule steps apply from their month on, later steps overriding earlier ones. A
    ``bad_service`` shock lowers the service level by its size while it lasts; a ``price_war``
    multiplies the cost of reaching prospects by ``1 + size``. (A ``competitor_leap`` moves the
    frontier; see :mod:`model.phases.innovate`.)
    """
    steps = sorted(scenario.schedule, key=lambda s: s.month)
    plan: list[tuple[Levers, float]] = []
    for month in range(1, months + 1):
        values = scenario.levers.model_dump()
        for step in steps:
            if step.month <= month:
                values.update(step.set)
        cost_factor = 1.0
        for shock in scenario.shocks:
            if shock.start <= month < shock.start + shock.months:
                if shock.kind == "bad_service":
                    values["service_level"] = max(0.0, values["service_level"] - shock.size)
                elif shock.kind == "price_war":
                    cost_factor *= 1.0 + shock.size
        plan.append((Levers(**values), cost_factor))
    return plan
