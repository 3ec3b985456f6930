"""Whether holding shifts between groups of worlds: the tests :mod:`experiments.analysis.conditional` and
:mod:`experiments.analysis.split` read a reading's profile with.

Along a numeric uncertainty, Mann–Whitney's U between the values of the worlds where the reading
holds and where it fails; between alternatives, χ² of the groups × holds/fails table where every
expected count is at least 5 (Cochran's rule), else Fisher–Freeman–Halton's exact test with its p
by Monte Carlo (:data:`RESAMPLES` tables, a fixed seed).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import MonteCarloMethod, chi2_contingency, fisher_exact, mannwhitneyu

__all__ = ["RESAMPLES", "between_groups", "shift"]

#: Tables drawn for Fisher–Freeman–Halton's Monte Carlo p (no p below 1 / (RESAMPLES + 1)).
RESAMPLES = 99_999


def shift(holding: np.ndarray, failing: np.ndarray) -> float:
    """Mann–Whitney's two-sided p that the values of the worlds that hold and fail are one
    distribution (1.0 where one side is empty)."""
    if not len(holding) or not len(failing):
        return 1.0
    return float(mannwhitneyu(holding, failing, alternative="two-sided").pvalue)


def between_groups(table: np.ndarray, seed: int) -> tuple[float, str, bool]:
    """Whether holding differs between the groups of a groups × (holds, fails) table: the p, the
    test's name and whether the p is the Monte Carlo floor (1.0 where every world holds, or none).

    χ² where every expected count is at least 5 (its p exact enough, however small), else
    Fisher–Freeman–Halton's exact test by Monte Carlo.
    """
    if (table.sum(axis=0) == 0).any():
        return 1.0, "χ²", False
    chi2 = chi2_contingency(table, correction=False)
    if (chi2.expected_freq >= 5).all():
        return float(chi2.pvalue), "χ²", False
    method = MonteCarloMethod(n_resamples=RESAMPLES, rng=np.random.default_rng(seed))
    p = float(fisher_exact(table, method=method).pvalue)
    return p, "Fisher–Freeman–Halton", p <= 1.0 / (RESAMPLES + 1)
