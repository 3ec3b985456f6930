"""A sweep spec's tables read as parameters, before any value is built or checked.

TOML holds ``levers.ad_budget = …`` (dotted) and ``"levers.ad_budget" = …`` (quoted) as two
keys; :func:`flatten_keys` reads both as the one ``section.name`` parameter and refuses it given
twice. :func:`grid_size_check` counts a grid's runs from its lists and ranges alone, so that a
grid too large to run is refused at once rather than after its values are built one by one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from model.scenario import PARAMS
from model.scenario.arguments import is_number, is_whole
from model.studies.sweep.spec import MAX_RUNS

__all__ = ["RANGE_KEYS", "flatten_keys", "grid_size_check"]

#: The keys of a parameter's table in ``[parameters]``.
RANGE_KEYS = frozenset({"values", "low", "high", "levels"})


def flatten_keys(
    table: Mapping[str, Any], where: str, fail, prefix: str = "", out: dict | None = None
) -> dict[str, Any]:
    """``{"levers": {"ad_budget": [...]}}`` (unquoted dotted TOML keys) -> ``{"levers.ad_budget": ...}``.

    TOML holds ``levers.ad_budget = …`` and ``"levers.ad_budget" = …`` as two keys, both one
    parameter here: a parameter given twice is refused (``where``: the table, for the message;
    ``fail``: makes the spec's error from it), as ``--set`` refuses one, not one of its values
    dropped without a word. ``prefix`` and ``out`` carry the recursion into sections' tables.
    """
    out = {} if out is None else out
    for key, value in table.items():
        full = f"{prefix}{key}"
        # A section's table goes one level down; a declared parameter's table is its values
        # or range (checked by _parameter: a misspelt key there is named, not taken for a
        # parameter of its own).
        if isinstance(value, Mapping) and full not in PARAMS and not (set(value) <= RANGE_KEYS):
            flatten_keys(value, where, fail, full + ".", out)
        elif full in out:
            raise fail(
                f"{where}: {full} is given twice ({out[full]!r:.40} and {value!r:.40}); allowed: "
                'each parameter once (a quoted "section.name" key and a dotted one are the same)'
            )
        else:
            out[full] = value
    return out


def grid_size_check(raws: Mapping[str, Any], replications: int, fail) -> None:
    """Refuse a grid whose runs, counted from its lists' lengths and ranges' ``levels`` before
    any value is built and checked, are more than allowed (an integer range holds no more
    levels than integers; anything malformed is left to :func:`model.studies.sweep.parsing._parameter` to name)."""
    points = 1
    for key, raw in raws.items():
        count = len(raw) if isinstance(raw, list) else 1
        if isinstance(raw, Mapping) and is_whole(raw.get("levels")):
            count = int(raw["levels"])
            low, high = raw.get("low"), raw.get("high")
            info = PARAMS.get(key)
            bounded = is_number(low) and is_number(high) and math.isfinite(low + high)
            if info is not None and info.kind is int and bounded:
                count = min(count, max(math.floor(high) - math.ceil(low) + 1, 1))
        points *= max(count, 1)
    if points * replications > MAX_RUNS:
        raise fail(
            f"the design needs {points:,} points x {replications} replications = "
            f"{points * replications:,} runs; allowed: at most {MAX_RUNS:,}"
        )
