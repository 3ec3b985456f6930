"""The scenario: every parameter of Retention Lab, declared once.

Each parameter is a pydantic field built by :func:`param`, which records its default, unit,
allowed range and a one-line source or rationale. Everything else — validation messages, the
command line's ``--set section.name=value``, the app's sliders, sweep specs and the metadata saved
beside results — is generated from these declarations and never typed twice.

A :class:`Scenario` is immutable. Build one in Python (``Scenario()``,
``Scenario.preset("delighter")``, ``Scenario.from_toml(path)``,
``scenario.with_overrides({"levers.service_level": "wow"})``) or from a TOML file whose tables are
the sections below. Bad input raises :class:`ScenarioError`, whose message names the field, the
value and what is allowed.

The layer's modules: :mod:`~model.scenario.declare` (how a parameter is declared),
:mod:`~model.scenario.sections` (one module per section), :mod:`~model.scenario.schedule`
(schedules and shocks), :mod:`~model.scenario.catalogue` (the declarations as data),
:mod:`~model.scenario.reading` (files, values and error messages),
:mod:`~model.scenario.presets` (the shipped presets, by name) and
:mod:`~model.scenario.scenario` (the whole scenario).
"""

from __future__ import annotations

from model.scenario.catalogue import (
    PARAMS,
    ParamInfo,
    by_role,
    iter_params,
    parameter_table,
    uncertainties,
)
from model.scenario.declare import ScenarioError, Section, param
from model.scenario.presets import Preset, copy_preset, list_presets, preset_path, resolve
from model.scenario.reading import parse_value, read_toml
from model.scenario.scenario import Scenario
from model.scenario.schedule import ScheduleStep, Shock
from model.scenario.sections import (
    SECTIONS,
    SERVICE_LEVELS,
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

__all__ = [
    "PARAMS",
    "SECTIONS",
    "SERVICE_LEVELS",
    "Attract",
    "Economics",
    "Innovation",
    "Levers",
    "LoyaltyEconomics",
    "Market",
    "ParamInfo",
    "Preset",
    "Retain",
    "Run",
    "Satisfaction",
    "Scenario",
    "ScenarioError",
    "ScheduleStep",
    "Section",
    "Service",
    "Shock",
    "Staff",
    "Targeting",
    "WinBack",
    "WordOfMouth",
    "by_role",
    "copy_preset",
    "iter_params",
    "list_presets",
    "param",
    "parameter_table",
    "parse_value",
    "preset_path",
    "read_toml",
    "resolve",
    "uncertainties",
]
