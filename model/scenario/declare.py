"""How a parameter is declared: default, unit, allowed range, a one-line source and its role.

Every parameter of Retention Lab is a pydantic field made by :func:`param`, inside a
:class:`Section`; everything else (validation messages, ``--set``, the app's sliders, sweep specs,
results metadata, the worlds a claim study draws) is generated from these declarations and never
typed twice.

A parameter's *role* says who decides it: a ``"lever"`` the firm chooses, an ``"uncertainty"``
the world decides (with a ``plausible`` range and the source of that range), or a ``"setting"``
of the run (size, horizon, seed). When no role is given the section decides it (see
:func:`model.scenario.catalogue.default_role`).
"""

from __future__ import annotations

import difflib
import math
import re
import reprlib
from collections.abc import Callable, Iterable, Sized
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

__all__ = ["Plausible", "Role", "Scale", "ScenarioError", "Section", "param", "shown"]

#: Who decides a parameter: the firm (lever), the world (uncertainty) or the run (setting).
Role = Literal["lever", "uncertainty", "setting"]
#: How worlds sample a numeric plausible range: uniformly, or uniformly in the logarithm.
Scale = Literal["linear", "log"]
#: A plausible range: numeric ``(low, high)``, or the alternatives of a categorical uncertainty.
Plausible = tuple[float, float] | tuple[str, ...]


class ScenarioError(ValueError):
    """A scenario, override or file that cannot be used; the message names field, value and range."""


def did_you_mean(
    word: str, candidates: Iterable[str], cutoff: float = 0.6, shown: Callable[[str], str] = str
) -> str:
    """``"; did you mean 'x'?"`` for the candidate closest to ``word`` (difflib, at least
    ``cutoff`` alike; ``shown`` names it), or ``""`` when none is."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return f"; did you mean {shown(close[0])!r}?" if close else ""


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
    role: Role | None = None,
    plausible: Plausible | None = None,
    scale: Scale = "linear",
    plausible_source: str = "",
) -> Any:
    """Declare one parameter.

    Parameters
    ----------
    default
        The value at the declared defaults.
    unit
        The unit, in words (``"1/month"``, ``"share"``, ``"-"``).
    source
        A one-line source for the default (a paper, or ``"assumption: ..."``).
    ge, le, gt, lt
        The allowed range (what validation accepts).
    role
        ``"lever"``, ``"uncertainty"`` or ``"setting"``; ``None`` lets the section decide.
    plausible
        For an uncertainty: the range a world may draw, numeric ``(low, high)`` inside the allowed
        range with the default inside it, or the alternatives of a categorical uncertainty.
    scale
        ``"linear"`` or ``"log"``: how worlds sample a numeric plausible range.
    plausible_source
        Where the plausible range comes from (a published range), or ``"assumption: wide"``.
    """
    if plausible is not None:
        if not plausible_source:
            raise ValueError("a plausible range needs a plausible_source")
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in plausible)
        if numeric and (len(plausible) != 2 or plausible[0] > plausible[1]):
            raise ValueError(f"plausible {plausible!r}: give (low, high) with low <= high")
        if scale == "log" and numeric and plausible[0] <= 0:
            raise ValueError(f"plausible {plausible!r}: a log scale needs low > 0")
        if role is None:
            role = "uncertainty"
    extra: dict[str, Any] = {"unit": unit, "scale": scale}
    if role is not None:
        extra["role"] = role
    if plausible is not None:
        extra["plausible"] = list(plausible)
        extra["plausible_source"] = plausible_source
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        description=source,
        json_schema_extra=extra,
    )


class Section(BaseModel):
    """A section of the scenario: frozen, no unknown keys, defaults validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _flags_and_whole_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """A flag takes only true/false; a number never takes a flag (no ``true`` → 1.0); an
        integer is not taken from a float too large to hold it exactly."""
        annotation = cls.model_fields[info.field_name].annotation
        if isinstance(value, np.bool_):  # (numpy's flag, as a pandas row of flags holds it)
            value = bool(value)
        elif isinstance(value, np.integer):  # (a seed from a stored table: pydantic would take
            value = int(value)  # a 64-bit one through float, rounding it past 2**53)
        if (annotation is bool) != isinstance(value, bool):
            raise ValueError(
                "a flag takes only true or false"
                if annotation is bool
                else f"{'a whole number' if annotation is int else 'a number'}, not true or false"
            )
        # A whole number as a float is taken (500.0 clients), but past its type's exact range a
        # float is not the number meant: a 63-bit seed read back from a float column.
        if annotation is int and isinstance(value, float | np.floating):
            exact = 2 ** (np.finfo(type(value)).nmant + 1)
            if abs(value) > exact:
                # (a sweep's 63-bit seed taken from a row of its table: int() of it runs another
                # world, so the way to the real one is said)
                seed = (
                    " (a seed read from a row of a table, frame.iloc[i]['seed'], has lost its "
                    "last digits and int() of it is another seed: read the column, "
                    "frame['seed'].iloc[i], or rerun a sweep's run with "
                    "model.studies.sweep.replicate)"
                    if info.field_name == "seed"
                    else ""
                )
                raise ValueError(
                    f"a float holds whole numbers exactly only up to {exact:,}{seed}: pass an int"
                )
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise frozen_error(_section_name(type(self).__name__), name, value)

    def __delattr__(self, name: str) -> None:
        raise frozen_error(_section_name(type(self).__name__), name)


