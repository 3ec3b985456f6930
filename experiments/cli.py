"""``retention experiment``: judge a claim over the plausible worlds and write its report."""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path
from typing import TYPE_CHECKING

from experiments import EXPERIMENTS, load
from experiments.reporting.outputs import is_committed, reports_folder
from experiments.verdicts.verdict_words import how_many
from experiments.world_command import add_world_options, run_world, world_options_given
from model.interfaces.cli.inputs import check_out, create_out, output_path, ranged_int, seed
from model.interfaces.cli.where import add_where, where_of

if TYPE_CHECKING:
    from experiments.running.sizes import Size

__all__ = ["MAX_DEEP_REPS", "MAX_WORLDS", "add_experiment"]

#: The most replications ``--deep-reps`` allows a world (a bound on one study's cost).
MAX_DEEP_REPS = 64
#: The most plausible worlds ``--worlds`` asks for (a bound on one study's cost: 35 times the
#: default size's 566, hours of runs on two cores).
MAX_WORLDS = 20_000


def add_experiment(subparsers: argparse._SubParsersAction) -> None:
    """Declare ``retention experiment NAME|--all [--size S] [--workers N | --scheduler A |
    --dask-local N] [--seed S] [--worlds N] [--deep-reps N] [--pin KEY=VALUE ...] [--split
    KEY[=...] ...] [--out DIR]`` and ``retention experiment NAME --world S [--replications N]``."""
    from experiments.running.sizes import SIZES

    p = subparsers.add_parser(
        "experiment",
        help="test a claim of the practitioner articles (docs/ODD.md §1.2) over plausible worlds",
        description="Draw worlds from the declared uncertainties, keep the plausible ones, run the "
        "claim's paired arms in each, and write DIR/NAME.md: P(holds) per reading with its "
        "interval, where it holds (PRIM) and what spreads the effect most (PAWN). Resumable: results are kept "
        "under DIR/.store. --list shows the claims.",
    )
    p.add_argument("name", nargs="?", help="the experiment (see --list)")
    p.add_argument("--list", action="store_true", help="list the experiments and exit")
    p.add_argument(
        "--all", action="store_true", help="every experiment, then experiments/README.md"
    )
    p.add_argument("--size", choices=sorted(SIZES), help="study size (default)")
    add_where(
        p,
        workers="local worker processes (default: one per usable core; 1 = in this process)",
        shared="the report folder's .store",
    )
    p.add_argument("--seed", type=seed("--seed"), default=1, metavar="S", help="world seed (1)")
    p.add_argument(
        "--worlds",
        type=ranged_int("--worlds", 1, MAX_WORLDS),
        metavar="N",
        help="plausible worlds wanted, at least (the size's: 500 at default, one wave's at "
        "quick): more waves are drawn until N are kept, a narrower P(holds) interval at their "
        "cost; the store is extended, and a later run at the size's own reads only its waves",
    )
    p.add_argument(
        "--deep-reps",
        type=ranged_int(
            "--deep-reps",
            min(size.max_reps for size in SIZES.values()),
            MAX_DEEP_REPS,
            also="and at least the size's replications near an edge ("
            + ", ".join(f"{size.max_reps} at {name}" for name, size in sorted(SIZES.items()))
            + ")",
        ),
        metavar="N",
        help="replications, at most, of a world near a band edge still too noisy to place (the "
        "size's: 12 at default, 4 at quick; at least its replications near an edge): more narrow "
        "P(holds)' interval, at their cost; the store is extended, and a later run at the size's "
        "own reads only what that asks for",
    )
    p.add_argument(
        "--pin",
        type=_pin,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a control study: hold this declared uncertainty at VALUE (inside its plausible "
        "range), or move this setting to VALUE (any it allows; not run.* or market.clients), in "
        "every world, the worlds otherwise the drawn study's, and compare with that study (run "
        "or resumed too); reports go to DIR/pinned/KEY=VALUE (repeatable)",
    )
    p.add_argument(
        "--split",
        type=_split,
        action="append",
        default=[],
        metavar="KEY[=LOW..HIGH|=A,B]",
        help="also judge each reading in groups of this declared uncertainty: fifths of its "
        "values (or one group per alternative), or your range and the worlds below and above "
        "it, or your alternatives and the others; read from the stored study (a study not yet "
        "stored, or missing runs, is run first); reports go to DIR/split/SPLIT (repeatable)",
    )
    add_world_options(p)
    p.add_argument(
        "--fresh",
        action="store_true",
        help="discard the stored results first (with --pin: the pinned study's only)",
    )
    p.add_argument("--quiet", action="store_true", help="print nothing but errors (no bar)")
    p.add_argument(
        "--out",
        type=output_path(),
        metavar="DIR",
        help="report folder (default ./experiments-reports; inside the repository checkout, "
        "its committed experiments/reports at --size default --seed 1, else its "
        "experiments-reports)",
    )
    p.set_defaults(handler=_cmd_experiment)


def _split(text: str) -> object:
    """An argparse type: ``KEY[=LOW..HIGH|=A,B]`` (:func:`experiments.analysis.split.parse_split`)."""
    from experiments.analysis.split import parse_split

    try:
        return parse_split(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _pin(text: str) -> tuple[str, object]:
    """An argparse type: ``KEY=VALUE`` (:func:`experiments.running.pins.parse_pin`)."""
    from experiments.running.pins import parse_pin

    try:
        return parse_pin(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cmd_experiment(args: argparse.Namespace) -> int:
    from model.interfaces.cli.errors import CliError

    # One of a name, --all and --list (--all used to win silently: `--all --list` started the
    # whole study, `NAME --all` ran every experiment).
    chosen = [
        f for f, on in (("a name", args.name), ("--all", args.all), ("--list", args.list)) if on
    ]
    if len(chosen) > 1:
        raise CliError(
            f"experiment: {' and '.join(chosen)} given together; allowed: one of an experiment's "
            "name, --all or --list"
        )
    if args.pin:
        from experiments.running.pins import check_pins

        try:
            args.pins = check_pins(args.pin)  # (each was checked alone; now none twice)
        except ValueError as exc:
            raise CliError(f"experiment --pin: {exc}") from None
    else:
        args.pins = ()
    from experiments.analysis.split import check_splits

    try:
        args.splits = check_splits(args.split, args.pins)
    except ValueError as exc:
        raise CliError(f"experiment {exc}") from None  # ("--split KEY: ...")
    if args.splits and args.fresh:
        raise CliError(
            "experiment: --fresh and --split given together; allowed: one of them (a split reads "
            "the stored study: run it with --fresh first, then split it)"
        )
    if args.world is not None:
        return run_world(args)
    if given := world_options_given(args):
        raise CliError(
            f"experiment {given[0]}: goes with --world SCENARIO (a study replicates each world "
            "by its own rule, --deep-reps and --size, and splits its worlds with --split)"
        )
    args.size = args.size or "default"
    from experiments.running.sizes import SIZES

    least = SIZES[args.size].max_reps
    if args.deep_reps is not None and args.deep_reps < least:
        raise CliError(
            f"experiment --deep-reps: value {args.deep_reps} is not allowed; allowed: an integer, "
            f"{least} ≤ x ≤ {MAX_DEEP_REPS} (size '{args.size}' runs {least} replications in "
            "every world near an edge already)"
        )
    if args.out is not None:
        check_out(args.out)  # before any experiment runs
    args.where = where_of(args)  # (a tls:// scheduler without its files: refused here)
    command = "retention " + shlex.join(getattr(args, "argv", ["experiment", args.name or ""]))
    if args.list or (not args.name and not args.all):
        for name in EXPERIMENTS:
            print(f"{name:20s} {load(name).CLAIM.title}")
        return 0
    if not args.all:
        try:
            module = load(args.name)
        except ValueError as exc:
            raise CliError(f"experiment: {exc}") from None
        from experiments.running.pins import pin_refusal

        refused = pin_refusal(module.CLAIM, args.pins)
        if refused:
            raise CliError(f"experiment {args.name} --pin: {refused}")
    if args.out is not None:
        create_out(args.out)  # the last check: a folder the system refuses is named as --out
    if args.all:
        return _run_all(args, command)
    from experiments.running.pool import shared_pool

    with shared_pool(quiet=args.quiet, **args.where):
        _run_one(args.name, args, command)
    # Its folder's index and bottom lines read this report now; a control study's report is
    # read by the drawn study's bottom lines too, where that study's report of it is there.
    _index_again(_reports(args), args.quiet)
    if args.pins and (_folder(args) / f"{args.name}.json").exists():
        _index_again(_folder(args), args.quiet)
    return 0


def _index_again(reports: Path, quiet: bool) -> None:
    """Write the index of ``reports`` again, unless a README there is not an index (a user's
    own file in an ``--out`` folder: one claim's run never replaces it; ``--all`` does)."""
    from experiments.reporting.index import INDEX_HEAD, index_path, write_index

    readme = index_path(reports)
    if readme.exists() and not readme.read_text(encoding="utf-8").startswith(INDEX_HEAD):
        if not quiet:
            print(f"index: not written, {readme} is not one (retention experiment --all writes it)")
        return
    index = write_index(reports)
    if not quiet:
        print(f"index: {index}")


def _store(args: argparse.Namespace) -> Path:
    """The study's store (with --pin, the pinned study's; ``--fresh`` clears it, once)."""
    from experiments.running.pins import pins_slug
    from experiments.running.study import clear
    from model.interfaces.cli.staging import DISCARDED, RESUMABLE

    store = _drawn_store(args)
    if args.pins:
        store = store.with_name(f"{store.name}-pinned") / pins_slug(args.pins)
    if args.fresh and not getattr(args, "_cleared", False):
        if store.is_dir() and any(store.iterdir()):
            DISCARDED.append(store)  # (a stop then says so, not "previous results untouched")
        clear(store)
        args._cleared = True
    RESUMABLE.append(store)  # (a stop then says its finished batches are kept)
    return store


def _drawn_store(args: argparse.Namespace) -> Path:
    """The drawn study's store: the study itself, or the one a pinned study is compared with."""
    return _folder(args) / ".store" / f"{args.size}-seed{args.seed}"


def _folder(args: argparse.Namespace) -> Path:
    """``--out``, or the default report folder for this study
    (:func:`~experiments.reporting.outputs.reports_folder`: the committed one only for the
    committed size, seed, target and replications)."""
    committed = is_committed(args.size, args.seed, _size(args, pinned=False))
    return reports_folder(args.out, committed=committed)


def _size(args: argparse.Namespace, pinned: bool = True) -> Size:
    """The study's size: ``--size``, with ``--pin`` (unless ``pinned`` is False), ``--deep-reps``
    and ``--worlds`` applied."""
    from experiments.running.sizes import study_size

    pins = args.pins if pinned else ()
    return study_size(args.size, pins or (), args.worlds, args.deep_reps)


def _reports(args: argparse.Namespace) -> Path:
    """Where the reports go: ``DIR``, or ``DIR/pinned/KEY=VALUE`` for a pinned study; with
    ``--split``, ``split/SPLIT`` inside that."""
    from experiments.analysis.split import splits_slug
    from experiments.running.pins import pins_slug

    out = _folder(args)
    out = out / "pinned" / pins_slug(args.pins) if args.pins else out
    return out / "split" / splits_slug(args.splits) if args.splits else out


def _run_one(name: str, args: argparse.Namespace, command: str) -> None:
    from experiments.analysis.evidence import run_claim
    from experiments.analysis.split import split_level, split_readings, together
    from experiments.reporting.report import write_report
    from experiments.running.store import StaleStore
    from model.interfaces.cli.errors import CliError

    module = load(name)
    say = (lambda *_a, **_k: None) if args.quiet else print
    say(f"{name}: {module.CLAIM.title}", flush=True)
    size = _size(args)
    store = _store(args)
    if args.splits and not store.is_dir():
        say(f"  no stored study at {store}: running it first (the split then reads it)")
    elif not args.pins and not (store.is_dir() and any(store.iterdir())):
        # (a fresh clone's first study ran for many minutes after its title alone)
        quick = "; --size quick for a first look" * (args.size != "quick")
        say(
            f"  no stored runs at {store}: every run is made now, the plausible worlds' first "
            f"(size '{args.size}'; at the default size the ten claims together took 22–41 "
            f"minutes on 2 cores from an empty store: README, 'The claims'{quick})",
            flush=True,
        )
    try:
        ev = run_claim(
            module,
            size,
            store,
            size_name=args.size,
            seed=args.seed,
            drawn_store=_drawn_store(args) if args.pins else None,
        )
    except StaleStore as exc:
        hint = ""
        drawn = _drawn_store(args).resolve()
        if args.pins and exc.folder is not None and exc.folder.resolve().is_relative_to(drawn):
            hint = (
                " (that is the drawn study's store, which --fresh with --pin keeps: run the "
                "drawn study with --fresh first, without --pin)"
            )
        raise CliError(f"experiment {name}: {exc}{hint}") from None
    found = split_readings(ev, args.splits, seed=args.seed) if args.splits else []
    path = write_report(ev, _reports(args), command=command, splits=found)
    both = together(ev, args.splits)
    level = split_level(len(ev.readings), len(args.splits))
    if found:
        say(f"  splits: each p read against 0.05 ÷ (readings × splits) = {level:.2g}")
    all_text = " and ".join(s.text for s in args.splits if s.low is not None or s.values)
    for r in ev.readings:
        v = r.verdict
        say(
            f"  {v.reading.name}: P(holds) {v.p_text()}: {v.words} ({how_many(v.near, 'world')} near an "
            f"edge, {v.unresolved} of them too noisy to place)"
        )
        for f in (f for f in found if f.reading is r):
            if f.profile is None:
                say(f"    {f.split.key}: no groups ({f.why})")
                continue
            for b, text in zip(f.profile.bins, f.profile.values_texts(), strict=True):
                say(f"    {f.split.key} {text}: P(holds) {b.p_text()} over {b.worlds}: {b.words}")
            if len(f.profile.bins) > 1:
                below = " (below the level)" if f.profile.p_value < level else ""
                say(f"    does holding differ? p {f.profile.p_text()}, {f.profile.test}{below}")
        for b in (b for rr, b in both if rr is r):
            say(
                f"    all at once ({all_text}): {r.not_judged}"
                if r.not_judged
                else f"    all at once ({all_text}): P(holds) {b.p_text()} over {b.worlds}: {b.words}"
                if b is not None
                else f"    all at once ({all_text}): defined in no kept world inside them"
            )
    say(f"  worlds drawn {ev.drawn}, kept {ev.kept}; report: {path}", flush=True)


def took_sentence(command: str, minutes: float, size: str, place: str, ran: int) -> str:
    """The index's sentence on how long the last ``--all`` took, saying whether it ran the
    study (``ran`` batches) or read it back from the store: minutes apart, a fresh study many
    times a resumed one."""
    runs = (
        f"{ran:,} batches of runs run, the rest read from the store"
        if ran
        else "every run read from the store"
    )
    return f"The last `{command}` took {minutes:.1f} minutes (size '{size}', on {place}; {runs})."


def _run_all(args: argparse.Namespace, command: str) -> int:
    from experiments.reporting.index import write_index
    from experiments.running.pins import pin_refusal
    from experiments.running.pool import shared_pool
    from experiments.running.stages import batches_run

    t0, ran = time.perf_counter(), batches_run()
    with shared_pool(quiet=args.quiet, **args.where) as place:
        for name in EXPERIMENTS:
            refused = pin_refusal(load(name).CLAIM, args.pins)
            if refused:  # (the index says so in its row)
                if not args.quiet:
                    print(f"{name}: not run with this pin: {refused}", flush=True)
                continue
            _run_one(name, args, command)
    minutes = (time.perf_counter() - t0) / 60
    took = took_sentence(command, minutes, args.size, str(place), batches_run() - ran)
    # With --out X the index goes into X itself, never into X's parent (made if no claim wrote
    # there: each may have been refused its pin).
    _reports(args).mkdir(parents=True, exist_ok=True)
    index = write_index(_reports(args), None, took)
    if not args.quiet:
        print(f"index: {index}\n{took}")
    return 0
