"""What is declared about each parameter, as data: :data:`PARAMS` and :func:`parameter_table`.

Used by the command line (``retention params``, ``--set`` messages), the app's sliders, sweep specs
and the metadata saved beside results.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from model.scenario.sections import SECTIONS

__all__ = ["PARAMS", "ParamInfo", "iter_params", "parameter_table"]


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
            yield ParamInfo(
                key=f"{section}.{name}",
                default=field.default,
                unit=str(extra.get("unit", "-")),
                lower=lower,
                upper=upper,
                lower_open=lower_open,
                upper_open=upper_open,
                source=field.description or "",
                kind=field.annotation,  # type: ignore[arg-type]
            )


PARAMS: dict[str, ParamInfo] = {p.key: p for p in iter_params()}


def parameter_table() -> list[dict[str, Any]]:
    """Rows (key, default, unit, allowed, source) for documentation and results metadata."""
    return [
        {
            "key": p.key,
            "default": p.default,
            "unit": p.unit,
            "allowed": p.allowed(),
            "source": p.source,
        }
        for p in PARAMS.values()
    ]
