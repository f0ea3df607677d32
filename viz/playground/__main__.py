"""``python -m viz.playground``: serve the live playground (see :mod:`viz.playground.server`)."""

import sys

from . import main

sys.exit(main())
