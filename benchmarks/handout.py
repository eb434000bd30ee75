"""handout: wall time of `chainview handout default.chainview.json -o h.html` / `chainview render` of it.

Both are fresh processes of the installed command (Qt starts in each: the handout draws the graph),
run alternately REPEATS times in this one run; the ratio is best handout / best render. Before timing,
the HTML is checked to hold the default example's numbers (dL/dW² to 4 significant digits).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAME = "handout"
GOAL = 1.5
REPEATS = 5
ROOT = Path(__file__).resolve().parent.parent
NET = ROOT / "assets" / "examples" / "default.chainview.json"


def _command(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("chainview")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "chainview.cli"]
    return head + list(args)


def _time(cmd: list[str]) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _check(html: Path) -> None:
    sys.path.insert(0, str(ROOT.parent))
    from chainview.core import Session, load_net
    from chainview.core.handout import number_text
    s = Session(load_net(NET))
    dW2 = next(st for st in s.steps if st.phase == "backward" and st.node == "W2").value
    text = html.read_text(encoding="utf-8")
    if f"<td>{number_text(dW2[0, 0])}</td>" not in text:
        raise RuntimeError("the handout does not hold dL/dW2's numbers")


def measure() -> float:
    import compileall
    for folder in ("cli", "core", "gui", "assets"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        html, png = Path(tmp, "h.html"), Path(tmp, "r.png")
        handout = _command("handout", str(NET), "-o", str(html))
        render = _command("render", str(NET), "-o", str(png))
        _time(handout)
        _check(html)
        times = {"handout": [], "render": []}
        for _ in range(REPEATS):
            times["render"].append(_time(render))
            times["handout"].append(_time(handout))
        return min(times["handout"]) / min(times["render"])


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
