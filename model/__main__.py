"""``python -m model`` runs the ``retention`` command."""

import sys

from model.interfaces.cli import main

sys.exit(main())
