"""Designs: the table of design points a sweep runs (one row per point, one column per parameter).

* ``grid`` — the full factorial of the value lists, in spec order (the last parameter varies fastest).
* ``lhs`` — a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`) scaled to the bounds.
* ``sobol`` — Saltelli's extension of a Sobol' sequence (:func:`SALib.sample.sobol.sample`),
  N(2D+2) points (N(D+2) without second-order indices), in the order SALib's analysis expects.
* ``morris`` — r one-at-a-time trajectories (:func:`SALib.sample.morris.sample`), r(D+1) points.

A design depends only on the spec (its seed included), never on how or where it is run.
Integer parameters are rounded to the nearest integer after scaling (in a Morris design their
levels must be whole already: :func:`build_design` refuses others, whose rounded steps would
not be the step the elementary effects divide by).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from model.scenario import ScenarioError
from model.studies.sweep.spec import DesignSpec, ParamSpec, SweepError, SweepSpec

__all__ = ["build_design", "morris_level_check", "problem", "validate_points"]


def problem(spec: SweepSpec) -> dict:
    """The SALib problem dict (names and bounds) of a sampled design."""
    return {
        "num_vars": len(spec.parameters),
        "names": spec.keys,
        "bounds": [[p.low, p.high] for p in spec.parameters],
    }


def build_design(spec: SweepSpec) -> pd.DataFrame:
    """One row per design point: ``point`` (0, 1, …) and one column per varied parameter."""
    kind = spec.design.kind
    if kind == "grid":
        axes = [np.asarray(p.values, dtype=object) for p in spec.parameters]
        mesh = np.meshgrid(*[np.arange(len(a)) for a in axes], indexing="ij")
        columns = {
            p.key: pd.Series(list(a[m.ravel()])).infer_objects()
            for p, a, m in zip(spec.parameters, axes, mesh, strict=True)
        }
    else:
        morris_level_check(spec.design, spec.parameters)
        unit = _unit_sample(spec)
        columns = {}
        for j, p in enumerate(spec.parameters):
            x = unit[:, j]
            if kind == "lhs":
                x = p.low + x * (p.high - p.low)
            # SALib's scaling can overshoot a bound by an ulp, which validation would then reject.
            x = np.clip(x, p.low, p.high)
            columns[p.key] = np.rint(x).astype(np.int64) if p.integer else x
    frame = pd.DataFrame(columns)
    frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
    return frame


def morris_level_check(
    design: DesignSpec,
    parameters: Sequence[ParamSpec],
    fail: Callable[[str], SweepError] = SweepError,
) -> None:
    """Refuse an integer parameter whose Morris grid levels are not whole numbers (``fail``
    makes the error from its message: a spec file's names the file, as its other errors do).

    Morris' elementary effects divide each step's change by the grid's step (SALib's
    ``analyze`` takes it from the number of levels); an integer parameter is rounded to whole
    numbers, so unless its levels ``low + k (high - low) / (levels - 1)`` are whole already, its
    steps are not that step (4 levels over [0.6, 3.4] round to 1, 2, 2, 3: a step of 1 or none
    where 1.87 is divided by) and its effects are misstated (μ* by 46% there).
    """
    if design.kind != "morris":
        return
    gaps = design.levels - 1
    for p in parameters:
        span = (p.high or 0.0) - (p.low or 0.0)
        if p.integer and not (float(p.low).is_integer() and span % gaps == 0):
            lo = math.ceil(p.low)
            raise fail(
                f"parameters.{p.key!r}: bounds [{p.low:g}, {p.high:g}] are not allowed for an "
                f"integer parameter in a Morris design of {design.levels} levels; allowed: "
                f"whole bounds whose span is a multiple of levels - 1 = {gaps}, so that every "
                f"level is a whole number (e.g. [{lo}, {lo + gaps * max(1, round(span / gaps))}])"
            )


def _unit_sample(spec: SweepSpec) -> np.ndarray:
    """LHS on the unit cube, or SALib's Sobol'/Morris sample already on the bounds."""
    d, n, seed = len(spec.parameters), spec.design.samples, spec.seed
    if spec.design.kind == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=d, seed=np.random.default_rng(seed)).random(n)
    if spec.design.kind == "sobol":
        from SALib.sample import sobol

        # Sobol' sequences are deterministic; seed only drives the scrambling.
        return sobol.sample(
            problem(spec), n, calc_second_order=spec.design.second_order, seed=seed % 2**32
        )
    from SALib.sample import morris

    return morris.sample(problem(spec), n, num_levels=spec.design.levels, seed=seed % 2**32)


def validate_points(spec: SweepSpec, design: pd.DataFrame) -> None:
    """Build every design point's scenario once, so a bad combination fails before anything runs."""
    base = spec.base_scenario()
    for row in design.to_dict("records"):
        point = row.pop("point")
        try:
            base.with_overrides(row)
        except ScenarioError as exc:
            raise SweepError(f"design point {point} ({row}): {exc}") from None
