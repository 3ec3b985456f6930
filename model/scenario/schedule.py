"""Levers that change over time (``[[schedule]]``) and scheduled shocks (``[[shocks]]``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator

from model.scenario.catalogue import PARAMS
from model.scenario.declare import Section
from model.scenario.sections.levers import Levers, level_hint

__all__ = ["LeverValues", "ScheduleStep", "Shock", "ShockKind", "raid", "set_again"]


class LeverValues(dict):
    """A schedule step's levers (name → value): a dict that refuses changes and hashes, so a
    scenario, frozen, stays as validated (a value set afterwards would skip the levers' checks)
    and can be a key. Copies, pickles and dumps as a plain dict would."""

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "a schedule step's levers are read-only, as the scenario is; make another scenario "
            "(Scenario.build, or with_overrides for the [levers] themselves)"
        )

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _read_only
    __ior__ = _read_only  # type: ignore[assignment]

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))

    def __reduce__(self) -> tuple:
        return (LeverValues, (dict(self),))


class ScheduleStep(Section):
    """From ``month`` on, set the named levers to new values (validated like the levers)."""

    month: int = Field(
        ge=1,
        le=1200,
        description="first month the new values apply (months count from 1; before the first "
        "step the [levers] hold)",
    )
    set: dict[str, Any] = Field(description="lever name -> value, e.g. service_level = 'low'")

    @field_validator("set")
    @classmethod
    def _known_levers(cls, value: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, v in value.items():
            name = key.removeprefix("levers.")
            if name not in Levers.model_fields:
                raise ValueError(
                    f"unknown lever {key!r}; allowed: {', '.join(Levers.model_fields)} (the "
                    "[levers] section's; targeting and win_back.target_months hold for the run)"
                )
            if name in out:  # ("ad_budget" and "levers.ad_budget": one lever set twice)
                raise ValueError(f"lever {name!r} is set twice in one step; allowed: once")
            # Validate (and normalise: "low" -> 0.35) here, so the error names the step.
            try:
                out[name] = getattr(Levers(**{name: v}), name)
            except ValidationError:
                info = PARAMS[f"levers.{name}"]
                hint = level_hint(v) if name == "service_level" else ""
                raise ValueError(
                    f"{name} = {v!r} is not allowed; allowed: {info.allowed_text()}{hint}"
                ) from None
        return LeverValues(out)


ShockKind = Literal["bad_service", "competitor_leap", "price_war", "poaching"]


class Shock(Section):
    """A scheduled shock: a bad-service spell, a competitor's leap, a price war, a poaching raid.

    ``poaching``: in each month of the spell (by default one month, ``start``), a competitor takes
    a share ``size`` (0 ≤ size ≤ 1) of the clients served that month who were not leaving anyway;
    they leave for the competitor (reason COMPETITOR), drawn with their own stream
    ``retain.poach`` so no other decision's numbers move. It makes specific clients leave at a
    given month, which is what the lost-client experiment needs. With ``permanent = true`` the
    clients it takes never come back (neither win-back nor natural return reaches them: they
    lapse with reason GONE_FOR_GOOD), the lost client of the lost-client arithmetic, who "does
    not buy from you over the next 5 years".
    """

    kind: ShockKind = Field(description="bad_service | competitor_leap | price_war | poaching")
    start: int = Field(ge=1, le=1200, description="first month of the shock (months count from 1)")
    months: int = Field(1, ge=1, le=1200, description="duration (a leap is permanent)")
    size: float = Field(
        ge=0.0,
        le=10.0,
        description="service-level drop; frontier jump; ad-cost multiplier minus one; or the "
        "share of served clients poached (0-1)",
    )
    permanent: bool = Field(
        False,
        description="poaching only: the clients taken never return (win-back and natural return "
        "pass them by); false: they lapse as any leaver does",
    )

    @model_validator(mode="after")
    def _share(self) -> Shock:
        # Quality points and shares live on 0-1 scales; only a price war's multiplier goes beyond.
        unit = {
            "poaching": "share",
            "bad_service": "quality points",
            "competitor_leap": "quality points",
        }
        if self.permanent and self.kind != "poaching":
            raise ValueError(
                f"permanent: value True is not allowed for {self.kind}; allowed: True only for "
                "kind = 'poaching' (a raid's clients gone for good), else false"
            )
        if self.kind in unit and self.size > 1.0:
            raise ValueError(
                f"size: value {self.size!r} is not allowed for {self.kind}; allowed: 0 ≤ x ≤ 1 "
                f"({unit[self.kind]})"
            )
        return self


def raid(month: int, share: float, permanent: bool = False) -> dict[str, Any]:
    """A competitor's one-month poaching raid in ``month`` taking ``share`` (0-1) of the clients
    served then, for good if ``permanent``: a :class:`Shock`'s fields, as a scenario file's
    ``[[shocks]]`` entry (validated where it is added:
    :meth:`~model.scenario.scenario.Scenario.with_shocks`)."""
    return {"kind": "poaching", "start": month, "months": 1, "size": share, "permanent": permanent}


def set_again(
    schedule: Sequence[ScheduleStep], keys: Iterable[str], months: int | None = None
) -> list[str]:
    """A line for each of ``keys`` (``levers.NAME``) that a step of ``schedule`` sets again
    (within ``months``, when given): a value given for the run holds only until then.

    Said by ``retention run --set`` and by EMA models over a base scenario, which would
    otherwise see the value they gave undone from that month without a word.
    """
    lines = []
    for key in keys:
        lever = key.removeprefix("levers.")
        if lever == key:  # (a schedule sets only the [levers] section's)
            continue
        steps = sorted(
            s.month for s in schedule if lever in s.set and (months is None or s.month <= months)
        )
        if steps:
            lines.append(
                f"{key} holds only until month {steps[0]}: the scenario's schedule sets {lever} "
                f"from then on (at month{'s' if len(steps) > 1 else ''} "
                f"{', '.join(map(str, steps))})"
            )
    return lines
