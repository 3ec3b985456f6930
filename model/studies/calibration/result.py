"""The result of a calibration: fitted values, intervals, what the data cannot identify, and the
scenario file that carries them (written atomically: a temporary file renamed into place)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.scenario import SECTIONS, Scenario
from model.studies.files import write_atomic

__all__ = ["HEADER", "CalibrationResult", "scenario_toml", "written_by_calibration"]


@dataclass(frozen=True)
class CalibrationResult:
    """What a calibration found.

    Attributes
    ----------
    base : Scenario
        The scenario the fitted values are applied to.
    values : dict
        ``"section.name"`` → fitted value (the overrides).
    intervals : dict
        ``"section.name"`` → 95% interval (low, high); how it was computed is in ``notes``.
    not_identified : dict
        ``"section.name"`` → why the data cannot pin it down (it keeps the base scenario's value).
    quality : dict
        Fit quality: log-likelihood, in-sample and out-of-sample errors, moment errors.
    details : dict
        The underlying fits (sBG, monthly conversion, lognormal, simulated moments).
    notes : list of str
        Methods and approximations, in words.
    no_interval : dict
        ``"section.name"`` → why a fitted value has no interval (default: an exact target).
    """

    base: Scenario
    values: dict[str, float | str]
    intervals: dict[str, tuple[float, float]] = field(default_factory=dict)
    not_identified: dict[str, str] = field(default_factory=dict)
    quality: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    no_interval: dict[str, str] = field(default_factory=dict)

    @property
    def scenario(self) -> Scenario:
        """The base scenario with the fitted values applied (validated), named
        ``"<base>-calibrated"`` (so its runs go to a folder of their own, not the base's)."""
        fitted = self.base.with_overrides(self.values)
        fitted_keys = ", ".join(self.values)
        return fitted.model_copy(
            update={
                "name": f"{self.base.name}-calibrated",
                "description": f"{self.base.name} with {fitted_keys} fitted (retention calibrate)",
            }
        )

    def __repr__(self) -> str:
        """One line: what was fitted to what (:meth:`summary` is the report; the dataclass's
        repr printed the base scenario and every detail)."""
        values = ", ".join(
            f"{k.rpartition('.')[2]}={v!r}"
            if isinstance(v, str)
            else f"{k.rpartition('.')[2]}={v:.4g}"
            for k, v in self.values.items()
        )
        return (
            f"CalibrationResult({self.base.name!r}: {values}; {len(self.not_identified)} not "
            f"identified, {len(self.notes)} notes — .summary() for the report)"
        )

    def _repr_html_(self) -> str:
        """In a notebook: the report (:meth:`summary`), as text."""
        import html

        return f"<pre>{html.escape(self.summary())}</pre>"

    def summary(self) -> str:
        """A short human-readable report (the comment block of the scenario file)."""
        from model.version import shown_version

        # (a checkout installed at an older commit: its hash left out, the commit follows below)
        head = f"{HEADER[2:]}, retention-lab {shown_version()})"
        lines = [head, "", "fitted value (unit) [95% interval]:"]
        for key, value in self.values.items():
            if isinstance(value, str):
                lines.append(f"  {key} = {value!r}")
                continue
            # The model's unit (a churn fitted from a yearly table is per month all the same).
            unit = _unit(key)
            if key in self.intervals:
                lo, hi = self.intervals[key]
                lines.append(f"  {key} = {value:.6g}{unit}  [{lo:.4g}, {hi:.4g}]")
            else:
                why = self.no_interval.get(key, "closed form from an exact target")
                lines.append(f"  {key} = {value:.6g}{unit}  ({why})")
        if self.quality:
            lines += ["", "fit quality:"]
            lines += [f"  {k} = {_fmt(v)}" for k, v in self.quality.items()]
        if self.not_identified:
            lines += ["", "not identified by these data (kept at the base scenario's value):"]
            lines += [f"  {k}: {why}" for k, why in self.not_identified.items()]
        if self.notes:
            lines += ["", "notes:"]
            lines += [f"  - {n}" for n in self.notes]
        return "\n".join(lines)

    def to_toml(self, command: str | None = None, name: str | None = None) -> str:
        """The calibrated scenario as a TOML file: a comment block, then the non-default values.

        ``command``, the command line that made it, is recorded under the first line with the
        code's commit where a checkout can tell (the version is on the first line). ``name``:
        the scenario's name in the file (default :attr:`scenario`'s, ``"<base>-calibrated"``).
        """
        from model.version import git_commit

        header = self.summary()
        made = [f"command: {command}"] if command else []
        commit = git_commit()
        made += [f"git commit: {commit}"] if commit else []
        if made:
            first, _, rest = header.partition("\n")
            header = "\n".join([first, *made, rest])
        scenario = self.scenario
        if name is not None:
            scenario = scenario.model_copy(update={"name": name})
        return scenario_toml(scenario, header=header)

    def write(self, path: str | Path, command: str | None = None, *, force: bool = False) -> Path:
        """Write :meth:`to_toml` (with ``command``) to ``path`` atomically; returns the path.

        The scenario in the file is named after it (``shop_2024.toml``: ``"shop_2024"``), as a
        scenario file without a name is, so that two fits written to two files run into two
        results folders; a file named as the base keeps ``"<base>-calibrated"`` (its runs must
        not land among the base's own).

        A file that exists is replaced only if a calibration wrote it (it begins with
        :data:`HEADER`), or with ``force=True``: a scenario of one's own or a data file is not
        overwritten by mistake (as ``retention calibrate --out`` refuses without ``--force``).

        Raises
        ------
        FileExistsError
            ``path`` exists, was not written by a calibration, and ``force`` is not True.
        IsADirectoryError
            ``path`` is a folder.
        """
        path = Path(path)
        if path.is_dir():  # (force=True could not replace it either)
            raise IsADirectoryError(
                f"path {str(path)!r}: a folder; allowed: a file's path, e.g. "
                f"{str(path / (self.base.name + '-calibrated.toml'))!r}"
            )
        if not force and path.exists() and not written_by_calibration(path):
            raise FileExistsError(
                f"path {str(path)!r}: exists and was not written by a calibration; allowed: a new "
                "file, one a calibration wrote, or force=True to replace it"
            )
        name = path.stem if path.stem and path.stem != self.base.name else None
        text = self.to_toml(command, name=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
        return path


#: How a file a calibration wrote begins (:meth:`CalibrationResult.write`).
HEADER = "# Calibration (retention calibrate"


def written_by_calibration(path: Path, header: str = HEADER) -> bool:
    """Whether the file at ``path`` begins with ``header`` (:data:`HEADER`, a fitted scenario's;
    the holdout table's is :data:`~model.studies.calibration.holdout.HOLDOUT_HEADER`); False if
    it cannot be read."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read(len(header)) == header
    except OSError:
        return False


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _value(v: Any) -> str:
    """One TOML value (scalars and flat inline tables are all a scenario needs)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return (
            repr(v)
            if math.isfinite(v)
            else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf"))
        )
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {v!r} to TOML")


def scenario_toml(scenario: Scenario, header: str = "") -> str:
    """A scenario as TOML holding only what differs from the defaults (plus name/description)."""
    default = Scenario().flat()
    data = scenario.to_toml_dict()
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    out += ["", f"name = {_value(scenario.name)}", f"description = {_value(scenario.description)}"]
    for section in SECTIONS:
        rows = [
            f"{name} = {_value(value)}"
            for name, value in data[section].items()
            if value != default[f"{section}.{name}"]
        ]
        if rows:
            out += ["", f"[{section}]", *rows]
    for step in data.get("schedule", []):
        out += ["", "[[schedule]]", f"month = {step['month']}", f"set = {_value(step['set'])}"]
    for shock in data.get("shocks", []):
        out += ["", "[[shocks]]", *(f"{k} = {_value(v)}" for k, v in shock.items())]
    return "\n".join(out) + "\n"


def _unit(key: str) -> str:
    """`` (unit)`` of a declared parameter, or nothing (a dimensionless one, or an sBG shape the
    scenario does not declare)."""
    from model.scenario import PARAMS

    info = PARAMS.get(key)
    return f" ({info.unit})" if info is not None and info.unit not in ("", "-") else ""
