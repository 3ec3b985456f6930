"""A yearly churn or turnover typed into the monthly rate is said so, with the monthly value.

A strategist typed an annual churn of 0.18 into ``retain.base_churn`` (a monthly hazard); the
run went ahead with 21.5% annual retention and its one note read like three routine ones.
"""

from __future__ import annotations

import pytest

from model.interfaces.cli import main
from model.scenario import PARAMS, Scenario
from model.studies.yearly_rates import YEARLY_QUOTED, yearly_rate_mistakes


@pytest.mark.parametrize("key", sorted(YEARLY_QUOTED))
def test_a_value_above_the_monthly_range_gets_its_yearly_reading(key):
    line = yearly_rate_mistakes(Scenario().with_overrides({key: 0.25}))
    monthly = 1 - 0.75 ** (1 / 12)
    assert line == [
        f"{key} = 0.25 is a monthly rate: at it alone {0.75**12:.1%} of {YEARLY_QUOTED[key]} "
        f"would stay a year; if 0.25 is a yearly rate, the monthly one is {monthly:.3g} "
        f"(--set {key}={monthly:.3g})"
    ]
    # The monthly value loses the same share a year: (1 - m)^12 = 1 - 0.25.
    assert (1 - float(f"{monthly:.3g}")) ** 12 == pytest.approx(0.75, abs=1e-3)


@pytest.mark.parametrize("key", sorted(YEARLY_QUOTED))
def test_a_plausible_monthly_value_or_a_certain_loss_gets_none(key):
    high = PARAMS[key].plausible[1]
    assert yearly_rate_mistakes(Scenario().with_overrides({key: high})) == []
    assert yearly_rate_mistakes(Scenario().with_overrides({key: PARAMS[key].plausible[0]})) == []
    if PARAMS[key].upper is None or PARAMS[key].upper >= 1:
        assert yearly_rate_mistakes(Scenario().with_overrides({key: 1.0})) == []


def test_run_warns_of_it_before_the_notes(tmp_path, capsys):
    argv = ["run", "--clients", "50", "--months", "1", "--no-figures", "--out", str(tmp_path)]
    assert main([*argv, "--set", "retain.base_churn=0.18"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("retention: warning: retain.base_churn = 0.18 is a monthly rate")
    assert err[0].endswith("(--set retain.base_churn=0.0164)")
    assert main([*argv, "--force", "--quiet", "--set", "retain.base_churn=0.18"]) == 0
    assert "monthly rate" not in capsys.readouterr().err  # (--quiet drops it, as every note)
