"""The starting market is shared by runs that agree on what it reads, and only by those.

Runs of one seed share their starting clients (:mod:`model.engine.sharing`) when they agree on
:data:`model.engine.initial.MARKET_READS`. Sharing on too narrow a key would hand a run another
scenario's market, so every declared parameter outside it is moved here, one at a time, and the
draw must not change; one inside it must.
"""

from __future__ import annotations

import typing

import numpy as np
import pytest

from model.engine import initial, sharing
from model.engine.randomness import Streams
from model.engine.retention_model import RetentionModel
from model.scenario import PARAMS, Scenario, ScenarioError
from model.scenario.catalogue import ParamInfo
from model.scenario.schedule import raid

#: A small market on which every trait is drawn (heterogeneous churn, an established base).
BASE = Scenario().with_overrides({"market.clients": 300, "run.months": 3, "run.seed": 11})


def _reads(key: str) -> bool:
    section, name = key.split(".", 1)
    part = initial.MARKET_READS.get(section)
    return part is True or (part is not None and name in part)


def _alternatives(info: ParamInfo) -> list:
    """Other values ``info`` allows, nearest the default first."""
    default = info.default
    if info.kind is bool:
        return [not default]
    choices = typing.get_args(info.kind)
    if choices and all(isinstance(c, str) for c in choices):
        return [c for c in choices if c != default]
    lo = -1e6 if info.lower is None else float(info.lower)
    hi = 1e6 if info.upper is None else float(info.upper)
    out = []
    for v in (default * 1.5 + 0.01, default * 0.5, (lo + hi) / 2, hi, lo):
        v = float(v)
        if info.kind is int:
            v = round(v)
        if lo <= v <= hi and v != default and not (v == lo and info.lower_open):
            out.append(v)
    return out


def _draw(p: Scenario) -> dict[str, np.ndarray]:
    cl = initial._draw_clients(p, Streams(p.run.seed))
    return {spec.name: getattr(cl, spec.name).copy() for spec in cl.specs}


def _moved(key: str, base: Scenario = BASE) -> Scenario | None:
    for value in _alternatives(PARAMS[key]):
        try:
            return base.with_overrides({key: value})
        except ScenarioError:
            continue  # (a value another field rules out)
    return None


OUTSIDE = [k for k in PARAMS if not _reads(k) and not k.startswith("run.")]


@pytest.mark.parametrize(
    "variant",
    [{}, {"market.spend_distribution": "purchases"}, {"market.initial_tenure": "new"},
     {"retain.churn_heterogeneity": 0.0}],
)  # fmt: skip
def test_no_parameter_outside_the_key_changes_the_market(variant) -> None:
    """Every branch of the draw (spend by purchases, a new cohort, homogeneous churn) too."""
    base = BASE.with_overrides(variant)
    before = _draw(base)
    moved = 0
    for key in OUTSIDE:
        p = _moved(key, base)
        if p is None:
            continue
        moved += 1
        after = _draw(p)
        for name, values in before.items():
            assert np.array_equal(after[name], values, equal_nan=True), (key, name)
    # (Nearly every parameter moves: a key that stops moving is a test that stopped testing.)
    assert moved >= 0.9 * len(OUTSIDE), (moved, len(OUTSIDE))
    assert len(OUTSIDE) > 50


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("retain.base_churn", 0.05),
        ("retain.churn_heterogeneity", 0.1),
        ("satisfaction.initial", 0.3),
        ("market.fit_alpha", 3.0),
        ("market.initial_active_share", 0.5),
    ],
)
def test_a_parameter_inside_the_key_changes_the_market(key: str, value: float) -> None:
    before, after = _draw(BASE), _draw(BASE.with_overrides({key: value}))
    assert any(not np.array_equal(before[n], after[n]) for n in before), key


def test_arms_of_one_world_share_its_market(monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim's arm (word of mouth off, another retention response, a raid) draws no market of
    its own, and runs as it would alone."""
    monkeypatch.delenv("RETENTION_SHARED_MB", raising=False)  # (0 turns sharing off)
    sharing.clear()
    drawn = []
    draw = initial._draw_clients
    monkeypatch.setattr(initial, "_draw_clients", lambda p, s: drawn.append(1) or draw(p, s))
    arms = [
        BASE,
        BASE.with_overrides({"word_of_mouth.positive": False}),
        BASE.with_overrides({"retain.satisfaction_sensitivity": 4.0, "levers.staffing": 0.02}),
        BASE.with_shocks(raid(2, 0.3, True)),
    ]
    shared = [RetentionModel(p).run()._table.copy() for p in arms]
    assert len(drawn) == 1
    sharing.clear()
    alone = []
    for p in arms:
        sharing.clear()
        alone.append(RetentionModel(p).run()._table.copy())
    assert len(drawn) == 1 + len(arms)
    for a, b in zip(shared, alone, strict=True):
        assert np.array_equal(a, b, equal_nan=True)
