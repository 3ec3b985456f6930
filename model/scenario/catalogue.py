"""What is declared about each parameter, as data: :data:`PARAMS` and :func:`parameter_table`.

Used by the command line (``retention params``, ``--set`` messages), the app's sliders, sweep specs,
the metadata saved beside results, and the claim studies, which draw worlds from
:func:`uncertainties` and leave :func:`by_role` ``"lever"`` to the firm.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from model.scenario.declare import Role, Scale
from model.scenario.sections import SECTIONS

__all__ = [
    "PARAMS",
    "ParamInfo",
    "by_role",
    "default_role",
    "iter_params",
    "parameter_table",
    "uncertainties",
]

#: Sections whose parameters the firm chooses, and those that only set up the run.
_LEVER_SECTIONS = ("levers", "targeting")
_SETTING_KEYS = ("run.", "market.clients")


def default_role(key: str) -> Role:
    """The role of a parameter declared without one: decided by its section.

    ``levers.*`` and ``targeting.*`` are levers; ``run.*`` and ``market.clients`` are settings;
    everything else is an uncertainty (the world decides it).
    """
    section = key.split(".", 1)[0]
    if section in _LEVER_SECTIONS:
        return "lever"
    if key.startswith(_SETTING_KEYS[0]) or key == _SETTING_KEYS[1]:
        return "setting"
    return "uncertainty"


@dataclass(frozen=True)
class ParamInfo:
    """What is declared about one parameter: used by the CLI, the app and results metadata."""

    key: str
    default: Any
    unit: str
    lower: float | None
    upper: float | None
    lower_open: bool
    upper_open: bool
    source: str
    kind: type
    role: Role = "uncertainty"
    plausible: tuple[float, float] | tuple[str, ...] | None = None
    scale: Scale = "linear"
    plausible_source: str = ""

    def plausible_text(self) -> str:
        """The plausible range in words (``0.01 – 0.05``, ``one of 'a', 'b'``) or ``""``."""
        if self.plausible is None:
            return ""
        if self._categorical():  # a structural uncertainty
            return " | ".join(str(v).lower() if isinstance(v, bool) else v for v in self.plausible)
        lo, hi = self.plausible
        return f"{_num(lo)} – {_num(hi)}" + (" (log)" if self.scale == "log" else "")

    def is_plausible(self, value: Any) -> bool:
        """Whether ``value`` lies in the plausible range a claim study's worlds draw (ends
        included; one of the alternatives of a categorical uncertainty); True where no range is
        declared (a lever, a setting, an uncertainty the worlds hold at the firm's value)."""
        if self.plausible is None:
            return True
        if self._categorical():
            return value in self.plausible
        lo, hi = self.plausible
        return bool(lo <= value <= hi)

    def _categorical(self) -> bool:
        return any(isinstance(v, str | bool) for v in self.plausible or ())

    def allowed(self) -> str:
        """The allowed range in words, e.g. ``0 ≤ x ≤ 1``."""
        if self.kind is bool:
            return "true or false"
        args = getattr(self.kind, "__args__", None)
        if args and all(isinstance(a, str) for a in args):
            return "one of " + ", ".join(repr(a) for a in args)
        lo = "" if self.lower is None else f"{_num(self.lower)} {'<' if self.lower_open else '≤'} "
        hi = "" if self.upper is None else f" {'<' if self.upper_open else '≤'} {_num(self.upper)}"
        if not lo and not hi:
            return "any value"
        return f"{lo}x{hi}"

    def allowed_text(self) -> str:
        """What an error says is allowed: :meth:`allowed`, "an integer, " first for a whole
        number (2.5 clients: say why not) and the unit after (none for a unitless one: "-")."""
        whole = "an integer, " if self.kind is int else ""
        unit = "" if self.unit == "-" else f" ({self.unit})"
        return f"{whole}{self.allowed()}{unit}"


def _num(x: float) -> str:
    return f"{x:g}" if isinstance(x, float) and not math.isinf(x) else str(x)


def iter_params() -> Iterator[ParamInfo]:
    """Every declared parameter, in declaration order."""
    for section, cls in SECTIONS.items():
        for name, field in cls.model_fields.items():
            lower = upper = None
            lower_open = upper_open = False
            for meta in field.metadata:
                if getattr(meta, "ge", None) is not None:
                    lower = meta.ge
                if getattr(meta, "gt", None) is not None:
                    lower, lower_open = meta.gt, True
                if getattr(meta, "le", None) is not None:
                    upper = meta.le
                if getattr(meta, "lt", None) is not None:
                    upper, upper_open = meta.lt, True
            extra = field.json_schema_extra or {}
            key = f"{section}.{name}"
            plausible = extra.get("plausible")
            yield ParamInfo(
                key=key,
                default=field.default,
                unit=str(extra.get("unit", "-")),
                lower=lower,
                upper=upper,
                lower_open=lower_open,
                upper_open=upper_open,
                source=field.description or "",
                kind=field.annotation,  # type: ignore[arg-type]
                role=extra.get("role") or default_role(key),  # type: ignore[arg-type]
                plausible=None if plausible is None else tuple(plausible),  # type: ignore[arg-type]
                scale=extra.get("scale", "linear"),  # type: ignore[arg-type]
                plausible_source=str(extra.get("plausible_source", "")),
            )


PARAMS: dict[str, ParamInfo] = {p.key: p for p in iter_params()}


def by_role(role: Role) -> dict[str, ParamInfo]:
    """The parameters of one role (``"lever"``, ``"uncertainty"`` or ``"setting"``), by key."""
    if role not in ("lever", "uncertainty", "setting"):
        raise ValueError(f"role {role!r}: allowed: 'lever', 'uncertainty', 'setting'")
    return {k: p for k, p in PARAMS.items() if p.role == role}


def uncertainties() -> dict[str, ParamInfo]:
    """The uncertainties that declare a plausible range: what a world draws, by key."""
    return {k: p for k, p in PARAMS.items() if p.role == "uncertainty" and p.plausible is not None}


def parameter_table() -> list[dict[str, Any]]:
    """Rows (key, default, unit, allowed, role, plausible, source) for docs and results metadata."""
    return [
        {
            "key": p.key,
            "default": p.default,
            "unit": p.unit,
            "allowed": p.allowed(),
            "role": p.role,
            "plausible": p.plausible_text(),
            "plausible_source": p.plausible_source,
            "source": p.source,
        }
        for p in PARAMS.values()
    ]
