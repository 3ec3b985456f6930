"""The ``retention`` command line: one module per subcommand.

:mod:`~model.interfaces.cli.main` builds the parser and runs it; :mod:`~model.interfaces.cli.errors`
holds the error type every subcommand raises for bad input (one line, exit status 2);
:mod:`~model.interfaces.cli.inputs` is the input boundary (argument types, file and memory checks);
:mod:`~model.interfaces.cli.arguments` and :mod:`~model.interfaces.cli.outputs` hold the options
and the atomic results folders they share.

:func:`main` (the console script) imports the command only once it handles Ctrl+C and SIGTERM, so
a stop while the libraries load (seconds) exits quietly (130, 143) instead of with a traceback.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

from model.interfaces.cli.errors import PROG, CliError, Terminated, handled_interrupt

__all__ = ["CliError", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``retention`` command (see :func:`model.interfaces.cli.main.main`)."""

    def stop(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread
        previous = None
    try:
        from model.interfaces.cli.main import main as run
    except KeyboardInterrupt as exc:
        handled_interrupt()
        stopped = isinstance(exc, Terminated)
        print(f"{PROG}: {'stopped (SIGTERM)' if stopped else 'interrupted'}", file=sys.stderr)
        return 143 if stopped else 130
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        # Importing the submodule bound the package's ``main`` to it: bind this function again.
        globals()["main"] = _entry
    return run(argv)


_entry = main
