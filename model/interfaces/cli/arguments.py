"""Arguments shared by the subcommands: ``--set`` overrides, size shortcuts and the scenario file."""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.interfaces.cli.errors import CliError
from model.interfaces.cli.inputs import output_path, param_int, ranged_int, safe_name, seed
from model.scenario import SECTIONS, Scenario, ScenarioError, parse_value, preset_path, resolve

__all__ = [
    "DEFAULT_SCENARIO",
    "add_set_option",
    "add_study_options",
    "add_workers_option",
    "as_given",
    "copy_mark",
    "load_scenario",
    "overrides",
    "study_folder",
]

#: The preset run when no scenario is named (``retention presets`` lists them all).
DEFAULT_SCENARIO = "baseline"


def add_set_option(p: argparse.ArgumentParser, help: str) -> None:
    """``--set SECTION.NAME=VALUE`` (repeatable) into ``args.overrides``, read by :func:`overrides`."""
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        help=help,
    )


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """``--set`` pairs and the shortcut options, as raw strings for the scenario.

    A shortcut and a ``--set`` of the same parameter, or two ``--set`` of it, must agree: one of
    them would otherwise be dropped without a word (a ``--set market.clients=abc`` beside
    ``--clients 500`` was).
    """
    overrides: dict[str, Any] = {}
    for item in args.overrides:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CliError(
                f"--set {item!r}: expected SECTION.NAME=VALUE, e.g. levers.service_level=wow"
            )
        key, value = key.strip(), value.strip()
        # Two --set of one parameter must agree too: the first was dropped without a word.
        if (
            key in overrides
            and value != overrides[key]
            and _as_read(key, overrides[key]) != _as_read(key, value)
        ):
            raise CliError(
                f"--set {key}={overrides[key]} and --set {key}={value} set the same parameter "
                "to different values; allowed: one of them (or the same value in both)"
            )
        overrides[key] = value
    for key, option, value in (
        ("market.clients", "--clients", args.clients),
        ("run.months", "--months", args.months),
        ("run.seed", "--seed", args.seed),
        ("run.track_clients", "--track", getattr(args, "track", None)),
    ):
        if value is None:
            continue
        if key in overrides and _as_read(key, overrides[key]) != value:
            raise CliError(
                f"--set {key}={overrides[key]} and {option} {value} set the same parameter to "
                f"different values; allowed: one of them (or the same value in both)"
            )
        overrides[key] = value
    return overrides


def _as_read(key: str, raw: str) -> Any:
    """``--set key=raw`` as the scenario reads it (``1_000``, ``012`` and ``1000`` alike); its
    own error if it cannot be read.

    The value is read in its section alone: a check across parameters (the satisfaction
    thresholds' order) is the scenario's, made once every override is in, so two equal
    ``--set satisfaction.detractor_threshold=9.2`` are not refused for the default promoter
    threshold.
    """
    section, _, name = key.partition(".")
    try:
        return getattr(SECTIONS[section].model_validate({name: parse_value(raw)}), name)
    except (KeyError, AttributeError, ValidationError):
        Scenario().with_overrides({key: raw})  # raises the scenario's own, worded error
        raise


def load_scenario(ref: str | Path | None) -> Scenario:
    """The scenario file or preset name given (a file wins), else the ``baseline`` preset."""
    # file errors are ScenarioErrors (reading.read_toml); an unknown name lists the presets
    path = resolve(DEFAULT_SCENARIO if ref is None else ref)
    try:
        return Scenario.from_toml(path)
    except ScenarioError:
        if _sweep_spec(path):  # (its error listed every section allowed, once per key)
            raise ScenarioError(
                f"{path}: this looks like a sweep spec (it has [parameters] or [design]), not a "
                f"scenario; run it with: retention sweep {path} --out STORE"
            ) from None
        raise


