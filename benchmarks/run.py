"""Run chainview's benchmarks, one line each:  NAME ratio=R goal=G

A benchmark is any module benchmarks/*.py (other than this one and _*.py) that defines
    NAME: str               the name printed and matched by --only
    GOAL: float             the ratio it should stay at or below
    measure() -> float      the ratio (chainview's time / a baseline's time, both best-of-N)
They run in file-name order, each in a fresh process (one after another, in this one run).

    python benchmarks/run.py                 # every benchmark
    python benchmarks/run.py --only engine   # just one (repeat --only for several)
    python benchmarks/run.py --list          # names and goals, nothing measured
    python benchmarks/run.py --strict        # exit 1 if a ratio is above its goal
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def discover() -> dict:
    """NAME -> module, for every benchmarks/*.py that defines NAME, GOAL and measure()."""
    found = {}
    for path in sorted(HERE.glob("*.py")):
        if path.name == "run.py" or path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"_chainview_benchmark_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if all(hasattr(module, attr) for attr in ("NAME", "GOAL", "measure")):
            if module.NAME in found:
                raise SystemExit(f"run.py: two benchmarks are called {module.NAME!r} "
                                 f"({Path(found[module.NAME].__file__).name} and {path.name})")
            found[module.NAME] = module
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description="Run chainview's benchmarks.")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this benchmark (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and their goals, run nothing")
    parser.add_argument("--strict", action="store_true", help="exit 1 if any ratio is above its goal")
    parser.add_argument("--in-process", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    benchmarks = discover()
    names = list(benchmarks)
    if args.only:
        unknown = [name for name in args.only if name not in benchmarks]
        if unknown:
            print(f"run.py: no benchmark called {', '.join(map(repr, unknown))}; "
                  f"there are: {', '.join(names) or 'none'}", file=sys.stderr)
            return 2
        names = [name for name in names if name in args.only]
    if args.list:
        for name in names:
            print(f"{name} goal={benchmarks[name].GOAL}")
        return 0

    if args.in_process:
        for name in names:
            module = benchmarks[name]
            print(f"{name} ratio={float(module.measure()):.2f} goal={module.GOAL}", flush=True)
        return 0

    # each benchmark in a fresh process of its own: a GUI benchmark's heap and threads must not
    # slow the next one (the engine ratio read 4.8 right after big_jacobian, 2.7 alone)
    above = []
    for name in names:
        done = subprocess.run([sys.executable, __file__, "--in-process", "--only", name],
                              capture_output=True, text=True)
        line = next((l for l in done.stdout.splitlines() if l.startswith(f"{name} ratio=")), None)
        if done.returncode != 0 or line is None:
            print(f"{name} failed: {(done.stderr.strip().splitlines() or ['no output'])[-1]}", flush=True)
            above.append(name)
            continue
        print(line, flush=True)
        if not float(line.split("ratio=")[1].split()[0]) <= benchmarks[name].GOAL:
            above.append(name)
    return 1 if args.strict and above else 0


if __name__ == "__main__":
    sys.exit(main())
