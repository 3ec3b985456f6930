"""``python -m model`` runs the ``retention`` command."""

import sys

from model.cli import main

sys.exit(main())
