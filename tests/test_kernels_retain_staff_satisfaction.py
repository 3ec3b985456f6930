"""The compiled retain, staff and satisfaction phases give their numpy references' numbers, bit for bit.

Each phase's ``step`` runs numba kernels (:mod:`model.engine.kernels.retain`, ``.staff``,
``.satisfaction``); ``step_numpy`` beside it is the readable reference. Checked two ways: whole runs
with the references swapped in (every monthly metric and every client array equal) on scenarios
that switch different mechanisms on, and each phase on one month's context with random client
values, dense and sparse, with everyone or no one served.
"""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from test_engine_golden import SCENARIOS, build

from model.engine.context import Context
from model.engine.kernels import retain as retain_kernels
from model.engine.kernels import satisfaction as satisfaction_kernels
from model.engine.kernels import staff as staff_kernels
from model.engine.kernels.numpy_loops import EXP32
from model.engine.phases import PHASES, retain, satisfaction, staff
from model.engine.retention_model import RetentionModel
from model.engine.state import Reason
from model.scenario import Scenario

#: The phases compiled here, and their numpy references.
REFERENCES = {
    "retain": retain.step_numpy,
    "staff": staff.step_numpy,
    "satisfaction": satisfaction.step_numpy,
}

#: Mechanisms the golden scenarios leave off, switched on for the whole-run comparison.
EXTRA: dict[str, dict[str, Any]] = {
    "paradox_logistic": {
        "market.clients": 1_500,
        "run.months": 24,
        "run.seed": 11,
        "service.recovery_paradox_behavioural": True,
        "retain.churn_response": "logistic",
        "levers.loyalty_discount": 0.05,
        "retain.tenure_slope": -0.05,
        "levers.empowerment_budget": 200.0,
    },
    "linear_response": {
        "market.clients": 1_500,
        "run.months": 24,
        "run.seed": 12,
        "retain.churn_response": "linear",
        "targeting.loyalty": "at_risk",
        "word_of_mouth.enabled": False,
    },
    "asymmetric_response": {
        "market.clients": 1_500,
        "run.months": 24,
        "run.seed": 13,
        "retain.churn_response": "asymmetric",
        "service.recovery_paradox_behavioural": True,
        "market.initial_active_share": 0.0,
    },
}


def _scenario(name: str) -> Scenario:
    if name in EXTRA:
        return Scenario().with_overrides(EXTRA[name])
    return build(name)


def _run(scenario: Scenario, reference: bool) -> RetentionModel:
    phases = tuple(
        (name, REFERENCES.get(name, step) if reference else step) for name, step in PHASES
    )
    return RetentionModel(scenario, phases=phases).run()


@pytest.mark.parametrize(
    "name",
    [
        "baseline",
        "loyalty_at_risk",
        "schedule_and_shocks",
        "all_mechanisms",
        "small_market",
        *EXTRA,
    ],
)
def test_compiled_run_equals_the_numpy_run(name: str) -> None:
    scenario = _scenario(name)
    compiled, reference = _run(scenario, False), _run(scenario, True)
    for metric, values in reference.results.items():
        np.testing.assert_array_equal(compiled.results[metric], values, err_msg=metric)
        assert np.array_equal(np.signbit(compiled.results[metric]), np.signbit(values)), metric
    got, want = compiled.clients.snapshot(), reference.clients.snapshot()
    assert got.keys() == want.keys()
    for key, values in want.items():
        assert got[key].tobytes() == values.tobytes(), key
    for state in ("clients", "staff"):  # every declared array, scratch included
        a, b = getattr(compiled.ctx, state), getattr(reference.ctx, state)
        for spec in a.specs:
            assert getattr(a, spec.name).tobytes() == getattr(b, spec.name).tobytes(), spec.name


def test_the_scenarios_switch_their_mechanisms_on() -> None:
    """The whole-run comparison covers the paths it claims to: poaching, a programme, forms."""
    assert SCENARIOS["schedule_and_shocks"][2][-1]["kind"] == "poaching"
    forms = {Scenario().with_overrides(o).retain.churn_response for o in EXTRA.values()}
    assert forms == {"logistic", "linear", "asymmetric"}


# --------------------------------------------------------------- one phase on a random month


