"""The compiled attract, win-back and resolve phases give their numpy references' numbers, bit for bit.

Each phase's ``step`` runs compiled kernels (:mod:`model.engine.kernels.attract`, ``win_back``,
``resolve``); ``step_numpy`` beside it is the readable reference. Checked two ways: whole runs
with the three references swapped in (every monthly metric and every client array equal, on
scenarios that switch different mechanisms on), and each phase alone on random states, including
empty markets and markets where everyone or no one is served, aware, lapsed or moving.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from model.engine.context import LEDGER_LINES, Context
from model.engine.network import build_network
from model.engine.phases import PHASES, attract, resolve, win_back
from model.engine.retention_model import RetentionModel
from model.engine.state import ClientState
from model.scenario import Scenario
from tests.test_engine_golden import scenario_of

#: The three phases' numpy references, by phase name.
REFERENCES = {
    "attract": attract.step_numpy,
    "win_back": win_back.step_numpy,
    "resolve": resolve.step_numpy,
}

#: name -> (overrides, schedule, shocks): each switches a different mechanism on or off.
RUNS: dict[str, tuple[dict[str, Any], list, list]] = {
    "targeted_win_back": (
        {
            "market.clients": 2_000,
            "run.months": 30,
            "run.seed": 13,
            "levers.loyalty_discount": 0.1,
            "levers.winback_spend": 20.0,
            "targeting.loyalty": "at_risk",
            "targeting.winback": "top_value",
            "targeting.share": 0.3,
        },
        [],
        [],
    ),
    "schedule_and_shocks": (
        {"market.clients": 2_000, "run.months": 30, "run.seed": 14},
        [
            {"month": 5, "set": {"service_level": "low", "ad_budget": 8.0}},
            {"month": 15, "set": {"service_level": "wow", "winback_spend": 15.0}},
        ],
        [
            {"kind": "bad_service", "start": 6, "months": 3, "size": 0.3},
            {"kind": "price_war", "start": 9, "months": 6, "size": 0.5},
            {"kind": "competitor_leap", "start": 12, "size": 0.1},
        ],
    ),
    "scale_free_all_on": (
        {
            "market.clients": 2_000,
            "run.months": 30,
            "run.seed": 15,
            "word_of_mouth.network": "scale_free",
            "market.initial_active_share": 0.8,
            "retain.tenure_slope": -0.05,
            "levers.loyalty_discount": 0.05,
        },
        [],
        [],
    ),
    "fully_mixed_small": (
        {"market.clients": 150, "run.months": 40, "run.seed": 16, "word_of_mouth.network": "full"},
        [],
        [],
    ),
    "no_word_of_mouth": (
        {"market.clients": 150, "run.months": 40, "run.seed": 17, "word_of_mouth.enabled": False},
        [],
        [],
    ),
    "nobody_served_at_start": (
        {
            "market.clients": 10,
            "run.months": 24,
            "run.seed": 18,
            "market.initial_active_share": 0.0,
        },
        [],
        [],
    ),
    "everyone_served_at_start": (
        {
            "market.clients": 300,
            "run.months": 24,
            "run.seed": 19,
            "market.initial_active_share": 1.0,
        },
        [],
        [],
    ),
}


def build(name: str) -> Scenario:
    """The named scenario, validated."""
    return scenario_of(RUNS[name])


def with_references() -> tuple:
    """The month's phases with attract, win back and resolve in numpy."""
    return tuple((name, REFERENCES.get(name, step)) for name, step in PHASES)


@pytest.mark.parametrize("name", list(RUNS))
def test_runs_equal_their_numpy_reference_bit_for_bit(name: str) -> None:
    compiled = RetentionModel(build(name)).run()
    reference = RetentionModel(build(name), phases=with_references()).run()
    assert compiled.results.keys() == reference.results.keys()
    for metric, values in reference.results.items():
        np.testing.assert_array_equal(compiled.results[metric], values, err_msg=metric)
    got, want = compiled.clients.snapshot(), reference.clients.snapshot()
    for array, values in want.items():
        assert got[array].dtype == values.dtype, array
        np.testing.assert_array_equal(got[array], values, err_msg=array)


