"""``python -m viz.worksheet``: the worksheet CLI (see :mod:`viz.worksheet.cli`)."""

import sys

from .cli import main

sys.exit(main())
