"""The phases' fixed cost per month, second pass: what replaced per-month numpy calls gives the
same numbers, bit for bit, as what it replaced."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from model.engine.phases import account


@pytest.mark.parametrize("rate", [0.05, -0.03, 0.02, 0.137, -0.5])
@pytest.mark.parametrize("horizon", [0.0, 1.5, 7.0, 40.0])
def test_kept_tenure_tables_give_a_few_clients_multipliers(rate: float, horizon: float) -> None:
    """Account reads the kept table whatever the number of clients served, where
    :func:`~model.engine.phases.account.tenure_multiplier` takes one power per client when few
    are served: the two must agree (a power does not depend on the array it is taken over)."""
    rng = np.random.default_rng(abs(int(rate * 1000)) + int(horizon * 10))
    loyalty = SimpleNamespace(horizon_years=horizon)
    for size in (0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64):
        tenure = rng.integers(0, 600, size).astype(np.intp)
        months = int(tenure.max(initial=0)) + 1
        table = account._tenure_table(rate, horizon, months)
        want = np.asarray(account.tenure_multiplier(tenure, rate, loyalty), np.float64)
        assert np.take(table, tenure).tobytes() == want.tobytes()
