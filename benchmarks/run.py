"""Run chainview's benchmarks, one line each:  NAME ratio=R goal=G

A benchmark is any module benchmarks/*.py (other than this one and _*.py) that defines
    NAME: str               the name printed and matched by --only
    GOAL: float             the ratio it should stay at or below
    measure() -> float      the ratio (chainview's time / a baseline's time, both best-of-N)
All of them run in this one process, in file-name order.

    python benchmarks/run.py                 # every benchmark
    python benchmarks/run.py --only engine   # just one (repeat --only for several)
    python benchmarks/run.py --list          # names and goals, nothing measured
    python benchmarks/run.py --strict        # exit 1 if a ratio is above its goal
"""

from __future__ import annotations

import argparse
import importlib.util
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

    above = []
    for name in names:
        module = benchmarks[name]
        ratio = float(module.measure())
        print(f"{name} ratio={ratio:.2f} goal={module.GOAL}", flush=True)
        if not ratio <= module.GOAL:
            above.append(name)
    return 1 if args.strict and above else 0


if __name__ == "__main__":
    sys.exit(main())
