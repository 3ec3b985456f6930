"""Profile likelihoods of the sBG where a table shows no heterogeneity (Fader & Hardie 2007's
model at its boundary): γ and δ then run off together and the observed information is rounding
noise, so the intervals of the polarization and of the mean churn come from their profiles
(Wilks: every value within χ²₁(0.95)/2 of the maximum).

Each function takes the data's log-likelihood as ``ll(γ, δ)``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import optimize, stats

__all__ = ["BOUNDARY_POLARIZATION", "mean_ends", "polarization_upper"]

#: The data's log-likelihood at shapes (γ, δ).
LogLik = Callable[[float, float], float]

#: Below this polarization 1/(γ + δ + 1) a fit is at the no-heterogeneity boundary.
BOUNDARY_POLARIZATION = 1e-3


def polarization_upper(ll: LogLik, best: float) -> tuple[float, float] | None:
    """(γ, δ) at the upper end of the polarization's 95% profile-likelihood interval, when that
    interval reaches down to 0; None when it does not (a small but real polarization, seen in
    a large cohort: the fit is not at the boundary, and its observed information holds).

    The profile maximizes the likelihood over the mean churn μ at each polarization ρ
    (γ = μ(1/ρ − 1), δ = (1 − μ)(1/ρ − 1)); the interval holds every ρ whose profile is within
    χ²₁(0.95)/2 of the maximum (Wilks).
    """

    def profile(rho: float) -> tuple[float, float]:
        total = 1.0 / rho - 1.0

        def nll(z: float) -> float:
            mu = 1.0 / (1.0 + np.exp(-z))
            return -ll(mu * total, (1.0 - mu) * total)

        r = optimize.minimize_scalar(nll, bounds=(-30.0, 30.0), method="bounded",
                                     options={"xatol": 1e-10})  # fmt: skip
        return -float(r.fun), 1.0 / (1.0 + np.exp(-r.x))

    # At the boundary the profile falls as ρ grows: up the grid to the first point outside.
    grid = np.logspace(-8, np.log10(0.999), 50)
    nearly_alike = profile(grid[0])[0]
    cut = max(best, nearly_alike) - stats.chi2.ppf(0.95, 1) / 2.0
    if nearly_alike < cut:  # (ρ ≈ 0 is outside the interval: no boundary)
        return None
    k = 0
    while k + 1 < grid.size and profile(grid[k + 1])[0] >= cut:
        k += 1
    if k + 1 < grid.size:  # between the last grid point inside and the next
        rho = optimize.brentq(lambda r: profile(r)[0] - cut, grid[k], grid[k + 1], xtol=1e-12)
    else:
        rho = float(grid[k])
    mu = profile(rho)[1]
    total = 1.0 / rho - 1.0
    return float(mu * total), float((1.0 - mu) * total)


def mean_ends(ll: LogLik) -> tuple[tuple[float, float], tuple[float, float]]:
    """Shapes at the ends of the mean churn's 95% likelihood-ratio interval with every client
    alike (polarization 10⁻⁸: the geometric model the boundary fit is)."""
    total = 1e8 - 1.0

    def at(mu: float) -> float:
        return ll(mu * total, (1.0 - mu) * total)

    r = optimize.minimize_scalar(lambda m: -at(m), bounds=(1e-12, 1 - 1e-12), method="bounded",
                                 options={"xatol": 1e-14})  # fmt: skip
    top, cut = float(r.x), -float(r.fun) - stats.chi2.ppf(0.95, 1) / 2.0
    ends = []
    for edge in (1e-12, 1 - 1e-12):
        mu = (
            top if at(edge) >= cut else optimize.brentq(lambda m: at(m) - cut, *sorted((edge, top)))
        )
        ends.append((mu * total, (1.0 - mu) * total))
    return ends[0], ends[1]
