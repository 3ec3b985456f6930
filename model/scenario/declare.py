"""How a parameter is declared: default, unit, allowed range and a one-line source.

Every parameter of Retention Lab is a pydantic field made by :func:`param`, inside a
:class:`Section`; everything else (validation messages, ``--set``, the app's sliders, sweep specs,
results metadata) is generated from these declarations and never typed twice.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ScenarioError", "Section", "param"]


class ScenarioError(ValueError):
    """A scenario, override or file that cannot be used; the message names field, value and range."""


def param(
    default: Any,
    *,
    unit: str,
    source: str,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    lt: float | None = None,
) -> Any:
    """Declare one parameter: default, unit, allowed range and a one-line source or rationale."""
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        description=source,
        json_schema_extra={"unit": unit},
    )


class Section(BaseModel):
    """A section of the scenario: frozen, no unknown keys, defaults validated."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)
