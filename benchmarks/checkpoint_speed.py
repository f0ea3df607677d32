"""Checkpoint and torch-bridge speed: what saving every epoch costs nn.fit.

    python benchmarks/checkpoint_speed.py [--rounds 5]

1. ``nn.save_checkpoint`` and ``nn.load_checkpoint`` of micrograd's demo network
   (MLP(2, [16, 16, 1]), 337 parameters, SGD with momentum) and of the digits network
   (MLP(64, [32, 10]), 2,410 parameters, Adam): one JSON file, written atomically.
2. One epoch of the demo through ``nn.fit`` (full batch, 100 moons points) without and
   with ``checkpoint=path``, alternating, best of several rounds: what saving after
   every epoch costs.
3. ``nn.to_torch`` and ``nn.from_torch`` of the demo network (when torch is installed).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..")]

from common import best_times, moons, report  # noqa: E402

import nn  # noqa: E402


def networks() -> dict[str, tuple[nn.MLP, nn.optim.Optimizer]]:
    random.seed(1337)
    demo = nn.MLP(2, [16, 16, 1])
    digits = nn.MLP(64, [32, 10], activation="tanh")
    stepped = {"demo MLP(2, [16, 16, 1]) + SGD momentum":
               (demo, nn.optim.SGD(demo.parameters(), lr=0.1, momentum=0.9)),
               "digits MLP(64, [32, 10]) + Adam": (digits, nn.optim.Adam(digits.parameters()))}
    for model, optimizer in stepped.values():  # one step, so the buffers exist
        for p in model.parameters():
            p.grad = 0.01
        optimizer.step()
    return stepped


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    folder = tempfile.mkdtemp()
    path = os.path.join(folder, "run.json")

    print("1. save_checkpoint / load_checkpoint")
    for name, (model, optimizer) in networks().items():
        times = best_times({
            "save": lambda m=model, o=optimizer: nn.save_checkpoint(path, m, o, epoch=1),
            "load": lambda m=model, o=optimizer: nn.load_checkpoint(path, m, o),
        }, rounds=rounds, repeats={"save": 20, "load": 20})  # fmt: skip
        print(f"   {name}: {len(model.parameters())} parameters, "
              f"{os.path.getsize(path) / 1024:.0f} KiB")
        report("     save_checkpoint", times["save"])
        report("     load_checkpoint", times["load"])

    print("\n2. one demo epoch through nn.fit, without and with checkpoint=path")
    X, y = moons()
    model, optimizer = networks()["demo MLP(2, [16, 16, 1]) + SGD momentum"]

    def epoch(checkpoint: str | None) -> None:
        nn.fit(model, X, y, nn.hinge_loss, optimizer, epochs=1, l2=1e-4, progress=False,
               checkpoint=checkpoint)  # fmt: skip

    times = best_times({"plain": lambda: epoch(None), "checkpoint": lambda: epoch(path)},
                       rounds=rounds, repeats={"plain": 5, "checkpoint": 5})  # fmt: skip
    report("   fit, 1 epoch", times["plain"])
    report("   fit, 1 epoch, checkpoint=path", times["checkpoint"])
    overhead = times["checkpoint"] / times["plain"] - 1.0
    print(f"   a checkpoint every epoch costs {overhead:.0%} of the epoch")

    try:
        import torch  # noqa: F401
    except ImportError:
        print("\n3. (torch is not installed: .venv/bin/pip install -e '.[torch]')")
        return 0
    print("\n3. the torch bridge, demo network")
    module = nn.to_torch(model)
    times = best_times({"to": lambda: nn.to_torch(model), "from": lambda: nn.from_torch(module)},
                       rounds=rounds, repeats={"to": 20, "from": 20})  # fmt: skip
    report("   nn.to_torch", times["to"])
    report("   nn.from_torch", times["from"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
