"""Calibration: fit the model to a firm's own data or targets, and check it on data it did not see.

Three entry points, each returning a :class:`~model.studies.calibration.result.CalibrationResult` (fitted
values, 95% intervals, an explicit *not identified* list, fit quality) whose ``.write(path)`` saves a
scenario file:

- :func:`calibrate_survival` — a cohort's survival table → shifted-beta-geometric maximum likelihood
  (Fader & Hardie 2007) → ``retain.base_churn`` and ``retain.churn_heterogeneity``;
- :func:`calibrate_transactions` — a transaction log (client, date, amount) → lognormal spend
  (``market.spend_sigma``, ``market.spend_mean``) and sBG retention from clients' last purchases;
- :func:`calibrate_targets` — any subset of targets (survival or retention by tenure, annual
  retention, top-20% share, mean spend, CAC, acquisition rate, referral share, NPS) → closed forms
  where they exist, simulated moments with common random numbers otherwise.

Examples
--------
>>> from model.studies.calibration.fit import calibrate_survival
>>> from model.studies.calibration.data import fader_hardie
>>> fit = calibrate_survival(fader_hardie("regular"), fit_periods=7)
>>> round(fit.details["sbg"].gamma, 2), round(fit.details["sbg"].delta, 2)
(0.7, 1.18)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.scenario import Scenario, ScenarioError, read_toml
from model.scenario.arguments import shown
from model.studies.calibration.arguments import base_scenario, msm_settings
from model.studies.calibration.data import check_transactions, read_transactions, survival_table
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.moments import MSMSettings, Progress, fit_moments
from model.studies.calibration.notes import HAZARD_NOTE, SBG_NOTE, monthly_note
from model.studies.calibration.result import CalibrationResult
from model.studies.calibration.sbg import (
    SBGFit,
    check_fit_periods,
    fit_lifetimes,
    fit_survival,
    monthly_intervals,
    to_monthly,
)
from model.studies.calibration.spend import fit_lognormal, sigma_from_top_share
from model.studies.calibration.spend_level import SPEND_NOTE, spend_level_into
from model.studies.calibration.targets import TARGETS, target_number
from model.studies.calibration.transactions import client_spend, lifetimes

__all__ = [
    "TARGETS",
    "CalibrationError",
    "CalibrationResult",
    "MSMSettings",
    "calibrate_survival",
    "calibrate_targets",
    "calibrate_transactions",
    "read_targets",
]


#: Simulated moment -> the parameter it is fitted with.
_MSM_PARAM = {
    "annual_retention": "retain.base_churn",
    "cac": "attract.ad_p_max",
    "acquisition_rate": "attract.ad_p_max",
    "referral_share": "word_of_mouth.q_positive",
    "nps": "satisfaction.likelihood_exponent",
}

_ALWAYS_UNIDENTIFIED = {
    "retain.satisfaction_sensitivity": "no target measures how churn responds to satisfaction; NPS "
    "and retention together cannot separate it from base churn (needs churn of clients at "
    "different satisfaction, e.g. promoters vs detractors)",
}

#: A fitted sigma is the lognormal's: a base scenario with purchase-based spend would ignore it.
_LOGNORMAL = {"market.spend_distribution": "lognormal"}


def _sbg_values(
    fit: SBGFit, values: dict, intervals: dict, quality: dict, details: dict, prefix: str = ""
) -> None:
    mb = to_monthly(fit.gamma, fit.delta, fit.period_months)
    values["retain.base_churn"] = mb.base_churn
    values["retain.churn_heterogeneity"] = mb.churn_heterogeneity
    if np.all(np.isfinite(fit.cov_log)):
        intervals.update(monthly_intervals(fit))
    quality[f"{prefix}loglik"] = fit.loglik
    for name in fit.params:  # named as in Fader & Hardie (2007): α, β
        quality[f"{prefix}sbg_{name}"] = fit.estimate_text(name)
    quality[f"{prefix}clients"] = fit.clients
    quality["monthly_conversion_gap_pp"] = 100.0 * mb.max_gap
    details["sbg"] = fit
    details["monthly"] = mb


def _survival_quality(fit: SBGFit, alive: np.ndarray, fit_periods: int, quality: dict) -> None:
    """In-sample and held-out mean absolute errors of survival, in percentage points."""
    t = np.arange(alive.size)
    err = 100.0 * np.abs(fit.survival(t) - alive / alive[0])
    quality["in_sample_mae_pp"] = float(err[1 : fit_periods + 1].mean())
    if alive.size > fit_periods + 1:
        quality["out_of_sample_mae_pp"] = float(err[fit_periods + 1 :].mean())
        quality["out_of_sample_max_pp"] = float(err[fit_periods + 1 :].max())
        quality["out_of_sample_periods"] = f"{fit_periods + 1}-{alive.size - 1}"


def calibrate_survival(
    alive: np.ndarray | list[float],
    *,
    period_months: float = 12.0,
    fit_periods: int | None = None,
    base: Scenario | str | Path | None = None,
    cohort_size: float | None = None,
) -> CalibrationResult:
    """Fit ``retain.base_churn`` and ``retain.churn_heterogeneity`` to a cohort's survival table.

    Parameters
    ----------
    alive : array of float
        Clients alive at t = 0, 1, …, T (counts; ``alive[0]`` is the cohort size).
    period_months : float
        Length of one period in months (12: the table is by year).
    fit_periods : int, optional
        Fit on t = 0 … fit_periods and report the error on the rest (out of sample).
    base : Scenario or path, optional
        The scenario the values are applied to (default: built-in defaults).
    """
    alive = survival_table(alive, cohort_size=cohort_size)  # percentages need cohort_size
    last = alive.size - 1
    fit_periods = last if fit_periods is None else check_fit_periods(fit_periods, last)
    fit = fit_survival(alive, fit_periods=fit_periods, period_months=period_months)
    values: dict = {}
    intervals: dict = {}
    quality: dict = {}
    details: dict = {}
    _sbg_values(fit, values, intervals, quality, details)
    _survival_quality(fit, alive, fit_periods, quality)
    return CalibrationResult(
        base_scenario(base),
        values,
        intervals,
        dict(_ALWAYS_UNIDENTIFIED),
        quality,
        details,
        [SBG_NOTE, monthly_note(fit.period_months), HAZARD_NOTE],
    )


def calibrate_transactions(
    log: pd.DataFrame | str | Path,
    *,
    period_months: float = 12.0,
    base: Scenario | str | Path | None = None,
) -> CalibrationResult:
    """Fit spend (lognormal) and retention (sBG on last-purchase lifetimes) to a transaction log.

    Parameters
    ----------
    log : DataFrame or path
        Columns client, date, amount (see :mod:`model.studies.calibration.data`).
    period_months : float
        The retention period in months (12: clients churn when a whole year passes without a
        purchase, and none follows).
    """
    if not isinstance(log, str | Path | pd.DataFrame):  # (an AttributeError from deep inside)
        raise CalibrationError(
            f"log: value {type(log).__name__} is not allowed; allowed: a CSV path or a DataFrame "
            "with columns client, date, amount"
        )
    log = read_transactions(log) if isinstance(log, (str, Path)) else check_transactions(log)
    spend = fit_lognormal(client_spend(log).to_numpy())
    values = {**_LOGNORMAL, "market.spend_sigma": spend.sigma, "market.spend_mean": spend.mean}
    intervals = {
        "market.spend_sigma": spend.interval("sigma"),
        "market.spend_mean": spend.interval("mean"),
    }
    quality: dict = {
        "spend_clients": spend.clients,
        "top20_share_observed": spend.top20_observed,
        "top20_share_lognormal": spend.top20_fitted,
        "spend_per_month_mean": spend.mean,  # currency/month per client (not per purchase)
    }
    details: dict = {"spend": spend}
    notes = [
        "Spend: each client's mean monthly spend = total / months from first to last purchase "
        "(inclusive); lognormal maximum likelihood (sigma = sd of log spend, se = sigma/sqrt(2n)); "
        "spend_mean = exp(mu + sigma^2/2).",
    ]
    not_identified = dict(_ALWAYS_UNIDENTIFIED)
    try:
        lt = lifetimes(log, period_months=period_months)
        fit = fit_lifetimes(lt.deaths, lt.censored, period_months=period_months)
    except CalibrationError as exc:
        not_identified["retain.base_churn"] = f"retention not estimable from this log: {exc}"
        not_identified["retain.churn_heterogeneity"] = "as retain.base_churn"
    else:
        _sbg_values(fit, values, intervals, quality, details)
        km = lt.survival_table()
        t = np.arange(km.size)
        quality["in_sample_mae_pp"] = float(100 * np.abs(fit.survival(t) - km)[1:].mean())
        details["lifetimes"] = lt
        notes += [
            "Retention: a client is alive in a tenure period if it buys then or later; lifetimes "
            "right-censored at the last complete period observed; " + SBG_NOTE,
            monthly_note(fit.period_months),
            HAZARD_NOTE,
        ]
    return CalibrationResult(
        base_scenario(base), values, intervals, not_identified, quality, details, notes
    )


def read_targets(path: str | Path) -> dict[str, Any]:
    """Read a targets TOML file (keys at top level or under ``[targets]``); checks the names."""
    data, _ = read_toml(path, "targets file", CalibrationError)
    targets = data.get("targets", data)
    if not isinstance(targets, dict):
        raise CalibrationError(f"targets file {str(path)!r}: [targets] must be a table")
    for key, value in targets.items():  # a list target is a flat list of numbers
        if isinstance(value, list) and not all(_istarget_number(v) for v in value):
            raise CalibrationError(
                f"{key}: value {str(value)[:60]} is not allowed; allowed: a list of numbers"
            )
    return dict(targets)


def _istarget_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def calibrate_targets(
    targets: Mapping[str, Any] | str | Path,
    *,
    base: Scenario | str | Path | None = None,
    settings: MSMSettings | Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> CalibrationResult:
    """Estimate the parameters that drive the given targets (any subset of :data:`TARGETS`).

    Closed forms first: a survival table or retention by tenure → sBG; a top-20% share → σ of a
    lognormal (σ = z₀.₈ + Φ⁻¹(share)). Then simulated moments
    (common random numbers, :mod:`model.studies.calibration.moments`) for annual retention
    (``retain.base_churn``), CAC and acquisition rate (``attract.ad_p_max``), referral share
    (``word_of_mouth.q_positive``) and NPS (``satisfaction.likelihood_exponent``), starting from
    the closed-form values; a mean spend → ``market.spend_mean``, rescaled by simulation after
    them until the runs' revenue per client served a month meets it
    (:mod:`~model.studies.calibration.spend_level`: a new client's spend, which tenure raises).
    What the targets cannot pin down is listed in ``not_identified``;
    ``progress`` watches the simulated fit (:func:`~model.studies.calibration.moments.fit_moments`).
    """
    if isinstance(targets, str | Path):
        path = str(targets)
        try:
            return calibrate_targets(
                read_targets(targets), base=base, settings=settings, progress=progress
            )
        except CalibrationError as exc:  # a target's error names the file it is in
            first = str(exc).partition(":")[0]
            if first in TARGETS or first == "targets":
                raise CalibrationError(f"targets file {path!r}: {exc}") from None
            raise
    if not isinstance(targets, Mapping):
        raise CalibrationError(
            f"targets: value {shown(targets)} is not allowed; allowed: a mapping of target to "
            "value (e.g. {'annual_retention': 0.8}) or a targets file's path"
        )
    settings = msm_settings(settings)
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        raise CalibrationError(
            f"targets: unknown {', '.join(map(repr, unknown))}; allowed: {', '.join(TARGETS)}"
        )
    if not set(targets) - {"cohort_size", "period_months"}:
        raise CalibrationError(f"targets: none given; allowed: {', '.join(TARGETS)}")
    scenario = base_scenario(base)
    values, intervals, quality, details, no_interval = {}, {}, {}, {}, {}
    notes: list[str] = []
    not_identified = dict(_ALWAYS_UNIDENTIFIED)

    # --- retention: closed form from a survival curve
    alive = None
    period = target_number(targets, "period_months", 0, 120) if "period_months" in targets else 12.0
    if "survival" in targets and "retention_by_tenure" in targets:
        raise CalibrationError("targets: give survival or retention_by_tenure, not both")
    if "survival" in targets:
        size = (
            target_number(targets, "cohort_size", 1, 1e12, open_lo=False)
            if "cohort_size" in targets
            else None
        )
        alive = survival_table(targets["survival"], origin="targets: survival", cohort_size=size)
    elif "retention_by_tenure" in targets:
        rates = np.asarray(targets["retention_by_tenure"], dtype=float)
        if rates.ndim != 1 or rates.size < 2 or np.any(~((rates > 0) & (rates <= 1))):
            raise CalibrationError(
                f"retention_by_tenure: value {targets['retention_by_tenure']!r} is not allowed; "
                "allowed: at least two shares 0 < r ≤ 1 (years 1, 2, …)"
            )
        if "cohort_size" not in targets:
            raise CalibrationError(
                "cohort_size: missing; retention_by_tenure needs the number of clients the rates "
                "were measured on (the intervals depend on it)"
            )
        n = target_number(targets, "cohort_size", 1, 1e12, open_lo=False)
        alive = np.round(n * np.concatenate([[1.0], np.cumprod(rates)]))
    if alive is not None:
        fit = fit_survival(alive, period_months=period)
        _sbg_values(fit, values, intervals, quality, details)
        _survival_quality(fit, alive, alive.size - 1, quality)
        notes += [SBG_NOTE, monthly_note(fit.period_months)]

    # --- spend: closed forms
    if "top20_share" in targets:
        share = target_number(targets, "top20_share", 0.2, 1.0, open_hi=True)  # (σ → ∞ at 1)
        values.update(_LOGNORMAL, **{"market.spend_sigma": sigma_from_top_share(share)})
        notes.append(
            "spend_sigma from the top-20% share of a lognormal: share = Phi(sigma - z_0.8), "
            "sigma = z_0.8 + Phi^-1(share); exact, no interval (the share is taken as exact)."
        )
    spend = target_number(targets, "mean_spend", 0, 1e7) if "mean_spend" in targets else None
    if spend is not None:  # (where the search starts: a new client spends less than the mean)
        values["market.spend_mean"] = spend
    elif "top20_share" in targets:
        not_identified["market.spend_mean"] = "a spend share says nothing about the spend level"

    # --- simulated moments
    moments = {k: targets[k] for k in _MSM_PARAM if k in targets}
    limits = {
        "annual_retention": (0.0, 1.0),
        "cac": (0.0, 1e9),
        "acquisition_rate": (0.0, 1.0),
        "referral_share": (0.0, 1.0),
        "nps": (-100.0, 100.0),
    }
    for k in moments:
        moments[k] = target_number(targets, k, *limits[k], open_lo=k != "nps")
    if alive is None and "annual_retention" in moments:
        not_identified["retain.churn_heterogeneity"] = (
            "one aggregate retention rate cannot separate mean churn from its spread across clients; "
            "needs retention by tenure year (a survival table)"
        )
    if "cac" in moments or "acquisition_rate" in moments:
        not_identified["attract.ad_scale"] = (
            "one ad budget shows only p_max(1 - exp(-budget/scale)): needs acquisitions at two or "
            "more ad budgets"
        )
        not_identified["attract.conversion_max"] = (
            "acquisitions = awareness x conversion; without an awareness or conversion rate the "
            "two cannot be separated (ad_p_max absorbs both)"
        )
    if "nps" in moments:
        not_identified.setdefault(
            "satisfaction.absolute_weight",
            "NPS is one number; it pins the satisfaction-to-score mapping "
            "(likelihood_exponent) given the satisfaction dynamics, not the dynamics themselves",
        )
    if moments:
        params = list(dict.fromkeys(_MSM_PARAM[k] for k in moments))
        start = scenario.with_overrides(values) if values else scenario
        owners = {p: [k for k in moments if _MSM_PARAM[k] == p] for p in params}
        msm = fit_moments(start, params, moments, settings, progress=progress, owners=owners)
        values.update(msm.values)
        intervals.update(msm.intervals)
        quality.update(msm.quality(), msm_evaluations=msm.evaluations)
        # A bound, or a target missed, is no fit: no interval around it, and said so.
        missed: dict[str, str] = {}  # (cac and acquisition_rate share one parameter)
        for k, why in msm.unreached().items():
            missed[_MSM_PARAM[k]] = "; ".join(
                filter(None, (missed.get(_MSM_PARAM[k]), f"{k} NOT REACHED: {why}"))
            )
        for p, bound in msm.at_bound().items():
            missed[p] = f"stopped at the bound {bound:g} of its range; " + missed.get(p, "")
        for p in (p for p in msm.values if p not in msm.intervals):
            no_interval[p] = "no interval: " + (
                "no refit with other seeds reached its target"
                if msm.missed_refits.get(p)
                else "no refits with other seeds (replicates = 0)"
            )
        for p, why in missed.items():
            no_interval[p], notes = f"no interval: {why.rstrip('; ')}", [*notes, f"{p}: {why}"]
            intervals.pop(p, None)
        details["msm"] = msm
        s = settings
        notes.append(
            f"Simulated moments: {s.clients} clients, months {s.burn_in + 1}-{s.months}, seeds "
            f"{list(s.seeds)} for every evaluation (common random numbers); intervals = fitted value "
            f"times and divided by exp(t(0.975, k df) sd of the log values over the k of "
            f"{s.replicates} refits with other seeds that reached the parameter's target, plus the "
            "main fit): on the log scale the fit searches, so they stay positive (simulation error "
            "only; the targets are taken as exact)."
        )
        notes += [line for line in (msm.spread_note(len(s.seeds)), msm.refit_note()) if line]
        if alive is not None and "annual_retention" in moments:
            notes.append(
                "base_churn: the survival curve fixed heterogeneity; annual_retention then re-fitted "
                "base_churn by simulation, so the whole model (satisfaction, gap) hits it."
            )
    # (after the moments: their fitted churn moves the clients' tenure, and so the mean spend,
    # while the spend level moves no moment)
    level = spend_level_into(values, scenario, spend, settings, progress)
    if level is not None:
        quality.update(level.quality(), spend_evaluations=level.evaluations)
        missed = "" if level.reached() else f"mean_spend NOT REACHED: {level.simulated:.4g}; "
        no_interval["market.spend_mean"] = f"no interval: {missed}{SPEND_NOTE}"
        notes.append(level.spread_note(len(settings.seeds)))
    try:
        scenario.with_overrides(values)
    except ScenarioError as exc:
        raise CalibrationError(
            f"the fitted values fall outside the parameters' ranges: {exc}"
        ) from None
    return CalibrationResult(
        scenario, values, intervals, not_identified, quality, details, notes, no_interval
    )
