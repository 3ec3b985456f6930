"""What differs between the spec a store was written for and the spec given now, in words."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from model.studies.sweep.spec import SweepSpec

__all__ = ["differs_beyond_replications", "spec_changes", "stored_batch_size"]


def spec_changes(store: Path, spec: SweepSpec, most: int = 3) -> str:
    """``: replications 10 → 12, …``: what differs between the stored spec.json and ``spec``,
    by flattened key (at most ``most``; "" if spec.json cannot be read)."""
    pair = _compared(store, spec)
    if pair is None:
        return ""
    before, after = map(_flat, pair)
    keys = [k for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k)]
    shown = [f"{k} {_brief(before.get(k))} → {_brief(after.get(k))}" for k in keys[:most]]
    more = f", and {len(keys) - most} more" if len(keys) > most else ""
    return f": {', '.join(shown)}{more}" if shown else ""


def _flat(data: Any, prefix: str = "") -> dict[str, Any]:
    """A JSON tree as ``{"a.b": leaf}``; a list of tables by each one's ``key``
    (``parameters[levers.ad_budget].values``), other lists as leaves."""
    if isinstance(data, list) and data and all(isinstance(v, dict) for v in data):
        items = {f"{prefix}[{v.get('key', i)}]": v for i, v in enumerate(data)}
    elif isinstance(data, dict):
        items = {f"{prefix}.{k}" if prefix else str(k): v for k, v in data.items()}
    else:
        return {prefix: data}
    out: dict[str, Any] = {}
    for name, value in items.items():
        out.update(_flat(value, name))
    return out


def _brief(value: Any) -> str:
    """A value as the message shows it (``none`` where a key is missing), at most 40 chars."""
    text = "none" if value is None else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def differs_beyond_replications(store: Path, spec: SweepSpec) -> bool:
    """Whether ``spec`` differs from the store's spec.json in more than its replications and
    batch size (True where spec.json cannot be read: nothing then shows it is the same sweep)."""
    pair = _compared(store, spec)
    if pair is None:
        return True
    for data in pair:
        for key in ("replications", "batch_size"):
            data.pop(key, None)
    return pair[0] != pair[1]


def _compared(store: Path, spec: SweepSpec) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The stored spec.json and ``spec``, both as canonical JSON data (None if spec.json cannot
    be read)."""
    try:
        was = json.loads((store / "spec.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for extra in ("description", "base_set"):  # (written beside the spec, not in its digest)
        was.pop(extra, None)
    return was, json.loads(json.dumps(spec.canonical()))


def stored_batch_size(store: Path) -> Any:
    """The batch size the store's spec.json records (``"its own"`` where it cannot be read)."""
    try:
        return json.loads((store / "spec.json").read_text(encoding="utf-8"))["batch_size"]
    except (OSError, ValueError, KeyError, TypeError):
        return "its own"
