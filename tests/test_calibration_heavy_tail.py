"""A transaction log whose spend per purchase has so heavy a tail that Gamma-Gamma's q ≤ 1 (no
finite mean) is calibrated without the spend: it is listed as not identified, with q, instead of
a KeyError traceback after a cohort simulated with NaN spend."""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import cli


def _log(path, n=800, seed=3):
    """Pareto/NBD purchases (r 0.5, α 10, s 0.6, β 12, weeks) with Gamma-Gamma amounts of
    p = 2 and q = 0.7 (a heavy tail: Fader, Hardie & Lee 2005's model with q < 1)."""
    rng = np.random.default_rng(seed)
    lam, mu = rng.gamma(0.5, 1 / 10, n), rng.gamma(0.6, 1 / 12, n)
    first, nu = rng.uniform(0, 12, n), rng.gamma(0.7, 1 / 15, n)
    rows = []
    for i in range(n):
        t, end = first[i], min(first[i] + rng.exponential(1 / mu[i]), 78)
        while t <= end:
            rows.append((f"c{i}", t, round(rng.gamma(2, 1 / nu[i]), 2)))
            t += rng.exponential(1 / lam[i])
    df = pd.DataFrame(rows, columns=["client", "t", "amount"])
    df["date"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.floor(df.t * 7), unit="D")
    df[["client", "date", "amount"]].to_csv(path, index=False, date_format="%Y-%m-%d")
    return path


def test_a_spend_without_a_mean_is_not_identified(tmp_path, capsys):
    out = tmp_path / "fitted.toml"
    assert cli("calibrate", "--transactions", _log(tmp_path / "log.csv"), "--out", out) == 0
    printed = capsys.readouterr().out
    assert "market.spend_mean: Gamma-Gamma's q = " in printed
    assert "≤ 1: spend per purchase has so heavy a tail" in printed
    assert "spend_mean" not in out.read_text().split("[market]")[-1].split("[")[0]
