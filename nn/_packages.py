"""First of all: the engine nn stands on is chaingrad's (:mod:`autograd.packages`, read
from beside this package, since a file named autograd may be what hides the engine)."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).parents[1] / "autograd" / "packages.py"))["require"](
    "nn", "autograd"
)
