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
    check_scenario,
    number_text,
    worlds_answers,
)
from experiments.analysis.moved_values import moved_worlds
from experiments.running.pins import exact_text
from experiments.verdicts.claim import Claim, claim_module
from experiments.verdicts.framework import effect_text
from model import Scenario
from model.scenario import PARAMS
from model.scenario.arguments import count
from model.studies.stats import mean_interval
from model.studies.yearly_rates import moved_rate_mistakes

__all__ = ["AroundYourWorld", "around_your_world"]


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
        ``status`` (as :class:`~experiments.analysis.in_your_world.InYourWorld` judges it) and
        ``measured`` (replications with a value), ``change`` and ``change_low``/``change_high``
        (the mean paired difference from the scenario's own value over the ``pairs`` of
        replications finite at both, and its 95% t interval, NaN with fewer than two pairs;
        ``bounded``: pairs left out because a bound, ±inf, stands at one value or both),
        ``moved`` (judged on one side of the band at the scenario's value and on another side
        here: *in band*, *above* or *below* both times), ``outside`` (the moved value's line of
        :meth:`~model.Scenario.outside_plausible`, or ``""``) and ``facts_outside`` (the
        stylised facts of the moved world's baseline outside the range a study keeps a world
        in, in words, or ``""``: with its churn moved, a world's observed retention may leave
        its range).
    """

    claim: Claim
    yours: InYourWorld
    readings: pd.DataFrame

    def format(self) -> str:
        """Each reading at the scenario's values, then at each key's other values with the
        paired change; the scenario's facts and values outside a study's ranges (as
        :meth:`InYourWorld.format` lists them), and the moved values outside them; then which
        keys move a judgement."""
        n = len(self.yours.values)
        names = [f"{r.key} = {exact_text(r.value)}" for r in self.readings.itertuples()]
        width = max(len("the scenario"), *map(len, names))
        flat = self.yours.scenario.flat()
        mine = ", ".join(
            f"{k} = {exact_text(flat[k])}" for k in dict.fromkeys(self.readings["key"])
        )
        moved = zip(self.readings["key"], self.readings["value"], strict=True)
        rates = moved_rate_mistakes(self.yours.scenario, moved)  # (as --set's yearly-rate lines)
        lines = [
            *self.yours.head(),
            *self.yours.warnings(),
            *(f"Warning, a moved world ran with it: {line}" for line in rates),
            f"one value moved at a time, the others the scenario's, on the same seeds (the "
            f"scenario's own: {mine}):",
        ]
        one_sided = _one_sided(self.readings, flat)
        lines += [f"  {line}" for line in one_sided]
        own = self.yours.readings.set_index("reading")
        for reading, rows in self.readings.groupby("reading", sort=False):
            mine = own.loc[reading]
            role = "; a diagnostic" if reading in self.yours.claim.diagnostics else ""
            lines.append(f"  {reading} (band {mine['band']}{role})")
            for name, r in [("the scenario", mine), *zip(
                [names[i] for i in rows.index], rows.itertuples(), strict=True
            )]:  # fmt: skip
                some = f" ({r.measured} of {n} measured)" if r.measured < n else ""
                change = "" if name == "the scenario" else _change(r, n)
                text = effect_text(r.effect, r.margin, number_text)
                lines.append(f"    {name:<{width}} {text}{some}: {r.status}{change}")
        lines += self.yours.definitions()
        lines += self.yours.notes()  # (the scenario's facts, its values outside a study's ranges)
        outside = list(dict.fromkeys(line for line in self.readings["outside"] if line))
        if outside:
            lines.append("Moved values no world of a study has:")
            lines += [f"  {line}" for line in outside]
        moved_facts = self.readings.drop_duplicates(["key", "value"])
        moved_facts = moved_facts[moved_facts["facts_outside"] != ""]
        if not moved_facts.empty:
            lines.append(
                "Moved worlds whose baseline leaves a stylised fact's range (a study keeps no "
                "such world; the facts at the scenario's own values are above):"
            )
            lines += [
                f"  {r.key} = {exact_text(r.value)}: {r.facts_outside}"
                for r in moved_facts.itertuples()
            ]
        here = self.readings["reading"].map(own["status"])
        differs = self.readings["status"] != here
        judged = here.map(_judged) & self.readings["status"].map(_judged)
        groups = (
            (self.readings["moved"], "The judgement moves to another side of its band with:"),
            (differs & judged & ~self.readings["moved"],
             "Judged otherwise, but near an edge (decided on no side) at one value or both, with:"),
            (differs & ~judged, "Not judged, or undefined, at one value or both:"),
        )  # fmt: skip
        for mask, head in groups:
            if not mask.any():
                continue
            lines.append(head)
            for (key, reading), group in self.readings[mask].groupby(
                ["key", "reading"], sort=False
            ):
                at = ", ".join(
                    f"{exact_text(v)} {s}" for v, s in zip(group.value, group.status, strict=True)
                )
                lines.append(f"  {key}: {reading} {own.loc[reading].status} here; at {at}")
        if not (here.map(_judged) | self.readings["status"].map(_judged)).any():
            lines.append("No reading is judged here or at these values (each says why above).")
        elif not differs.any():
            lines.append(
                "No judgement differs with these values"
                + (" (moved to one side only, above)." if one_sided else ".")
            )
        lines += self.yours.few_runs(
            "the replications' (of a change: the pairs' changes')", self.readings["pairs"].tolist()
        )
        lines.append(
            "(Each interval is 95% on its own: over many values and readings, one may exclude "
            "zero, or a judgement move, by chance.)"
        )
        return "\n".join(lines)


#: A change at most this share of the reading's size is rounding, not a change (float64 carries
#: 16 digits; a reading computed along two paths differs in its last few).
_ROUNDING = 1e-9


def _change(r: Any, n: int) -> str:
    """``; change C [low, high]`` over the pairs finite at both values, saying how many when
    not all; or why there is none."""
    left = f", {r.bounded} with a bound left out" if r.bounded else ""
    if r.pairs < 2:
        return f"; change not measured ({r.pairs} of {n} pairs finite{left})"
    over = f" over {r.pairs} of {n} pairs{left}" if r.pairs < n else ""
    # Every pair alike, to the bit, or but for rounding: a reading that does not depend on the
    # value, computed along another path (-6e-15 of a lifetime of 10 printed as a change).
    size = max(abs(r.effect), abs(r.effect - r.change))  # (inf: a median of bounds; no scale)
    rounding = _ROUNDING * size if np.isfinite(size) else 0.0
    if max(abs(r.change), abs(r.change_low), abs(r.change_high)) <= rounding:
        but = " but for rounding" if r.change_low != r.change_high else ""
        return (
            f"; unchanged in every replication{but} (the reading does not depend on it here)"
            if r.pairs == n
            else f"; unchanged{but} in each of the {r.pairs} of {n} pairs measured at both{left}"
        )
    low, high = number_text(r.change_low), number_text(r.change_high)
    return f"; change {number_text(r.change)} [{low}, {high}]{over}"


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
    check_scenario(scenario)
    replications = count("replications", replications, 2)
    seed = count("seed", seed, 0)
    moved = moved_worlds(scenario, vary, module.CLAIM)
    # (every world's replications together: one batch of runs, as a study runs its worlds)
    yours, *answers = worlds_answers(
        module, [scenario, *(w for _, _, w in moved)], replications, seed, on_done
    )
    own = yours.readings.set_index("reading")
    rows = []
    for (key, value, world), answer in zip(moved, answers, strict=True):
        note = [line for line in world.outside_plausible() if line.startswith(f"{key} = ")]
        left = answer.facts[answer.facts["value"].notna() & ~answer.facts["inside"]]
        facts = ", ".join(
            f"{f.fact} {number_text(f.value)} (kept {number_text(f.low)} to {number_text(f.high)})"
            for f in left.itertuples()
        )
        for r in answer.readings.itertuples():
            a = answer.values[r.reading].to_numpy(float)
            b = yours.values[r.reading].to_numpy(float)
            both = np.isfinite(a) & np.isfinite(b)
            change = mean_interval(a[both] - b[both])
            rows.append(
                {
                    "key": key,
                    "value": value,
                    "reading": r.reading,
                    "effect": r.effect,
                    "margin": r.margin,
                    "status": r.status,
                    "measured": r.measured,
                    "change": change.mean,
                    "change_low": change.low,
                    "change_high": change.high,
                    "pairs": int(both.sum()),
                    "bounded": int((~both & ~np.isnan(a) & ~np.isnan(b)).sum()),
                    "moved": _moved(own.loc[r.reading, "status"], r.status),
                    "outside": note[0] if note else "",
                    "facts_outside": facts,
                }
            )
    return AroundYourWorld(claim=module.CLAIM, yours=yours, readings=pd.DataFrame(rows))


def _one_sided(readings: pd.DataFrame, flat: Mapping[str, Any]) -> list[str]:
    """A line for each key whose own value lies outside the plausible range and whose moved
    values all lie on one side of it, as the range's ends do, where it is moved by default (a
    strategist's service cost of 60 a client, against the study's 3 – 30 for clients spending
    100 a month, was moved only to cheaper service, and "no judgement differs" read as
    robustness)."""
    lines = []
    for key, group in readings.groupby("key", sort=False):
        own, values = flat[key], list(dict.fromkeys(group["value"]))
        if isinstance(own, bool) or not isinstance(own, int | float):
            continue
        if PARAMS[key].is_plausible(own):  # (the range's ends lie on both sides of it)
            continue
        side = "below" if all(v < own for v in values) else "above" if all(
            v > own for v in values
        ) else ""  # fmt: skip
        if side:
            other = "above" if side == "below" else "below"
            lines.append(
                f"(every value of {key} moved lies {side} the scenario's {exact_text(own)}, "
                f"which is outside the range a study draws: the other side is not tried; "
                f"--vary {key}=A,B with values {other} {exact_text(own)} tries it)"
            )
    return lines


#: The judgements that decide a side of the band (near an edge, undefined or not judged do not).
_DECIDED = ("in band", "above", "below")


def _judged(status: str) -> bool:
    """Whether a status places the effect against the band (decided, or near an edge)."""
    return status in _DECIDED or status.startswith("near an edge")


def _moved(here: str, there: str) -> bool:
    """Whether a judgement moves: decided on one side of the band here and on another there (a
    judgement near an edge at either value is a change of confidence, not of side)."""
    return here in _DECIDED and there in _DECIDED and here != there