#: What :func:`frozen_error` is given for a parameter deleted rather than assigned.
_DELETED = object()


def frozen_error(section: str, name: str, value: Any = _DELETED) -> ScenarioError:
    """The error for a parameter assigned in place: scenarios are immutable (shared by runs,
    keyed by their values), and ``with_overrides`` makes the changed copy."""
    key = f"{section}.{name}" if section else name
    # (a step of the schedule, or a shock: not a section with_overrides reaches)
    top = {"schedule_step": "schedule", "shock": "shocks"}.get(section, key)
    given = "..." if value is _DELETED else shown(value)
    copy = {
        "name": f"scenario.named({given})",
        "description": f"scenario.named(scenario.name, {given})",
        "schedule": "Scenario.build({**scenario.to_toml_dict(), 'schedule': [...]})",
        "shocks": "scenario.with_shocks(...)",
    }.get(top, f"scenario.with_overrides({{{key!r}: {given}}})")
    return ScenarioError(
        f"{key}: a scenario cannot be changed in place (it is immutable); allowed: a changed "
        f"copy, scenario = {copy}"
    )


def _section_name(cls_name: str) -> str:
    """A section class's table name: ``WordOfMouth`` → ``word_of_mouth``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls_name).lower()


def shown(value: object) -> str:
    """``value`` as an error message shows it: its repr on one line, cut short where it would
    flood it (a list of a million numbers shows its first six, then its type and length; an
    integer of thousands of digits, how many), and never an error of its own."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"an integer of {math.floor(math.log10(abs(value))) + 1:,} digits"
    try:
        text = " ".join(line.strip() for line in _SHORT.repr(value).splitlines())
    except Exception:
        return f"a {type(value).__name__}"
    if "..." in text and isinstance(value, Sized) and not isinstance(value, str | bytes):
        shape = getattr(value, "shape", None)
        try:
            size = f"shape {tuple(shape)}" if shape is not None else f"length {len(value):,}"
        except (TypeError, OverflowError):  # (a 0-d array; a range too long for len)
            return text
        text += f" ({type(value).__name__}, {size})"
    return text


#: How :func:`shown` shortens: six items of a sequence, 60 characters of a string or of an object.
_SHORT = reprlib.Repr(
    maxlevel=2, maxtuple=6, maxlist=6, maxarray=6, maxdict=4, maxset=6, maxfrozenset=6,
    maxdeque=6, maxstring=60, maxlong=40, maxother=60,
)  # fmt: skip
