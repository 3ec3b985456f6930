"""Method of simulated moments: fit a few parameters so that simulated moments hit targets.

Each evaluation runs the scenario in a small market for a few seeds and averages moments over a
window after a burn-in. The seeds are fixed across evaluations (common random numbers), so the
objective moves only with the parameters, not with fresh noise; the optimizer is
``scipy.optimize.least_squares`` on transformed parameters (log scale, so they stay positive) with a
wide finite-difference step to step over what noise is left. Uncertainty: the fit is repeated with
other seed sets (a bootstrap over seeds); the spread is the simulation error of the estimate. The
targets themselves are taken as exact — give their sampling error separately if you know it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from model.engine.ledger import ACQUISITION_LINES
from model.scenario import PARAMS, Scenario
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.polish import polish
from model.studies.calibration.settings import MSMSettings
from model.studies.progress import Progress, or_silent
from model.studies.run import simulate_many
from model.studies.stats import one_run_spread

__all__ = ["MOMENTS", "MSMFit", "MSMSettings", "fit_moments", "simulated_moments", "tolerance"]


def _window(ts: pd.DataFrame, burn: int) -> pd.DataFrame:
    return ts.iloc[burn:]


def _at_start(w: pd.DataFrame) -> pd.Series:
    """Active clients at the start of each month: its end count less the month's flows."""
    return w["active"] - w["acquired"] - w["won_back"] + w["churned"]


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den > 0 else float("nan")


#: target name -> (unit, how a run's monthly table gives the moment)
MOMENTS: dict[str, tuple[str, Callable[[pd.DataFrame], float]]] = {
    "annual_retention": (
        "share/year",
        # (1 − churned / clients at the start of the month)^12, pooled over the window; the
        # start is the month's end less its flows (conservation, docs/ODD.md §1.3), so the
        # window's first month has its own start, not its end (a shift after the cut gave that)
        lambda w: (1.0 - _ratio(w["churned"].sum(), _at_start(w).sum())) ** 12,
    ),
    "cac": (
        "currency/acquisition",
        lambda w: _ratio(sum(w[k].sum() for k in ACQUISITION_LINES), w["acquired"].sum()),
    ),
    "acquisition_rate": (
        "acquisitions/month per active client",
        lambda w: _ratio(w["acquired"].sum(), w["active"].sum()),
    ),
    "referral_share": (
        "share of acquisitions",
        lambda w: _ratio(w["acquired_referral"].sum(), w["acquired"].sum()),
    ),
    "nps": ("points", lambda w: float(w["nps"].mean())),
    # What a firm's books call its mean spend: revenue per client served a month, pooled over
    # the window (a client's spend grows with tenure: market.spend_mean is a new client's).
    "mean_spend": (
        "currency/client-month",
        lambda w: _ratio(w["revenue"].sum(), _at_start(w).sum()),
    ),
}


def simulated_moments(
    scenario: Scenario,
    names: Sequence[str],
    settings: MSMSettings,
    seeds: Sequence[int],
    progress: Progress | None = None,
) -> np.ndarray:
    """Moments ``names`` for ``scenario``: one row per seed, one column per moment.

    ``progress`` (:mod:`model.studies.progress`) counts the runs, one per seed.
    """
    out = np.empty((len(seeds), len(names)))
    sized = {"run.months": settings.months, "market.clients": settings.clients}
    runs = simulate_many([scenario.with_overrides({**sized, "run.seed": s}) for s in seeds])
    for i, run in enumerate(runs):
        w = _window(run.timeseries, settings.burn_in)
        out[i] = [MOMENTS[name][1](w) for name in names]
    or_silent(progress).update(len(seeds))
    return out


