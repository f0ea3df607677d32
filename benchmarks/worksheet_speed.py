"""How fast a class's worksheets are written: ``python benchmarks/worksheet_speed.py``.

Goal (issue 11): 40 students x 4 problems, with pictures (embedded Graphviz), written
in under 20 s.  Each level is timed as a teacher runs it, in a fresh process
(``python -m viz.worksheet ...``: start-up, imports and the WebAssembly Graphviz
included), best of 3; then one in-process run is split into its parts.  Exits 1 if the
goal is missed.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

STUDENTS = 40
PROBLEMS = 4
GOAL = 20.0
ROUNDS = 3


def cli_seconds(roster: Path, level: int, out: Path) -> float:
    """Wall-clock seconds of one ``python -m viz.worksheet`` run."""
    command = [sys.executable, "-m", "viz.worksheet", "--students", str(roster),
               "--level", str(level), "--problems", str(PROBLEMS), "--seed", "2026",
               "-o", str(out)]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def parts(level: int) -> dict[str, float]:
    """Seconds of the problems, the key, and the pages (all graphs) of one class."""
    from viz.worksheet import answer_key, class_problems, key_page, student_page

    names = [f"Student {k}" for k in range(STUDENTS)]
    start = time.perf_counter()
    assignments = class_problems(names, level, PROBLEMS, 2026)
    generated = time.perf_counter()
    key = answer_key(assignments, seed=2026, level=level, lang="en")
    keyed = time.perf_counter()
    for k, name in enumerate(names):
        mine = [(n, p) for s, n, p in assignments if s == name]
        student_page(name, level, "en", mine)
        entries = key["problems"][k * PROBLEMS : (k + 1) * PROBLEMS]
        key_page(name, level, "en", [(n, p, e["nodes"]) for (n, p), e in zip(mine, entries)])
    paged = time.perf_counter()
    return {"problems": generated - start, "key": keyed - generated, "pages": paged - keyed}


def main() -> int:
    missed = False
    print(f"{STUDENTS} students x {PROBLEMS} problems: one sheet and one key page per "
          f"student ({2 * STUDENTS * PROBLEMS} graphs) and key.json; goal < {GOAL:g} s")
    with tempfile.TemporaryDirectory() as folder:
        roster = Path(folder) / "roster.txt"
        roster.write_text("".join(f"Student {k}\n" for k in range(STUDENTS)), encoding="utf-8")
        cli_seconds(roster, 1, Path(folder) / "warm-up")  # fills wasmtime's disk cache
        for level in (1, 2, 3):
            best = min(cli_seconds(roster, level, Path(folder) / f"out{level}")
                       for _ in range(ROUNDS))  # fmt: skip
            split = parts(level)
            missed |= best >= GOAL
            print(f"level {level}: {best:6.2f} s  (in process: problems {split['problems']:.2f} s, "
                  f"key {split['key']:.2f} s, pages {split['pages']:.2f} s)"
                  f"  {'ok' if best < GOAL else 'MISSED'}")  # fmt: skip
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
