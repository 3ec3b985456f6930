"""Checks of the calibration functions' own arguments: the base scenario and the simulated fit's
settings, each taken as a notebook hands it over or refused with a :class:`CalibrationError`
that names it (not a ``TypeError`` from ``pathlib`` or a mapping taken silently)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

from model.scenario import Scenario, resolve
from model.scenario.arguments import shown
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.moments import MSMSettings

__all__ = ["base_scenario", "msm_settings"]


def base_scenario(base: Scenario | str | Path | None) -> Scenario:
    """The scenario a fit starts from: ``base`` itself, a scenario file's path or a preset's
    name, or the baseline for None."""
    if base is None:
        return Scenario()
    if isinstance(base, Scenario):
        return base
    if not isinstance(base, str | Path):
        raise CalibrationError(
            f"base: value {shown(base)} is not allowed; allowed: a Scenario, a preset's name or "
            "a scenario file's path (Scenario.build(sections) makes one of nested sections)"
        )
    try:
        return Scenario.from_toml(resolve(base))  # a file, else a preset of that name
    except UnicodeDecodeError:
        raise CalibrationError(f"base scenario {str(base)!r} is not UTF-8 text (TOML)") from None


def msm_settings(settings: MSMSettings | Mapping[str, object] | None) -> MSMSettings:
    """:class:`MSMSettings` from itself, a mapping of its fields (``{"clients": 2000}``), or
    its defaults for None."""
    if settings is None:
        return MSMSettings()
    if isinstance(settings, MSMSettings):
        return settings
    fields = [f.name for f in dataclasses.fields(MSMSettings)]
    if isinstance(settings, Mapping):
        unknown = sorted(map(str, set(settings) - set(fields)))
        if not unknown:
            return MSMSettings(**settings)  # (its own checks name a bad value)
        what = f"unknown {', '.join(map(repr, unknown))}"
    else:
        what = f"value {shown(settings)} is not allowed"
    raise CalibrationError(
        f"settings: {what}; allowed: an MSMSettings or a mapping of its fields "
        f"({', '.join(fields)})"
    )
