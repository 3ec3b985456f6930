"""Recalibrate the nine industry presets to their stated targets (``targets.toml``).

Each preset's ``retain.base_churn`` and ``attract.ad_p_max`` are fitted with
:func:`model.studies.calibration.moments.fit_moments` — the simulated moments behind
:func:`model.studies.calibration.fit.calibrate_targets`, common random numbers — so that the
*emergent* annual retention and CAC — satisfaction, heterogeneity and the quality gap included — hit
the targets in ``model/presets/industries/targets.toml`` at the measurement setting stated there. The
fitted values are written into the preset files (one line each, with a comment naming the targets),
and each target's tolerance, max(business tolerance, 4 SE), is written back into ``targets.toml``.

Run ``python -m model.studies.calibration.presets [NAME ...]`` (all nine by default; a few minutes on two
cores). ``tests/test_preset_targets.py`` checks the result on seeds the fit never used.
"""

from __future__ import annotations

import math
import re
import sys
import tomllib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from model.scenario import Scenario
from model.scenario.presets import PRESETS_DIR
from model.studies.calibration.errors import CalibrationError
from model.studies.calibration.moments import MSMSettings, fit_moments, simulated_moments
from model.studies.files import write_atomic
from model.version import checkout_root

__all__ = [
    "INDUSTRY_DIR",
    "METRICS",
    "TARGETS_PATH",
    "Measurement",
    "Target",
    "measure",
    "read_preset_targets",
    "recalibrate_presets",
    "tolerance",
]

INDUSTRY_DIR = PRESETS_DIR / "industries"
TARGETS_PATH = INDUSTRY_DIR / "targets.toml"

#: target (a moment of :data:`model.studies.calibration.moments.MOMENTS`) -> the parameter fitted to it
METRICS: dict[str, str] = {"annual_retention": "retain.base_churn", "cac": "attract.ad_p_max"}

#: how many standard errors the tolerance allows
N_SE = 4.0


@dataclass(frozen=True)
class Measurement:
    """Where the targets are measured: market size, horizon, pooled months and seeds.

    Attributes
    ----------
    clients, months, burn_in : int
        Market size (people), horizon (months) and months dropped before pooling.
    fit_seeds, test_seeds : tuple of int
        Seeds of the fit (common random numbers) and of the test; disjoint.
    """

    clients: int
    months: int
    burn_in: int
    fit_seeds: tuple[int, ...]
    test_seeds: tuple[int, ...]

    def settings(self, seeds: Sequence[int]) -> MSMSettings:
        """Simulated-moments settings at this measurement on ``seeds`` (no refits)."""
        return MSMSettings(self.clients, self.months, self.burn_in, tuple(seeds), replicates=0)


@dataclass(frozen=True)
class Target:
    """One calibration target of one preset (values in the moment's unit)."""

    industry: str
    metric: str
    target: float
    source: str
    business_tolerance: float
    tolerance: float
    fitted_sd: float


def _seed_range(value: Any, key: str) -> tuple[int, ...]:
    ok = isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)
    if not ok or value[1] < value[0]:
        raise CalibrationError(
            f"measurement.{key}: value {value!r} is not allowed; allowed: [first, last]"
        )
    return tuple(range(value[0], value[1] + 1))


def read_preset_targets(
    path: str | Path = TARGETS_PATH,
) -> tuple[Measurement, dict[str, dict[str, Target]]]:
    """Read ``targets.toml``: the measurement setting and industry → metric → :class:`Target`."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    m = data.pop("measurement")
    meas = Measurement(
        int(m["clients"]),
        int(m["months"]),
        int(m["burn_in"]),
        _seed_range(m["fit_seeds"], "fit_seeds"),
        _seed_range(m["test_seeds"], "test_seeds"),
    )
    if set(meas.fit_seeds) & set(meas.test_seeds):
        raise CalibrationError(
            "measurement: fit_seeds and test_seeds overlap; they must be disjoint"
        )
    targets: dict[str, dict[str, Target]] = {}
    for industry, metrics in data.items():
        unknown = set(metrics) - set(METRICS)
        if unknown:
            raise CalibrationError(
                f"{industry}: unknown targets {sorted(unknown)}; allowed: {', '.join(METRICS)}"
            )
        targets[industry] = {
            k: Target(
                industry,
                k,
                float(v["target"]),
                str(v["source"]),
                float(v["business_tolerance"]),
                float(v["tolerance"]),
                float(v["fitted_sd"]),
            )
            for k, v in metrics.items()
        }
    return meas, targets


def measure(
    scenario: Scenario, metrics: Sequence[str], meas: Measurement, seeds: Sequence[int]
) -> dict[str, tuple[float, float]]:
    """Mean over ``seeds`` and its standard error, per metric, at the measurement setting."""
    sims = simulated_moments(scenario, list(metrics), meas.settings(seeds), list(seeds))
    se = sims.std(axis=0, ddof=1) / np.sqrt(len(seeds))
    return {k: (float(sims[:, i].mean()), float(se[i])) for i, k in enumerate(metrics)}


def tolerance(business: float, sd: float, n_fit: int, n_test: int) -> float:
    """max(business, 4 SE) with SE of (test mean − fit mean) = sd·√(1/n_fit + 1/n_test).

    Rounded up to two significant digits so the file stays readable.
    """
    tol = max(business, N_SE * sd * math.sqrt(1.0 / n_fit + 1.0 / n_test))
    digits = 1 - math.floor(math.log10(tol))
    return math.ceil(tol * 10**digits) / 10**digits


def _fit_one(args: tuple[str, dict[str, float], Measurement]) -> dict[str, Any]:
    """Fit one preset (runs in a worker process).

    The CAC residual is scaled by its advertising part (target − onboarding cost): the onboarding
    cost is fixed, so scaling by the whole CAC would let a 50% miss in advertising look like 1%.
    """
    industry, goals, meas = args
    base = Scenario.from_toml(INDUSTRY_DIR / f"{industry}.toml")
    scale = {"annual_retention": 1.0 - goals["annual_retention"]}
    if "cac" in goals:
        scale["cac"] = max(goals["cac"] - base.attract.onboarding_cost, 1.0)
    params = [METRICS[k] for k in goals]
    fit = fit_moments(base, params, goals, meas.settings(meas.fit_seeds), scale=scale)
    n = len(meas.fit_seeds)
    return {
        "industry": industry,
        "values": fit.values,
        "fitted": fit.fitted,
        "sd": {k: se * math.sqrt(n) for k, se in fit.mc_se.items()},
        "evaluations": fit.evaluations,
    }


def _set_line(text: str, section: str, key: str, value: str, comment: str) -> str:
    """Set ``key = value  # comment`` inside ``[section]`` of a TOML text (added if missing)."""
    lines = text.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip() == f"[{section}]"), None)
    if start is None:
        raise CalibrationError(f"section [{section}] missing")
    end = next(
        (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")), len(lines)
    )
    new = f"{key} = {value}"
    new = f"{new:<28s}# {comment}"
    for i in range(start + 1, end):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[i]):
            lines[i] = new
            break
    else:
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        lines.insert(end, new)
    return "\n".join(lines) + "\n"


