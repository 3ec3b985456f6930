"""How a comparison labels its policies: by name, and a repeated name by what it changes."""

from __future__ import annotations

from typing import Any

from model.scenario import Scenario

__all__ = ["telling_names", "unique_names"]


def telling_names(policies: list[Scenario], most: int = 3) -> list[str]:
    """Each policy's name; one named as an earlier policy is named by what it changes from the
    first of that name: ``baseline + service_level=0.9`` (parameters by their bare names, at
    most ``most`` of them; its schedule or shocks as such), as ``retention run --set`` names a
    run. The seed is left out: every policy runs on the same seeds."""
    first: dict[str, dict[str, Any]] = {}
    names = []
    for s in policies:
        flat = {**s.flat(), "schedule": s.schedule, "shocks": s.shocks}
        flat.pop("run.seed")
        if s.name not in first:
            first[s.name] = flat
            names.append(s.name)
            continue
        was = first[s.name]
        changed = [k for k in flat if flat[k] != was[k]]
        parts = [k if k in ("schedule", "shocks") else f"{k.rpartition('.')[2]}={short(flat[k])}"
                 for k in changed[:most]]  # fmt: skip
        parts += ["…"] if len(changed) > most else []
        names.append(f"{s.name} + {', '.join(parts)}" if parts else s.name)
    return names


def short(value: Any) -> str:
    """A parameter's value as a label shows it: ``500`` for 500.0, ``0.9``, ``True``."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def unique_names(names: list[str]) -> list[str]:
    """Each name, a repeat numbered ``name#2``, ``name#3``, … — skipping any number another
    policy already has as its own name (a ``baseline#2`` of its own is not a second
    ``baseline``)."""
    taken = set(names)
    seen: dict[str, int] = {}
    out: list[str] = []
    for n in names:
        if n not in seen:
            seen[n] = 1
            out.append(n)
            continue
        k = seen[n] + 1
        while f"{n}#{k}" in taken:
            k += 1
        seen[n] = k
        taken.add(f"{n}#{k}")
        out.append(f"{n}#{k}")
    return out
