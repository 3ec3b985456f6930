"""``retention presets``: list the shipped presets with their one-line descriptions, or copy one."""

from __future__ import annotations

import argparse

from model.scenario import copy_preset, list_presets, preset_path

__all__ = ["add_presets"]


def add_presets(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention presets [--copy NAME DIR]``."""
    p = subparsers.add_parser(
        "presets",
        help="list the shipped scenarios and sweep specs, or copy one to edit",
        description="List the presets shipped with the package: scenario files to run by name "
        "('retention run delighter', 'retention run industries/software') and sweep specs "
        "('retention sweep sweeps/example --out DIR'). --copy writes an editable copy.",
    )
    p.add_argument(
        "--copy",
        nargs=2,
        metavar=("NAME", "DIR"),
        help="write DIR/NAME.toml, a copy of the preset to edit and run as a file (never overwrites)",
    )
    p.set_defaults(handler=_cmd_presets)


def _cmd_presets(args: argparse.Namespace) -> int:
    if args.copy:
        name, folder = args.copy
        target = copy_preset(name, folder)
        if preset_path(name, kind=None) in {p.path for p in list_presets("sweep")}:
            # (A sweep's results go to --out; its name only labels them.)
            print(f"wrote {target}; edit it, then: retention sweep {target} --out STORE")
            return 0
        # (Its name names its results' folder; while it is the preset's, the folder also says
        # which copy it is, copy=<digest>, beside the preset's own: arguments.copy_mark.)
        print(
            f"wrote {target}; edit it (its name = ... names its results' folder), then: "
            f"retention run {target}"
        )
        return 0
    for title, kind in (("Scenarios", "scenario"), ("Sweep specs", "sweep")):
        presets = list_presets(kind)
        width = max(len(p.name) for p in presets)
        print(f"{title}:")
        for preset in presets:
            print(f"  {preset.name:{width}}  {preset.description}")
        print()
    print(
        "Run one by name: retention run delighter (the folder may be left out when the name is "
        "unique; a path to a TOML file works too).\nCopy one to edit: retention presets --copy "
        "NAME DIR"
    )
    return 0
