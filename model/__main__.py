"""``python -m model`` runs the ``retention`` command."""

from model.interfaces.cli import command

command()
