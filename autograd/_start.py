"""First of all: this Python has what the engine needs (numpy); if not, one sentence on
which Python to use (:func:`autograd.packages.require`) instead of a bare
ModuleNotFoundError from deep inside."""

from .packages import require

require("autograd", "numpy")
