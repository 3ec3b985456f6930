"""A firm's mean spend per client, met by ``market.spend_mean`` through simulation.

``market.spend_mean`` is what a client spends a month when it joins, before the spend growth and
price premium that tenure brings (``loyalty_economics``, docs/ODD.md §7.9); a firm's books show
the mean over its clients, most of whom have stayed a while. Taking the target as
``spend_mean`` itself overstated every money figure of a firm whose clients' spend grows (a
software firm's 900 a month came out at 1,163–1,209 over the calibration's months). So
:func:`fit_spend_level` meets the target in the simulation: the revenue per client served a
month over the calibration's window (``mean_spend`` of
:data:`~model.studies.calibration.moments.MOMENTS`) moves in proportion to ``spend_mean`` (each
client's spend is it times the client's own factor, and no behaviour reads the amount: the
other moments came out the same, to nine digits, at spend levels of 300 to 1,200 on the same
seeds in three presets), so one rescaling reaches
it and a second run checks it. It is fitted after the other moments, whose churn sets how long
the clients stay and so how much their spend has grown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.scenario import PARAMS, Scenario
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.moments import MSMSettings, simulated_moments, tolerance
from model.studies.progress import Progress
from model.studies.stats import one_run_spread

__all__ = ["SPEND_NOTE", "SpendLevel", "fit_spend_level", "spend_level_into"]

#: At most this many rescalings; each runs the calibration's seeds once.
_STEPS = 5
#: Stop when the simulated mean spend is within this share of the target (far inside
#: :func:`~model.studies.calibration.moments.tolerance`'s 5%: a rescaling costs little).
_CLOSE = 1e-3


@dataclass(frozen=True)
class SpendLevel:
    """``market.spend_mean`` fitted to a mean spend.

    Attributes
    ----------
    value : float
        The fitted ``market.spend_mean`` (currency/month: a new client's spend).
    target, simulated, mc_se : float
        The mean spend asked for, the simulation's at ``value`` (revenue per client served a
        month over the window, the seeds' mean) and its Monte-Carlo SE (currency/client-month).
    evaluations : int
        Simulated evaluations (each runs every seed of the settings).
    """

    value: float
    target: float
    simulated: float
    mc_se: float
    evaluations: int

    def quality(self) -> dict[str, float]:
        """The fit's quality lines, as the simulated moments give theirs."""
        return {
            "mean_spend_target": self.target,
            "mean_spend_simulated": self.simulated,
            "mean_spend_mc_se": self.mc_se,
            "mean_spend_error": self.simulated - self.target,
        }

    def spread_note(self, seeds: int) -> str:
        """How far one run on another seed lands from the fitted mean spend: a 95% prediction
        interval from the ``seeds`` runs (:func:`~model.studies.stats.one_run_spread`; a
        strategist could not check a run's revenue per client otherwise)."""
        spread, few = one_run_spread(self.mc_se * np.sqrt(seeds), seeds)
        return (
            f"One run of the fitted scenario on another seed, in a market of the fit's size, "
            f"shows a mean spend (revenue per client served a month, months after the burn-in) "
            f"within about ± {spread:.3g} of {self.simulated:.4g} (a 95% prediction interval "
            f"from the sd over the fit's {seeds} seeds{few})."
            if np.isfinite(spread)
            else "One seed only: how far a run on another seed lands is not known."
        )

    def reached(self) -> bool:
        """Whether the simulated mean spend is within the moments' tolerance of the target."""
        return abs(self.simulated - self.target) <= tolerance("mean_spend", self.target)


def fit_spend_level(
    scenario: Scenario,
    target: float,
    settings: MSMSettings,
    progress: Progress | None = None,
) -> SpendLevel:
    """Rescale ``scenario``'s ``market.spend_mean`` until its simulated mean spend is ``target``.

    Parameters
    ----------
    scenario : Scenario
        The firm, every other fitted value in place; its ``market.spend_mean`` is the start.
    target : float
        The books' mean spend per client (currency/client-month, > 0).
    settings : MSMSettings
        The calibration's runs (market size, months, burn-in, seeds).
    progress : Progress, optional
        Counts the runs.

    Raises
    ------
    CalibrationError
        When the runs serve nobody in the window (no mean spend to scale).
    """
    level = float(scenario.market.spend_mean)
    upper = PARAMS["market.spend_mean"].upper or np.inf
    simulated, se = np.nan, np.nan
    for step in range(1, _STEPS + 1):
        with_level = scenario.with_overrides({"market.spend_mean": level})
        sims = simulated_moments(with_level, ["mean_spend"], settings, settings.seeds, progress)
        simulated = float(np.mean(sims[:, 0]))
        se = float(np.std(sims[:, 0], ddof=1) / np.sqrt(len(sims))) if len(sims) > 1 else np.nan
        if not (np.isfinite(simulated) and simulated > 0):
            raise CalibrationError(
                f"mean_spend: the runs served no paying client in months {settings.burn_in + 1}"
                f"-{settings.months}, so no spend level reaches {target:g}; allowed: a base "
                "scenario whose clients pay"
            )
        if abs(simulated / target - 1.0) <= _CLOSE or step == _STEPS:
            break
        level = min(level * target / simulated, upper)
    return SpendLevel(level, target, simulated, se, step)


#: How ``market.spend_mean`` is fitted to a mean spend (:mod:`~model.studies.calibration.spend_level`).
SPEND_NOTE = (
    "rescaled by simulation until the revenue per client served a month over the fit's months "
    "met mean_spend (a new client's spend: tenure raises it); the target is taken as exact"
)


def spend_level_into(
    values: dict[str, float],
    scenario: Scenario,
    spend: float | None,
    settings: MSMSettings,
    progress: Progress | None,
) -> SpendLevel | None:
    """``market.spend_mean`` fitted to the mean spend ``spend`` (:func:`fit_spend_level`), with
    the fitted ``values`` in place on ``scenario``, and written into ``values``; None without a
    mean spend target."""
    if spend is None:
        return None
    level = fit_spend_level(scenario.with_overrides(values), spend, settings, progress)
    values["market.spend_mean"] = level.value
    return level
