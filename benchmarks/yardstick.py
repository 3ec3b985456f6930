"""Yardsticks for the machine: what bare numpy does in a month, with no model around it.

* :func:`lifecycle_kernel` — a bare client lifecycle of about twenty numpy passes a month over
  every client (a fresh PCG64 float32 uniform per month, a churn hazard through ``exp``, leavers
  and joiners, satisfaction moving toward experience, tenure, revenue and a few counts). No
  staff, incidents, network, targeting, ledgers or reporters: the floor a full model's month could
  approach, at every size, so the benchmark can report the model as a share of it.
* :func:`multiply_add_kernel` — ``passes`` float32 multiply-adds over every client a month: the
  cheapest possible pass, the machine's memory-bandwidth limit.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["lifecycle_kernel", "multiply_add_kernel"]


def lifecycle_kernel(clients: int, months: int, seed: int = 0) -> float:
    """Seconds for ``months`` months of the bare lifecycle over ``clients`` clients."""
    rng = np.random.default_rng(seed)
    propensity = (rng.random(clients, dtype=np.float32) * np.float32(0.04)).astype(np.float32)
    spend = rng.random(clients, dtype=np.float32) * np.float32(100.0)
    satisfaction = np.full(clients, 0.7, dtype=np.float32)
    active = rng.random(clients, dtype=np.float32) < np.float32(0.8)
    tenure = np.zeros(clients, dtype=np.int16)
    start = time.perf_counter()
    for month in range(1, months + 1):
        u = np.random.Generator(np.random.PCG64([seed, month])).random(clients, dtype=np.float32)
        x = np.float32(0.6) + np.float32(0.2) * u  # 2 passes: this month's experience
        satisfaction += np.float32(0.3) * (x - satisfaction)  # 2 passes (+ the sum below)
        hazard = np.exp(np.float32(-2.0) * (satisfaction - np.float32(0.7)))  # 3 passes
        hazard *= propensity
        leaves = (u < hazard) & active  # 2 passes
        joins = ~active & (u > np.float32(0.99))  # 3 passes
        tenure += active  # 1 pass
        tenure[leaves] = 0  # 1 pass
        active ^= leaves | joins  # 2 passes
        revenue = float(np.dot(spend, active))  # 1 pass
        n_active = int(np.count_nonzero(active))  # 1 pass
        mean_s = float(satisfaction.sum(dtype=np.float64)) / max(n_active, 1)  # 1 pass
        del revenue, mean_s
    return time.perf_counter() - start


def multiply_add_kernel(clients: int, months: int, passes: int) -> float:
    """Seconds for ``passes`` in-place float32 multiply-adds over ``clients`` elements a month."""
    a = np.random.default_rng(0).random(clients, dtype=np.float32)
    b = np.ones(clients, dtype=np.float32)
    start = time.perf_counter()
    for _ in range(months):
        for _ in range(passes):
            np.multiply(a, np.float32(0.999), out=b)
            b += np.float32(1e-3)
    return time.perf_counter() - start
