"""A complete, validated, immutable scenario: every section, the schedule and the shocks."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from model.scenario.catalogue import PARAMS
from model.scenario.declare import ScenarioError, did_you_mean, frozen_error, shown
from model.scenario.presets import preset_path
from model.scenario.reading import describe, parse_value, read_toml
from model.scenario.schedule import ScheduleStep, Shock
from model.scenario.sections import (
    SECTIONS,
    Attract,
    Economics,
    Innovation,
    Levers,
    LoyaltyEconomics,
    Market,
    Retain,
    Run,
    Satisfaction,
    Service,
    Staff,
    Targeting,
    WinBack,
    WordOfMouth,
)

__all__ = ["Scenario"]


def _did_you_mean(word: str, candidates: list[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate (difflib), or ``""``.

    A name declared in another section wins (``innovation.rd_share`` → ``levers.rd_share``).
    """
    bare = word.rpartition(".")[2]
    same = [c for c in candidates if c.rpartition(".")[2] == bare and "." in word]
    return f"; did you mean {same[0]!r}?" if same else did_you_mean(word, candidates)


def _no_quoted_numbers(data: Mapping[str, Any], origin: str) -> None:
    """Refuse a number, or true/false, written in quotes in a scenario file (``months = "6"``):
    validation would take it as the number silently, where a file's value of the wrong type
    is an error. ``service_level`` takes its level names as strings, and is left to its own
    check."""
    tables = [
        (name, data[name], SECTIONS[name].model_fields)
        for name in SECTIONS
        if isinstance(data.get(name), Mapping)
    ]
    # The schedule's steps and the shocks too: their own fields (a step's month, a shock's start,
    # months and size) and the levers a step sets.
    for key, model in (("schedule", ScheduleStep), ("shocks", Shock)):
        items = data.get(key)
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, Mapping):
                tables.append((f"{key}.{i}", item, model.model_fields))
                if key == "schedule" and isinstance(item.get("set"), Mapping):
                    tables.append(
                        (f"schedule.{i}.set", item["set"], SECTIONS["levers"].model_fields)
                    )
    for where, values, fields in tables:
        for name, value in values.items():
            # (A step may name a lever with its section, as validation accepts: levers.ad_budget.)
            key = (
                name.removeprefix("levers.") if isinstance(name, str) and ".set" in where else name
            )
            field = fields.get(key) if isinstance(key, str) else None
            kind = field.annotation if field is not None else None
            if isinstance(value, str) and kind in (int, float, bool) and key != "service_level":
                what = "true or false" if kind is bool else "a number"
                example = {bool: "true", int: 12, float: 0.5}[kind]
                raise ScenarioError(
                    f"{origin}: {where}.{name}: value {value!r:.40} is not allowed; allowed: "
                    f"{what}, written without quotes (e.g. {name} = "
                    f"{example if field.is_required() or kind is bool else field.default})"
                )


def _flat(items: Iterable[tuple[Any, Any]]) -> Iterator[tuple[Any, Any]]:
    """Overrides as ``("section.name", value)`` pairs: a section given whole (``"levers": {...}``,
    as a scenario file nests it) yields one pair per parameter; every other pair as given."""
    for key, raw in items:
        if not (isinstance(key, str) and key in SECTIONS):
            yield key, raw
        elif isinstance(raw, Mapping):
            for name, value in raw.items():
                yield (f"{key}.{name}" if isinstance(name, str) else name), value
        else:
            first = next(iter(SECTIONS[key].model_fields))
            raise ScenarioError(
                f"{key}: value {raw!r:.60} is not allowed; {key} is a section: allowed: a mapping "
                f"of its parameters, e.g. {{{key!r}: {{{first!r}: ...}}}}, or {key + '.' + first!r}"
            )


def _all_keys() -> list[str]:
    return [f"{s}.{n}" for s, cls in SECTIONS.items() for n in cls.model_fields]