@dataclass(frozen=True)
class MSMFit:
    """A simulated-moments fit.

    Attributes
    ----------
    values : dict
        Fitted parameter → value.
    intervals : dict
        Parameter → (low, high): the fitted value times and divided by exp(Student's t (95%,
        replicates degrees of freedom) × the spread of the log values over seed-set replicates)
        — ± on the log scale the fit searches, so it stays positive (none without replicates).
    targets, fitted, mc_se : dict
        Moment → target, simulated value at the fit, and its Monte-Carlo standard error (over seeds).
    evaluations : int
        Simulated evaluations used by the main fit.
    replicate_values : dict of str to list of float
        Per parameter, its values in the refits with other seeds that reached its own moments
        (its interval's draws).
    missed_refits : dict of str to int
        Per parameter, the refits that missed its own moments, left out of its interval.
    """

    values: dict[str, float]
    intervals: dict[str, tuple[float, float]]
    targets: dict[str, float]
    fitted: dict[str, float]
    mc_se: dict[str, float]
    evaluations: int
    replicate_values: dict[str, list[float]] = field(default_factory=dict)
    missed_refits: dict[str, int] = field(default_factory=dict)

    def refit_note(self) -> str:
        """Which refits with other seeds each parameter's interval leaves out (they missed its
        own moments), or ``""``."""
        left = [
            f"{p}: {n} of {n + len(self.replicate_values.get(p, []))}"
            + ("" if self.replicate_values.get(p) else ", so no interval")
            for p, n in self.missed_refits.items()
            if n
        ]
        return (
            "refits with other seeds that missed a parameter's own target are left out of its "
            f"interval ({'; '.join(left)})"
            if left
            else ""
        )

    def errors(self) -> dict[str, float]:
        """Simulated minus target, per moment (in the moment's unit)."""
        return {k: self.fitted[k] - self.targets[k] for k in self.targets}

    def quality(self) -> dict[str, float]:
        """Per moment: the target, the simulated value at the fit, its Monte-Carlo SE, the error."""
        out: dict[str, float] = {}
        for k, err in self.errors().items():
            out.update({f"{k}_target": self.targets[k], f"{k}_simulated": self.fitted[k],
                        f"{k}_mc_se": self.mc_se[k], f"{k}_error": err})  # fmt: skip
        return out

    def spread_note(self, seeds: int) -> str:
        """What one run on another seed gives around the fitted moments: each moment's 95%
        prediction interval from the ``seeds`` runs the fit averaged
        (:func:`~model.studies.stats.one_run_spread`; a run of the fitted file on seeds 1-6 read
        0.90 [0.88, 0.92] for a retention fitted to 0.88 on seeds 101-104, and looked like a
        failed fit)."""
        spreads = {k: one_run_spread(se * np.sqrt(seeds), seeds) for k, se in self.mc_se.items()}
        spread = ", ".join(f"{k} ± {h:.3g}" for k, (h, _) in spreads.items() if np.isfinite(h))
        few = next((caveat for _, caveat in spreads.values() if caveat), "")
        return (
            f"One run of the fitted scenario on another seed (retention run --seed), in a market of "
            f"the fit's size, lands within about {spread} of the fitted values (a 95% prediction "
            f"interval from the sd over the fit's {seeds} seeds{few}); the fit's own seeds are "
            "those named above, and a mean over more runs is nearer."
            if spread
            else ""
        )

    def at_bound(self) -> dict[str, float]:
        """Fitted parameters that stopped at a bound of their range (the bound): there the fit
        could not move further toward its targets."""
        out = {}
        for p, v in self.values.items():
            lo, hi = _bounds(p)
            if v <= lo * (1 + 1e-6) or (np.isfinite(hi) and v >= hi * (1 - 1e-6)):
                out[p] = lo if v <= lo * (1 + 1e-6) else hi
        return out

    def unreached(self, relative: float = 0.05) -> dict[str, str]:
        """Moments the fit did not reach, each with the closest value the model gave: farther
        from the target than :func:`tolerance` (``relative`` of it, of the churn for a retention).

        The fit's value is measured on the seeds it was fitted on (common random numbers), so
        its distance from the target is the search's, not noise: it is not excused by the
        Monte-Carlo SE (which excused a retention of 0.84 fitted to 0.88: 3.8 points, a third
        more churn, within three SEs of one run's spread)."""
        out = {}
        for k, err in self.errors().items():
            far = abs(err) > tolerance(k, self.targets[k], relative)
            if far or not np.isfinite(err):  # (a moment the runs left undefined: no fit)
                out[k] = (
                    f"target {self.targets[k]:.4g}, the fit's {self.fitted[k]:.4g} "
                    f"(Monte-Carlo SE {self.mc_se[k]:.2g})"
                )
        return out


def tolerance(moment: str, target: float, relative: float = 0.05) -> float:
    """How far a fitted moment may lie from its target (in its unit): ``relative`` of the
    target; for an annual retention, of the churn it leaves (1 − target: 0.6 points at 0.88,
    not 4.4), and for an NPS at least 1 point."""
    if moment == "annual_retention":
        return relative * max(1.0 - target, 1e-3)
    return max(relative * abs(target), 1.0 if moment == "nps" else 1e-9)


