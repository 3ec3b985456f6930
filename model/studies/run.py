"""Run a scenario and get its results as plain data: the one entry point every tool builds on.

Sweeps, paired comparisons, experiments, calibration, the CLI and the notebooks all call
:func:`simulate` or its many-run form :func:`simulate_many`; each is a plain function of its
scenarios (seeds included), so it can run in any process.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import pandas as pd

from model.engine.kernels import note_first_compile
from model.engine.keywords import require_scenario
from model.engine.lockstep import run_together
from model.engine.retention_model import RetentionModel
from model.scenario import Scenario, ScenarioError
from model.scenario.arguments import flag, shown
from model.scenario.changes import changed_from_preset, changes_text, undone_by_schedule

__all__ = [
    "ReadOnlySummary",
    "RunResult",
    "in_seed_order",
    "run_many",
    "simulate",
    "simulate_many",
    "warn_after_horizon",
    "with_common",
]


class ReadOnlySummary(dict):
    """A run's headline numbers: a ``dict`` (``json.dumps``, pandas and ``dict(...)`` take it as
    one) that refuses changes, as the frozen :class:`RunResult` holding it does; copy it with
    ``dict(result.summary)`` to change it. Pickles as itself (for processes and Dask)."""

    __slots__ = ()

    def __init__(self, *args: object, **kwargs: object) -> None:
        if self:  # (called again on a filled one: a change)
            self._refuse()
        dict.__init__(self, *args, **kwargs)

    def _refuse(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "RunResult.summary is read-only (the run's numbers); copy it with "
            "dict(result.summary) to change it"
        )

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _refuse

    def __reduce__(self) -> tuple[type, tuple[dict[str, float]]]:
        # (pickle's default for a dict subclass refills it item by item through __setitem__)
        return (type(self), (dict(self),))

    def __copy__(self) -> ReadOnlySummary:
        return self  # (nothing in it can change)

    def __deepcopy__(self, memo: dict) -> ReadOnlySummary:
        return self


@dataclass(frozen=True)
class RunResult:
    """What one run produced.

    Attributes
    ----------
    scenario : Scenario
        The scenario exactly as run (seed and horizon included).
    timeseries : pandas.DataFrame
        One row per month, one column per metric (:data:`model.engine.metrics.METRICS`).
    summary : ReadOnlySummary
        Headline numbers (:meth:`RetentionModel.summary`), read-only: a ``dict`` that refuses
        changes (``dict(result.summary)`` is a copy to change). The timeseries is the result's
        own frame, not shared with the model or any other result.
    """

    scenario: Scenario
    timeseries: pd.DataFrame
    summary: dict[str, float]

    def __post_init__(self) -> None:
        if not isinstance(self.summary, ReadOnlySummary):
            object.__setattr__(self, "summary", ReadOnlySummary(self.summary))

    @property
    def seed(self) -> int:
        """The seed the run used."""
        return self.scenario.run.seed

    def __eq__(self, other: object) -> bool:
        """The same scenario, the same monthly table and the same headline numbers (NaN equal
        to NaN, as :meth:`pandas.DataFrame.equals` counts it): ``a == b`` checks that a run
        reproduced, where the dataclass's own ``==`` asked pandas for one truth value."""
        if not isinstance(other, RunResult):
            return NotImplemented
        return (
            self.scenario == other.scenario
            and self.timeseries.equals(other.timeseries)
            and same_numbers(self.summary, other.summary)
        )

    def __hash__(self) -> int:
        # (a dataclass's ``__hash__ = None`` is replaced by one over the fields, which failed
        # inside pandas)
        raise TypeError("unhashable type: 'RunResult' (its table can change)")

    def __repr__(self) -> str:
        """One line: which run, and a few headline numbers (the whole scenario and table are
        the attributes; printed in full they ran to thousands of characters)."""
        s, head = self.scenario, self.summary
        numbers = ", ".join(
            f"{key}={head[key]:,.4g}" for key in ("npv", "active_end", "nps_end") if key in head
        )
        changed = changed_from_preset(s)  # (a preset changed is not the preset)
        said = changes_text(changed)
        name = f"{s.name} + {said}" if changed else s.name
        return (
            f"RunResult({name!r}, seed={self.seed}, {s.market.clients:,} people x "
            f"{len(self.timeseries)} months; {numbers})"
        )

    def _repr_html_(self) -> str:
        """In a notebook: the one-line description over the headline numbers with their units
        (:data:`model.engine.summary.SUMMARY`), not the dataclass's whole scenario and table."""
        import html

        from model.engine.summary import SUMMARY

        rows = "".join(
            f"<tr><td>{html.escape(key)}</td><td style='text-align:right'>{value:,.6g}</td>"
            f"<td>{html.escape(SUMMARY[key].unit if key in SUMMARY else '')}</td></tr>"
            for key, value in self.summary.items()
        )
        return f"<p><code>{html.escape(repr(self))}</code></p><table>{rows}</table>"

    @classmethod
    def of(cls, scenario: Scenario, model: RetentionModel) -> RunResult:
        """The result of ``model``, run from ``scenario``: its series and headline numbers."""
        return cls(scenario=scenario, timeseries=model.timeseries(), summary=model.summary())


