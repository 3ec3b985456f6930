"""What a month runs: its phases, with the stretches that run as one compiled call fused.

Two stretches of the default phases run as one compiled call each: the month's service (the
``work``, ``satisfaction`` and ``retain`` phases, :mod:`model.engine.serve`) and the month's end
(``account``, ``resolve`` and the metrics row, :mod:`model.engine.month_end`). Either is fused
wherever a phase list has it; the rest runs as declared.
"""

from __future__ import annotations

from model.engine import month_end, serve
from model.engine.phases import PHASES

__all__ = ["fuse"]


def fuse(phases: tuple) -> tuple:
    """The steps a month of ``phases`` runs (``phases`` itself where nothing is fused; one
    tuple for the default phases, which lockstep groups models by)."""
    if phases is PHASES:
        return _DEFAULT
    return month_end.fuse(serve.fuse(phases))


_DEFAULT = month_end.fuse(serve.fuse(PHASES))
