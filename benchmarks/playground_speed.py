"""How fast the training playground is built: ``python benchmarks/playground_speed.py``.

Goal (issues 10 and 24): for micrograd's moons demo (``MLP(2, [16, 16, 1])``, 100
points, 100 epochs) with 60 snapshots, a 100 x 100 boundary grid and a heat map for each
of its 33 neurons at every snapshot, ``viz.training_html`` builds the page in under 2 s
(the fit aside) and the file stays under 2 MB.

The first build in a process includes compiling the model (twice: the boundary, and
every neuron's output); the later builds are timed too, and the goal is checked on the
first.  Exits 1 if a goal is missed.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from common import demo_lr, moons, verdict

import nn
import viz

GOAL_SECONDS = 2.0
GOAL_BYTES = 2_000_000
EPOCHS, SNAPSHOTS, GRID = 100, 60, 100


def main() -> int:
    X, y = moons()
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    snapshots = viz.Snapshots(model, epochs=EPOCHS, count=SNAPSHOTS)
    start = time.perf_counter()
    history = nn.fit(model, X, y, nn.hinge_loss, nn.optim.SGD(model.parameters(), lr=1.0),
                     epochs=EPOCHS, l2=1e-4, lr_schedule=demo_lr, progress=False,
                     callback=snapshots)  # fmt: skip
    fit_seconds = time.perf_counter() - start
    builds = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "playground.html"
        for _ in range(3):
            start = time.perf_counter()
            viz.training_html(model, X, y, history, path, snapshots, grid=GRID)
            builds.append(time.perf_counter() - start)
        size = path.stat().st_size
    print(f"moons demo: {EPOCHS} epochs, {len(snapshots.frames)} snapshots, {GRID}x{GRID} grid, "
          "a heat map per neuron")
    print(f"  fit (not counted):      {fit_seconds:.2f} s, "
          f"accuracy {nn.accuracy(model, X, y):.0%}")  # fmt: skip
    build_ok, size_ok = builds[0] < GOAL_SECONDS, size < GOAL_BYTES
    print(f"  training_html, first:   {builds[0]:.2f} s (goal < {GOAL_SECONDS:.0f} s: "
          f"{verdict(build_ok)})")
    print(f"  training_html, again:   {min(builds[1:]):.2f} s")
    print(f"  page size:              {size / 1e6:.2f} MB (goal < {GOAL_BYTES / 1e6:.0f} MB: "
          f"{verdict(size_ok)})")
    return 0 if build_ok and size_ok else 1


if __name__ == "__main__":
    sys.exit(main())
