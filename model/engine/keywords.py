"""Parameters by keyword, as Mesa's tools pass them: ``service_level=0.9`` → ``levers.service_level``.

Mesa's batch runner, its app and EMA Workbench build a model as ``Model(**kwargs)``; every declared
parameter's name is unique across sections, so the bare name is enough. ``clients``, ``months``
and ``seed`` therefore mean ``market.clients``, ``run.months`` and ``run.seed``.
"""

from __future__ import annotations

import difflib
import operator
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from model.scenario import PARAMS, Scenario, ScenarioError
from model.scenario.schedule import set_again

__all__ = ["KEYWORDS", "fresh_seed", "require_scenario", "scenario_from_keywords", "seed_of"]

#: Bare parameter name → ``section.name`` for every declared parameter.
KEYWORDS: dict[str, str] = {key.rpartition(".")[2]: key for key in PARAMS}


def scenario_from_keywords(scenario: Scenario | None, values: Mapping[str, Any]) -> Scenario:
    """``scenario`` (default: the baseline) with ``{bare name: value}`` overrides applied.

    Unknown names are errors that name the closest declared parameter.

    Warns
    -----
    UserWarning
        A lever given here that the scenario's schedule sets again within the horizon: the value
        holds only until then (as ``retention run --set`` says).
    """
    base = scenario if scenario is not None else Scenario()
    require_scenario(base)
    if not values:
        return base
    overrides = {}
    for name, value in values.items():
        key = KEYWORDS.get(name) or (name if name in PARAMS else None)
        if key is None:
            close = difflib.get_close_matches(name, [*KEYWORDS, *PARAMS], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ScenarioError(
                f"{name}: unknown parameter{hint} (a model keyword is a declared parameter's "
                "name, e.g. service_level; 'retention params' lists them)"
            )
        overrides[key] = value
    result = base.with_overrides(overrides)
    for line in set_again(result.schedule, overrides, result.run.months):
        warnings.warn(line, UserWarning, stacklevel=3)  # (the caller of the model's __init__)
    return result


def require_scenario(scenario: object, name: str = "scenario") -> Scenario:
    """``scenario`` if it is a :class:`Scenario`, else a :class:`ScenarioError` that says how to
    make one (a preset's name or a file's path is not one)."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, str):
        how = f"Scenario.preset({scenario!r}) for a preset, Scenario.from_toml({scenario!r}) for a file"
    elif isinstance(scenario, Path):
        how = f"Scenario.from_toml({str(scenario)!r}) for a file"
    elif isinstance(scenario, Mapping):
        how = "Scenario.build(sections) for nested sections, as a file has them"
    else:
        how = "Scenario(), Scenario.preset(name) or Scenario.from_toml(path)"
    shown = repr(scenario) if len(repr(scenario)) <= 60 else f"a {type(scenario).__name__}"
    raise ScenarioError(f"{name}: value {shown} is not allowed; allowed: a Scenario ({how})")


def fresh_seed() -> int:
    """A new seed from the operating system's entropy (63 bits, so it fits ``run.seed``)."""
    return int(np.random.SeedSequence().generate_state(2, np.uint32).view(np.uint64)[0] >> 1)


def seed_of(rng: object) -> int:
    """``rng`` as a whole-number seed (an int or numpy integer; the range is the scenario's
    ``run.seed`` check), or a :class:`~model.scenario.ScenarioError` naming it."""
    try:
        if isinstance(rng, bool):
            raise TypeError
        return operator.index(rng)  # type: ignore[arg-type]
    except TypeError:
        raise ScenarioError(
            f"rng: value {rng!r:.60} is not allowed; allowed: a whole-number seed (every draw is "
            "keyed by it), or None for a fresh one"
        ) from None
