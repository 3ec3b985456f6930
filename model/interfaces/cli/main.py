"""The ``retention`` command (also ``python -m model``): one parser, one module per subcommand.

Each subcommand module has ``add_<name>(subparsers)``, which declares its arguments and sets
``handler``; the command's own entries are :data:`SUBCOMMANDS`. Packages installed beside the
model add subcommands through the ``retention.subcommands`` entry-point group — this is how
``retention experiment`` (the ``experiments`` package, which sits above the model) is added
without the model importing it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib.metadata import entry_points

from model.interfaces.cli.errors import (
    PROG,
    CliError,
    Parser,
    Terminated,
    handled_interrupt,
    one_line,
)

__all__ = ["SUBCOMMANDS", "build_parser", "command", "main"]

AddSubcommand = Callable[[argparse._SubParsersAction], None]

#: The model's own subcommands (``module:function``), in the order ``retention --help`` lists
#: them. They are imported when the parser is built, inside :func:`main`'s error handling, so a
#: Ctrl+C while the libraries load is handled like any other.
SUBCOMMANDS: tuple[str, ...] = (
    "model.interfaces.cli.run:add_run",
    "model.interfaces.cli.params:add_params",
    "model.interfaces.cli.presets:add_presets",
    "model.interfaces.cli.compare:add_compare",
    "model.interfaces.cli.optimize:add_optimize",
    "model.interfaces.cli.sweep:add_sweep",
    "model.interfaces.cli.sensitivity:add_sensitivity",
    "model.interfaces.cli.calibrate:add_calibrate",
    "model.interfaces.cli.app:add_app",
)
#: Entry-point group through which installed packages add subcommands (``name = "pkg.mod:add"``).
PLUGIN_GROUP = "retention.subcommands"


def _own() -> list[AddSubcommand]:
    out = []
    for name in SUBCOMMANDS:
        module, _, function = name.partition(":")
        out.append(getattr(importlib.import_module(module), function))
    return out


def _plugins() -> list[AddSubcommand]:
    """``add_*`` functions registered by installed packages, in name order; one that cannot be
    loaded is named in one line on stderr and left out (it stopped every command before, with
    a traceback: ``--version`` too)."""
    found = []
    for ep in sorted(entry_points(group=PLUGIN_GROUP), key=lambda e: e.name):
        try:
            found.append(ep.load())
        except Exception as exc:  # (a broken plugin's error is its own, whatever it is)
            print(
                f"{PROG}: warning: the subcommand {ep.name!r} ({ep.value}) cannot be loaded and is "
                f"left out: {type(exc).__name__}: {exc}",
                file=sys.stderr,
            )
    return found


class _Version(argparse.Action):
    """``--version``: the package's version and, in a checkout, the commit it runs from (the
    version of a checkout is the one computed when it was installed: the commit says which code
    this is). Asked for only when given, so the git calls cost nothing otherwise."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **_) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="show the version (in a checkout, with its git commit) and exit",
        )

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from model.version import version_and_commit

        print(f"{PROG} {version_and_commit()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The full parser: one subparser per subcommand, the model's own first."""
    parser = Parser(
        prog=PROG,
        description="Retention Lab: an agent-based simulation of the economics of keeping clients.",
    )
    parser.add_argument("--version", action=_Version)
    parser.add_argument(
        "--debug",
        action="store_true",
        help="print the traceback of any error (anywhere on the line)",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", required=True, parser_class=Parser
    )
    for add in (*_own(), *_plugins()):
        add(subparsers)
    parser.set_defaults(_commands=subparsers.choices)  # (a stray argument's error names its own)
    return parser


def _parse(argv: list[str]) -> argparse.Namespace:
    """The parsed command line; an argument the command does not take is reported by the
    command's own parser (``see 'retention app --help'``), not the top-level one."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        # The command's own when every stray comes after the command's name; else the top's
        # (``retention --bogus run`` is no argument of run's).
        after = argv.index(args.command) if args.command in argv else len(argv)
        own = all(i > after for i, a in enumerate(argv) if a in extra)
        owner = args._commands[args.command] if own else parser
        owner.error(f"unrecognized arguments: {' '.join(extra)}")
    del args._commands
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``retention`` command; returns the exit status.

    The one error path: bad input and errors of the environment (a full disk, a folder that cannot
    be written, a worker that died, a scheduler that cannot be reached, memory) print one line and
    return 2; Ctrl+C returns 130 and SIGTERM 143, both after the command has cleaned up (staging
    folders removed, worker processes stopped). Anything else is a bug and keeps its traceback.
    ``--debug`` anywhere on the line prints the traceback of any error as well.
    """
    from model.interfaces.cli.staging import DISCARDED, FRESHENED, RESUMABLE, WRITTEN

    WRITTEN.clear()  # what this command puts in place
    RESUMABLE.clear()
    FRESHENED.clear()
    DISCARDED.clear()
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    argv = [a for a in argv if a != "--debug"]
    with _stop_on_sigterm(), _warnings_as_lines(debug):
        try:
            args = _parse(argv)
            args.argv = argv
            if getattr(args, "quiet", False):  # (a quiet command prints nothing but errors)
                from model.engine.kernels import quiet_first_compile

                quiet_first_compile()
                warnings.simplefilter("ignore", UserWarning)  # (undone as the command ends)
            return args.handler(args)
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except BaseException as exc:  # sorted below; bugs are re-raised
            status, message = _classify(exc)
            if status is None:
                raise
            if debug:
                traceback.print_exc()
            print(f"{PROG}: {message}", file=sys.stderr)
            return status


def command() -> None:
    """The ``retention`` console command: :func:`main` on ``sys.argv``, then exit with its status.

    Once the command has returned, its results are complete, so a Ctrl+C or SIGTERM arriving while
    the interpreter shuts down is ignored rather than turning a finished run's exit status 0 into
    death by signal (the probe found runs that wrote everything and then exited -15).
    """
    status = main()
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(status)


def _stop_outcome() -> str:
    """What a stop left behind: results already in place are complete, tasks finished in a
    resumable store are kept, the rest is untouched."""
    from model.interfaces.cli.staging import WRITTEN, discarded

    said = [kept] if (kept := _kept("the same command, without --fresh, resumes from them")) else []
    if gone := discarded():  # (--fresh emptied them before the stop: not "untouched")
        stores = ", ".join(str(p) for p in gone)
        said.insert(0, f"--fresh had discarded the earlier results in {stores}")
    if WRITTEN:
        done = ", ".join(str(p) for p in WRITTEN)
        said.append(f"{done} had already been written in full")
    if not said:
        return "previous results are untouched"
    return "; ".join(said) + "; any other previous results are untouched"


def _classify(exc: BaseException) -> tuple[int | None, str]:
    """(exit status, one line) for an input or environment error; (None, "") for a bug."""
    from concurrent.futures.process import BrokenProcessPool

    from model.scenario import ScenarioError

    if isinstance(exc, KeyboardInterrupt):  # Ctrl+C, or SIGTERM (Terminated)
        handled_interrupt()
        status, what = (
            (143, "stopped (SIGTERM)") if isinstance(exc, Terminated) else (130, "interrupted")
        )
        return status, f"{what}; {_stop_outcome()}"
    if isinstance(exc, CliError | ScenarioError):
        return 2, f"error: {one_line(str(exc))}"
    if isinstance(exc, MemoryError):
        return 2, f"error: out of memory; use fewer clients, months, workers or runs{_then_kept()}"
    if isinstance(exc, BrokenProcessPool):
        return 2, f"error: a worker process died (out of memory, or killed); {_stop_outcome()}"
    if isinstance(exc, OSError):
        where = f" ({exc.filename})" if exc.filename else ""
        what = exc.strerror or str(exc) or type(exc).__name__
        return 2, f"error: {one_line(what)}{where}{_then_kept()}"
    return None, ""


def _kept(how: str = "the same command resumes from them") -> str:
    """Where a stop or an environment error (a full disk, memory) left the finished runs of a
    command that keeps them, and ``how`` they are used; "" for a command that keeps none."""
    from model.interfaces.cli.staging import RESUMABLE

    if not RESUMABLE:
        return ""
    stores = ", ".join(str(p) for p in dict.fromkeys(RESUMABLE))
    return f"the tasks that finished are kept in {stores} ({how})"


def _then_kept() -> str:
    """:func:`_kept` as the end of an error's line."""
    kept = _kept()
    return f"; {kept}" if kept else ""


@contextmanager
def _warnings_as_lines(debug: bool) -> Iterator[None]:
    """Warnings the library gives while a command runs, as one line each on stderr
    (``retention: warning: …``), not as Python's file, line and source (a sweep printed
    ``runner.py:129: UserWarning: …`` and its code); ``--debug`` keeps Python's form.

    It replaces how a warning is *shown*, ``warnings._showwarnmsg_impl``, not
    ``warnings.showwarning``: a ``catch_warnings(record=True)`` or ``pytest.warns`` opened inside
    the command still records what is warned (replacing ``showwarning`` hid it from them), and
    filters, ``-W error`` included, apply as before. Each line is printed once a command:
    Python's own "once per place" is forgotten whenever code opens ``catch_warnings`` (each
    model's clock does), so an optimizer's dozens of evaluations printed one warning 30-57 times.
    """

    printed: set[str] = set()

    def line(msg: warnings.WarningMessage) -> None:
        category = msg.category
        kind = "" if issubclass(category, UserWarning) else f" ({category.__name__})"
        text = f"{PROG}: warning{kind}: {msg.message}"
        if text not in printed:
            printed.add(text)
            print(text, file=sys.stderr)

    with warnings.catch_warnings():  # (restores both on the way out)
        if not debug:
            warnings._showwarnmsg_impl = line  # type: ignore[attr-defined]
        yield


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM raises :class:`Terminated` in the main thread, so the command unwinds cleanly."""

    def stop(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (e.g. called from a test's thread): leave it
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    command()
