"""The lost-client claim's paired readings: the firm with its clients against the firm without
some of them (a competitor's raid in month 1, :func:`experiments.running.arms.raided`)."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.claims import lost_client
from experiments.running.arms import raided
from experiments.running.study import baseline_run
from model import Scenario


def _baseline(seed: int, clients: int = 800, months: int = 60, **overrides: object):
    scn = Scenario().with_overrides(
        {"market.clients": clients, "run.months": months, "run.seed": seed, **overrides}
    )
    return baseline_run(scn)


@pytest.fixture(scope="module")
def base():
    return _baseline(3)


def test_the_raid_takes_its_share_in_month_one_and_moves_no_earlier_draw(base):
    """The competitor takes about the share of the clients served in month 1, then nobody; what
    the month decided before the raid (quality delivered, incidents) is the baseline's."""
    b = base.run.timeseries
    a = raided(base.run, 0.3).timeseries
    first = b.iloc[0]  # (month 1's counts are at its end: the served are those before)
    served = first["active"] + first["churned"] - first["acquired"] - first["won_back"]
    taken = a["poached"].iloc[0]
    assert b["poached"].sum() == 0 and a["poached"].iloc[1:].sum() == 0
    sd = np.sqrt(served * 0.3 * 0.7)
    assert abs(taken - 0.3 * served) < 4 * sd + 0.05 * served  # (leavers are not taken)
    for metric in ("quality", "incidents", "fixed_on_spot"):
        assert a[metric].iloc[0] == b[metric].iloc[0], metric
    assert a["active"].iloc[0] == b["active"].iloc[0] - taken


def test_a_raid_of_nobody_is_the_baseline(base):
    """The effect's own zero: with no client taken the two runs are one, and the readings say
    nothing (0 / 0) rather than a number."""
    a = raided(base.run, 0.0).timeseries
    b = base.run.timeseries
    assert a.equals(b)
    saved = lost_client.LOST_SHARE
    try:
        lost_client.LOST_SHARE = 0.0
        values = lost_client.measure(base, 3)
    finally:
        lost_client.LOST_SHARE = saved
    assert np.isnan(values["lost_sales"]) and np.isnan(values["lost_profit"])
    assert values["lost"] == 0


def test_lost_sales_follow_the_clients_spend_growth():
    """The article's 70 / 10 rests on spend rising each year: a world whose clients' spend grows
    by a fifth a year loses more years of first-year revenue with them than one whose spend is
    flat (the same seeds, so the same clients are lost)."""
    flat, rising = [], []
    for seed in (1, 2, 3):
        for growth, out in ((0.0, flat), (0.2, rising)):
            b = _baseline(seed, **{"loyalty_economics.spend_growth": growth})
            out.append(lost_client.measure(b, seed)["lost_sales"])
    assert np.all(np.isfinite(flat + rising))
    assert np.mean(rising) > np.mean(flat) + 0.5, (flat, rising)
    # Flat spend, clients who may leave or come back: fewer than five years of it over five
    # (referrals lost with them could add some; not five years' worth here).
    assert np.mean(flat) < 5.0, flat


def test_lost_profit_is_undefined_for_a_firm_without_profit():
    small = _baseline(5, clients=200, months=14)
    assert small.run.timeseries["profit"].sum() <= 0
    values = lost_client.measure(small, 5)
    assert np.isnan(values["lost_profit"]) and np.isnan(values["expected_profit"])
