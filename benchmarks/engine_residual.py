"""engine_residual: a full chainview trace of a net with skip connections and weight decay against
hand-written numpy doing the same math.

The net: the `engine` benchmark's 8 layers of 256 units (input 256; tanh on the 7 hidden layers,
identity output, squared loss, b = 1), plus a skip connection every 2 layers (Z^l adds A^(l-2) for
l = 3, 5, 7) and weight decay λ = 0.01 (R = λ Σ ‖W^l‖²_F feeds L). So A^1, A^3 and A^5 fork (their
gradient is a sum of two terms) and every W feeds both its Z and R.

chainview side: as `engine`: Session(net), the evaluation, the dense Jacobian of every edge and the
steps list. Baseline: the same forward and backward by hand in numpy (the skip terms and 2λW added
where they belong), no Jacobians. Goal: ratio <= 2.0.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    alternate, assert_same_numbers, chainview_trace, steady_heap, tanh_net, weights_of,
)
from engine import LAYERS, REPEAT, UNITS  # noqa: E402

NAME = "engine_residual"
GOAL = 2.0
LAMBDA = 0.01


def make_net():
    return tanh_net(LAYERS, UNITS, 1, skip_every=2, weight_decay=LAMBDA)


def hand_written(X, Y, Ws, W0s, skips, lam):
    """Forward and backward by hand: Z^l = W^T A^(l-1) + W0 (+ A^k), L = Σ (a - y)^2 + λ Σ ‖W‖²."""
    A, As = X, [X]
    L = len(Ws)
    for l in range(1, L + 1):
        Z = Ws[l - 1].T @ A + W0s[l - 1]
        if skips.get(l) is not None:
            Z = Z + As[skips[l]]
        A = np.tanh(Z) if l < L else Z
        As.append(A)
    loss = float(np.sum((A - Y) ** 2)) + lam * sum(float(np.sum(W * W)) for W in Ws)
    dA = {L: 2.0 * (A - Y)}
    grads = {}
    for l in range(L, 0, -1):
        dZ = dA.pop(l) if l == L else (1.0 - As[l] ** 2) * dA.pop(l)
        grads[f"W{l}"] = As[l - 1] @ dZ.T + 2.0 * lam * Ws[l - 1]
        grads[f"W0_{l}"] = np.sum(dZ, axis=1, keepdims=True)
        back = Ws[l - 1] @ dZ
        dA[l - 1] = dA[l - 1] + back if l - 1 in dA else back
        k = skips.get(l)
        if k is not None:
            dA[k] = dA[k] + dZ if k in dA else dZ
    return loss, grads


def measure(repeat: int = REPEAT) -> float:
    steady_heap()
    net = make_net()
    Ws, W0s = weights_of(net)
    skips = {l: layer.skip_from for l, layer in enumerate(net.layers, start=1) if layer.skip_from is not None}

    session, _, steps = chainview_trace(net)
    assert_same_numbers(session.evaluation, *hand_written(net.X, net.Y, Ws, W0s, skips, LAMBDA))
    assert any(st.terms for st in steps)

    return alternate(lambda: chainview_trace(net), lambda: hand_written(net.X, net.Y, Ws, W0s, skips, LAMBDA),
                     repeat)


if __name__ == "__main__":
    print(f"{NAME} ratio={measure():.2f} goal={GOAL}")
