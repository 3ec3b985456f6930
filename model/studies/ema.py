"""The model as an EMA Workbench model: uncertainties, levers and outcomes from the declarations.

`EMA Workbench <https://emaworkbench.readthedocs.io>`_ (Kwakkel 2017) explores a model over
*uncertainties* (what the world decides), *levers* (what the firm decides) and *outcomes*, for
scenario discovery (PRIM) and robust optimisation. :func:`ema_model` builds that model from the
parameter declarations of :mod:`model.scenario`, so nothing is typed twice:

* names — EMA wants Python identifiers, so ``section.name`` is ``section__name``
  (:func:`ema_name`; :func:`scenario_key` reads one back);
* uncertainties — every parameter with role ``"uncertainty"`` and a ``plausible`` range
  (:func:`model.scenario.uncertainties`): a float is a ``RealParameter`` over it (a ``log``-scaled
  one is sampled as ``log10__section__name`` over the log of the range, so small values are not
  starved),
  an int an ``IntegerParameter``, a bool a ``BooleanParameter``, alternatives a
  ``CategoricalParameter``;
* levers — every parameter with role ``"lever"`` over its allowed range (a range far wider than
  useful, e.g. a budget allowed to 10⁷ with a default of 300, is cut at ten times the default, as
  the app's sliders are); named alternatives (targeting) are categorical;
* outcomes — headline results of :meth:`RetentionModel.summary` (:data:`OUTCOMES`), with a
  direction for optimisation.

:func:`prim_inputs` takes the experiments' parameter columns as PRIM wants them (a whole-number
column as floats: PRIM places a box's limit between two values, half a month say, which an
integer column cannot hold).

Every experiment runs on the same seed (common random numbers), so differences between
experiments are the parameters' doing, not luck; pass another ``seed`` to check a finding.

Examples
--------
>>> from ema_workbench import perform_experiments
>>> m = ema_model(["market.spend_sigma"], ["levers.service_level"], clients=200, months=6)
>>> [u.name for u in m.uncertainties], [lv.name for lv in m.levers]
(['market__spend_sigma'], ['levers__service_level'])
>>> experiments, outcomes = perform_experiments(m, scenarios=3, policies=2)
>>> len(experiments), sorted(outcomes)[:2]
(6, ['active_end', 'cac'])
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from functools import partial
from typing import Any, get_args

from model.engine.keywords import require_scenario
from model.engine.summary import SUMMARY
from model.scenario import PARAMS, ParamInfo, Scenario, ScenarioError, by_role, uncertainties
from model.scenario.arguments import choice, count, first_seed
from model.scenario.schedule import set_again
from model.studies.run import after_horizon_note

__all__ = [
    "OUTCOMES",
    "ema_levers",
    "ema_model",
    "ema_name",
    "ema_outcomes",
    "ema_uncertainties",
    "prim_inputs",
    "run",
    "scenario_key",
]

#: Outcome name → direction for optimisation (+1 maximise, −1 minimise, 0 report only).
OUTCOMES: dict[str, int] = {
    "npv": 1,
    "profit_total": 1,
    "active_end": 1,
    "retention_annual_mean": 1,
    "nps_end": 1,
    "satisfaction_end": 1,
    # Reported, not optimised: undefined (NaN) where nobody was acquired, which an optimiser's
    # sorting cannot take (platypus failed on it).
    "cac": 0,
    "churned_total": -1,
}
_LOG = "log10__"


def ema_name(key: str, log: bool = False) -> str:
    """EMA's name of a parameter: ``section.name`` as an identifier, ``section__name`` (EMA
    Workbench 3 warns that names must be Python identifiers, and will refuse others);
    ``log10__section__name`` for one sampled on a log scale."""
    return (_LOG if log else "") + key.replace(".", "__", 1)


def scenario_key(name: str) -> tuple[str, bool]:
    """``(section.name, sampled as log10?)`` of an EMA name (:func:`ema_name` read back)."""
    log = name.startswith(_LOG)
    return name.removeprefix(_LOG).replace("__", ".", 1), log


def _parameter(key: str, info: ParamInfo, low: Any, high: Any) -> Any:
    import ema_workbench as ema

    choices = get_args(info.kind)
    name = ema_name(key)
    if choices:  # a Literal: named alternatives
        return ema.CategoricalParameter(name, list(low if isinstance(low, tuple) else choices))
    if info.kind is bool:
        return ema.BooleanParameter(name)
    if info.kind is int:
        return ema.IntegerParameter(name, int(low), int(high))
    if info.scale == "log" and low > 0:
        return ema.RealParameter(ema_name(key, log=True), math.log10(low), math.log10(high))
    return ema.RealParameter(name, float(low), float(high))


def ema_uncertainties(keys: Sequence[str] | None = None) -> list:
    """EMA parameters for the declared uncertainties (all with a plausible range, or ``keys``)."""
    declared = uncertainties()
    keys = list(declared) if keys is None else _keys("uncertainty_keys", keys)
    out = []
    for key in keys:
        if key not in declared:
            raise ValueError(
                f"{key}: not an uncertainty with a plausible range; allowed: {', '.join(declared)}"
            )
        info = declared[key]
        plausible = info.plausible
        if get_args(info.kind) or info.kind is bool:
            out.append(_parameter(key, info, tuple(plausible), None))
        else:
            out.append(_parameter(key, info, plausible[0], plausible[1]))
    return out


def _lever_range(info: ParamInfo) -> tuple[float, float]:
    """A lever's range for EMA: its declared bounds (the top cut to ten times the default where
    it is more than twenty), an open bound moved a hundredth of the range inside (EMA samples
    its ends, which the model refuses: ``levers.staffing`` is 0 < x ≤ 10)."""
    lo = 0.0 if info.lower is None else float(info.lower)
    hi = float(info.upper) if info.upper is not None else None
    default = float(info.default)
    if default > 0 and (hi is None or hi > 20 * default):
        hi = 10 * default if hi is None else min(hi, 10 * default)
    hi = lo + 1.0 if hi is None else hi
    inside = 1.0 if info.kind is int else (hi - lo) / 100.0
    if info.lower_open and info.lower is not None and lo == float(info.lower):
        lo += inside
    if info.upper_open and info.upper is not None and hi == float(info.upper):
        hi -= inside
    return lo, hi


def ema_levers(keys: Sequence[str] | None = None) -> list:
    """EMA parameters for the declared levers (all, or ``keys``)."""
    declared = by_role("lever")
    keys = list(declared) if keys is None else _keys("lever_keys", keys)
    out = []
    for key in keys:
        if key not in declared:
            raise ValueError(f"{key}: not a lever; allowed: {', '.join(declared)}")
        info = declared[key]
        if get_args(info.kind) or info.kind is bool:
            out.append(_parameter(key, info, tuple(get_args(info.kind)), None))
        else:
            out.append(_parameter(key, info, *_lever_range(info)))
    return out


def ema_outcomes(names: Sequence[str] | None = None) -> list:
    """EMA scalar outcomes (:data:`OUTCOMES`, or ``names``) with their directions."""
    import ema_workbench as ema

    kinds = {
        1: ema.ScalarOutcome.MAXIMIZE,
        -1: ema.ScalarOutcome.MINIMIZE,
        0: ema.ScalarOutcome.INFO,
    }
    names = list(OUTCOMES) if names is None else _keys("outcomes", names)
    for n in names:  # (checked here: each experiment failed later with a KeyError)
        choice("outcomes", n, SUMMARY)
    return [ema.ScalarOutcome(n, kind=kinds[OUTCOMES.get(n, 0)]) for n in names]


def _keys(name: str, keys: Sequence[str]) -> list[str]:
    """``keys`` as a list of names; one name alone is refused (it would be read letter by
    letter)."""
    if isinstance(keys, str):
        raise ScenarioError(f"{name}: value {keys!r} is not allowed; allowed: a list of names")
    return list(keys)


def run(
    *, clients: int, months: int, seed: int, base: Scenario, outcomes: Sequence[str],
    **values: Any,
) -> dict[str, float]:  # fmt: skip
    """One experiment: the base scenario (its schedule and shocks too) with ``values`` (EMA's
    names) → the outcomes."""
    from model.studies.run import simulate_many

    overrides = {"run.seed": seed, "market.clients": clients, "run.months": months}
    for name, value in values.items():
        key, log = scenario_key(name)
        if log:
            value = 10.0 ** float(value)
        info = PARAMS[key]
        if info.kind is int:
            value = int(value)
        elif info.kind is float:
            value = float(value)
        overrides[key] = value
    # (simulate_many, not simulate: a step after the horizon is warned of once, by ema_model,
    # not in every experiment on every worker)
    (result,) = simulate_many([base.with_overrides(overrides)])
    summary = result.summary
    return {name: float(summary[name]) for name in outcomes}


def ema_model(
    uncertainty_keys: Sequence[str] | None = None,
    lever_keys: Sequence[str] | None = None,
    outcomes: Sequence[str] | None = None,
    *,
    clients: int = 2_000,
    months: int = 60,
    seed: int = 1,
    base: Scenario | None = None,
    name: str = "retention",
) -> Any:
    """An ``ema_workbench.Model`` of Retention Lab.

    Parameters
    ----------
    uncertainty_keys, lever_keys : list of str, optional
        ``section.name`` keys to explore; default: every declared uncertainty with a plausible
        range, every lever.
    outcomes : list of str, optional
        Summary results to return (default :data:`OUTCOMES`).
    clients, months, seed : int
        Market size (people), horizon (months) and the common seed of every experiment.
    base : Scenario, optional
        The scenario the experiments change, its schedule and shocks included (default: the
        built-in baseline). A lever its schedule sets within ``months`` holds an experiment's
        value only until that month: a ``UserWarning`` names each such lever and its months.
    name : str
        The model's name in EMA's results.
    """
    import ema_workbench as ema

    outcome_list = ema_outcomes(outcomes)
    base = Scenario() if base is None else require_scenario(base, "base")
    # Checked as the scenario checks them, here, not in EMA's first experiment.
    try:
        sized = base.with_overrides(
            {"market.clients": count("clients", clients), "run.months": count("months", months)}
        )
    except ScenarioError as exc:
        text = str(exc).replace("override: market.clients:", "clients:")
        raise ScenarioError(text.replace("override: run.months:", "months:")) from None
    function = partial(
        run,
        clients=sized.market.clients,
        months=sized.run.months,
        seed=first_seed(seed, base),
        # The scenario itself, not its parameters: its schedule and shocks were lost.
        base=base,
        outcomes=[o.name for o in outcome_list],
    )
    model = ema.Model(name, function=function)
    model.uncertainties = ema_uncertainties(uncertainty_keys)
    model.levers = ema_levers(lever_keys)
    model.outcomes = outcome_list
    varied = [scenario_key(p.name)[0] for p in [*model.uncertainties, *model.levers]]
    later = set_again(base.schedule, varied, function.keywords["months"])
    late = after_horizon_note(sized)
    if late:
        later.append(late)
    if later:
        warnings.warn(f"ema_model: {'; '.join(later)}", UserWarning, stacklevel=2)
    return model


def prim_inputs(experiments: Any, model: Any, levers: bool = False) -> Any:
    """The parameter columns of ``experiments`` (EMA's experiments table) as PRIM takes them.

    Parameters
    ----------
    experiments : pandas.DataFrame
        ``perform_experiments``' first result.
    model : ema_workbench.Model
        The model (:func:`ema_model`) whose uncertainties (and, with ``levers``, levers) are
        the columns taken.
    levers : bool
        Take the levers' columns too (a box over policies as well as worlds).

    Returns
    -------
    pandas.DataFrame
        Those columns, a whole-number one as float64: ``prim.Prim`` places a box's limit between
        two values (23.5 months), which EMA Workbench 3 writes back into the column and an
        int64 one refuses (``Invalid value '23.5' for dtype 'int64'``).
    """
    names = [p.name for p in model.uncertainties]
    names += [p.name for p in model.levers] if levers else []
    x = experiments[names].copy()
    whole = [c for c in names if x[c].dtype.kind in "iu"]
    x[whole] = x[whole].astype("float64")
    return x
