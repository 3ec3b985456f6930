"""How long and with which seed a scenario runs (the ``run`` section)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["Run"]


class Run(Section):
    """How long and with which seed a scenario runs."""

    months: int = param(120, unit="months", ge=1, le=1200, source="assumption: a 10-year horizon")
    seed: int = param(1, unit="-", ge=0, le=2**63 - 1, source="assumption")
    track_clients: int = param(
        0,
        unit="clients",
        ge=0,
        le=10_000,  # months × clients × ~44 bytes: 0.5 GB at 1,200 months
        source="assumption: none; a random sample of the market followed month by month "
        "for agent-level output (RetentionModel.tracked)",
    )
