"""Compiled passes that replace numpy glue in the word-of-mouth, attract, win-back, resolve and
satisfaction phases give their references' numbers, bit for bit.

Each phase's ``step`` is compared with its ``step_numpy`` on random states (the helpers of
:mod:`tests.test_kernels_attract_winback_resolve`), over the network kinds and switches that
change which path a compiled pass takes.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model.engine.network import Network, build_network
from model.engine.phases import attract, resolve, satisfaction, win_back, word_of_mouth
from model.engine.phases.staff import saturating
from model.scenario import Scenario
from tests.test_kernels_attract_winback_resolve import (
    assert_same_effects,
    copied,
    random_context,
)

#: Word-of-mouth settings that change the compiled pass's path (a channel silenced, the
#: recovery bonus counted in behaviour).
WOM_SETTINGS = [
    {},
    {"word_of_mouth.positive": False},
    {"word_of_mouth.negative": False},
    {"service.recovery_paradox_behavioural": True, "word_of_mouth.q_positive": 2.5},
]


@pytest.mark.parametrize("settings", WOM_SETTINGS)
@pytest.mark.parametrize("n", [0, 1, 2, 57, 1_000])
@pytest.mark.parametrize("served", ["some", "all", "none"])
@pytest.mark.parametrize("network", ["small_world", "random", "scale_free", "full"])
def test_word_of_mouth_equals_its_numpy_reference(settings, n, served, network) -> None:
    """Speakers counted into their neighbours (symmetric network) as listeners count them."""
    for seed in range(3):
        ctx = random_context(n, seed + 100 * n, served, network)
        ctx = dataclasses.replace(ctx, params=ctx.params.with_overrides(settings))
        got, want = copied(ctx), copied(ctx)
        word_of_mouth.step(got)
        word_of_mouth.step_numpy(want)
        assert_same_effects(got, want)
        for name in ("promoters", "wom_probability"):
            a, b = getattr(got, name), getattr(want, name)
            assert a.dtype == b.dtype, name
            assert a.tobytes() == b.tobytes(), name


@pytest.mark.parametrize("settings", WOM_SETTINGS)
def test_word_of_mouth_with_hubs_past_the_16_bit_packing(settings) -> None:
    """Hubs with 2^8 neighbours or more: both counts packed in 32 bits."""
    ctx = random_context(4_000, 5, "some", "scale_free")
    net = build_network("scale_free", 4_000, 80, 0.1, np.random.default_rng(7))
    assert net.max_degree() + 1 > 1 << 8
    ctx = dataclasses.replace(ctx, network=net, params=ctx.params.with_overrides(settings))
    got, want = copied(ctx), copied(ctx)
    word_of_mouth.step(got)
    word_of_mouth.step_numpy(want)
    assert_same_effects(got, want)
    assert got.wom_probability.tobytes() == want.wom_probability.tobytes()
    assert got.promoters.tobytes() == want.promoters.tobytes()


@pytest.mark.parametrize("isolated", [1, 40])
def test_word_of_mouth_when_the_last_clients_have_no_contacts(isolated) -> None:
    """Speakers whose rows are empty and last (the walk asks for the edges of speakers further
    on, up to one past the edge array) count and hear as the reference has them. A prefetch
    never faults, so this guards the values, not the hint's address."""
    n = 600
    ctx = random_context(n, 11, "all", "random")
    net = ctx.network
    ends = net.indptr.copy()
    ends[n - isolated :] = ends[n - isolated]  # the last rows emptied ...
    keep = np.repeat(np.arange(n), np.diff(ends))
    indices = net.indices[: ends[-1]]
    mutual = indices < n - isolated  # ... and every edge to them dropped (kept symmetric)
    indptr = np.concatenate([[0], np.cumsum(np.bincount(keep[mutual], minlength=n))])
    cut = Network("random", n, indptr.astype(net.indptr.dtype), indices[mutual].copy())
    ctx = dataclasses.replace(ctx, network=cut)
    got, want = copied(ctx), copied(ctx)
    word_of_mouth.step(got)
    word_of_mouth.step_numpy(want)
    assert_same_effects(got, want)
    assert got.wom_probability.tobytes() == want.wom_probability.tobytes()
    assert np.count_nonzero(got.promoters[n - isolated :])  # the isolated do speak


