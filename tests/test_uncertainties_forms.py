"""Structural uncertainties: each alternative form of a disputed rule, checked against its definition.

The forms (docs/ODD.md §7.3, §7.4, §7.9) are pure rule functions that both engines call; the
defaults keep today's forms, so numbers at the defaults do not move (tests/test_engine_golden.py).
"""

from __future__ import annotations

import typing

import numpy as np
import pytest

from model import Scenario
from model.engine.phases.account import service_cost
from model.engine.phases.retain import churn_hazard, satisfaction_response
from model.engine.phases.satisfaction import from_likelihood, satisfaction_cutoffs, to_likelihood
from model.engine.reference import ReferenceModel
from model.scenario import PARAMS, Retain, Satisfaction, Service
from model.scenario.sections.retain import ChurnResponse
from model.scenario.sections.satisfaction import LikelihoodMap
from model.scenario.sections.service import CostForm
from model.studies.run import simulate

CHURN_FORMS = typing.get_args(ChurnResponse)
MAPS = typing.get_args(LikelihoodMap)
COST_FORMS = typing.get_args(CostForm)


def test_every_form_is_a_declared_alternative():
    assert PARAMS["retain.churn_response"].plausible == CHURN_FORMS
    assert PARAMS["satisfaction.likelihood_map"].plausible == MAPS
    assert PARAMS["service.cost_form"].plausible == COST_FORMS
    assert (Retain().churn_response, Satisfaction().likelihood_map, Service().cost_form) == (
        "exponential",
        "power",
        "flat",
    )


# ------------------------------------------------------------ satisfaction -> churn response
@pytest.mark.parametrize("form", CHURN_FORMS)
def test_churn_response_is_one_at_the_reference_with_slope_minus_k(form):
    p = Retain(churn_response=form, satisfaction_sensitivity=3.0, satisfaction_upside=0.5)
    s_ref, h = p.satisfaction_reference, 1e-3
    r = satisfaction_response(np.array([s_ref - h, s_ref, s_ref + h], np.float32), p)
    assert r[1] == pytest.approx(1.0)
    left = (r[1] - r[0]) / h  # slope just below the reference: -k for every form
    assert left == pytest.approx(-3.0, rel=0.02)
    s = np.linspace(0, 1, 101, dtype=np.float32)
    assert np.all(np.diff(satisfaction_response(s, p)) <= 0)  # more satisfied, less churn


def test_churn_response_forms_differ_as_documented():
    s = np.linspace(0, 1, 101, dtype=np.float32)
    resp = {f: satisfaction_response(s, Retain(churn_response=f)) for f in CHURN_FORMS}
    assert resp["logistic"].max() < 2.0 and resp["logistic"].min() > 0.0  # bounded
    assert resp["exponential"].max() > 2.0  # unbounded as S falls
    assert resp["linear"][-1] == 0.0  # zero above S_ref + 1/k
    above = s > Retain().satisfaction_reference + 0.05
    assert np.all(resp["asymmetric"][above] > resp["exponential"][above])  # weaker upside
    below = s < Retain().satisfaction_reference
    np.testing.assert_allclose(resp["asymmetric"][below], resp["exponential"][below])


def test_churn_hazard_keeps_the_other_terms_under_every_form():
    prop = np.full(5, 0.02, np.float32)
    sat = np.linspace(0.3, 0.9, 5).astype(np.float32)
    tenure = np.full(5, 24)
    for form in CHURN_FORMS:
        p = Retain(churn_response=form, tenure_slope=-0.2)
        plain = churn_hazard(prop, sat, 0.0, 0.0, tenure, p)
        expected = prop * satisfaction_response(sat, p) * np.exp(-0.2 * 2)
        np.testing.assert_allclose(plain, np.clip(expected, 0, 1), rtol=1e-5)
        discounted = churn_hazard(prop, sat, 0.0, 0.1, tenure, p)
        np.testing.assert_allclose(discounted, plain * np.exp(-p.loyalty_elasticity * 0.1), 1e-5)


# -------------------------------------------------------- satisfaction -> likelihood map
@pytest.mark.parametrize("form", MAPS)
def test_likelihood_map_spans_the_scale_and_inverts(form):
    p = Satisfaction(likelihood_map=form)
    s = np.linspace(0, 1, 201)
    ltr = to_likelihood(s, p)
    assert ltr[0] == pytest.approx(0.0, abs=1e-9) and ltr[-1] == pytest.approx(10.0)
    assert np.all(np.diff(ltr) > 0)
    for score in (1.0, 5.0, 7.0, 9.0):
        assert to_likelihood(from_likelihood(score, p), p) == pytest.approx(score)
    promoter, detractor = satisfaction_cutoffs(p)
    assert to_likelihood(promoter, p) == pytest.approx(p.promoter_threshold)
    assert detractor < promoter


def test_logistic_map_is_s_shaped():
    p = Satisfaction(likelihood_map="logistic", likelihood_steepness=10.0)
    assert to_likelihood(0.5, p) == pytest.approx(5.0)
    slope = np.gradient(to_likelihood(np.linspace(0, 1, 101), p))
    assert slope[50] > slope[5] and slope[50] > slope[95]


# ------------------------------------------------------------------- cost to serve
def test_share_of_spend_cost_keeps_the_mean_and_grows_with_spend():
    rng = np.random.default_rng(0)
    sigma, mean = 1.37, 100.0
    spend = rng.lognormal(np.log(mean) - sigma**2 / 2, sigma, 400_000)
    flat = service_cost(0.6, spend, Service(), mean)
    share = service_cost(0.6, spend, Service(cost_form="share_of_spend"), mean)
    assert np.ndim(flat) == 0 and flat == pytest.approx(10.0 * 0.36)
    assert share.mean() == pytest.approx(flat, rel=0.03)
    assert np.corrcoef(share, spend)[0, 1] == pytest.approx(1.0)


# ----------------------------------------------------------- both engines, every form
SMALL = {"market.clients": 1000, "run.months": 12}


@pytest.mark.parametrize(
    "override",
    [{"retain.churn_response": f} for f in CHURN_FORMS if f != "exponential"]
    + [{"satisfaction.likelihood_map": m} for m in MAPS if m != "power"]
    + [{"service.cost_form": "share_of_spend"}],
)
def test_both_engines_run_every_alternative_and_it_changes_the_run(override):
    scenario = Scenario().with_overrides({**SMALL, **override})
    array = simulate(scenario, seed=1).timeseries
    default = simulate(Scenario().with_overrides(SMALL), seed=1).timeseries
    reference = ReferenceModel(scenario, rng=1).run().timeseries()
    assert len(reference) == len(array) == SMALL["run.months"]
    assert np.isfinite(reference["profit"]).all() and np.isfinite(array["profit"]).all()
    moved = ["churned", "nps", "promoters", "service", "profit"]
    assert not all(np.array_equal(array[c], default[c]) for c in moved)