def _bounds(key: str) -> tuple[float, float]:
    info = PARAMS[key]
    lo = info.lower if info.lower is not None else 0.0
    hi = info.upper if info.upper is not None else np.inf
    return max(lo, 1e-6), hi


def _fit_once(
    base: Scenario,
    params: Sequence[str],
    targets: dict[str, float],
    scale: dict[str, float],
    settings: MSMSettings,
    seeds: Sequence[int],
    start: dict[str, float],
    progress: Progress | None = None,
    owners: Mapping[str, Sequence[str]] | None = None,
) -> tuple[dict[str, float], int, dict[str, bool]]:
    """One fit on ``seeds``: the values, the evaluations, and whether each moment reached its
    :func:`tolerance`."""
    names = list(targets)
    goal = np.array([targets[n] for n in names])
    den = np.array([scale[n] for n in names])
    bounds = [_bounds(p) for p in params]
    lo = np.log([b[0] for b in bounds])
    hi = np.log([b[1] for b in bounds])
    x0 = np.clip(np.log([max(start[p], 1e-6) for p in params]), lo + 1e-9, hi - 1e-9)
    calls = 0
    last: dict[str, np.ndarray] = {}

    def resid(x: np.ndarray) -> np.ndarray:
        nonlocal calls
        calls += 1
        sc = base.with_overrides(dict(zip(params, np.exp(x).tolist(), strict=True)))
        sim = simulated_moments(sc, names, settings, seeds, progress).mean(axis=0)
        r = (sim - goal) / den
        last["x"], last["r"] = x.copy(), np.where(np.isfinite(r), r, 1e3)
        return last["r"]

    def jac(x: np.ndarray) -> np.ndarray:
        # Forward differences of _DIFF_STEP · max(1, |x|) in log-parameter space (see there),
        # backward at an upper bound. scipy's diff_step is relative to |x|: at a parameter of 1 (x = 0) it
        # fell back to a step of 1e-8, across which moments on common random numbers do not
        # move, and the fit stopped where it started, a reachable target "NOT REACHED".
        r0 = last["r"] if "x" in last and np.array_equal(last["x"], x) else resid(x)
        out = np.empty((r0.size, x.size))
        for i in range(x.size):
            h = _DIFF_STEP * max(1.0, abs(float(x[i])))
            h = h if x[i] + h <= hi[i] else -h
            moved = x.copy()
            moved[i] += h
            out[:, i] = (resid(moved) - r0) / h
        return out

    res = optimize.least_squares(
        resid, x0, jac=jac, bounds=(lo, hi), xtol=1e-2, ftol=1e-3, max_nfev=30
    )
    # Where the joint search stopped short of a target, one parameter at a time from there.
    tol = np.array([tolerance(n, targets[n]) for n in names]) / den
    x = res.x
    r = last["r"] if "x" in last and np.array_equal(last["x"], x) else resid(x)
    if not np.all(np.abs(r) <= tol):
        own = [[names.index(m) for m in owners[p]] for p in params] if owners else None
        x = polish(resid, x, lo, hi, tol, own, start=r)
        r = last["r"] if np.array_equal(last["x"], x) else resid(x)
    hits = dict(zip(names, (np.abs(r) <= tol).tolist(), strict=True))
    return dict(zip(params, np.exp(x).tolist(), strict=True)), calls, hits


#: The finite-difference step of the moments fit in log-parameter space, times max(1, |x|): as
#: scipy's relative ``diff_step`` of 0.05 was for |x| ≥ 1 (a parameter below 1/e or above e: at a
#: churn of 0.01, x = −4.6, a step of 0.23, a quarter of its value), and 5% of the parameter
#: within that range, where scipy's shrank toward 0 and fell back to 1e-8 at x = 0.
_DIFF_STEP = 0.05


