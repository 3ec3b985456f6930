"""Issue 18 item 4: the model as an EMA Workbench model, built from the parameter declarations.

``perform_experiments`` must run it, PRIM must find a box in its results, and its levers and
outcomes must be what robust optimisation needs (directions, ranges inside the declared ones).
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "ipyparallel not installed": not needed here
    import ema_workbench as ema
    from ema_workbench.analysis import prim

from model import Scenario, ScenarioError
from model.scenario import PARAMS, by_role, uncertainties
from model.studies.ema import (
    OUTCOMES,
    ema_levers,
    ema_model,
    ema_outcomes,
    ema_uncertainties,
    scenario_key,
)


def test_every_declared_uncertainty_and_lever_maps_to_an_ema_parameter() -> None:
    declared = uncertainties()
    params = ema_uncertainties()
    assert len(params) == len(declared) > 0
    for p, (key, info) in zip(params, declared.items(), strict=True):
        if isinstance(p, ema.RealParameter):
            low, high = info.plausible
            if info.scale == "log":
                assert p.name == f"log10__{key.replace('.', '__')}"
                assert math.isclose(p.lower_bound, math.log10(low))
                assert math.isclose(p.upper_bound, math.log10(high))
            else:
                assert p.name == key.replace(".", "__")
                assert (p.lower_bound, p.upper_bound) == (low, high)
        else:
            assert p.name == key.replace(".", "__")
        assert p.name.isidentifier()  # (EMA Workbench 3 warns, and will refuse, other names)
        assert scenario_key(p.name) == (key, p.name.startswith("log10__"))
    for lever in ema_levers():
        key, _ = scenario_key(lever.name)
        info = PARAMS[key]
        assert key in by_role("lever") and lever.name.isidentifier()
        categorical = isinstance(lever, ema.CategoricalParameter)  # (an IntegerParameter too)
        if isinstance(lever, ema.RealParameter | ema.IntegerParameter) and not categorical:
            assert info.lower is None or lever.lower_bound >= info.lower
            assert info.upper is None or lever.upper_bound <= info.upper
            assert lever.lower_bound <= info.default <= lever.upper_bound
            # EMA samples the ends (a factorial design takes them): both must be allowed.
            for end in (lever.lower_bound, lever.upper_bound):
                Scenario().with_overrides({key: end})
    kinds = {o.name: o.kind for o in ema_outcomes()}
    assert kinds["npv"] == ema.ScalarOutcome.MAXIMIZE
    assert kinds["churned_total"] == ema.ScalarOutcome.MINIMIZE
    assert set(kinds) == set(OUTCOMES)
    with pytest.raises(ValueError, match="not an uncertainty"):
        ema_uncertainties(["levers.service_level"])


def test_perform_experiments_and_prim_find_where_the_firm_loses_money() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        model = ema_model(
            ["economics.cogs_share", "retain.base_churn"],
            ["levers.service_level"],
            ["npv", "active_end"],
            clients=300,
            months=12,
        )
    # (EMA Workbench 3 warns that a name like "economics.cogs_share" will be refused)
    assert not [w for w in seen if "valid Python identifier" in str(w.message)]
    experiments, outcomes = ema.perform_experiments(model, scenarios=24, policies=1)
    assert len(experiments) == 24 and outcomes["npv"].shape == (24,)
    assert np.isfinite(outcomes["npv"]).all()
    # Same seed everywhere (common random numbers): a higher COGS share costs NPV.
    cogs = experiments["economics__cogs_share"].to_numpy()
    assert np.corrcoef(cogs, outcomes["npv"])[0, 1] < -0.5
    x = experiments[[u.name for u in model.uncertainties]]
    y = outcomes["npv"] < np.quantile(outcomes["npv"], 0.3)
    box = prim.Prim(x, y, mass_min=0.1).find_box()
    limits = box.box_lims[box._cur_box]
    assert limits["economics__cogs_share"].iloc[0] > 0.3  # the box cuts the high-COGS corner
    assert box.density > y.mean()  # the box is richer in losers than the whole sample


def test_the_base_scenarios_schedule_and_shocks_are_run():
    """ema_model(base=...) ran the base's parameters without its schedule and shocks: a service
    cut's NPV read the plain baseline's (16,769 against 7,430)."""
    from model.studies.run import simulate

    base = Scenario.preset("policies/service_cut")
    m = ema_model(["economics.cogs_share"], [], ["npv"], clients=300, months=24, base=base)
    got = m.function(economics__cogs_share=base.economics.cogs_share)["npv"]
    assert got == simulate(base, seed=1, clients=300, months=24).summary["npv"]
    assert got != simulate(Scenario(), seed=1, clients=300, months=24).summary["npv"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"clients": 2000.7}, "clients"),
        ({"months": True}, "months"),
        ({"outcomes": ["npvv"]}, "outcomes"),
        ({"uncertainty_keys": "retain.base_churn"}, "uncertainty_keys"),
        ({"base": "baseline"}, "base"),
    ],
)
def test_bad_arguments_name_the_field(kwargs, field):
    with pytest.raises(ScenarioError, match=field):
        ema_model(**{"uncertainty_keys": ["retain.base_churn"], "lever_keys": [], **kwargs})


def test_cac_is_reported_not_optimised():
    """CAC is NaN where nobody was acquired, which the optimiser cannot sort (it failed)."""
    from ema_workbench import ScalarOutcome

    [cac] = ema_outcomes(["cac"])
    assert cac.kind == ScalarOutcome.INFO


def test_prim_takes_experiments_with_a_whole_number_parameter():
    """PRIM's pasting can write a limit of 23.5 into an int64 column, which pandas refuses
    (EMA Workbench 3 converts only int32 limits; an analyst's pass hit it): prim_inputs gives
    PRIM floats. The staffing lever's lower end, 0, which the model refuses, is no longer
    sampled by a factorial design (perform_experiments failed on it)."""
    from ema_workbench import Samplers, perform_experiments
    from ema_workbench.analysis import prim

    from model.studies.ema import prim_inputs

    model = ema_model(
        ["retain.base_churn", "word_of_mouth.lapsed_warning_months"],
        ["levers.staffing"],
        ["npv"],
        clients=100,
        months=6,
        seed=3,
    )
    experiments, outcomes = perform_experiments(
        model, scenarios=12, policies=2, lever_sampling=Samplers.FF,
        uncertainty_sampling_kwargs={"rng": 7}, lever_sampling_kwargs={"rng": 8},
    )  # fmt: skip
    x = prim_inputs(experiments, model)
    assert list(x.columns) == [u.name for u in model.uncertainties]
    assert x["word_of_mouth__lapsed_warning_months"].dtype == np.float64
    assert experiments["levers__staffing"].min() > 0
    low = outcomes["npv"] <= np.quantile(outcomes["npv"], 0.3)
    box = prim.Prim(x, low).find_box()
    assert box.box_lims[-1].shape[1] == 2
    assert list(prim_inputs(experiments, model, levers=True).columns)[-1] == "levers__staffing"
