"""Checks of :func:`~model.studies.optimize.optimize`'s own arguments, declared once and used by
the Python API and by ``retention optimize`` alike.

Each returns what the search uses or raises :class:`~model.scenario.ScenarioError` naming the
argument, its value and what is allowed — before any run, and before the grid is built (a grid
too fine to build would otherwise hang while it is enumerated).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import shown
from model.studies.optimize.levers import SPEND_LEVERS

__all__ = ["MAX_GRID_POINTS", "check_grid", "grid_points", "lever_names", "robust_variants"]

#: The most points a budget split's coarse grid may have (each costs ``replications`` runs).
MAX_GRID_POINTS = 100_000


def grid_points(divisions: int, levers: int) -> int:
    """Points of the simplex grid in steps of ``1/divisions`` over ``levers`` shares (before the
    levers' upper bounds drop any)."""
    return math.comb(divisions + levers - 1, levers - 1) if levers >= 1 else 0


def _finest(levers: int) -> int:
    """The largest ``divisions`` whose grid over ``levers`` shares has at most
    :data:`MAX_GRID_POINTS` points (``grid_points`` grows with ``divisions``)."""
    low, high = 0, MAX_GRID_POINTS  # with two or more levers a grid has > divisions points
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if grid_points(mid, levers) <= MAX_GRID_POINTS else (low, mid - 1)
    return low


def check_grid(divisions: int, levers: int, runs_per_point: int, name: str = "grid") -> int:
    """``divisions`` if its grid over ``levers`` shares has at most :data:`MAX_GRID_POINTS`.

    Parameters
    ----------
    divisions : int
        Divisions of the coarse simplex grid (already checked to be a whole number ≥ 0).
    levers : int
        How many levers the budget is split across (two or more).
    runs_per_point : int
        Runs an evaluation costs (replications × the assumption's values), to say how many runs
        the grid would cost.
    name : str
        The argument's name as the caller spells it (``grid``, ``--grid``).

    Returns
    -------
    int

    Raises
    ------
    ScenarioError
        If the grid has too many points; the message says how many, and the finest grid allowed.
    """
    points = grid_points(divisions, levers)
    if points > MAX_GRID_POINTS:
        raise ScenarioError(
            f"{name}: value {divisions} is not allowed: {points:,} grid points over {levers} "
            f"levers ({points * runs_per_point:,} runs); allowed: at most {MAX_GRID_POINTS:,} "
            f"points, i.e. {name} ≤ {_finest(levers):,} with {levers} levers (the optimiser "
            "refines from the best point anyway)"
        )
    return divisions


def lever_names(levers: object) -> list[str]:
    """``levers`` as a list of two or more distinct names of :data:`SPEND_LEVERS`.

    A string is refused, not read letter by letter; so is anything that is not a sequence of
    those names.
    """
    allowed = (
        f"allowed: a sequence of two or more distinct of {', '.join(SPEND_LEVERS)}, e.g. "
        "['ad_budget', 'service_level']"
    )
    if isinstance(levers, str | bytes) or not isinstance(levers, Iterable):
        hint = " (a list of names, not one string)" if isinstance(levers, str) else ""
        raise ScenarioError(f"levers: value {shown(levers)} is not allowed; {allowed}{hint}")
    names = list(levers)
    named = all(isinstance(v, str) and v in SPEND_LEVERS for v in names)
    if not named or len(names) < 2 or len(set(names)) != len(names):
        dotted = any(isinstance(v, str) and v.startswith("levers.") for v in names)
        unknown = [v for v in names if not (isinstance(v, str) and v in SPEND_LEVERS)]
        # (else the list was repeated whole: the one name it does not know is what to fix)
        hint = " (the names without 'levers.')" if dotted else ""
        if unknown and not dotted:
            hint = f" ({shown(unknown[0])} is not one)"
        raise ScenarioError(f"levers: value {shown(names)} is not allowed; {allowed}{hint}")
    return names


def robust_variants(
    base: Scenario, levers: list[str], assumption: object, values: object
) -> tuple[list[Scenario], list[Any]]:
    """The scenarios each split is evaluated on, and the assumption's values as they run.

    Parameters
    ----------
    base : Scenario
        The study's scenario (overrides and size applied).
    levers : list of str
        The levers split over (which the assumption must leave alone).
    assumption : str or None
        A parameter ``section.name``; None for no robustness.
    values : sequence or None
        The assumption's values (empty or None for no robustness).

    Returns
    -------
    variants : list of Scenario
        ``[base]`` without an assumption; otherwise ``base`` at each value.
    values : list
        The values as validated (``"3"`` → 3.0); empty without an assumption.
    """
    if values is None:
        values = []
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise ScenarioError(
            f"values: value {shown(values)} is not allowed; allowed: a sequence of numbers "
            "(the assumption's values, e.g. [1, 3, 5]; a list, not one string)"
        )
    values = list(values)
    if (assumption is None) != (not values):
        given, missing = (
            ("values", "assumption") if assumption is None else ("assumption", "values")
        )
        raise ScenarioError(
            f"{missing}: missing; {given} was given, and robustness needs both (the parameter "
            "assumption and the values to evaluate each split at)"
        )
    if assumption is None:
        return [base], []
    if not isinstance(assumption, str):
        raise ScenarioError(
            f"assumption: value {shown(assumption)} is not allowed; allowed: a parameter's "
            "name 'section.name', e.g. 'retain.satisfaction_sensitivity'"
        )
    study_owns = assumption.startswith("run.") or assumption == "market.clients"
    if assumption in {f"levers.{v}" for v in levers} or study_owns:
        raise ScenarioError(
            f"assumption: value {assumption!r} is not allowed; allowed: a parameter the study "
            "leaves alone (not one of the levers it splits the budget over, whose values the "
            "split sets, nor run.* or market.clients: the seeds, horizon and market size are "
            "the study's, and the budget's money converts to levers at its size)"
        )
    variants = [base.with_overrides({assumption: v}) for v in values]  # each checked up front
    section, _, name = assumption.partition(".")
    ran = [getattr(getattr(v, section), name) for v in variants]
    if len(set(ran)) < len(ran) or len(ran) < 2:  # (the same world twice: counted twice)
        raise ScenarioError(
            f"values: {shown(values)} "
            + ("repeats a value" if len(ran) > 1 else "is one value")
            + f" of {assumption}; allowed: distinct values (two or more)"
        )
    return variants, ran
