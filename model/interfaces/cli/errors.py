"""The command line's error type and its one-line parser.

Bad input — a scenario or override the parameters refuse, a missing or malformed file, an output
folder that cannot be written — is reported as one line on stderr with exit status 2 and no
traceback: raise :class:`CliError` (or let :class:`~model.scenario.ScenarioError` through). So
are errors of the environment (no space left, a worker that died, a scheduler that cannot be
reached); see :func:`model.interfaces.cli.main.main`.
"""

from __future__ import annotations

import argparse

__all__ = ["PROG", "CliError", "Parser", "Terminated", "handled_interrupt", "one_line"]

PROG = "retention"


class CliError(Exception):
    """Bad command-line input; the message is one line naming the field, the value and what is allowed."""


class Terminated(KeyboardInterrupt):
    """The process was told to stop (SIGTERM): unwinds like Ctrl+C, so staging folders go away."""


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line (like every other input error)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CliError(f"{message} (see '{self.prog} --help')")


def one_line(message: str) -> str:
    """Collapse whitespace so that an error always prints as one line."""
    return " ".join(message.split())


def handled_interrupt() -> None:
    """Tell CPython that a KeyboardInterrupt was handled, so the exit status is ours (130).

    CPython marks an interrupt that escapes code run from a string (``exec``/``eval``, which numpy
    and scipy use while importing) as unhandled, and then ends the process by SIGINT even after
    the command caught it; running a string without error clears that mark.
    """
    exec("None")
