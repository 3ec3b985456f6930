"""Valuing word of mouth: the paired acceleration / expansion split and the ad money it saves;
the Bass figure and its command."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import small_scenario

from model.scenario import ScenarioError
from model.studies.diffusion import bass_figure, bass_scenario, main
from model.studies.wom_value import (
    acquisition_months,
    ad_money_saved,
    split_acquisitions,
    value_word_of_mouth,
)

#: Word of mouth strong enough to matter in a 2,000-person, 24-month market.
LOUD = {"word_of_mouth.q_positive": 1.0, "satisfaction.promoter_threshold": 7.5}
#: Word of mouth that ads alone can still match (they saturate at attract.ad_p_max).
MODERATE = {"word_of_mouth.q_positive": 0.5, "satisfaction.promoter_threshold": 8.5}
#: Word of mouth switched on but silent: nothing reaches anyone.
MUTE = {"word_of_mouth.q_positive": 0.0, "word_of_mouth.q_negative": 0.0}


def test_split_by_hand() -> None:
    #            acc  same  del  exp  lost  never  acc-after-horizon
    off = np.array([5, 3, 2, -1, 4, -1, 9])
    on = np.array([2, 3, 6, 7, -1, -1, 1])
    s = split_acquisitions(off, on, horizon=8)
    assert (s.accelerated, s.same_month, s.delayed, s.expansion, s.lost) == (2, 1, 1, 1, 1)
    assert s.acquired_on == 5 and s.acquired_off == 4 and s.extra == 1
    assert s.months_gained == (5 - 2) + (9 - 1)
    with pytest.raises(ValueError, match="shape"):
        split_acquisitions(off, on[:3], horizon=8)


def test_silent_word_of_mouth_changes_nobody() -> None:
    """Pairing: with nothing said, both runs draw the same numbers and acquire the same clients."""
    s = value_word_of_mouth(small_scenario(MUTE), seed=4)
    assert s.acquired_on == s.acquired_off > 0
    assert s.same_month == s.acquired_on
    assert s.accelerated == s.expansion == s.delayed == s.lost == 0


def test_loud_word_of_mouth_accelerates_and_expands() -> None:
    scenario = small_scenario(LOUD)
    s = value_word_of_mouth(scenario, seed=4)
    assert s.accelerated + s.same_month + s.delayed + s.expansion == s.acquired_on
    assert s.extra > 0 and s.expansion > 0 and s.accelerated > 0
    assert s.months_gained >= s.accelerated
    # A longer no-WOM run can only reveal that some "expansion" clients would have come later.
    tail = value_word_of_mouth(scenario, seed=4, tail_months=36)
    assert tail.acquired_on == s.acquired_on and tail.lost == s.lost
    assert tail.expansion <= s.expansion and tail.accelerated >= s.accelerated
    assert tail.accelerated - s.accelerated == s.expansion - tail.expansion
    with pytest.raises(ScenarioError, match="tail_months"):
        value_word_of_mouth(scenario, tail_months=-1)


def test_ad_money_saved_by_word_of_mouth() -> None:
    scenario = small_scenario(MODERATE)
    a = ad_money_saved(scenario, seed=4)
    assert a.budget_with == scenario.levers.ad_budget
    assert math.isfinite(a.budget_needed) and a.budget_needed > a.budget_with
    assert a.reached >= a.target
    assert a.budget_with_least <= a.budget_with
    # Marketing is ad_budget per 1,000 people a month: the saving is the gap between the two
    # sides' least budgets times that.
    n, months = scenario.market.clients, scenario.run.months
    assert a.saved == pytest.approx((a.budget_needed - a.budget_with_least) * n / 1000 * months)
    # The least budget with word of mouth is a step too: 3 × the tolerance less loses a client.
    less = a.budget_with_least - 3e-3 * scenario.attract.ad_scale
    months_on = acquisition_months(scenario.with_overrides({"levers.ad_budget": less}), 4)
    assert ((months_on >= 1) & (months_on <= scenario.run.months)).sum() < a.target
    # The root is the step: 3 × the search tolerance less budget no longer reaches the target.
    less = a.budget_needed - 3e-3 * scenario.attract.ad_scale
    months = acquisition_months(
        scenario.with_overrides({"word_of_mouth.enabled": False, "levers.ad_budget": less}), 4
    )
    assert ((months >= 1) & (months <= scenario.run.months)).sum() < a.target


def test_ad_money_saved_without_effect_is_nothing() -> None:
    """Silent word of mouth saves nothing: both sides' least budgets are the same step of the
    integer acquisition count. (The no-WOM side's least budget was compared with the scenario's
    own, anywhere on its step, so silent word of mouth seemed to cost money.)"""
    scenario = small_scenario(MUTE)
    a = ad_money_saved(scenario, seed=4)
    assert a.reached >= a.target
    assert a.budget_needed == a.budget_with_least <= a.budget_with
    assert a.saved == 0.0


def test_ad_money_saved_unreachable_and_refused() -> None:
    scenario = small_scenario(LOUD)
    a = ad_money_saved(scenario, seed=4, ceiling=scenario.levers.ad_budget * 1.01)
    assert a.budget_needed == math.inf and a.saved == math.inf and a.reached < a.target
    scheduled = scenario.model_validate(
        {**scenario.model_dump(), "schedule": [{"month": 3, "set": {"ad_budget": 10.0}}]}
    )
    with pytest.raises(ScenarioError, match="ad_budget"):
        ad_money_saved(scheduled)


# ------------------------------------------------------------------------ figure and command
def test_bass_scenario_sets_p_and_rejects_bad_input() -> None:
    from model.engine.phases.attract import ad_awareness_probability

    for p in (0.01, 0.2):
        s = bass_scenario(p, 0.3)
        assert ad_awareness_probability(s.levers.ad_budget, 1.0, s.attract) == pytest.approx(p)
    with pytest.raises(ScenarioError, match="bass p"):
        bass_scenario(0.0, 0.3)
    with pytest.raises(ScenarioError, match="bass q"):
        bass_scenario(0.1, -1.0)


def test_bass_figure_draws_every_curve() -> None:
    import matplotlib

    matplotlib.use("Agg")
    fig = bass_figure(clients=500, months=8, seeds=(1, 2))
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert sum(lab == "simulated, fully mixed" for lab in labels) == 1
    assert len(fig.axes[0].lines) == 2 + 1 + 3  # two seeds, one sparse, three references
    assert "Bass closed form" in labels and "mean-field recursion" in labels


def test_command_writes_the_figure_and_rejects_bad_input(tmp_path, capsys) -> None:
    out = tmp_path / "bass.png"
    assert main(["--out", str(out), "--clients", "500", "--months", "6"]) == 0
    assert out.stat().st_size > 0
    assert main(["--out", str(out), "--p", "1.5"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bass p" in err[0] and "1.5" in err[0]


def test_without_a_seed_both_arms_and_every_call_use_the_scenarios() -> None:
    """seed=None means the scenario's seed, as documented: it once meant a fresh OS seed per
    run, so the arms were different markets and two calls gave two answers."""
    from model.studies.diffusion import adoption

    tiny = {"market.clients": 300, "run.months": 12}
    s = small_scenario({**tiny, "word_of_mouth.enabled": False})
    split = value_word_of_mouth(s)  # WOM off in both arms: the same run twice
    assert split.expansion == split.lost == split.accelerated == split.delayed == 0
    assert split == value_word_of_mouth(s)
    assert np.array_equal(acquisition_months(s), acquisition_months(s, s.run.seed))
    assert np.array_equal(adoption(s), adoption(s, s.run.seed))
    base = small_scenario(tiny)
    assert ad_money_saved(base) == ad_money_saved(base)
