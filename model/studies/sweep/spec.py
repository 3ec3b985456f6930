"""The sweep spec: a TOML file that says what to vary, how, and how much to run.

A spec names a base scenario (a file, inline overrides, or both), the parameters to vary with the
same ``section.name`` keys as scenario files and ``--set``, a design, the market size and horizon,
replications per design point, the batch size and the per-month series to keep. Everything is
checked against :mod:`model.scenario` before anything runs; a bad spec raises :class:`SweepError`
whose message names the field, the value and what is allowed.

Example (the ``sweeps/example`` preset, ``model/presets/sweeps/example.toml``)::

    name = "example"
    seed = 2024
    months = 36
    clients = 2000
    replications = 2

    [base]
    scenario = "baseline"                  # a preset name, or a file relative to this one
    set = { "levers.ad_budget" = 300.0 }   # inline overrides

    [design]
    kind = "grid"                          # grid | lhs | sobol | morris

    [parameters]
    "levers.service_level" = [0.35, 0.6, 0.9]        # values (grid) or [low, high] (lhs/sobol/morris)
    "retain.satisfaction_sensitivity" = { low = 1.0, high = 5.0, levels = 3 }

    [output]
    series = ["active", "profit"]          # per-month columns kept; true = all; omitted = none
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from model.scenario import Scenario, ScenarioError

__all__ = [
    "DESIGNS",
    "MAX_RUNS",
    "MIN_TASKS",
    "TARGET_CLIENT_MONTHS_PER_TASK",
    "TOP_KEYS",
    "DesignSpec",
    "ParamSpec",
    "SweepError",
    "SweepSpec",
    "design_size",
    "run_count_text",
]

DesignKind = Literal["grid", "lhs", "sobol", "morris"]
DESIGNS: tuple[str, ...] = get_args(DesignKind)
#: Top-level keys of a spec file and what each holds.
TOP_KEYS = {
    "name": "a label",
    "description": "free text",
    "seed": "integer ≥ 0; every run's seed is derived from it",
    "months": "horizon in months (default: the base scenario's)",
    "clients": "market size, prospects included (default: the base scenario's)",
    "replications": "runs per design point",
    "batch_size": "runs per task (omit for automatic)",
    "common_random_numbers": "true (the default for grids): replicate r uses the same seed at "
    "every design point; false: independent seeds per point (the default for sampled designs)",
    "base": "table: scenario = PATH, set = {section.name = value}",
    "design": "table: kind, samples, levels, second_order",
    "parameters": "table: section.name = values or [low, high] (not run.*, not market.clients)",
    "output": "table: series = [metric, …] | true | false",
}
MAX_RUNS = 10_000_000
#: Client-months one task should simulate when the batch size is automatic (~ a few seconds).
TARGET_CLIENT_MONTHS_PER_TASK = 3_000_000
#: An automatic batch size leaves at least this many tasks, so every worker has work.
MIN_TASKS = 16


class SweepError(ScenarioError):
    """A sweep spec or store that cannot be used; the message names field, value and what is allowed."""


@dataclass(frozen=True)
class ParamSpec:
    """One varied parameter: explicit ``values`` (grid) or ``[low, high]`` bounds (sampled)."""

    key: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False


@dataclass(frozen=True)
class DesignSpec:
    """The experimental design.

    ``samples``: LHS points; Sobol base size N (runs N(2D+2), or N(D+2) without second order);
    Morris trajectories (runs N(D+1)). ``levels``: Morris grid levels.
    """

    kind: str = "grid"
    samples: int | None = None
    levels: int = 4
    second_order: bool = True


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep spec (immutable). Build with :func:`load_spec` or :func:`parse_spec`."""

    name: str
    base: dict[str, Any]
    parameters: tuple[ParamSpec, ...]
    design: DesignSpec
    months: int
    clients: int
    replications: int
    batch_size: int
    seed: int
    series: tuple[str, ...] = ()
    common_random_numbers: bool = False
    description: str = ""
    text: str = field(default="", compare=False, repr=False)
    #: The keys ``[base] set`` gives (already in ``base``): only said of, not part of the identity.
    base_set: tuple[str, ...] = field(default=(), compare=False, repr=False)

    def __repr__(self) -> str:
        """One line: the sweep's name, design, size and what it varies (the dataclass's repr
        printed the whole base scenario)."""
        return f"SweepSpec({self.name!r}: {run_count_text(self)}; varies {', '.join(self.keys)})"

    @property
    def keys(self) -> list[str]:
        """The varied parameters' ``section.name`` keys, in spec order."""
        return [p.key for p in self.parameters]

    def base_scenario(self) -> Scenario:
        """The base scenario every design point starts from (horizon and market size applied)."""
        return Scenario.build(self.base, origin="base")

    def canonical(self) -> dict[str, Any]:
        """Everything that determines the results, as JSON-ready data (the spec's identity)."""
        data = asdict(self)
        data.pop("text")
        data.pop("description")
        data.pop("base_set")
        return json.loads(json.dumps(data, sort_keys=True, default=str))

    def digest(self) -> str:
        """A SHA-256 of :meth:`canonical`: two specs with the same digest give the same store."""
        blob = json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def design_size(design: DesignSpec, parameters: tuple[ParamSpec, ...]) -> int:
    """Design points the design needs (before replication)."""
    d = len(parameters)
    if design.kind == "grid":
        return math.prod(len(p.values or ()) for p in parameters)
    n = design.samples or 0
    if design.kind == "lhs":
        return n
    if design.kind == "sobol":
        return n * (2 * d + 2 if design.second_order else d + 2)
    return n * (d + 1)  # morris


def run_count_text(spec: SweepSpec, batch_sizes: tuple[int, ...] = ()) -> str:
    """What the design costs, in words: ``sobol: N=8, D=3 -> 8 x (2*3+2) = 64 points …``.

    ``batch_sizes``: the runs per task of each of a store's layers of replications, where it
    was grown with another batch size (default: the spec's own).
    """
    d, n, kind = len(spec.parameters), spec.design.samples, spec.design.kind
    points = design_size(spec.design, spec.parameters)
    if kind == "grid":
        how = " x ".join(str(len(p.values or ())) for p in spec.parameters) + f" = {points:,}"
    elif kind == "lhs":
        how = f"{n:,} samples"
    elif kind == "sobol":
        k = "2*D+2" if spec.design.second_order else "D+2"
        how = f"N={n}, D={d}: N({k}) = {n} x {points // n} = {points:,}"
    else:
        how = f"r={n} trajectories, D={d}: r(D+1) = {points:,}"
    runs = points * spec.replications
    sizes = sorted(set(batch_sizes or (spec.batch_size,)))
    per_task = " or ".join(map(str, sizes))
    return (
        f"{kind} design, {how} points x {spec.replications} replications = {runs:,} runs "
        f"of {spec.clients:,} clients x {spec.months} months, {per_task} runs per task"
    )
