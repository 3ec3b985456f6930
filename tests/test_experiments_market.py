"""The market claim experiments (80/20, word of mouth, the lost client) and the poaching shock.

Experiments run at small sizes only: these check structure and that reports are written; the
committed reports come from the experiments' defaults.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.model import RetentionModel
from model.params import Scenario, ScenarioError

SHOCK_BASE = {"market.clients": 4000, "run.months": 4, "market.initial_active_share": 0.5}


def _with_shocks(base: Scenario, shocks: list[dict]) -> Scenario:
    return Scenario.build({**base.to_toml_dict(), "shocks": shocks})


def _step_to(model: RetentionModel, month: int) -> None:
    while model.month < month:
        model.step()


@pytest.mark.parametrize("size", [0.1, 0.35])
def test_poaching_takes_its_share_of_those_not_leaving_anyway(size: float) -> None:
    base = Scenario().with_overrides(SHOCK_BASE)
    month = 3
    raided = _with_shocks(base, [{"kind": "poaching", "start": month, "size": size}])
    control, treated = RetentionModel(base, rng=5), RetentionModel(raided, rng=5)
    _step_to(control, month - 1)
    _step_to(treated, month - 1)
    # Nothing differs before the raid (its draws come from their own stream).
    assert np.array_equal(control.clients.stage, treated.clients.stage)
    control.step()
    treated.step()
    served = control.ctx.served
    anyway = control.clients.leaves
    assert np.array_equal(treated.clients.leaves & anyway, anyway)  # normal churners unchanged
    poached = treated.clients.leaves & ~anyway
    at_risk = int((served & ~anyway).sum())
    share = poached.sum() / at_risk
    # Binomial: 4 standard errors of a share from ~2,000 trials (≈0.03 at 0.35).
    se = np.sqrt(size * (1 - size) / at_risk)
    assert abs(share - size) < 4 * se
    assert not poached[~served].any()
    assert (treated.clients.left_reason[poached] == 2).all()  # Reason.COMPETITOR
    assert treated.ctx.tally["poached"] == int(poached.sum()) > 0


def test_poaching_is_one_month_by_default_and_refuses_a_share_above_one() -> None:
    base = Scenario().with_overrides(SHOCK_BASE)
    raided = _with_shocks(base, [{"kind": "poaching", "start": 2, "size": 0.5}])
    m = RetentionModel(raided, rng=2)
    m.step()
    assert m.ctx.tally["poached"] == 0
    m.step()
    assert m.ctx.tally["poached"] > 0
    m.step()
    assert m.ctx.tally["poached"] == 0
    with pytest.raises(ScenarioError, match=r"shocks\.0.*size.*1\.5.*0 ≤ x ≤ 1"):
        _with_shocks(base, [{"kind": "poaching", "start": 2, "size": 1.5}])
