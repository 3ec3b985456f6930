"""What to know before reading a comparison (:func:`model.studies.compare.compare`'s notes).

Each note names a way the policies' difference is not the policy alone: unequal spending, a
schedule step after the horizon, a difference the overrides erased, a lever the policy's own
schedule sets again, or a policy that runs in another world (a market or behaviour setting, not
a lever: the teaching preset ``innovator`` faces competitors twice as fast as ``balanced``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from model.scenario import PARAMS, Scenario
from model.scenario.changes import changed_from_preset
from model.scenario.schedule import set_again
from model.studies.spend_scale import costs_against_spend

__all__ = ["comparison_notes"]


def _is_world(key: str) -> bool:
    """Whether a parameter is the world's (a declared uncertainty: the market, behaviour), not
    a policy's lever or the analyst's setting (a discount rate, how value is attributed)."""
    return PARAMS[key].role == "uncertainty" and key != "market.clients"


def comparison_notes(
    runs: pd.DataFrame,
    names: list[str],
    spend_tolerance: float,
    given: list[Scenario],
    policies: list[Scenario],
    overrides: Mapping[str, Any] | None,
) -> list[str]:
    """Every note, in the order a reader needs them (``given``: the policies as passed, before
    the overrides and common size; ``policies``: as run)."""
    return [
        *_spend_notes(runs, names, spend_tolerance, policies),
        *_world_notes(policies, names),
        *_horizon_notes(policies, names),
        *_erased_notes(given, policies, names),
        *_set_again_notes(policies, names, overrides),
        *_cost_notes(policies, names),
    ]


def _cost_notes(policies: list[Scenario], names: list[str]) -> list[str]:
    """:func:`~model.studies.spend_scale.costs_against_spend` of each policy, named by the
    policies it is about (two worlds' notes, one after the other, said "here a new client
    spends…" without saying where); one note for policies that share it."""
    about: dict[str, list[str]] = {}
    for name, policy in zip(names, policies, strict=True):
        for line in costs_against_spend(policy):
            about.setdefault(line, []).append(name)
    return [
        line if len(who) == len(names) else f"{', '.join(map(repr, who))}: {line}"
        for line, who in about.items()
    ]


def _world_notes(policies: list[Scenario], names: list[str], most: int = 3) -> list[str]:
    """A note for each policy that differs from the first in its world, not only its levers:
    part of their difference is then the world's (a teacher's pass: the comparison of the
    teaching firms put 40% of innovator's NPV gap down to a faster market, unsaid)."""
    first = policies[0].flat()
    notes = []
    for name, s in zip(names[1:], policies[1:], strict=True):
        flat = s.flat()
        differ = [k for k in first if _is_world(k) and flat[k] != first[k]]
        if differ:
            shown = ", ".join(f"{k} {flat[k]!r} vs {first[k]!r}" for k in differ[:most])
            more = f" and {len(differ) - most} more" if len(differ) > most else ""
            notes.append(
                f"{name!r} runs in another world than {names[0]!r}, not only with other levers "
                f"({shown}{more}): part of its difference is the world's; give both the same "
                "with overrides (--set) to compare the policies alone"
            )
    return notes


def _spend_notes(
    runs: pd.DataFrame, names: list[str], tolerance: float, policies: list[Scenario]
) -> list[str]:
    """A note for each policy whose spending differs from the first's by more than
    ``tolerance`` (a share), saying whether the policy chose it.

    Much of a firm's spending follows its clients (staff, service, R&D as a share of revenue),
    so a policy that loses clients spends less without choosing to: a bad-service spell at
    unchanged cost spent 2.6% less than no spell and was called "not an equal-budget
    comparison". A policy with the first's parameters and schedule (:func:`_same_budget`) set no
    budget of its own, so its spending differs only through its clients; per client served it is
    no test (the fixed costs spread over fewer clients raise it: +2.2% for that spell at 2,000
    people).
    """
    spend = runs.groupby("policy")["spend_total"].mean()
    ref = float(spend[names[0]])
    notes = []
    for name, policy in zip(names[1:], policies[1:], strict=True):
        amount = float(spend[name])
        if ref == 0:
            if amount == 0:
                continue
            said = f"{name!r} spends {amount:,.0f} where {names[0]!r} spends nothing"
        else:
            rel = (amount - ref) / abs(ref)
            if abs(rel) <= tolerance:
                continue
            said = f"{name!r} spends {rel:+.1%} vs {names[0]!r} ({amount:,.0f} vs {ref:,.0f})"
        said += " on all cost lines but cost of goods"
        if _same_budget(policies[0], policy):
            notes.append(
                f"{said}, with every parameter and the schedule alike (only a shock differs): "
                "that is spending that follows the clients it serves (staff, service and R&D go "
                "with them), not a budget of its own, so this is an equal-budget comparison"
            )
        else:
            notes.append(
                f"{said}; its differences include that money (part of it may be spending that "
                "follows the clients it serves), so this is not an equal-budget comparison"
            )
    return notes


def _same_budget(first: Scenario, other: Scenario) -> bool:
    """Whether ``other`` spends by the same rules as ``first``: every parameter alike (the size,
    horizon and seed aside: compare makes them common) and the same schedule, so that only a
    shock — an event in the world, not a budget — sets them apart. Levers outside the [levers]
    section (``win_back.target_months``), settings (``economics.fixed_overhead``) and a world's
    cost rates all change what a firm spends, not only through its clients."""
    common = {"run.seed", "run.months", "market.clients"}
    mine, theirs = first.flat(), other.flat()
    return first.schedule == other.schedule and all(
        mine[k] == theirs[k] for k in mine if k not in common
    )


def _horizon_notes(policies: list[Scenario], names: list[str]) -> list[str]:
    notes = []
    for name, s in zip(names, policies, strict=True):
        late = s.after_horizon()
        if late:
            notes.append(
                f"{name!r}: {', '.join(late)} falls after the {s.run.months}-month horizon "
                "and has no effect"
            )
    return notes


def _erased_notes(given: list[Scenario], policies: list[Scenario], names: list[str]) -> list[str]:
    """A note for each parameter the policies differed on that ``overrides`` set to one value
    for all (the difference the comparison was for is then not in it); the horizon and market
    size are left out, since ``months=``/``clients=`` are how different ones are made one."""
    before, after = [s.flat() for s in given], [s.flat() for s in policies]
    notes = []
    for key in before[0]:
        if key in ("run.months", "run.seed", "market.clients"):
            continue
        if len({repr(f[key]) for f in before}) > 1 and len({repr(f[key]) for f in after}) == 1:
            was = ", ".join(f"{n!r} {f[key]!r}" for n, f in zip(names, before, strict=True))
            what = (
                "they now run in one world, the policies alone compared"
                if _is_world(key)
                else "that difference is not compared"
            )
            notes.append(
                f"overrides (--set) give every policy {key} = {after[0][key]!r}, where they differed "
                f"({was}): {what}"
            )
    return notes


def _set_again_notes(
    policies: list[Scenario], names: list[str], overrides: Mapping[str, Any] | None
) -> list[str]:
    """A note for each lever ``overrides`` gives every policy, or a policy was changed in from
    the preset it is named after (:func:`~model.scenario.changes.changed_from_preset`), that
    the policy's own schedule sets again within the horizon (the value given holds only until
    then, as ``retention run --set`` warns)."""
    keys = dict.fromkeys(  # (a lever given both nested and dotted is one lever)
        f"{k}.{name}" if isinstance(v, Mapping) else k
        for k, v in (overrides or {}).items()
        for name in (v if isinstance(v, Mapping) else (None,))
    )
    return [
        f"{name!r}: {line}"
        for name, s in zip(names, policies, strict=True)
        for line in set_again(s.schedule, {**keys, **changed_from_preset(s)}, s.run.months)
    ]
