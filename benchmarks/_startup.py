"""Shared by startup.py and startup_memory.py: one set of runs, two ratios.

chainview: `chainview render` of the default example to a PNG (the app's first frame, headless).
baseline:  a script that imports numpy, networkx and PySide6, shows an empty QMainWindow of the
same size and saves it to PNG. Each is run REPEATS times, alternately, as a fresh process;
wall time is the best run, peak memory (ru_maxrss from wait4) the smallest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

REPEATS = 7
SIZE = "1600x900"

BASELINE = """
import sys
import numpy, networkx
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow()
w.resize(1600, 900)
w.show()
app.processEvents()
w.grab().save(sys.argv[1])
"""


def _chainview_cmd(out: str) -> list[str]:
    script = Path(sys.executable).with_name("chainview")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "chainview.cli"]
    return head + ["render", "--size", SIZE, "-o", out]


def _run(cmd: list[str]) -> tuple[float, int]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:3]} failed with exit code {proc.returncode}")
    return wall, usage.ru_maxrss  # KiB on Linux


def _compile_sources() -> None:
    """Bytecode for chainview, as a normal install has (pip compiles; the baseline's numpy and
    PySide6 are compiled already). Without it an editable install under PYTHONDONTWRITEBYTECODE
    recompiles every module on every start, which is not what a user's start costs."""
    import compileall
    root = Path(__file__).resolve().parent.parent
    for folder in ("cli", "core", "gui", "assets"):
        compileall.compile_dir(str(root / folder), quiet=1)


@lru_cache(maxsize=1)
def measure_both() -> dict:
    """Measured from a fresh, small Python process: a child's peak RSS (ru_maxrss) counts what it
    inherited at fork, so launching from run.py after the GUI benchmarks would read their memory."""
    _compile_sources()
    out = subprocess.run([sys.executable, __file__], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def _measure() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        base_script = Path(tmp, "baseline.py")
        base_script.write_text(BASELINE)
        runs = {"chainview": [], "baseline": []}
        for i in range(REPEATS):
            runs["baseline"].append(_run([sys.executable, str(base_script), str(Path(tmp, "b.png"))]))
            runs["chainview"].append(_run(_chainview_cmd(str(Path(tmp, "c.png")))))
    best = {k: (min(t for t, _ in v), min(m for _, m in v)) for k, v in runs.items()}
    return {"time": best["chainview"][0] / best["baseline"][0],
            "memory": best["chainview"][1] / best["baseline"][1],
            "detail": best}


if __name__ == "__main__":
    print(json.dumps(_measure()))
