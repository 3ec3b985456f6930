"""Progress for long commands: a tqdm bar with an estimate on a terminal, silence in pipes and CI.

Every long command (run, compare, optimize, sweep, calibrate, sensitivity) shows its bar from the
first second (no delay), and only where a person watches: stderr is a terminal and ``CI`` is not
set. Studies are told a bar's ``update`` as their ``on_done`` (compare, optimize, replications)
or through :mod:`model.studies.progress`.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["bar", "watched"]


def watched(enabled: bool = True) -> bool:
    """True when a bar should be drawn: asked for, stderr is a terminal, not in CI."""
    return bool(enabled and sys.stderr.isatty() and not os.environ.get("CI"))


def bar(total: int | None, desc: str, unit: str = "run", enabled: bool = True) -> Any:
    """A tqdm bar on stderr, drawn at once (no delay) when :func:`watched`, else disabled."""
    from tqdm import tqdm

    # No monitor thread: a command's pool forks its workers, and a thread alive at the fork may
    # hold a lock the child then waits on for ever (each update redraws anyway, below).
    tqdm.monitor_interval = 0
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        disable=not watched(enabled),
        file=sys.stderr,
        leave=False,
        dynamic_ncols=True,
        smoothing=0.1,
        # Redraw on every step: a study's steps are whole runs (tens of ms or more), so this costs
        # nothing, and the last count is always on screen before the bar clears.
        mininterval=0,
        miniters=1,
    )
