"""step_scaling: one step (engine + canvas, inspector and step list updates, repaint) on a
50-layer net with a skip connection every 2 layers / one step on a 2-layer net, in the real main
window. A step must update what changed, never rebuild: the goal is a ratio near 1.

Each net is stepped forward and back over its first 10 steps many times; median per step.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _gui  # noqa: E402

NAME = "step_scaling"
GOAL = 1.5
STEPS = 10
ROUNDS = 6


def _per_step(layers: int) -> float:
    app, window = _gui.window_for(_gui.chain_net(layers, skip_every=2))
    s = window.session
    s.select("Z1")  # the inspector shows something that changes as steps go by
    times = []
    for _ in range(ROUNDS):
        times.append(_gui.timed(s.next, app, STEPS))
        times.append(_gui.timed(s.previous, app, STEPS))
    window.close()
    window.deleteLater()
    app.processEvents()
    return sorted(times)[len(times) // 2]


def measure() -> float:
    _per_step(2)  # warm-up: first-use costs (fonts, enum types) must not count for either
    small = min(_per_step(2) for _ in range(2))
    big = min(_per_step(50) for _ in range(2))
    return big / small


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
