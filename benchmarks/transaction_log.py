"""How long ``retention calibrate --transactions`` takes on a log of 10⁶ rows (issue: "in seconds").

``python -m benchmarks.transaction_log [--rows N]``: writes a synthetic log drawn from a Pareto/NBD
with CDNOW's published parameters (r = 0.55, α = 10.58, s = 0.61, β = 11.67 per week) and
Gamma-Gamma spend (p = 6.25, q = 3.74, γ = 15.44), clients joining over 12 weeks, observed 78
weeks, as CSV (client ids as text, ISO dates); then times each step: reading and checking the log,
the per-client histories, the three maximum-likelihood fits, the holdout check, and the whole
calibration with the agent-based cohort. Prints the times and the recovered parameters.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from model.studies.calibration import bgnbd, gamma_gamma, pareto_nbd
from model.studies.calibration.from_log import calibrate_log
from model.studies.calibration.holdout import check
from model.studies.calibration.logs import read_log
from model.studies.calibration.rfm import history

TRUE = {"r": 0.55, "α": 10.58, "s": 0.61, "β": 11.67, "p": 6.25, "q": 3.74, "γ": 15.44}


def synthetic_log(rows: int, seed: int = 0) -> pd.DataFrame:
    """About ``rows`` purchase rows from the Pareto/NBD + Gamma-Gamma story (days, 78 weeks)."""
    rng = np.random.default_rng(seed)
    per_client = 2.8  # purchase rows per client, measured for these parameters over 78 weeks
    n = int(rows / per_client)
    lam = rng.gamma(TRUE["r"], 1 / TRUE["α"], n)
    mu = rng.gamma(TRUE["s"], 1 / TRUE["β"], n)
    nu = rng.gamma(TRUE["q"], 1 / TRUE["γ"], n)
    first = rng.integers(0, 84, n)  # day of first purchase
    window = np.minimum(rng.exponential(1 / mu) * 7, 546 - first)  # days alive and observed
    repeats = rng.poisson(lam * window / 7)
    who = np.repeat(np.arange(n), 1 + repeats)
    offset = rng.random(who.size) * window[who]
    start = np.r_[0, np.cumsum(1 + repeats)[:-1]]
    offset[start] = 0.0  # the first purchase
    day = first[who] + offset.astype(np.int64)
    amount = np.round(rng.gamma(TRUE["p"], 1 / nu[who]), 2)
    dates = np.datetime64("2020-01-01") + day.astype("timedelta64[D]")
    return pd.DataFrame(
        {"client": np.char.add("C", who.astype(str)), "date": dates.astype(str), "amount": amount}
    )


def main(argv: list[str] | None = None) -> None:
    """Write the log, time each step, print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "log.csv"
        synthetic_log(args.rows).to_csv(path, index=False)
        with open(path) as fh:
            raw_rows = sum(1 for _ in fh) - 1
        times = {}
        t0 = time.perf_counter()
        log = read_log(path)
        times["read and check"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        h = history(log)
        times["histories (x, t_x, T)"] = time.perf_counter() - t0
        fits = {}
        for name, fn in (("BG/NBD", bgnbd.fit), ("Pareto/NBD", pareto_nbd.fit)):
            t0 = time.perf_counter()
            fits[name] = fn(h.x, h.t_x, h.T)
            times[f"fit {name}"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        fits["Gamma-Gamma"] = gamma_gamma.fit(h.x, h.value)
        times["fit Gamma-Gamma"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        check(h, fits["BG/NBD"], fits["Pareto/NBD"])
        times["holdout check (statistical)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        calibrate_log(path)
        times["whole calibration (CLI path, with the agent-based cohort)"] = (
            time.perf_counter() - t0
        )
    load = os.getloadavg()[0]
    print(
        f"{raw_rows:,} rows, {log.shape[0]:,} purchase days, {h.clients:,} clients "
        f"(load average {load:.1f} on {os.cpu_count()} cores)"
    )
    for k, v in times.items():
        print(f"  {k:<60s} {v:7.2f} s")
    for name, f in fits.items():
        print(f"  {name}: {f.table()}")
    print(f"  true: {TRUE}")


if __name__ == "__main__":
    main()
