"""``retention experiment NAME --world SCENARIO [--vary KEY[=A,B] ...]``: a claim in one world.

The command-line side of :mod:`experiments.analysis.in_your_world` (the claim measured and judged
in one scenario) and :mod:`experiments.analysis.around_your_world` (and again with each named
uncertainty moved): its options, their checks and the printed answer. A study's options do not
apply to one world, nor these to a study; each side refuses the other's by name.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from experiments import load
from model.interfaces.cli.arguments import add_set_option
from model.interfaces.cli.inputs import ranged_int

if TYPE_CHECKING:
    from model import Scenario

__all__ = ["MAX_WORLD_REPS", "add_world_options", "run_world", "world_options_given"]

#: The most replications ``--world`` runs (each is every arm of the claim at the scenario's size).
MAX_WORLD_REPS = 256


def add_world_options(p: argparse.ArgumentParser) -> None:
    """``--world``, ``--replications`` and ``--vary`` on ``retention experiment``'s parser."""
    p.add_argument(
        "--world",
        metavar="SCENARIO",
        help="instead of a study: the claim in your own world, a scenario file or preset (its "
        "size, levers and values as written; its run.seed replaced by each replication's, drawn "
        "from --seed as a study's defaults' are), measured on --replications seeds and each "
        "reading judged against its band; prints the answer, which of its stylised facts lie "
        "outside the range a study keeps a world in and which values no world of a study has",
    )
    p.add_argument(
        "--replications",
        type=ranged_int("--replications", 2, MAX_WORLD_REPS),
        metavar="N",
        help="with --world: runs of the claim's arms, each on its own seed (8)",
    )
    add_set_option(
        p,
        help="with --world: set a parameter of the world, as `retention run --set` does "
        "(repeatable; its size too: --set market.clients=N, --set run.months=N)",
    )
    p.add_argument(
        "--vary",
        type=_vary,
        action="append",
        default=[],
        metavar="KEY[=A,B,...]",
        help="with --world: measure the claim again with this declared uncertainty moved to "
        "the ends of its plausible range (or to every alternative, or to your values A,B,...), "
        "the others held at the scenario's, on the same seeds; prints each reading's paired "
        "change and which judgements move (repeatable; each value costs --replications runs)",
    )


def _vary(text: str) -> tuple[str, tuple[object, ...] | None]:
    """An argparse type: ``KEY[=A,B,...]``
    (:func:`experiments.analysis.moved_values.parse_vary`)."""
    from experiments.analysis.moved_values import parse_vary

    try:
        return parse_vary(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def world_options_given(args: argparse.Namespace) -> list[str]:
    """The options of one world given to a study (each is refused there)."""
    return [
        flag
        for flag, on in (
            ("--replications", args.replications is not None),
            ("--set", args.overrides),
            ("--vary", args.vary),
        )
        if on
    ]


def run_world(args: argparse.Namespace) -> int:
    """``--world SCENARIO``: the claim measured and judged in one scenario (no study), and with
    ``--vary``, again with each named uncertainty moved."""
    from experiments.analysis.around_your_world import around_your_world
    from experiments.analysis.in_your_world import in_your_world
    from experiments.analysis.moved_values import moved_worlds
    from model.interfaces.cli.arguments import load_scenario, overrides
    from model.interfaces.cli.errors import CliError
    from model.interfaces.cli.where import where_given
    from model.interfaces.labels import labelled
    from model.interfaces.progress import bar

    study = [
        flag
        for flag, on in (
            ("--all", args.all), ("--list", args.list), ("--size", args.size),
            ("--pin", args.pin), ("--split", args.split), ("--fresh", args.fresh),
            ("--worlds", args.worlds), ("--deep-reps", args.deep_reps), ("--out", args.out),
        )
        if on
    ] + where_given(args)  # fmt: skip
    if study or not args.name:
        given = f"{', '.join(study)} given" if study else "no claim named"
        raise CliError(
            f"experiment --world: {given}; allowed: one claim's name and --world SCENARIO "
            "[--replications N] [--set KEY=V ...] [--vary KEY ...] [--seed S] (a study's "
            "options do not apply to one world: its size is the scenario's, and it runs in "
            "this process)"
        )
    try:
        module = load(args.name)
    except ValueError as exc:
        raise CliError(f"experiment: {exc}") from None
    given = overrides(
        argparse.Namespace(overrides=args.overrides, clients=None, months=None, seed=None)
    )
    if "run.seed" in given:  # (each replication's seed replaces the world's)
        raise CliError(
            f"experiment --set run.seed={given['run.seed']}: not allowed with --world (each "
            "replication runs on a seed of its own); allowed: --seed S, where the replications' "
            "seeds come from"
        )
    scenario = labelled(load_scenario(args.world).with_overrides(given), given)
    reps = args.replications or 8
    vary: dict[str, tuple[object, ...] | None] = {}
    for key, values in args.vary:
        if key in vary:
            raise CliError(f"experiment --vary {key}: given twice; allowed: each key once")
        vary[key] = values
    try:  # (each value checked, and the runs counted, before any runs)
        runs = reps * (1 + len(moved_worlds(scenario, vary, module.CLAIM) if vary else ()))
    except ValueError as exc:  # (ScenarioError included: a value out of its allowed range)
        said = str(exc).removeprefix("override: ")
        raise CliError(
            f"experiment --{said}" if said.startswith("vary ") else f"experiment --vary: {said}"
        ) from None
    with bar(runs, f"{args.name} in {scenario.name}", enabled=not args.quiet) as b:
        answer = (
            around_your_world(module, scenario, vary, reps, args.seed, on_done=b.update)
            if vary
            else in_your_world(module, scenario, reps, args.seed, on_done=b.update)
        )
    print(answer.format())
    yours = answer.yours if vary else answer
    unjudged = yours.readings.loc[yours.readings["status"].str.startswith("not judged"), "reading"]
    print("\n".join(_study_along(args.name, scenario, unjudged.tolist())))
    return 0


def _study_along(name: str, scenario: Scenario, unjudged: list[str]) -> list[str]:
    """What the committed study of claim ``name`` found along each reading's deciding
    uncertainties at ``scenario``'s values (:func:`experiments.reporting.study_along.along_lines`;
    ``unjudged``: the readings the world's answer did not judge), or where to find it when this
    package has no committed reports (an installed wheel)."""
    from experiments.reporting.study_along import along_lines, committed_report, other_code_note

    found = committed_report(name)
    if found is None:
        return [
            f"(A study's report names what spreads each reading most and the verdict along it: "
            f"`retention experiment {name}`; this installation has no committed one.)"
        ]
    where, report = found
    lines = along_lines(report, scenario, str(where), unjudged)
    return [*lines, *other_code_note(name, report, str(where))] if lines else []
