"""Engine benchmark (issues 2 and 14): chaingrad against micrograd on micrograd's demo step.

    make bench        # or: .venv/bin/python benchmarks/engine_speed.py

The contenders, on the same data and the same weights:
* micrograd itself;
* chaingrad building the very same binary-op graph (a neuron = b + w1 x1 + ... );
* chaingrad with one ``autograd.dot`` node per neuron (and ``sum``/``dot`` in the loss);
* the same dot graph built a layer at a time over the batch (``autograd.block_sums.dots``, as
  ``nn.MLP`` builds it: each weight's data read once per batch, each layer's sums taken
  as one block);
* that, built on a tape (``autograd.tape``), as ``nn.loss_and_grads`` builds a batch:
  backward replays the record of the nodes instead of searching the graph.
Timed twice (benchmarks/common.py): with the collector on, each paying for its garbage,
and with the collector paused while timed.  Also: bytes per node (tracemalloc) on the
binary graph, and a 1,000,000-op chain.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
import tracemalloc

sys.path.insert(0, os.path.dirname(__file__))

from common import best_times, micrograd_step_function, moons, report, verdict  # noqa: E402

import autograd  # noqa: E402
from autograd import Value  # noqa: E402
from autograd.block_sums import dots  # noqa: E402


def chaingrad_weights() -> list[list[tuple[list[Value], Value, bool]]]:
    """micrograd's initial weights (random.seed(1337)) as chaingrad leaves, per layer."""
    import random

    from micrograd.nn import MLP as MicroMLP

    random.seed(1337)
    micro = MicroMLP(2, [16, 16, 1])
    return [[([Value(w.data) for w in n.w], Value(n.b.data), n.nonlin) for n in layer.neurons]
            for layer in micro.layers]  # fmt: skip


def forward(layers, x: list, one_dot_per_neuron: bool = True) -> Value:
    """The MLP's output for one sample: a neuron is one dot node (w . x + b), or, as in
    micrograd, the binary-op chain b + w1 x1 + w2 x2 + ...; ReLU where the layer says."""

    def neuron(w, b):
        if one_dot_per_neuron:
            return autograd.dot(w, x, b)
        z = b
        for wi, xi in zip(w, x):
            z = z + wi * xi
        return z

    for layer in layers:
        x = [neuron(w, b).relu() if relu else neuron(w, b) for w, b, relu in layer]
    return x[0]


def forward_batch(layers, xs: list) -> list[Value]:
    """The MLP's outputs for a batch, a layer at a time: one dot node per neuron."""
    for layer in layers:
        rows, biases, relus = zip(*layer)
        xs = [[z.relu() if relu else z for z, relu in zip(zs, relus)]
              for zs in dots(rows, biases, xs)]  # fmt: skip
    return [x[0] for x in xs]


def chaingrad_step_function(one_dot_per_neuron: bool, by_layer: bool = False,
                            on_tape: bool = False):  # fmt: skip
    X, y = moons()
    layers = chaingrad_weights()
    params = [p for layer in layers for w, b, _ in layer for p in (*w, b)]

    def model(x):
        return forward(layers, x, one_dot_per_neuron)

    def step() -> float:
        with autograd.tape() if on_tape else contextlib.nullcontext():
            return forward_and_backward()

    def forward_and_backward() -> float:
        inputs = [list(map(Value, row)) for row in X]
        scores = forward_batch(layers, inputs) if by_layer else list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        if one_dot_per_neuron:
            total = autograd.sum(losses) * (1.0 / len(losses)) + 1e-4 * autograd.dot(params, params)
        else:
            data_loss = sum(losses) * (1.0 / len(losses))
            total = data_loss + 1e-4 * sum(p * p for p in params)
        for p in params:
            p.grad = 0.0
        total.backward()
        return total

    return step


def count_nodes(root, inputs_of) -> int:
    """Nodes reachable from root, following ``inputs_of(node)``."""
    seen, stack = {root}, [root]
    while stack:
        for child in inputs_of(stack.pop()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return len(seen)


def bytes_per_node(step, inputs_of) -> float:
    """Memory held by one step's graph (tracemalloc) divided by its node count."""
    gc.collect()
    tracemalloc.start()
    root = step()
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return held / count_nodes(root, inputs_of)


def main() -> None:
    micro, _ = micrograd_step_function()
    binary = chaingrad_step_function(one_dot_per_neuron=False)
    dot = chaingrad_step_function(one_dot_per_neuron=True)
    layered = chaingrad_step_function(one_dot_per_neuron=True, by_layer=True)
    taped = chaingrad_step_function(one_dot_per_neuron=True, by_layer=True, on_tape=True)
    assert abs(micro().data - binary().data) < 1e-9, "micrograd and chaingrad disagree"
    assert abs(binary().data - dot().data) < 1e-9, "binary and dot graphs disagree"
    assert dot().data == layered().data == taped().data, "the dot graph built by layer differs"
    contenders = {"micrograd": micro, "binary": binary, "dot": dot, "layered": layered,
                  "taped": taped}  # fmt: skip
    repeats = {"micrograd": 5, "binary": 5, "dot": 20, "layered": 20, "taped": 20}
    paused_repeats = {**repeats, "micrograd": 2, "binary": 3}  # micrograd's cycles pile up
    print("micrograd demo step: MLP(2,[16,16,1]), 100 moons points, hinge + 1e-4 L2, fwd + bwd")
    # Goals (issue 14): the step as nn runs it >= 60x with the collector on, >= 12x paused.
    for collector, goals in [(True, (5, 60)), (False, (None, 12))]:
        times = best_times(contenders, rounds=3, collector=collector,
                           repeats=repeats if collector else paused_repeats)  # fmt: skip
        print("collector on, each paying for its garbage:" if collector else
              "collector paused while timed (pure computation):")  # fmt: skip
        report("  micrograd", times["micrograd"])
        report("  chaingrad, the same binary-op graph", times["binary"], times["micrograd"],
               goals[0])  # fmt: skip
        report("  chaingrad, one autograd.dot node per neuron", times["dot"], times["micrograd"])
        report("  the same, a layer at a time (as nn.MLP)", times["layered"], times["micrograd"])
        report("  that on a tape (as nn.loss_and_grads)", times["taped"], times["micrograd"],
               goals[1])  # fmt: skip

    micro_bytes = bytes_per_node(micro, lambda node: node._prev)
    chain_bytes = bytes_per_node(binary, lambda node: node.inputs)
    ratio = chain_bytes / micro_bytes
    print(f"bytes per node (tracemalloc, binary graph): micrograd {micro_bytes:.0f}, "
          f"chaingrad {chain_bytes:.0f} = {ratio:.2f} of micrograd's "
          f"(goal <= 0.25: {verdict(ratio <= 0.25)})")

    x = Value(1.0)
    v = x
    for _ in range(500_000):
        v = v * 1.0000001 + 0.0
    start = time.perf_counter()
    v.backward()
    seconds = time.perf_counter() - start
    print(f"1,000,000-op chain: backward {seconds:.2f} s "
          f"(goal < 10 s: {verdict(seconds < 10)}), d/dx = {x.grad:.6f}")


if __name__ == "__main__":
    main()
