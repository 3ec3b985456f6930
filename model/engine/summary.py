"""A run's headline numbers: each declared once (unit, the range it can take, meaning), computed
from the results table.

The ranges are what the numbers can be, not what they usually are: an interval over
replications is cut to them (a mean of shares is a share; :func:`model.studies.stats.mean_interval`),
so three runs never report a satisfaction above 1 or a negative revenue.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from model.engine.ledger import ACQUISITION_LINES

__all__ = ["SUMMARY", "Headline", "summarize"]

_INF = float("inf")


class Headline(NamedTuple):
    """One headline number's declaration."""

    unit: str
    low: float  # the least it can be
    high: float  # the most it can be
    meaning: str

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``."""
        return self.low, self.high


#: name -> declaration, in :func:`summarize`'s order.
SUMMARY: dict[str, Headline] = {
    "months": Headline("months", 0, _INF, "months simulated"),
    "clients_market": Headline("people", 0, _INF, "market size"),
    "active_end": Headline("clients", 0, _INF, "clients served in the last month"),
    "acquired_total": Headline("clients", 0, _INF, "acquisitions over the run"),
    "churned_total": Headline("clients", 0, _INF, "leavers over the run"),
    "won_back_total": Headline("clients", 0, _INF, "returns over the run"),
    "retention_annual_mean": Headline(
        "share", 0, 1, "mean of the monthly annualized retention (months with clients served)"
    ),
    "revenue_total": Headline("currency", 0, _INF, "revenue over the run"),
    "profit_total": Headline("currency", -_INF, _INF, "profit over the run"),
    "npv": Headline("currency", -_INF, _INF, "discounted profit at the end"),
    "satisfaction_end": Headline("0-1", 0, 1, "active clients' mean satisfaction, last month"),
    "nps_end": Headline("points", -100, 100, "net promoter score, last month"),
    "cac": Headline(
        "currency/acquisition", 0, _INF, "marketing and onboarding over acquisitions, pooled"
    ),
    "referral_share": Headline("share", 0, 1, "acquisitions credited to referrals, pooled"),
    "top20_revenue_share_end": Headline(
        "share", 0, 1, "revenue share of the top fifth of paying clients, last month"
    ),
    # Cumulative profit can be negative for some clients: the top fifth can hold more than all.
    "top20_value_share_end": Headline(
        "share",
        -_INF,
        _INF,
        "cumulative-profit share of the top fifth, last month (> 1: a whale curve, the rest "
        "lose money; NaN where the clients' cumulative profit sums to zero or less)",
    ),
    "service_cost_total": Headline("currency", 0, _INF, "service cost over the run"),
    "firm_quality_end": Headline("quality 0-1", 0, 1, "product quality, last month"),
    "gap_end": Headline("quality", -1, 1, "frontier less product quality, last month"),
}


def summarize(results: Mapping[str, np.ndarray], months: int, clients: int) -> dict[str, float]:
    """The headline numbers (:data:`SUMMARY`) of the first ``months`` rows of ``results``.

    As pandas would compute them from the timeseries (sums and means skip NaN months;
    ``tests/test_results_table.py``), without building a frame. Empty before the first month.

    Parameters
    ----------
    results : mapping of str to ndarray
        Each metric's column (:data:`model.engine.metrics.METRICS`), month 1 first.
    months : int
        Months simulated so far.
    clients : int
        The market's size (people).
    """
    if not months:
        return {}
    m = months

    def total(name: str) -> float:
        return float(np.nansum(results[name][:m]))

    def last(name: str) -> float:
        return float(results[name][m - 1])

    acquired = total("acquired")

    def per_acquisition(amount: float) -> float:
        return float(amount / acquired) if acquired else float("nan")

    retention = results["retention_annual"][:m]
    months_measured = np.count_nonzero(~np.isnan(retention))
    return {
        "months": int(m),
        "clients_market": int(clients),
        "active_end": int(last("active")),
        "acquired_total": int(acquired),
        "churned_total": int(total("churned")),
        "won_back_total": int(total("won_back")),
        "retention_annual_mean": (
            float(np.nansum(retention) / np.float64(months_measured))
            if months_measured
            else float("nan")
        ),
        "revenue_total": total("revenue"),
        "profit_total": total("profit"),
        "npv": last("npv"),
        "satisfaction_end": last("satisfaction"),
        "nps_end": last("nps"),
        # Pooled, not the mean of monthly ratios (months with few acquisitions would dominate);
        # undefined (NaN) with no acquisition, as the monthly columns are.
        "cac": per_acquisition(sum(total(line) for line in ACQUISITION_LINES)),
        "referral_share": per_acquisition(total("acquired_referral")),
        "top20_revenue_share_end": last("top20_revenue_share"),
        "top20_value_share_end": last("top20_value_share"),
        "service_cost_total": total("service"),
        "firm_quality_end": last("firm_quality"),
        "gap_end": last("gap"),
    }
