"""Which values ``--vary`` moves an uncertainty to, and the worlds at them.

:func:`parse_vary` reads ``KEY`` or ``KEY=A,B`` as given on the command line; :func:`vary_values`
says the values a key moves to (the plausible range's ends, or every alternative, by default;
each as the scenario holds it, once, without its own); :func:`moved_worlds` builds each moved
world, every value checked before anything runs, for
:func:`~experiments.analysis.around_your_world.around_your_world` to measure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.running.pins import declared_info
from experiments.verdicts.claim import Claim
from model import Scenario
from model.scenario.reading import parse_value
from model.studies.worlds import declared_uncertainties

__all__ = ["moved_worlds", "parse_vary", "vary_values"]


def parse_vary(text: str) -> tuple[str, tuple[Any, ...] | None]:
    """``KEY`` or ``KEY=A,B,...`` as given to ``--vary``: a declared uncertainty and the values
    to move it to (None: its plausible range's ends, or every alternative).

    Each value is read as ``--set`` reads one (TOML: ``0.03``, ``true``, ``scale_free``); whether
    it is allowed is the scenario's check (:func:`~experiments.analysis.around_your_world.around_your_world`).

    Raises
    ------
    ValueError
        For a key that is not a declared uncertainty, or an empty value.
    """
    key, sep, rest = (part.strip() for part in text.partition("="))
    declared_info(key, declared_uncertainties(), what="vary")
    if not sep:
        return key, None
    values = [v.strip() for v in rest.split(",")]
    if not all(values):
        raise ValueError(f"vary {text.strip()!r}: an empty value; allowed: KEY or KEY=A,B,...")
    return key, tuple(parse_value(v) for v in values)


def vary_values(key: str, scenario: Scenario, values: Any = None) -> list[Any]:
    """The values :func:`~experiments.analysis.around_your_world.around_your_world` moves ``key`` to, each as the scenario holds it:
    ``values`` (one value or a sequence; an alternative's name in any case), or by default the
    plausible range's ends or every alternative; in order, each once, without the scenario's
    own.

    Raises
    ------
    ValueError
        For a key that is not a declared uncertainty; a value the scenario does not allow raises
        its own error (:class:`~model.scenario.ScenarioError`), naming the field.
    """
    return list(_worlds_at(key, scenario, values))


def _worlds_at(key: str, scenario: Scenario, values: Any) -> dict[Any, Scenario]:
    """:func:`vary_values`' values, each with its world (each value checked once): 0.02 typed
    as '0.02' is the scenario's own 0.02; an alternative named in any case, as --split takes
    it, is the declared one."""
    info = declared_info(key, declared_uncertainties(), what="vary")
    if values is None:
        given = list(info.plausible)
    elif isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        given = [values]  # (one value: a string is a name, not its letters)
    else:
        given = list(values)
        if not given:  # (else read as "every value is the scenario's own")
            raise ValueError(
                f"vary {key}: no value given; allowed: one value or more, or None for the "
                "plausible range's ends (every alternative of a named one)"
            )
    section, name = key.split(".", 1)
    own = getattr(getattr(scenario, section), name)
    out: dict[Any, Scenario] = {}
    for v in given:
        if isinstance(v, str):
            v = next((o for o in info.plausible if str(o).lower() == v.lower()), v)
        world = scenario.with_overrides({key: v})
        held = getattr(getattr(world, section), name)
        if held != own and held not in out:
            out[held] = world
    return out


def moved_worlds(
    scenario: Scenario, vary: Mapping[str, Any], claim: Claim | None = None
) -> list[tuple[str, Any, Scenario]]:
    """Each ``(key, value, scenario with key at value)`` :func:`~experiments.analysis.around_your_world.around_your_world` runs, in the
    order given, every value checked before anything runs.

    Raises
    ------
    ValueError
        For no key, a key that is not a declared uncertainty, one that ``claim``'s arms set
        themselves (moving it would move both arms alike: a change of zero by construction), or
        one none of whose values differs from the scenario's; a value outside its allowed range
        raises the scenario's own error (:class:`~model.scenario.ScenarioError`), naming the
        field.
    """
    if not isinstance(vary, Mapping) or not vary:
        raise ValueError(
            f"vary: value {vary!r:.80} is not allowed; allowed: a mapping of at least one "
            "declared uncertainty to its values or None, e.g. {'retain.base_churn': None}"
        )
    out = []
    for key, given in vary.items():
        if claim is not None and key in claim.arm_keys:
            raise ValueError(
                f"vary {key}: claim {claim.name}'s arms set it themselves, so moving it moves "
                "nothing the claim compares; allowed: an uncertainty its arms leave alone (they "
                f"set {', '.join(claim.arm_keys)})"
            )
        worlds = _worlds_at(key, scenario, given)
        if not worlds:
            raise ValueError(
                f"vary {key}: every value given is the scenario's own; allowed: another value"
            )
        out += [(key, v, world) for v, world in worlds.items()]
    return out
