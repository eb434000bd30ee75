"""load_net: reading the biggest net a net file can hold, against the JSON parser alone.

The net is 1 -> 700 -> 700 -> 1 (relu, half a million weights, whole numbers -1..1 so it fits the
2 MB limit, as a TA's hand-made big net would). chainview: `load_net(path)` (read, parse, check
every field and entry, build the Net). Baseline: `json.loads` of the same text and `np.array` of
each matrix, no checks at all. Both give the same W's, checked before timing. Best of REPEATS,
alternated, garbage collector off while timing.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

NAME = "load_net"
GOAL = 2.0
REPEATS = 7
ROOT = Path(__file__).resolve().parent.parent


def _text() -> str:
    import numpy as np
    r = np.random.default_rng(0)
    layers = [{"units": 700, "activation": "relu", "W": r.integers(-1, 2, (1, 700)).tolist(),
               "W0": r.integers(0, 2, (700, 1)).tolist()},
              {"units": 700, "activation": "relu", "W": r.integers(-1, 2, (700, 700)).tolist(),
               "W0": r.integers(0, 2, (700, 1)).tolist()},
              {"units": 1, "activation": "identity", "W": r.integers(-1, 2, (700, 1)).tolist(), "W0": [[0]]}]
    data = {"format": "chainview-net", "version": 1, "input": [[0.5]], "target": [[1.0]], "loss": "squared",
            "layers": layers}
    return json.dumps(data, separators=(",", ":"))


def measure() -> float:
    sys.path.insert(0, str(ROOT.parent))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _common import alternate
    import numpy as np
    from chainview.core.netfile import MAX_FILE_BYTES, load_net

    def baseline(path):
        with open(path, "rb") as f:
            data = json.loads(f.read())
        return [np.array(layer["W"], dtype=float) for layer in data["layers"]]

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "big.json")
        text = _text()
        assert len(text.encode()) <= MAX_FILE_BYTES
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        net = load_net(path)
        if not all(np.array_equal(layer.W, W) for layer, W in zip(net.layers, baseline(path))):
            raise RuntimeError("load_net and json.loads disagree on the weights")
        ratio = alternate(lambda: load_net(path), lambda: baseline(path), REPEATS)
    return ratio


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
