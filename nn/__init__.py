"""chaingrad's neural-network library (modules, losses, optimizers, data, training).

Under construction: see the project's issues for what it will hold.
"""
