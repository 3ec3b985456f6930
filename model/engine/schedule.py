"""Levers over time: schedules (from month m, lever = v) and shocks, resolved per month."""

from __future__ import annotations

from model.scenario import Levers, Scenario

__all__ = ["lever_plan", "poached_for_good_share", "poached_share", "service_drop"]


def lever_plan(scenario: Scenario, months: int) -> list[tuple[Levers, float]]:
    """The levers in force and the ad-cost factor for months 1..``months`` (index 0 = month 1).

    Schedule steps apply from their month on, later steps overriding earlier ones (steps of the
    same month in file order: the browser app's live move overrides a preset's step that way;
    ``retention run`` warns of a lever set twice in one month). A ``price_war`` multiplies the
    cost of reaching prospects by ``1 + size`` while it lasts. The other shocks are not the firm's decisions and leave the levers
    (and so what the firm pays) alone: a ``bad_service`` spell lowers *delivered* quality
    (:func:`service_drop`, used by :mod:`model.engine.phases.work`) and a ``competitor_leap`` moves the
    frontier (:mod:`model.engine.phases.innovate`); a ``poaching`` raid takes clients
    (:func:`poached_share`, used by :mod:`model.engine.phases.retain`).
    """
    steps = sorted(scenario.schedule, key=lambda s: s.month)
    plan: list[tuple[Levers, float]] = []
    levers, in_force = scenario.levers, 0  # the steps applied so far
    for month in range(1, months + 1):
        applied = sum(step.month <= month for step in steps)
        if (
            applied != in_force
        ):  # validated again only when a step starts (once a step, not a month)
            values = scenario.levers.model_dump()
            for step in steps[:applied]:
                values.update(step.set)
            levers, in_force = Levers(**values), applied
        cost_factor = 1.0
        for shock in scenario.shocks:
            if shock.kind == "price_war" and shock.start <= month < shock.start + shock.months:
                cost_factor *= 1.0 + shock.size
        plan.append((levers, cost_factor))
    return plan


def service_drop(scenario: Scenario, month: int) -> float:
    """Delivered-quality points lost to ``bad_service`` shocks in ``month`` (overlaps add up).

    A bad-service spell (an outage, a botched system migration) is something that happens to the
    firm: the service level it pays for is unchanged, what clients get is worse. Cutting service
    on purpose is a schedule (``[[schedule]] set = {service_level = "low"}``), which also saves
    its cost.
    """
    return float(
        sum(
            shock.size
            for shock in scenario.shocks
            if shock.kind == "bad_service" and shock.start <= month < shock.start + shock.months
        )
    )


def poached_share(scenario: Scenario, month: int) -> float:
    """Share of the month's non-leaving served clients a ``poaching`` shock takes, in [0, 1].

    Overlapping raids compound: each takes its share of those the others left.
    """
    return _raided(scenario, month, permanent_only=False)


def poached_for_good_share(scenario: Scenario, month: int) -> float:
    """The part of :func:`poached_share` taken by ``permanent`` raids: those clients never return.

    The permanent raids are taken to come first, so a client a permanent and a passing raid
    both reach is gone for good: ``1 − Π(1 − size)`` over the permanent raids in force, at most
    :func:`poached_share`.
    """
    return _raided(scenario, month, permanent_only=True)


def _raided(scenario: Scenario, month: int, permanent_only: bool) -> float:
    """``1 − Π(1 − size)`` over the ``poaching`` raids in force in ``month`` (the permanent
    ones alone with ``permanent_only``)."""
    kept = 1.0
    for shock in scenario.shocks:
        if (
            shock.kind == "poaching"
            and (shock.permanent or not permanent_only)
            and shock.start <= month < shock.start + shock.months
        ):
            kept *= 1.0 - shock.size
    return 1.0 - kept


def frontier_leap(scenario: Scenario, month: int) -> float:
    """How far competitors' frontier jumps at the start of ``month`` (``competitor_leap`` shocks)."""
    return sum(s.size for s in scenario.shocks if s.kind == "competitor_leap" and s.start == month)
