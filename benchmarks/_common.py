"""Shared measuring code of the in-process benchmarks (engine, engine_residual, train, load_net):
their tanh nets, glibc's heap kept steady, and the alternating best-of-N timing with the garbage
collector off. One copy, so every ratio is measured the same way."""

from __future__ import annotations

import ctypes
import gc
import sys
import time
from typing import Callable

import numpy as np

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3   # glibc's mallopt parameter numbers


def steady_heap() -> None:
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


def tanh_net(layers: int, units: int, batch: int, *, skip_every: int | None = None, weight_decay: float = 0.0):
    """`units` inputs, `layers` layers of `units` (tanh hidden, identity output), squared loss; X and Y
    standard normal (seed 0), weights from seed 1. skip_every=2: Z^l adds A^(l-2) for l = 3, 5, ..."""
    from chainview.core import build_net
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(units, batch)), rng.normal(size=(units, batch))
    specs = [{"units": units, "activation": "tanh"} for _ in range(layers - 1)] + [{"units": units,
                                                                                   "activation": "identity"}]
    if skip_every:
        for l in range(skip_every + 1, layers + 1, skip_every):
            specs[l - 1]["skip_from"] = l - skip_every
    return build_net(X, Y, "squared", specs, seed=1, weight_decay=weight_decay)


def chainview_trace(net):
    """What a window or `chainview trace` does with a net: Session(net), its evaluation, the dense
    Jacobian of every edge and the steps list."""
    from chainview.core import Session, edge_list
    session = Session(net)
    session.evaluation
    jacobians = [session.jacobian(u, v).dense() for u, v in edge_list(net)]
    return session, jacobians, session.steps


def weights_of(net) -> tuple[list, list]:
    """[W^1 .. W^L] and [W0^1 .. W0^L], for a hand-written baseline (a tied layer's W is its owner's array)."""
    return [layer.W for layer in net.layers], [layer.W0 for layer in net.layers]


def assert_same_numbers(ev, loss: float, grads: dict) -> None:
    """The baseline's loss and every gradient it made equal chainview's (or the comparison means nothing)."""
    assert np.isclose(loss, ev.loss, rtol=1e-12)
    for key, g in grads.items():
        assert np.allclose(g, ev.grads[key], rtol=1e-9, atol=1e-12), key


def alternate(ours: Callable[[], object], theirs: Callable[[], object], repeat: int) -> float:
    """min time of ours / min time of theirs, over `repeat` runs of each, alternated (drift on a busy
    machine hits both alike), with the garbage collector off as timeit does (a collection inside one
    side's timing is noise)."""
    our_times, their_times = [], []
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            t0 = time.perf_counter()
            ours()
            t1 = time.perf_counter()
            theirs()
            t2 = time.perf_counter()
            our_times.append(t1 - t0)
            their_times.append(t2 - t1)
    finally:
        if gc_was_on:
            gc.enable()
    return min(our_times) / min(their_times)
