"""The ``[design]`` table of a sweep spec: which design, how large, and the keys each kind uses.

A bad table raises the error ``fail`` makes (:class:`~model.studies.sweep.spec.SweepError`, from
:func:`~model.studies.sweep.parsing.parse_spec`), naming the field, the value and what is
allowed; a key the design does not use is refused rather than ignored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from model.scenario.arguments import is_whole
from model.studies.sweep.spec import DESIGNS, DesignSpec

__all__ = ["design_table"]


def design_table(raw: Any, fail: Callable[[str], Exception]) -> DesignSpec:
    """A spec's ``[design]`` table read and checked: its kind, its size and the keys only some
    kinds use (``levels``: Morris; ``second_order``: Sobol'); ``fail`` makes the error."""
    if not isinstance(raw, Mapping):
        raise fail(f"design: value {raw!r} is not allowed; allowed: a table with kind = ...")
    unknown = sorted(set(raw) - {"kind", "samples", "levels", "second_order"})
    if unknown:
        raise fail(
            f"design.{unknown[0]}: unknown key; allowed: kind, samples, levels, second_order"
        )
    kind = raw.get("kind", "grid")
    if kind not in DESIGNS:
        raise fail(f"design.kind: value {kind!r} is not allowed; allowed: {', '.join(DESIGNS)}")
    samples = raw.get("samples")
    if kind == "grid":
        if samples is not None:
            raise fail(
                "design.samples: not used by a grid (its size is the product of the value lists); "
                "remove it or choose kind = lhs, sobol or morris"
            )
    else:
        what = {
            "lhs": "the number of points",
            "sobol": "its base size N (runs N(2D+2))",
            "morris": "the number of trajectories (runs r(D+1))",
        }[kind]
        if samples is None:
            raise fail(f"design.samples: missing; {kind} needs {what}: an integer ≥ 2")
        if not is_whole(samples) or samples < 2:
            raise fail(
                f"design.samples: value {samples!r} is not allowed; {kind} needs {what}: an "
                "integer ≥ 2"
            )
        samples = int(samples)  # (bit_length, JSON: a plain int)
        if kind == "sobol" and samples & (samples - 1):
            raise fail(
                f"design.samples: value {samples} is not allowed; Sobol' sequences need a power "
                f"of 2 (e.g. {1 << (samples.bit_length() - 1)} or {1 << samples.bit_length()})"
            )
    for key, used_by in (("levels", "morris"), ("second_order", "sobol")):
        if key in raw and kind != used_by:  # (accepted and ignored, it read as in effect)
            raise fail(
                f"design.{key}: not used by a {kind} design (only {used_by}'s); remove it or "
                f"choose kind = {used_by}"
            )
    levels = raw.get("levels", 4)
    if kind == "morris" and (not is_whole(levels) or levels < 2 or levels % 2):
        raise fail(f"design.levels: value {levels!r} is not allowed; allowed: an even integer ≥ 2")
    second = raw.get("second_order", True)
    if not isinstance(second, bool):
        raise fail(f"design.second_order: value {second!r} is not allowed; allowed: true or false")
    return DesignSpec(kind=kind, samples=samples, levels=int(levels), second_order=second)