def _context(overrides: dict[str, Any], served_share: float, seed: int) -> Context:
    """A month's context after one simulated month, with random client values and who is served."""
    base = {"market.clients": 2_000, "run.months": 4, "run.seed": seed}
    model = RetentionModel(Scenario().with_overrides({**base, **overrides}))
    model.step()
    ctx = model.ctx
    ctx.begin_month(2, ctx.levers, 1.0)
    rng = np.random.default_rng(seed)
    cl, n = ctx.clients, ctx.clients.n
    for name in ("satisfaction", "expectation", "experience"):
        getattr(cl, name)[:] = rng.random(n, dtype=np.float32)
    cl.fit = rng.random(n, dtype=np.float32)  # (a trait, read-only on a model: put in anew)
    cl.paradox_bonus[:] = rng.random(n, dtype=np.float32) * np.float32(0.2)
    cl.propensity[:] = rng.random(n, dtype=np.float32) * np.float32(0.3)
    cl.tenure[:] = rng.integers(0, 200, n)
    # Edge values: exact zeros and ones, -0.0, a satisfaction at the churn threshold.
    cl.satisfaction[:8] = [0.0, 1.0, -0.0, 0.5, 0.25, 1.0, 0.0, 0.3]
    cl.experience[:4] = [0.0, -0.0, 1.0, 0.5]
    st = ctx.staff
    st.engagement[:] = rng.random(st.n, dtype=np.float32)
    st.skill[:] = rng.random(st.n, dtype=np.float32)
    cl.leaves[:] = rng.random(n) < 0.5  # stale requests: a phase must write what it owns
    served = rng.random(n) < served_share
    ctx.served, ctx.served_idx = served, np.flatnonzero(served)
    ctx.targeted = {k: rng.random(n) < 0.5 for k in ctx.targeted}
    return ctx


def _copy(ctx: Context) -> Context:
    return dataclasses.replace(
        ctx,
        clients=ctx.clients.copy(),
        staff=ctx.staff.copy(),
        firm=dataclasses.replace(ctx.firm),
        ledger=dict(ctx.ledger),
        tally=dict(ctx.tally),
    )


def _assert_same(a: Context, b: Context) -> None:
    for spec in a.clients.specs:
        x, y = getattr(a.clients, spec.name), getattr(b.clients, spec.name)
        assert x.tobytes() == y.tobytes(), spec.name
    for spec in a.staff.specs:
        x, y = getattr(a.staff, spec.name), getattr(b.staff, spec.name)
        assert x.tobytes() == y.tobytes(), spec.name
    assert a.staff.employed == b.staff.employed
    assert a.ledger == b.ledger
    assert a.tally.keys() == b.tally.keys()
    for key, value in a.tally.items():
        assert type(value) is type(b.tally[key]), key
        assert value == b.tally[key] or (math.isnan(value) and math.isnan(b.tally[key])), key
        assert math.copysign(1.0, value) == math.copysign(1.0, b.tally[key]), key


SETTINGS = [
    {},
    {"levers.loyalty_discount": 0.1, "retain.tenure_slope": -0.05},
    {"targeting.loyalty": "at_risk", "service.recovery_paradox_behavioural": True},
    {"retain.churn_response": "logistic", "levers.loyalty_discount": 0.05},
    {"retain.churn_response": "linear", "retain.tenure_slope": 0.1},
    {"retain.churn_response": "asymmetric", "service.recovery_paradox_behavioural": True},
    {"levers.staffing": 2.0, "levers.autonomy": 0.7, "levers.training_spend": 300.0},
    {"staff.capacity": 8.0, "staff.turnover": 0.3, "levers.empowerment_budget": 50.0},
]


@pytest.mark.parametrize("served_share", [0.0, 0.2, 0.8, 1.0])
@pytest.mark.parametrize("setting", range(len(SETTINGS)))
@pytest.mark.parametrize("phase", ["retain", "staff", "satisfaction"])
def test_compiled_phase_equals_its_reference(phase: str, setting: int, served_share: float) -> None:
    ctx = _context(SETTINGS[setting], served_share, seed=100 + setting)
    compiled, reference = _copy(ctx), _copy(ctx)
    dict(PHASES)[phase](compiled)
    REFERENCES[phase](reference)
    _assert_same(compiled, reference)


