"""First of all: the packages viz stands on are chaingrad's and this Python has what viz
needs (:mod:`autograd.packages`, read from beside this package, since a file named
autograd may be what hides the engine)."""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).parents[1] / "autograd" / "packages.py"))["require"](
    "viz", "autograd", "nn", "graphviz", "numpy"
)
