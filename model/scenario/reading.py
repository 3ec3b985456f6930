"""Reading scenario input: TOML files, command-line values, and validation errors in one line each."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.scenario.catalogue import PARAMS
from model.scenario.declare import ScenarioError
from model.scenario.schedule import ScheduleStep, Shock
from model.scenario.sections import SECTIONS

__all__ = ["describe", "parse_value", "read_toml"]


def read_toml(
    path: str | Path, what: str, error: type[Exception] = ScenarioError
) -> tuple[dict[str, Any], str]:
    """Read a TOML file; a missing, unreadable or malformed file raises ``error`` in one line.

    Returns the parsed data and the text (for hashing). ``what`` names the file in the message,
    e.g. ``"scenario file"`` or ``"sweep spec"``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{what} {str(path)!r} does not exist") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {str(path)!r} is not UTF-8 text (byte {exc.start}); allowed: a UTF-8 TOML file"
        ) from None
    except OSError as exc:
        raise error(f"{what} {str(path)!r} cannot be read: {exc}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {str(path)!r} is not valid TOML: {exc}") from None


def parse_value(raw: Any) -> Any:
    """Parse a command-line value as a TOML value when possible, else keep the string."""
    if not isinstance(raw, str):
        return raw
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def describe(exc: ValidationError, origin: str, top_level: Iterable[str]) -> str:
    """One line per problem: ``field: value V is not allowed; allowed: RANGE (unit)``."""
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc)
        info = PARAMS.get(".".join(loc[:2]))
        value = err.get("input")
        if err["type"] == "extra_forbidden":
            section = loc[0] if len(loc) > 1 else None
            nested = {"schedule": ScheduleStep, "shocks": Shock, **SECTIONS}
            known = nested[section].model_fields if section in nested else top_level
            lines.append(f"{key}: unknown parameter; allowed: {', '.join(known)}")
        elif info is not None:
            lines.append(
                f"{key}: value {value!r} is not allowed; allowed: {info.allowed()} ({info.unit})"
            )
        else:
            msg = err["msg"].removeprefix("Value error, ")
            shown = "" if isinstance(value, Mapping) else f" (value {value!r})"
            lines.append(f"{key or origin}: {msg}{shown}")
    return f"{origin}: " + "; ".join(lines)
