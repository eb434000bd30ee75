"""A real main window, offscreen, for the GUI benchmarks; timing helpers shared by them."""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def window_for(net, size=(1600, 900)):
    """A shown MainWindow on `net` with settings in a throw-away file (never the user's)."""
    from chainview.gui.app import create_main_window
    from chainview.gui.startup import ensure_app
    from chainview.gui.settings import Settings

    app = ensure_app()
    window = create_main_window(net, Settings.ephemeral())
    window.resize(*size)
    window.show()
    for _ in range(3):
        app.processEvents()
    return app, window


def timed(action, app, repeats: int) -> float:
    """Median seconds of action() followed by processing the events it caused (repaints included)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        app.processEvents()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def chain_net(layers: int, units: int = 3, activation: str = "tanh", skip_every: int = 0):
    """A chain of `layers`; with skip_every = k, hidden layer l also adds A^(l-k) (a skip connection)."""
    from chainview.core import build_net
    spec = [{"units": units, "activation": activation} for _ in range(layers - 1)]
    if skip_every:
        for l in range(skip_every + 1, layers, skip_every):
            spec[l - 1]["skip_from"] = l - skip_every
    spec.append({"units": 1, "activation": "identity"})
    return build_net([[0.5]] * units, [[1.0]], "squared", spec, seed=1)
