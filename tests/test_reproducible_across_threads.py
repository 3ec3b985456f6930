"""The same scenario and seed give the same numbers whatever the machine's linear-algebra library
does: no number may depend on how many threads BLAS runs (a BLAS dot product sums in an order that
depends on them and on the processor; the loyalty programme's discount was one, with a targeted
programme in a market of tens of thousands served)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

#: Prints a hash of every monthly metric of a targeted-programme run large enough for BLAS to
#: split a dot product over threads (about 270,000 served).
_RUN = """
import hashlib
from model import RetentionModel, Scenario
s = Scenario().with_overrides({
    "market.clients": 300_000, "market.initial_active_share": 0.9, "run.months": 2, "run.seed": 7,
    "levers.loyalty_discount": 0.05, "targeting.loyalty": "at_risk", "targeting.share": 0.3,
    # Revenue grows and is priced up with tenure: float64 products, whose sum is inexact, so the
    # order of the additions shows (float32 spends alone would sum exactly in any order).
    "loyalty_economics.spend_growth": 0.05, "loyalty_economics.price_premium": 0.02,
})
ts = RetentionModel(s).run().timeseries()
print(hashlib.sha256(ts.to_numpy().tobytes()).hexdigest())
"""


def _hash(threads: int) -> str:
    env = {
        **os.environ,
        "OPENBLAS_NUM_THREADS": str(threads),
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
    }
    done = subprocess.run(
        [sys.executable, "-c", _RUN], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()[-1]


@pytest.mark.slow
def test_numbers_do_not_depend_on_blas_threads() -> None:
    assert _hash(1) == _hash(4)
