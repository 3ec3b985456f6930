"""The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee 2005, "RFM and CLV", J.
Marketing Research 42(4):415-430; Fader & Hardie 2013 note, "The Gamma-Gamma model of monetary
value").

Each purchase's value is Gamma(p, ν); a client's ν ~ Gamma(q, γ), so its mean spend per purchase is
p/ν and the population's mean is pγ/(q − 1) (currency per purchase; finite for q > 1). The data are
each repeat buyer's x repeat purchases and their mean value z̄. CDNOW (946 repeat buyers in the 39
calibration weeks): p = 6.25, q = 3.74, γ = 15.44.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.mle import MLEFit, maximize

__all__ = ["NAMES", "conditional_mean", "fit", "loglik", "mean_per_purchase"]

NAMES = ("p", "q", "γ")


def loglik(theta, x, zbar) -> float:
    """Summed ln f(z̄ | x; p, q, γ) over clients with x ≥ 1 purchases of mean value z̄ > 0."""
    p, q, g = theta
    px = p * x
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(g)
        + (px - 1) * np.log(zbar)
        + px * np.log(x)
        - (px + q) * np.log(g + x * zbar)
    )
    return float(np.sum(ll))


def mean_per_purchase(theta) -> float:
    """E[value of a purchase] in the population: pγ/(q − 1) (currency/purchase); inf if q ≤ 1."""
    p, q, g = theta
    return float(p * g / (q - 1)) if q > 1 else float("inf")


def conditional_mean(theta, x, zbar) -> np.ndarray:
    """E[a client's mean spend per purchase | x, z̄] = (γ + x z̄)p/(px + q − 1) (currency/purchase)."""
    p, q, g = theta
    x = np.asarray(x, dtype=np.float64)
    return (g + x * np.asarray(zbar, dtype=np.float64)) * p / (p * x + q - 1)


def fit(x, zbar) -> MLEFit:
    """Maximum-likelihood Gamma-Gamma fit to repeat buyers (x ≥ 1, z̄ > 0; others left out)."""
    x = np.asarray(x, dtype=np.float64)
    zbar = np.asarray(zbar, dtype=np.float64)
    keep = (x >= 1) & np.isfinite(zbar) & (zbar > 0)
    x, zbar = x[keep], zbar[keep]
    if x.size < 10:
        raise CalibrationError(
            f"Gamma-Gamma: need at least 10 clients with a repeat purchase of positive value; got {x.size}"
        )
    m = zbar.mean()
    starts = [(1.0, 2.0, m), (5.0, 3.0, 15.0), (2.0, 5.0, 4.0 * m)]
    return maximize(lambda th: loglik(th, x, zbar), NAMES, starts, x.size, what="Gamma-Gamma")
