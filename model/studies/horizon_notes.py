"""Runs that do not warn again of what their caller has told: steps and shocks after the horizon.

:func:`model.studies.run.simulate_many` warns of a scenario's schedule steps and shocks that fall
after its horizon (:func:`model.studies.run.after_horizon_note`); a command or study that has
told of them in its own words (a warning line, a comparison's notes) runs inside
:func:`horizon_notes_told`, so the user reads each once.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from model.scenario import Scenario
from model.studies.run import after_horizon_note

__all__ = ["horizon_notes_told"]


@contextmanager
def horizon_notes_told(scenarios: Iterable[Scenario]) -> Iterator[None]:
    """Within it, runs of ``scenarios`` do not warn of their steps and shocks after the horizon
    (:func:`~model.studies.run.after_horizon_note`): for a caller that has told of them already,
    once."""
    with warnings.catch_warnings():
        for note in dict.fromkeys(after_horizon_note(s) for s in scenarios):
            if note:
                warnings.filterwarnings("ignore", message=re.escape(note))
        yield