def fit_moments(
    base: Scenario,
    params: Sequence[str],
    targets: dict[str, float],
    settings: MSMSettings | None = None,
    scale: Mapping[str, float] | None = None,
    progress: Progress | None = None,
    owners: Mapping[str, Sequence[str]] | None = None,
) -> MSMFit:
    """Fit ``params`` so that the simulated ``targets`` moments match (least squares).

    ``owners`` names the moments each parameter is fitted to, for the one-at-a-time finish
    (:func:`~model.studies.calibration.polish.polish`; default: every moment). A refit with other
    seeds that misses a parameter's own moments is left out of that parameter's interval
    (``missed_refits`` counts them).

    Each moment's residual is scaled by |target| (or 1 when the target is near 0, e.g. NPS), so
    moments in different units weigh alike; ``scale`` overrides that per moment (e.g. the part of
    a CAC that the fitted parameter can move, when a fixed onboarding cost dominates it). Raises
    :class:`CalibrationError` for an unknown moment or parameter, or more parameters than moments.
    ``progress`` (:mod:`model.studies.progress`) counts the simulated runs and names the fit under
    way ("fit 1 of 3": the main fit, then one refit per replicate).
    """
    settings = settings or MSMSettings()
    for name in targets:
        if name not in MOMENTS:
            raise CalibrationError(f"target {name!r}: unknown; allowed: {', '.join(MOMENTS)}")
    for p in params:
        if p not in PARAMS:
            raise CalibrationError(f"parameter {p!r}: unknown")
    if len(params) > len(targets):
        raise CalibrationError(
            f"{len(params)} parameters cannot be identified from {len(targets)} targets"
        )
    owners = {p: list(targets) for p in params} if owners is None else dict(owners)
    for p in params:  # (each parameter's own moments, among the targets)
        if not owners.get(p) or not set(owners[p]) <= set(targets):
            raise CalibrationError(
                f"owners: value {owners.get(p)!r} for {p!r} is not allowed; allowed: one or "
                f"more of the targets ({', '.join(targets)})"
            )
    default = {n: max(abs(v), 1.0 if n == "nps" else 1e-3) for n, v in targets.items()}
    scale = default | dict(scale or {})
    flat = base.flat()
    start = {p: float(flat[p]) for p in params}
    progress = or_silent(progress)
    fits = 1 + settings.replicates
    progress.set_description_str(f"calibrate: fit 1 of {fits}")
    values, calls, _ = _fit_once(
        base, params, targets, scale, settings, settings.seeds, start, progress, owners
    )
    fitted_sc = base.with_overrides(values)
    sims = simulated_moments(fitted_sc, list(targets), settings, settings.seeds, progress)
    fitted = dict(zip(targets, sims.mean(axis=0).tolist(), strict=True))
    mc_se = dict(
        zip(
            targets, (sims.std(axis=0, ddof=1) / np.sqrt(len(settings.seeds))).tolist(), strict=True
        )
        if len(settings.seeds) > 1
        else dict.fromkeys(targets, float("nan"))
    )
    kept: dict[str, list[float]] = {p: [] for p in params}
    missed = dict.fromkeys(params, 0)
    for r in range(settings.replicates):
        seeds = [s + 1000 * (r + 1) for s in settings.seeds]
        progress.set_description_str(f"calibrate: fit {r + 2} of {fits} (other seeds)")
        rep, _, hits = _fit_once(
            base, params, targets, scale, settings, seeds, values, progress, owners
        )
        # (a refit that missed a parameter's own moments is no draw of its estimate: one at
        # 7.5e-06 gave an advertising reach the interval [1.2e-08, 1]; another parameter's
        # miss, an unreachable CAC, says nothing of the churn's)
        for p in params:
            if all(hits[m] for m in owners[p]):
                kept[p].append(rep[p])
            else:
                missed[p] += 1
    intervals = {}
    for p in params:
        if not kept[p]:  # (no refit reached, or none asked for: no interval, not [nan, nan])
            continue
        # Student's t with the fits' degrees of freedom: ±1.96 sd over three fits covered about
        # 86% (two degrees of freedom need 4.30).
        t95 = float(stats.t.ppf(0.975, len(kept[p])))
        # On the log scale the fit searches (every fitted parameter is positive): value ± t·sd
        # there, so the interval stays positive (on the raw scale a churn rate's reached −0.0006).
        logs = np.log([*kept[p], values[p]])
        sd = float(np.std(logs, ddof=1))
        centre = float(np.log(values[p]))
        # (within the parameter's allowed range: a monthly probability's reached 20)
        low, high = PARAMS[p].lower, PARAMS[p].upper
        intervals[p] = (
            max(float(np.exp(centre - t95 * sd)), low if low is not None else 0.0),
            min(float(np.exp(centre + t95 * sd)), high if high is not None else np.inf),
        )
    return MSMFit(values, intervals, dict(targets), fitted, mc_se, calls, kept, missed)