class _Described(type(BaseModel)):
    """Pydantic's model metaclass, but a direct call (``Scenario(levers={...})``) raises
    :class:`ScenarioError` in the declared wording, as :meth:`Scenario.build` does. (An
    ``__init__`` of the model's own would also run inside pydantic's validation, wrapping the
    error twice, and slow every validation.)"""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except ValidationError as exc:
            raise ScenarioError(describe(exc, cls.__name__, cls.model_fields)) from None


class Scenario(BaseModel, metaclass=_Described):
    """A complete, validated, immutable scenario.

    Examples
    --------
    >>> s = Scenario().with_overrides({"levers.service_level": "wow", "market.clients": 2000})
    >>> s.levers.service_level, s.market.clients
    (0.9, 2000)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __repr__(self) -> str:
        """One line: the name, size, seed, how far from the declared defaults and what its
        schedule holds (pydantic's repr printed every parameter: 3,000 characters;
        :meth:`flat` lists them)."""
        changed = sum(
            v != d for v, d in zip(self.flat().values(), _defaults().values(), strict=True)
        )
        return (
            f"Scenario({self.name!r}, {self.market.clients:,} people x {self.run.months} months, "
            f"seed {self.run.seed}; {changed} parameter{'s' * (changed != 1)} not at "
            f"{'its default' if changed == 1 else 'their defaults'}, "
            f"{len(self.schedule)} schedule step{'s' * (len(self.schedule) != 1)}, "
            f"{len(self.shocks)} shock{'s' * (len(self.shocks) != 1)})"
        )

    __str__ = __repr__

    def __setattr__(self, name: str, value: Any) -> None:
        raise frozen_error("", name, value)

    def __delattr__(self, name: str) -> None:
        raise frozen_error("", name)

    name: str = "baseline"
    description: str = ""
    run: Run = Run()
    market: Market = Market()
    levers: Levers = Levers()
    targeting: Targeting = Targeting()
    service: Service = Service()
    satisfaction: Satisfaction = Satisfaction()
    retain: Retain = Retain()
    loyalty_economics: LoyaltyEconomics = LoyaltyEconomics()
    attract: Attract = Attract()
    word_of_mouth: WordOfMouth = WordOfMouth()
    win_back: WinBack = WinBack()
    staff: Staff = Staff()
    innovation: Innovation = Innovation()
    economics: Economics = Economics()
    schedule: tuple[ScheduleStep, ...] = ()
    shocks: tuple[Shock, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        s = self.satisfaction
        if s.detractor_threshold > s.promoter_threshold:
            raise ValueError(
                "satisfaction.detractor_threshold must not exceed satisfaction.promoter_threshold "
                f"({s.detractor_threshold} > {s.promoter_threshold})"
            )
        for step in self.schedule:
            Levers(**{**self.levers.model_dump(), **step.set})  # each scheduled value validated
        return self

    # ---------------------------------------------------------------------------- construction
    @classmethod
    def build(cls, data: Mapping[str, Any] | None = None, *, origin: str = "scenario") -> Scenario:
        """Validate a nested mapping (as read from TOML) into a scenario, or raise ScenarioError."""
        try:
            return cls.model_validate(dict(data or {}))
        except ValidationError as exc:
            raise ScenarioError(describe(exc, origin, cls.model_fields)) from None

    @classmethod
    def from_toml(cls, path: str | Path) -> Scenario:
        """Load a scenario file; unknown keys, bad types and out-of-range values are errors."""
        if not isinstance(path, str | os.PathLike):
            raise ScenarioError(
                f"path: value {path!r:.60} is not allowed; allowed: a scenario file's path "
                "(a str or a Path)"
            )
        path = Path(path)
        data, _ = read_toml(path, "scenario file")
        data.setdefault("name", path.stem)
        _no_quoted_numbers(data, str(path))
        return cls.build(data, origin=str(path))

    @classmethod
    def preset(cls, name: str) -> Scenario:
        """Load a shipped preset by name: ``"delighter"``, ``"industries/software"``, ``"baseline"``.

        ``retention presets`` (or :func:`model.scenario.presets.list_presets`) lists them.

        Examples
        --------
        >>> Scenario.preset("delighter").levers.service_level
        0.9
        """
        return cls.from_toml(preset_path(name))

    def with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        """Return a copy with ``{"section.name": value}`` overrides applied and validated.

        A section may also be given whole, as a scenario file nests it:
        ``{"levers": {"service_level": 0.9}}`` is ``{"levers.service_level": 0.9}``.
        String values are parsed as TOML values when they look like one (``"0.3"`` → 0.3,
        ``"true"`` → True) and kept as strings otherwise (``"wow"``).

        Examples
        --------
        >>> a = Scenario().with_overrides({"levers": {"service_level": 0.9}})
        >>> a == Scenario().with_overrides({"levers.service_level": 0.9})
        True
        """
        if not callable(getattr(overrides, "items", None)):  # (a dict, a pandas row…)
            raise ScenarioError(
                f"overrides: value of type {type(overrides).__name__} is not allowed; allowed: a "
                'mapping of "section.name" to value, e.g. {"levers.service_level": "wow"}'
            )
        data = self.model_dump()
        seen: set[str] = set()
        for key, raw in _flat(overrides.items()):
            if key in seen:  # (given as "section.name" and in a section's mapping too)
                raise ScenarioError(
                    f"{key}: given twice; allowed: each parameter once (as 'section.name' or "
                    "inside its section's mapping, not both)"
                )
            seen.add(key)
            if not isinstance(key, str):
                raise ScenarioError(
                    f"override key {key!r} is not allowed; allowed: a string 'section.name', "
                    "e.g. 'levers.service_level'"
                )
            section, _, name = key.partition(".")
            if section not in SECTIONS or not name:
                what = "unknown parameter" if not name else f"unknown section {section!r}"
                if name and section in Scenario.model_fields:  # (schedule, shocks, name)
                    what = f"{section!r} is not a section an override sets (edit the file)"
                raise ScenarioError(
                    f"{key}: {what}{_did_you_mean(key, _all_keys())}; use section.name "
                    f"with a section among {', '.join(SECTIONS)}"
                )
            if name not in SECTIONS[section].model_fields:
                raise ScenarioError(
                    f"{key}: unknown parameter{_did_you_mean(key, _all_keys())}; {section} has "
                    f"{', '.join(SECTIONS[section].model_fields)}"
                )
            data[section][name] = parse_value(raw)
        try:
            return Scenario.build(data, origin="override")
        except ScenarioError as exc:
            raise ScenarioError(str(exc)) from None

    def with_seed(self, seed: int) -> Scenario:
        """Return a copy with ``run.seed = seed``: :meth:`with_overrides` of that key, at a tenth
        of the cost (only the run section is validated again; every other section is shared).

        A model built with ``rng=`` records its seed this way, once per run of a study.
        A seed out of range raises :meth:`with_overrides`' error.

        Examples
        --------
        >>> Scenario().with_seed(7) == Scenario().with_overrides({"run.seed": 7})
        True
        """
        try:
            run = Run.model_validate({**self.run.model_dump(), "seed": seed})
        except ValidationError:
            return self.with_overrides({"run.seed": seed})  # raises the scenario's own message
        return self.model_copy(update={"run": run})

    def with_shocks(
        self, *shocks: Mapping[str, Any] | Sequence[Mapping[str, Any]], origin: str = "scenario"
    ) -> Scenario:
        """Return a copy with ``shocks`` added after its own, each as a scenario file's
        ``[[shocks]]`` entry (:class:`~model.scenario.schedule.Shock`'s fields), validated.
        A list (or tuple) of such entries counts as its entries; another scenario's shocks
        (``other.shocks``) are taken as they are.

        Raises
        ------
        ScenarioError
            A shock's field out of its range, named as ``shocks.N.field`` in ``origin``; a
            shock that is not a mapping.

        Examples
        --------
        >>> from model.scenario.schedule import raid
        >>> s = Scenario().with_shocks(raid(12, 0.1, permanent=True))
        >>> s.shocks[-1].kind, s.shocks[-1].start, s.shocks[-1].permanent
        ('poaching', 12, True)
        """
        given = [
            one
            for shock in shocks
            for one in (shock if isinstance(shock, list | tuple) else [shock])
        ]
        # (another scenario's shocks are models: ``with_shocks(*other.shocks)`` copies them)
        given = [one.model_dump() if isinstance(one, BaseModel) else one for one in given]
        for shock in given:
            if not isinstance(shock, Mapping):
                raise ScenarioError(
                    f"shocks: value {shock!r:.60} is not allowed; allowed: shocks as mappings "
                    "of a [[shocks]] entry's fields, e.g. with_shocks(raid(12, 0.1))"
                )
        data = self.model_dump()
        data["shocks"] = [*data["shocks"], *(dict(shock) for shock in given)]
        return Scenario.build(data, origin=origin)

    def named(self, name: str, description: str | None = None) -> Scenario:
        """Return a copy called ``name`` (and described so, if given): how a study's tables and
        figures label it. (:meth:`with_overrides` sets parameters, and ``model_copy`` would skip
        the checks.)

        Examples
        --------
        >>> Scenario().with_overrides({"levers.service_level": "wow"}).named("wow").name
        'wow'
        """
        for field_name, value in (("name", name), ("description", description)):
            if value is not None and not isinstance(value, str):
                raise ScenarioError(
                    f"{field_name}: value {value!r:.60} is not allowed; allowed: a string"
                )
        if not name.strip():
            raise ScenarioError("name: value '' is not allowed; allowed: a name that is not blank")
        update = (
            {"name": name} if description is None else {"name": name, "description": description}
        )
        return self.model_copy(update=update)

    def to_toml_dict(self) -> dict[str, Any]:
        """The scenario as plain data (JSON/TOML-ready), exactly as it will run."""
        return self.model_dump(mode="json")

    def flat(self) -> dict[str, Any]:
        """``{"section.name": value}`` for every declared parameter."""
        return {
            f"{section}.{name}": getattr(getattr(self, section), name)
            for section, cls in SECTIONS.items()
            for name in cls.model_fields
        }

    def after_horizon(self) -> list[str]:
        """Each schedule step and shock that starts after ``run.months`` (it changes nothing:
        often a horizon shortened for a quick run, sometimes a typo), in words.

        Examples
        --------
        >>> Scenario.build({"run": {"months": 12}, "schedule": [{"month": 24,
        ...     "set": {"service_level": 0.9}}]}).after_horizon()
        ['schedule step at month 24']
        """
        months = self.run.months
        late = [f"schedule step at month {s.month}" for s in self.schedule if s.month > months]
        return late + [
            f"{k.kind} shock at month {k.start}" for k in self.shocks if k.start > months
        ]

    def outside_plausible(self) -> list[str]:
        """Each uncertainty whose value lies outside the plausible range a claim study's worlds
        draw it from, in words: the value, its unit, the range and the range's source.

        Such a value is allowed (it lies in the allowed range, or validation would refuse it) and
        may be the firm's own — an industry's onboarding cost, a calibrated churn — but no world
        of a claim study has it, so a study's verdict does not speak for it (``retention
        experiment NAME --world FILE`` measures the claim there), and a value far outside may be
        in another unit than the one meant (an annual churn typed into a monthly one). Each
        range's source: ``retention params``.

        Examples
        --------
        >>> Scenario().outside_plausible()
        []
        >>> Scenario().with_overrides({"retain.base_churn": 0.25}).outside_plausible()[0][:61]
        'retain.base_churn = 0.25 (1/month) lies outside the plausible'
        """
        values = self.flat()
        return [
            f"{key} = {shown(values[key])}{'' if p.unit == '-' else f' ({p.unit})'} lies outside "
            f"the plausible range a claim study draws, {p.plausible_text().removesuffix(' (log)')}"
            for key, p in PARAMS.items()
            if not p.is_plausible(values[key])
        ]


@functools.cache
def _defaults() -> dict[str, Any]:
    """Every declared parameter's default (:meth:`Scenario.flat` of ``Scenario()``)."""
    return Scenario().flat()