@pytest.mark.parametrize("scale", [0.5, 20.0, 333.3])
@pytest.mark.parametrize("spend", [0.0, 1e-9, 5.0, 12.5, 1e6])
def test_spend_saturation_is_the_references_saturation_of_each_spend(spend, scale) -> None:
    """The two kept numbers are what the reference's array of spends gives, element by element."""
    targeted = np.random.default_rng(3).random(1_001) < 0.4
    spends = np.where(targeted, spend, 0.0)
    want = saturating(spends, scale)
    got = win_back.spend_saturation(spend, scale)[targeted.astype(np.intp)]
    assert got.tobytes() == want.tobytes()
    assert not win_back.spend_saturation(spend, scale).flags.writeable


def test_kept_ad_probability_is_the_formula_of_the_moment() -> None:
    """The kept chance is the one formed from these numbers, whatever was asked before."""
    p = Scenario().attract
    for budget, factor in [(0.0, 1.0), (3.0, 1.0), (40.0, 1.5), (3.0, 1.0), (7, 2)]:
        want = float(p.ad_p_max * saturating(budget / factor, p.ad_scale))
        got = attract.ad_awareness_probability(budget, factor, p)
        assert np.float64(got).tobytes() == np.float64(want).tobytes()


def test_word_of_mouth_setup_follows_the_scenario_and_network_of_the_month() -> None:
    """The kept setup is per market; another scenario or network on the same clients forms its own."""
    ctx = random_context(500, 11, "some", "small_world")
    other_net = build_network("random", 500, 9.0, 0.1, np.random.default_rng(3))
    for settings, net in [
        ({}, ctx.network),
        ({"word_of_mouth.positive": False}, ctx.network),
        ({"word_of_mouth.positive": False}, other_net),
        ({"satisfaction.promoter_threshold": 7.0}, other_net),
        ({}, build_network("full", 500, 9.0, 0.1, np.random.default_rng(4))),
        ({}, ctx.network),
    ]:
        month = dataclasses.replace(ctx, params=ctx.params.with_overrides(settings), network=net)
        want = copied(month)
        word_of_mouth.step_numpy(want)
        word_of_mouth.step(month)  # on the shared clients: the same market as before
        assert_same_effects(month, want)
        assert month.wom_probability.tobytes() == want.wom_probability.tobytes()
        ctx = dataclasses.replace(ctx, clients=month.clients)


#: Each phase whose scenario constants are kept per market, with settings that change them.
KEPT = [
    pytest.param(
        satisfaction.step,
        satisfaction.step_numpy,
        [{}, {"satisfaction.adjustment_rate": 0.7, "satisfaction.expectation_rate": 0.05}],
        id="satisfaction",
    ),
    pytest.param(
        resolve.step,
        resolve.step_numpy,
        [
            {},
            {
                "satisfaction.initial": 0.55,
                "retain.loyal_tenure_months": 3,
                "retain.loyal_satisfaction": 0.2,
            },
        ],
        id="resolve",
    ),
    pytest.param(
        attract.step,
        attract.step_numpy,
        [
            {},
            {"attract.awareness_decay": 0.6, "word_of_mouth.negative_conversion_factor": 0.2},
            {"attract.awareness_decay": 0.6, "word_of_mouth.enabled": False},
            # The fit term (kept by row for the whole market) follows its own parameters.
            {"attract.conversion_max": 0.5, "attract.fit_exponent": 2.5},
            {"attract.fit_exponent": 0.0},
        ],
        id="attract",
    ),
    pytest.param(
        win_back.step,
        win_back.step_numpy,
        [
            {},
            {"win_back.natural_return": 0.5, "win_back.decay_months": 3.0},
            {"win_back.spend_scale": 2.0, "word_of_mouth.enabled": False},
        ],
        id="win_back",
    ),
]


@pytest.mark.parametrize(("step", "reference", "settings"), KEPT)
@pytest.mark.parametrize("served", ["some", "all", "none"])
def test_kept_constants_follow_the_scenario_of_the_month(step, reference, settings, served):
    """Another scenario on the same clients (the same market) forms its own constants."""
    ctx = random_context(300, 21, served, "small_world")
    for overrides in [*settings, *settings]:
        month = dataclasses.replace(ctx, params=ctx.params.with_overrides(overrides))
        want = copied(month)
        reference(want)
        step(month)  # on the shared clients
        assert_same_effects(month, want)
        ctx = dataclasses.replace(ctx, clients=month.clients)
