"""compare: wall time of `chainview compare NET --modules hw.py` / running hw.py by hand in a plain python.

The homework-sized net (2 -> 3 tanh -> 2 softmax, NLL, a batch of 4: tests/compare_cases/hw_net)
and a correct homework module file (tests/compare_cases/hw_correct.py):
- chainview: the command, as a person types it (a fresh process: start-up, the engine, their
  modules run in a child process, every step compared, the table printed);
- baseline: a fresh `python` process that imports numpy and their file, builds their modules with
  the net's weights, and runs the same forward, loss and backward (what a person does without
  chainview, see _compare_plain.py).
Both print the same loss (checked first). 7 runs each, alternated, best of each.
"""

import subprocess
import sys
import time
from pathlib import Path

NAME = "compare"
GOAL = 2.0
ROOT = Path(__file__).resolve().parent.parent
NET = ROOT / "tests" / "compare_cases" / "hw_net.chainview.json"
MODULES = ROOT / "tests" / "compare_cases" / "hw_correct.py"
PLAIN = Path(__file__).resolve().parent / "_compare_plain.py"
REPEATS = 7

CHAINVIEW = [sys.executable, "-m", "chainview.cli", "compare", str(NET), "--modules", str(MODULES), "--json"]
BASELINE = [sys.executable, str(PLAIN), str(NET), str(MODULES)]


def _time(cmd) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - start, proc.stdout


def measure() -> float:
    import json
    _, out = _time(CHAINVIEW)
    assert json.loads(out)["agree"], "the correct homework file must agree"
    _, plain = _time(BASELINE)
    assert float(plain) > 0
    best_cv, best_plain = float("inf"), float("inf")
    for _ in range(REPEATS):
        best_cv = min(best_cv, _time(CHAINVIEW)[0])
        best_plain = min(best_plain, _time(BASELINE)[0])
    measure.detail = f"chainview {best_cv:.3f} s, plain python {best_plain:.3f} s"
    return best_cv / best_plain


if __name__ == "__main__":
    r = measure()
    print(f"{NAME} ratio={r:.2f} goal={GOAL}  ({measure.detail})")
