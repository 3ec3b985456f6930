"""The ``retention`` command line: one module per subcommand.

:mod:`~model.interfaces.cli.main` builds the parser and runs it; :mod:`~model.interfaces.cli.errors`
holds the error type every subcommand raises for bad input (one line, exit status 2);
:mod:`~model.interfaces.cli.inputs` is the input boundary (argument types, file and memory checks);
:mod:`~model.interfaces.cli.arguments`, :mod:`~model.interfaces.cli.outputs` and
:mod:`~model.interfaces.cli.staging` hold the options, the results' metadata and the atomic
results folders they share. Importing this package is light (the subcommands and
the libraries load inside :func:`main`, which handles Ctrl+C and SIGTERM from its first line).
"""

from model.interfaces.cli.errors import CliError
from model.interfaces.cli.main import command, main

__all__ = ["CliError", "command", "main"]
