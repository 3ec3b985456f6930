"""The presets: scenario files and sweep specs shipped inside the package, reachable by name.

The files live in ``model/presets/`` (package data, so they are in every install, wheel or
checkout): ``baseline``, ``industries/*``, ``teaching/*``, ``policies/*`` and ``sweeps/*``. A
preset's *name* is its path under that folder without ``.toml`` (``teaching/delighter``); the folder
may be left out when the rest is unique (``delighter``). Each file's ``description`` field is its
one-line description.

Wherever a scenario file is accepted (``retention run``, ``compare``, ``optimize``, ``calibrate
--base``, a sweep spec's ``[base] scenario``) :func:`resolve` takes either: an existing file wins,
else a preset name. ``scenarios/…`` paths of earlier releases, where the presets lived in the
repository's ``scenarios/`` folder, still resolve to the same preset.

Examples
--------
>>> [p.name for p in list_presets()][:2]
['baseline', 'industries/auto_service']
>>> resolve("delighter").name
'delighter.toml'
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Literal, NamedTuple

from model.scenario.declare import ScenarioError, did_you_mean

__all__ = ["PRESETS_DIR", "Preset", "copy_preset", "list_presets", "preset_path", "resolve"]

#: The folder of the shipped presets (package data: ``model/presets``).
PRESETS_DIR = Path(__file__).resolve().parents[1] / "presets"

Kind = Literal["scenario", "sweep"]

#: Files under the presets folder that are neither scenarios nor sweep specs.
_NOT_PRESETS = frozenset({"industries/targets"})
#: The folder that holds sweep specs; every other preset is a scenario.
_SWEEPS = "sweeps"
#: Where the presets lived before they were package data; such paths still resolve.
_OLD_PREFIX = "scenarios/"


class Preset(NamedTuple):
    """One shipped preset: its name (``teaching/delighter``), one-line description and file."""

    name: str
    description: str
    path: Path


def _kind(name: str) -> Kind:
    return "sweep" if name.split("/", 1)[0] == _SWEEPS else "scenario"


def _all() -> dict[str, Path]:
    """Every preset by name, scenario files and sweep specs alike, in name order."""
    found = {
        p.relative_to(PRESETS_DIR).with_suffix("").as_posix(): p
        for p in PRESETS_DIR.rglob("*.toml")
    }
    return {name: found[name] for name in sorted(found) if name not in _NOT_PRESETS}


def _description(path: Path) -> str:
    try:
        return str(tomllib.loads(path.read_text(encoding="utf-8")).get("description", ""))
    except (OSError, tomllib.TOMLDecodeError):
        return ""


def list_presets(kind: Kind | None = "scenario") -> list[Preset]:
    """The shipped presets of one kind (``"scenario"``, ``"sweep"``; ``None``: both), by name.

    For pickers and listings: each preset's name, its file's one-line ``description`` and its path.
    """
    return [
        Preset(name, _description(path), path)
        for name, path in _all().items()
        if kind is None or _kind(name) == kind
    ]


def _what(kind: Kind | None) -> str:
    """What a file of ``kind`` is called in messages."""
    return "sweep spec" if kind == "sweep" else "scenario file"


def preset_path(name: str, kind: Kind | None = "scenario") -> Path:
    """The file of the preset called ``name`` (``teaching/delighter``, ``delighter``, ``….toml``).

    Raises :class:`ScenarioError` naming the allowed presets when there is none of that name, when
    a short name matches more than one, or when it is of the other kind.
    """
    key = str(name).replace("\\", "/").strip().removesuffix(".toml").removeprefix("./")
    key = key.removeprefix(_OLD_PREFIX)
    presets = _all()
    matches = [key] if key in presets else [n for n in presets if n.rsplit("/", 1)[-1] == key]
    what = _what(kind)
    allowed = [n for n in presets if kind is None or _kind(n) == kind]
    if len(matches) > 1:
        raise ScenarioError(f"preset {name!r} is ambiguous; allowed: one of {', '.join(matches)}")
    if not matches:
        short = {n.rsplit("/", 1)[-1]: n for n in allowed}
        hint = did_you_mean(key, [*allowed, *short], 0.75, lambda n: short.get(n, n))
        raise ScenarioError(
            f"{what} {str(name)!r} does not exist, and no preset has that name{hint}; allowed: a "
            f"TOML file, or a preset: {', '.join(allowed)} (`retention presets` describes them)"
        )
    found = matches[0]
    if kind is not None and _kind(found) != kind:
        raise ScenarioError(
            f"preset {found!r} is a {'sweep spec' if kind == 'scenario' else 'scenario'}, not a "
            f"{what}; allowed: {', '.join(allowed)}"
        )
    return presets[found]


def resolve(
    ref: str | Path, kind: Kind | None = "scenario", relative_to: Path | None = None
) -> Path:
    """The file meant by ``ref``: an existing file (relative to ``relative_to`` or the current
    folder) first, else the preset of that name (:func:`preset_path`)."""
    if not str(ref).strip():  # (Path("") is ".": it was said to be a folder)
        raise ScenarioError(
            f"{_what(kind)}: value {str(ref)!r} is not allowed; allowed: a TOML file or a "
            "preset's name (`retention presets` lists them)"
        )
    path = Path(ref)
    if relative_to is not None and not path.is_absolute():
        path = relative_to / path
    if path.exists() and not path.is_dir():  # a device or unreadable file: read_toml says why
        return path
    try:
        return preset_path(str(ref), kind)
    except ScenarioError:
        if not path.is_dir():
            raise
        what = _what(kind)
        raise ScenarioError(
            f"{what} {str(ref)!r} is a folder, and no preset has that name; allowed: a TOML file "
            "(`retention presets` lists the presets)"
        ) from None


def copy_preset(name: str, folder: str | Path) -> Path:
    """Write an editable copy of the preset ``name`` into ``folder`` (created if missing).

    Returns the new file, ``folder/<file name>``. An existing file of that name is never
    overwritten: that raises :class:`ScenarioError`, as does a folder that cannot be written.
    """
    try:
        source = preset_path(name, kind=None)
    except ScenarioError:
        if Path(name).is_file():  # (a file of one's own is copied with cp, not --copy)
            raise ScenarioError(
                f"--copy: value {str(name)!r} is a file, not a preset's name; allowed: a "
                "preset's name (`retention presets` lists them), e.g. --copy baseline"
            ) from None
        raise
    if not str(folder).strip():
        raise ScenarioError(
            "--copy: folder '' is not allowed; allowed: a folder path (e.g. . or mine/)"
        )
    folder = Path(folder)
    target = folder / source.name
    if target.exists():
        raise ScenarioError(
            f"--copy: {str(target)!r} already exists; allowed: a folder without {source.name} "
            "(the copy never overwrites a file)"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    except OSError as exc:
        raise ScenarioError(
            f"--copy: {str(folder)!r} cannot be written ({exc.strerror or exc}); "
            "allowed: a folder you can write to"
        ) from None
    return target
