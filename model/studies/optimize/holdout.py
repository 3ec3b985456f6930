"""The honest gain of the best split: measured on fresh seeds, paired, under each value of the
assumption the search was robust over, and combined by the criterion the search optimised."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from model.scenario import Scenario
from model.studies.compare import paired_interval
from model.studies.replicate import FromTimeseries, replicate

__all__ = ["holdout_gain"]


def _final_npv(ts: pd.DataFrame) -> float:
    """The NPV at the end of one run."""
    return float(ts["npv"].iloc[-1])


#: One run's NPV (picklable; run together in one process by ``replicate``).
_npv = FromTimeseries(_final_npv)


def _paired(own: list[float], best: list[float]) -> tuple[dict[str, float], list[float]]:
    """The gain of ``best`` over ``own`` (same seeds), its interval, both mean NPVs; and the
    per-seed differences."""
    diffs = [b - o for o, b in zip(own, best, strict=True)]
    mean, low, high = paired_interval(diffs)
    gain = {"mean": mean, "low": low, "high": high}
    return {**gain, "npv_own": float(np.mean(own)), "npv_best": float(np.mean(best))}, diffs


def holdout_gain(
    variants: Sequence[Scenario],
    own: Mapping[str, float],
    best: Mapping[str, float],
    seeds: list[int],
    executor: Executor | None,
    *,
    assumption: str | None = None,
    values: Sequence[Any] = (),
    criterion: str = "mean",
    on_done: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """NPV(best) − NPV(own) on fresh ``seeds``, paired (both splits see the same seeds).

    Parameters
    ----------
    variants : sequence of Scenario
        The scenario at each value of ``assumption`` (one scenario without an assumption).
    own, best : mapping of str to float
        The lever settings of the scenario's own split and of the best one.
    seeds : list of int
        The fresh seeds.
    executor : concurrent.futures.Executor, optional
        Where the runs go.
    assumption, values, criterion
        As the search had them: the gain is measured at each value and combined as the search
        combined NPVs — ``mean``: the per-seed gain averaged over the values (its interval over
        the seeds); ``worst``: the best split's worst-case mean NPV less the own split's, each
        at the value where it is worst (its interval over the seeds' differences there, given
        those values: which value is worst was read off the same seeds, so with few seeds the
        interval is narrower than the gain's whole uncertainty).
    on_done : callable, optional
        Called with the number of runs each time some finish.

    Returns
    -------
    dict
        ``mean``, ``low``, ``high`` (95% paired interval), ``npv_own``, ``npv_best`` and
        ``seeds``; with an assumption also ``assumption``, ``criterion``, ``values``, ``at``
        (for ``worst``, the value where both splits are worst; None where they differ, and for
        ``mean``), ``at_own`` and ``at_best`` (for ``worst``: where each is) and ``per_value``
        (each value's gain, interval and mean NPVs).
    """
    policies = [
        s.with_overrides({f"levers.{k}": v for k, v in split.items()})
        for s in variants
        for split in (own, best)
    ]
    runs = replicate(policies, seeds, executor, _npv, on_done)
    measured = [_paired(o, b) for o, b in zip(runs[0::2], runs[1::2], strict=True)]
    if assumption is None:
        return {**measured[0][0], "seeds": seeds}
    per_value = [{"value": v, **gain} for v, (gain, _) in zip(values, measured, strict=True)]
    if criterion == "worst":
        # As the search scored each split: its worst value's mean NPV, each split at its own
        # worst value; the gain is the difference of the two, its interval over the seeds'
        # differences at those values (the smallest per-value gain was another number: the
        # gain at a value neither split is worst at, say).
        i = int(np.argmin([g["npv_own"] for g in per_value]))
        j = int(np.argmin([g["npv_best"] for g in per_value]))
        gain, _ = _paired(runs[0::2][i], runs[1::2][j])
        top = {**gain, "at": values[i] if i == j else None}
        top.update(at_own=values[i], at_best=values[j])
    else:
        mean, low, high = paired_interval(np.mean([d for _, d in measured], axis=0))
        top = {
            "mean": mean,
            "low": low,
            "high": high,
            "npv_own": float(np.mean([g["npv_own"] for g in per_value])),
            "npv_best": float(np.mean([g["npv_best"] for g in per_value])),
            "at": None,
        }
    return {
        **top,
        "seeds": seeds,
        "assumption": assumption,
        "criterion": criterion,
        "values": list(values),
        "per_value": per_value,
    }
