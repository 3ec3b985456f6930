"""A scenario against the shipped preset it is named after: what was changed, and what of that
its schedule undoes.

``Scenario.preset("policies/service_cut").with_overrides({"levers.service_level": "wow"})`` is
still named ``service_cut``: :func:`changed_from_preset` says what differs from the preset
(``{"levers.service_level": "wow"}``), so a run's one-line description can say so too, and
:func:`undone_by_schedule` says that the preset's own schedule sets that lever again at month 12
— as ``retention run --set`` warns of a value given on the command line.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from model.scenario.arguments import is_whole
from model.scenario.declare import ScenarioError
from model.scenario.scenario import Scenario
from model.scenario.schedule import set_again

__all__ = ["changed_from_preset", "changes_text", "overrides_text", "undone_by_schedule"]

#: What says a run's size and seed rather than its world or policy (shown apart, not as changes).
_SIZE = frozenset({"run.seed", "run.months", "market.clients"})


def changed_from_preset(scenario: Scenario) -> dict[str, Any]:
    """``{"section.name": value}`` for each parameter where ``scenario`` differs from the shipped
    preset its name names (its seed, horizon and market size aside); empty when no preset has
    its name, or when the name already says its changes (``"baseline + service_level=wow"``).

    Examples
    --------
    >>> s = Scenario.preset("policies/service_cut").with_overrides({"levers.service_level": 0.9})
    >>> changed_from_preset(s.with_overrides({"run.seed": 4}))
    {'levers.service_level': 0.9}
    """
    if " + " in scenario.name:
        return {}
    preset = _preset(scenario.name)
    if preset is None:
        return {}
    was = preset.flat()
    return {k: v for k, v in scenario.flat().items() if k not in _SIZE and v != was[k]}


def overrides_text(overrides: Mapping[str, Any], sep: str = ", ") -> str:
    """``{"levers.service_level": "wow"}`` → ``"service_level=wow"`` (bare names; unique; a
    whole number as one: ``ad_budget=450``, not the ``450.0`` a parameter or a slider holds)."""
    return sep.join(
        f"{k.rpartition('.')[2]}={int(v) if is_whole(v) else v}" for k, v in overrides.items()
    )


def changes_text(changed: Mapping[str, Any], most: int = 3) -> str:
    """:func:`overrides_text` of the first ``most`` of ``changed``, with ``…`` for the rest: what
    a title says of a preset's edited copy (``service_level=0.8, ad_budget=500, …``)."""
    shown = overrides_text(dict(list(changed.items())[:most]))
    return shown + (", …" if len(changed) > most else "")


def undone_by_schedule(scenario: Scenario) -> list[str]:
    """A line for each lever changed from the scenario's preset (:func:`changed_from_preset`)
    that the scenario's schedule sets again within its horizon: the value given holds only until
    then (:func:`model.scenario.schedule.set_again`)."""
    changed = changed_from_preset(scenario)
    return set_again(scenario.schedule, changed, scenario.run.months) if changed else []


@lru_cache(maxsize=32)
def _preset(name: str) -> Scenario | None:
    """The shipped preset named ``name``, or None (read once: scenarios are immutable)."""
    try:
        return Scenario.preset(name)
    except ScenarioError:
        return None