def _write_preset(industry: str, values: dict[str, float], targets: dict[str, Target]) -> None:
    path = INDUSTRY_DIR / f"{industry}.toml"
    text = path.read_text(encoding="utf-8")
    r, c = targets["annual_retention"].target, targets["cac"].target
    why = (
        f"calibrated to targets.toml (annual retention {r:g}, CAC {c:g}) by "
        "`python -m model.studies.calibration.presets`"
    )
    text = _set_line(
        text, "retain", "base_churn", f"{values['retain.base_churn']:.5f}", "1/month; " + why
    )
    text = _set_line(
        text, "attract", "ad_p_max", f"{values['attract.ad_p_max']:.5f}", "1/month; " + why
    )
    write_atomic(path, text)


def _write_tolerances(path: Path, rows: list[dict[str, Any]], meas: Measurement, targets) -> None:
    text = path.read_text(encoding="utf-8")
    stamp = "written by `python -m model.studies.calibration.presets`"
    for row in rows:
        for k, sd in row["sd"].items():
            t = targets[row["industry"]][k]
            tol = tolerance(t.business_tolerance, sd, len(meas.fit_seeds), len(meas.test_seeds))
            unit = "share/year" if k == "annual_retention" else "currency"
            section = f"{row['industry']}.{k}"
            text = _set_line(text, section, "tolerance", f"{tol:g}", f"{unit}; {stamp}")
            text = _set_line(
                text, section, "fitted_sd", f"{sd:.4g}", f"per-seed sd at the fit; {stamp}"
            )
    write_atomic(path, text)


def recalibrate_presets(
    industries: Sequence[str] | None = None,
    *,
    path: str | Path = TARGETS_PATH,
    workers: int = 2,
    write: bool = True,
) -> list[dict[str, Any]]:
    """Fit the named presets (default: all in ``targets.toml``) and write the results.

    Returns one row per industry: fitted ``values``, simulated moments at the fit (``fitted``), the
    per-seed ``sd`` at the fit, and the number of simulated evaluations.
    """
    meas, targets = read_preset_targets(path)
    names = list(industries) if industries else list(targets)
    for name in names:
        if name not in targets:
            raise CalibrationError(f"industry {name!r}: no targets; allowed: {', '.join(targets)}")
    jobs = [(n, {k: t.target for k, t in targets[n].items()}, meas) for n in names]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        rows = list(pool.map(_fit_one, jobs))
    if write:
        for row in rows:
            _write_preset(row["industry"], row["values"], targets[row["industry"]])
        _write_tolerances(Path(path), rows, meas, targets)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m model.studies.calibration.presets [NAME ...]``: refit and print a table."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if checkout_root() is None:  # never write inside an installed package
        print(
            "error: the presets are recalibrated in the repository checkout only", file=sys.stderr
        )
        return 2
    try:
        rows = recalibrate_presets(argv or None)
    except CalibrationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for row in rows:
        v, f, sd = row["values"], row["fitted"], row["sd"]
        print(
            f"{row['industry']:28s} base_churn={v['retain.base_churn']:.5f} "
            f"ad_p_max={v['attract.ad_p_max']:.5f}  retention={f['annual_retention']:.4f} "
            f"(sd {sd['annual_retention']:.4f})  CAC={f['cac']:.1f} (sd {sd['cac']:.1f})  "
            f"evals={row['evaluations']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
