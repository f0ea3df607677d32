"""``python -m viz``: the formula CLI (see :mod:`viz.cli`)."""

import sys

from .cli import main

sys.exit(main())
