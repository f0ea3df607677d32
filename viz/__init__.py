"""chaingrad's visualisation: backprop graphs, the step-through page, the CLI and plots.

Under construction: see the project's issues for what it will hold.
"""
