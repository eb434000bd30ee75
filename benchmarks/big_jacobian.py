"""big_jacobian: selecting an edge whose Jacobian is 2048 x 2048 (a dense softmax one) until the
inspector has painted it / the same for an 8 x 8 one, in the real main window.

Both nets are stepped to the end first, so the numbers are known; the edge is deselected
between repetitions (not timed).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _gui  # noqa: E402

NAME = "big_jacobian"
GOAL = 3.0
REPEATS = 12


def _show_time(units: int) -> float:
    from chainview.core import build_net
    net = build_net([[0.3], [-0.2]], [[1.0]] + [[0.0]] * (units - 1), "nllm",
                    [{"units": units, "activation": "softmax"}], seed=2)
    app, window = _gui.window_for(net)
    s = window.session
    s.run_to_end()
    app.processEvents()
    times = []
    for _ in range(REPEATS):
        s.select(None)
        app.processEvents()
        s._derived.jacobians.clear()  # as on first click: the Jacobian itself is made too (the session keeps them)
        times.append(_gui.timed(lambda: s.select(("Z1", "A1")), app, 1))
    window.close()
    window.deleteLater()
    app.processEvents()
    return min(times)


def measure() -> float:
    _show_time(8)  # warm-up
    # alternate the two, twice: a window's first-use costs and machine noise hit both alike
    small, big = [], []
    for _ in range(2):
        small.append(_show_time(8))
        big.append(_show_time(2048))
    return min(big) / min(small)


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
