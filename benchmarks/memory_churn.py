"""memory_churn: the memory a window keeps after a big net is gone / a window that only ever had a small one.

One process opens the biggest net a net file can hold (a 2 MB file: 1 -> 700 -> 700 -> 1 tanh, about
half a million weights; the shipped examples are all tiny), steps it to the end, trains it 50 SGD
steps (one undo step), selects its widest edge, then opens the small `default` example. Another opens
`default` fresh. The ratio is the first process's resident memory (VmRSS) over the second's, each in
a process of its own. Before issue 9 the step list's cache and the undo stack kept the old net's
arrays alive (547 MB against 163 MB once cleared).
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

NAME = "memory_churn"
GOAL = 1.3

_SCRIPT = textwrap.dedent("""
    import gc, os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    sys.path.insert(0, {bench!r})
    import _gui
    from chainview.core import example_path, load_net

    def rss():
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmRSS:"))

    def settle(app):
        for _ in range(3):
            gc.collect()
            end = time.monotonic() + 0.2
            while time.monotonic() < end:
                app.processEvents()

    big = sys.argv[1]
    small = str(example_path("default"))
    if big == "-":
        app, window = _gui.window_for(load_net(small))
        window.session.run_to_end()
    else:
        app, window = _gui.window_for(load_net(big))
        tools = window.install_editing_tools()
        window.session.run_to_end()
        window.session.select(("W2", "Z2"))
        settle(app)
        assert tools.controller.train(1e-4, 50)
        while tools.controller.is_running():
            app.processEvents()
        assert window.undo_stack.count() == 1, "the run was not applied"
        window.undo_stack.setClean()
        window.open_path(small)
        window.session.run_to_end()
    settle(app)
    print("RSS", rss())
""")


def _big_net_file(folder: str) -> str:
    """The biggest net a file may hold: just under 2,000,000 bytes of JSON."""
    rows = lambda m, n, v: [[v] * n for _ in range(m)]
    net = {"format": "chainview-net", "version": 1, "input": [[0.5]], "target": [[1.0]], "loss": "squared",
           "layers": [{"units": 700, "activation": "tanh", "W": rows(1, 700, 0.01), "W0": rows(700, 1, 0)},
                      {"units": 700, "activation": "tanh", "W": rows(700, 700, 0), "W0": rows(700, 1, 0)},
                      {"units": 1, "activation": "identity", "W": rows(700, 1, 0.01), "W0": [[0]]}]}
    path = os.path.join(folder, "biggest.chainview.json")
    text = json.dumps(net, separators=(",", ":"))
    assert len(text) < 2_000_000
    Path(path).write_text(text)
    return path


def _rss(arg: str) -> int:
    script = _SCRIPT.format(bench=str(Path(__file__).resolve().parent))
    done = subprocess.run([sys.executable, "-c", script, arg], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    line = next((l for l in done.stdout.splitlines() if l.startswith("RSS ")), None)
    if line is None:
        raise RuntimeError((done.stderr.strip().splitlines() or ["no output"])[-1])
    return int(line.split()[1])


def measure() -> float:
    with tempfile.TemporaryDirectory() as folder:
        big = _big_net_file(folder)
        churned = min(_rss(big) for _ in range(2))
        fresh = min(_rss("-") for _ in range(2))
    return churned / fresh


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
