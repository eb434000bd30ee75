"""engine: a full chainview trace of a big net against a hand-written numpy forward + backward.

The net: 8 layers of 256 units (input 256), tanh on the 7 hidden layers, identity output,
squared loss, batch b = 1 (one example: the case the notes draw, and the hardest one for
the ratio, since per-example Jacobians are then the whole work).

chainview side (what a window or `chainview trace` does with a net): Session(net), the
evaluation (every value and gradient), the dense Jacobian of every edge
(session.jacobian(u, v).dense(), 34 of them) and the steps list.
Baseline: the same forward and backward written by hand in numpy, with no Jacobians.

ratio = best-of-30 time of the trace / best-of-30 time of the baseline, measured alternately in
the same run with the garbage collector off; goal: ratio <= 2 (the engine walks the net's graph). Big arrays come from memory the
process already has, on both sides (see _common.steady_heap).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    alternate, assert_same_numbers, chainview_trace, steady_heap, tanh_net, weights_of,
)

NAME = "engine"
GOAL = 2.0

LAYERS, UNITS, BATCH = 8, 256, 1
REPEAT = 30


def make_net():
    return tanh_net(LAYERS, UNITS, BATCH)


def hand_written(X, Y, Ws, W0s):
    """Forward and backward of the same net, by hand: tanh hidden layers, identity output, squared loss."""
    A, As = X, [X]
    for l, (W, W0) in enumerate(zip(Ws, W0s)):
        Z = W.T @ A + W0
        A = np.tanh(Z) if l < len(Ws) - 1 else Z
        As.append(A)
    loss = float(np.sum((A - Y) ** 2))
    dA = 2.0 * (A - Y)
    grads = {}
    for l in range(len(Ws), 0, -1):
        dZ = dA if l == len(Ws) else (1.0 - As[l] ** 2) * dA
        grads[f"W{l}"] = As[l - 1] @ dZ.T
        grads[f"W0_{l}"] = np.sum(dZ, axis=1, keepdims=True)
        dA = Ws[l - 1] @ dZ
    return loss, grads


def measure(repeat: int = REPEAT) -> float:
    steady_heap()
    net = make_net()
    Ws, W0s = weights_of(net)

    # same numbers on both sides, or the comparison means nothing
    session, _, steps = chainview_trace(net)
    assert_same_numbers(session.evaluation, *hand_written(net.X, net.Y, Ws, W0s))
    assert len(steps) == 6 * net.L + 2

    return alternate(lambda: chainview_trace(net), lambda: hand_written(net.X, net.Y, Ws, W0s), repeat)


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
