"""How long and with which seed a scenario runs (the ``run`` section)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["SEED_MAX", "Run", "consecutive_seeds"]

#: The largest seed: seeds are 0 ≤ s < 2**64, what numpy's SeedSequence (and so every random
#: stream of a run) takes as one 64-bit word. Declared here once; the command line's ``--seed``
#: and the sweep spec's ``seed`` read it from ``run.seed``'s declaration.
SEED_MAX = 2**64 - 1


def consecutive_seeds(first: int, n: int, skip: int = 0) -> list[int]:
    """The seeds ``first + skip``, ``first + skip + 1``, … (``n`` of them), wrapped into 0..SEED_MAX.

    Replications of a run use consecutive seeds; near the top of the range they wrap to 0, 1, …
    instead of leaving it.

    >>> consecutive_seeds(SEED_MAX, 3)
    [18446744073709551615, 0, 1]
    """
    return [(first + skip + r) % (SEED_MAX + 1) for r in range(n)]


class Run(Section):
    """How long and with which seed a scenario runs."""

    months: int = param(120, unit="months", ge=1, le=1200, source="assumption: a 10-year horizon")
    seed: int = param(1, unit="-", ge=0, le=SEED_MAX, source="assumption")
    track_clients: int = param(
        0,
        unit="clients",
        ge=0,
        le=10_000,  # months × clients × ~44 bytes: 0.5 GB at 1,200 months
        source="assumption: none; a random sample of the market followed month by month "
        "for agent-level output (RetentionModel.tracked)",
    )