def same_numbers(a: Mapping[str, float], b: Mapping[str, float]) -> bool:
    """Whether two mappings of numbers have the same keys and values, NaN equal to NaN."""
    return a.keys() == b.keys() and all(a[k] == b[k] or (a[k] != a[k] and b[k] != b[k]) for k in a)


def simulate(
    scenario: Scenario | None = None,
    *,
    seed: int | None = None,
    months: int | None = None,
    clients: int | None = None,
    progress: bool = False,
) -> RunResult:
    """Run one scenario to its horizon.

    Parameters
    ----------
    scenario : Scenario, optional
        Defaults to the baseline.
    seed, months, clients : int, optional
        Shortcuts for ``run.seed``, ``run.months`` and ``market.clients`` overrides.
    progress : bool
        Show a progress bar.

    Warns
    -----
    UserWarning
        When a schedule step or shock starts after the horizon (it changes nothing), and when
        a lever changed from the preset the scenario is named after is set again by its
        schedule (the value given holds only until then).

    Examples
    --------
    >>> r = simulate(clients=500, months=6, seed=3)
    >>> len(r.timeseries), r.seed
    (6, 3)
    """
    scenario = Scenario() if scenario is None else require_scenario(scenario)
    progress = flag("progress", progress)  # (before a market of millions is built)
    overrides = {
        key: value
        for key, value in (
            ("run.seed", seed),
            ("run.months", months),
            ("market.clients", clients),
        )
        if value is not None
    }
    if overrides:
        scenario = scenario.with_overrides(overrides)
    note = after_horizon_note(scenario)
    if note:  # (``retention run`` prints the same lines)
        warnings.warn(note, stacklevel=2)
    for line in undone_by_schedule(scenario):  # (a lever changed from its preset's, undone)
        warnings.warn(line, stacklevel=2)
    note_first_compile()  # (as ``retention run`` does: a notebook cell would look hung)
    model = RetentionModel(scenario).run(progress=progress)
    return RunResult.of(scenario, model)


def after_horizon_note(scenario: Scenario) -> str:
    """The schedule steps and shocks that start after the horizon, in one line ("" if none)."""
    late = scenario.after_horizon()
    months = scenario.run.months
    return f"{'; '.join(late)}: after the {months}-month horizon, no effect" if late else ""


def warn_after_horizon(scenarios: Iterable[object], stacklevel: int = 2) -> None:
    """Warn of the scenarios' steps and shocks after the horizon, once per distinct note (not
    once per run), attributed ``stacklevel`` frames up from the caller (as ``warnings.warn``'s
    own); anything not a Scenario is passed over (:func:`run_many` names it)."""
    found = (after_horizon_note(s) for s in scenarios if isinstance(s, Scenario))
    for note in dict.fromkeys(found):
        if note:
            warnings.warn(note, stacklevel=stacklevel + 1)


#: Runs :func:`simulate_many` steps together (:mod:`model.engine.lockstep`): at 3,000 clients
#: groups of 4–8 gained the most (a fifth over one after another on the machine that measured it,
#: 14% on a later one: docs/performance.md; pairs almost as much, groups of 16 less).
TOGETHER = 8
#: Markets up to this size run together; larger ones, whose months are their passes and whose
#: arrays would not share the caches, one after another.
TOGETHER_MAX_CLIENTS = 20_000


def simulate_many(scenarios: Sequence[Scenario], *, together: int = TOGETHER) -> list[RunResult]:
    """Run many scenarios (each with its own ``run.seed``); results in the same order.

    The entry point for studies of many small runs (claims, comparisons, calibration). Each
    result equals what :func:`simulate` gives for that scenario alone. Runs are taken seed by
    seed, so runs of the same seed and market size share their streams' seeds, starting market
    and network (:mod:`model.engine.sharing`) instead of drawing them again; small markets run
    ``together`` at a time, each month phase by phase across them
    (:func:`model.engine.lockstep.run_together`), which keeps each phase's code warm.

    Parameters
    ----------
    scenarios : sequence of Scenario
    together : int
        How many small runs step together (1: one after another).

    Examples
    --------
    >>> base = Scenario().with_overrides({"market.clients": 300, "run.months": 3})
    >>> runs = simulate_many([base.with_overrides({"run.seed": s}) for s in (1, 2)])
    >>> [r.seed for r in runs]
    [1, 2]

    A schedule step or shock after a scenario's horizon is warned of once per distinct note, as
    :func:`simulate` warns of it for one run.
    """
    if isinstance(scenarios, Sequence) and not isinstance(scenarios, str | bytes):
        warn_after_horizon(scenarios)  # (before the runs; run_many checks every item)
    return run_many(scenarios, RunResult.of, together=together)


