"""Run every benchmark in turn (``make bench``); each prints its own figures and goals.

    engine_speed.py    issue 2: the engine against micrograd, memory, a 1e6-op chain
    nn_speed.py        issue 3: nn's demo step, 100 training steps, digits epochs
    viz_speed.py       issue 5: rendering 1,000-node graphs, notebook display
    compiled_speed.py  issue 7: the compiled batch mode against micrograd and torch
    worksheet_speed.py   issue 11: a class's worksheets, 40 students x 4 problems
    playground_speed.py  issue 10: building the training playground page
    forward_speed.py     issue 12: forward against reverse mode, the step-through page
    checkpoint_speed.py  issue 13: checkpoints, the torch bridge
    network_speed.py     issue 24: the network picture with every neuron's heat map
    live_speed.py        issue 26: the live playground, in Python and in the browser
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPTS = ["engine_speed.py", "nn_speed.py", "viz_speed.py", "compiled_speed.py",
           "worksheet_speed.py", "playground_speed.py", "forward_speed.py",
           "checkpoint_speed.py", "network_speed.py", "live_speed.py"]


def main() -> int:
    here = Path(__file__).parent
    failures = 0
    for script in SCRIPTS:
        print(f"\n=== {script}", flush=True)
        failures += subprocess.call([sys.executable, str(here / script)]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
