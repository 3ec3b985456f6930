"""How much memory a run of a scenario needs, and whether this machine has it.

A run allocates its client arrays, the network's edges, the staff arrays and the months' results
up front (:class:`~model.engine.retention_model.RetentionModel`), so a scenario too large for the
machine is refused before anything is allocated — with the field to change — rather than
swapping the machine or failing deep inside numpy. The command line checks several runs at once
(``--workers``) with the same estimate (:mod:`model.interfaces.cli.inputs`).
"""

from __future__ import annotations

import math
from typing import Any

from model.scenario import ScenarioError

__all__ = [
    "BYTES_PER_CLIENT",
    "BYTES_PER_EDGE",
    "BYTES_PER_MONTH",
    "BYTES_PER_STAFF",
    "MEMORY_SHARE",
    "available_memory",
    "check_run_memory",
    "count_text",
    "need_text",
    "scenario_bytes",
    "size_text",
]

#: Bytes a run holds per market member, per contact of a member (the network's edges, built
#: twice over while sorting), per staff member and per month; measured with tracemalloc/RSS at
#: 2·10^5 clients (70 MB at degree 10, 250 MB at degree 40), rounded up by half.
BYTES_PER_CLIENT = 100
BYTES_PER_EDGE = 48
BYTES_PER_STAFF = 64
BYTES_PER_MONTH = 4096
#: The share of the available memory a run (or a command's runs together) may plan to use.
MEMORY_SHARE = 0.8
#: Below this estimate a run is not checked (reading the machine's memory costs a system call).
_UNCHECKED_BYTES = 256 * 1024**2


def available_memory() -> int:
    """Bytes this process may still allocate: available RAM (psutil, else /proc/meminfo)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:  # pragma: no cover - psutil is a dependency of distributed/solara
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 2**63


def need_text(need: float) -> str:
    """What a plan needs, in words: ``about 29.8 GB of memory``, or, where a parameter near its
    bound (a ``staff.capacity`` near 0) has made it overflow, ``more memory than any machine
    has``."""
    if math.isfinite(need):
        return f"about {size_text(need)} of memory"
    return "more memory than any machine has"


def count_text(n: float) -> str:
    """A count in words: ``2,000``, or ``unboundedly many`` where it has overflowed."""
    return f"{n:,.0f}" if math.isfinite(n) else "unboundedly many"


def size_text(n: float) -> str:
    """Bytes in words: ``29.8 GB``."""
    for unit in ("B", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            return f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} PB"  # pragma: no cover


def _bytes_per_client(scenario: Any) -> tuple[float, float, float]:
    """A run's peak bytes per market member — its own arrays and its network edges, and its
    share of the staff arrays at the highest staffing the scenario sets — and the staff count."""
    wom = scenario.word_of_mouth
    edges = float(wom.degree) * BYTES_PER_EDGE if wom.enabled else 0.0
    staffing = max(
        [
            float(scenario.levers.staffing),
            *(float(s.set.get("staffing", 0.0)) for s in scenario.schedule),
        ]
    )
    per_staff = staffing / float(scenario.staff.capacity)
    return (
        BYTES_PER_CLIENT + edges,
        per_staff * BYTES_PER_STAFF,
        per_staff * scenario.market.clients,
    )


def scenario_bytes(scenario: Any) -> float:
    """Bytes one run of ``scenario`` holds at its peak (clients, network edges, staff, months)."""
    own, staff, _ = _bytes_per_client(scenario)
    return float(scenario.market.clients) * (own + staff) + _fixed_bytes(scenario)


def _fixed_bytes(scenario: Any) -> float:
    """What a run holds whatever its market's size: the months' results and the followed sample."""
    tracked = float(getattr(scenario.run, "track_clients", 0)) * scenario.run.months * 64
    return scenario.run.months * BYTES_PER_MONTH + tracked


def check_run_memory(scenario: Any) -> Any:
    """``scenario``, unless its run would not fit in this machine's memory.

    Raises
    ------
    ScenarioError
        The run needs more than :data:`MEMORY_SHARE` of the available memory: named by the field
        whose arrays take most of it (``market.clients`` — its own arrays and network edges — or
        ``staff.capacity``), with how much it needs, what the machine has, and how many clients
        would fit as the rest is set.
    """
    need = scenario_bytes(scenario)
    if need < _UNCHECKED_BYTES:  # (also False for NaN: checked below)
        return scenario
    have = available_memory() * MEMORY_SHARE
    if not need <= have:
        own, staff_bytes, staff = _bytes_per_client(scenario)
        clients, wom, capacity = (
            scenario.market.clients,
            scenario.word_of_mouth,
            scenario.staff.capacity,
        )
        fits = max(int((have - _fixed_bytes(scenario)) // (own + staff_bytes)), 0)
        field, value = (
            ("staff.capacity", f"{capacity:g}")
            if staff_bytes > own
            else ("market.clients", f"{clients:,}")
        )
        degree = f"word_of_mouth.degree {wom.degree:g}" if wom.enabled else "no word of mouth"
        raise ScenarioError(
            f"{field}: value {value} is not allowed on this machine: a run of {clients:,} clients "
            f"({degree}, up to {count_text(staff)} staff at staff.capacity {capacity:g}) needs "
            f"{need_text(need)}, and this machine has {size_text(have)} to spare "
            f"({MEMORY_SHARE:.0%} of what is available); allowed: at most {fits:,} clients as the "
            "rest is set, a lower word_of_mouth.degree or a larger staff.capacity"
        )
    return scenario