@pytest.mark.parametrize("permanent", [(False,), (True,), (True, False)])
def test_retain_with_poaching_equals_its_reference(permanent: tuple[bool, ...]) -> None:
    """Poaching raids in force this month (passing, permanent, one of each): the poached are
    marked, and their reasons given, as the reference marks and gives them."""
    shocks = [
        {"kind": "poaching", "start": 1, "months": 4, "size": 0.3, "permanent": keep}
        for keep in permanent
    ]
    base = Scenario().with_overrides({"market.clients": 1_000, "run.months": 4, "run.seed": 5})
    scenario = Scenario.build({**base.model_dump(), "shocks": shocks})
    for share in (0.3, 0.9):
        model = RetentionModel(scenario)
        model.step()
        ctx = model.ctx
        ctx.begin_month(2, ctx.levers, 1.0)
        rng = np.random.default_rng(int(share * 10))
        served = rng.random(ctx.clients.n) < share
        ctx.served, ctx.served_idx = served, np.flatnonzero(served)
        compiled, reference = _copy(ctx), _copy(ctx)
        retain.step(compiled)
        retain.step_numpy(reference)
        assert compiled.tally["poached"] > 0
        cl = compiled.clients
        gone = np.count_nonzero(cl.leaves & (cl.left_reason == Reason.GONE_FOR_GOOD))
        assert (gone > 0) == any(permanent)
        assert (gone == compiled.tally["poached"]) == all(permanent)
        _assert_same(compiled, reference)


def test_staff_headcount_changes_deal_clients_as_the_reference() -> None:
    """Hiring and lay-offs re-deal clients round-robin, as ``np.remainder`` does."""
    for staffing in (0.3, 1.0, 3.0):
        ctx = _context({"levers.staffing": staffing}, 0.7, seed=7)
        compiled, reference = _copy(ctx), _copy(ctx)
        staff.step(compiled)
        staff.step_numpy(reference)
        _assert_same(compiled, reference)


# ------------------------------------------------------------------------------- the kernels


def test_deal_round_robin_is_remainder() -> None:
    for size, n_staff in ((0, 3), (1, 1), (10, 3), (1001, 7), (5, 9)):
        got = np.full(size, -1, np.int32)
        staff_kernels.deal_round_robin(got, n_staff)
        assert np.array_equal(got, np.arange(size) % n_staff)


def _satisfaction_reference(x, e, s, bonus, scalars):  # type: ignore[no-untyped-def]
    a, b, rate, own, standard, e_rate = scalars
    p = SimpleNamespace(
        absolute_weight=a,
        disconfirmation_weight=b,
        expectation_own_weight=own,
        expectation_rate=e_rate,
    )
    target = satisfaction.satisfaction_target(x, e, p)
    return (
        s + np.float32(rate) * (target - s),
        satisfaction.expectation_update(e, x, standard, p),
        bonus * np.float32(1.0 - rate),
    )


@pytest.mark.parametrize("share", [0.2, 0.6])
@pytest.mark.parametrize("size", [0, 1, 17, 1000])
def test_satisfaction_kernel_equals_the_rule_on_random_inputs(size: int, share: float) -> None:
    """Both of the kernel's passes: over the served rows (few served) and over every row."""
    rng = np.random.default_rng(size)
    x, e, s, bonus = (rng.random(size, dtype=np.float32) * 1.4 - np.float32(0.2) for _ in range(4))
    if size:
        x[0], e[-1] = -0.0, np.nan
    scalars = (0.3, 0.7, 0.25, 0.6, 0.55, 0.1)
    a, b, rate, own, standard, e_rate = scalars
    want = _satisfaction_reference(x, e, s, bonus, scalars)
    rows = np.flatnonzero(rng.random(size) < share)
    got_s, got_e, got_b = s.copy(), e.copy(), bonus.copy()
    f32 = np.float32
    satisfaction_kernels.update_served(
        rows,
        np.isin(np.arange(size), rows),
        x,
        got_e,
        got_s,
        got_b,
        f32(a),
        f32(b),
        f32(rate),
        f32(own),
        f32((1.0 - own) * standard),
        f32(e_rate),
        f32(1.0 - rate),
    )
    for got, ref, old in ((got_s, want[0], s), (got_e, want[1], e), (got_b, want[2], bonus)):
        expected = old.copy()
        expected[rows] = ref[rows]
        assert got.tobytes() == expected.tobytes()


def test_retain_kernel_on_an_empty_market() -> None:
    """No positions: nothing written, no one counted, nothing kept."""
    empty_f, empty_i, empty_b = (np.zeros(0, t) for t in (np.float32, np.int64, bool))
    counts = retain_kernels.leave_month(
        False, empty_b, empty_i, empty_f, empty_f, True, np.zeros(0, np.int16), empty_b,
        (True, -2.0, 0.5, True, 1.0, 0.1, True, 0.01), True, empty_f, 1.0, empty_f, 0.3,
        empty_f, empty_f, 0.0, 0.0, empty_b, np.zeros(0, np.int8), np.getbufsize(), EXP32.address,
    )  # fmt: skip
    assert counts == (0, 0, 0, 0.0)


