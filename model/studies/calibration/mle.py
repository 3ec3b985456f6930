"""Maximum likelihood on the log scale, with intervals from the observed information.

Shared by the customer-base models (:mod:`~model.studies.calibration.bgnbd`,
:mod:`~model.studies.calibration.pareto_nbd`, :mod:`~model.studies.calibration.gamma_gamma`):
every parameter is positive, so the optimizer works on ln θ; the covariance of ln θ is the inverse
of the numerical Hessian of −ln L there, and a 95% interval θ·exp(±1.96·se) stays positive.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from model.studies.calibration.errors import CalibrationError

__all__ = ["Z95", "MLEFit", "hessian", "maximize"]

Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class MLEFit:
    """A maximum-likelihood fit of positive parameters.

    Attributes
    ----------
    names : tuple of str
        The parameters' names as the papers write them (e.g. ``("r", "α", "a", "b")``).
    values : ndarray
        Estimates, in the order of ``names``.
    loglik : float
        Maximized log-likelihood (natural log, summed over clients).
    cov_log : ndarray
        Covariance of the log-parameters (observed information); NaN when singular.
    clients : int
        Clients whose data entered the likelihood.
    """

    names: tuple[str, ...]
    values: np.ndarray
    loglik: float
    cov_log: np.ndarray
    clients: int

    @property
    def params(self) -> dict[str, float]:
        """``name → estimate``, named as in the paper."""
        return {n: float(v) for n, v in zip(self.names, self.values, strict=True)}

    @property
    def se_log(self) -> np.ndarray:
        """Standard errors of the log-parameters."""
        return np.sqrt(np.diag(self.cov_log))

    def interval(self, name: str) -> tuple[float, float]:
        """95% interval of one parameter (normal on the log scale)."""
        i = self.names.index(name)
        half = Z95 * self.se_log[i]
        return float(self.values[i] * np.exp(-half)), float(self.values[i] * np.exp(half))

    def table(self) -> str:
        """One line per parameter: ``name = value [low, high]``."""
        rows = []
        for n, v in zip(self.names, self.values, strict=True):
            lo, hi = self.interval(n)
            rows.append(f"{n} = {v:.4g} [{lo:.4g}, {hi:.4g}]")
        return ", ".join(rows)


def hessian(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian of a scalar function."""
    n = x.size
    out = np.empty((n, n))
    eye = np.eye(n) * h
    for i in range(n):
        for j in range(i, n):
            v = (
                f(x + eye[i] + eye[j])
                - f(x + eye[i] - eye[j])
                - f(x - eye[i] + eye[j])
                + f(x - eye[i] - eye[j])
            ) / (4 * h * h)
            out[i, j] = out[j, i] = v
    return out


def maximize(
    loglik: Callable[[np.ndarray], float],
    names: Sequence[str],
    starts: Sequence[Sequence[float]],
    clients: int,
    *,
    what: str,
) -> MLEFit:
    """Maximize ``loglik(θ)`` over θ > 0 (L-BFGS on ln θ) from the first starting point that
    converges (starts given as θ, not ln θ).

    Raises
    ------
    CalibrationError
        No start gave a finite likelihood, or the optimum runs off to 0 or infinity (the data do
        not identify the model).
    """

    def nll(z: np.ndarray) -> float:
        v = loglik(np.exp(np.clip(z, -30, 30)))
        return -v if np.isfinite(v) else 1e300

    best = None
    for start in starts:  # the next start only if this one failed (most logs need one)
        z0 = np.log(np.asarray(start, dtype=np.float64))
        res = optimize.minimize(nll, z0, method="L-BFGS-B", options={"ftol": 1e-14, "gtol": 1e-8})
        if best is None or res.fun < best.fun:
            best = res
        if res.success and res.fun < 1e300 and np.all(np.abs(res.x) < 25):
            break
    if best is None or best.fun >= 1e300:
        raise CalibrationError(f"{what}: the likelihood is not finite at any starting point")
    z = best.x
    if np.any(np.abs(z) > 25):
        raise CalibrationError(
            f"{what}: the maximum-likelihood estimate runs off to a boundary "
            f"({', '.join(f'{n} = {v:.3g}' for n, v in zip(names, np.exp(z), strict=True))}); "
            "the data do not identify this model"
        )
    try:
        cov = np.linalg.inv(hessian(nll, z))
        if np.any(np.diag(cov) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        cov = np.full((z.size, z.size), np.nan)
    return MLEFit(tuple(names), np.exp(z), float(-best.fun), cov, int(clients))
