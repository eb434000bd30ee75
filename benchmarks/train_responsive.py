"""train_responsive: a step of the graph (Next, then the repaint) while a training run goes on in the
background / the same step with nothing running, in the real main window.

Before issue 9 the training thread held the GIL and a 21 ms step took a 705 ms median. The net is the
default example: its SGD steps are tiny, so the worker is pure Python-bound, the hardest case for
sharing the GIL. The run is far longer than the measurement and is cancelled after it.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _gui  # noqa: E402

NAME = "train_responsive"
GOAL = 2.0
REPEATS = 30


def _net():
    from chainview.core import example_path, load_net
    return load_net(example_path("default"))


def _step_times(app, window) -> list[float]:
    """Next step + its repaint, REPEATS times, walking forward and back over the whole schedule."""
    s = window.session
    n = len(s.steps)
    times = []
    for i in range(REPEATS):
        action = window.next_action if (i // n) % 2 == 0 else window.previous_action
        app.processEvents()                   # whatever the last step queued (the worker's turn included)
        start = time.perf_counter()
        action.trigger()
        app.processEvents()
        times.append(time.perf_counter() - start)
    return times


def measure() -> float:
    app, window = _gui.window_for(_net())
    tools = window.install_editing_tools()
    _step_times(app, window)                  # warm-up
    idle, busy = [], []
    for _ in range(2):                        # alternate, so machine noise hits both alike
        idle += _step_times(app, window)
        assert tools.controller.train(0.001, 10 ** 7)
        end = time.monotonic() + 0.3          # the run is well under way
        while time.monotonic() < end:
            app.processEvents()
        busy += _step_times(app, window)
        assert tools.controller.is_running(), "the run ended before the measurement did"
        tools.controller.cancel()
        tools.controller.wait()
        app.processEvents()
    window.undo_stack.setClean()              # the cancelled runs were applied: nothing to ask about
    window.close()
    return statistics.median(busy) / statistics.median(idle)


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