def test_a_raids_shares_are_compared_in_float32_as_numpy_compares_them() -> None:
    """A uniform of exactly float32(0.7) is not taken by raids of 0.7 (numpy compares a float32
    array with a Python float in float32), one a step below is, and for good. The test of whole
    months cannot see this edge: float32(0.3), its raids' share, lies above 0.3."""
    edge = np.float32(0.7)
    assert not (np.array([edge]) < 0.7)[0]  # (the reference's comparison)
    u_poach = np.array([edge, np.nextafter(edge, np.float32(0))], np.float32)
    n = u_poach.size
    flags, floats = np.ones(n, bool), np.zeros(n, np.float32)
    leaves, reason = np.zeros(n, bool), np.zeros(n, np.int8)
    counts = retain_kernels.leave_month(
        True, flags, np.arange(n), floats + 0.5, floats, False, np.zeros(n, np.int16), flags,
        (True, -2.0, 0.5, False, 0.0, 0.0, False, 0.0), False, np.zeros(0, np.float32), 1.0,
        floats, 0.3, np.ones(n, np.float32), u_poach, 0.7, 0.7, leaves, reason,
        np.getbufsize(), EXP32.address,
    )  # fmt: skip
    assert counts[2] == 1  # one poached
    assert leaves.tolist() == [False, True]
    assert reason.tolist() == [0, int(Reason.GONE_FOR_GOOD)]


@pytest.mark.parametrize("served_share", [0.3, 0.97])
@pytest.mark.parametrize("setting", [1, 3])
def test_retain_chunks_and_buffers_equal_the_reference(served_share: float, setting: int) -> None:
    """A market of many chunks (:data:`~model.engine.kernels.retain.CHUNK`), dense and sparse,
    with a programme: the leavers and the programme's effect summed one numpy buffer-full at a
    time, whether the buffer is shorter than a chunk, as long, or spans several.

    Propensities spread over eleven orders of magnitude, so the float64 sum of the float32
    effects is not exact and numpy's buffer size changes its last bits: a kernel that summed in
    another grouping would differ (checked: the reference's sums are not all equal).
    """
    clients = 3 * retain_kernels.CHUNK * 4 + 37
    ctx = _context({**SETTINGS[setting], "market.clients": clients}, served_share, seed=7)
    rng = np.random.default_rng(setting)
    ctx.clients.propensity[:] = 10.0 ** rng.uniform(-12.0, np.log10(0.3), clients)
    assert ctx.dense == (served_share > 0.5)  # (both of the kernel's ways)
    sums = set()
    before = np.getbufsize()
    for bufsize in (16, 1008, 1024, 8192):
        compiled, reference = _copy(ctx), _copy(ctx)
        try:
            np.setbufsize(bufsize)
            retain.step(compiled)
            retain.step_numpy(reference)
        finally:
            np.setbufsize(before)
        _assert_same(compiled, reference)
        sums.add(np.float64(reference.tally["kept_by_programme"]).tobytes())
    assert len(sums) > 1  # (the buffer size shows in the sum: the comparison can fail)


def test_staff_kernel_with_no_one_served_and_no_staff() -> None:
    """Zero clients served: every employed member is idle; zero staff: only the resets."""
    f32 = np.float32
    for n in (0, 3):
        clients = np.full(5, 9, np.int32)
        quits = np.ones(5, bool)
        left, used = np.full(5, 7.0), np.full(5, 7.0)
        engagement, skill = np.full(5, 0.5, np.float32), np.full(5, 0.5, np.float32)
        count = staff_kernels.staff_month(
            n,
            np.zeros(0, np.int64),
            np.zeros(0, np.int32),
            clients,
            engagement,
            skill,
            np.full(5, 0.99, np.float32),
            quits,
            left,
            used,
            10.0,
            0.6,
            f32(0.6),
            0.5,
            0.2,
            f32(0.2),
            f32(0.05),
            f32(1.0),
            f32(0.5),
            f32(0.3),
            100.0,
        )
        assert count == 0 and not quits.any() and not clients.any() and not used.any()
        assert np.array_equal(left, np.where(np.arange(5) < n, 100.0, 0.0))
