"""Where a claim holds: PRIM boxes over the uncertainties, and which uncertainties decide the effect.

* :func:`prim_box` — the Patient Rule Induction Method (Friedman & Fisher 1999) through EMA
  Workbench (``ema_workbench.analysis.prim``; Kwakkel 2017): peel the space of uncertainties toward
  the worlds where the reading holds. The box reported is, by a rule declared here before any
  data, the densest box on the peeling trajectory that restricts at most :data:`MAX_DIMS`
  uncertainties and still covers at least :data:`MIN_COVERAGE` of the worlds where it holds; a box
  that does not raise the share holding by :data:`MIN_LIFT` is no condition and is not reported.
* :func:`sensitivity` — PAWN (Pianosi & Wagener 2015, SALib ``SALib.analyze.pawn``) on the
  given sample: the median Kolmogorov–Smirnov distance between the effect's distribution and its
  distribution conditional on slices of each uncertainty. A column of pure noise is ranked with
  them: its index is the noise floor, and an uncertainty below it decides nothing.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "MAX_DIMS",
    "MIN_CASES",
    "MIN_COVERAGE",
    "MIN_LIFT",
    "Box",
    "encode",
    "prim_box",
    "sensitivity",
]

#: The reported box covers at least this share of the worlds where the reading holds.
MIN_COVERAGE = 0.5
#: Most uncertainties a reported box may restrict (a box of twenty limits describes the sample,
#: not a condition; Bryant & Lempert 2010 ask for few, interpretable restrictions).
MAX_DIMS = 3
#: A reported box must raise the share of worlds holding by at least this much (else no condition).
MIN_LIFT = 0.15
#: Fewest worlds on each side (holding, not holding) for PRIM to look for a box.
MIN_CASES = 10
#: The noise column's name in :func:`sensitivity`.
NOISE = "(noise floor)"


@dataclass(frozen=True)
class Box:
    """A PRIM box.

    Attributes
    ----------
    limits : dict
        Restricted uncertainty → (low, high) for numbers or the kept alternatives.
    coverage : float
        Share of the worlds where the reading holds that lie in the box.
    density : float
        Share of the worlds in the box where the reading holds.
    mass : float
        Share of all worlds in the box.
    """

    limits: dict[str, tuple]
    coverage: float
    density: float
    mass: float

    def text(self) -> str:
        """The box in words: ``a ≥ 0.6 and b ≤ 0.5`` (``everywhere`` when nothing is restricted)."""
        parts = []
        for key, lim in self.limits.items():
            if len(lim) == 2 and all(isinstance(v, float) for v in lim):
                lo, hi = lim
                if np.isfinite(lo) and np.isfinite(hi):
                    parts.append(f"{lo:.3g} ≤ {key} ≤ {hi:.3g}")
                elif np.isfinite(lo):
                    parts.append(f"{key} ≥ {lo:.3g}")
                else:
                    parts.append(f"{key} ≤ {hi:.3g}")
            else:
                parts.append(f"{key} in {{{', '.join(map(str, lim))}}}")
        return " and ".join(parts) if parts else "everywhere"


def encode(x: pd.DataFrame) -> pd.DataFrame:
    """Numbers as floats, anything else (alternatives, flags) as a categorical."""
    out = pd.DataFrame(index=x.index)
    for col in x.columns:
        v = x[col]
        if pd.api.types.is_bool_dtype(v) or not pd.api.types.is_numeric_dtype(v):
            out[col] = pd.Categorical(v.astype(str))
        else:
            out[col] = v.astype(float)
    return out


def prim_box(
    x: pd.DataFrame,
    holds: np.ndarray,
    min_coverage: float = MIN_COVERAGE,
    max_dims: int = MAX_DIMS,
) -> Box | None:
    """The PRIM box where ``holds`` (None when it holds nowhere or everywhere, or no box helps).

    The densest box on the peeling trajectory restricting at most ``max_dims`` uncertainties and
    covering at least ``min_coverage`` of the worlds where it holds.
    """
    holds = np.asarray(holds, bool)
    if min(int(holds.sum()), int((~holds).sum())) < MIN_CASES:
        return None  # too few worlds on one side for a box to mean anything
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim

        xe = encode(x).reset_index(drop=True)
        box = prim.Prim(xe, holds).find_box()
    if box is None:
        return None
    tr = box.peeling_trajectory
    ok = tr[(tr["coverage"] >= min_coverage) & (tr["res_dim"] <= max_dims)]
    if not len(ok) or float(ok["density"].max()) < float(tr["density"].iloc[0]) + MIN_LIFT:
        return None  # no small box is clearly denser than the whole space: no condition
    i = int(ok.sort_values(["density", "coverage"]).index[-1])
    first, lims = box.box_lims[0], box.box_lims[i]
    limits: dict[str, tuple] = {}
    for col in xe.columns:
        lo, hi = lims.loc[0, col], lims.loc[1, col]
        if isinstance(lo, set):
            if lo != first.loc[0, col]:
                limits[col] = tuple(sorted(lo))
            continue
        a, b = float(first.loc[0, col]), float(first.loc[1, col])
        lo_r, hi_r = float(lo) > a, float(hi) < b
        if lo_r or hi_r:
            limits[col] = (float(lo) if lo_r else -np.inf, float(hi) if hi_r else np.inf)
    row = tr.loc[i]
    return Box(limits, float(row["coverage"]), float(row["density"]), float(row["mass"]))


def sensitivity(x: pd.DataFrame, y: np.ndarray, seed: int = 1, top: int = 5) -> pd.DataFrame:
    """PAWN ranking of the uncertainties for the effect ``y`` (finite values only).

    Returns the ``top`` uncertainties by median KS distance, and the noise floor's row, with
    ``pawn`` (median) and ``above_noise``.
    """
    from SALib.analyze import pawn

    y = np.asarray(y, float)
    keep = np.isfinite(y)
    xe = encode(x)[keep]
    if keep.sum() < 30 or np.ptp(y[keep]) == 0:
        return pd.DataFrame(columns=["uncertainty", "pawn", "above_noise"])
    cols = {}
    for col in xe.columns:
        v = xe[col]
        cols[col] = v.cat.codes.astype(float) if isinstance(v.dtype, pd.CategoricalDtype) else v
    rng = np.random.default_rng(seed)
    cols[NOISE] = pd.Series(rng.uniform(size=int(keep.sum())), index=xe.index)
    frame = pd.DataFrame(cols)
    frame = frame.loc[:, frame.nunique() > 1]
    problem = {
        "num_vars": frame.shape[1],
        "names": list(frame.columns),
        "bounds": [[float(frame[c].min()), float(frame[c].max())] for c in frame.columns],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = pawn.analyze(problem, frame.to_numpy(), y[keep], S=10, seed=seed)
    df = res.to_df().reset_index().rename(columns={"index": "uncertainty", "median": "pawn"})
    df = df[["uncertainty", "pawn"]].sort_values("pawn", ascending=False, ignore_index=True)
    floor = float(df.loc[df["uncertainty"] == NOISE, "pawn"].iloc[0])
    df["above_noise"] = df["pawn"] > floor
    head = df[df["uncertainty"] != NOISE].head(top)
    return pd.concat([head, df[df["uncertainty"] == NOISE]], ignore_index=True)