def run_many[T](
    scenarios: Sequence[Scenario],
    finish: Callable[[Scenario, RetentionModel], T],
    *,
    together: int = TOGETHER,
    watch: Callable[[RetentionModel], None] | None = None,
) -> list[T]:
    """:func:`simulate_many` with what each run returns chosen by the caller.

    Parameters
    ----------
    scenarios : sequence of Scenario
    finish : callable
        ``finish(scenario, model)`` once the model has run: the run's result (then the model is
        let go).
    together : int
        How many small runs step together (1: one after another).
    watch : callable, optional
        Called with each model before its first month and after each month
        (:func:`model.engine.lockstep.run_together`), for measures the monthly series cannot
        give; it must only read the model.
    """
    if isinstance(together, bool) or not isinstance(together, int) or together < 1:
        raise ValueError(f"together: value {together!r} is not allowed; allowed: an integer ≥ 1")
    if isinstance(scenarios, Scenario):  # (iterating one would give its fields)
        raise ScenarioError(
            "scenarios: value a Scenario is not allowed; allowed: a list of Scenarios "
            "(simulate runs one)"
        )
    if isinstance(scenarios, str | bytes | PurePath | Mapping):  # (one would give letters, keys)
        raise ScenarioError(
            f"scenarios: value {shown(scenarios)} is not allowed; allowed: a list of Scenarios "
            "(Scenario.preset(name) for a preset, Scenario.from_toml(path) for a file)"
        )
    scenarios = [require_scenario(s, f"scenarios[{i}]") for i, s in enumerate(scenarios)]
    note_first_compile()
    order = sorted(range(len(scenarios)), key=lambda i: (scenarios[i].run.seed, i))
    results: list[T | None] = [None] * len(scenarios)
    group: list[int] = []

    def run_group(rows: list[int]) -> None:
        models = [RetentionModel(scenarios[i]) for i in rows]
        if len(models) > 1 or watch is not None:
            run_together(models, watch)
        else:
            models[0].run()
        for i, model in zip(rows, models, strict=True):
            results[i] = finish(scenarios[i], model)

    for i in order:
        if together > 1 and scenarios[i].market.clients <= TOGETHER_MAX_CLIENTS:
            group.append(i)
            if len(group) == together:
                run_group(group)
                group.clear()
        else:
            run_group([i])
    if group:
        run_group(group)
    return results  # type: ignore[return-value]


def in_seed_order(
    run: Callable[..., Any], jobs: Sequence[tuple], seeds: Sequence[int]
) -> list[Any]:
    """``[run(*job) for job in jobs]``, computed seed by seed (``seeds[i]`` is job i's seed).

    ``run`` must be a function of its arguments alone (as :func:`simulate` is); then the order
    changes no result, and runs of one seed, one after another, share their seeds and states
    (:mod:`model.engine.sharing`) before other seeds' push them out. Results in the order given.
    """
    results: list[Any] = [None] * len(jobs)
    for i in sorted(range(len(jobs)), key=lambda i: (seeds[i], i)):
        results[i] = run(*jobs[i])
    return results


def with_common(
    scenario: Scenario,
    overrides: Mapping[str, Any] | None = None,
    clients: int | None = None,
    months: int | None = None,
) -> Scenario:
    """``scenario`` with the overrides a study applies to every arm, and its size shortcuts.

    ``clients`` and ``months`` stand for ``market.clients`` and ``run.months`` and win over the
    same keys in ``overrides``; the result is validated like any scenario.
    """
    if overrides is not None and not callable(getattr(overrides, "items", None)):
        raise ScenarioError(
            f"overrides: value {shown(overrides)} is not allowed; allowed: a mapping of "
            '"section.name" to value, e.g. {"market.clients": 2000}'
        )
    common = dict(overrides or {})
    if clients is not None:
        common["market.clients"] = clients
    if months is not None:
        common["run.months"] = months
    return scenario.with_overrides(common) if common else scenario
