"""How each simulated evaluation of a calibration runs (:class:`MSMSettings`), declared once.

Plain data, apart from the simulation: ``retention calibrate --help`` reads its defaults without
loading the engine or scipy.
"""

from __future__ import annotations

from dataclasses import dataclass

from model.scenario import ScenarioError
from model.scenario.arguments import count
from model.studies.calibration.errors import CalibrationError

__all__ = ["MSMSettings"]


@dataclass(frozen=True)
class MSMSettings:
    """How each simulated evaluation runs: small and fast, the same seeds every time.

    Most between-run variance is firm-level (shipped innovations move the quality gap, which moves
    churn for everyone: measured sd of annual retention ≈ 0.045 per run at 1,000, 5,000 and 20,000
    clients alike), so more seeds help and a bigger market does not.

    Attributes
    ----------
    clients : int
        Market size of each run (prospects included).
    months, burn_in : int
        Horizon, and the months dropped before averaging.
    seeds : tuple of int
        Common random numbers: the seeds of every evaluation.
    replicates : int
        Extra fits with other seed sets, for the interval (0 = none).
    """

    clients: int = 1_000
    months: int = 36
    burn_in: int = 12
    seeds: tuple[int, ...] = tuple(range(101, 109))
    replicates: int = 2

    def __post_init__(self) -> None:
        # (Unchecked, a burn-in past the horizon or no seed made every moment NaN, and the
        # base scenario's value came back as a fit with a zero-width interval.)
        for name, low in (("clients", 1), ("months", 1), ("burn_in", 0), ("replicates", 0)):
            # (kept as the int: a whole float passes, and range(2.0) would not take it)
            object.__setattr__(self, name, _whole(name, getattr(self, name), low))
        if self.burn_in >= self.months:
            raise CalibrationError(
                f"burn_in: value {self.burn_in!r} is not allowed; allowed: 0 ≤ x < months "
                f"({self.months}): the moments are averaged over the months after it"
            )
        if isinstance(self.seeds, str | bytes) or not len(self.seeds):
            raise CalibrationError(
                f"seeds: value {self.seeds!r} is not allowed; allowed: one or more seeds"
            )
        object.__setattr__(self, "seeds", tuple(_whole("seeds", s, 0) for s in self.seeds))


def _whole(name: str, value: object, low: int) -> int:
    """:func:`~model.scenario.arguments.count`'s check and int, as a :class:`CalibrationError`."""
    try:
        return count(name, value, low)
    except ScenarioError as exc:
        raise CalibrationError(str(exc)) from None
