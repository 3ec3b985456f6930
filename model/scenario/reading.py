"""Reading scenario input: TOML files, command-line values, and validation errors in one line each."""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.scenario.catalogue import PARAMS
from model.scenario.declare import ScenarioError, did_you_mean, shown
from model.scenario.schedule import ScheduleStep, Shock
from model.scenario.sections import SECTIONS
from model.scenario.sections.levers import level_hint

__all__ = ["MAX_BYTES", "MAX_DEPTH", "depth", "describe", "parse_value", "read_text", "read_toml"]


#: The largest input file read (bytes): scenario files, specs and targets are a few kilobytes.
MAX_BYTES = 10_000_000
#: The deepest nesting of tables and arrays an input file may have.
MAX_DEPTH = 32


def read_text(path: str | Path, what: str, error: type[Exception] = ScenarioError) -> str:
    """The UTF-8 text of a regular file of at most :data:`MAX_BYTES`; anything else raises ``error``.

    Devices (``/dev/zero``), FIFOs, sockets and folders are refused without reading them (a FIFO
    is opened non-blocking, so a pipe with no writer cannot hang the command).
    """
    path = Path(path)
    name = str(path)[:200]
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise error(f"{what} {name!r} does not exist") from None
    except IsADirectoryError:
        raise error(f"{what} {name!r} is a folder; allowed: a file") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise error(f"{what} {name!r} cannot be read: {exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a device, pipe or socket"
            raise error(f"{what} {name!r} is {kind}; allowed: a regular file")
        if info.st_size > MAX_BYTES:
            raise error(
                f"{what} {name!r} is {info.st_size:,} bytes; allowed: at most {MAX_BYTES:,} bytes"
            )
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise error(f"{what} {name!r} cannot be read: {exc}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        raise error(f"{what} {name!r} is over {MAX_BYTES:,} bytes; allowed: at most that")
    try:
        # (utf-8-sig: a byte-order mark, as Windows editors save UTF-8, is not part of the text)
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(
            f"{what} {name!r} is not UTF-8 text (byte {exc.start}); allowed: a UTF-8 TOML file"
        ) from None


def depth(value: Any) -> int:
    """How deeply tables and arrays nest in ``value`` (0 for a scalar), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        children = item.values() if isinstance(item, Mapping) else item
        if isinstance(item, Mapping | list | tuple):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:
                stack.extend((child, level + 1) for child in children)
    return deepest


def read_toml(
    path: str | Path, what: str, error: type[Exception] = ScenarioError
) -> tuple[dict[str, Any], str]:
    """Read a TOML file; a missing, unreadable, oversized or malformed file raises ``error``.

    Returns the parsed data and the text (for hashing). ``what`` names the file in the message,
    e.g. ``"scenario file"`` or ``"sweep spec"``. Tables and arrays nested deeper than
    :data:`MAX_DEPTH` are refused.
    """
    text = read_text(path, what, error)
    name = str(path)[:200]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {name!r} is not valid TOML: {exc}") from None
    except RecursionError:
        raise error(
            f"{what} {name!r}: nested too deeply; allowed: at most {MAX_DEPTH} levels"
        ) from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits
        raise error(f"{what} {name!r} is not valid TOML: {str(exc)[:200]}") from None
    if depth(data) > MAX_DEPTH:
        raise error(f"{what} {name!r}: nested too deeply; allowed: at most {MAX_DEPTH} levels")
    return data, text


def parse_value(raw: Any) -> Any:
    """Parse a command-line value as a TOML value when possible, else keep the string."""
    if not isinstance(raw, str):
        return raw
    if len(raw) > 1000:
        return raw  # no parameter's value is this long; the validator names it
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return raw
    return value if depth(value) <= MAX_DEPTH else raw


def describe(exc: ValidationError, origin: str, top_level: Iterable[str]) -> str:
    """One line per problem: ``field: value V is not allowed; allowed: RANGE (unit)``."""
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        key = ".".join(loc)
        info = PARAMS.get(".".join(loc[:2]))
        value = err.get("input")
        if isinstance(value, str) and len(value) > 60:
            value = value[:40] + "..."
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
            value = f"an integer of {len(str(abs(value)))} digits"
        if err["type"] == "extra_forbidden":
            section = loc[0] if len(loc) > 1 else None
            nested = {"schedule": ScheduleStep, "shocks": Shock, **SECTIONS}
            known = nested[section].model_fields if section in nested else top_level
            hint = did_you_mean(loc[-1], known)
            # (a table at the top is a section: "unknown parameter" sent people to its keys)
            table = isinstance(value, Mapping) or (  # (a [section] or an [[array]] of them)
                isinstance(value, list) and bool(value) and isinstance(value[0], Mapping)
            )
            what = "section" if section is None and table else "parameter"
            lines.append(f"{key}: unknown {what}{hint}; allowed: {', '.join(known)}")
        elif info is not None:
            hint = level_hint(value) if info.key == "levers.service_level" else ""
            if err["type"] == "value_error":  # a declared check's own reason
                hint += f" ({err['msg'].removeprefix('Value error, ')})"
            lines.append(
                f"{key}: value {shown(value)} is not allowed; allowed: {info.allowed_text()}{hint}"
            )
        elif err["type"] == "missing":
            lines.append(f"{key}: missing; this field is required")
        elif (allowed := _allowed(err, key, loc)) is not None:
            field = f"{key}: " if key else ""  # (a whole-scenario check: the origin says where)
            lines.append(f"{field}value {shown(value)} is not allowed; allowed: {allowed}")
        else:
            msg = err["msg"].removeprefix("Value error, ")
            said = "" if isinstance(value, Mapping) else f" (value {shown(value)})"
            lines.append(f"{key}: {msg}{said}" if key else f"{msg}{said}")
    return f"{origin}: " + "; ".join(lines)


#: What a field of no declared parameter (a schedule step's, a shock's, the scenario's own) allows,
#: by pydantic's error type: the bounds from the error's context, else the type's name.
_BOUNDS = {"greater_than_equal": ("ge", "≥"), "greater_than": ("gt", ">"),
           "less_than_equal": ("le", "≤"), "less_than": ("lt", "<")}  # fmt: skip
_TYPES = {
    "int_parsing": "an integer", "int_type": "an integer", "int_from_float": "an integer",
    "float_parsing": "a number", "float_type": "a number", "string_type": "a string",
    "bool_parsing": "true or false", "bool_type": "true or false",
    "tuple_type": "a list",
    "list_type": "a list", "dict_type": "a table", "model_type": "a table of its fields",
}  # fmt: skip


def _allowed(err: Mapping[str, Any], key: str, loc: list[str]) -> str | None:
    """The allowed values of a pydantic error at ``key`` as this module words them, or None if
    unknown."""
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind == "tuple_type" and key in ("schedule", "shocks"):
        return f"a list of tables (in a file, [[{key}]] entries)"
    if kind in _BOUNDS:
        whole = _range(loc)  # both bounds of a schedule step's or a shock's field, not one
        if whole is not None:
            return whole
        name, sign = _BOUNDS[kind]
        return f"x {sign} {ctx[name]}" if name in ctx else None
    if kind == "literal_error" and "expected" in ctx:
        return f"one of {ctx['expected']}"
    return _TYPES.get(kind)


def _range(loc: list[str]) -> str | None:
    """``1 ≤ x ≤ 1200``: the declared bounds of a schedule step's or a shock's field at ``loc``
    (``["schedule", "0", "month"]``), or None for any other field."""
    model = {"schedule": ScheduleStep, "shocks": Shock}.get(loc[0]) if len(loc) == 3 else None
    field = model.model_fields.get(loc[2]) if model is not None else None
    if field is None:
        return None
    low = high = ""
    for bound in field.metadata:
        for name, sign in (("ge", "≤"), ("gt", "<")):
            if getattr(bound, name, None) is not None:
                low = f"{getattr(bound, name)} {sign} "
        for name, sign in (("le", "≤"), ("lt", "<")):
            if getattr(bound, name, None) is not None:
                high = f" {sign} {getattr(bound, name)}"
    return f"{low}x{high}" if low or high else None
