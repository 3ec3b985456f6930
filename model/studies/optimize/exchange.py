"""Money to lever units: the rates at which a month's money buys each spend lever, measured on the scenario."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from model.engine.phases import PHASES
from model.engine.phases.account import tenure_multiplier
from model.engine.retention_model import RetentionModel
from model.scenario import PARAMS, Scenario
from model.studies.optimize.levers import LEDGER_LINE, SPEND_LEVERS

__all__ = ["LEDGER_LINE", "SPEND_LEVERS", "Exchange", "exchange_rates"]


@dataclass(frozen=True)
class Exchange:
    """How monthly money converts to one lever's unit: ``money = rate × value^power``.

    Attributes
    ----------
    lever : str
    rate : float
        Money per month per unit of the lever (per unit of level² for ``service_level``).
    power : float
        1, or 2 for the service level (its cost is convex).
    cap : float
        The lever's declared maximum.
    basis : str
        What the rate is per, in words.
    """

    lever: str
    rate: float
    power: float
    cap: float
    basis: str

    def money(self, value: float) -> float:
        """Monthly money the lever at ``value`` costs."""
        return self.rate * value**self.power

    def value(self, money: float) -> float:
        """The lever value that ``money`` a month buys (capped at the lever's maximum)."""
        if self.rate <= 0:
            return 0.0
        return min((max(money, 0.0) / self.rate) ** (1.0 / self.power), self.cap)

    @property
    def max_money(self) -> float:
        """The most money the lever can absorb a month."""
        return self.money(self.cap)


def _observer(record: list[dict[str, float]]) -> Any:
    """A phase (run after ``account``, before ``resolve``) recording the stocks money scales with."""

    def observe(ctx: Any) -> None:
        cl, p = ctx.clients, ctx.params
        idx = np.flatnonzero(ctx.served)
        reached = ctx.targeted["winback"]
        enrolled = ctx.targeted["loyalty"][idx]
        le = p.loyalty_economics
        record.append(
            {
                "market_k": cl.n / 1000.0,
                "lapsed_reached": float(np.count_nonzero(reached)),
                "staff": float(ctx.staff.employed),
                "service_base": float(
                    p.service.cost_per_client
                    # tenure_multiplier returns the scalar 1.0 when the trend is 0: broadcast it.
                    * np.broadcast_to(
                        tenure_multiplier(cl.tenure[idx], le.serve_cost_trend, le), idx.shape
                    ).sum()
                ),
                "revenue": float(ctx.revenue),
                "enrolled_revenue": float(ctx.client_revenue[enrolled].sum()),
            }
        )

    return observe


def _stocks(scenario: Scenario, seed: int) -> dict[str, float]:
    """Monthly means of the stocks each lever's money scales with, in one run."""
    record: list[dict[str, float]] = []
    phases = tuple(
        item
        for name, step in PHASES
        for item in (
            (("observe", _observer(record)), (name, step)) if name == "resolve" else ((name, step),)
        )
    )
    RetentionModel(scenario, rng=seed, phases=phases).run()
    return pd.DataFrame(record).mean().to_dict()


def exchange_rates(
    scenario: Scenario, levers: Sequence[str], seeds: Sequence[int]
) -> dict[str, Exchange]:
    """Measure each lever's money-per-unit rate on the scenario as it stands (mean over seeds)."""
    stocks = pd.DataFrame([_stocks(scenario, s) for s in seeds]).mean()
    out = {}
    for lever in levers:
        spend = SPEND_LEVERS[lever]
        cap = PARAMS[f"levers.{lever}"].upper
        out[lever] = Exchange(
            lever, float(stocks[spend.stock]), spend.power, float(cap), spend.basis
        )
    return out
