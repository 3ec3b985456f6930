"""How a claim's answer in one world moves with that world's uncertain values, one at a time.

:func:`~experiments.analysis.in_your_world.in_your_world` measures a claim in a scenario a user
describes, its uncertainties at the scenario's values: its interval is replication noise, not
doubt about those values. A firm rarely knows its churn's spread between clients or how strongly
satisfaction moves behaviour; :func:`around_your_world` measures the claim again with each named
uncertainty moved to other values — by default the ends of the plausible range a claim study
draws it from, or every alternative of a categorical one — the others held at the scenario's,
on the same seeds, so each change is paired replication by replication (common random numbers:
the seeds' own noise cancels from the difference). A reading whose judgement differs across a
key's values is one whose answer depends on what the firm does not know about that key.

It is one-at-a-time: it says how far each value alone moves the answer from the scenario's, not
how values acting together do (a study's split over its drawn worlds, ``retention experiment
NAME --split KEY``, reads that over the plausible worlds).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from experiments.analysis.in_your_world import (
    InYourWorld,
    in_your_world,
    interval_text,
    number_text,
)
from experiments.running.pins import declared_info, exact_text
from experiments.verdicts.claim import Claim, claim_module
from model import Scenario
from model.scenario.arguments import count
from model.scenario.reading import parse_value
from model.studies.stats import mean_interval
from model.studies.worlds import declared_uncertainties

__all__ = [
    "AroundYourWorld",
    "around_your_world",
    "moved_worlds",
    "parse_vary",
    "vary_values",
]


@dataclass(frozen=True)
class AroundYourWorld:
    """A claim in one scenario and with each named uncertainty moved (:func:`around_your_world`).

    Attributes
    ----------
    claim : Claim
    yours : InYourWorld
        The answer at the scenario's own values.
    readings : pandas.DataFrame
        One row per key, value and reading: ``key``, ``value``, ``reading``, ``effect`` and
        ``margin`` (the replications' mean and its 95% half-width, the reading's unit),
        ``status`` (as :class:`~experiments.analysis.in_your_world.InYourWorld` judges it),
        ``change`` and ``change_low``/``change_high`` (the mean paired difference from the
        scenario's own value over the replications both measured, and its 95% t interval; NaN
        with fewer than two pairs) and ``moved`` (whether the status differs from the
        scenario's own).
    """

    claim: Claim
    yours: InYourWorld
    readings: pd.DataFrame

    def format(self) -> str:
        """Each reading at the scenario's values, then at each key's other values with the
        paired change; the scenario's facts and values outside a study's ranges (as
        :meth:`InYourWorld.format` lists them); then which keys move a judgement."""
        yours = self.yours.format().splitlines()
        after = 2 + len(self.yours.readings)  # (the title and the world, then one per reading)
        lines = [
            *yours[:2],
            "one value moved at a time, the others the scenario's, on the same seeds:",
        ]
        own = self.yours.readings.set_index("reading")
        for reading, rows in self.readings.groupby("reading", sort=False):
            mine = own.loc[reading]
            lines.append(f"  {reading} (band {mine['band']})")
            lines.append(
                f"    {'the scenario':<40} {interval_text(mine.effect, mine.margin)}: {mine.status}"
            )
            for r in rows.itertuples():
                change = (
                    f"; change {number_text(r.change)} [{number_text(r.change_low)}, "
                    f"{number_text(r.change_high)}]"
                    if np.isfinite(r.change_low)
                    else ""
                )
                name = f"{r.key} = {exact_text(r.value)}"
                lines.append(
                    f"    {name:<40} {interval_text(r.effect, r.margin)}: {r.status}{change}"
                )
        lines += yours[after:]  # (the scenario's facts and values outside a study's ranges)
        moved = self.readings[self.readings["moved"]]
        if moved.empty:
            lines.append("No judgement moves with these values.")
        else:
            lines.append("The judgement moves with:")
            for (key, reading), rows in moved.groupby(["key", "reading"], sort=False):
                at = ", ".join(
                    f"{exact_text(v)} {s}" for v, s in zip(rows.value, rows.status, strict=True)
                )
                lines.append(f"  {key}: {reading} {own.loc[reading].status} here; at {at}")
        return "\n".join(lines)


def parse_vary(text: str) -> tuple[str, tuple[Any, ...] | None]:
    """``KEY`` or ``KEY=A,B,...`` as given to ``--vary``: a declared uncertainty and the values
    to move it to (None: its plausible range's ends, or every alternative).

    Each value is read as ``--set`` reads one (TOML: ``0.03``, ``true``, ``scale_free``); whether
    it is allowed is the scenario's check (:func:`around_your_world`).

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


def vary_values(key: str, scenario: Scenario, values: Sequence[Any] | None = None) -> list[Any]:
    """The values :func:`around_your_world` moves ``key`` to: ``values`` (or the plausible
    range's ends, or every alternative), in order, each once, without the scenario's own."""
    info = declared_info(key, declared_uncertainties(), what="vary")
    section, name = key.split(".", 1)
    own = getattr(getattr(scenario, section), name)
    given = list(info.plausible) if values is None else list(values)
    out: list[Any] = []
    for v in given:
        if v != own and v not in out:
            out.append(v)
    return out


def moved_worlds(
    scenario: Scenario, vary: Mapping[str, Sequence[Any] | None]
) -> list[tuple[str, Any, Scenario]]:
    """Each ``(key, value, scenario with key at value)`` :func:`around_your_world` runs, in the
    order given, every value checked before anything runs.

    Raises
    ------
    ValueError
        For no key, a key that is not a declared uncertainty, or one none of whose values
        differs from the scenario's; a value outside its allowed range raises the scenario's own
        error (:class:`~model.scenario.ScenarioError`, a ``ValueError``), naming the field.
    """
    if not isinstance(vary, Mapping) or not vary:
        raise ValueError(
            f"vary: value {vary!r:.80} is not allowed; allowed: a mapping of at least one "
            "declared uncertainty to its values or None, e.g. {'retain.base_churn': None}"
        )
    out = []
    for key, given in vary.items():
        values = vary_values(key, scenario, given)
        if not values:
            raise ValueError(
                f"vary {key}: every value given is the scenario's own; allowed: another value"
            )
        out += [(key, v, scenario.with_overrides({key: v})) for v in values]
    return out


def around_your_world(
    claim: str | ModuleType,
    scenario: Scenario,
    vary: Mapping[str, Sequence[Any] | None],
    replications: int = 8,
    seed: int = 1,
    on_done: Callable[[int], None] | None = None,
) -> AroundYourWorld:
    """Measure ``claim`` in ``scenario`` and with each key of ``vary`` moved, one at a time.

    Parameters
    ----------
    claim : str or module
        A claim's name (``retention experiment --list``) or its module.
    scenario : Scenario
        The world (:func:`~experiments.analysis.in_your_world.in_your_world`).
    vary : mapping of str to sequence or None
        Declared uncertainties (``retention params --role uncertainty``) and the values to move
        each to, in its unit; None for the ends of its plausible range (every alternative of a
        categorical one). A value equal to the scenario's own is not run twice.
    replications : int, default 8
        Runs at each value, on the same seeds at every value (at least 2).
    seed : int, default 1
        Where the replications' seeds come from, as for ``in_your_world``.
    on_done : callable, optional
        Called with 1 as each replication finishes.

    Returns
    -------
    AroundYourWorld

    Raises
    ------
    ValueError
        For a key that is not a declared uncertainty, no key at all, or a key none of whose
        values differs from the scenario's; a value outside its allowed range raises the
        scenario's own error, naming the field.

    Examples
    --------
    >>> from model import Scenario
    >>> small = Scenario().with_overrides({"market.clients": 200, "run.months": 24})
    >>> a = around_your_world("acquisition_cost", small, {"retain.base_churn": [0.01]}, 2)
    >>> print(*a.readings.loc[0, ["key", "value", "reading"]])
    retain.base_churn 0.01 average
    """
    module = claim_module(claim)
    replications = count("replications", replications, 2)
    moved = moved_worlds(scenario, vary)
    yours = in_your_world(module, scenario, replications, seed, on_done)
    base = yours.values
    rows = []
    for key, value, world in moved:
        answer = in_your_world(module, world, replications, seed, on_done)
        own = yours.readings.set_index("reading")
        for r in answer.readings.itertuples():
            with np.errstate(invalid="ignore"):  # (a bound at both: inf − inf, not a change)
                paired = answer.values[r.reading].to_numpy(float) - base[r.reading].to_numpy(float)
            change = mean_interval(paired)  # (over the replications both measured finitely)
            rows.append(
                {
                    "key": key,
                    "value": value,
                    "reading": r.reading,
                    "effect": r.effect,
                    "margin": r.margin,
                    "status": r.status,
                    "change": change.mean,
                    "change_low": change.low,
                    "change_high": change.high,
                    "moved": r.status != own.loc[r.reading, "status"],
                }
            )
    return AroundYourWorld(claim=module.CLAIM, yours=yours, readings=pd.DataFrame(rows))