def copy_mark(refs: Sequence[str | Path | None], scenarios: Sequence[Scenario]) -> str:
    """What tells a run of a preset's copy from the preset's own in its default folder's name.

    A scenario file that is not a shipped preset but whose ``name`` is a preset's — an edited
    copy (``retention presets --copy baseline mine/``) — would share the preset's default folder,
    where the preset's results refuse it ("holds the results of a different run") in a folder
    the user never named. Its folder is named by where it came from instead: ``copy=`` and this,
    a digest of those files' full paths, each in its place among ``refs`` (a copy compared with
    its preset, either way round) — the same folder however often the file is edited and run
    again (each edit, as for any scenario file, then replaces the last one's results only with
    ``--force``). Empty where every scenario is a shipped preset's file or carries a name of its
    own.

    Parameters
    ----------
    refs : sequence of str, Path or None
        The scenarios as given on the command line (None: the default preset).
    scenarios : sequence of Scenario
        The scenarios they loaded, in the same order, before any override.
    """
    # Each position's copy or nothing: (copy, preset) and (preset, copy) are other comparisons.
    copies = []
    for ref, scenario in zip(refs, scenarios, strict=True):
        path = resolve(DEFAULT_SCENARIO if ref is None else ref).resolve()
        try:  # (the preset of the scenario's name: a path found, no file read)
            preset = preset_path(scenario.name).resolve()
        except ScenarioError:  # no preset of that name
            preset = path
        copies.append(str(path) if path != preset else "")
    if not any(copies):
        return ""
    return hashlib.sha256("\n".join(copies).encode()).hexdigest()[:8]


def _sweep_spec(path: Path) -> bool:
    """Whether the TOML file at ``path`` reads as a sweep spec (False if it does not read)."""
    from model.scenario.reading import read_toml

    try:  # (read_toml's guards: a file nested thousands deep raised RecursionError in tomllib)
        data, _ = read_toml(Path(path), "file")
    except ScenarioError:
        return False
    return "parameters" in data or "design" in data


def add_study_options(p: argparse.ArgumentParser, replications: int, out: str = "") -> None:
    """Options of the many-run commands: replications, size, seed, overrides, workers, output."""
    p.add_argument(
        "--replications",
        type=ranged_int("--replications", 1, 100_000),
        default=replications,
        metavar="R",
        help=f"seeds per policy, the same for every policy (default {replications})",
    )
    p.add_argument(
        "--clients",
        type=param_int("market.clients"),
        metavar="N",
        help="market size, prospects included",
    )
    p.add_argument("--months", type=param_int("run.months"), metavar="N", help="horizon in months")
    p.add_argument(
        "--seed", type=seed(), metavar="S", help="first seed (default: the scenario's run.seed)"
    )
    add_set_option(p, "override a parameter in every policy (repeatable)")
    add_workers_option(p, "local processes to run replications in (default 1: this process)")
    p.add_argument(
        "--out",
        type=output_path(),
        metavar="DIR",
        help=f"output folder (default {out})" if out else "output folder",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an output folder that holds the results of a different command",
    )
    p.add_argument(
        "--fresh",
        action="store_true",
        help="discard the runs a stopped run of the same command kept (beside DIR, as "
        ".DIR.kept, or inside it where its parent cannot be written; by default the command "
        "resumes from them)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors (no bar)")


def as_given(over: dict[str, Any], seed: int | None) -> dict[str, Any]:
    """A study's overrides with its first seed (``--seed``, taken out of them) put back, as the
    folder names, titles and texts show them."""
    return {**over, **({} if seed is None else {"run.seed": seed})}


def study_folder(
    label: str,
    over: dict[str, Any],
    seed: int | None,
    replications: int,
    choices: dict[str, str] | None = None,
) -> Path:
    """``out/LABEL--OPTIONS``: a many-run command's default folder, named as ``run``'s by the
    overrides and seed given, by the command's own ``choices`` that change its numbers
    (optimize's ``--budget`` or ``--levers``, where given), and by its replications (so another
    ``--clients``, ``--budget`` or ``--replications`` gets a folder of its own, not a refusal in
    one never chosen)."""
    import re

    from model.interfaces.labels import cut_with_digest, default_folder

    tail = ",".join(
        [*(f"{k}={v}" for k, v in (choices or {}).items()), f"replications={replications}"]
    )
    tail = re.sub(r"[^A-Za-z0-9_.=,+-]+", "_", tail)
    if len(tail) > 80:  # (a long --levers or --robust list: cut, and told apart by its digest)
        tail = f"{tail[:60]}_{hashlib.sha256(tail.encode()).hexdigest()[:8]},replications={replications}"
    path = default_folder(Scenario().named(label[:120]), as_given(over, seed), safe_name, tail=tail)
    if len(path.name.encode()) > 140:  # (its staging folder beside it adds up to ~100 bytes)
        path = path.with_name(f"{cut_with_digest(path.name, 119)},replications={replications}")
    return path


def add_workers_option(p: argparse.ArgumentParser, help: str) -> None:
    """Declare ``--workers N``: local processes, 1 to 1,024 (default 1: this process)."""
    p.add_argument(
        "--workers", type=ranged_int("--workers", 1, 1024), default=1, metavar="N", help=help
    )