# ------------------------------------------------------------------------------- phase by phase
def random_context(
    n: int, seed: int, served: str = "some", network: str = "small_world"
) -> Context:
    """A context of ``n`` clients in random states, in a month begun as the engine begins one.

    ``served``: "some" (a random half), "all" or "none" of the market served this month.
    """
    rng = np.random.default_rng(seed)
    params = Scenario().with_overrides(
        {
            "market.clients": 10,
            "word_of_mouth.network": network,
            "levers.winback_spend": float(rng.choice([0.0, 12.5])),
            "levers.ad_budget": float(rng.choice([0.0, 3.0, 40.0])),
        }
    )
    model = RetentionModel(params)
    cl = ClientState(n)
    cl.stage[:] = rng.integers(0, 4, n)
    cl.aware[:] = rng.random(n) < 0.5
    cl.aware_source[:] = rng.integers(0, 3, n)
    cl.referrer[:] = rng.integers(-1, max(n, 1), n)
    cl.fit[:] = rng.random(n, dtype=np.float32)
    cl.fit[: n // 10] = 0.0  # fit 0: a power of 0
    cl.tenure[:] = rng.integers(0, 40, n)
    cl.months_lapsed[:] = rng.integers(0, 60, n)
    cl.left_reason[:] = rng.integers(0, 4, n)  # every Reason, GONE_FOR_GOOD included
    for name in ("satisfaction", "expectation", "paradox_bonus"):
        getattr(cl, name)[:] = rng.random(n, dtype=np.float32)
    cl.acquired_month[:] = rng.integers(-1, 20, n)
    net = build_network(network, n, 6.0, 0.1, np.random.default_rng(seed + 1))
    ctx = Context(
        params=params,
        clients=cl,
        staff=model.staff_state,
        firm=model.firm,
        network=net,
        streams=model.streams,
        levers=params.levers,
    )
    ctx.begin_month(int(rng.integers(1, 30)), params.levers, float(rng.choice([1.0, 1.5])))
    # The month's requests and messages, as earlier phases leave them.
    for name in ("heard_positive", "heard_negative", "leaves", "joins", "returns"):
        getattr(cl, name)[:] = rng.random(n) < 0.3
    cl.direct_cost[:] = rng.random(n) * (rng.random(n) < 0.2)
    ctx.served = {"some": rng.random(n) < 0.5, "all": np.ones(n, bool), "none": np.zeros(n, bool)}[
        served
    ]
    ctx.served_idx = np.flatnonzero(ctx.served)
    ctx.promoters = rng.random(n) < 0.3
    ctx.wom_probability = (rng.random(n, dtype=np.float32) * (rng.random(n) < 0.7)).astype(
        np.float32
    )
    ctx.targeted["winback"] = rng.random(n) < 0.4
    # (every line, as a month opens it: a phase that books a new line finds it)
    ctx.ledger = {**dict.fromkeys(LEDGER_LINES, 0.0), "marketing": 1.25, "winback": 3.5}
    return ctx


def copied(ctx: Context) -> Context:
    """An independent copy of what a phase writes (client arrays, ledger, tally)."""
    return dataclasses.replace(
        ctx, clients=ctx.clients.copy(), ledger=dict(ctx.ledger), tally=dict(ctx.tally)
    )


def assert_same_effects(got: Context, want: Context) -> None:
    """The two contexts hold the same numbers after a phase (bit for bit, dtypes included)."""
    a, b = got.clients.snapshot(), want.clients.snapshot()
    for name in b:
        assert a[name].dtype == b[name].dtype, name
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)
    assert got.ledger == want.ledger
    assert got.tally == want.tally
    assert [type(v) for v in got.tally.values()] == [type(v) for v in want.tally.values()]
    np.testing.assert_array_equal(got.charged_unserved, want.charged_unserved)
    assert got.charged_unserved.dtype == want.charged_unserved.dtype


PHASE_STEPS = [
    pytest.param(attract.step, attract.step_numpy, id="attract"),
    pytest.param(win_back.step, win_back.step_numpy, id="win_back"),
    pytest.param(resolve.step, resolve.step_numpy, id="resolve"),
]


@pytest.mark.parametrize(("step", "reference"), PHASE_STEPS)
@pytest.mark.parametrize("n", [0, 1, 2, 57, 1_000])
@pytest.mark.parametrize("served", ["some", "all", "none"])
@pytest.mark.parametrize("network", ["small_world", "full"])
def test_phase_equals_its_numpy_reference_on_random_states(
    step, reference, n: int, served: str, network: str
) -> None:
    for seed in range(3):
        ctx = random_context(n, seed + 100 * n, served, network)
        got, want = copied(ctx), copied(ctx)
        step(got)
        reference(want)
        assert_same_effects(got, want)


@pytest.mark.parametrize(("step", "reference"), PHASE_STEPS)
@pytest.mark.parametrize("stage", [0, 1, 2, 3])
def test_phase_equals_its_reference_when_everyone_is_in_one_stage(step, reference, stage) -> None:
    """Everyone a prospect (all aware, none aware), active, loyal or lapsed; everyone moving."""
    for everyone in (False, True):
        ctx = random_context(400, 7 + stage, "all" if stage in (1, 2) else "none")
        cl = ctx.clients
        cl.stage[:] = stage
        cl.aware[:] = everyone
        cl.heard_positive[:] = everyone
        cl.heard_negative[:] = everyone
        cl.leaves[:] = everyone and stage in (1, 2)
        cl.joins[:] = everyone and stage == 0
        cl.returns[:] = everyone and stage == 3
        ctx.targeted["winback"][:] = everyone
        got, want = copied(ctx), copied(ctx)
        step(got)
        reference(want)
        assert_same_effects(got, want)


def test_lapse_decay_table_is_the_references_exponential_for_every_month() -> None:
    months = np.arange(0, 2_000, dtype=np.int16)
    table = win_back.lapse_decay_table(12.0)
    np.testing.assert_array_equal(
        table[months.astype(np.int64) + (1 << 15)], np.exp(-months / 12.0)
    )
    assert not table.flags.writeable
