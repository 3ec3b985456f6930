"""``retention compare``: two or more policies on the same seeds, paired differences with intervals.

Outputs go to a fresh folder written atomically (a temporary folder beside it, renamed into place).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from model.interfaces.cli.arguments import (
    add_study_options,
    as_given,
    copy_mark,
    load_scenario,
    overrides,
    study_folder,
)
from model.interfaces.cli.errors import CliError
from model.interfaces.cli.inputs import check_scenario_memory, reference, safe_name
from model.interfaces.cli.outputs import (
    check_replace,
    study_inputs,
    study_metadata,
)
from model.interfaces.cli.workers import study_places

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["add_compare", "cmd_compare"]

COMPARE_OUTPUTS = (
    "comparison.csv",
    "runs.csv",
    "comparison.png",
    "comparison.json",
    "report.html",
)


def add_compare(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention compare``."""
    p = subparsers.add_parser(
        "compare",
        help="run two or more policies on the same seeds; differences with 95%% intervals",
        description="Run each scenario file with the same seeds and random streams (common "
        "random numbers) and report each policy's paired difference from the FIRST one: NPV, "
        "profit, active clients at the end, NPS, CAC, annual retention, total spend, with 95% "
        "paired-t intervals. Writes DIR/comparison.csv, runs.csv, comparison.png, comparison.json "
        "and report.html (all of it on one page).",
    )
    p.add_argument(
        "scenarios",
        nargs="+",
        type=reference(),
        metavar="SCENARIO",
        help="preset names or TOML files",
    )
    add_study_options(
        p,
        replications=5,
        out="out/compare_NAME_vs_NAME--OPTIONS: the size, seed and --set values given, and the "
        "replications (past three policies, _and_N_more_ and a digest of every name; "
        "copy=<digest> where a file's name = is a preset's)",
    )
    p.set_defaults(handler=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    """Run ``retention compare``."""
    # Loaded here, not at import: the parser (and every --help) is built without them.
    from model.interfaces.study_report import write_study_report
    from model.studies.compare import compare

    if len(args.scenarios) < 2:
        raise CliError("compare: give at least two scenario files (the first is the reference)")
    loaded = [load_scenario(path) for path in args.scenarios]
    over = overrides(args)
    seed = over.pop("run.seed", None)
    # Validate every override before any run starts (the seed too, as run.seed); compare
    # applies them itself, so it can say which differences between the policies they erase.
    scenarios = [s.with_overrides(over) for s in loaded]
    if seed is not None:
        seed = scenarios[0].with_overrides({"run.seed": seed}).run.seed
    for s in scenarios:
        check_scenario_memory(s, copies=args.workers)
    # (The reference too: two comparisons with one policy in common shared a folder.)
    # (Past three policies the rest are counted and, by a digest of every name, told apart:
    # comparisons that shared their first three shared a folder, and --force lost one.)
    # (Each of the three cut to 20 characters there, so that the digest survives the
    # folder name's own cut at 100: safe_name.)
    every = _distinct([safe_name(s.name) for s in scenarios], args.scenarios)
    names = (
        "_vs_".join(every[:3])
        if len(every) <= 3
        else "_vs_".join(n[:20] for n in every[:3])
        + f"_and_{len(every) - 3}_more_{hashlib.sha256('|'.join(every).encode()).hexdigest()[:6]}"
    )
    copy = copy_mark(args.scenarios, loaded)  # (a preset's copy among them: a folder of its own)
    outdir = args.out or study_folder(
        "compare_" + names, over, seed, args.replications, {"copy": copy} if copy else None
    )
    inputs = study_inputs(args, scenarios, seed)
    check_replace(outdir, "comparison.json", inputs, args.force, kind="comparison")
    started = time.perf_counter()
    runs = len(scenarios) * args.replications
    with study_places(args, outdir, COMPARE_OUTPUTS, "retention compare", runs, "compare runs") as (
        staging,
        pool,
        b,
    ):
        result = compare(
            loaded,
            overrides=over,
            replications=args.replications,
            seed=None if seed is None else int(seed),
            executor=pool,
            on_done=b.update,
        )
        result.save(staging)
        given = _over_text(over, seed)
        title = "compare: " + " vs ".join(result.names)
        title += "" if given == "none" else f" (each + {given})"
        meta = study_metadata(args, time.perf_counter() - started)
        meta.update(policies=result.names, seeds=result.seeds, notes=result.notes, inputs=inputs)
        # Outcomes some pairs leave undefined (no CAC without acquisitions): policy -> outcome ->
        # [pairs where both runs have it, pairs]; their means and difference are those pairs'.
        meta["defined_pairs"] = _defined_pairs(result.table)
        (staging / "comparison.json").write_text(json.dumps(meta, indent=2) + "\n")
        write_study_report(
            staging / "report.html",
            staging,
            title,
            f"Paired differences from {result.names[0]}, {len(result.seeds)} "
            f"seed{'s' * (len(result.seeds) != 1)} each "
            f"(the same for every policy); overrides: {given}.",
            notes=result.notes,
            meta=meta,
            csvs=("comparison.csv", "runs.csv"),
        )
    if not args.quiet:
        print(title)
        print(result.format_table())
        print(f"\nwrote {outdir}/: {', '.join(COMPARE_OUTPUTS)}")
    return 0


def _over_text(over: dict, seed: object) -> str:
    from model.interfaces.labels import overrides_text

    return overrides_text(as_given(over, seed)) or "none"


def _defined_pairs(table: pd.DataFrame) -> dict[str, dict[str, list[int]]]:
    """``{policy: {outcome: [k, n]}}`` for the outcomes defined in only k of the n pairs."""
    short = table[table["defined_pairs"] < table["replications"]]
    out: dict[str, dict[str, list[int]]] = {}
    for row in short.itertuples():
        out.setdefault(row.policy, {})[row.outcome] = [
            int(row.defined_pairs),
            int(row.replications),
        ]
    return out


def _distinct(names: list[str], given: list[str]) -> list[str]:
    """The policies' names for a folder, a repeated one told apart by its file's name where that
    differs, else by its folder where every file of that name has one (three files of one name
    made ``compare_f_vs_f_vs_f``; a preset's copy keeps its name: the folder's ``copy=`` mark
    tells it apart)."""
    paths = [Path(str(ref)) for ref in given]
    out = []
    for name, path in zip(names, paths, strict=True):
        same = [p for n, p in zip(names, paths, strict=True) if n == name]
        stem = safe_name(path.stem)
        if len(same) > 1 and stem != name:
            name = f"{name}_{stem}"
        elif len(same) > 1 and all(p.parent.name for p in same):  # (dir1/f.toml, dir2/f.toml)
            name = f"{name}_{safe_name(path.parent.name)}"
        out.append(name)
    return out
