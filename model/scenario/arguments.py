"""Checks of a function's own arguments (counts, seeds, choices, amounts) beside a scenario's:
a study's replications, a model's months to run.

Each returns the value as the caller uses it or raises :class:`~model.scenario.ScenarioError`
naming the argument, the value and what is allowed, as a scenario's fields do — not a
``TypeError`` from deep inside numpy or scipy, and never a silent rounding or fallback.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np

from model.scenario.declare import ScenarioError, shown
from model.scenario.scenario import Scenario

__all__ = [
    "amount",
    "choice",
    "count",
    "executor_or_none",
    "first_seed",
    "flag",
    "hook",
    "is_number",
    "is_whole",
    "shown",
]


def count(name: str, value: object, low: int = 1) -> int:
    """``value`` as a whole number of at least ``low``."""
    if is_whole(value) and value >= low:
        return int(value)
    raise ScenarioError(
        f"{name}: value {shown(value)} is not allowed; allowed: a whole number ≥ {low}"
    )


def is_whole(value: object) -> bool:
    """Whether ``value`` is a whole number: of an integer's type (``int``, numpy's integers) or
    a float that holds one exactly (``2.0``, as a scenario's whole-number fields take it; not
    past 2⁵³, where a float no longer tells neighbours apart); not a bool. Callers take
    ``int(value)``."""
    if isinstance(value, bool):
        return False
    if isinstance(value, numbers.Integral):
        return True
    return (
        isinstance(value, float | np.floating)
        and math.isfinite(value)
        and float(value).is_integer()
        and abs(value) <= 2**53
    )


def is_number(value: object) -> bool:
    """Whether ``value`` is a real number (a numpy one too): not a bool, a string or None."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def amount(name: str, value: object, unit: str, zero: bool = False) -> float:
    """``value`` as a finite number > 0, or ≥ 0 with ``zero`` (``unit`` says what it counts)."""
    if is_number(value) and math.isfinite(value) and (value > 0 or (zero and value == 0)):
        return float(value)
    allowed = f"a finite number ≥ 0 ({unit})" if zero else f"> 0 ({unit})"
    raise ScenarioError(f"{name}: value {shown(value)} is not allowed; allowed: {allowed}")


def choice(name: str, value: object, allowed: Iterable[str]) -> str:
    """``value`` if it is one of ``allowed`` (exactly: no case folding, no fallback)."""
    options = tuple(allowed)
    if isinstance(value, str) and value in options:
        return value
    raise ScenarioError(f"{name}: value {shown(value)} is not allowed; allowed: one of {options}")


def first_seed(seed: object, scenario: Scenario) -> int:
    """A study's first seed: ``seed`` checked as ``run.seed`` is (a whole number in its
    range), or the scenario's own when ``seed`` is None."""
    if seed is None:
        return scenario.run.seed
    try:
        return scenario.with_seed(seed).run.seed  # (with_overrides' check, on the run alone)
    except ScenarioError as exc:
        raise ScenarioError(str(exc).replace("override: run.seed:", "seed:", 1)) from None


def hook(name: str, value: object) -> object:
    """``value`` if it is None or callable (a progress or result callback)."""
    if value is None or callable(value):
        return value
    raise ScenarioError(f"{name}: value {shown(value)} is not allowed; allowed: None or a callable")


def executor_or_none(name: str, value: object) -> object:
    """``value`` if it is None or an executor (anything with ``submit``, as
    ``concurrent.futures`` and Dask's ``Client`` have): a string such as ``"processes"`` is not."""
    if value is None or callable(getattr(value, "submit", None)):
        return value
    raise ScenarioError(
        f"{name}: value {shown(value)} is not allowed; allowed: None (this process) or an "
        "executor with submit(), e.g. concurrent.futures.ProcessPoolExecutor()"
    )


def flag(name: str, value: object) -> bool:
    """``value`` if it is True or False (numpy's too): a string such as ``"no"`` is not."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise ScenarioError(f"{name}: value {shown(value)} is not allowed; allowed: True or False")
