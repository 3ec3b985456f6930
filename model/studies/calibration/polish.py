"""Finish a simulated-moments fit one parameter at a time, where the joint search stopped short.

``scipy.optimize.least_squares`` steps on a finite-difference model of the moments. On common
random numbers the moments are step functions at small scales, and they can bend (a CAC that
rises as churn rises from its fitted value and also as it falls), so after one long step the
model can be wrong in sign, every shorter step is refused, and the search ends far from targets
the model reaches: a retention fitted to 0.88 with a CAC of 3,000 stopped at 0.84 and 3,507,
two moments a base churn of 0.019 and an advertising reach of 0.001 hit together. And a joint
fit gives up a reachable target for an unreachable one (a CAC of 50 beside an onboarding cost
of 1,200 pulled a retention fitted to 0.88 to 0.99).

:func:`polish` then moves each parameter alone on the fit's log scale (Brent's bounded search,
``scipy.optimize.minimize_scalar``), the others held, to bring *its own* moments — those the
fit gives it (retention: the base churn; CAC: the advertising reach) — nearest their targets,
for at most three sweeps, until every moment is within its tolerance, a sweep moves nothing,
or its evaluations run out. A move reduces only its own parameter's residuals and may cost
another moment (where parameters are coupled), so of the points it passes through, the start
included, it returns the one with the most moments within tolerance and then the smallest sum
of squares: never one the joint search had bettered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize

__all__ = ["polish"]

#: How far each one-parameter search may move from where it starts, on the log scale (a factor
#: of e⁸ ≈ 3,000 either way, within the parameter's bounds: a joint fit that gave up a
#: retention for an unreachable CAC had left the churn 100 times too low, and searches of e²
#: ran out of evaluations on the way back), and how finely it places the parameter (1%).
_REACH, _XATOL = 8.0, 0.01


def polish(
    resid: Callable[[np.ndarray], np.ndarray],
    x: np.ndarray,
    lo: np.ndarray,
    hi: np.ndarray,
    tol: np.ndarray,
    owned: Sequence[Sequence[int]] | None = None,
    *,
    start: np.ndarray | None = None,
    sweeps: int = 3,
    evaluations: int = 60,
) -> np.ndarray:
    """Each parameter in turn moved to bring its own residuals nearest zero, from ``x``.

    Parameters
    ----------
    resid : callable
        The scaled residuals (simulated − target) / scale of every moment at a point (log
        parameters); non-finite ones count as large.
    x, lo, hi : ndarray
        The start and the bounds, on the log scale.
    tol : ndarray
        Each residual's tolerance, in the same scaled units: the search stops once every
        residual is within it.
    owned : sequence of sequences of int, optional
        For each parameter, the residuals it is fitted to (default: all of them, which makes
        this a coordinate descent on the whole sum of squares).
    start : ndarray, optional
        ``resid(x)``, where the caller has it (not simulated again).
    sweeps, evaluations : int
        At most this many passes over the parameters, and calls of ``resid``.

    Returns
    -------
    ndarray
        Of ``x`` and the points it moved to, the one with the most residuals within ``tol``, then
        the smallest sum of squares.
    """
    seen: dict[bytes, np.ndarray] = {}  # (each point simulated once: an evaluation is runs)
    if start is not None:
        seen[np.asarray(x, dtype=float).tobytes()] = np.asarray(start, dtype=float)
    every = list(range(len(tol)))
    mine = [list(o) for o in owned] if owned is not None else [every] * len(x)

    def residuals(point: np.ndarray) -> np.ndarray:
        key = np.asarray(point, dtype=float).tobytes()
        if key not in seen:
            if len(seen) >= evaluations:  # (out of evaluations: the point counts as no better)
                return np.full(len(tol), np.inf)
            seen[key] = np.asarray(resid(np.array(point, dtype=float)), dtype=float)
        return seen[key]

    def cost(point: np.ndarray, which: list[int]) -> float:
        r = residuals(point)[which]
        return float(np.sum(np.where(np.isfinite(r), r, 1e3) ** 2))

    def done(point: np.ndarray) -> bool:
        r = residuals(point)
        return bool(np.all(np.isfinite(r) & (np.abs(r) <= tol)))

    def score(point: np.ndarray) -> tuple[int, float]:
        """Moments outside their tolerance, then the whole sum of squares: lower is better."""
        r = residuals(point)
        return int(np.sum(~(np.isfinite(r) & (np.abs(r) <= tol)))), cost(point, every)

    best = np.array(x, dtype=float)
    champion = best.copy()
    for _ in range(sweeps):
        moved = False
        for i in range(best.size):
            if done(best) or len(seen) >= evaluations:
                return best if score(best) < score(champion) else champion
            a, b = max(lo[i], best[i] - _REACH), min(hi[i], best[i] + _REACH)

            def along(v: float, i: int = i) -> float:
                point = best.copy()
                point[i] = v
                return cost(point, mine[i])

            found = optimize.minimize_scalar(
                along, bounds=(a, b), method="bounded", options={"xatol": _XATOL}
            )
            if found.fun < cost(best, mine[i]):
                best[i], moved = found.x, True
                if score(best) < score(champion):
                    champion = best.copy()
        if not moved:  # (a sweep that moved nothing: the next would not either)
            break
    return champion
