"""The throughput targets, read off a benchmark's rows: each target, its value, its bar, met or not.

The engine's throughput targets are declared here, once (:data:`TARGETS`): many small runs for
the studies (a claim study is tens of thousands of runs of a few thousand clients) and the full
model at 10⁶ clients, each a bar on one number of one row of ``python -m benchmarks``
(:mod:`benchmarks.__main__`). Ratios are to the yardstick run beside the
row (``yardstick_ratio``), so a slower or faster machine moves both sides; runs a second are the
machine's own and are read with the ratio beside them.

Run ``python -m benchmarks.targets [results.json]`` to read them off a stored run (default
``benchmarks/results.json``); the benchmark prints them after its table and writes them to its
JSON under ``targets``. A row the run did not measure (``--quick`` runs other sizes and
horizons; ``--no-process`` skips the process row) gives *not measured*, not a verdict.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["TARGETS", "Target", "main", "report", "verdicts"]


@dataclass(frozen=True)
class Target:
    """A bar on one number of one benchmark row.

    Attributes
    ----------
    name : str
        What the target asks, in words.
    engine : str
        The row's ``engine`` (``array``, ``array_ensemble[64]``, ``process``).
    clients, months : int
        The row's market size (clients) and horizon (months).
    field : str
        The number read: ``runs_per_s`` (runs a second), ``yardstick_ratio`` (client-steps a
        second over the yardstick's beside it) or ``bytes_per_client`` (bytes).
    bar : float
        The value the number must reach.
    at_most : bool
        True when the number must stay at or below ``bar`` (memory), else at or above it.
    """

    name: str
    engine: str
    clients: int
    months: int
    field: str
    bar: float
    at_most: bool = False

    def met(self, value: float) -> bool:
        """Whether ``value`` meets the bar."""
        return value <= self.bar if self.at_most else value >= self.bar


#: The targets: 3,000 clients × 120 months as an ensemble of 64 and solo, the full model at 10⁶
#: clients, the whole ``retention run`` process at 10⁶ and its peak memory.
TARGETS: tuple[Target, ...] = (
    Target("ensemble of 64, 3,000 × 120: runs/s", "array_ensemble[64]", 3_000, 120,
           "runs_per_s", 40.0),
    Target("ensemble of 64, 3,000 × 120: ratio to the yardstick", "array_ensemble[64]", 3_000,
           120, "yardstick_ratio", 0.30),
    Target("solo, 3,000 × 120: runs/s", "array", 3_000, 120, "runs_per_s", 20.0),
    Target("10⁶ × 120, every mechanism: ratio to the yardstick", "array", 1_000_000, 120,
           "yardstick_ratio", 0.35),
    Target("whole `retention run` process, 10⁶ × 120: ratio to the yardstick", "process",
           1_000_000, 120, "yardstick_ratio", 0.25),
    Target("whole process, 10⁶ × 120: peak bytes per client", "process", 1_000_000, 120,
           "bytes_per_client", 200.0, at_most=True),
)  # fmt: skip


def verdicts(rows: list[dict], targets: tuple[Target, ...] = TARGETS) -> list[dict]:
    """Each target read off ``rows`` (a benchmark's JSON rows).

    Returns
    -------
    list of dict
        One per target, in order: ``target`` (its name), ``engine``, ``clients``, ``months``,
        ``field``, ``bar``, ``at_most``, ``value`` (None when no row of that engine, size and
        horizon carries the field) and ``met`` (None when not measured, else a bool).
    """
    by_row = {(r.get("engine"), r.get("clients"), r.get("months")): r for r in rows}
    out = []
    for t in targets:
        value = by_row.get((t.engine, t.clients, t.months), {}).get(t.field)
        found = {"target": t.name, **asdict(t)}
        del found["name"]
        found["value"] = None if value is None else float(value)
        found["met"] = None if value is None else t.met(float(value))
        out.append(found)
    return out


def report(found: list[dict]) -> list[str]:
    """:func:`verdicts`' results as the lines the benchmark prints, and a last line counting them."""
    lines = [f"{'target':<66}{'value':>9}{'bar':>9}  verdict"]
    for v in found:
        sign = "≤" if v["at_most"] else "≥"
        value = "" if v["value"] is None else f"{v['value']:.3g}"
        verdict = "not measured" if v["met"] is None else ("met" if v["met"] else "not met")
        lines.append(f"{v['target']:<66}{value:>9}{sign:>3}{v['bar']:>6.3g}  {verdict}")
    measured = [v for v in found if v["met"] is not None]
    met = sum(v["met"] for v in measured)
    lines.append(f"targets met: {met} of {len(measured)} measured ({len(found)} in all)")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the targets read off a stored benchmark run; 0 when every target was measured and
    met, 1 when one was not met or not measured, 2 when the file cannot be read."""
    ap = argparse.ArgumentParser(prog="benchmarks.targets", description=__doc__.split("\n")[0])
    ap.add_argument("results", nargs="?", default="benchmarks/results.json",
                    help="a benchmark's JSON (default benchmarks/results.json)")  # fmt: skip
    args = ap.parse_args(argv)
    path = Path(args.results)
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
        if not isinstance(rows, list):
            raise TypeError
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"results: {path} is not a benchmark's JSON with a list of rows ({e!r:.80})",
              file=sys.stderr)  # fmt: skip
        return 2
    found = verdicts(rows)
    print("\n".join(report(found)))
    return 0 if all(v["met"] for v in found) else 1


if __name__ == "__main__":
    raise SystemExit(main())
