"""``retention calibrate --transactions``: a raw log → the setting, the fits, the holdout, a scenario.

Non-contractual (only purchases seen): BG/NBD and Pareto/NBD purchase-and-dropout models and the
Gamma-Gamma spend model, by maximum likelihood on the calibration period (default: the log's first
half), mapped into the model's parameters (:mod:`~model.studies.calibration.purchases`) and checked
on the holdout against the clients' actual purchases, the agent-based model's forecast beside the
statistical ones (:mod:`~model.studies.calibration.holdout`). Contractual (clients seen to leave):
the sBG on lifetimes (:func:`~model.studies.calibration.fit.calibrate_transactions`).

The likelihoods are written out in closed form and maximized with scipy (checked against the
published CDNOW fits, tests/test_transactions_cdnow.py) rather than taken from a library: the
Python implementations are ``lifetimes`` (unmaintained since 2020, written before numpy 2 and
pandas 2; it still ships the CDNOW data this project reads), its fork ``btyd`` (pins pymc < 5 and
autograd 1.4) and ``pymc-marketing`` (Bayesian, on pymc and pytensor: a heavy stack for a
four-parameter maximum likelihood).

Examples
--------
>>> from model.studies.calibration import cdnow
>>> from model.studies.calibration.from_log import calibrate_log
>>> fit = calibrate_log(cdnow.path(), cdnow.FORMAT, split=cdnow.CALIBRATION_END, agent=False)
>>> fit.details["setting"].name
'non-contractual'
>>> {k: round(v, 3) for k, v in fit.details["bgnbd"].params.items()}
{'r': 0.243, 'α': 4.414, 'a': 0.793, 'b': 2.426}
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from model.scenario import PARAMS, Scenario, ScenarioError
from model.studies.calibration import bgnbd, gamma_gamma, pareto_nbd
from model.studies.calibration.arguments import base_scenario
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.fit import _ALWAYS_UNIDENTIFIED, calibrate_transactions
from model.studies.calibration.holdout import COHORT, agent_cohort, check
from model.studies.calibration.logs import LogFormat, merge_notice, read_log
from model.studies.calibration.notes import HAZARD_NOTE
from model.studies.calibration.purchases import DAYS_PER_MONTH, to_model
from model.studies.calibration.result import CalibrationResult
from model.studies.calibration.rfm import history
from model.studies.calibration.sbg import check_period_months
from model.studies.calibration.setting import infer_setting
from model.studies.progress import Progress, or_silent

__all__ = ["calibrate_log"]


def _unused(given: str, why: str, read_as: str, setting: str | None, reason: str) -> None:
    """An option the log's setting does not use: refused when that setting was asked for (asked
    for both), else warned of (the setting was inferred), never silently ignored."""
    if setting == read_as:
        raise CalibrationError(f"{given} is not allowed with setting {read_as!r}; {why}")
    warnings.warn(f"{given} is not used; {why}; the log was read as {read_as}: {reason}",
                  stacklevel=3)  # fmt: skip


def simulated_gap(cohort, pn, unit_days: float, months: int = 36) -> float:
    """The largest gap, in percentage points, between the fitted scenario's simulated cohort
    (:class:`~model.studies.calibration.holdout.AgentCohort`) and the Pareto/NBD survival ``pn``
    (fitted in units of ``unit_days`` days) at tenures of 1 to ``months`` months (or as many as
    were simulated)."""
    m = np.arange(1, min(months, len(cohort.alive)) + 1)
    fitted = pareto_nbd.survival(pn.values, m * DAYS_PER_MONTH / unit_days)
    return float(100.0 * np.max(np.abs(cohort.alive[m - 1] - fitted)))


def _capped_shapes(values: dict[str, float | str]) -> dict[str, str]:
    """Cap a fitted Gamma shape above its parameter's upper bound at that bound (in place) and
    say so: a log whose clients buy at nearly one rate, or spend nearly one amount, fits a shape
    of thousands, which stopped the whole calibration ("value 3184… is not allowed"); a shape
    of 100 is already nearly alike (a coefficient of variation of 10%). Returns a note by key."""
    notes = {}
    for key in ("market.purchase_rate_shape", "market.purchase_value_shape"):
        value, upper = values.get(key), PARAMS[key].upper
        if isinstance(value, float) and upper is not None and value > upper:
            values[key] = float(upper)
            notes[key] = (
                f"{key}: fitted {value:.4g}, above its range (≤ {upper:g}): the log's clients "
                f"are nearly alike in it; capped at {upper:g} (a coefficient of variation of "
                f"{100 / upper**0.5:.0f}%)."
            )
    return notes


def _fmt_fit(name: str, f) -> str:
    return f"{name}: {f.table()} (ln L = {f.loglik:.1f}, {f.clients} clients)"


def calibrate_log(
    log: str | Path | pd.DataFrame,
    fmt: LogFormat | None = None,
    *,
    setting: str | None = None,
    split=None,
    period_months: float | None = None,
    base: Scenario | str | Path | None = None,
    agent: bool = True,
    progress: Progress | None = None,
) -> CalibrationResult:
    """Calibrate to a transaction log, saying which setting was used and why.

    Parameters
    ----------
    log : path or DataFrame
        The raw log (see :class:`~model.studies.calibration.logs.LogFormat` for its columns).
    setting : {"contractual", "non-contractual", "auto", None}
        Inferred from the log when None or "auto" (:func:`~model.studies.calibration.setting.infer_setting`).
    split : date-like, optional
        Last day of the calibration period (default: the log's middle day).
    period_months : float, optional
        Contractual only: months without a payment that count as a departure (0 < x ≤ 120;
        default 12). Given with ``setting="non-contractual"`` it is refused; with a setting
        inferred as non-contractual, warned of as unused.
    agent : bool
        Also simulate the fitted scenario as a cohort and add its holdout forecast.
    progress : Progress, optional
        Told each step as it starts and each simulated run of the cohort
        (:mod:`model.studies.progress`).
    """
    progress = or_silent(progress)
    if period_months is not None:
        check_period_months(period_months)  # (before the log is read: a slip said at once)
    progress.set_description_str("calibrate: reading the log")
    purchases = read_log(log, fmt)
    chosen = infer_setting(purchases, setting)
    if chosen.name != "contractual" and period_months is not None:
        _unused(
            f"period_months: value {period_months!r}",
            "a non-contractual log's departures are not observed (BG/NBD and Pareto/NBD infer "
            "them)",
            "non-contractual", setting, chosen.reason,
        )  # fmt: skip
    period_months = 12.0 if period_months is None else float(period_months)
    # Rows folded into one purchase (a double export doubles spend) are said, as the setting is.
    merged = merge_notice(purchases)
    if chosen.name == "contractual" and split is not None:
        _unused(
            f"split: value {split!r}",
            "a contractual log is fitted whole (renewals: no calibration period and holdout to "
            "split it into)",
            "contractual", setting, chosen.reason,
        )  # fmt: skip
    if chosen.name == "contractual":
        ids = purchases.attrs["client_ids"]
        frame = pd.DataFrame(
            {
                "client": ids[purchases["client"].to_numpy()],
                "date": purchases["date"],
                "amount": purchases["amount"].fillna(0.0),
            }
        )
        progress.set_description_str("calibrate: fitting lifetimes (sBG)")
        res = calibrate_transactions(frame, period_months=period_months, base=base)
        res.details["setting"] = chosen
        res.details["merged"] = merged
        res.notes[:0] = [f"Setting: {chosen.reason}.", *([merged] if merged else [])]
        return res
    h = history(purchases, split)
    progress.set_description_str("calibrate: fitting BG/NBD, Pareto/NBD and Gamma-Gamma")
    # (The optimizers' trial points may overflow; a fit is judged by its result, not by numpy's
    # warnings on the way, which reached a user's terminal even with --quiet.)
    with np.errstate(all="ignore"):
        bg = bgnbd.fit(h.x, h.t_x, h.T)
        pn = pareto_nbd.fit(h.x, h.t_x, h.T)
        has_amounts = bool(np.isfinite(purchases["amount"]).any())
        gg = gamma_gamma.fit(h.x, h.value) if has_amounts else None
    mapped = to_model(pn, gg, h.unit_days)
    scenario = base_scenario(base)
    values = dict(mapped.values)
    capped = _capped_shapes(values)  # (a log whose clients all buy alike: r → ∞)
    # Gamma-Gamma's mean spend per purchase is finite only for q > 1 (a heavier tail has none):
    # then spend is not mapped (purchases.to_model), as with no amounts at all.
    spends = gg is not None and gg.values[1] > 1
    agent_fc = None
    if agent and spends:
        months = int(np.ceil((h.end - h.start).days / DAYS_PER_MONTH)) + 1
        progress.set_description_str("calibrate: holdout forecast (simulating the cohort)")
        agent_fc = agent_cohort(
            _applied(scenario, values),
            h.clients,
            months,
            mapped.spend_per_purchase,
            progress=progress,
        )
    hold = check(h, bg, pn, agent_fc)
    quality: dict = {
        "setting": chosen.name,
        "clients": h.clients,
        "clients_after_split": h.later_clients,
        "calibration_period": f"{h.start.date()} to {h.split.date()} ({h.T.max():.1f} weeks)",
        "holdout_period": f"{(h.split + pd.Timedelta(days=1)).date()} to {h.end.date()} "
        f"({h.holdout_units:.1f} weeks)",
        "repeat_purchases_calibration": int(h.x.sum()),
        "repeat_purchases_holdout": int(h.x_holdout.sum()),
        "share_alive_at_split_bgnbd": float(bgnbd.p_alive(bg.values, h.x, h.t_x, h.T).mean()),
        "share_alive_at_split_pareto_nbd": float(
            pareto_nbd.p_alive(pn.values, h.x, h.t_x, h.T).mean()
        ),
        "pareto_nbd_to_monthly_beta_gap_pp": 100.0 * mapped.survival_gap,
        "purchases_per_month_mean": mapped.purchases_per_month,
    }
    if agent_fc is not None:
        # The scenario's own cohort against the survival it was fitted to (the Beta matches the
        # Pareto/NBD at reference satisfaction; simulated churn moves with satisfaction).
        quality["simulated_to_pareto_nbd_survival_gap_pp"] = simulated_gap(
            agent_fc, pn, h.unit_days
        )
    if spends:
        quality["spend_per_purchase_mean"] = mapped.spend_per_purchase
        quality["spend_per_month_mean"] = float(values["market.spend_mean"])
        quality["spend_per_year_mean"] = 12.0 * float(values["market.spend_mean"])
    for name, row in hold.errors.iterrows():
        key = name.lower().replace("/", "_").replace("-", "_")
        quality[f"{key}_client_mae"] = row["client_mae"]
        quality[f"{key}_client_correlation"] = row["client_correlation"]
        quality[f"{key}_holdout_purchases"] = row["holdout_total_forecast"]
    not_identified = dict(_ALWAYS_UNIDENTIFIED)
    if gg is None:
        not_identified["market.spend_mean"] = "the log has no amounts (no --amount-col)"
    elif not spends:
        not_identified["market.spend_mean"] = (
            f"Gamma-Gamma's q = {gg.values[1]:.3g} ≤ 1: spend per purchase has so heavy a tail "
            "that its mean is infinite (allowed: q > 1); the base scenario's spend is kept"
        )
    notes = [
        f"Setting: {chosen.reason}.",
        *([merged] if merged else []),
        _fmt_fit("BG/NBD (Fader, Hardie & Lee 2005; weeks)", bg),
        _fmt_fit("Pareto/NBD (Schmittlein, Morrison & Colombo 1987; weeks)", pn),
    ]
    if gg is not None:
        notes.append(_fmt_fit("Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005)", gg))
    notes += capped.values()
    notes += [
        "Maximum likelihood on the log scale; 95% intervals from the observed information.",
        "Into the model: Pareto/NBD (independent purchase rate and lifetime, as the model draws "
        "them) -> monthly churn propensity Beta matched to its survival over 36 months; spend = "
        "purchase rate (Gamma, shape r) x spend per purchase (Gamma-Gamma, shape q), mean "
        "spend_mean = purchases per month x spend per purchase (currency/month).",
        "Holdout: repeat purchases of the clients known at the split; the agent-based forecast "
        "simulates the fitted scenario as a closed cohort ("
        + ", ".join(f"{k} = {v}" for k, v in COHORT.items())
        + "), 4 seeds.",
        # (On CDNOW the fitted scenario keeps 0.380 of a cohort at 12 months, the Pareto/NBD
        # 0.357: the Beta matches the fit, the simulated churn moves with satisfaction.)
        HAZARD_NOTE,
    ]
    if not hold.weekly["holdout"].any():  # (the weekly error is NaN then: said, not silent)
        notes.append(
            "Holdout: no whole week after the split lies inside the log, so the weekly totals' "
            "holdout error is not defined; the per-client errors stand."
        )
    # (a capped value's interval is the fit's, around the uncapped value: not shown beside it)
    intervals = {k: v for k, v in mapped.intervals.items() if k not in capped}
    result = CalibrationResult(
        scenario,
        values,
        intervals,
        not_identified,
        quality,
        {
            "setting": chosen,
            "history": h,
            "bgnbd": bg,
            "pareto_nbd": pn,
            "gamma_gamma": gg,
            "holdout": hold,
            "agent": agent_fc,
            "mapping": mapped,
            "merged": merged,
        },
        notes,
        {
            # A fitted value left without an interval: its information matrix was singular (a
            # small log, or one where nobody is seen to stop buying), not an exact target.
            **{
                k: "no interval: the fit's information matrix is singular, so these data do not "
                "bound it (too few clients, or too few seen to stop buying)"
                for k, v in values.items()
                if not isinstance(v, str) and k not in mapped.intervals
            },
            **{k: "no interval: capped at its parameter's bound (notes)" for k in capped},
            "market.spend_mean": "a product of fitted rates; see the r, α, p, q, γ intervals in the notes",
        },
    )
    _applied(scenario, values)  # (the values the forecast ran: checked there already)
    return result


def _applied(scenario: Scenario, values: dict) -> Scenario:
    """``scenario`` with the fitted ``values``, or a :class:`CalibrationError` saying that the
    data fit values the model cannot take (not an override the user never gave)."""
    try:
        return scenario.with_overrides(values)
    except ScenarioError as exc:
        shapes = " (a shape this large: the clients' purchase rates or spends hardly differ)"
        raise CalibrationError(
            "these data fit values the model cannot take: "
            + str(exc).removeprefix("override: ")
            + (shapes if "_shape" in str(exc) else "")
        ) from None
