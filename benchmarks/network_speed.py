"""How fast the network picture and its heat maps are drawn: ``python benchmarks/network_speed.py``.

Goal (issue 24): ``viz.draw_mlp`` of micrograd's ``MLP(2, [16, 16, 1])`` with every
neuron's heat map (``show="activations"``, 40 x 40 cells over the moons) to SVG in
<= 1 s.  The first call in a fresh process is the one timed against the goal (it traces
and compiles the network for the heat maps); later calls (the weights changed, as in a
playground that redraws every epoch) and the heat maps alone (``neuron_outputs``
over the 40 x 40 grid, what the live playground calls every frame) are reported too.
Exits 1 if the goal is missed.
"""

from __future__ import annotations

import random
import sys
import time

from common import moons, verdict

import nn
import viz
from viz.activation_maps import neuron_outputs, plane_grid

GOAL_SECONDS = 1.0


def best(function, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    X, _ = moons()
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    start = time.perf_counter()
    svg = viz.draw_mlp(model, show="activations", X=X).svg
    first = time.perf_counter() - start

    def moved() -> None:  # a training step changed the weights: the picture again
        model.layers[0].neurons[0].b.data += 0.01
        viz.draw_mlp(model, show="activations", X=X)

    again = best(moved)
    weights = best(lambda: viz.draw_mlp(model))
    points = plane_grid(X, 40)[2]
    maps = best(lambda: neuron_outputs(model, points), rounds=50)
    rows = [("draw_mlp 2-[16,16]-1 with heat maps, first call", first),
            ("draw_mlp with heat maps, weights changed", again),
            ("draw_mlp weights only", weights),
            ("neuron_outputs over a 40 x 40 grid (every neuron)", maps)]
    for name, seconds in rows:
        print(f"{name:<52} {seconds * 1e3:9.2f} ms")
    print(f"SVG size with heat maps: {len(svg) / 1024:.0f} KiB")
    ok = first <= GOAL_SECONDS
    print(f"goal: first picture with heat maps <= {GOAL_SECONDS:g} s: {verdict(ok)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
