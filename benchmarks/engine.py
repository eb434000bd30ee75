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
process already has, on both sides (see _steady_heap).
"""

from __future__ import annotations

import ctypes
import gc
import sys
import time

import numpy as np

NAME = "engine"
GOAL = 2.0

LAYERS, UNITS, BATCH = 8, 256, 1
REPEAT = 30
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3   # glibc's mallopt parameter numbers


def _steady_heap() -> None:
    """Have glibc serve big arrays from memory it already has, on both sides, in every run.

    Left alone, glibc gives the first 512 KB arrays fresh mappings, raises its threshold after the
    first big free, then serves them from its heap and trims the heap's top on free: which side
    reuses pages the other freed hung on where unrelated long-lived objects landed (counted with
    ru_minflt: 2017 page faults a run against 992, or 1003 against 0), so the same code measured
    2.4 or 3.4 from one edit to the next. A big heap that is never trimmed is what a long-running
    app settles into, and it gives the baseline its best case too (no page faults on either side):
    the ratio is then chainview's own work. Linux only (glibc); elsewhere a no-op.
    """
    if not sys.platform.startswith("linux"):       # mallopt is glibc's (CDLL(None) is an error on Windows)
        return
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024)
        libc.mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024)
    except (OSError, AttributeError):
        pass


def make_net(layers: int = LAYERS, units: int = UNITS, batch: int = BATCH):
    from chainview.core import build_net
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(units, batch)), rng.normal(size=(units, batch))
    specs = [{"units": units, "activation": "tanh"}] * (layers - 1) + [{"units": units, "activation": "identity"}]
    return build_net(X, Y, "squared", specs, seed=1)


def chainview_trace(net):
    from chainview.core import Session, edge_list
    session = Session(net)
    session.evaluation
    jacobians = [session.jacobian(u, v).dense() for u, v in edge_list(net)]
    return session, jacobians, session.steps


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
    _steady_heap()
    net = make_net()
    Ws = [layer.W for layer in net.layers]
    W0s = [layer.W0 for layer in net.layers]

    # same numbers on both sides, or the comparison means nothing
    session, _, steps = chainview_trace(net)
    loss, grads = hand_written(net.X, net.Y, Ws, W0s)
    assert np.isclose(loss, session.evaluation.loss, rtol=1e-12)
    for key, g in grads.items():
        assert np.allclose(g, session.evaluation.grads[key], rtol=1e-9, atol=1e-12), key
    assert len(steps) == 6 * net.L + 2

    trace_times, hand_times = [], []
    gc_was_on = gc.isenabled()
    gc.disable()              # as timeit does: a collection inside one side's timing is noise
    try:
        for _ in range(repeat):   # alternate, so drift on a busy machine hits both alike
            t0 = time.perf_counter()
            chainview_trace(net)
            t1 = time.perf_counter()
            hand_written(net.X, net.Y, Ws, W0s)
            t2 = time.perf_counter()
            trace_times.append(t1 - t0)
            hand_times.append(t2 - t1)
    finally:
        if gc_was_on:
            gc.enable()
    return min(trace_times) / min(hand_times)


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
