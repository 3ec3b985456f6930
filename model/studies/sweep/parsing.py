"""Reading a sweep spec file: every key checked against the scenario's declarations before anything runs.

A bad spec raises :class:`~model.studies.sweep.spec.SweepError` whose message names the field, the
value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.scenario import (
    PARAMS,
    SECTIONS,
    ParamInfo,
    Scenario,
    ScenarioError,
    read_toml,
    resolve,
)
from model.scenario.arguments import is_number, is_whole
from model.scenario.declare import did_you_mean
from model.studies.sweep.design_table import design_table
from model.studies.sweep.designs import morris_level_check
from model.studies.sweep.spec import (
    MAX_RUNS,
    MIN_TASKS,
    TARGET_CLIENT_MONTHS_PER_TASK,
    TOP_KEYS,
    DesignSpec,
    ParamSpec,
    SweepError,
    SweepSpec,
    design_size,
)
from model.studies.sweep.spec_keys import RANGE_KEYS, flatten_keys, grid_size_check

__all__ = ["load_spec", "parse_spec"]


def load_spec(path: str | Path) -> SweepSpec:
    """Read and validate a sweep spec file (a base scenario path is relative to the file)."""
    path = Path(path)
    data, text = read_toml(path, "sweep spec", SweepError)
    data.setdefault("name", path.stem)
    return parse_spec(data, root=path.parent, origin=str(path), text=text)


def parse_spec(
    data: Mapping[str, Any],
    *,
    root: str | Path = ".",
    origin: str = "sweep spec",
    text: str = "",
) -> SweepSpec:
    """Validate a spec given as a mapping (as read from TOML); raise :class:`SweepError`."""

    def fail(message: str) -> SweepError:
        return SweepError(f"{origin}: {message}")

    if not isinstance(data, Mapping):  # (a string's letters were read as its keys)
        raise fail(f"value {data!r:.60} is not allowed; allowed: a mapping of the spec's keys")
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        scenario = "parameters" not in data and bool(set(data) & set(SECTIONS))
        hint = " (this looks like a scenario file: a sweep spec names it in [base] scenario = PATH)"
        raise fail(f"{unknown[0]}: unknown key; allowed: {', '.join(TOP_KEYS)}{hint * scenario}")
    # The horizon and market size: the spec's when it gives them, else the base scenario's.
    months = _integer(data, "months", 0, PARAMS["run.months"], fail) if "months" in data else None
    clients = (
        _integer(data, "clients", 0, PARAMS["market.clients"], fail) if "clients" in data else None
    )
    replications = _integer(data, "replications", 1, _range(1, 100_000), fail)
    seed = _integer(data, "seed", 0, PARAMS["run.seed"], fail)
    # Grids compare their points, so they pair them on common random numbers unless told not to.
    crn = data.get("common_random_numbers", _is_grid(data))
    if not isinstance(crn, bool):
        raise fail(f"common_random_numbers: value {crn!r} is not allowed; allowed: true or false")

    base = _base(data.get("base", {}), Path(root), months, clients, fail)
    months, clients = base["run"]["months"], base["market"]["clients"]
    design = design_table(data.get("design", {}), fail)
    raw_params = data.get("parameters")
    if not isinstance(raw_params, Mapping) or not raw_params:
        got = "missing or empty" if not raw_params else f"value {raw_params!r:.60} is not allowed"
        raise fail(f"parameters: {got}; allowed: a table of section.name keys to vary")
    flat = flatten_keys(raw_params, "parameters", fail)
    if design.kind == "grid":  # (refused before a value is built: 10^7 levels took half an hour)
        grid_size_check(flat, replications, fail)
    parameters = tuple(_parameter(key, raw, design, base, fail) for key, raw in flat.items())
    if design.kind == "sobol" and len(parameters) < 2 and design.second_order:
        design = DesignSpec("sobol", design.samples, design.levels, second_order=False)
    series = _series(data.get("output", {}), fail)

    morris_level_check(design, parameters, fail)
    points = design_size(design, parameters)
    runs = points * replications
    if runs > MAX_RUNS:
        raise fail(
            f"the design needs {points:,} points x {replications} replications = {runs:,} runs; "
            f"allowed: at most {MAX_RUNS:,}"
        )
    for key in ("name", "description"):  # (as a scenario file's: 5 or a table is no name)
        if not isinstance(data.get(key, ""), str):
            raise fail(f"{key}: value {data[key]!r:.60} is not allowed; allowed: a string")
    if "batch_size" in data:
        batch_size = _integer(data, "batch_size", 1, _range(1, 100_000), fail)
    else:
        per_task = max(1, TARGET_CLIENT_MONTHS_PER_TASK // (months * clients))
        batch_size = max(1, min(per_task, math.ceil(runs / MIN_TASKS)))
    return SweepSpec(
        name=str(data.get("name", "sweep")),
        description=str(data.get("description", "")),
        base=base,
        parameters=parameters,
        design=design,
        months=months,
        clients=clients,
        replications=replications,
        batch_size=batch_size,
        seed=seed,
        series=series,
        common_random_numbers=crn,
        text=text,
        base_set=tuple(flatten_keys(data.get("base", {}).get("set", {}), "base.set", fail)),
    )


def _range(lo: int, hi: int) -> ParamInfo:
    return ParamInfo("", None, "-", lo, hi, False, False, "", int)


def _integer(data: Mapping[str, Any], key: str, default: int, info: ParamInfo, fail) -> int:
    value = data.get(key, default)
    ok = is_whole(value)  # (numpy's integers too: a spec built in Python from numpy values)
    if ok and info.lower is not None:
        ok = value >= info.lower
    if ok and info.upper is not None:
        ok = value <= info.upper
    if not ok:
        raise fail(f"{key}: value {value!r} is not allowed; allowed: an integer {info.allowed()}")
    return int(value)


def _warn_if_shadowed(ref: str, path: Path, root: Path) -> None:
    """Warn when ``scenario = "baseline"`` reads the shipped preset while a ``baseline.toml``
    lies beside the spec (a user's edited copy was passed over without a word)."""
    beside = root / f"{ref}.toml"
    if Path(ref).suffix or not beside.is_file() or path.resolve() == beside.resolve():
        return
    warnings.warn(
        f"base.scenario {ref!r} is the shipped preset; {str(beside)!r} beside the spec is not "
        f"read (write scenario = {beside.name!r} to use it)",
        UserWarning,
        stacklevel=4,
    )


def _check_key(key: str, where: str, fail) -> ParamInfo:
    info = PARAMS.get(key)
    if info is None:
        close = difflib.get_close_matches(key, PARAMS, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        section = key.partition(".")[0]
        known = (
            f"{section} has {', '.join(SECTIONS[section].model_fields)}"
            if section in SECTIONS
            else f"sections: {', '.join(SECTIONS)}"
        )
        raise fail(f"{where}.{key!r}: unknown parameter; {hint}{known}")
    if key.startswith("run."):
        why = {  # (each run.* key's own reason: track_clients was given the seeds' and months')
            "run.seed": "seeds come from the spec's 'seed'",
            "run.months": "the horizon is the spec's 'months'",
        }.get(key, "a sweep's runs keep summaries and series, not per-client histories")
        raise fail(  # (a base's set does not vary it)
            f"{where}.{key!r}: cannot be {'set' if where == 'base.set' else 'varied'} here; {why}"
        )
    return info


def _base(raw: Any, root: Path, months: int | None, clients: int | None, fail) -> dict[str, Any]:
    """The base scenario as a TOML table: the file or preset, then ``set``, then the spec's
    ``months`` and ``clients`` where given (``clients`` and a ``set`` of ``market.clients`` must
    agree)."""
    if not isinstance(raw, Mapping):
        raise fail(f"base: value {raw!r} is not allowed; allowed: a table with scenario, set")
    unknown = sorted(set(raw) - {"scenario", "set"})
    if unknown:
        raise fail(f"base.{unknown[0]}: unknown key; allowed: scenario, set")
    table = raw.get("set", {})
    if not isinstance(table, Mapping):
        raise fail(
            f"base.set: value {table!r} is not allowed; allowed: a table of section.name = value"
        )
    overrides = flatten_keys(table, "base.set", fail)
    for key in overrides:
        _check_key(key, "base.set", fail)
    if clients is not None and overrides.get("market.clients", clients) != clients:
        raise fail(
            f"clients: value {clients} disagrees with base.set's market.clients "
            f"({overrides['market.clients']!r}); give the market size once"
        )
    stated = {"run.months": months, "market.clients": clients}
    try:
        if "scenario" in raw:
            # a file (relative to the spec) or a preset name
            path = resolve(str(raw["scenario"]), relative_to=root)
            _warn_if_shadowed(str(raw["scenario"]), path, Path(root))
            scenario = Scenario.from_toml(path)
        else:
            scenario = Scenario()
        scenario = scenario.with_overrides(
            {**overrides, **{k: v for k, v in stated.items() if v is not None}}
        )
    except SweepError:
        raise
    except ScenarioError as exc:
        raise fail(f"base: {exc}") from None
    return scenario.to_toml_dict()


def _canonical_value(base: Scenario, key: str, value: Any, where: str, fail) -> Any:
    """Validate one value through the scenario and return it as the scenario stores it.

    A check across parameters (the NPS bands' order) is made here against the base's value of
    the other one, which the design may vary too: where only such a check fails, the value's own
    checks (its section's) decide here, and each design point is checked whole before anything
    runs (:func:`~model.studies.sweep.designs.validate_points`).
    """
    section, _, name = key.partition(".")
    try:
        scenario = base.with_overrides({key: value})
    except ScenarioError as exc:
        try:
            own = getattr(base, section).model_dump()
            return getattr(SECTIONS[section].model_validate({**own, name: value}), name)
        except ValidationError:  # (its own checks fail too: the scenario's message says why)
            raise fail(f"{where}: {exc}") from None
    return getattr(getattr(scenario, section), name)


def _is_number(x: Any) -> bool:
    return is_number(x) and math.isfinite(x)  # (numpy's numbers too)


def _parameter(key: str, raw: Any, design: DesignSpec, base_data: dict, fail) -> ParamSpec:
    where = f"parameters.{key!r}"
    info = _check_key(key, "parameters", fail)
    if key == "market.clients":  # (tasks are sized by it, and one seed is one market only at
        raise fail(  # one size: points of other sizes would not be paired)
            f"{where}: cannot be varied; the market size is the spec's 'clients' (one sweep "
            "per size)"
        )
    base = Scenario.build(base_data, origin="base")
    numeric = info.kind in (int, float)
    integer = info.kind is int
    if isinstance(raw, list):
        if design.kind == "grid":
            values, low, high, levels = raw, None, None, None
        elif len(raw) == 2:
            values, (low, high), levels = None, raw, None
        else:
            raise fail(
                f"{where}: a {design.kind} design needs bounds [low, high]; got a list of "
                f"{len(raw)} values (value lists are for kind = 'grid')"
            )
    elif isinstance(raw, Mapping):
        unknown = sorted(set(raw) - RANGE_KEYS)
        if unknown:
            hint = did_you_mean(unknown[0], sorted(RANGE_KEYS))
            raise fail(
                f"{where}: unknown key {unknown[0]!r}{hint}; allowed: values, low, high, levels"
            )
        values, low, high = raw.get("values"), raw.get("low"), raw.get("high")
        levels = raw.get("levels")
        if values is not None and (low is not None or high is not None):
            raise fail(f"{where}: give either values or low/high, not both")
        if values is None and (low is None or high is None):
            raise fail(f"{where}: bounds need both low and high (got {dict(raw)!r})")
    else:
        raise fail(
            f"{where}: value {raw!r} is not allowed; allowed: a list of values, [low, high], "
            "or a table {low = ..., high = ...} / {values = [...]}"
        )

    if values is not None:
        if design.kind != "grid":
            raise fail(
                f"{where}: {design.kind} samples a range, so it needs bounds [low, high] or "
                f"{{low = ..., high = ...}}; got values {values!r}"
            )
        if not isinstance(values, list) or not values:
            raise fail(f"{where}: empty range; give at least one value")
        canon = tuple(_canonical_value(base, key, v, f"{where} value {v!r}", fail) for v in values)
        if len(set(canon)) < len(canon):
            raise fail(f"{where}: values {values!r} repeat a value; each level must be distinct")
        return ParamSpec(key, values=canon, integer=integer)

    # bounds
    if not numeric:
        raise fail(
            f"{where}: {key} is not numeric ({info.allowed()}); it can only be varied by a grid "
            "with a list of values"
        )
    if not (_is_number(low) and _is_number(high)):
        named = ""
        try:  # (a level's name is taken by a grid, not as a bound: say its number)
            as_numbers = [_canonical_value(base, key, v, where, fail) for v in (low, high)]
            if any(isinstance(v, str) for v in (low, high)):
                named = f" (as numbers, {as_numbers!r}: a level's name is a grid value only)"
        except ValueError:
            pass
        raise fail(f"{where}: bounds [{low!r}, {high!r}] must be two finite numbers{named}")
    if not low < high:
        raise fail(f"{where}: empty range [{low!r}, {high!r}]; low must be below high")
    below = info.lower is not None and (low < info.lower or (info.lower_open and low == info.lower))
    above = info.upper is not None and (
        high > info.upper or (info.upper_open and high == info.upper)
    )
    if below or above:
        raise fail(
            f"{where}: bounds [{low!r}, {high!r}] lie outside the declared range "
            f"{info.allowed()} ({info.unit})"
        )
    if integer and math.floor(high) - math.ceil(low) < 1:
        raise fail(f"{where}: integer range [{low!r}, {high!r}] holds fewer than two integers")
    if design.kind == "grid":
        # (More levels than runs allowed would take hours to build before the design's size
        # refused them.)
        if not is_whole(levels) or not 2 <= levels <= MAX_RUNS:
            raise fail(
                f"{where}: a grid over [low, high] needs levels = N (an integer from 2 to "
                f"{MAX_RUNS:,}) in its table, or a list of values; got levels = {levels!r}"
            )
        import numpy as np

        grid = np.linspace(low, high, int(levels))
        points = sorted({round(float(v)) for v in grid}) if integer else [float(v) for v in grid]
        canon = tuple(_canonical_value(base, key, v, where, fail) for v in points)
        return ParamSpec(key, values=canon, low=float(low), high=float(high), integer=integer)
    if levels is not None:
        raise fail(f"{where}: levels is only used by a grid; {design.kind} samples the range")
    for v in (low, high):
        _canonical_value(base, key, int(v) if integer else float(v), where, fail)
    return ParamSpec(key, low=float(low), high=float(high), integer=integer)


def _series(raw: Any, fail) -> tuple[str, ...]:
    from model.engine.metrics import METRICS

    if not isinstance(raw, Mapping):
        raise fail(f"output: value {raw!r} is not allowed; allowed: a table with series = ...")
    unknown = sorted(set(raw) - {"series"})
    if unknown:
        raise fail(
            f"output.{unknown[0]}: unknown key; allowed: series (summary metrics are always kept)"
        )
    series = raw.get("series", False)
    if series is True:
        return tuple(METRICS)
    if series is False:
        return ()
    if not isinstance(series, list) or not all(isinstance(s, str) for s in series):
        raise fail(
            f"output.series: value {series!r} is not allowed; allowed: true, false or a list of "
            "metric names"
        )
    for s in series:
        if s not in METRICS:
            close = difflib.get_close_matches(s, METRICS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise fail(f"output.series: unknown metric {s!r}; {hint}allowed: {', '.join(METRICS)}")
    return tuple(dict.fromkeys(series))


def _is_grid(data: Mapping[str, Any]) -> bool:
    """Whether the spec's design is a grid (the default design)."""
    design = data.get("design", {})
    return not isinstance(design, Mapping) or design.get("kind", "grid") == "grid"
