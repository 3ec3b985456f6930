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
    [line] = yearly_rate_mistakes(Scenario().with_overrides({key: 0.25}))
    monthly = 1 - 0.75 ** (1 / 12)
    assert line.startswith(
        f"{key} = 0.25 is a monthly rate: 0.25 a month, constant, keeps {0.75**12:.1%} of "
        f"{YEARLY_QUOTED[key]} a year. If 0.25 is a yearly rate, {monthly:.3g} a month loses as "
        "much at a constant rate"
    )
    # The monthly value loses the same share a year: (1 - m)^12 = 1 - 0.25.
    assert (1 - float(f"{monthly:.3g}")) ** 12 == pytest.approx(0.75, abs=1e-3)
    if key == "retain.base_churn":  # (a hazard: the converted value under-shoots the books'
        # churn, as a strategist found: 0.0097 for a yearly 11% gave 6%), so a fit, not a --set
        assert line.endswith(
            "fit it to their annual retention, `retention calibrate --targets` with "
            "annual_retention = 0.75"
        )
        assert "--set" not in line
    else:
        assert line.endswith(f"(--set {key}={monthly:.3g})")


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
    assert err[0].endswith("with annual_retention = 0.82")
    assert main([*argv, "--force", "--quiet", "--set", "retain.base_churn=0.18"]) == 0
    assert "monthly rate" not in capsys.readouterr().err  # (--quiet drops it, as every note)
