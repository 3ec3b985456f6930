"""What spreads a reading's effect most: a PAWN ranking of the uncertainties against a noise floor.

PAWN (Pianosi & Wagener 2015; SALib ``SALib.analyze.pawn``) on the given sample: the median
Kolmogorov–Smirnov distance between the effect's distribution and its distribution conditional
on slices of each uncertainty. A column of pure noise is ranked with them: its index is the noise
floor, and an uncertainty below it decides nothing. It ranks what moves the effect's
distribution, which need not move the verdict (:mod:`experiments.analysis.conditional` asks that).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from experiments.analysis.discovery import encode

__all__ = ["NOISE", "sensitivity"]

#: The noise column's name in :func:`sensitivity`.
NOISE = "(noise floor)"


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
